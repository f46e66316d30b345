/**
 * The page's MNIST preprocessing (web/mnist-input.js, plain JS shared with the browser): the
 * bounding box is scaled into 20×20 keeping aspect ratio and the centre of mass lands at the
 * centre of the 28×28 field, as LeCun et al. made MNIST.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

type Box = { x: number; y: number; width: number; height: number } | null;
const lib = (await import(new URL('../../../web/mnist-input.js', import.meta.url).href)) as {
  mnistInput(grey: Float32Array, width: number, height: number): Float32Array;
  boundingBox(grey: Float32Array, width: number, height: number, threshold?: number): Box;
};

/** A `width`×`height` black image with a white filled rectangle. */
function rectangle(width: number, height: number, x0: number, y0: number, w: number, h: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) out[y * width + x] = 1;
  return out;
}

function extent(img: Float32Array) {
  const box = lib.boundingBox(img, 28, 28, 0.01)!;
  let mass = 0;
  let cx = 0;
  let cy = 0;
  img.forEach((v, i) => {
    mass += v;
    cx += v * ((i % 28) + 0.5);
    cy += v * (Math.floor(i / 28) + 0.5);
  });
  return { box, cx: cx / mass, cy: cy / mass, mass };
}

describe('mnistInput', () => {
  it('a tall 40×200 bar in a corner of 280×280 becomes 4×20, centred at (14, 14)', () => {
    const out = lib.mnistInput(rectangle(280, 280, 10, 60, 40, 200), 280, 280);
    const { box, cx, cy } = extent(out);
    assert.deepEqual(box, { x: 12, y: 4, width: 4, height: 20 });
    assert.ok(Math.abs(cx - 14) <= 0.5 && Math.abs(cy - 14) <= 0.5, `centre of mass (${cx}, ${cy})`);
    assert.ok(out.every((v) => v >= 0 && v <= 1));
  });

  it('a wide shape keeps its aspect ratio (20 wide, 5 high) and its area-averaged edges are grey', () => {
    const out = lib.mnistInput(rectangle(100, 100, 3, 50, 81, 20), 100, 100);
    const { box } = extent(out);
    assert.equal(box.width, 20);
    assert.equal(box.height, 5);
    // 81 columns into 20: inside columns average whole pixels (1.0).
    assert.equal(Math.max(...out), 1);
  });

  it('the centre of mass, not the box, is centred: an L shape shifts toward its heavy side', () => {
    const img = rectangle(100, 100, 10, 10, 10, 80);
    for (let y = 80; y < 90; y++) for (let x = 10; x < 90; x++) img[y * 100 + x] = 1;
    const { box, cx, cy } = extent(lib.mnistInput(img, 100, 100));
    assert.ok(Math.abs(cx - 14) <= 0.5 && Math.abs(cy - 14) <= 0.5, `centre of mass (${cx}, ${cy})`);
    assert.ok(box.x + box.width / 2 > 14, 'the box sits right of centre, as the mass is bottom-left');
  });

  it('an empty drawing gives zeros', () => {
    assert.ok(lib.mnistInput(new Float32Array(280 * 280), 280, 280).every((v) => v === 0));
  });
});
