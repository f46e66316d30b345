/**
 * What the image preprocessing layers share (Keras's BaseImagePreprocessingLayer, reduced to
 * what NHWC batches need): their random generator (own seed, else the library-wide one), the
 * factor ranges Keras accepts, the rank-4 input check, and the affine matrices of Keras's
 * `_compute_affine_matrix` (keras/src/layers/preprocessing/image_preprocessing/
 * base_image_preprocessing_layer.py).
 */
import { globalRandom, Random } from '../../tensor/random.js';
import type { Shape } from '../shape-types.js';

/** A number (±factor) or a [lower, upper] pair, as Keras's factor arguments. */
export type Factor = number | [number, number];

/** The layer's generator: its own when seeded (reproducible), else the library-wide one (`setSeed`). */
export function generatorFor(seed: number | null): Random {
  return seed === null ? globalRandom : new Random(seed);
}

/**
 * [lower, upper] of a factor: a number f gives [max(−|f|, bounds[0]), |f|], a pair is sorted; each
 * value must lie in `bounds` (as Keras's `_set_factor` / `_check_factor_range`).
 */
export function factorRange(factor: unknown, name: string, bounds: [number, number], where: string, openLower = false): [number, number] {
  const inBounds = (v: unknown): v is number =>
    typeof v === 'number' && Number.isFinite(v) && (openLower ? v > bounds[0] : v >= bounds[0]) && v <= bounds[1];
  const fail = (): never => {
    const lo = openLower ? `(${bounds[0]}` : `[${bounds[0]}`;
    throw new Error(
      `${where}: expected ${name} to be a number or a pair of numbers in ${lo}, ${bounds[1]}], received ${JSON.stringify(factor)}`,
    );
  };
  if (Array.isArray(factor)) {
    if (factor.length !== 2 || !inBounds(factor[0]) || !inBounds(factor[1])) fail();
    const [a, b] = factor as [number, number];
    return a <= b ? [a, b] : [b, a];
  }
  if (!inBounds(factor)) fail();
  const f = Math.abs(factor as number);
  return [Math.max(-f, bounds[0]), f];
}

/** Refuses input that is not a batch of NHWC images. */
export function expectImages(shape: Shape, where: string): void {
  if (shape.length !== 4) {
    throw new Error(
      `${where}: expected input of rank 4 (batch, height, width, channels), received rank ${shape.length} [${shape.join(', ')}]`,
    );
  }
}

/** Uniform in [lo, hi). */
export function uniform(rng: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.uniform();
}

/**
 * The 8 projective coefficients of a rotation by `angle` radians about the image centre
 * ((width − 1)/2, (height − 1)/2), as Keras's _compute_affine_matrix with no shear, scale 1 and
 * no translation: output (x, y) reads the input at (a0·x + a1·y + a2, b0·x + b1·y + b2).
 */
export function rotationMatrix(angle: number, height: number, width: number): number[] {
  const cx = 0.5 * (width - 1);
  const cy = 0.5 * (height - 1);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return [cos, -sin, cx - cx * cos + cy * sin, sin, cos, cy - cx * sin - cy * cos, 0, 0];
}

/** Zoom by zx, zy about the centre (Keras's RandomZoom._get_zoom_matrix). */
export function zoomMatrix(zx: number, zy: number, height: number, width: number): number[] {
  return [zx, 0, ((width - 1) / 2) * (1 - zx), 0, zy, ((height - 1) / 2) * (1 - zy), 0, 0];
}

/** Shift by dx, dy pixels (Keras's RandomTranslation._get_translation_matrix). */
export function translationMatrix(dx: number, dy: number): number[] {
  return [1, 0, -dx, 0, 1, -dy, 0, 0];
}
