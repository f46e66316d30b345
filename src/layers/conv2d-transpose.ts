/**
 * Conv2DTranspose ("deconvolution"): the adjoint of Conv2D, upsampling by the strides. The kernel
 * is stored as Keras stores it, [kH, kW, filters, inChannels]; output sizes follow Keras's
 * formula ('valid': n·s + max(k − s, 0), 'same': n·s; with outputPadding p: (n − 1)·s + k + p,
 * less 2·⌊k/2⌋ for 'same').
 */
import * as ops from '../ops/index.js';
import { outputPaddingPair, transposeOutputSize } from '../ops/geometry.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';
import { ConvLayer, positiveInteger, type WindowArgs } from './conv-layer.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from './initializers.js';
import type { LayerArgs, LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './shape-types.js';

export interface Conv2DTransposeArgs extends LayerArgs, WindowArgs {
  filters: number;
  /** Extra rows/columns at the bottom/right, each less than the stride (none by default). */
  outputPadding?: number | [number, number] | null;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
}

/**
 * A transposed 2-D convolution layer.
 *
 * @example
 * layers.conv2dTranspose({ filters: 32, kernelSize: 3, strides: 2, padding: 'same' });   // [N,7,7,C] → [N,14,14,32]
 */
export class Conv2DTranspose extends ConvLayer {
  readonly className = 'Conv2DTranspose';
  readonly filters: number;
  readonly outputPadding: [number, number] | null;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(args: Conv2DTransposeArgs) {
    super(args, 'conv2d_transpose', 'Conv2DTranspose');
    const where = this.where;
    if (this.dilationRate[0] !== 1 || this.dilationRate[1] !== 1) {
      throw new Error(`${where}: dilationRate other than 1 is not supported, received [${this.dilationRate.join(', ')}]`);
    }
    this.filters = positiveInteger(args.filters, 'filters', where);
    this.outputPadding = outputPaddingPair(args.outputPadding, this.strides, where);
    this.kernelInit = getInitializer(args.kernelInitializer ?? 'glorotUniform', `${where} kernelInitializer`);
    this.biasInit = getInitializer(args.biasInitializer ?? 'zeros', `${where} biasInitializer`);
  }

  override build(inputShape: Shape): void {
    const channels = this.inputChannels(inputShape);
    this.computeOutputShape(inputShape); // refuses sizes Keras's formula cannot serve
    this.kernel = this.addWeight({ name: 'kernel', shape: [...this.kernelSize, this.filters, channels], initializer: this.kernelInit });
    if (this.useBias) this.bias = this.addWeight({ name: 'bias', shape: [this.filters], initializer: this.biasInit });
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    let y = ops.conv2dTranspose(x, this.kernel!, { strides: this.strides, padding: this.padding, outputPadding: this.outputPadding });
    if (this.bias) y = ops.add(y, this.bias);
    return this.activate(y);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const where = this.where;
    const size = (d: number | null | undefined, i: 0 | 1): number | null =>
      d === null || d === undefined
        ? null
        : transposeOutputSize(d, this.kernelSize[i], this.strides[i], this.padding, this.outputPadding?.[i] ?? null, where).out;
    return [inputShape[0] ?? null, size(inputShape[1], 0), size(inputShape[2], 1), this.filters];
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      filters: this.filters,
      ...this.windowConfig(),
      outputPadding: this.outputPadding ? [...this.outputPadding] : null,
      kernelInitializer: serializeInitializer(this.kernelInit),
      biasInitializer: serializeInitializer(this.biasInit),
    };
  }
}

registerLayer('Conv2DTranspose', (config: Conv2DTransposeArgs) => new Conv2DTranspose(config));
