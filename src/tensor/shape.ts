/**
 * Shape helpers: sizes, formatting, broadcasting and axis normalisation. Pure functions on
 * `number[]`, shared by ops, layers and kernels.
 */

/** Number of elements of a shape. @example sizeOf([2, 3]) // 6 */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Formats a shape as Keras does: `[null, 28, 28, 1]` → `(None, 28, 28, 1)`. */
export function formatShape(shape: readonly (number | null)[]): string {
  if (shape.length === 1) return `(${shape[0] ?? 'None'},)`;
  return `(${shape.map((d) => d ?? 'None').join(', ')})`;
}

/** Row-major strides of a shape. @example stridesOf([2, 3, 4]) // [12, 4, 1] */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/**
 * NumPy broadcast of two shapes, or null if they are incompatible.
 * @example broadcastShapes([4, 1, 3], [5, 3]) // [4, 5, 3]
 */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Turns negative axes into positive ones and checks the range. */
export function normalizeAxis(axis: number, rank: number, where: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new Error(`${where}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}

/** True when two shapes are equal. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
