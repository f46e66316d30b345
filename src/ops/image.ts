/**
 * Image ops for augmentation and preprocessing: a batched projective warp (rotation, zoom,
 * translation, flips) and resizing. They transform data, not activations: they are not
 * differentiable, and refuse an input that needs a gradient rather than silently cutting the
 * gradient off (put augmentation and resizing before any trainable layer).
 */
import { kernels } from '../backends/index.js';
import type { FillMode, ImageGeometry, ResizeMethod, WarpInterpolation } from '../backends/kernels.js';
import { isRecording } from '../autograd/tape.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { floatsOf, wrap } from './util.js';

export type { FillMode, ResizeMethod, WarpInterpolation } from '../backends/kernels.js';

export const FILL_MODES: readonly FillMode[] = ['reflect', 'wrap', 'constant', 'nearest'];
export const WARP_INTERPOLATIONS: readonly WarpInterpolation[] = ['bilinear', 'nearest'];
export const RESIZE_METHODS: readonly ResizeMethod[] = ['bilinear', 'nearest', 'bicubic', 'lanczos3'];

/** Checks an option against its allowed values, naming the op, the option and the choices. */
export function checkChoice<T extends string>(value: unknown, allowed: readonly T[], op: string, option: string): T {
  if (!allowed.includes(value as T)) {
    throw new Error(`${op}: expected ${option} to be one of ${allowed.map((a) => `'${a}'`).join(', ')}, received ${JSON.stringify(value)}`);
  }
  return value as T;
}

function checkImages(images: Tensor, op: string): void {
  if (images.rank !== 4) {
    throw new Error(`${op}: expected a batch of images [batch, height, width, channels], received ${formatShape(images.shape)}`);
  }
  if (images.shape.slice(1).some((d) => d === 0)) throw new Error(`${op}: images ${formatShape(images.shape)} have an empty axis`);
  if (isRecording() && images.requiresGrad) {
    throw new Error(`${op}: gradients do not flow through image transforms; apply it to input data, before any trainable layer`);
  }
}

export interface AffineTransformOptions {
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: WarpInterpolation;
  /** How points outside the input are filled: 'constant' (default, as keras.ops.image.affine_transform), 'reflect', 'wrap', 'nearest'. */
  fillMode?: FillMode;
  /** The fill value for 'constant' (default 0). */
  fillValue?: number;
}

/**
 * Warps each image of an NHWC batch by its row of `transforms` ([batch, 8] or one row of 8 for
 * all): output pixel (x, y) reads the input at ((a0·x + a1·y + a2)/k, (b0·x + b1·y + b2)/k),
 * k = c0·x + c1·y + 1, as keras.ops.image.affine_transform.
 *
 * @example
 * // shift every image one pixel right (the output at x reads the input at x − 1)
 * affineTransform(images, [1, 0, -1, 0, 1, 0, 0, 0], { fillMode: 'constant' });
 */
export function affineTransform(images: Tensor, transforms: Tensor | ArrayLike<number>, options: AffineTransformOptions = {}): Tensor {
  const op = 'affineTransform';
  checkImages(images, op);
  const [batch, height, width, channels] = images.shape as [number, number, number, number];
  const interpolation = checkChoice(options.interpolation ?? 'bilinear', WARP_INTERPOLATIONS, op, 'interpolation');
  const fillMode = checkChoice(options.fillMode ?? 'constant', FILL_MODES, op, 'fillMode');
  const fillValue = options.fillValue ?? 0;
  if (!Number.isFinite(fillValue)) throw new Error(`${op}: expected fillValue to be a finite number, received ${fillValue}`);
  const given = transforms instanceof Tensor ? transforms.values() : transforms;
  const rows = given.length / 8;
  if (!(given.length === 8 || given.length === batch * 8)) {
    throw new Error(`${op}: expected transforms of 8 or ${batch}×8 numbers for ${batch} images, received ${given.length}`);
  }
  const float64 = images.dtype === 'float64';
  const t = float64 ? new Float64Array(batch * 8) : new Float32Array(batch * 8);
  for (let b = 0; b < batch; b++) for (let k = 0; k < 8; k++) t[b * 8 + k] = Number(given[(rows === 1 ? 0 : b) * 8 + k]);
  const bad = t.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`${op}: transforms[${Math.floor(bad / 8)}][${bad % 8}] is ${t[bad]}, expected a finite number`);
  const g: ImageGeometry = { batch, inHeight: height, inWidth: width, channels, outHeight: height, outWidth: width };
  return wrap(kernels().affineWarp(floatsOf(images, op, 'images'), g, t, { interpolation, fillMode, fillValue }), images.shape);
}

export interface ResizeOptions {
  /** 'bilinear' (default), 'nearest', 'bicubic' or 'lanczos3'. */
  interpolation?: ResizeMethod;
  /** Widen the filter when downscaling (default false, as Keras). */
  antialias?: boolean;
}

/**
 * Resizes an NHWC batch to `[height, width]` (half-pixel centres, as keras.ops.image.resize).
 *
 * @example
 * resizeImages(images, [224, 224], { interpolation: 'bicubic' });
 */
export function resizeImages(images: Tensor, size: readonly [number, number], options: ResizeOptions = {}): Tensor {
  const op = 'resizeImages';
  checkImages(images, op);
  if (size.length !== 2 || !size.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${op}: expected size [height, width] of positive integers, received ${JSON.stringify(size)}`);
  }
  const method = checkChoice(options.interpolation ?? 'bilinear', RESIZE_METHODS, op, 'interpolation');
  const [batch, inHeight, inWidth, channels] = images.shape as [number, number, number, number];
  const [outHeight, outWidth] = size;
  if (outHeight === inHeight && outWidth === inWidth) return images;
  const g: ImageGeometry = { batch, inHeight, inWidth, channels, outHeight, outWidth };
  return wrap(kernels().resize(floatsOf(images, op, 'images'), g, method, options.antialias ?? false), [
    batch,
    outHeight,
    outWidth,
    channels,
  ]);
}
