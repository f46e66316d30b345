/**
 * Pipeline (keras/src/layers/preprocessing/pipeline.py: `call` applies `layers` in order,
 * `get_config` is `{ layers, name }`) and its one optimisation: consecutive affine layers run as
 * one warp whose matrix is the product of the layers' matrices. The matrices follow
 * keras.ops.image.affine_transform (keras/src/ops/image.py: "the output point (x, y) maps to the
 * input point ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)"), so warping by A then by B
 * reads the input at A(B(p)). Checked here: the product rule on known matrices, draws identical
 * to sequential application (composeWarps: false is bit-exact), composed = sequential within
 * interpolation error on a smooth image (and the reversed product is far off, so the check can
 * fail), flips composing exactly, runs split where the sampling differs, inference, configs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layers } from '../../src/layers/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { composeTransforms } from '../../src/layers/preprocessing/pipeline.js';
import { layerFromConfig, serializeLayer } from '../../src/layers/registry.js';
import { affineTransform } from '../../src/ops/image.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

const sequentially = (ls: Layer[], x: Tensor): Tensor => ls.reduce((t, l) => l.apply(t, { training: true }), x);

/** A smooth batch (low-frequency waves), where interpolating once or three times differs little. */
function smooth(batch: number, h: number, w: number): Tensor {
  const data = new Float32Array(batch * h * w);
  for (let b = 0; b < batch; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) data[(b * h + y) * w + x] = Math.sin(0.13 * x + 0.5 * b) * Math.cos(0.11 * y) + 0.002 * x * y;
  return new Tensor(data, [batch, h, w, 1]);
}

function noise(shape: number[], seed: number): Tensor {
  const rng = new Random(seed);
  return new Tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(rng.uniform() * 256)),
    shape,
  );
}

/** Largest |a − b| over pixels at least `margin` from every edge. */
function interiorMaxDiff(a: Tensor, b: Tensor, margin: number): number {
  const [n, h, w] = a.shape as [number, number, number];
  let worst = 0;
  for (let i = 0; i < n; i++)
    for (let y = margin; y < h - margin; y++)
      for (let x = margin; x < w - margin; x++) {
        const k = (i * h + y) * w + x;
        worst = Math.max(worst, Math.abs(a.data[k]! - b.data[k]!));
      }
  return worst;
}

// The MNIST recipe's augmentation (src/cli/recipes.ts), bilinear with constant fill.
const mnistAugment = (): Layer[] => [
  layers.randomRotation({ factor: 10 / 360, fillMode: 'constant', seed: 1 }),
  layers.randomZoom({ heightFactor: 0.1, fillMode: 'constant', seed: 2 }),
  layers.randomTranslation({ heightFactor: 0.1, widthFactor: 0.1, fillMode: 'constant', seed: 3 }),
];

