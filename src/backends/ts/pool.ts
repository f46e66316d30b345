/**
 * Reference 2-D pooling for the `ts` backend (NHWC). Max pooling records the flat input index
 * of each window's winner so the backward pass is a scatter.
 */
import type { FloatArray, Kernels, Pool2dGeometry } from '../kernels.js';
import { allocInt32 } from '../../tensor/buffer-pool.js';
import { allocLike } from '../../tensor/buffer-pool.js';

/** Visits every output cell with its window's clipped bounds. */
function forEachWindow(
  g: Pool2dGeometry,
  visit: (outBase: number, n: number, y0: number, y1: number, x0: number, x1: number) => void,
): void {
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      const ys = oy * g.strideHeight - g.padTop;
      const y0 = Math.max(0, ys);
      const y1 = Math.min(g.inHeight, ys + g.poolHeight);
      for (let ox = 0; ox < g.outWidth; ox++) {
        const xs = ox * g.strideWidth - g.padLeft;
        const x0 = Math.max(0, xs);
        const x1 = Math.min(g.inWidth, xs + g.poolWidth);
        visit(((n * g.outHeight + oy) * g.outWidth + ox) * g.channels, n, y0, y1, x0, x1);
      }
    }
  }
}

export function maxPool2d(x: FloatArray, g: Pool2dGeometry): { y: FloatArray; argmax: Int32Array } {
  const C = g.channels;
  const y = allocLike(x, g.batch * g.outHeight * g.outWidth * C);
  const argmax = allocInt32(y.length).fill(-1);
  forEachWindow(g, (outBase, n, y0, y1, x0, x1) => {
    for (let iy = y0; iy < y1; iy++) {
      for (let ix = x0; ix < x1; ix++) {
        const inBase = ((n * g.inHeight + iy) * g.inWidth + ix) * C;
        for (let c = 0; c < C; c++) {
          const v = x[inBase + c]!;
          const cur = y[outBase + c]!;
          // The first value, a larger one, or a NaN (which then sticks, so NaN propagates) wins.
          if (argmax[outBase + c] === -1 || v > cur || (v !== v && cur === cur)) {
            y[outBase + c] = v;
            argmax[outBase + c] = inBase + c;
          }
        }
      }
    }
  });
  for (let i = 0; i < y.length; i++) if (argmax[i] === -1) y[i] = 0;
  return { y, argmax };
}

export function maxPool2dBackward(dy: FloatArray, argmax: Int32Array, g: Pool2dGeometry): FloatArray {
  const dx = allocLike(dy, g.batch * g.inHeight * g.inWidth * g.channels);
  for (let i = 0; i < dy.length; i++) {
    const j = argmax[i]!;
    if (j >= 0) dx[j] += dy[i]!;
  }
  return dx;
}

export function avgPool2d(x: FloatArray, g: Pool2dGeometry): FloatArray {
  const C = g.channels;
  const y = allocLike(x, g.batch * g.outHeight * g.outWidth * C);
  forEachWindow(g, (outBase, n, y0, y1, x0, x1) => {
    const count = (y1 - y0) * (x1 - x0);
    if (count <= 0) return;
    for (let iy = y0; iy < y1; iy++) {
      for (let ix = x0; ix < x1; ix++) {
        const inBase = ((n * g.inHeight + iy) * g.inWidth + ix) * C;
        for (let c = 0; c < C; c++) y[outBase + c] += x[inBase + c]!;
      }
    }
    for (let c = 0; c < C; c++) y[outBase + c] /= count;
  });
  return y;
}

export function avgPool2dBackward(dy: FloatArray, g: Pool2dGeometry): FloatArray {
  const C = g.channels;
  const dx = allocLike(dy, g.batch * g.inHeight * g.inWidth * C);
  forEachWindow(g, (outBase, n, y0, y1, x0, x1) => {
    const count = (y1 - y0) * (x1 - x0);
    if (count <= 0) return;
    for (let iy = y0; iy < y1; iy++) {
      for (let ix = x0; ix < x1; ix++) {
        const inBase = ((n * g.inHeight + iy) * g.inWidth + ix) * C;
        for (let c = 0; c < C; c++) dx[inBase + c] += dy[outBase + c]! / count;
      }
    }
  });
  return dx;
}

/** The pooling kernels of the contract. */
export const poolKernels = { maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward } satisfies Partial<Kernels>;
