/**
 * CenterCrop and RandomCrop (keras/src/layers/preprocessing/image_preprocessing/center_crop.py,
 * random_crop.py). CenterCrop takes the centred height × width box, or, for a smaller input,
 * crops to the aspect ratio and resizes (bilinear), always. RandomCrop takes one random box per
 * call while training (as Keras: one offset for the batch); at inference, and for an input
 * not larger than the box, it center-crops to the aspect ratio and resizes, as Keras's docstring
 * says, so the output is always height × width (Keras 3's code returns inference input as is,
 * whose shape then contradicts its own compute_output_shape).
 */
import * as ops from '../../ops/index.js';
import type { Random } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type CallContext, type LayerArgs, type LayerConfig } from '../layer.js';
import { registerLayer } from '../registry.js';
import type { Shape } from '../shape-types.js';
import { expectImages, generatorFor } from './base.js';
import { checkSize, resizeToAspect } from './resizing.js';

export interface CropArgs extends LayerArgs {
  height: number;
  width: number;
}

abstract class CropLayer extends Layer {
  readonly height: number;
  readonly width: number;

  constructor(args: CropArgs, prefix: string, kind: string) {
    super(args, prefix);
    this.height = checkSize(args.height, 'height', `${kind} "${this.name}"`);
    this.width = checkSize(args.width, 'width', `${kind} "${this.name}"`);
  }

  override build(inputShape: Shape): void {
    expectImages(inputShape, `${this.className} "${this.name}"`);
    super.build(inputShape);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [inputShape[0]!, this.height, this.width, inputShape[3]!];
  }

  protected box(x: Tensor, top: number, left: number): Tensor {
    return ops.slice(x, [0, top, left, 0], [-1, this.height, this.width, -1]);
  }

  protected fitted(x: Tensor): Tensor {
    return resizeToAspect(x, this.height, this.width, { interpolation: 'bilinear', cropToAspectRatio: true });
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), height: this.height, width: this.width };
  }
}

/**
 * Crops the centre of each image to height × width.
 *
 * @example
 * layers.centerCrop({ height: 24, width: 24 });
 */
export class CenterCrop extends CropLayer {
  readonly className = 'CenterCrop';

  constructor(args: CropArgs) {
    super(args, 'center_crop', 'CenterCrop');
  }

  call(x: Tensor): Tensor {
    const [, h, w] = x.shape as [number, number, number];
    if (h < this.height || w < this.width) return this.fitted(x);
    return this.box(x, Math.floor((h - this.height) / 2), Math.floor((w - this.width) / 2));
  }
}

export interface RandomCropArgs extends CropArgs {
  seed?: number | null;
}

/**
 * Crops a random height × width box while training (centre crop at inference).
 *
 * @example
 * layers.randomCrop({ height: 28, width: 28, seed: 1 });
 */
export class RandomCrop extends CropLayer {
  readonly className = 'RandomCrop';
  readonly seed: number | null;
  private readonly rng: Random;

  constructor(args: RandomCropArgs) {
    super(args, 'random_crop', 'RandomCrop');
    this.seed = args.seed ?? null;
    this.rng = generatorFor(this.seed);
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    const [, h, w] = x.shape as [number, number, number];
    if (!ctx.training || h < this.height || w < this.width) {
      return h === this.height && w === this.width ? x : this.fitted(x);
    }
    return this.box(x, this.rng.int(h - this.height + 1), this.rng.int(w - this.width + 1));
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), seed: this.seed };
  }
}

registerLayer('CenterCrop', (config: CropArgs) => new CenterCrop(config));
registerLayer('RandomCrop', (config: RandomCropArgs) => new RandomCrop(config));
