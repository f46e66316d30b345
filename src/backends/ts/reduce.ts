/**
 * Reference reductions for the `ts` backend: sum/max/min over any set of axes, argMax along
 * one axis, and the row-wise log-softmax with its backward.
 */
import type { FloatArray, Kernels, ReduceOp } from '../kernels.js';
import { allocLike } from '../../tensor/buffer-pool.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';

const INITIAL: Record<ReduceOp, number> = { sum: 0, max: -Infinity, min: Infinity };

export function reduce(op: ReduceOp, x: FloatArray, shape: readonly number[], axes: readonly number[]): FloatArray {
  const reduced = new Set(axes);
  const outShape = shape.filter((_, i) => !reduced.has(i));
  const out = allocLike(x, sizeOf(outShape)).fill(INITIAL[op]);
  // Stride in `out` of each input axis (0 on reduced axes).
  const outStrides = stridesOf(outShape);
  const s = new Array<number>(shape.length).fill(0);
  for (let i = 0, o = 0; i < shape.length; i++) if (!reduced.has(i)) s[i] = outStrides[o++]!;
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let dst = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (op === 'sum') out[dst] += v;
    else if (op === 'max') out[dst] = v > out[dst]! || v !== v ? v : out[dst]!;
    else out[dst] = v < out[dst]! || v !== v ? v : out[dst]!;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      dst += s[d]!;
      if (idx[d]! < shape[d]!) break;
      dst -= s[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

export function argMax(x: FloatArray, shape: readonly number[], axis: number): Int32Array {
  const n = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  const out = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = 0;
      let bestV = x[base]!;
      for (let j = 1; j < n; j++) {
        const v = x[base + j * inner]!;
        if (v > bestV) {
          bestV = v;
          best = j;
        }
      }
      out[o * inner + i] = best;
    }
  }
  return out;
}

export function logSoftmax(x: FloatArray, rows: number, cols: number): FloatArray {
  const y = allocLike(x, rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[base + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(x[base + c]! - max);
    const lse = max + Math.log(sum);
    for (let c = 0; c < cols; c++) y[base + c] = x[base + c]! - lse;
  }
  return y;
}

export function logSoftmaxBackward(dy: FloatArray, y: FloatArray, rows: number, cols: number): FloatArray {
  const dx = allocLike(dy, rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += dy[base + c]!;
    for (let c = 0; c < cols; c++) dx[base + c] = dy[base + c]! - Math.exp(y[base + c]!) * sum;
  }
  return dx;
}

/** The reduction and softmax kernels of the contract. */
export const reduceKernels = { reduce, argMax, logSoftmax, logSoftmaxBackward } satisfies Partial<Kernels>;
