/**
 * Dense: y = activation(x · kernel + bias). Inputs of rank > 2 are multiplied along the last axis,
 * as in Keras. A relu activation is fused into the matmul kernel.
 */
import * as ops from '../ops/index.js';
import { getRegularizer, serializeRegularizer, type Regularizer, type RegularizerIdentifier } from '../regularizers/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';
import { getActivation, type ActivationName } from './activations.js';
import { serializeInitializer, getInitializer, type Initializer, type InitializerIdentifier } from './initializers.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './shape-types.js';

export interface DenseArgs extends LayerArgs {
  units: number;
  activation?: ActivationName | string;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  /** Penalty on the kernel added to the training loss, e.g. `regularizers.l2(1e-4)` or 'l2'. */
  kernelRegularizer?: RegularizerIdentifier | null;
  /** Penalty on the bias added to the training loss. */
  biasRegularizer?: RegularizerIdentifier | null;
}

/**
 * A fully connected layer.
 *
 * @example
 * layers.dense({ units: 128, activation: 'relu' });
 */
export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  private readonly kernelRegularizer: Regularizer | null;
  private readonly biasRegularizer: Regularizer | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(args: DenseArgs) {
    super(args, 'dense');
    if (!Number.isInteger(args.units) || args.units <= 0) {
      throw new Error(`Dense "${this.name}": expected units to be a positive integer, received ${args.units}`);
    }
    this.units = args.units;
    this.activation = getActivation(args.activation ?? 'linear', `Dense "${this.name}"`).name;
    this.useBias = args.useBias ?? true;
    this.kernelInit = getInitializer(args.kernelInitializer ?? 'glorotUniform', `Dense "${this.name}" kernelInitializer`);
    this.biasInit = getInitializer(args.biasInitializer ?? 'zeros', `Dense "${this.name}" biasInitializer`);
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `Dense "${this.name}" kernelRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `Dense "${this.name}" biasRegularizer`);
  }

  override build(inputShape: Shape): void {
    const inDim = inputShape[inputShape.length - 1];
    if (typeof inDim !== 'number' || inputShape.length < 2) {
      throw new Error(`Dense "${this.name}": expected input with a known last dimension, received (${inputShape.join(', ')})`);
    }
    this.kernel = this.addWeight({
      name: 'kernel',
      shape: [inDim, this.units],
      initializer: this.kernelInit,
      regularizer: this.kernelRegularizer,
    });
    if (this.useBias)
      this.bias = this.addWeight({ name: 'bias', shape: [this.units], initializer: this.biasInit, regularizer: this.biasRegularizer });
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    const flat = x.rank === 2 ? x : ops.reshape(x, [-1, x.shape[x.rank - 1]!]);
    const fused = this.activation === 'relu' ? 'relu' : 'linear';
    let y = ops.matmul(flat, this.kernel!, { bias: this.bias, activation: fused });
    if (x.rank !== 2) y = ops.reshape(y, [...x.shape.slice(0, -1), this.units]);
    return fused === 'relu' ? y : getActivation(this.activation, this.name).fn(y);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape.slice(0, -1), this.units];
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInit),
      biasInitializer: serializeInitializer(this.biasInit),
      kernelRegularizer: serializeRegularizer(this.kernelRegularizer),
      biasRegularizer: serializeRegularizer(this.biasRegularizer),
    };
  }
}

registerLayer('Dense', (config: DenseArgs) => new Dense(config));
