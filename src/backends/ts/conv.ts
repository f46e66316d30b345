/**
 * Reference 2-D convolution for the `ts` backend: im2col + GEMM forward, GEMM + col2im for the
 * input gradient, and colᵀ·dy for the filter gradient. NHWC input, HWIO filter.
 *
 * The column matrix has one row per output pixel (batch·outH·outW rows) and one column per filter
 * tap (kH·kW·inC), so the forward pass is col · filter with filter viewed as [kH·kW·inC, outC].
 */
import type { Conv2dGeometry, EpilogueActivation, FloatArray, Kernels } from '../kernels.js';
import { allocLike } from '../../tensor/buffer-pool.js';
import { applyEpilogue, gemmNN, gemmNT, gemmTN } from './matmul.js';

/** Rows of the column matrix processed at once, to bound its memory. */
const CHUNK_ROWS = 8192;

/**
 * Visits every filter tap of output pixels [row0, row0 + rows): `visit(colOffset, xOffset)` with
 * the tap's offset in the column matrix and in x (−1 where the tap falls in the padding).
 */
function forEachTap(g: Conv2dGeometry, row0: number, rows: number, visit: (colOffset: number, xOffset: number) => void): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const K = g.kernelHeight * g.kernelWidth * C;
  for (let r = 0; r < rows; r++) {
    const pix = row0 + r;
    const n = Math.floor(pix / (OH * OW));
    const oy = Math.floor(pix / OW) % OH;
    const ox = pix % OW;
    let c0 = r * K;
    for (let ky = 0; ky < g.kernelHeight; ky++) {
      const iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight;
      for (let kx = 0; kx < g.kernelWidth; kx++) {
        const ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth;
        visit(c0, iy < 0 || iy >= H || ix < 0 || ix >= W ? -1 : ((n * H + iy) * W + ix) * C);
        c0 += C;
      }
    }
  }
}

/** Fills col[rows × K] for output pixels [row0, row0 + rows); taps in the padding are 0. */
function im2col(x: FloatArray, g: Conv2dGeometry, row0: number, rows: number, col: FloatArray): void {
  const C = g.inChannels;
  forEachTap(g, row0, rows, (c0, src) => {
    if (src < 0) col.fill(0, c0, c0 + C);
    else for (let c = 0; c < C; c++) col[c0 + c] = x[src + c]!;
  });
}

/** Adds col[rows × K] back into dx at the taps it was gathered from (the adjoint of im2col). */
function col2im(col: FloatArray, g: Conv2dGeometry, row0: number, rows: number, dx: FloatArray): void {
  const C = g.inChannels;
  forEachTap(g, row0, rows, (c0, dst) => {
    if (dst >= 0) for (let c = 0; c < C; c++) dx[dst + c] += col[c0 + c]!;
  });
}

function taps(g: Conv2dGeometry): number {
  return g.kernelHeight * g.kernelWidth * g.inChannels;
}

/** Forward convolution with optional bias and fused relu or relu6. */
export function conv2d(
  x: FloatArray,
  filter: FloatArray,
  bias: FloatArray | null,
  g: Conv2dGeometry,
  activation: EpilogueActivation,
): FloatArray {
  const M = g.batch * g.outHeight * g.outWidth;
  const K = taps(g);
  const N = g.outChannels;
  const y = allocLike(x, M * N);
  const col = allocLike(x, Math.min(M, CHUNK_ROWS) * K);
  for (let row0 = 0; row0 < M; row0 += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, M - row0);
    im2col(x, g, row0, rows, col);
    gemmNN(col, filter, y.subarray(row0 * N, (row0 + rows) * N), rows, K, N);
  }
  applyEpilogue(y, M, N, bias, activation);
  return y;
}

/** dL/dx: dcol = dy · filterᵀ, then col2im. */
export function conv2dBackpropInput(dy: FloatArray, filter: FloatArray, g: Conv2dGeometry): FloatArray {
  const M = g.batch * g.outHeight * g.outWidth;
  const K = taps(g);
  const N = g.outChannels;
  const dx = allocLike(dy, g.batch * g.inHeight * g.inWidth * g.inChannels);
  const col = allocLike(dy, Math.min(M, CHUNK_ROWS) * K);
  for (let row0 = 0; row0 < M; row0 += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, M - row0);
    col.fill(0);
    gemmNT(dy.subarray(row0 * N, (row0 + rows) * N), filter, col, rows, N, K);
    col2im(col, g, row0, rows, dx);
  }
  return dx;
}

/** dL/dfilter = colᵀ · dy, accumulated chunk by chunk. */
export function conv2dBackpropFilter(x: FloatArray, dy: FloatArray, g: Conv2dGeometry): FloatArray {
  const M = g.batch * g.outHeight * g.outWidth;
  const K = taps(g);
  const N = g.outChannels;
  const dw = allocLike(x, K * N);
  const col = allocLike(x, Math.min(M, CHUNK_ROWS) * K);
  for (let row0 = 0; row0 < M; row0 += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, M - row0);
    im2col(x, g, row0, rows, col);
    gemmTN(col, dy.subarray(row0 * N, (row0 + rows) * N), dw, K, rows, N);
  }
  return dw;
}

/** The convolution kernels of the contract. */
export const convKernels = { conv2d, conv2dBackpropInput, conv2dBackpropFilter } satisfies Partial<Kernels>;
