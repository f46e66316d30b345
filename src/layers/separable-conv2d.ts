/**
 * SeparableConv2D: a depthwise convolution (kernel [kH, kW, inChannels, depthMultiplier]) then a
 * 1×1 pointwise convolution (kernel [1, 1, inChannels·depthMultiplier, filters]) with the bias
 * and a fusable relu, as Keras. Far fewer weights than a Conv2D of the same shape.
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

export interface SeparableConv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  dilationRate?: number | [number, number];
  /** Depthwise filters per input channel (default 1). */
  depthMultiplier?: number;
  activation?: ActivationName | string;
  useBias?: boolean;
  depthwiseInitializer?: InitializerIdentifier;
  pointwiseInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  /** Only 'channelsLast' (NHWC) is supported. */
  dataFormat?: 'channelsLast';
}

/**
 * A depthwise-separable 2-D convolution layer.
 *
 * @example
 * layers.separableConv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' });
 */
export class SeparableConv2D extends Layer {
  readonly className = 'SeparableConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  readonly depthMultiplier: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  private readonly inits: Record<'depthwise' | 'pointwise' | 'bias', Initializer>;
  depthwiseKernel: Variable | null = null;
  pointwiseKernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(args: SeparableConv2DArgs) {
    super(args, 'separable_conv2d');
    const where = `SeparableConv2D "${this.name}"`;
    const positive = (v: number, name: string) => {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${where}: expected ${name} to be a positive integer, received ${v}`);
      return v;
    };
    if (args.dataFormat !== undefined && args.dataFormat !== 'channelsLast') {
      throw new Error(`${where}: only dataFormat 'channelsLast' (NHWC) is supported, received '${args.dataFormat}'`);
    }
    this.filters = positive(args.filters, 'filters');
    this.depthMultiplier = positive(args.depthMultiplier ?? 1, 'depthMultiplier');
    this.kernelSize = pair(args.kernelSize, 'kernelSize', where);
    this.strides = pair(args.strides ?? 1, 'strides', where);
    this.padding = checkPadding(args.padding ?? 'valid', where);
    this.dilationRate = pair(args.dilationRate ?? 1, 'dilationRate', where);
    this.activation = getActivation(args.activation ?? 'linear', where).name;
    this.useBias = args.useBias ?? true;
    this.inits = {
      depthwise: getInitializer(args.depthwiseInitializer ?? 'glorotUniform', `${where} depthwiseInitializer`),
      pointwise: getInitializer(args.pointwiseInitializer ?? 'glorotUniform', `${where} pointwiseInitializer`),
      bias: getInitializer(args.biasInitializer ?? 'zeros', `${where} biasInitializer`),
    };
  }

  override build(inputShape: Shape): void {
    const channels = inputShape[3];
    if (inputShape.length !== 4 || typeof channels !== 'number') {
      throw new Error(
        `SeparableConv2D "${this.name}": expected input of rank 4 (batch, height, width, channels), received ${showShape(inputShape)}`,
      );
    }
    const middle = channels * this.depthMultiplier;
    this.depthwiseKernel = this.addWeight('depthwise_kernel', [...this.kernelSize, channels, this.depthMultiplier], this.inits.depthwise);
    this.pointwiseKernel = this.addWeight('pointwise_kernel', [1, 1, middle, this.filters], this.inits.pointwise);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], this.inits.bias);
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    const depthwise = ops.depthwiseConv2d(x, this.depthwiseKernel!, {
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
    });
    const fused = this.activation === 'relu' ? 'relu' : 'linear';
    const y = ops.conv2d(depthwise, this.pointwiseKernel!, { bias: this.bias, activation: fused });
    return fused === 'relu' ? y : getActivation(this.activation, this.name).fn(y);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const size = (d: number | null | undefined, i: 0 | 1): number | null =>
      d === null || d === undefined ? null : outputSize(d, this.kernelSize[i], this.strides[i], this.dilationRate[i], this.padding).out;
    return [inputShape[0] ?? null, size(inputShape[1], 0), size(inputShape[2], 1), this.filters];
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channelsLast',
      dilationRate: [...this.dilationRate],
      depthMultiplier: this.depthMultiplier,
      activation: this.activation,
      useBias: this.useBias,
      depthwiseInitializer: serializeInitializer(this.inits.depthwise),
      pointwiseInitializer: serializeInitializer(this.inits.pointwise),
      biasInitializer: serializeInitializer(this.inits.bias),
    };
  }
}

registerLayer('SeparableConv2D', (config) => new SeparableConv2D(config as unknown as SeparableConv2DArgs));
