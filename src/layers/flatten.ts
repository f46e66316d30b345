/**
 * Flatten: [batch, ...] → [batch, product of the rest]. Row-major over NHWC, as Keras does.
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './shape-types.js';

/**
 * Flattens every sample to a vector. @example layers.flatten()
 */
export class Flatten extends Layer {
  readonly className = 'Flatten';
  constructor(args: LayerArgs = {}) {
    super(args, 'flatten');
  }
  call(x: Tensor): Tensor {
    return ops.reshape(x, [x.shape[0]!, -1]);
  }
  computeOutputShape(inputShape: Shape): Shape {
    const rest = inputShape.slice(1);
    return [inputShape[0] ?? null, rest.some((d) => d === null) ? null : rest.reduce<number>((a, d) => a * d!, 1)];
  }
}

registerLayer('Flatten', (config: LayerArgs) => new Flatten(config));
