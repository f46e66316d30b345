/**
 * MaxPooling2D and AveragePooling2D over NHWC input (Keras defaults: poolSize 2, strides =
 * poolSize, padding 'valid').
 */
import * as ops from '../ops/index.js';
import { checkPadding, outputSize, pair, type Padding } from '../ops/geometry.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './shape-types.js';

export interface Pooling2DArgs extends LayerArgs {
  poolSize?: number | [number, number];
  strides?: number | [number, number] | null;
  padding?: Padding;
  dataFormat?: 'channelsLast';
}

abstract class Pooling2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;

  constructor(args: Pooling2DArgs, prefix: string) {
    super(args, prefix);
    const where = `${prefix} "${this.name}"`;
    this.poolSize = pair(args.poolSize ?? 2, 'poolSize', where);
    this.strides = pair(args.strides ?? this.poolSize, 'strides', where);
    this.padding = checkPadding(args.padding ?? 'valid', where);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const size = (d: number | null, i: 0 | 1): number | null =>
      d === null ? null : outputSize(d, this.poolSize[i], this.strides[i], 1, this.padding).out;
    return [inputShape[0] ?? null, size(inputShape[1] ?? null, 0), size(inputShape[2] ?? null, 1), inputShape[3] ?? null];
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      poolSize: [...this.poolSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channelsLast',
    };
  }
}

/**
 * Max pooling. @example layers.maxPooling2d({ poolSize: 2 })
 */
export class MaxPooling2D extends Pooling2D {
  readonly className = 'MaxPooling2D';
  constructor(args: Pooling2DArgs = {}) {
    super(args, 'max_pooling2d');
  }
  call(x: Tensor): Tensor {
    return ops.maxPool2d(x, { poolSize: this.poolSize, strides: this.strides, padding: this.padding });
  }
}

/**
 * Average pooling. @example layers.averagePooling2d({ poolSize: 2 })
 */
export class AveragePooling2D extends Pooling2D {
  readonly className = 'AveragePooling2D';
  constructor(args: Pooling2DArgs = {}) {
    super(args, 'average_pooling2d');
  }
  call(x: Tensor): Tensor {
    return ops.avgPool2d(x, { poolSize: this.poolSize, strides: this.strides, padding: this.padding });
  }
}

registerLayer('MaxPooling2D', (config: Pooling2DArgs) => new MaxPooling2D(config));
registerLayer('AveragePooling2D', (config: Pooling2DArgs) => new AveragePooling2D(config));
