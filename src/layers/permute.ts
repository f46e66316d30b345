/**
 * Permute: reorders the non-batch axes of every sample; `dims` counts from 1, as Keras does.
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import { showShape, type Shape } from './shape-types.js';

export interface PermuteArgs extends LayerArgs {
  /** A permutation of 1..rank-1 (axis 0 is the batch). */
  dims: number[];
}

/**
 * Permutes the axes of each sample.
 *
 * @example
 * layers.permute({ dims: [2, 1] });        // [N, 10, 64] → [N, 64, 10]
 * layers.permute({ dims: [3, 1, 2] });     // NHWC → NCHW
 */
export class Permute extends Layer {
  readonly className = 'Permute';
  readonly dims: number[];

  constructor(args: PermuteArgs) {
    super(args, 'permute');
    const sorted = Array.isArray(args.dims) ? [...args.dims].sort((a, b) => a - b) : [];
    if (sorted.length === 0 || !sorted.every((d, i) => d === i + 1)) {
      throw new Error(`Permute "${this.name}": expected dims to be a permutation of 1..n, received ${JSON.stringify(args.dims)}`);
    }
    this.dims = [...args.dims];
  }

  override build(inputShape: Shape): void {
    if (inputShape.length !== this.dims.length + 1) {
      throw new Error(
        `Permute "${this.name}": dims ${JSON.stringify(this.dims)} need an input of rank ${this.dims.length + 1}, received ${showShape(inputShape)}`,
      );
    }
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    return ops.transpose(x, [0, ...this.dims]);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [inputShape[0] ?? null, ...this.dims.map((d) => inputShape[d] ?? null)];
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), dims: [...this.dims] };
  }
}

registerLayer('Permute', (config: PermuteArgs) => new Permute(config));
