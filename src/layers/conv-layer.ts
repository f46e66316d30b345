/**
 * ConvLayer: what the convolution layers (Conv2D, DepthwiseConv2D, SeparableConv2D,
 * Conv2DTranspose) share: their window options resolved and checked (NHWC only), the rank-4
 * input check, the config entries, and applying an activation that the kernel did not fuse.
 */
import { checkPadding, outputSize, pair, type Padding } from '../ops/geometry.js';
import type { Tensor } from '../tensor/tensor.js';
import { getActivation, type ActivationName } from './activations.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { showShape, type Shape } from './shape-types.js';

/** The window options as users write them. */
export interface WindowArgs {
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  dilationRate?: number | [number, number];
  activation?: ActivationName | string;
  useBias?: boolean;
  /** Only 'channelsLast' (NHWC) is supported. */
  dataFormat?: 'channelsLast';
}

/** The window options resolved and checked. */
interface Window {
  kernelSize: [number, number];
  strides: [number, number];
  padding: Padding;
  dilationRate: [number, number];
  activation: ActivationName;
  useBias: boolean;
}

/** Throws unless `value` is a positive integer. */
export function positiveInteger(value: number, name: string, where: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${where}: expected ${name} to be a positive integer, received ${value}`);
  return value;
}

/** Resolves the shared options (Keras defaults: strides 1, 'valid', dilation 1, linear, bias). */
function resolveWindow(args: WindowArgs, where: string): Window {
  if (args.dataFormat !== undefined && args.dataFormat !== 'channelsLast') {
    throw new Error(`${where}: only dataFormat 'channelsLast' (NHWC) is supported, received '${args.dataFormat}'`);
  }
  return {
    kernelSize: pair(args.kernelSize, 'kernelSize', where),
    strides: pair(args.strides ?? 1, 'strides', where),
    padding: checkPadding(args.padding ?? 'valid', where),
    dilationRate: pair(args.dilationRate ?? 1, 'dilationRate', where),
    activation: getActivation(args.activation ?? 'linear', where).name,
    useBias: args.useBias ?? true,
  };
}

/** Base class of the convolution layers. */
export abstract class ConvLayer extends Layer {
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  readonly activation: ActivationName;
  readonly useBias: boolean;
  /** `Conv2D "conv2d_1"`: how errors name this layer. */
  protected readonly where: string;

  constructor(args: WindowArgs & LayerArgs, prefix: string, classLabel: string) {
    super(args, prefix);
    this.where = `${classLabel} "${this.name}"`;
    const w = resolveWindow(args, this.where);
    this.kernelSize = w.kernelSize;
    this.strides = w.strides;
    this.padding = w.padding;
    this.dilationRate = w.dilationRate;
    this.activation = w.activation;
    this.useBias = w.useBias;
  }

  /** The channel count of a rank-4 NHWC input shape, or a clear error. */
  protected inputChannels(inputShape: Shape): number {
    const channels = inputShape[3];
    if (inputShape.length !== 4 || typeof channels !== 'number') {
      throw new Error(`${this.where}: expected input of rank 4 (batch, height, width, channels), received ${showShape(inputShape)}`);
    }
    return channels;
  }

  /** The epilogue the kernel fuses: relu, or nothing (other activations run after). */
  protected get fusedActivation(): 'relu' | 'linear' {
    return this.activation === 'relu' ? 'relu' : 'linear';
  }

  /** Applies the activation (for kernels without an epilogue). */
  protected activate(y: Tensor): Tensor {
    return this.activation === 'linear' ? y : getActivation(this.activation, this.where).fn(y);
  }

  /** Applies the activation unless the kernel already fused it (see fusedActivation). */
  protected finish(y: Tensor): Tensor {
    return this.fusedActivation === 'relu' ? y : this.activate(y);
  }

  /** [batch, outHeight, outWidth, channels] for a forward (strided, dilated) window. */
  protected windowOutputShape(inputShape: Shape, channels: number | null): Shape {
    const size = (d: number | null | undefined, i: 0 | 1): number | null =>
      d === null || d === undefined ? null : outputSize(d, this.kernelSize[i], this.strides[i], this.dilationRate[i], this.padding).out;
    return [inputShape[0] ?? null, size(inputShape[1], 0), size(inputShape[2], 1), channels];
  }

  /** The window's config entries (Keras's order). */
  protected windowConfig(): LayerConfig {
    return {
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channelsLast',
      dilationRate: [...this.dilationRate],
      activation: this.activation,
      useBias: this.useBias,
    };
  }
}
