/**
 * Dropout and SpatialDropout2D: inverted dropout, active only while training (identity at
 * inference). The mask comes from the layer's own generator when a `seed` is given, else from
 * the library-wide one (`setSeed`).
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { globalRandom, Random } from '../tensor/random.js';
import { Layer, type CallContext, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './shape-types.js';

export interface DropoutArgs extends LayerArgs {
  /** Fraction of the inputs to drop, in [0, 1). */
  rate: number;
  /** Mask shape, broadcast against the input; null entries take the input's size. */
  noiseShape?: (number | null)[] | null;
  seed?: number | null;
}

function checkRate(rate: number, where: string): number {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new Error(`${where}: expected rate in [0, 1), received ${rate}`);
  return rate;
}

/**
 * Randomly zeroes a fraction `rate` of the inputs while training, scaling the rest by 1/(1 − rate).
 *
 * @example
 * layers.dropout({ rate: 0.5 });
 * layers.dropout({ rate: 0.2, noiseShape: [null, 1, 1, null], seed: 42 });
 */
export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;
  readonly noiseShape: (number | null)[] | null;
  readonly seed: number | null;
  private readonly rng: Random;

  constructor(args: DropoutArgs) {
    super(args, 'dropout');
    this.rate = checkRate(args.rate, `Dropout "${this.name}"`);
    this.noiseShape = args.noiseShape ? [...args.noiseShape] : null;
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? globalRandom : new Random(this.seed);
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training || this.rate === 0) return x;
    return ops.dropout(x, this.rate, { noiseShape: this.noiseShape, rng: this.rng });
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape ? [...this.noiseShape] : null, seed: this.seed };
  }
}

export interface SpatialDropout2DArgs extends LayerArgs {
  rate: number;
  seed?: number | null;
  /** Only 'channelsLast' (NHWC) is supported. */
  dataFormat?: 'channelsLast';
}

/**
 * Drops whole channels of NHWC feature maps (one draw per sample and channel), which regularises
 * convolutional layers better than dropping single pixels of correlated maps.
 *
 * @example
 * layers.spatialDropout2d({ rate: 0.1 });
 */
export class SpatialDropout2D extends Layer {
  readonly className = 'SpatialDropout2D';
  readonly rate: number;
  readonly seed: number | null;
  private readonly rng: Random;

  constructor(args: SpatialDropout2DArgs) {
    super(args, 'spatial_dropout2d');
    const where = `SpatialDropout2D "${this.name}"`;
    this.rate = checkRate(args.rate, where);
    if (args.dataFormat !== undefined && args.dataFormat !== 'channelsLast') {
      throw new Error(`${where}: only dataFormat 'channelsLast' (NHWC) is supported, received '${args.dataFormat}'`);
    }
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? globalRandom : new Random(this.seed);
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training || this.rate === 0) return x;
    return ops.dropout(x, this.rate, { noiseShape: [x.shape[0]!, 1, 1, x.shape[3]!], rng: this.rng });
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override build(inputShape: Shape): void {
    if (inputShape.length !== 4) {
      throw new Error(
        `SpatialDropout2D "${this.name}": expected input of rank 4 (batch, height, width, channels), received rank ${inputShape.length}`,
      );
    }
    super.build(inputShape);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed, dataFormat: 'channelsLast' };
  }
}

registerLayer('Dropout', (config: DropoutArgs) => new Dropout(config));
registerLayer('SpatialDropout2D', (config: SpatialDropout2DArgs) => new SpatialDropout2D(config));
