/**
 * DepthwiseConv2D: each input channel convolved with its own depthMultiplier filters, kernel
 * [kH, kW, inChannels, depthMultiplier], output channels inChannels·depthMultiplier.
 */
import * as ops from '../ops/index.js';
import { checkPadding, outputSize, pair, type Padding } from '../ops/geometry.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';
import { getActivation, type ActivationName } from './activations.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from './initializers.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import { showShape, type Shape } from './shape-types.js';

export interface DepthwiseConv2DArgs extends LayerArgs {
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  /** Filters per input channel (default 1). */
  depthMultiplier?: number;
  dilationRate?: number | [number, number];
  activation?: ActivationName | string;
  useBias?: boolean;
  depthwiseInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  /** Only 'channelsLast' (NHWC) is supported. */
  dataFormat?: 'channelsLast';
}

/**
 * A depthwise 2-D convolution layer.
 *
 * @example
 * layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' });   // [N,H,W,8] → [N,H,W,16]
 */
export class DepthwiseConv2D extends Layer {
  readonly className = 'DepthwiseConv2D';
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly depthMultiplier: number;
  readonly dilationRate: [number, number];
  readonly activation: ActivationName;
  readonly useBias: boolean;
  private readonly depthwiseInit: Initializer;
  private readonly biasInit: Initializer;
  depthwiseKernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(args: DepthwiseConv2DArgs) {
    super(args, 'depthwise_conv2d');
    const where = `DepthwiseConv2D "${this.name}"`;
    if (args.dataFormat !== undefined && args.dataFormat !== 'channelsLast') {
      throw new Error(`${where}: only dataFormat 'channelsLast' (NHWC) is supported, received '${args.dataFormat}'`);
    }
    this.depthMultiplier = args.depthMultiplier ?? 1;
    if (!Number.isInteger(this.depthMultiplier) || this.depthMultiplier <= 0) {
      throw new Error(`${where}: expected depthMultiplier to be a positive integer, received ${this.depthMultiplier}`);
    }
    this.kernelSize = pair(args.kernelSize, 'kernelSize', where);
    this.strides = pair(args.strides ?? 1, 'strides', where);
    this.padding = checkPadding(args.padding ?? 'valid', where);
    this.dilationRate = pair(args.dilationRate ?? 1, 'dilationRate', where);
    this.activation = getActivation(args.activation ?? 'linear', where).name;
    this.useBias = args.useBias ?? true;
    this.depthwiseInit = getInitializer(args.depthwiseInitializer ?? 'glorotUniform', `${where} depthwiseInitializer`);
    this.biasInit = getInitializer(args.biasInitializer ?? 'zeros', `${where} biasInitializer`);
  }

  override build(inputShape: Shape): void {
    const channels = inputShape[3];
    if (inputShape.length !== 4 || typeof channels !== 'number') {
      throw new Error(
        `DepthwiseConv2D "${this.name}": expected input of rank 4 (batch, height, width, channels), received ${showShape(inputShape)}`,
      );
    }
    this.depthwiseKernel = this.addWeight('depthwise_kernel', [...this.kernelSize, channels, this.depthMultiplier], this.depthwiseInit);
    if (this.useBias) this.bias = this.addWeight('bias', [channels * this.depthMultiplier], this.biasInit);
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    let y = ops.depthwiseConv2d(x, this.depthwiseKernel!, {
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
    });
    if (this.bias) y = ops.add(y, this.bias);
    return getActivation(this.activation, this.name).fn(y);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const size = (d: number | null | undefined, i: 0 | 1): number | null =>
      d === null || d === undefined ? null : outputSize(d, this.kernelSize[i], this.strides[i], this.dilationRate[i], this.padding).out;
    const channels = inputShape[3];
    return [
      inputShape[0] ?? null,
      size(inputShape[1], 0),
      size(inputShape[2], 1),
      typeof channels === 'number' ? channels * this.depthMultiplier : null,
    ];
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      depthMultiplier: this.depthMultiplier,
      dataFormat: 'channelsLast',
      dilationRate: [...this.dilationRate],
      activation: this.activation,
      useBias: this.useBias,
      depthwiseInitializer: serializeInitializer(this.depthwiseInit),
      biasInitializer: serializeInitializer(this.biasInit),
    };
  }
}

registerLayer('DepthwiseConv2D', (config) => new DepthwiseConv2D(config as unknown as DepthwiseConv2DArgs));