describe('Pipeline composes consecutive affine layers into one warp', () => {
  it('composeTransforms: the product first · second on known matrices', () => {
    // shift by 1 then by 2 (output reads input at x − 1, then x − 2): one shift by 3
    assert.deepEqual(
      [...composeTransforms(Float64Array.of(1, 0, -1, 0, 1, 0, 0, 0), Float64Array.of(1, 0, -2, 0, 1, 0, 0, 0))],
      [1, 0, -3, 0, 1, 0, 0, 0],
    );
    // zoom ×2 about the origin, then shift by 1: reads the input at 2·(x − 1) = 2x − 2
    assert.deepEqual(
      [...composeTransforms(Float64Array.of(2, 0, 0, 0, 2, 0, 0, 0), Float64Array.of(1, 0, -1, 0, 1, 0, 0, 0))],
      [2, 0, -2, 0, 2, 0, 0, 0],
    );
    // a quarter turn twice is a half turn: (x, y) → (−y, x) twice gives (−x, −y)
    const q = Float64Array.of(0, -1, 0, 1, 0, 0, 0, 0);
    assert.deepEqual(
      [...composeTransforms(Float64Array.from(q), q)].map((v) => v + 0),
      [-1, 0, 0, 0, -1, 0, 0, 0],
    );
    // one matrix per image
    const two = composeTransforms(
      Float64Array.of(1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0),
      Float64Array.of(1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0),
    );
    assert.deepEqual([...two], [1, 0, 2, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 2, 0, 0]);
  });

  it('draws what the layers draw: composeWarps false is sequential application, bit for bit', () => {
    const x = noise([6, 28, 28, 1], 1);
    const off = layers.pipeline(mnistAugment(), { composeWarps: false });
    const ref = mnistAugment();
    for (let call = 0; call < 2; call++)
      assert.deepEqual([...off.apply(x, { training: true }).data], [...sequentially(ref, x).data], `call ${call}`);
  });

  it('rotation+zoom+shift as one warp equals the three warps within interpolation error, away from the edges', () => {
    const x = smooth(16, 28, 28);
    const composed = layers.pipeline(mnistAugment()).apply(x, { training: true });
    const reference = sequentially(mnistAugment(), x);
    // The values span about [−1, 2.5]; three bilinear passes against one differ by ~0.0065 here,
    // misplacing the image by a fraction of a pixel (the reversed product below) by ~0.06.
    const diff = interiorMaxDiff(composed, reference, 6);
    assert.ok(diff < 0.015, `composed and sequential differ by ${diff} inside the image`);
    // The check can fail: the same matrices multiplied in the wrong order land elsewhere.
    const [rot, zoom, shift] = mnistAugment() as [Layer & { drawTransforms(b: number, h: number, w: number): Float64Array }, ...never[]];
    const draws = [rot, zoom, shift].map((l) => (l as typeof rot).drawTransforms(16, 28, 28));
    const reversed = composeTransforms(composeTransforms(Float64Array.from(draws[2]!), draws[1]!), draws[0]!);
    const wrong = affineTransform(x, reversed, { fillMode: 'constant' });
    const off = interiorMaxDiff(wrong, reference, 6);
    assert.ok(off > 0.04 && off > 4 * diff, `the reversed product is off by ${off}, the right one by ${diff}`);
    const right = composeTransforms(composeTransforms(Float64Array.from(draws[0]!), draws[1]!), draws[2]!);
    assert.deepEqual(
      [...affineTransform(x, right, { fillMode: 'constant' }).data],
      [...composed.data],
      'the pipeline warps by first · second · third',
    );
  });

  it('flips compose exactly: flip + whole-pixel shift (the CIFAR recipe) as one warp is bit-exact', () => {
    const x = noise([8, 32, 32, 3], 2);
    const cifar = (): Layer[] => [
      layers.randomFlip({ mode: 'horizontal', seed: 1 }),
      layers.randomTranslation({ heightFactor: 4 / 32, widthFactor: 4 / 32, fillMode: 'constant', interpolation: 'nearest', seed: 2 }),
      layers.randomFlip({ mode: 'vertical', seed: 3 }),
    ];
    assert.deepEqual([...layers.pipeline(cifar()).apply(x, { training: true }).data], [...sequentially(cifar(), x).data]);
    for (const fillMode of ['reflect', 'wrap', 'nearest'] as const) {
      const withFill = (): Layer[] => [
        layers.randomFlip({ seed: 4 }),
        layers.randomRotation({ factor: 0.1, fillMode, interpolation: 'nearest', seed: 5 }),
      ];
      const a = layers.pipeline(withFill()).apply(x, { training: true });
      const b = sequentially(withFill(), x);
      const differ = a.data.filter((v, i) => v !== b.data[i]).length;
      // A rounding tie (x.5) can fall either side once mirrored: allow a handful of the 24,576 values.
      assert.ok(differ <= 12, `${fillMode}: ${differ} values differ`);
    }
  });

  it('splits runs where the sampling differs, and applies other layers in between as they are', () => {
    const x = noise([4, 12, 10, 2], 3);
    const mixed = (): Layer[] => [
      layers.randomRotation({ factor: 0.1, seed: 1 }),
      layers.randomTranslation({ heightFactor: 0.2, widthFactor: 0.2, interpolation: 'nearest', seed: 2 }),
      layers.rescaling({ scale: 2 }),
      layers.randomZoom({ heightFactor: 0.2, seed: 3 }),
    ];
    assert.deepEqual([...layers.pipeline(mixed()).apply(x, { training: true }).data], [...sequentially(mixed(), x).data]);
  });

  it('inference: random layers pass through, deterministic ones apply; output shape; weights refused', () => {
    const x = noise([2, 8, 8, 3], 4);
    const p = layers.pipeline([
      layers.randomFlip({ seed: 1 }),
      layers.randomRotation({ factor: 0.2, seed: 2 }),
      layers.rescaling({ scale: 0.5 }),
    ]);
    assert.deepEqual(
      [...p.apply(x).data],
      [...x.data].map((v) => v * 0.5),
    );
    assert.deepEqual(layers.pipeline([layers.centerCrop({ height: 4, width: 6 })]).computeOutputShape([null, 8, 8, 3]), [null, 4, 6, 3]);
    const withDense = layers.pipeline([layers.randomFlip(), layers.dense({ units: 2 })], { name: 'aug' });
    assert.throws(() => withDense.apply(x, { training: true }), /Pipeline "aug": layer "dense\w*" \(Dense\) has weights/);
    assert.throws(() => layers.pipeline([{ nope: 1 } as never]), /layers\[0\] is \{"nope":1\}, expected a layer/);
  });

  it('round-trips its config as Keras writes it: { layers, name }, composeWarps only when false', () => {
    const p = layers.pipeline(mnistAugment(), { name: 'augment' });
    const config = serializeLayer(p);
    assert.equal(config.className, 'Pipeline');
    assert.equal(config.config['name'], 'augment');
    assert.equal('composeWarps' in config.config, false);
    const copy = layerFromConfig(JSON.parse(JSON.stringify(config)));
    assert.deepEqual(serializeLayer(copy), config);
    const x = noise([3, 28, 28, 1], 5);
    assert.deepEqual([...copy.apply(x, { training: true }).data], [...p.apply(x, { training: true }).data], 'same seeds, same output');
    const off = serializeLayer(layers.pipeline([layers.randomFlip()], { composeWarps: false }));
    assert.equal(off.config['composeWarps'], false);
  });
});
