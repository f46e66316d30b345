/**
 * Conv2D over NHWC input with an HWIO kernel [kH, kW, inChannels, filters]; bias and relu are
 * fused into the convolution kernel.
 */
import * as ops from '../ops/index.js';
import { checkPadding, outputSize, pair, type Padding } from '../ops/geometry.js';
import { getRegularizer, serializeRegularizer, type Regularizer, type RegularizerIdentifier } from '../regularizers/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';
import { getActivation, type ActivationName } from './activations.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from './initializers.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import { showShape, type Shape } from './shape-types.js';

export interface Conv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  dilationRate?: number | [number, number];
  activation?: ActivationName | string;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  /** Penalty on the kernel added to the training loss, e.g. `regularizers.l2(1e-4)` or 'l2'. */
  kernelRegularizer?: RegularizerIdentifier | null;
  /** Penalty on the bias added to the training loss. */
  biasRegularizer?: RegularizerIdentifier | null;
  /** Only 'channelsLast' (NHWC) is supported. */
  dataFormat?: 'channelsLast';
}

/**
 * A 2-D convolution layer.
 *
 * @example
 * layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] });
 */
export class Conv2D extends Layer {
  readonly className = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  readonly activation: ActivationName;
  readonly useBias: boolean;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  private readonly kernelRegularizer: Regularizer | null;
  private readonly biasRegularizer: Regularizer | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(args: Conv2DArgs) {
    super(args, 'conv2d');
    const where = `Conv2D "${this.name}"`;
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
    this.dilationRate = pair(args.dilationRate ?? 1, 'dilationRate', where);
    this.activation = getActivation(args.activation ?? 'linear', where).name;
    this.useBias = args.useBias ?? true;
    this.kernelInit = getInitializer(args.kernelInitializer ?? 'glorotUniform', `${where} kernelInitializer`);
    this.biasInit = getInitializer(args.biasInitializer ?? 'zeros', `${where} biasInitializer`);
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `${where} kernelRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `${where} biasRegularizer`);
  }

  override build(inputShape: Shape): void {
    const channels = inputShape[3];
    if (inputShape.length !== 4 || typeof channels !== 'number') {
      throw new Error(
        `Conv2D "${this.name}": expected input of rank 4 (batch, height, width, channels), received ${showShape(inputShape)}`,
      );
    }
    this.kernel = this.addWeight('kernel', [...this.kernelSize, channels, this.filters], this.kernelInit, true, this.kernelRegularizer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], this.biasInit, true, this.biasRegularizer);
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    const fused = this.activation === 'relu' ? 'relu' : 'linear';
    const y = ops.conv2d(x, this.kernel!, {
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      bias: this.bias,
      activation: fused,
    });
    return fused === 'relu' ? y : getActivation(this.activation, this.name).fn(y);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const size = (d: number | null, i: 0 | 1): number | null =>
      d === null ? null : outputSize(d, this.kernelSize[i], this.strides[i], this.dilationRate[i], this.padding).out;
    return [inputShape[0] ?? null, size(inputShape[1] ?? null, 0), size(inputShape[2] ?? null, 1), this.filters];
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
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInit),
      biasInitializer: serializeInitializer(this.biasInit),
      kernelRegularizer: serializeRegularizer(this.kernelRegularizer),
      biasRegularizer: serializeRegularizer(this.biasRegularizer),
    };
  }
}

registerLayer('Conv2D', (config) => new Conv2D(config as unknown as Conv2DArgs));
