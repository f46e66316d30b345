/**
 * Reference matrix multiply for the `ts` backend: plain loops in the cache-friendly order for
 * each transpose case (no packing), plus the bias/relu epilogue the contract fuses.
 */
import type { EpilogueActivation, FloatArray, FusedActivation, Kernels } from '../kernels.js';
import { allocLike } from '../../tensor/buffer-pool.js';
import { activateInPlace } from './elementwise.js';

/**
 * out[m×n] += a[m×k] · b[k×n]. i-p-j order so the inner loop streams rows of b and out; four
 * rows of a at a time so each loaded element of b feeds four multiply-adds; k blocked so a
 * slice of b stays in cache while the rows of a pass over it.
 */
export function gemmNN(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): void {
  const KB = 128;
  for (let p0 = 0; p0 < k; p0 += KB) {
    const p1 = Math.min(k, p0 + KB);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const o0 = i * n;
      const o1 = o0 + n;
      const o2 = o1 + n;
      const o3 = o2 + n;
      for (let p = p0; p < p1; p++) {
        const a0 = a[i * k + p]!;
        const a1 = a[(i + 1) * k + p]!;
        const a2 = a[(i + 2) * k + p]!;
        const a3 = a[(i + 3) * k + p]!;
        if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
        const bRow = p * n;
        for (let j = 0; j < n; j++) {
          const bv = b[bRow + j]!;
          out[o0 + j] += a0 * bv;
          out[o1 + j] += a1 * bv;
          out[o2 + j] += a2 * bv;
          out[o3 + j] += a3 * bv;
        }
      }
    }
    for (; i < m; i++) {
      const oRow = i * n;
      for (let p = p0; p < p1; p++) {
        const av = a[i * k + p]!;
        if (av === 0) continue;
        const bRow = p * n;
        for (let j = 0; j < n; j++) out[oRow + j] += av * b[bRow + j]!;
      }
    }
  }
}

/**
 * out[m×n] += a[k×m]ᵀ · b[k×n]: a sum of outer products of row p of a and row p of b, four
 * values of p at a time so each store into out carries four multiply-adds.
 */
export function gemmTN(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): void {
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const b0 = p * n;
    const b1 = b0 + n;
    const b2 = b1 + n;
    const b3 = b2 + n;
    for (let i = 0; i < m; i++) {
      const a0 = a[p * m + i]!;
      const a1 = a[(p + 1) * m + i]!;
      const a2 = a[(p + 2) * m + i]!;
      const a3 = a[(p + 3) * m + i]!;
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const oRow = i * n;
      for (let j = 0; j < n; j++) out[oRow + j] += a0 * b[b0 + j]! + a1 * b[b1 + j]! + a2 * b[b2 + j]! + a3 * b[b3 + j]!;
    }
  }
  for (; p < k; p++) {
    const bRow = p * n;
    for (let i = 0; i < m; i++) {
      const av = a[p * m + i]!;
      if (av === 0) continue;
      const oRow = i * n;
      for (let j = 0; j < n; j++) out[oRow + j] += av * b[bRow + j]!;
    }
  }
}

/** out[m×n] += a[m×k] · b[n×k]ᵀ: b (usually the small operand) is transposed, then NN. */
export function gemmNT(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): void {
  gemmNN(a, transpose2d(b, n, k), out, m, k, n);
}

/** Transposes a rows×cols matrix. */
export function transpose2d(x: FloatArray, rows: number, cols: number): FloatArray {
  const out = allocLike(x, rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
  return out;
}

/** Adds bias[n] to every row of out (m×n), then applies the activation, in place. */
export function applyEpilogue(out: FloatArray, m: number, n: number, bias: FloatArray | null, activation: EpilogueActivation): void {
  if (bias) {
    for (let i = 0; i < m; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) out[row + j] += bias[j]!;
    }
  }
  activateInPlace(out, activation); // a NaN propagates (as in PyTorch and TensorFlow)
}

/** The contract's matmul on the `ts` backend. */
export function matmul(
  a: FloatArray,
  b: FloatArray,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  bias: FloatArray | null,
  activation: FusedActivation,
): FloatArray {
  const out = allocLike(a, m * n);
  if (!transA && !transB) gemmNN(a, b, out, m, k, n);
  else if (transA && !transB) gemmTN(a, b, out, m, k, n);
  else if (!transA && transB) gemmNT(a, b, out, m, k, n);
  else gemmNN(transpose2d(a, k, m), transpose2d(b, n, k), out, m, k, n);
  applyEpilogue(out, m, n, bias, activation);
  return out;
}

/** The matrix-multiplication kernels of the contract. */
export const matmulKernels = { matmul } satisfies Partial<Kernels>;
