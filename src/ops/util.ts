/**
 * Shared helpers for ops: turning numbers into tensors, dtype agreement, and the error format
 * every argument check uses.
 */
import type { FloatArray } from '../backends/kernels.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';

/** A tensor or a plain number (made into a scalar of the other operand's dtype). */
export type Operand = Tensor | number;

/** The float data of a tensor, with an error naming the op if it is int32. */
export function floatsOf(t: Tensor, op: string, arg: string): FloatArray {
  if (t.dtype === 'int32') {
    throw new Error(`${op}: expected ${arg} to be float32 or float64, received int32 ${formatShape(t.shape)}`);
  }
  return t.data as FloatArray;
}

/** Makes a scalar tensor of the given float dtype. */
export function scalarLike(value: number, like: Tensor): Tensor {
  return new Tensor(like.dtype === 'float64' ? new Float64Array([value]) : new Float32Array([value]), []);
}

/** Resolves two operands to tensors of one float dtype. */
export function operands(a: Operand, b: Operand, op: string): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') {
    return [new Tensor(new Float32Array([a]), []), new Tensor(new Float32Array([b]), [])];
  }
  const ta = typeof a === 'number' ? scalarLike(a, b as Tensor) : a;
  const tb = typeof b === 'number' ? scalarLike(b, ta) : b;
  floatsOf(ta, op, 'a');
  floatsOf(tb, op, 'b');
  if (ta.dtype !== tb.dtype) {
    throw new Error(`${op}: operands must have the same dtype, received ${ta.dtype} and ${tb.dtype}`);
  }
  return [ta, tb];
}

/** Wraps a float buffer as a tensor. */
export function wrap(data: FloatArray, shape: readonly number[]): Tensor {
  return new Tensor(data, shape);
}
