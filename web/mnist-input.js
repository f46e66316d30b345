/**
 * The 28×28 input the model sees, made the way MNIST's digits were (LeCun et al.): the stroke's
 * bounding box is scaled to fit a 20×20 box keeping its aspect ratio (area-averaged, so the
 * edges get grey levels), then placed in a 28×28 field so that its centre of mass sits at the
 * centre. Pure functions, no DOM: the page and the Node tests import the same file.
 */

/**
 * Converts a grey drawing (`width`×`height` values in [0, 1], white stroke on black) to MNIST's
 * 28×28 layout; returns 784 values in [0, 1], all zero for an empty drawing.
 *
 * @example
 * const input = mnistInput(greyPixels, 280, 280);   // Float32Array(784)
 */
export function mnistInput(grey, width, height) {
  const box = boundingBox(grey, width, height);
  const out = new Float32Array(28 * 28);
  if (!box) return out;
  const scale = 20 / Math.max(box.width, box.height);
  const w = Math.max(1, Math.round(box.width * scale));
  const h = Math.max(1, Math.round(box.height * scale));
  const small = resizeArea(grey, width, box, w, h);
  // Centre of mass of the scaled digit, then the shift that puts it at (14, 14), kept inside.
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = small[y * w + x];
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  const left = clamp(Math.round(14 - cx / mass), 0, 28 - w);
  const top = clamp(Math.round(14 - cy / mass), 0, 28 - h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(top + y) * 28 + left + x] = small[y * w + x];
  return out;
}

/** The smallest box holding every pixel above `threshold`, or null. */
export function boundingBox(grey, width, height, threshold = 0.05) {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (grey[y * width + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Area-averaging resize of the `box` region of `grey` (row stride `stride`) to `w`×`h`. */
function resizeArea(grey, stride, box, w, h) {
  const out = new Float32Array(w * h);
  const sx = box.width / w;
  const sy = box.height / h;
  for (let y = 0; y < h; y++) {
    const top = y * sy;
    const bottom = top + sy;
    for (let x = 0; x < w; x++) {
      const left = x * sx;
      const right = left + sx;
      let sum = 0;
      for (let py = Math.floor(top); py < Math.ceil(bottom); py++) {
        const cover = Math.min(bottom, py + 1) - Math.max(top, py);
        for (let px = Math.floor(left); px < Math.ceil(right); px++) {
          const coverX = Math.min(right, px + 1) - Math.max(left, px);
          sum += cover * coverX * grey[(box.y + py) * stride + box.x + px];
        }
      }
      out[y * w + x] = sum / (sx * sy);
    }
  }
  return out;
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}
