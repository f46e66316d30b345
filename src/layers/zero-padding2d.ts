/**
 * ZeroPadding2D: adds rows and columns of zeros around NHWC feature maps.
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import { showShape, type Shape } from './shape-types.js';
import { spatialPairs, type SpatialPairs } from './spatial-pairs.js';

export interface ZeroPadding2DArgs extends LayerArgs {
  /** n, [h, w] or [[top, bottom], [left, right]] (default 1). */
  padding?: SpatialPairs;
  /** Only 'channelsLast' (NHWC) is supported. */
  dataFormat?: 'channelsLast';
}

/**
 * Pads height and width with zeros.
 *
 * @example
 * layers.zeroPadding2d({ padding: [[1, 0], [1, 0]] });   // [N, 28, 28, C] → [N, 29, 29, C]
 */
export class ZeroPadding2D extends Layer {
  readonly className = 'ZeroPadding2D';
  readonly padding: [[number, number], [number, number]];

  constructor(args: ZeroPadding2DArgs = {}) {
    super(args, 'zero_padding2d');
    const where = `ZeroPadding2D "${this.name}"`;
    if (args.dataFormat !== undefined && args.dataFormat !== 'channelsLast') {
      throw new Error(`${where}: only dataFormat 'channelsLast' (NHWC) is supported, received '${args.dataFormat}'`);
    }
    this.padding = spatialPairs(args.padding ?? 1, 'padding', where);
  }

  override build(inputShape: Shape): void {
    if (inputShape.length !== 4) {
      throw new Error(
        `ZeroPadding2D "${this.name}": expected input of rank 4 (batch, height, width, channels), received ${showShape(inputShape)}`,
      );
    }
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    const [rows, cols] = this.padding;
    return ops.pad(x, [[0, 0], rows, cols, [0, 0]]);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const [[top, bottom], [left, right]] = this.padding;
    const grow = (d: number | null | undefined, by: number) => (d === null || d === undefined ? null : d + by);
    return [inputShape[0] ?? null, grow(inputShape[1], top + bottom), grow(inputShape[2], left + right), inputShape[3] ?? null];
  }

  override getConfig(): LayerConfig {
    const [rows, cols] = this.padding;
    return { ...super.getConfig(), padding: [[...rows], [...cols]], dataFormat: 'channelsLast' };
  }
}

registerLayer('ZeroPadding2D', (config: ZeroPadding2DArgs) => new ZeroPadding2D(config));
