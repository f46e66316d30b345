/**
 * Cutting datasets into batches: contiguous row ranges as zero-copy views, shuffled rows as
 * copies. A "row" is one sample: everything after the first axis.
 */
import { allocFloat32, allocInt32 } from '../tensor/buffer-pool.js';
import { Tensor } from '../tensor/tensor.js';

/** Samples [start, end) of x, sharing x's buffer. */
export function sliceRows(x: Tensor, start: number, end: number): Tensor {
  const row = x.size / x.shape[0]!;
  return new Tensor(x.values().subarray(start * row, end * row), [end - start, ...x.shape.slice(1)]);
}

/** Samples order[start..end) of x, copied into a new tensor. */
export function takeRows(x: Tensor, order: Int32Array, start: number, end: number): Tensor {
  const row = x.size / x.shape[0]!;
  const size = (end - start) * row;
  const values = x.values();
  const out =
    values instanceof Float32Array ? allocFloat32(size) : values instanceof Int32Array ? allocInt32(size) : new Float64Array(size);
  for (let i = start; i < end; i++) {
    const src = order[i]! * row;
    out.set(values.subarray(src, src + row), (i - start) * row);
  }
  return new Tensor(out, [end - start, ...x.shape.slice(1)]);
}
