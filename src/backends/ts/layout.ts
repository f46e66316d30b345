/**
 * Reference layout kernels for the `ts` backend: zero padding, slicing and concatenation of
 * N-d tensors (all three are one operation, copying a box of one tensor into another at an
 * offset), and nearest-neighbour 2-D upsampling with its gradient.
 */
import type { FloatArray, Kernels } from '../kernels.js';
import { allocLike } from '../../tensor/buffer-pool.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';

/**
 * Copies the box of extent `size` at `srcAt` in src (shape srcShape) to `dstAt` in dst (shape
 * dstShape), one contiguous run along the last axis at a time.
 */
function copyBox(
  src: FloatArray,
  srcShape: readonly number[],
  srcAt: readonly number[],
  dst: FloatArray,
  dstShape: readonly number[],
  dstAt: readonly number[],
  size: readonly number[],
): void {
  const rank = size.length;
  if (rank === 0) {
    dst[0] = src[0]!;
    return;
  }
  const run = size[rank - 1]!;
  const rows = sizeOf(size.slice(0, -1));
  if (run === 0 || rows === 0) return;
  const ss = stridesOf(srcShape);
  const ds = stridesOf(dstShape);
  for (let r = 0; r < rows; r++) {
    // Decompose the row number into indices over the leading axes of the box.
    let rest = r;
    let s = srcAt[rank - 1]!;
    let d = dstAt[rank - 1]!;
    for (let axis = rank - 2; axis >= 0; axis--) {
      const i = rest % size[axis]!;
      rest = Math.floor(rest / size[axis]!);
      s += (srcAt[axis]! + i) * ss[axis]!;
      d += (dstAt[axis]! + i) * ds[axis]!;
    }
    for (let j = 0; j < run; j++) dst[d + j] = src[s + j]!;
  }
}

/** The contract's pad: x placed at padsBefore in a zeroed output. */
export function pad(x: FloatArray, shape: readonly number[], padsBefore: readonly number[], padsAfter: readonly number[]): FloatArray {
  const outShape = shape.map((d, i) => d + padsBefore[i]! + padsAfter[i]!);
  const out = allocLike(x, sizeOf(outShape));
  copyBox(x, shape, new Array<number>(shape.length).fill(0), out, outShape, padsBefore, shape);
  return out;
}

/** The contract's slice: the box at `begin` of extent `size`. */
export function slice(x: FloatArray, shape: readonly number[], begin: readonly number[], size: readonly number[]): FloatArray {
  const out = allocLike(x, sizeOf(size));
  copyBox(x, shape, begin, out, size, new Array<number>(size.length).fill(0), size);
  return out;
}

/** The contract's concat: the parts copied side by side along `axis`. */
export function concat(xs: readonly FloatArray[], shapes: readonly (readonly number[])[], axis: number): FloatArray {
  const outShape = [...shapes[0]!];
  outShape[axis] = shapes.reduce((n, s) => n + s[axis]!, 0);
  const out = allocLike(xs[0]!, sizeOf(outShape));
  const zero = new Array<number>(outShape.length).fill(0);
  const at = [...zero];
  xs.forEach((x, i) => {
    copyBox(x, shapes[i]!, zero, out, outShape, at, shapes[i]!);
    at[axis]! += shapes[i]![axis]!;
  });
  return out;
}

/** The contract's upSample2d: each pixel of NHWC x repeated scaleHeight×scaleWidth times. */
export function upSample2d(x: FloatArray, shape: readonly number[], scaleHeight: number, scaleWidth: number): FloatArray {
  const [batch, height, width, channels] = shape as [number, number, number, number];
  const outWidth = width * scaleWidth;
  const out = allocLike(x, x.length * scaleHeight * scaleWidth);
  for (let n = 0; n < batch; n++)
    for (let i = 0; i < height * scaleHeight; i++)
      for (let j = 0; j < outWidth; j++) {
        const src = ((n * height + Math.floor(i / scaleHeight)) * width + Math.floor(j / scaleWidth)) * channels;
        const dst = ((n * height * scaleHeight + i) * outWidth + j) * channels;
        for (let c = 0; c < channels; c++) out[dst + c] = x[src + c]!;
      }
  return out;
}

/** The contract's upSample2dBackward: each block of dy summed (rows outer) into its source pixel. */
export function upSample2dBackward(dy: FloatArray, shape: readonly number[], scaleHeight: number, scaleWidth: number): FloatArray {
  const [batch, height, width, channels] = shape as [number, number, number, number];
  const outWidth = width * scaleWidth;
  const dx = allocLike(dy, sizeOf(shape));
  for (let n = 0; n < batch; n++)
    for (let i = 0; i < height; i++)
      for (let j = 0; j < width; j++)
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let a = 0; a < scaleHeight; a++)
            for (let b = 0; b < scaleWidth; b++)
              sum += dy[((n * height * scaleHeight + i * scaleHeight + a) * outWidth + j * scaleWidth + b) * channels + c]!;
          dx[((n * height + i) * width + j) * channels + c] = sum;
        }
  return dx;
}

/** The layout kernels of the contract. */
export const layoutKernels = { pad, slice, concat, upSample2d, upSample2dBackward } satisfies Partial<Kernels>;
