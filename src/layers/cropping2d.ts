/**
 * Cropping2D: removes rows and columns from the borders of NHWC feature maps.
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import { showShape, type Shape } from './shape-types.js';
import { spatialPairs, type SpatialPairs } from './spatial-pairs.js';

export interface Cropping2DArgs extends LayerArgs {
  /** n, [h, w] or [[top, bottom], [left, right]] (default 0). */
  cropping?: SpatialPairs;
  /** Only 'channelsLast' (NHWC) is supported. */
  dataFormat?: 'channelsLast';
}

/**
 * Crops height and width.
 *
 * @example
 * layers.cropping2D({ cropping: [[2, 2], [4, 4]] });   // [N, 28, 28, C] → [N, 24, 20, C]
 */
export class Cropping2D extends Layer {
  readonly className = 'Cropping2D';
  readonly cropping: [[number, number], [number, number]];

  constructor(args: Cropping2DArgs = {}) {
    super(args, 'cropping2d');
    const where = `Cropping2D "${this.name}"`;
    if (args.dataFormat !== undefined && args.dataFormat !== 'channelsLast') {
      throw new Error(`${where}: only dataFormat 'channelsLast' (NHWC) is supported, received '${args.dataFormat}'`);
    }
    this.cropping = spatialPairs(args.cropping ?? 0, 'cropping', where);
  }

  override build(inputShape: Shape): void {
    const [[top, bottom], [left, right]] = this.cropping;
    const [, h, w] = inputShape;
    const tooMuch = (d: number | null | undefined, by: number) => typeof d === 'number' && d - by <= 0;
    if (inputShape.length !== 4 || tooMuch(h, top + bottom) || tooMuch(w, left + right)) {
      throw new Error(
        `Cropping2D "${this.name}": expected an input of rank 4 larger than the cropping ${JSON.stringify(this.cropping)}, received ${showShape(inputShape)}`,
      );
    }
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    const [[top, bottom], [left, right]] = this.cropping;
    return ops.slice(x, [0, top, left, 0], [-1, x.shape[1]! - top - bottom, x.shape[2]! - left - right, -1]);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const [[top, bottom], [left, right]] = this.cropping;
    const shrink = (d: number | null | undefined, by: number) => (d === null || d === undefined ? null : d - by);
    return [inputShape[0] ?? null, shrink(inputShape[1], top + bottom), shrink(inputShape[2], left + right), inputShape[3] ?? null];
  }

  override getConfig(): LayerConfig {
    const [rows, cols] = this.cropping;
    return { ...super.getConfig(), cropping: [[...rows], [...cols]], dataFormat: 'channelsLast' };
  }
}

registerLayer('Cropping2D', (config: Cropping2DArgs) => new Cropping2D(config));
