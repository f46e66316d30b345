/**
 * RandomZoom (keras/src/layers/preprocessing/image_preprocessing/random_zoom.py): each image is
 * scaled about its centre by 1 + h on the vertical axis and 1 + w on the horizontal one, h and w
 * drawn from the factor ranges (positive zooms out, negative in); with no widthFactor the same
 * draw serves both axes (aspect ratio kept).
 */
import type { LayerConfig } from '../layer.js';
import { registerLayer } from '../registry.js';
import { factorRange, uniform, zoomMatrix, type Factor } from './base.js';
import { WarpLayer, type WarpLayerArgs } from './warp-layer.js';

export interface RandomZoomArgs extends WarpLayerArgs {
  /** Vertical zoom range: f gives [−f, f], each in (−1, 1]. */
  heightFactor: Factor;
  /** Horizontal zoom range; null (default) zooms both axes alike. */
  widthFactor?: Factor | null;
}

/**
 * Randomly zooms images in or out while training (identity at inference).
 *
 * @example
 * layers.randomZoom({ heightFactor: 0.1, seed: 1 });   // 90%–110%, aspect ratio kept
 */
export class RandomZoom extends WarpLayer {
  readonly className = 'RandomZoom';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor | null;
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number] | null;

  constructor(args: RandomZoomArgs) {
    super(args, 'random_zoom', 'RandomZoom');
    const where = `RandomZoom "${this.name}"`;
    this.heightRange = factorRange(args.heightFactor, 'heightFactor', [-1, 1], where, true);
    this.widthRange = args.widthFactor == null ? null : factorRange(args.widthFactor, 'widthFactor', [-1, 1], where, true);
    this.heightFactor = Array.isArray(args.heightFactor) ? [...args.heightFactor] : args.heightFactor;
    this.widthFactor = args.widthFactor == null ? null : Array.isArray(args.widthFactor) ? [...args.widthFactor] : args.widthFactor;
  }

  protected drawMatrix(height: number, width: number): number[] {
    const zy = 1 + uniform(this.rng, this.heightRange[0], this.heightRange[1]);
    const zx = this.widthRange ? 1 + uniform(this.rng, this.widthRange[0], this.widthRange[1]) : zy;
    return zoomMatrix(zx, zy, height, width);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}

registerLayer('RandomZoom', (config: RandomZoomArgs) => new RandomZoom(config));
