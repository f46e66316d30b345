/**
 * Conv2D over NHWC input with an HWIO kernel [kH, kW, inChannels, filters]; bias and relu are
 * fused into the convolution kernel.
 */
import * as ops from '../ops/index.js';
import { getRegularizer, serializeRegularizer, type Regularizer, type RegularizerIdentifier } from '../regularizers/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';
import { ConvLayer, positiveInteger, type WindowArgs } from './conv-layer.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from './initializers.js';
import type { LayerArgs, LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './shape-types.js';

export interface Conv2DArgs extends LayerArgs, WindowArgs {
  filters: number;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  /** Penalty on the kernel added to the training loss, e.g. `regularizers.l2(1e-4)` or 'l2'. */
  kernelRegularizer?: RegularizerIdentifier | null;
  /** Penalty on the bias added to the training loss. */
  biasRegularizer?: RegularizerIdentifier | null;
}

/**
 * A 2-D convolution layer.
 *
 * @example
 * layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] });
 */
export class Conv2D extends ConvLayer {
  readonly className = 'Conv2D';
  readonly filters: number;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  private readonly kernelRegularizer: Regularizer | null;
  private readonly biasRegularizer: Regularizer | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(args: Conv2DArgs) {
    super(args, 'conv2d', 'Conv2D');
    const where = this.where;
    this.filters = positiveInteger(args.filters, 'filters', where);
    this.kernelInit = getInitializer(args.kernelInitializer ?? 'glorotUniform', `${where} kernelInitializer`);
    this.biasInit = getInitializer(args.biasInitializer ?? 'zeros', `${where} biasInitializer`);
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `${where} kernelRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `${where} biasRegularizer`);
  }

  override build(inputShape: Shape): void {
    const channels = this.inputChannels(inputShape);
    this.kernel = this.addWeight({
      name: 'kernel',
      shape: [...this.kernelSize, channels, this.filters],
      initializer: this.kernelInit,
      regularizer: this.kernelRegularizer,
    });
    if (this.useBias)
      this.bias = this.addWeight({ name: 'bias', shape: [this.filters], initializer: this.biasInit, regularizer: this.biasRegularizer });
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    return this.finish(ops.conv2d(x, this.kernel!, this.convOptions()));
  }

  /**
   * The conv2d op's options: window, bias and the fused part of the activation (a relu or none).
   *
   * @example
   * const y = ops.conv2d(x, conv.kernel!, conv.convOptions());
   */
  convOptions(): ops.Conv2dOptions & { activation: 'relu' | 'linear' } {
    return {
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      bias: this.bias,
      activation: this.fusedActivation,
    };
  }

  computeOutputShape(inputShape: Shape): Shape {
    return this.windowOutputShape(inputShape, this.filters);
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      filters: this.filters,
      ...this.windowConfig(),
      kernelInitializer: serializeInitializer(this.kernelInit),
      biasInitializer: serializeInitializer(this.biasInit),
      kernelRegularizer: serializeRegularizer(this.kernelRegularizer),
      biasRegularizer: serializeRegularizer(this.biasRegularizer),
    };
  }
}

registerLayer('Conv2D', (config: Conv2DArgs) => new Conv2D(config));
