/**
 * SeparableConv2D: a depthwise convolution (kernel [kH, kW, inChannels, depthMultiplier]) then a
 * 1×1 pointwise convolution (kernel [1, 1, inChannels·depthMultiplier, filters]) with the bias
 * and a fusable relu, as Keras. Far fewer weights than a Conv2D of the same shape.
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';
import { ConvLayer, positiveInteger, type WindowArgs } from './conv-layer.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from './initializers.js';
import type { LayerArgs, LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './shape-types.js';

export interface SeparableConv2DArgs extends LayerArgs, WindowArgs {
  filters: number;
  /** Depthwise filters per input channel (default 1). */
  depthMultiplier?: number;
  depthwiseInitializer?: InitializerIdentifier;
  pointwiseInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
}

/**
 * A depthwise-separable 2-D convolution layer.
 *
 * @example
 * layers.separableConv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' });
 */
export class SeparableConv2D extends ConvLayer {
  readonly className = 'SeparableConv2D';
  readonly filters: number;
  readonly depthMultiplier: number;
  private readonly inits: Record<'depthwise' | 'pointwise' | 'bias', Initializer>;
  depthwiseKernel: Variable | null = null;
  pointwiseKernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(args: SeparableConv2DArgs) {
    super(args, 'separable_conv2d', 'SeparableConv2D');
    const where = this.where;
    this.filters = positiveInteger(args.filters, 'filters', where);
    this.depthMultiplier = positiveInteger(args.depthMultiplier ?? 1, 'depthMultiplier', where);
    this.inits = {
      depthwise: getInitializer(args.depthwiseInitializer ?? 'glorotUniform', `${where} depthwiseInitializer`),
      pointwise: getInitializer(args.pointwiseInitializer ?? 'glorotUniform', `${where} pointwiseInitializer`),
      bias: getInitializer(args.biasInitializer ?? 'zeros', `${where} biasInitializer`),
    };
  }

  override build(inputShape: Shape): void {
    const channels = this.inputChannels(inputShape);
    const middle = channels * this.depthMultiplier;
    this.depthwiseKernel = this.addWeight({
      name: 'depthwise_kernel',
      shape: [...this.kernelSize, channels, this.depthMultiplier],
      initializer: this.inits.depthwise,
    });
    this.pointwiseKernel = this.addWeight({
      name: 'pointwise_kernel',
      shape: [1, 1, middle, this.filters],
      initializer: this.inits.pointwise,
    });
    if (this.useBias) this.bias = this.addWeight({ name: 'bias', shape: [this.filters], initializer: this.inits.bias });
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    const depthwise = ops.depthwiseConv2d(x, this.depthwiseKernel!, {
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
    });
    return this.finish(ops.conv2d(depthwise, this.pointwiseKernel!, { bias: this.bias, activation: this.fusedActivation }));
  }

  computeOutputShape(inputShape: Shape): Shape {
    return this.windowOutputShape(inputShape, this.filters);
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      filters: this.filters,
      ...this.windowConfig(),
      depthMultiplier: this.depthMultiplier,
      depthwiseInitializer: serializeInitializer(this.inits.depthwise),
      pointwiseInitializer: serializeInitializer(this.inits.pointwise),
      biasInitializer: serializeInitializer(this.inits.bias),
    };
  }
}

registerLayer('SeparableConv2D', (config: SeparableConv2DArgs) => new SeparableConv2D(config));
