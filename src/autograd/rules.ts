/**
 * The one table of gradient rules. Each rule maps dL/d(output) to dL/d(input) for every input,
 * written with ops (recording is off while rules run). `needs[i]` says whether input i wants a
 * gradient, so expensive ones (e.g. conv2d's input gradient for the first layer) are skipped.
 * The table's type requires a rule for every primitive in op-attrs.ts.
 */
import type { Tensor } from '../tensor/tensor.js';
import { shapesEqual } from '../tensor/shape.js';
import * as b from '../ops/backward.js';
import { div, greaterEqual, log, mul, neg, pow, sign, step, sub } from '../ops/elementwise.js';
import { matmul } from '../ops/linalg.js';
import { sum } from '../ops/reduce.js';
import { reshape, transpose } from '../ops/shape.js';
import type { OpAttrs, OpName } from './op-attrs.js';

/** One gradient rule: input gradients (null where not needed) from the output gradient. */
export type GradientRule<K extends OpName> = (
  dy: Tensor,
  inputs: readonly Tensor[],
  y: Tensor,
  attrs: OpAttrs[K],
  needs: readonly boolean[],
) => (Tensor | null)[];

/** Sums a broadcast gradient back down to the shape of the operand it came from. */
export function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return reshape(sum(g, axes), shape);
}

/** The gradient through a fused relu epilogue: dy where the output is positive. */
function throughActivation(dy: Tensor, y: Tensor, activation: 'linear' | 'relu'): Tensor {
  return activation === 'relu' ? mul(dy, step(y)) : dy;
}

const when = (need: boolean | undefined, f: () => Tensor): Tensor | null => (need ? f() : null);

export const gradientRules: { [K in OpName]: GradientRule<K> } = {
  add: (dy, [a, c], _y, _at, n) => [when(n[0], () => unbroadcast(dy, a!.shape)), when(n[1], () => unbroadcast(dy, c!.shape))],
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
  relu: (dy, _x, y) => [mul(dy, step(y))],
  sigmoid: (dy, _x, y) => [mul(dy, mul(y, sub(1, y)))],
  tanh: (dy, _x, y) => [mul(dy, sub(1, mul(y, y)))],
  clipByValue: (dy, [x], _y, { min, max }) => [mul(dy, mul(greaterEqual(x!, min), greaterEqual(max, x!)))],
  matmul: (dy, [a, c, bias], y, { transA, transB, activation }, n) => {
    const g = throughActivation(dy, y, activation);
    return [
      when(n[0], () => (transA ? matmul(c!, g, { transposeA: transB, transposeB: true }) : matmul(g, c!, { transposeB: !transB }))),
      when(n[1], () => (transB ? matmul(g, a!, { transposeA: true, transposeB: transA }) : matmul(a!, g, { transposeA: !transA }))),
      bias ? when(n[2], () => sum(g, 0)) : null,
    ];
  },
  conv2d: (dy, [x, filter, bias], y, { geometry, activation }, n) => {
    const g = throughActivation(dy, y, activation);
    return [
      when(n[0], () => b.conv2dBackpropInput(g, filter!, geometry)),
      when(n[1], () => b.conv2dBackpropFilter(x!, g, geometry)),
      bias ? when(n[2], () => sum(g, [0, 1, 2])) : null,
    ];
  },
  maxPool2d: (dy, _x, _y, { geometry, argmax }) => [b.maxPool2dBackward(dy, argmax, geometry)],
  avgPool2d: (dy, _x, _y, { geometry }) => [b.avgPool2dBackward(dy, geometry)],
  sum: (dy, [x], _y, { axes, keepDims }) => {
    const kept = keepDims
      ? dy
      : reshape(
          dy,
          x!.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
        );
    return [b.broadcastTo(kept, x!.shape)];
  },
  reshape: (dy, [x]) => [reshape(dy, x!.shape)],
  transpose: (dy, _x, _y, { perm }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [transpose(dy, inverse)];
  },
  logSoftmax: (dy, _x, y) => [b.logSoftmaxBackward(dy, y)],
};
