/**
 * The one table of gradient rules. Each rule maps dL/d(output) to dL/d(input) for every input,
 * written with ops (recording is off while rules run). `needs[i]` says whether input i wants a
 * gradient, so expensive ones (e.g. conv2d's input gradient for the first layer) are skipped.
 * Each primitive's attributes (what its op records on the tape) are declared here too, in
 * `OpAttrs`, next to the rules that read them; the table's type requires a rule for every one.
 * Below the rules, `savedForBackward` says which values each rule reads, so a training step can
 * recycle the rest early (release.ts); its type requires an entry for every primitive too.
 */
import type {
  Conv2dGeometry,
  DepthwiseActivation,
  EpilogueActivation,
  FloatArray,
  FusedActivation,
  Pool2dGeometry,
} from '../backends/kernels.js';
import type { Tensor } from '../tensor/tensor.js';
import { shapesEqual } from '../tensor/shape.js';
import * as b from './backward.js';
import { div, equal, exp, greaterEqual, log, mul, neg, pow, sign, square, sub } from '../ops/elementwise.js';
import { pad, slice, upSample2dBackward } from '../ops/layout.js';
import { matmul } from '../ops/linalg.js';
import { sum } from '../ops/reduce.js';
import { reshape, transpose } from '../ops/shape.js';
import type { TapeNode } from './tape.js';

type None = Record<string, never>;

/**
 * The differentiable primitives and the attributes each records on the tape (`record` in
 * tape.ts is typed against this list, the rule table below too).
 */
export interface OpAttrs {
  add: None;
  /** relu(a + b) */
  addRelu: None;
  sub: None;
  mul: None;
  div: None;
  maximum: None;
  minimum: None;
  pow: None;
  neg: None;
  abs: None;
  exp: None;
  log: None;
  sqrt: None;
  square: None;
  relu: None;
  /** min(max(x, 0), 6) */
  relu6: None;
  sigmoid: None;
  tanh: None;
  erf: None;
  clipByValue: { min: number; max: number };
  /** inputs: a, b, and the bias when `hasBias` */
  matmul: { transA: boolean; transB: boolean; activation: FusedActivation };
  /** inputs: x, filter, and the bias when present */
  conv2d: { geometry: Conv2dGeometry; activation: EpilogueActivation };
  /**
   * inputs: x, filter [kH, kW, inChannels, multiplier], and the bias when present;
   * geometry.outChannels = inChannels·multiplier; `activation` is the fused epilogue's
   */
  depthwiseConv2d: { geometry: Conv2dGeometry; activation: DepthwiseActivation };
  /**
   * inputs: x, filter [kH, kW, outChannels, inChannels]. `geometry` is that of the forward conv2d
   * whose input gradient this is: its input is this op's output and its output this op's input.
   */
  conv2dTranspose: { geometry: Conv2dGeometry };
  /** `reluInput`: x is a relu's output (see appliesInputRelu in rules.ts) */
  maxPool2d: { geometry: Pool2dGeometry; argmax: Int32Array; reluInput: boolean };
  /** inputs: x, filter, and the bias when present; argmax indexes the (unstored) conv output */
  conv2dMaxPool: { conv: Conv2dGeometry; pool: Pool2dGeometry; activation: FusedActivation; argmax: Int32Array };
  avgPool2d: { geometry: Pool2dGeometry };
  /** `axes` sorted and unique; the output keeps them as size-1 axes only when keepDims */
  sum: { axes: number[]; keepDims: boolean };
  /** as `sum`; the gradient is split evenly between tied maxima */
  max: { axes: number[]; keepDims: boolean };
  reshape: None;
  transpose: { perm: number[] };
  /** zero padding; pads non-negative */
  pad: { padsBefore: number[]; padsAfter: number[] };
  slice: { begin: number[]; size: number[] };
  /** inputs: the parts, in order */
  concat: { axis: number };
  /** nearest-neighbour upsampling of NHWC x by integer factors */
  upSample2d: { scaleHeight: number; scaleWidth: number };
  logSoftmax: None;
  /**
   * Training-mode batch normalisation over every axis but the last, then the activation (a fused
   * relu or relu6, or none). inputs: x, then scale when
   * `hasScale`, then offset when `hasOffset`; `mean` and `variance` are the batch statistics
   * the forward pass computed (kept for the backward kernel).
   */
  fusedBatchNorm: {
    activation: EpilogueActivation;
    epsilon: number;
    mean: FloatArray;
    variance: FloatArray;
    hasScale: boolean;
    hasOffset: boolean;
  };
  /** inputs: x, scale [C], shift [C]; y = activation(x·scale + shift) along the last axis */
  batchNormInference: { activation: FusedActivation };
}

