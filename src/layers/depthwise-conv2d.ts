/**
 * DepthwiseConv2D: each input channel convolved with its own depthMultiplier filters, kernel
 * [kH, kW, inChannels, depthMultiplier], output channels inChannels·depthMultiplier. Bias and a
 * linear, relu or relu6 activation run in the kernel's epilogue (other activations after it).
 */
import type { DepthwiseActivation } from '../backends/kernels.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';
import type { ActivationName } from './activations.js';
import { ConvLayer, positiveInteger, type WindowArgs } from './conv-layer.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from './initializers.js';
import type { LayerArgs, LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './shape-types.js';

/** The activation the depthwise kernel's epilogue applies for the layer's, or null when it runs after the op. */
function epilogueOf(activation: ActivationName): DepthwiseActivation | null {
  return activation === 'linear' || activation === 'relu' || activation === 'relu6' ? activation : null;
}

export interface DepthwiseConv2DArgs extends LayerArgs, WindowArgs {
  /** Filters per input channel (default 1). */
  depthMultiplier?: number;
  depthwiseInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
}

/**
 * A depthwise 2-D convolution layer.
 *
 * @example
 * layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' });   // [N,H,W,8] → [N,H,W,16]
 */
export class DepthwiseConv2D extends ConvLayer {
  readonly className = 'DepthwiseConv2D';
  readonly depthMultiplier: number;
  private readonly depthwiseInit: Initializer;
  private readonly biasInit: Initializer;
  depthwiseKernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(args: DepthwiseConv2DArgs) {
    super(args, 'depthwise_conv2d', 'DepthwiseConv2D');
    this.depthMultiplier = positiveInteger(args.depthMultiplier ?? 1, 'depthMultiplier', this.where);
    this.depthwiseInit = getInitializer(args.depthwiseInitializer ?? 'glorotUniform', `${this.where} depthwiseInitializer`);
    this.biasInit = getInitializer(args.biasInitializer ?? 'zeros', `${this.where} biasInitializer`);
  }

  override build(inputShape: Shape): void {
    const channels = this.inputChannels(inputShape);
    this.depthwiseKernel = this.addWeight({
      name: 'depthwise_kernel',
      shape: [...this.kernelSize, channels, this.depthMultiplier],
      initializer: this.depthwiseInit,
    });
    if (this.useBias) this.bias = this.addWeight({ name: 'bias', shape: [channels * this.depthMultiplier], initializer: this.biasInit });
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    const y = ops.depthwiseConv2d(x, this.depthwiseKernel!, this.depthwiseOptions());
    return epilogueOf(this.activation) ? y : this.activate(y);
  }

  /**
   * The depthwiseConv2d op's options: window, bias, and the activation when the epilogue can
   * apply it (other activations run after the op).
   *
   * @example
   * const y = ops.depthwiseConv2d(x, layer.depthwiseKernel!, layer.depthwiseOptions());
   */
  depthwiseOptions(): ops.DepthwiseConv2dOptions {
    return {
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      bias: this.bias,
      activation: epilogueOf(this.activation) ?? 'linear',
    };
  }

  computeOutputShape(inputShape: Shape): Shape {
    const channels = inputShape[3];
    return this.windowOutputShape(inputShape, typeof channels === 'number' ? channels * this.depthMultiplier : null);
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      ...this.windowConfig(),
      depthMultiplier: this.depthMultiplier,
      depthwiseInitializer: serializeInitializer(this.depthwiseInit),
      biasInitializer: serializeInitializer(this.biasInit),
    };
  }
}

registerLayer('DepthwiseConv2D', (config: DepthwiseConv2DArgs) => new DepthwiseConv2D(config));
