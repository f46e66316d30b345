/**
 * UpSampling2D: repeats rows and columns of NHWC feature maps ('nearest'), or interpolates them
 * ('bilinear', with TensorFlow's half-pixel centres as Keras uses). Both are compositions of
 * differentiable ops: nearest is reshape → broadcastTo → reshape; bilinear multiplies each spatial
 * axis by a fixed [out, in] interpolation matrix.
 */
import * as ops from '../ops/index.js';
import { pair } from '../ops/geometry.js';
import { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import { showShape, type Shape } from './shape-types.js';

export interface UpSampling2DArgs extends LayerArgs {
  /** Factor for rows and columns: n or [h, w] (default 2). */
  size?: number | [number, number];
  interpolation?: 'nearest' | 'bilinear';
  /** Only 'channelsLast' (NHWC) is supported. */
  dataFormat?: 'channelsLast';
}

/** Weights [inSize·scale, inSize] of half-pixel bilinear interpolation along one axis. */
function bilinearMatrix(inSize: number, scale: number, like: Tensor): Tensor {
  const outSize = inSize * scale;
  const m = like.dtype === 'float64' ? new Float64Array(outSize * inSize) : new Float32Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const src = Math.max(0, (o + 0.5) / scale - 0.5);
    const lo = Math.min(Math.floor(src), inSize - 1);
    const hi = Math.min(lo + 1, inSize - 1);
    const frac = src - lo;
    m[o * inSize + lo] += 1 - frac;
    m[o * inSize + hi] += frac;
  }
  return new Tensor(m, [outSize, inSize]);
}

/** Applies matrix [out, in] along `axis` of x. */
function alongAxis(x: Tensor, axis: number, matrix: Tensor): Tensor {
  const perm = [axis, ...[...x.shape.keys()].filter((i) => i !== axis)];
  const moved = ops.transpose(x, perm);
  const flat = ops.reshape(moved, [x.shape[axis]!, -1]);
  const mixed = ops.reshape(ops.matmul(matrix, flat), [matrix.shape[0]!, ...moved.shape.slice(1)]);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return ops.transpose(mixed, inverse);
}

/**
 * Upsamples height and width by integer factors.
 *
 * @example
 * layers.upSampling2d({ size: 2 });                              // [N, 7, 7, C] → [N, 14, 14, C]
 * layers.upSampling2d({ size: [2, 3], interpolation: 'bilinear' });
 */
export class UpSampling2D extends Layer {
  readonly className = 'UpSampling2D';
  readonly size: [number, number];
  readonly interpolation: 'nearest' | 'bilinear';

  constructor(args: UpSampling2DArgs = {}) {
    super(args, 'up_sampling2d');
    const where = `UpSampling2D "${this.name}"`;
    this.size = pair(args.size ?? 2, 'size', where);
    this.interpolation = args.interpolation ?? 'nearest';
    if (this.interpolation !== 'nearest' && this.interpolation !== 'bilinear') {
      throw new Error(`${where}: expected interpolation 'nearest' or 'bilinear', received '${String(this.interpolation)}'`);
    }
    if (args.dataFormat !== undefined && args.dataFormat !== 'channelsLast') {
      throw new Error(`${where}: only dataFormat 'channelsLast' (NHWC) is supported, received '${args.dataFormat}'`);
    }
  }

  override build(inputShape: Shape): void {
    if (inputShape.length !== 4) {
      throw new Error(
        `UpSampling2D "${this.name}": expected input of rank 4 (batch, height, width, channels), received ${showShape(inputShape)}`,
      );
    }
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    const [, h, w] = x.shape as [number, number, number, number];
    const [sh, sw] = this.size;
    if (this.interpolation === 'bilinear') {
      return alongAxis(alongAxis(x, 1, bilinearMatrix(h, sh, x)), 2, bilinearMatrix(w, sw, x));
    }
    return ops.upSample2d(x, sh, sw);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const times = (d: number | null | undefined, by: number) => (d === null || d === undefined ? null : d * by);
    return [inputShape[0] ?? null, times(inputShape[1], this.size[0]), times(inputShape[2], this.size[1]), inputShape[3] ?? null];
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), size: [...this.size], interpolation: this.interpolation, dataFormat: 'channelsLast' };
  }
}

registerLayer('UpSampling2D', (config: UpSampling2DArgs) => new UpSampling2D(config));
