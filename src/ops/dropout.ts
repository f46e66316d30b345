/**
 * Dropout, composed: x times a random mask of 0 and 1/(1 − rate) ("inverted" dropout, so the
 * expected value is unchanged and inference needs no rescaling). The gradient comes from `mul`.
 */
import { kernels } from '../backends/index.js';
import { allocFloat32 } from '../tensor/buffer-pool.js';
import { Tensor } from '../tensor/tensor.js';
import { globalRandom, type Random } from '../tensor/random.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { mul } from './elementwise.js';

export interface DropoutOptions {
  /**
   * Shape of the mask, broadcast against x: 1 on an axis shares one draw along it (e.g.
   * [N, 1, 1, C] drops whole channels); null takes x's size. Defaults to x's shape.
   */
  noiseShape?: readonly (number | null)[] | null;
  /** Generator of the mask; defaults to the library-wide one (`setSeed`). */
  rng?: Random;
}

/**
 * Zeroes each element (or each mask cell) with probability `rate` and scales the rest by 1/(1 − rate).
 *
 * @example
 * const y = dropout(x, 0.5, { rng: new Random(1) });
 */
export function dropout(x: Tensor, rate: number, options: DropoutOptions = {}): Tensor {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: expected rate in [0, 1), received ${rate}`);
  const given = options.noiseShape ?? x.shape;
  const shape = given.map((d, i) => d ?? x.shape[i]!);
  if (shape.length !== x.rank || !shape.every((d, i) => d === 1 || d === x.shape[i])) {
    throw new Error(
      `dropout: noiseShape ${JSON.stringify(given)} does not fit the input ${formatShape(x.shape)}: each size must be 1, null or the input's`,
    );
  }
  if (rate === 0) return x;
  const rng = options.rng ?? globalRandom;
  const keep = 1 / (1 - rate);
  // Pooled inside fit's per-batch scope (fresh pages cost more than drawing the mask).
  const mask = x.dtype === 'float64' ? new Float64Array(sizeOf(shape)) : allocFloat32(sizeOf(shape), false);
  rng.withState((state) => kernels().dropoutMask(mask, state, rate, keep));
  return mul(x, new Tensor(mask, shape));
}
