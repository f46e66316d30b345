/**
 * The shared shape of RandomRotation, RandomZoom and RandomTranslation: while training, draw one
 * affine matrix per image and warp the batch with the fill mode and interpolation Keras's
 * layers take (fillMode 'reflect', interpolation 'bilinear', fillValue 0 by default).
 */
import { affineTransform, checkChoice, FILL_MODES, WARP_INTERPOLATIONS, type FillMode, type WarpInterpolation } from '../../ops/image.js';
import type { Random } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type CallContext, type LayerArgs, type LayerConfig } from '../layer.js';
import type { Shape } from '../shape-types.js';
import { expectImages, generatorFor } from './base.js';

/** The sampling of one affine warp: what must agree for two warps to run as one. */
export interface WarpSampling {
  interpolation: WarpInterpolation;
  fillMode: FillMode;
  fillValue: number;
}

export interface WarpLayerArgs extends LayerArgs {
  /** 'reflect' (default), 'wrap', 'constant' or 'nearest'. */
  fillMode?: FillMode;
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: WarpInterpolation;
  seed?: number | null;
  /** Value of points outside the image with fillMode 'constant' (default 0). */
  fillValue?: number;
}

export abstract class WarpLayer extends Layer {
  readonly fillMode: FillMode;
  readonly interpolation: WarpInterpolation;
  readonly seed: number | null;
  readonly fillValue: number;
  protected readonly rng: Random;

  /** `kind` is the subclass's class name, for errors (its own field is not set yet here). */
  constructor(args: WarpLayerArgs, prefix: string, kind: string) {
    super(args, prefix);
    const where = `${kind} "${this.name}"`;
    this.fillMode = checkChoice(args.fillMode ?? 'reflect', FILL_MODES, where, 'fillMode');
    this.interpolation = checkChoice(args.interpolation ?? 'bilinear', WARP_INTERPOLATIONS, where, 'interpolation');
    this.fillValue = args.fillValue ?? 0;
    if (!Number.isFinite(this.fillValue)) throw new Error(`${where}: expected fillValue to be a finite number, received ${args.fillValue}`);
    this.seed = args.seed ?? null;
    this.rng = generatorFor(this.seed);
  }

  /** The 8 coefficients for one image of the batch (draws from this.rng). */
  protected abstract drawMatrix(height: number, width: number): number[];

  override build(inputShape: Shape): void {
    expectImages(inputShape, `${this.className} "${this.name}"`);
    super.build(inputShape);
  }

  /** The batch's [batch × 8] coefficients, drawn as `call` draws them (a Pipeline composes them). */
  drawTransforms(batch: number, height: number, width: number): Float64Array {
    const t = new Float64Array(batch * 8);
    for (let b = 0; b < batch; b++) t.set(this.drawMatrix(height, width), b * 8);
    return t;
  }

  /** How the warp samples (a Pipeline composes only warps that sample alike). */
  get warpOptions(): WarpSampling {
    return { interpolation: this.interpolation, fillMode: this.fillMode, fillValue: this.fillValue };
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training) return x;
    const [batch, h, w] = x.shape as [number, number, number];
    return affineTransform(x, this.drawTransforms(batch, h, w), this.warpOptions);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), fillMode: this.fillMode, interpolation: this.interpolation, seed: this.seed, fillValue: this.fillValue };
  }
}
