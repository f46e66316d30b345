/**
 * Reference image kernels for the `ts` backend: the projective warp behind RandomRotation,
 * RandomZoom and RandomTranslation, and the separable resize behind Resizing. Plain loops; the
 * native versions in native/src/image.cc are tested against these.
 *
 * Boundary handling follows Keras's NumPy backend (keras/src/backend/numpy/image.py:
 * `map_coordinates` pads the image with np.pad in the fill mode, then interpolates), which is the
 * same as mapping each integer neighbour index into the image by the fill mode.
 */
import type { FillMode, FloatArray, ImageGeometry, Kernels, ResizeMethod, WarpOptions } from '../kernels.js';

function like(x: FloatArray, n: number): FloatArray {
  return x instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/**
 * Index i of an axis of length n, mapped into [0, n) by the fill mode; -1 for "outside"
 * (constant mode). reflect mirrors about the outer edge of the end pixels (d c b a | a b c d),
 * wrap repeats the axis, nearest clamps.
 */
export function mapIndex(i: number, n: number, mode: FillMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'constant':
      return -1;
    case 'nearest':
      return i < 0 ? 0 : n - 1;
    case 'wrap':
      return ((i % n) + n) % n;
    case 'reflect': {
      const period = 2 * n;
      const r = ((i % period) + period) % period;
      return r < n ? r : period - 1 - r;
    }
  }
}

/** The contract's affineWarp (see kernels.ts). */
export function affineWarp(x: FloatArray, g: ImageGeometry, transforms: FloatArray, o: WarpOptions): FloatArray {
  const { batch, inHeight: h, inWidth: w, channels: c, outHeight, outWidth } = g;
  const out = like(x, batch * outHeight * outWidth * c);
  const fill = o.fillValue;
  for (let b = 0; b < batch; b++) {
    const t = b * 8;
    const [a0, a1, a2, b0, b1, b2, c0, c1] = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => transforms[t + k]!) as number[];
    const image = b * h * w * c;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const o0 = ((b * outHeight + oy) * outWidth + ox) * c;
        const k = c0! * ox + c1! * oy + 1;
        if (k === 0) {
          for (let ch = 0; ch < c; ch++) out[o0 + ch] = fill;
          continue;
        }
        const sx = (a1! * oy + a2! + a0! * ox) / k; // summed in the native kernel's order
        const sy = (b1! * oy + b2! + b0! * ox) / k;
        if (o.interpolation === 'nearest') {
          const iy = mapIndex(Math.floor(sy + 0.5), h, o.fillMode);
          const ix = mapIndex(Math.floor(sx + 0.5), w, o.fillMode);
          for (let ch = 0; ch < c; ch++) out[o0 + ch] = iy < 0 || ix < 0 ? fill : x[image + (iy * w + ix) * c + ch]!;
          continue;
        }
        const fy = Math.floor(sy);
        const fx = Math.floor(sx);
        const dy = sy - fy;
        const dx = sx - fx;
        const ys = [mapIndex(fy, h, o.fillMode), mapIndex(fy + 1, h, o.fillMode)];
        const xs = [mapIndex(fx, w, o.fillMode), mapIndex(fx + 1, w, o.fillMode)];
        const read = (iy: number, ix: number, ch: number): number => (iy < 0 || ix < 0 ? fill : x[image + (iy * w + ix) * c + ch]!);
        for (let ch = 0; ch < c; ch++) {
          const top = (1 - dx) * read(ys[0]!, xs[0]!, ch) + dx * read(ys[0]!, xs[1]!, ch);
          const bottom = (1 - dx) * read(ys[1]!, xs[0]!, ch) + dx * read(ys[1]!, xs[1]!, ch);
          out[o0 + ch] = (1 - dy) * top + dy * bottom;
        }
      }
    }
  }
  return out;
}

const RADIUS: Record<Exclude<ResizeMethod, 'nearest'>, number> = { bilinear: 1, bicubic: 2, lanczos3: 3 };

