/**
 * Reference elementwise kernels for the `ts` backend: unary functions and binary functions with
 * NumPy broadcasting (fast paths for equal shapes and a trailing-row or scalar operand).
 */
import type { BinaryOp, EpilogueActivation, FloatArray, Kernels, UnaryOp } from '../kernels.js';
import { allocLike } from '../../tensor/buffer-pool.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';
import { erf } from './erf.js';

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  relu: (x) => (x < 0 ? 0 : x), // NaN propagates
  relu6: (x) => (x < 0 ? 0 : x > 6 ? 6 : x), // NaN propagates
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  tanh: Math.tanh,
  step: (x) => (x > 0 ? 1 : 0),
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  erf,
};

/**
 * A kernel epilogue's activation over `y`, in place: relu or relu6 as the unary kernel computes
 * them (NaN propagates); nothing for 'linear'.
 *
 * @example
 * activateInPlace(out, 'relu6');   // the conv2d, depthwise and batch-norm epilogues
 */
export function activateInPlace(y: FloatArray, activation: EpilogueActivation): void {
  if (activation === 'linear') return;
  const f = UNARY[activation];
  for (let i = 0; i < y.length; i++) y[i] = f(y[i]!);
}

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  pow: Math.pow,
  greater: (a, b) => (a > b ? 1 : 0),
  greaterEqual: (a, b) => (a >= b ? 1 : 0),
  equal: (a, b) => (a === b ? 1 : 0),
  addRelu: (a, b) => {
    const s = a + b;
    return s < 0 ? 0 : s; // NaN propagates
  },
};

export function unary(op: UnaryOp, x: FloatArray): FloatArray {
  const f = UNARY[op];
  const y = allocLike(x, x.length);
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]!);
  return y;
}

/** The relu gradient: dy where y > 0, else 0 (NaN in y gives 0). */
export function reluBackward(dy: FloatArray, y: FloatArray): FloatArray {
  const dx = allocLike(dy, dy.length);
  for (let i = 0; i < dy.length; i++) dx[i] = y[i]! > 0 ? dy[i]! : 0;
  return dx;
}

/** The relu6 gradient: dy where 0 < y < 6, else 0 (NaN in y gives 0). */
export function relu6Backward(dy: FloatArray, y: FloatArray): FloatArray {
  const dx = allocLike(dy, dy.length);
  for (let i = 0; i < dy.length; i++) dx[i] = y[i]! > 0 && y[i]! < 6 ? dy[i]! : 0;
  return dx;
}

/** Strides of `shape` aligned to an output of rank `rank`, 0 on broadcast axes. */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const own = stridesOf(shape);
  const out = new Array<number>(rank).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const o = rank - shape.length + i;
    out[o] = shape[i] === 1 && outShape[o] !== 1 ? 0 : own[i]!;
  }
  return out;
}

export function binary(
  op: BinaryOp,
  a: FloatArray,
  aShape: readonly number[],
  b: FloatArray,
  bShape: readonly number[],
  outShape: readonly number[],
): FloatArray {
  const f = BINARY[op];
  const n = sizeOf(outShape);
  const out = allocLike(a, n);
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
    return out;
  }
  if (b.length === 1 && a.length === n) {
    const bv = b[0]!;
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, bv);
    return out;
  }
  if (a.length === 1 && b.length === n) {
    const av = a[0]!;
    for (let i = 0; i < n; i++) out[i] = f(av, b[i]!);
    return out;
  }
  // General case: walk the output with an odometer over its indices.
  const rank = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const idx = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < n; i++) {
    out[i] = f(a[ia]!, b[ib]!);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      ia += sa[d]!;
      ib += sb[d]!;
      if (idx[d]! < outShape[d]!) break;
      ia -= sa[d]! * outShape[d]!;
      ib -= sb[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Permutes axes: out.shape[i] = shape[perm[i]]. */
export function transpose(x: FloatArray, shape: readonly number[], perm: readonly number[]): FloatArray {
  const rank = shape.length;
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  const s = perm.map((p) => inStrides[p]!);
  const out = allocLike(x, x.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < x.length; i++) {
    out[i] = x[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      src += s[d]!;
      if (idx[d]! < outShape[d]!) break;
      src -= s[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** The elementwise kernels of the contract. */
export const elementwiseKernels = { unary, reluBackward, relu6Backward, binary, transpose } satisfies Partial<Kernels>;
