/**
 * GlobalAveragePooling2D and GlobalMaxPooling2D: [N, H, W, C] → [N, C] (or [N, 1, 1, C] with
 * `keepdims`), the mean or the maximum of each channel over all positions. The max's gradient
 * goes to the maximal positions, split evenly between ties.
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import { showShape, type Shape } from './shape-types.js';

export interface GlobalPooling2DArgs extends LayerArgs {
  /** Keep the spatial axes as size 1 (Keras 3 `keepdims`). */
  keepdims?: boolean;
  /** Only 'channelsLast' (NHWC) is supported. */
  dataFormat?: 'channelsLast';
}

abstract class GlobalPooling2D extends Layer {
  readonly keepdims: boolean;

  constructor(args: GlobalPooling2DArgs, prefix: string) {
    super(args, prefix);
    this.keepdims = args.keepdims ?? false;
    if (args.dataFormat !== undefined && args.dataFormat !== 'channelsLast') {
      throw new Error(`${this.name}: only dataFormat 'channelsLast' (NHWC) is supported, received '${args.dataFormat}'`);
    }
  }

  override build(inputShape: Shape): void {
    if (inputShape.length !== 4) {
      throw new Error(
        `${this.className} "${this.name}": expected input of rank 4 (batch, height, width, channels), received ${showShape(inputShape)}`,
      );
    }
    super.build(inputShape);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const [batch = null, , , channels = null] = inputShape;
    return this.keepdims ? [batch, 1, 1, channels] : [batch, channels];
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), keepdims: this.keepdims, dataFormat: 'channelsLast' };
  }
}

/**
 * The mean of each channel. @example layers.globalAveragePooling2d()   // [N, 7, 7, 64] → [N, 64]
 */
export class GlobalAveragePooling2D extends GlobalPooling2D {
  readonly className = 'GlobalAveragePooling2D';
  constructor(args: GlobalPooling2DArgs = {}) {
    super(args, 'global_average_pooling2d');
  }
  call(x: Tensor): Tensor {
    return ops.mean(x, [1, 2], this.keepdims);
  }
}

/**
 * The maximum of each channel. @example layers.globalMaxPooling2d({ keepdims: true })   // → [N, 1, 1, C]
 */
export class GlobalMaxPooling2D extends GlobalPooling2D {
  readonly className = 'GlobalMaxPooling2D';
  constructor(args: GlobalPooling2DArgs = {}) {
    super(args, 'global_max_pooling2d');
  }
  call(x: Tensor): Tensor {
    return ops.max(x, [1, 2], this.keepdims);
  }
}

registerLayer('GlobalAveragePooling2D', (config: GlobalPooling2DArgs) => new GlobalAveragePooling2D(config));
registerLayer('GlobalMaxPooling2D', (config: GlobalPooling2DArgs) => new GlobalMaxPooling2D(config));
