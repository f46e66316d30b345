/**
 * Reshape: gives every sample a new shape (the batch axis is kept); one size may be -1.
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import { showShape, type Shape } from './shape-types.js';

export interface ReshapeArgs extends LayerArgs {
  /** Shape of one sample, without the batch axis; one entry may be -1 (inferred). */
  targetShape: number[];
}

/**
 * Reshapes each sample.
 *
 * @example
 * layers.reshape({ targetShape: [7, 7, 64] });   // [N, 3136] → [N, 7, 7, 64]
 * layers.reshape({ targetShape: [-1, 4] });
 */
export class Reshape extends Layer {
  readonly className = 'Reshape';
  readonly targetShape: number[];

  constructor(args: ReshapeArgs) {
    super(args, 'reshape');
    const t = args.targetShape;
    const valid = Array.isArray(t) && t.every((d) => d === -1 || (Number.isInteger(d) && d > 0)) && t.filter((d) => d === -1).length <= 1;
    if (!valid) {
      throw new Error(
        `Reshape "${this.name}": expected targetShape to be positive integers with at most one -1, received ${JSON.stringify(t)}`,
      );
    }
    this.targetShape = [...t];
  }

  override build(inputShape: Shape): void {
    this.computeOutputShape(inputShape); // refuses a sample size the target cannot hold
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    return ops.reshape(x, [x.shape[0]!, ...this.resolve(x.size / x.shape[0]!, showShape(x.shape))]);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const rest = inputShape.slice(1);
    if (rest.some((d) => d === null)) return [inputShape[0] ?? null, ...this.targetShape.map((d) => (d === -1 ? null : d))];
    return [
      inputShape[0] ?? null,
      ...this.resolve(
        rest.reduce<number>((a, d) => a * d!, 1),
        showShape(inputShape),
      ),
    ];
  }

  /** The target shape with -1 filled in for samples of `size` values. */
  private resolve(size: number, shown: string): number[] {
    const known = this.targetShape.reduce((a, d) => (d === -1 ? a : a * d), 1);
    const inferred = size / known;
    const fits = this.targetShape.includes(-1) ? Number.isInteger(inferred) : known === size;
    if (!fits) {
      throw new Error(
        `Reshape "${this.name}": cannot reshape input ${shown} (${size} values per sample) to ${JSON.stringify(this.targetShape)}`,
      );
    }
    return this.targetShape.map((d) => (d === -1 ? inferred : d));
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), targetShape: [...this.targetShape] };
  }
}

registerLayer('Reshape', (config: ReshapeArgs) => new Reshape(config));
