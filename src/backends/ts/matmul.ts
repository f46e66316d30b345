/**
 * Reference matrix multiply for the `ts` backend: plain loops in the cache-friendly order for
 * each transpose case (no packing), plus the bias/relu epilogue the contract fuses.
 */
import type { FloatArray, FusedActivation } from '../kernels.js';
import { allocLike } from '../../tensor/tensor.js';

/** out[m×n] += a[m×k] · b[k×n], i-p-j order so the inner loop streams rows of b and out. */
export function gemmNN(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): void {
  const KB = 256; // k-block: keeps a k-slice of b in cache while all rows of a pass over it
  for (let p0 = 0; p0 < k; p0 += KB) {
    const p1 = Math.min(k, p0 + KB);
    for (let i = 0; i < m; i++) {
      const aRow = i * k;
      const oRow = i * n;
      for (let p = p0; p < p1; p++) {
        const av = a[aRow + p]!;
        if (av === 0) continue;
        const bRow = p * n;
        for (let j = 0; j < n; j++) out[oRow + j] += av * b[bRow + j]!;
      }
    }
  }
}

/** out[m×n] += a[k×m]ᵀ · b[k×n]: a sum of outer products of row p of a and row p of b. */
export function gemmTN(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): void {
  for (let p = 0; p < k; p++) {
    const aRow = p * m;
    const bRow = p * n;
    for (let i = 0; i < m; i++) {
      const av = a[aRow + i]!;
      if (av === 0) continue;
      const oRow = i * n;
      for (let j = 0; j < n; j++) out[oRow + j] += av * b[bRow + j]!;
    }
  }
}

/** out[m×n] += a[m×k] · b[n×k]ᵀ: dot products of rows. */
export function gemmNT(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    for (let j = 0; j < n; j++) {
      const bRow = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aRow + p]! * b[bRow + p]!;
      out[i * n + j] += s;
    }
  }
}

/** Transposes a rows×cols matrix. */
export function transpose2d(x: FloatArray, rows: number, cols: number): FloatArray {
  const out = allocLike(x, rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
  return out;
}

/** Adds bias[n] to every row of out (m×n), then applies the activation, in place. */
export function applyEpilogue(out: FloatArray, m: number, n: number, bias: FloatArray | null, activation: FusedActivation): void {
  if (bias) {
    for (let i = 0; i < m; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) out[row + j] += bias[j]!;
    }
  }
  if (activation === 'relu') {
    for (let i = 0; i < out.length; i++) if (!(out[i]! > 0)) out[i] = 0;
  }
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
