/**
 * Test-time views (src/cli/test-time-augmentation.ts) against views built by hand: a small dense
 * model's probabilities on the mirror image and on the one-pixel shifts (edge pixels repeated into
 * the border), weighted 1/2 (mirror) or 1/4 + 1/8 (airbench's level 2), and `standardise` applied
 * after the view is taken.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { Dataset } from '../../src/data/dataset.js';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import * as ops from '../../src/ops/index.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { accuracyWithViews, predictWithViews } from '../../src/cli/test-time-augmentation.js';

setBackend('ts');
const [n, h, w] = [3, 4, 5];

/** Each output pixel (y, x) read from the input at (y + dy, x + dx), or (y + dy, w − 1 − x + dx) mirrored, edges repeated. */
function byHand(x: Float32Array, sx: 1 | -1, dx: number, dy: number): Tensor {
  const out = new Float32Array(x.length);
  const clamp = (v: number, size: number) => Math.min(size - 1, Math.max(0, v));
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++) {
        const srcX = clamp(sx === 1 ? xx + dx : w - 1 - xx + dx, w);
        out[(i * h + y) * w + xx] = x[(i * h + clamp(y + dy, h)) * w + srcX]!;
      }
  return new Tensor(out, [n, h, w, 1]);
}

describe('test-time views', () => {
  setSeed(2);
  const model = sequential([layers.flatten({ inputShape: [h, w, 1] }), layers.dense({ units: 3, activation: 'softmax' })]);
  const rng = new Random(4);
  const x = Float32Array.from({ length: n * h * w }, () => rng.normal());
  const labels = new Tensor(Int32Array.from([0, 1, 2]), [n]);
  const data = Dataset.fromArrays(new Tensor(x, [n, h, w, 1]), labels).batch(2);
  const standardise = (t: Tensor) => ops.mul(ops.sub(t, 0.5), 2);
  const p = (t: Tensor) => model.apply(standardise(t), { training: false }).values();
  const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    assert.equal(a.length, b.length);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-6, `[${i}] ${a[i]} vs ${b[i]}`);
  };

  it("'none' and 'mirror' average the plain and mirrored images' probabilities", async () => {
    close((await predictWithViews(model, data, 'none', standardise)).values(), p(byHand(x, 1, 0, 0)));
    const plain = p(byHand(x, 1, 0, 0));
    const mirrored = p(byHand(x, -1, 0, 0));
    close(
      (await predictWithViews(model, data, 'mirror', standardise)).values(),
      plain.map((v, i) => 0.5 * (v + mirrored[i]!)),
    );
  });

  it("'mirror-translate' adds the mirror pairs shifted one pixel up-left and down-right", async () => {
    const views: [1 | -1, number, number, number][] = [
      [1, 0, 0, 0.25],
      [-1, 0, 0, 0.25],
      [1, -1, -1, 0.125],
      [-1, -1, -1, 0.125],
      [1, 1, 1, 0.125],
      [-1, 1, 1, 0.125],
    ];
    const want = new Float64Array(n * 3);
    for (const [sx, dx, dy, weight] of views) p(byHand(x, sx, dx, dy)).forEach((v, i) => (want[i] += weight * v));
    close((await predictWithViews(model, data, 'mirror-translate', standardise)).values(), want);
    const accuracy = await accuracyWithViews(model, data, labels, 'mirror-translate', standardise);
    const argMax = (i: number) => [0, 1, 2].reduce((best, k) => (want[i * 3 + k]! > want[i * 3 + best]! ? k : best), 0);
    assert.equal(accuracy, [0, 1, 2].filter((i) => argMax(i) === i).length / 3);
  });
});