export type OpName = keyof OpAttrs;

/**
 * One gradient rule: input gradients (null where not needed) from the output gradient, a pure
 * function of its arguments. `dyMasked`: dy is already zero wherever a relu output y is zero
 * (see `appliesInputRelu`), so a rule for an op ending in a relu may skip that relu's mask.
 */
export type GradientRule<K extends OpName> = (
  dy: Tensor,
  inputs: readonly Tensor[],
  y: Tensor,
  attrs: OpAttrs[K],
  needs: readonly boolean[],
  dyMasked: boolean,
) => (Tensor | null)[];

/** Sums a broadcast gradient back down to the shape of the operand it came from. */
export function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return reshape(sum(g, axes), shape);
}

/**
 * The gradient through a fused epilogue activation, one kernel pass: relu's, dy where the output
 * is positive (or dy itself when it already carries that mask: `dyMasked`, see
 * `appliesInputRelu`); relu6's, dy where 0 < output < 6 (a relu mask covers only one side).
 */
function throughActivation(dy: Tensor, y: Tensor, activation: EpilogueActivation, dyMasked: boolean): Tensor {
  if (activation === 'relu6') return b.relu6Backward(dy, y);
  return activation === 'relu' && !dyMasked ? b.reluBackward(dy, y) : dy;
}

/**
 * True when `node`'s rule hands its input a gradient that already carries the input's relu mask.
 * A max pooling whose input is a relu's output (its `reluInput` attribute, recorded by the op)
 * masks the pooled gradient instead, which is exact (each window's winner is the value the relu
 * mask tests) and 4× smaller for 2×2 windows. When every gradient a tensor receives is masked so,
 * the autograd engine tells the producing rule (`dyMasked`), and its relu has nothing left to do.
 */
export function appliesInputRelu(node: TapeNode): boolean {
  return node.op === 'maxPool2d' && node.attrs.reluInput;
}

