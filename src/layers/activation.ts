/**
 * Activation: applies a named activation function as its own layer.
 */
import type { Tensor } from '../tensor/tensor.js';
import { getActivation, type ActivationName } from './activations.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './shape-types.js';

export interface ActivationArgs extends LayerArgs {
  activation: ActivationName | string;
}

/**
 * @example layers.activation({ activation: 'softmax' })
 */
export class Activation extends Layer {
  readonly className = 'Activation';
  readonly activation: ActivationName;
  private readonly fn: (x: Tensor) => Tensor;
  constructor(args: ActivationArgs) {
    super(args, 'activation');
    const { name, fn } = getActivation(args.activation, `Activation "${this.name}"`);
    this.activation = name;
    this.fn = fn;
  }
  call(x: Tensor): Tensor {
    return this.fn(x);
  }
  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), activation: this.activation };
  }
}

registerLayer('Activation', (config: ActivationArgs) => new Activation(config));
