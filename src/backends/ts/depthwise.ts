/**
 * Reference depthwise 2-D convolution for the `ts` backend (NHWC input, filter
 * [kH, kW, inChannels, multiplier]): output channel c·M + m sees only input channel c. Plain
 * loops over the valid taps, then the epilogue (bias, activation) over the output; the two
 * backward kernels walk the same taps and scatter instead.
 */
import type { Conv2dGeometry, DepthwiseActivation, FloatArray } from '../kernels.js';
import { allocLike } from '../../tensor/buffer-pool.js';
import { activateInPlace } from './elementwise.js';

/**
 * Calls visit(xBase, yBase, fBase) for every output pixel and every filter tap that lands inside
 * the image: x[xBase + c], y[yBase + c·M + m] and filter[fBase + c·M + m] are then the values that
 * meet in the product, for channel c and multiplier index m.
 */
function forEachTap(g: Conv2dGeometry, visit: (xBase: number, yBase: number, fBase: number) => void): void {
  const C = g.inChannels;
  const CM = g.outChannels;
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        const yBase = ((n * g.outHeight + oy) * g.outWidth + ox) * CM;
        for (let ky = 0; ky < g.kernelHeight; ky++) {
          const iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight;
          if (iy < 0 || iy >= g.inHeight) continue;
          for (let kx = 0; kx < g.kernelWidth; kx++) {
            const ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth;
            if (ix < 0 || ix >= g.inWidth) continue;
            visit(((n * g.inHeight + iy) * g.inWidth + ix) * C, yBase, (ky * g.kernelWidth + kx) * CM);
          }
        }
      }
    }
  }
}

/**
 * y[n, oy, ox, c·M + m] = activation(Σ over taps of x[n, iy, ix, c] · filter[ky, kx, c, m]
 * + bias[c·M + m]).
 */
export function depthwiseConv2d(
  x: FloatArray,
  filter: FloatArray,
  bias: FloatArray | null,
  g: Conv2dGeometry,
  activation: DepthwiseActivation,
): FloatArray {
  const C = g.inChannels;
  const M = g.outChannels / C;
  const y = allocLike(x, g.batch * g.outHeight * g.outWidth * g.outChannels);
  forEachTap(g, (xb, yb, fb) => {
    for (let c = 0; c < C; c++) {
      const xv = x[xb + c]!;
      for (let m = 0; m < M; m++) y[yb + c * M + m] += xv * filter[fb + c * M + m]!;
    }
  });
  if (bias) for (let i = 0; i < y.length; i++) y[i] += bias[i % g.outChannels]!;
  activateInPlace(y, activation);
  return y;
}

/** dx[n, iy, ix, c] = Σ over the outputs it fed and m of dy · filter. */
export function depthwiseConv2dBackpropInput(dy: FloatArray, filter: FloatArray, g: Conv2dGeometry): FloatArray {
  const C = g.inChannels;
  const M = g.outChannels / C;
  const dx = allocLike(dy, g.batch * g.inHeight * g.inWidth * C);
  forEachTap(g, (xb, yb, fb) => {
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let m = 0; m < M; m++) s += dy[yb + c * M + m]! * filter[fb + c * M + m]!;
      dx[xb + c] += s;
    }
  });
  return dx;
}

/** dfilter[ky, kx, c, m] = Σ over output pixels of x · dy. */
export function depthwiseConv2dBackpropFilter(x: FloatArray, dy: FloatArray, g: Conv2dGeometry): FloatArray {
  const C = g.inChannels;
  const M = g.outChannels / C;
  const df = allocLike(x, g.kernelHeight * g.kernelWidth * g.outChannels);
  forEachTap(g, (xb, yb, fb) => {
    for (let c = 0; c < C; c++) {
      const xv = x[xb + c]!;
      for (let m = 0; m < M; m++) df[fb + c * M + m] += xv * dy[yb + c * M + m]!;
    }
  });
  return df;
}
