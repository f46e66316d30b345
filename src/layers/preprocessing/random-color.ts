/**
 * RandomContrast and RandomBrightness (keras/src/layers/preprocessing/image_preprocessing/
 * random_contrast.py, random_brightness.py): per image, a contrast factor about the image's
 * per-channel mean, or one brightness delta for all its pixels, then a clip to valueRange.
 *
 * RandomContrast draws its factor from [1 − lower, 1 + upper] with factor f giving lower =
 * upper = f, as Keras documents (Keras 3's code, through the base `_set_factor` with bounds
 * (0, 1), draws from [1, 1 + f]; we follow the documented range).
 */
import * as ops from '../../ops/index.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Random } from '../../tensor/random.js';
import { Layer, type CallContext, type LayerArgs, type LayerConfig } from '../layer.js';
import { registerLayer } from '../registry.js';
import type { Shape } from '../shape-types.js';
import { expectImages, factorRange, generatorFor, uniform, type Factor } from './base.js';

export interface ColorLayerArgs extends LayerArgs {
  factor: Factor;
  /** The range pixel values live in; outputs are clipped to it (default [0, 255], as Keras). */
  valueRange?: [number, number];
  seed?: number | null;
}

function checkValueRange(v: unknown, where: string): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((e) => typeof e === 'number' && Number.isFinite(e))) {
    throw new Error(`${where}: expected valueRange to be a pair of finite numbers, received ${JSON.stringify(v)}`);
  }
  return v[0] <= v[1] ? [v[0], v[1]] : [v[1], v[0]];
}

/** One value per image, as a [batch, 1, 1, 1] tensor of x's dtype. */
function perImage(x: Tensor, draw: () => number): Tensor {
  const n = x.shape[0]!;
  const data = x.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = draw();
  return new Tensor(data, [n, 1, 1, 1]);
}

abstract class ColorLayer extends Layer {
  readonly factor: Factor;
  readonly valueRange: [number, number];
  readonly seed: number | null;
  protected readonly range: [number, number];
  protected readonly rng: Random;

  constructor(args: ColorLayerArgs, prefix: string, kind: string, bounds: [number, number]) {
    super(args, prefix);
    const where = `${kind} "${this.name}"`;
    this.range = factorRange(args.factor, 'factor', bounds, where);
    this.factor = Array.isArray(args.factor) ? [...args.factor] : args.factor;
    this.valueRange = checkValueRange(args.valueRange ?? [0, 255], where);
    this.seed = args.seed ?? null;
    this.rng = generatorFor(this.seed);
  }

  override build(inputShape: Shape): void {
    expectImages(inputShape, `${this.className} "${this.name}"`);
    super.build(inputShape);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), factor: this.factor, valueRange: [...this.valueRange], seed: this.seed };
  }
}

/**
 * Randomly changes each image's contrast while training: (x − mean)·c + mean per channel.
 *
 * @example
 * layers.randomContrast({ factor: 0.2, valueRange: [0, 1], seed: 1 });   // c in [0.8, 1.2]
 */
export class RandomContrast extends ColorLayer {
  readonly className = 'RandomContrast';

  constructor(args: ColorLayerArgs) {
    super(args, 'random_contrast', 'RandomContrast', [0, 1]);
    if (!Array.isArray(args.factor)) (this.range as number[])[0] = this.range[1];
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training) return x;
    const c = perImage(x, () => uniform(this.rng, 1 - this.range[0], 1 + this.range[1]));
    const mean = ops.mean(x, [1, 2], true);
    return ops.clipByValue(ops.add(ops.mul(ops.sub(x, mean), c), mean), this.valueRange[0], this.valueRange[1]);
  }
}

/**
 * Randomly brightens or darkens each image while training: adds δ·(valueRange span), δ drawn
 * from the factor range in [−1, 1].
 *
 * @example
 * layers.randomBrightness({ factor: 0.1, valueRange: [0, 1], seed: 1 });
 */
export class RandomBrightness extends ColorLayer {
  readonly className = 'RandomBrightness';

  constructor(args: ColorLayerArgs) {
    super(args, 'random_brightness', 'RandomBrightness', [-1, 1]);
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training) return x;
    const span = this.valueRange[1] - this.valueRange[0];
    const delta = perImage(x, () => uniform(this.rng, this.range[0], this.range[1]) * span);
    return ops.clipByValue(ops.add(x, delta), this.valueRange[0], this.valueRange[1]);
  }
}

registerLayer('RandomContrast', (config: ColorLayerArgs) => new RandomContrast(config));
registerLayer('RandomBrightness', (config: ColorLayerArgs) => new RandomBrightness(config));
