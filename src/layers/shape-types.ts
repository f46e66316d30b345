/**
 * Symbolic shapes as Keras prints them: the batch dimension (and any unknown one) is null.
 */
import { formatShape } from '../tensor/shape.js';

/** A shape whose unknown dimensions (the batch) are null, e.g. [null, 28, 28, 1]. */
export type Shape = (number | null)[];

/** Keras's formatting of a symbolic shape: `(None, 28, 28, 1)`. */
export function showShape(shape: readonly (number | null)[]): string {
  return formatShape(shape);
}