/** A reduction's output (or its gradient) reshaped to x's rank, size 1 on the reduced axes. */
function keptDims(t: Tensor, x: Tensor, axes: readonly number[], keepDims: boolean): Tensor {
  return keepDims
    ? t
    : reshape(
        t,
        x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
      );
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

const when = (need: boolean | undefined, f: () => Tensor): Tensor | null => (need ? f() : null);

export const gradientRules: { [K in OpName]: GradientRule<K> } = {
  add: (dy, [a, c], _y, _at, n) => [when(n[0], () => unbroadcast(dy, a!.shape)), when(n[1], () => unbroadcast(dy, c!.shape))],
  addRelu: (dy, [a, c], y, _at, n, dyMasked) => {
    const g = throughActivation(dy, y, 'relu', dyMasked);
    return [when(n[0], () => unbroadcast(g, a!.shape)), when(n[1], () => unbroadcast(g, c!.shape))];
  },
  sub: (dy, [a, c], _y, _at, n) => [when(n[0], () => unbroadcast(dy, a!.shape)), when(n[1], () => unbroadcast(neg(dy), c!.shape))],
  mul: (dy, [a, c], _y, _at, n) => [
    when(n[0], () => unbroadcast(mul(dy, c!), a!.shape)),
    when(n[1], () => unbroadcast(mul(dy, a!), c!.shape)),
  ],
  div: (dy, [a, c], y, _at, n) => [
    when(n[0], () => unbroadcast(div(dy, c!), a!.shape)),
    when(n[1], () => unbroadcast(neg(div(mul(dy, y), c!)), c!.shape)),
  ],
  maximum: (dy, [a, c], _y, _at, n) => {
    const aWins = greaterEqual(a!, c!);
    return [when(n[0], () => unbroadcast(mul(dy, aWins), a!.shape)), when(n[1], () => unbroadcast(mul(dy, sub(1, aWins)), c!.shape))];
  },
  minimum: (dy, [a, c], _y, _at, n) => {
    const aWins = greaterEqual(c!, a!);
    return [when(n[0], () => unbroadcast(mul(dy, aWins), a!.shape)), when(n[1], () => unbroadcast(mul(dy, sub(1, aWins)), c!.shape))];
  },
  pow: (dy, [a, c], y, _at, n) => [
    when(n[0], () => unbroadcast(mul(dy, mul(c!, pow(a!, sub(c!, 1)))), a!.shape)),
    when(n[1], () => unbroadcast(mul(dy, mul(y, log(a!))), c!.shape)),
  ],
  neg: (dy) => [neg(dy)],
  abs: (dy, [x]) => [mul(dy, sign(x!))],
  exp: (dy, _x, y) => [mul(dy, y)],
  log: (dy, [x]) => [div(dy, x!)],
  sqrt: (dy, _x, y) => [div(dy, mul(y, 2))],
  square: (dy, [x]) => [mul(dy, mul(x!, 2))],
  relu: (dy, _x, y, _at, _n, dyMasked) => [throughActivation(dy, y, 'relu', dyMasked)],
  // dy where 0 < y < 6 (equivalently 0 < x < 6; y is kept, x need not be).
  relu6: (dy, _x, y) => [b.relu6Backward(dy, y)],
  sigmoid: (dy, _x, y) => [mul(dy, mul(y, sub(1, y)))],
  tanh: (dy, _x, y) => [mul(dy, sub(1, mul(y, y)))],
  erf: (dy, [x]) => [mul(dy, mul(exp(neg(square(x!))), TWO_OVER_SQRT_PI))],
  clipByValue: (dy, [x], _y, { min, max }) => [mul(dy, mul(greaterEqual(x!, min), greaterEqual(max, x!)))],
  matmul: (dy, [a, c, bias], y, { transA, transB, activation }, n, dyMasked) => {
    const g = throughActivation(dy, y, activation, dyMasked);
    return [
      when(n[0], () => (transA ? matmul(c!, g, { transposeA: transB, transposeB: true }) : matmul(g, c!, { transposeB: !transB }))),
      when(n[1], () => (transB ? matmul(g, a!, { transposeA: true, transposeB: transA }) : matmul(a!, g, { transposeA: !transA }))),
      bias ? when(n[2], () => sum(g, 0)) : null,
    ];
  },
  conv2d: (dy, [x, filter, bias], y, { geometry, activation }, n, dyMasked) => {
    const g = throughActivation(dy, y, activation, dyMasked);
    return [
      when(n[0], () => b.conv2dBackpropInput(g, filter!, geometry)),
      when(n[1], () => b.conv2dBackpropFilter(x!, g, geometry)),
      bias ? when(n[2], () => sum(g, [0, 1, 2])) : null,
    ];
  },
  depthwiseConv2d: (dy, [x, filter, bias], y, { geometry, activation }, n, dyMasked) => {
    const g = throughActivation(dy, y, activation, dyMasked);
    return [
      when(n[0], () => b.depthwiseConv2dBackpropInput(g, filter!, geometry)),
      when(n[1], () => b.depthwiseConv2dBackpropFilter(x!, g, geometry)),
      bias ? when(n[2], () => sum(g, [0, 1, 2])) : null,
    ];
  },
  // y = Aᵀx where A is the forward conv2d of `geometry`: dx = A·dy, and dfilter is conv2d's
  // filter gradient with dy in the role of its input and x in the role of its output gradient.
  conv2dTranspose: (dy, [x, filter], _y, { geometry }, n) => [
    when(n[0], () => b.conv2dForward(dy, filter!, geometry)),
    when(n[1], () => b.conv2dBackpropFilter(dy, x!, geometry)),
  ],
  // With `reluInput`, the pooled gradient is masked by the winners' signs (see appliesInputRelu).
  maxPool2d: (dy, _x, y, { geometry, argmax, reluInput }) => [
    b.maxPool2dBackward(reluInput ? b.reluBackward(dy, y) : dy, argmax, geometry),
  ],
  conv2dMaxPool: (dy, [x, filter, bias], y, { conv, pool, activation, argmax }, n) => {
    const g = b.conv2dMaxPoolBackward(dy, x!, filter!, y, argmax, conv, pool, activation, {
      input: n[0]!,
      filter: n[1]!,
      bias: bias !== undefined && n[2]!,
    });
    return [g.dx, g.dFilter, ...(bias ? [g.dBias] : [])];
  },
  avgPool2d: (dy, _x, _y, { geometry }) => [b.avgPool2dBackward(dy, geometry)],
  sum: (dy, [x], _y, { axes, keepDims }) => [b.broadcastTo(keptDims(dy, x!, axes, keepDims), x!.shape)],
  max: (dy, [x], y, { axes, keepDims }) => {
    const winners = equal(x!, keptDims(y, x!, axes, keepDims));
    const share = div(winners, sum(winners, axes, true));
    return [mul(share, keptDims(dy, x!, axes, keepDims))];
  },
  reshape: (dy, [x]) => [reshape(dy, x!.shape)],
  transpose: (dy, _x, _y, { perm }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [transpose(dy, inverse)];
  },
  logSoftmax: (dy, _x, y) => [b.logSoftmaxBackward(dy, y)],
  // One backward kernel gives all three; inputs are x, then scale and offset when present.
  fusedBatchNorm: (dy, [x, ...params], y, { activation, epsilon, mean, variance, hasScale, hasOffset }, n, dyMasked) => {
    // A fused activation's mask goes into the backward kernel's passes (unless the gradient has
    // a relu's already: relu6's has a second side).
    const output = activation === 'relu6' || (activation === 'relu' && !dyMasked) ? y : null;
    const g = b.batchNormBackward(dy, x!, hasScale ? params[0]! : null, mean, variance, epsilon, activation, output);
    return [
      n[0] ? g.dx : null,
      ...(hasScale ? [n[1] ? g.dscale : null] : []),
      ...(hasOffset ? [n[hasScale ? 2 : 1] ? g.doffset : null] : []),
    ];
  },
  // y = x·scale + shift along the last axis: scale and shift gradients sum over the other axes.
  batchNormInference: (dy, [x, scale], y, { activation }, n, dyMasked) => {
    dy = throughActivation(dy, y, activation, dyMasked);
    const leading = [...Array(x!.rank - 1).keys()];
    return [when(n[0], () => mul(dy, scale!)), when(n[1], () => sum(mul(dy, x!), leading)), when(n[2], () => sum(dy, leading))];
  },
  pad: (dy, [x], _y, { padsBefore }) => [slice(dy, padsBefore, x!.shape)],
  slice: (dy, [x], _y, { begin, size }) => [
    pad(
      dy,
      x!.shape.map((d, i) => [begin[i]!, d - begin[i]! - size[i]!] as const),
    ),
  ],
  concat: (dy, parts, _y, { axis }, n) => {
    let offset = 0;
    return parts.map((part, i) => {
      const begin = part.shape.map((_, j) => (j === axis ? offset : 0));
      offset += part.shape[axis]!;
      return when(n[i], () => slice(dy, begin, part.shape));
    });
  },
  upSample2d: (dy, [x], _y, { scaleHeight, scaleWidth }) => [upSample2dBackward(dy, x!.shape, scaleHeight, scaleWidth)],
};

/**
 * What one rule reads besides dy: for each input whether its values are read (an entry past the
 * end: not read) and whether the output's are. Shapes are always available; only values count.
 */
export interface Saved {
  readonly inputs: readonly boolean[];
  readonly output: boolean;
}

/**
 * Which values a kernel's gradient rule (above) reads, given which inputs want a gradient
 * (`needs`, as the rule receives it) and the attributes. Buffers held in the attributes
 * (maxPool2d's argmax, the batch statistics) are always kept. Nothing else is read, so a buffer
 * no entry names may be recycled once the forward pass is done with it (src/autograd/release.ts);
 * the table's type requires an entry for every primitive.
 */
export type SavedRule<K extends OpName> = (needs: readonly boolean[], attrs: OpAttrs[K]) => Saved;

const NOTHING: Saved = { inputs: [], output: false };
const OUTPUT: Saved = { inputs: [], output: true };
const INPUT: Saved = { inputs: [true], output: false };
const BOTH_INPUTS: Saved = { inputs: [true, true], output: false };
const reads = (inputs: readonly boolean[], output = false): Saved => ({ inputs, output });
// Rules of ops with a fused activation read y, for its relu or relu6 mask.
const fused = (activation: EpilogueActivation): boolean => activation !== 'linear';

/**
 * The reads of every rule above, by primitive (see `SavedRule`).
 *
 * @example
 * savedForBackward.conv2d([false, true], { geometry, activation: 'linear' });   // { inputs: [true, false], output: false }
 */
export const savedForBackward: { [K in OpName]: SavedRule<K> } = {
  add: () => NOTHING,
  addRelu: () => OUTPUT,
  sub: () => NOTHING,
  mul: (n) => reads([!!n[1], !!n[0]]),
  div: (n) => reads([false, !!(n[0] || n[1])], !!n[1]),
  maximum: () => BOTH_INPUTS,
  minimum: () => BOTH_INPUTS,
  pow: (n) => reads([true, !!n[0]], !!n[1]),
  neg: () => NOTHING,
  abs: () => INPUT,
  exp: () => OUTPUT,
  log: () => INPUT,
  sqrt: () => OUTPUT,
  square: () => INPUT,
  relu: () => OUTPUT,
  relu6: () => OUTPUT,
  sigmoid: () => OUTPUT,
  tanh: () => OUTPUT,
  erf: () => INPUT,
  clipByValue: () => INPUT,
  matmul: (n, { activation }) => reads([!!n[1], !!n[0]], fused(activation)),
  conv2d: (n, { activation }) => reads([!!n[1], !!n[0]], fused(activation)),
  depthwiseConv2d: (n, { activation }) => reads([!!n[1], !!n[0]], fused(activation)),
  conv2dTranspose: (n) => reads([!!n[1], !!n[0]]),
  maxPool2d: (_n, { reluInput }) => reads([], reluInput),
  // One backward kernel reads x, the filter and the pooled output whatever is needed.
  conv2dMaxPool: () => reads([true, true], true),
  avgPool2d: () => NOTHING,
  sum: () => NOTHING,
  max: () => reads([true], true),
  reshape: () => NOTHING,
  transpose: () => NOTHING,
  pad: () => NOTHING,
  slice: () => NOTHING,
  concat: () => NOTHING,
  upSample2d: () => NOTHING,
  logSoftmax: () => OUTPUT,
  // The backward kernel reads x, the scale (not the offset) and, for a fused activation, y.
  fusedBatchNorm: (_n, { activation, hasScale }) => reads([true, hasScale], fused(activation)),
  batchNormInference: (n, { activation }) => reads([!!n[1], !!n[0]], fused(activation)),
};
