/**
 * RandomRotation (keras/src/layers/preprocessing/image_preprocessing/random_rotation.py): each
 * image turns by an angle drawn uniformly from [lower, upper] × 2π about its centre; positive is
 * counter-clockwise.
 */
import { registerLayer } from '../registry.js';
import type { LayerConfig } from '../layer.js';
import { factorRange, rotationMatrix, uniform, type Factor } from './base.js';
import { WarpLayer, type WarpLayerArgs } from './warp-layer.js';

export interface RandomRotationArgs extends WarpLayerArgs {
  /** Fraction of a full turn: f draws from [−f, f]·2π, [a, b] from [a, b]·2π. */
  factor: Factor;
}

/**
 * Randomly rotates images while training (identity at inference).
 *
 * @example
 * layers.randomRotation({ factor: 0.05, fillMode: 'constant', seed: 1 });   // ±18°
 */
export class RandomRotation extends WarpLayer {
  readonly className = 'RandomRotation';
  readonly factor: Factor;
  private readonly range: [number, number];

  constructor(args: RandomRotationArgs) {
    super(args, 'random_rotation', 'RandomRotation');
    this.range = factorRange(args.factor, 'factor', [-1, 1], `RandomRotation "${this.name}"`);
    this.factor = Array.isArray(args.factor) ? [...args.factor] : args.factor;
  }

  protected drawMatrix(height: number, width: number): number[] {
    return rotationMatrix(uniform(this.rng, this.range[0], this.range[1]) * 2 * Math.PI, height, width);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), factor: this.factor };
  }
}

registerLayer('RandomRotation', (config: RandomRotationArgs) => new RandomRotation(config));
