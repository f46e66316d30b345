/**
 * Conv2DTranspose ("deconvolution"): the adjoint of Conv2D, upsampling by the strides. The kernel
 * is stored as Keras stores it, [kH, kW, filters, inChannels]; output sizes follow Keras's
 * formula ('valid': n·s + max(k − s, 0), 'same': n·s; with outputPadding p: (n − 1)·s + k + p,
 * less 2·⌊k/2⌋ for 'same').
 */
import * as ops from '../ops/index.js';
import { checkPadding, outputPaddingPair, pair, transposeOutputSize, type Padding } from '../ops/geometry.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';
import { getActivation, type ActivationName } from './activations.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from './initializers.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import { showShape, type Shape } from './shape-types.js';

export interface Conv2DTransposeArgs extends LayerArgs {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  /** Extra rows/columns at the bottom/right, each less than the stride (none by default). */
  outputPadding?: number | [number, number] | null;
  activation?: ActivationName | string;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  /** Only 'channelsLast' (NHWC) is supported. */
  dataFormat?: 'channelsLast';
}

/**
 * A transposed 2-D convolution layer.
 *
 * @example
 * layers.conv2dTranspose({ filters: 32, kernelSize: 3, strides: 2, padding: 'same' });   // [N,7,7,C] → [N,14,14,32]
 */
export class Conv2DTranspose extends Layer {
  readonly className = 'Conv2DTranspose';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly outputPadding: [number, number] | null;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(args: Conv2DTransposeArgs) {
    super(args, 'conv2d_transpose');
    const where = `Conv2DTranspose "${this.name}"`;
    if (!Number.isInteger(args.filters) || args.filters <= 0) {
      throw new Error(`${where}: expected filters to be a positive integer, received ${args.filters}`);
    }
    if (args.dataFormat !== undefined && args.dataFormat !== 'channelsLast') {
      throw new Error(`${where}: only dataFormat 'channelsLast' (NHWC) is supported, received '${args.dataFormat}'`);
    }
    this.filters = args.filters;
    this.kernelSize = pair(args.kernelSize, 'kernelSize', where);
    this.strides = pair(args.strides ?? 1, 'strides', where);
    this.padding = checkPadding(args.padding ?? 'valid', where);
    this.outputPadding = outputPaddingPair(args.outputPadding, this.strides, where);
    this.activation = getActivation(args.activation ?? 'linear', where).name;
    this.useBias = args.useBias ?? true;
    this.kernelInit = getInitializer(args.kernelInitializer ?? 'glorotUniform', `${where} kernelInitializer`);
    this.biasInit = getInitializer(args.biasInitializer ?? 'zeros', `${where} biasInitializer`);
  }

  override build(inputShape: Shape): void {
    const channels = inputShape[3];
    if (inputShape.length !== 4 || typeof channels !== 'number') {
      throw new Error(
        `Conv2DTranspose "${this.name}": expected input of rank 4 (batch, height, width, channels), received ${showShape(inputShape)}`,
      );
    }
    this.computeOutputShape(inputShape); // refuses sizes Keras's formula cannot serve
    this.kernel = this.addWeight('kernel', [...this.kernelSize, this.filters, channels], this.kernelInit);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], this.biasInit);
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    let y = ops.conv2dTranspose(x, this.kernel!, { strides: this.strides, padding: this.padding, outputPadding: this.outputPadding });
    if (this.bias) y = ops.add(y, this.bias);
    return getActivation(this.activation, this.name).fn(y);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const where = `Conv2DTranspose "${this.name}"`;
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
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      outputPadding: this.outputPadding ? [...this.outputPadding] : null,
      dataFormat: 'channelsLast',
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInit),
      biasInitializer: serializeInitializer(this.biasInit),
    };
  }
}

registerLayer('Conv2DTranspose', (config) => new Conv2DTranspose(config as unknown as Conv2DTransposeArgs));
