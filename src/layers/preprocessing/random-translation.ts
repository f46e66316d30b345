/**
 * RandomTranslation (keras/src/layers/preprocessing/image_preprocessing/random_translation.py):
 * each image shifts by dy = h·height and dx = w·width pixels, h and w drawn from the factor
 * ranges (positive moves the content down / right).
 */
import type { LayerConfig } from '../layer.js';
import { registerLayer } from '../registry.js';
import { factorRange, translationMatrix, uniform, type Factor } from './base.js';
import { WarpLayer, type WarpLayerArgs } from './warp-layer.js';

export interface RandomTranslationArgs extends WarpLayerArgs {
  /** Vertical shift as a fraction of the height: f gives [−f, f], each in [−1, 1]. */
  heightFactor: Factor;
  /** Horizontal shift as a fraction of the width. */
  widthFactor: Factor;
}

/**
 * Randomly shifts images while training (identity at inference).
 *
 * @example
 * // CIFAR's "pad 4 and crop": whole-pixel shifts of up to 4 pixels, zeros coming in
 * layers.randomTranslation({ heightFactor: 4 / 32, widthFactor: 4 / 32, fillMode: 'constant', interpolation: 'nearest' });
 */
export class RandomTranslation extends WarpLayer {
  readonly className = 'RandomTranslation';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor;
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number];

  constructor(args: RandomTranslationArgs) {
    super(args, 'random_translation', 'RandomTranslation');
    const where = `RandomTranslation "${this.name}"`;
    this.heightRange = factorRange(args.heightFactor, 'heightFactor', [-1, 1], where);
    this.widthRange = factorRange(args.widthFactor, 'widthFactor', [-1, 1], where);
    this.heightFactor = Array.isArray(args.heightFactor) ? [...args.heightFactor] : args.heightFactor;
    this.widthFactor = Array.isArray(args.widthFactor) ? [...args.widthFactor] : args.widthFactor;
  }

  protected drawMatrix(height: number, width: number): number[] {
    const dy = uniform(this.rng, this.heightRange[0], this.heightRange[1]) * height;
    const dx = uniform(this.rng, this.widthRange[0], this.widthRange[1]) * width;
    return translationMatrix(dx, dy);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}

registerLayer('RandomTranslation', (config: RandomTranslationArgs) => new RandomTranslation(config));
