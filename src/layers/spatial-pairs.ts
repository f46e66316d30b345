/**
 * The three forms Keras accepts for ZeroPadding2D's `padding` and Cropping2D's `cropping`:
 * n (all four sides), [h, w] (top and bottom h, left and right w), [[top, bottom], [left, right]].
 */

/** One of the three forms. */
export type SpatialPairs = number | [number, number] | [[number, number], [number, number]];

/**
 * The explicit form [[top, bottom], [left, right]], checking every amount is a non-negative integer.
 *
 * @example
 * spatialPairs([1, 2], 'padding', 'ZeroPadding2D "z"');   // [[1, 1], [2, 2]]
 */
export function spatialPairs(value: SpatialPairs, name: string, where: string): [[number, number], [number, number]] {
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const both = (v: unknown): [number, number] | null => (ok(v) ? [v, v] : null);
  const twoOf = (v: unknown): [number, number] | null => (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1]) ? [v[0], v[1]] : null);
  let result: [[number, number], [number, number]] | null = null;
  if (ok(value)) result = [both(value)!, both(value)!];
  else if (Array.isArray(value) && value.length === 2) {
    const [h, w] = value as unknown[];
    const rows = both(h) ?? twoOf(h);
    const cols = both(w) ?? twoOf(w);
    // Either two numbers or two pairs, not a mixture.
    if (rows && cols && ok(h) === ok(w)) result = [rows, cols];
  }
  if (!result) {
    throw new Error(
      `${where}: expected ${name} to be a non-negative integer, [height, width] or [[top, bottom], [left, right]], received ${JSON.stringify(value)}`,
    );
  }
  return result;
}
