/**
 * Resizing (keras/src/layers/preprocessing/image_preprocessing/resizing.py, sizes as
 * keras/src/backend/numpy/image.py `resize`): resizes a batch to height × width, optionally first
 * cropping (centred) or padding (with fillValue) to the target aspect ratio. Active in training
 * and inference alike. `resizeToAspect` is shared with CenterCrop and RandomCrop.
 */
import * as ops from '../../ops/index.js';
import { checkChoice, RESIZE_METHODS, resizeImages, type ResizeMethod } from '../../ops/image.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type LayerArgs, type LayerConfig } from '../layer.js';
import { registerLayer } from '../registry.js';
import type { Shape } from '../shape-types.js';
import { expectImages } from './base.js';

export interface ResizeToAspectOptions {
  interpolation: ResizeMethod;
  cropToAspectRatio?: boolean;
  padToAspectRatio?: boolean;
  fillValue?: number;
  antialias?: boolean;
}

/** Resizes NHWC images to [height, width], after a centred crop or pad to that aspect ratio if asked. */
export function resizeToAspect(x: Tensor, height: number, width: number, o: ResizeToAspectOptions): Tensor {
  const [, h, w] = x.shape as [number, number, number];
  let images = x;
  if (o.cropToAspectRatio) {
    const cropHeight = Math.max(Math.min(h, Math.trunc((w * height) / width)), 1);
    const cropWidth = Math.max(Math.min(w, Math.trunc((h * width) / height)), 1);
    const top = Math.trunc((h - cropHeight) / 2);
    const left = Math.trunc((w - cropWidth) / 2);
    images = ops.slice(images, [0, top, left, 0], [-1, cropHeight, cropWidth, -1]);
  } else if (o.padToAspectRatio) {
    // Keras pads the same amount on both sides: int((target − size) / 2) rows, then resizes.
    const top = Math.trunc((Math.max(h, Math.trunc((w * height) / width)) - h) / 2);
    const left = Math.trunc((Math.max(w, Math.trunc((h * width) / height)) - w) / 2);
    if (top > 0 || left > 0) {
      const fill = o.fillValue ?? 0;
      const padded = ops.pad(ops.sub(images, fill), [
        [0, 0],
        [top, top],
        [left, left],
        [0, 0],
      ]);
      images = ops.add(padded, fill);
    }
  }
  return resizeImages(images, [height, width], { interpolation: o.interpolation, antialias: o.antialias ?? false });
}

export function checkSize(v: unknown, name: string, where: string): number {
  if (!Number.isInteger(v) || (v as number) <= 0)
    throw new Error(`${where}: expected ${name} to be a positive integer, received ${JSON.stringify(v)}`);
  return v as number;
}

export interface ResizingArgs extends LayerArgs {
  height: number;
  width: number;
  /** 'bilinear' (default), 'nearest', 'bicubic' or 'lanczos3'. */
  interpolation?: ResizeMethod;
  /** Crop (centred) to the target aspect ratio first, so nothing is distorted. */
  cropToAspectRatio?: boolean;
  /** Pad (centred, with fillValue) to the target aspect ratio first. */
  padToAspectRatio?: boolean;
  /** Only 'constant' (as Keras). */
  fillMode?: 'constant';
  fillValue?: number;
  antialias?: boolean;
}

/**
 * Resizes images to a fixed size.
 *
 * @example
 * layers.resizing({ height: 64, width: 64, cropToAspectRatio: true });
 */
export class Resizing extends Layer {
  readonly className = 'Resizing';
  readonly height: number;
  readonly width: number;
  readonly interpolation: ResizeMethod;
  readonly cropToAspectRatio: boolean;
  readonly padToAspectRatio: boolean;
  readonly fillValue: number;
  readonly antialias: boolean;

  constructor(args: ResizingArgs) {
    super(args, 'resizing');
    const where = `Resizing "${this.name}"`;
    this.height = checkSize(args.height, 'height', where);
    this.width = checkSize(args.width, 'width', where);
    this.interpolation = checkChoice(args.interpolation ?? 'bilinear', RESIZE_METHODS, where, 'interpolation');
    this.cropToAspectRatio = args.cropToAspectRatio ?? false;
    this.padToAspectRatio = args.padToAspectRatio ?? false;
    if (this.cropToAspectRatio && this.padToAspectRatio)
      throw new Error(`${where}: only one of cropToAspectRatio and padToAspectRatio can be true`);
    if ((args.fillMode ?? 'constant') !== 'constant')
      throw new Error(`${where}: only fillMode 'constant' is supported, received '${args.fillMode}'`);
    this.fillValue = args.fillValue ?? 0;
    this.antialias = args.antialias ?? false;
  }

  override build(inputShape: Shape): void {
    expectImages(inputShape, `Resizing "${this.name}"`);
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    return resizeToAspect(x, this.height, this.width, this);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [inputShape[0]!, this.height, this.width, inputShape[3]!];
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      height: this.height,
      width: this.width,
      interpolation: this.interpolation,
      cropToAspectRatio: this.cropToAspectRatio,
      padToAspectRatio: this.padToAspectRatio,
      fillMode: 'constant',
      fillValue: this.fillValue,
      antialias: this.antialias,
    };
  }
}

registerLayer('Resizing', (config: ResizingArgs) => new Resizing(config));
