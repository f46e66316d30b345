/**
 * RandomFlip (keras/src/layers/preprocessing/image_preprocessing/random_flip.py): flips each
 * image with probability ½ while training; with 'horizontal_and_vertical' one draw per image
 * flips both axes, as Keras does. An exact copy (nearest sampling of a mirrored grid).
 */
import { affineTransform, checkChoice } from '../../ops/image.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Random } from '../../tensor/random.js';
import { Layer, type CallContext, type LayerArgs, type LayerConfig } from '../layer.js';
import { registerLayer } from '../registry.js';
import type { Shape } from '../shape-types.js';
import { expectImages, generatorFor } from './base.js';

export type FlipMode = 'horizontal' | 'vertical' | 'horizontal_and_vertical';
const MODES: readonly FlipMode[] = ['horizontal', 'vertical', 'horizontal_and_vertical'];

export interface RandomFlipArgs extends LayerArgs {
  /** Which axes to flip (default 'horizontal_and_vertical', as Keras). */
  mode?: FlipMode;
  seed?: number | null;
}

/**
 * Randomly flips images left-right and/or up-down while training (identity at inference).
 *
 * @example
 * layers.randomFlip({ mode: 'horizontal', seed: 1 });
 */
export class RandomFlip extends Layer {
  readonly className = 'RandomFlip';
  readonly mode: FlipMode;
  readonly seed: number | null;
  private readonly rng: Random;

  constructor(args: RandomFlipArgs = {}) {
    super(args, 'random_flip');
    this.mode = checkChoice(args.mode ?? 'horizontal_and_vertical', MODES, `RandomFlip "${this.name}"`, 'mode');
    this.seed = args.seed ?? null;
    this.rng = generatorFor(this.seed);
  }

  override build(inputShape: Shape): void {
    expectImages(inputShape, `RandomFlip "${this.name}"`);
    super.build(inputShape);
  }

  /**
   * The batch's [batch × 8] coefficients (a mirror or the identity per image), drawn as `call`
   * draws them. A flip maps pixel centres onto pixel centres, so it composes exactly with any
   * warp (a Pipeline folds it into its neighbours' warp).
   */
  drawTransforms(batch: number, height: number, width: number): Float64Array {
    const sx = this.mode !== 'vertical';
    const sy = this.mode !== 'horizontal';
    const t = new Float64Array(batch * 8);
    for (let b = 0; b < batch; b++) {
      const flip = this.rng.uniform() <= 0.5;
      const fx = flip && sx;
      const fy = flip && sy;
      t.set([fx ? -1 : 1, 0, fx ? width - 1 : 0, 0, fy ? -1 : 1, fy ? height - 1 : 0, 0, 0], b * 8);
    }
    return t;
  }

  /** null: a flip samples exactly, so it fits into a warp of any sampling. */
  readonly warpOptions = null;

  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training) return x;
    const [batch, h, w] = x.shape as [number, number, number];
    return affineTransform(x, this.drawTransforms(batch, h, w), { interpolation: 'nearest', fillMode: 'nearest' });
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), mode: this.mode, seed: this.seed };
  }
}

registerLayer('RandomFlip', (config: RandomFlipArgs) => new RandomFlip(config));
