/**
 * Layout ops: zero padding, slicing and concatenation of N-d tensors, and nearest-neighbour 2-D
 * upsampling. pad and slice are each other's gradient; concat's gradient slices the output
 * gradient back into its parts; upSample2d's sums each block (`upSample2dBackward`).
 */
import { kernels } from '../backends/index.js';
import { record } from '../autograd/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape, normalizeAxis } from '../tensor/shape.js';
import { floatsOf, wrap } from './util.js';

const isCount = (v: number): boolean => Number.isInteger(v) && v >= 0;

/**
 * Pads with zeros: `paddings[i] = [before, after]` for axis i (non-negative), as tf.pad.
 *
 * @example
 * pad(x, [[0, 0], [1, 1], [2, 2], [0, 0]]);   // [N, H, W, C] → [N, H+2, W+4, C]
 */
export function pad(x: Tensor, paddings: readonly (readonly [number, number])[]): Tensor {
  if (paddings.length !== x.rank || !paddings.every((p) => p.length === 2 && isCount(p[0]) && isCount(p[1]))) {
    throw new Error(
      `pad: expected ${x.rank} pairs [before, after] of non-negative integers for input ${formatShape(x.shape)}, received ${JSON.stringify(paddings)}`,
    );
  }
  const padsBefore = paddings.map((p) => p[0]);
  const padsAfter = paddings.map((p) => p[1]);
  const data = kernels().pad(floatsOf(x, 'pad', 'x'), x.shape, padsBefore, padsAfter);
  const outShape = x.shape.map((d, i) => d + padsBefore[i]! + padsAfter[i]!);
  return record('pad', [x], wrap(data, outShape), { padsBefore, padsAfter });
}

/**
 * The box starting at `begin` with extent `size` (-1: to the end of that axis), as tf.slice.
 *
 * @example
 * slice(x, [0, 1, 1, 0], [-1, 26, 26, -1]);   // crop one pixel from each border
 */
export function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  const fail = (): never => {
    throw new Error(
      `slice: begin ${JSON.stringify(begin)} and size ${JSON.stringify(size)} do not fit a box inside ${formatShape(x.shape)}`,
    );
  };
  if (begin.length !== x.rank || size.length !== x.rank) fail();
  const extent = size.map((s, i) => (s === -1 ? x.shape[i]! - begin[i]! : s));
  if (!extent.every((s, i) => isCount(s) && isCount(begin[i]!) && begin[i]! + s <= x.shape[i]!)) fail();
  const b = [...begin];
  const data = kernels().slice(floatsOf(x, 'slice', 'x'), x.shape, b, extent);
  return record('slice', [x], wrap(data, extent), { begin: b, size: extent });
}

/**
 * Joins tensors along `axis` (default 0); every other dimension must agree, as tf.concat.
 *
 * @example
 * concat([a, b], -1);   // [N, H, W, 3] and [N, H, W, 5] → [N, H, W, 8]
 */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('concat: expected at least one tensor, received none');
  const first = xs[0]!;
  const a = normalizeAxis(axis, first.rank, 'concat');
  xs.forEach((t, i) => {
    const fits = t.rank === first.rank && t.shape.every((d, j) => j === a || d === first.shape[j]);
    if (!fits) {
      throw new Error(
        `concat: tensor ${i} has shape ${formatShape(t.shape)}, which does not match ${formatShape(first.shape)} on every axis but ${a}`,
      );
    }
    if (t.dtype !== first.dtype) throw new Error(`concat: tensor ${i} is ${t.dtype}, tensor 0 is ${first.dtype}`);
  });
  const data = kernels().concat(
    xs.map((t, i) => floatsOf(t, 'concat', `xs[${i}]`)),
    xs.map((t) => t.shape),
    a,
  );
  const outShape = [...first.shape];
  outShape[a] = xs.reduce((n, t) => n + t.shape[a]!, 0);
  return record('concat', xs, wrap(data, outShape), { axis: a });
}

/**
 * Nearest-neighbour upsampling of NHWC images: each pixel repeated `scaleHeight`×`scaleWidth`
 * times (Keras's UpSampling2D with interpolation 'nearest').
 *
 * @example
 * upSample2d(x, 2, 2);   // [N, H, W, C] → [N, 2H, 2W, C]
 */
export function upSample2d(x: Tensor, scaleHeight: number, scaleWidth: number): Tensor {
  if (x.rank !== 4) throw new Error(`upSample2d: expected x of rank 4 (batch, height, width, channels), received ${formatShape(x.shape)}`);
  for (const [name, v] of [
    ['scaleHeight', scaleHeight],
    ['scaleWidth', scaleWidth],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`upSample2d: expected ${name} to be a positive integer, received ${v}`);
  }
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const data = kernels().upSample2d(floatsOf(x, 'upSample2d', 'x'), x.shape, scaleHeight, scaleWidth);
  return record('upSample2d', [x], wrap(data, [n, h * scaleHeight, w * scaleWidth, c]), { scaleHeight, scaleWidth });
}

/**
 * upSample2d's input gradient (recording off: the gradient rule's kernel): each
 * scaleHeight×scaleWidth block of dy summed into x's pixel, for x of `shape`.
 *
 * @example
 * const dx = upSample2dBackward(dy, x.shape, 2, 2);
 */
export function upSample2dBackward(dy: Tensor, shape: readonly number[], scaleHeight: number, scaleWidth: number): Tensor {
  return wrap(kernels().upSample2dBackward(floatsOf(dy, 'upSample2dBackward', 'dy'), shape, scaleHeight, scaleWidth), shape);
}