/** The filter of each resize method at distance d ≥ 0 (Keras's _fill_*_kernel). */
function filter(method: Exclude<ResizeMethod, 'nearest'>, d: number): number {
  if (method === 'bilinear') return Math.max(0, 1 - d);
  if (method === 'bicubic') {
    if (d >= 2) return 0;
    if (d >= 1) return ((-0.5 * d + 2.5) * d - 4) * d + 2;
    return (1.5 * d - 2.5) * d * d + 1;
  }
  if (d > 3) return 0;
  if (d <= 1e-3) return 1;
  return (3 * Math.sin(Math.PI * d) * Math.sin((Math.PI * d) / 3)) / (Math.PI * Math.PI * d * d);
}

/** Per output index of one axis: the first input index it reads and the weights from there on. */
export interface AxisTaps {
  start: Int32Array;
  weights: Float64Array[];
}

/** The resampling weights of one axis (Keras's _compute_weight_mat, kept sparse). */
export function resizeTaps(inSize: number, outSize: number, method: Exclude<ResizeMethod, 'nearest'>, antialias: boolean): AxisTaps {
  const invScale = inSize / outSize;
  const kernelScale = antialias ? Math.max(invScale, 1) : 1;
  const radius = RADIUS[method] * kernelScale;
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * invScale - 0.5;
    const lo = Math.max(0, Math.ceil(centre - radius));
    const hi = Math.min(inSize - 1, Math.floor(centre + radius));
    const ws = new Float64Array(Math.max(0, hi - lo + 1));
    let total = 0;
    for (let j = lo; j <= hi; j++) total += ws[j - lo] = filter(method, Math.abs(centre - j) / kernelScale);
    const inside = centre >= -0.5 && centre <= inSize - 0.5 && Math.abs(total) > 1000 * 2 ** -23;
    for (let j = 0; j < ws.length; j++) ws[j] = inside ? ws[j]! / total : 0;
    start[i] = lo;
    weights.push(ws);
  }
  return { start, weights };
}

/** The contract's resize (see kernels.ts): height pass, then width pass. */
export function resize(x: FloatArray, g: ImageGeometry, method: ResizeMethod, antialias: boolean): FloatArray {
  const { batch, inHeight: h, inWidth: w, channels: c, outHeight: oh, outWidth: ow } = g;
  const out = like(x, batch * oh * ow * c);
  if (method === 'nearest') {
    const rows = Int32Array.from({ length: oh }, (_, i) => Math.min(h - 1, Math.floor(((i + 0.5) * h) / oh)));
    const cols = Int32Array.from({ length: ow }, (_, i) => Math.min(w - 1, Math.floor(((i + 0.5) * w) / ow)));
    for (let b = 0; b < batch; b++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++)
          for (let ch = 0; ch < c; ch++) out[((b * oh + i) * ow + j) * c + ch] = x[((b * h + rows[i]!) * w + cols[j]!) * c + ch]!;
    return out;
  }
  const byRow = h === oh ? null : resizeTaps(h, oh, method, antialias);
  const byCol = w === ow ? null : resizeTaps(w, ow, method, antialias);
  const mid = new Float64Array(oh * w * c);
  for (let b = 0; b < batch; b++) {
    const image = b * h * w * c;
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < w * c; j++) {
        if (!byRow) {
          mid[i * w * c + j] = x[image + i * w * c + j]!;
          continue;
        }
        const ws = byRow.weights[i]!;
        let s = 0;
        for (let t = 0; t < ws.length; t++) s += ws[t]! * x[image + (byRow.start[i]! + t) * w * c + j]!;
        mid[i * w * c + j] = s;
      }
    }
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          if (!byCol) s = mid[(i * w + j) * c + ch]!;
          else {
            const ws = byCol.weights[j]!;
            for (let t = 0; t < ws.length; t++) s += ws[t]! * mid[(i * w + byCol.start[j]! + t) * c + ch]!;
          }
          out[((b * oh + i) * ow + j) * c + ch] = s;
        }
      }
    }
  }
  return out;
}

/** The image family's record of kernels. */
export const imageKernels: Pick<Kernels, 'affineWarp' | 'resize'> = { affineWarp, resize };
