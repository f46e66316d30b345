/**
 * The augmentation and preprocessing layers against Keras 3's semantics
 * (keras/src/layers/preprocessing/image_preprocessing/*.py and rescaling.py, Keras at commit
 * 3422977a): identity at inference, active with `training: true`, seeded and reproducible,
 * exact flips and crops, known values for rotation, translation and zoom, the value clips of
 * contrast and brightness, the output shapes of the cropping and resizing layers, config
 * round trips (alone and inside a saved model), and argument errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layerFromConfig, serializeLayer } from '../../src/layers/registry.js';
import { layers } from '../../src/layers/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { sequential } from '../../src/models/sequential.js';
import { gradients } from '../../src/autograd/gradients.js';
import * as ops from '../../src/ops/index.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

function images(shape: [number, number, number, number], seed = 1): Tensor {
  const rng = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(
    Float32Array.from({ length: n }, () => Math.floor(rng.uniform() * 256)),
    shape,
  );
}

/** Pixel (b, y, x, c) of an NHWC tensor. */
const at = (t: Tensor, b: number, y: number, x: number, c = 0): number =>
  t.data[((b * t.shape[1]! + y) * t.shape[2]! + x) * t.shape[3]! + c]!;

const randomLayers = (): [string, () => Layer][] => [
  ['RandomFlip', () => layers.randomFlip({ seed: 3 })],
  ['RandomRotation', () => layers.randomRotation({ factor: 0.2, seed: 3 })],
  ['RandomZoom', () => layers.randomZoom({ heightFactor: 0.3, widthFactor: [-0.2, 0.1], seed: 3 })],
  ['RandomTranslation', () => layers.randomTranslation({ heightFactor: 0.2, widthFactor: 0.3, fillMode: 'constant', seed: 3 })],
  ['RandomContrast', () => layers.randomContrast({ factor: 0.5, seed: 3 })],
  ['RandomBrightness', () => layers.randomBrightness({ factor: 0.3, seed: 3 })],
];

describe('random augmentation layers: training only, seeded, saved with the model', () => {
  const x = images([4, 9, 7, 3]);
  for (const [name, make] of randomLayers()) {
    it(`${name}: identity at inference, a change when training, the same change for the same seed`, () => {
      const layer = make();
      assert.equal(layer.apply(x), x, 'inference returns the input');
      const a = layer.apply(x, { training: true });
      assert.deepEqual(a.shape, x.shape);
      assert.ok(
        a.data.some((v, i) => v !== x.data[i]),
        'training changes some pixels',
      );
      const b = make().apply(x, { training: true });
      assert.deepEqual([...b.data], [...a.data], 'same seed, same output');
      const again = layer.apply(x, { training: true });
      assert.ok(
        again.data.some((v, i) => v !== a.data[i]),
        'the next call draws anew',
      );
      const copy = layerFromConfig(serializeLayer(layer));
      assert.equal(copy.className, name);
      assert.deepEqual(copy.getConfig(), layer.getConfig(), 'config round trip');
    });
  }

  it('a model with augmentation in front trains (fit uses training mode) and rebuilds from its config', () => {
    const m = sequential([
      layers.randomFlip({ mode: 'horizontal', seed: 1, inputShape: [8, 8, 1] }),
      layers.randomRotation({ factor: 0.05, seed: 2 }),
      layers.rescaling({ scale: 1 / 255 }),
      layers.flatten(),
      layers.dense({ units: 2, activation: 'softmax' }),
    ]);
    const copy = layerFromConfig(serializeLayer(m));
    assert.deepEqual(
      (copy.getConfig()['layers'] as { className: string }[]).map((l) => l.className),
      ['RandomFlip', 'RandomRotation', 'Rescaling', 'Flatten', 'Dense'],
    );
    const input = images([2, 8, 8, 1]);
    const y0 = m.apply(input);
    assert.deepEqual([...m.apply(input).data], [...y0.data], 'inference is deterministic');
    const w = m.trainableWeights;
    const loss = ops.sum(m.apply(input, { training: true }));
    assert.ok(
      gradients(loss, w).every((g) => g !== null),
      'gradients reach the weights behind the augmentation',
    );
  });
});

describe('augmentation layers compute what Keras computes', () => {
  it('RandomFlip flips exactly; horizontal_and_vertical flips both axes with one draw', () => {
    const x = images([16, 3, 4, 2]);
    const h = layers.randomFlip({ mode: 'horizontal', seed: 9 }).apply(x, { training: true });
    let flipped = 0;
    for (let b = 0; b < 16; b++) {
      const mirror = at(h, b, 0, 0) === at(x, b, 0, 3) && at(h, b, 2, 1, 1) === at(x, b, 2, 2, 1);
      const same = at(h, b, 0, 0) === at(x, b, 0, 0) && at(h, b, 2, 1, 1) === at(x, b, 2, 1, 1);
      assert.ok(mirror || same, `image ${b} is mirrored or untouched`);
      if (mirror && !same) flipped++;
    }
    assert.ok(flipped > 2 && flipped < 14, `about half the images flip (${flipped} of 16)`);
    const both = layers.randomFlip({ seed: 9 }).apply(x, { training: true });
    for (let b = 0; b < 16; b++) {
      const rotated = at(both, b, 0, 0) === at(x, b, 2, 3) && at(both, b, 1, 2) === at(x, b, 1, 1);
      const same = at(both, b, 0, 0) === at(x, b, 0, 0);
      assert.ok(rotated || same, `image ${b}: both axes or neither`);
    }
  });

  it('RandomRotation with factor [0.25, 0.25] turns a quarter counter-clockwise', () => {
    const x = new Tensor(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), [1, 3, 3, 1]);
    const y = layers.randomRotation({ factor: [0.25, 0.25], fillMode: 'constant' }).apply(x, { training: true });
    assert.deepEqual(
      [...y.data].map((v) => Math.round(v * 1e5) / 1e5),
      [3, 6, 9, 2, 5, 8, 1, 4, 7],
    );
  });

  it('RandomTranslation with factor [0.25, 0.25] of width 4 moves one pixel right (Keras: positive is right)', () => {
    const x = new Tensor(Float32Array.of(1, 2, 3, 4), [1, 1, 4, 1]);
    const y = layers
      .randomTranslation({ heightFactor: 0, widthFactor: [0.25, 0.25], fillMode: 'constant', fillValue: 7 })
      .apply(x, { training: true });
    assert.deepEqual([...y.data], [7, 1, 2, 3]);
  });

  it('RandomZoom with heightFactor [1, 1] zooms out by 2 about the centre (Keras: positive zooms out)', () => {
    // 1×5 row, zoom 2 on both axes: output x reads input 2x − 2 (centre 2 fixed).
    const x = new Tensor(Float32Array.of(10, 20, 30, 40, 50), [1, 1, 5, 1]);
    const y = layers
      .randomZoom({ heightFactor: [0, 0], widthFactor: [1, 1], fillMode: 'constant', fillValue: -1 })
      .apply(x, { training: true });
    assert.deepEqual([...y.data], [-1, 10, 30, 50, -1]);
  });

  it("RandomContrast scales about each channel's mean and clips to valueRange", () => {
    const x = new Tensor(Float32Array.of(0, 0.5, 1, 0.5), [1, 2, 2, 1]);
    const y = layers.randomContrast({ factor: [1, 1], valueRange: [0, 1] }).apply(x, { training: true });
    const c = (y.data[0]! - 0.5) / (0 - 0.5); // draw in [0, 2]
    assert.ok(c >= 0 && c <= 2);
    for (const v of y.data) assert.ok(v >= 0 && v <= 1, `clipped: ${v}`);
  });

  it('RandomBrightness adds one delta per image, scaled by the value range, then clips', () => {
    const x = new Tensor(Float32Array.of(10, 20, 250, 100, 100, 100), [2, 1, 3, 1]);
    const y = layers.randomBrightness({ factor: [0.1, 0.1] }).apply(x, { training: true });
    assert.deepEqual([...y.data], [35.5, 45.5, 255, 125.5, 125.5, 125.5]);
  });

  it('RandomCrop: one random box while training, centre crop and resize otherwise; CenterCrop takes the middle', () => {
    const x = images([2, 6, 8, 1]);
    const crop = layers.randomCrop({ height: 4, width: 5, seed: 2 });
    const t = crop.apply(x, { training: true });
    assert.deepEqual(t.shape, [2, 4, 5, 1]);
    let found = false;
    for (let top = 0; top <= 2 && !found; top++)
      for (let left = 0; left <= 3 && !found; left++)
        found = [0, 1].every((b) =>
          [0, 1, 2, 3].every((i) => [0, 1, 2, 3, 4].every((j) => at(t, b, i, j) === at(x, b, top + i, left + j))),
        );
    assert.ok(found, 'the training output is a box of the input, the same box for the whole batch');
    assert.deepEqual(crop.apply(x).shape, [2, 4, 5, 1]);
    const c = layers.centerCrop({ height: 2, width: 4 }).apply(x);
    assert.deepEqual(c.shape, [2, 2, 4, 1]);
    assert.equal(at(c, 1, 0, 0), at(x, 1, 2, 2));
    assert.deepEqual(layers.centerCrop({ height: 12, width: 4 }).apply(x).shape, [2, 12, 4, 1], 'a smaller input is resized');
  });

  it('Resizing: output size, cropToAspectRatio takes the centre, padToAspectRatio pads with fillValue', () => {
    const x = new Tensor(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), [1, 2, 4, 1]);
    assert.deepEqual(layers.resizing({ height: 4, width: 8, interpolation: 'nearest' }).apply(x).shape, [1, 4, 8, 1]);
    const cropped = layers.resizing({ height: 2, width: 2, cropToAspectRatio: true, interpolation: 'nearest' }).apply(x);
    assert.deepEqual([...cropped.data], [2, 3, 6, 7]);
    const padded = layers.resizing({ height: 4, width: 4, padToAspectRatio: true, fillValue: -1, interpolation: 'nearest' }).apply(x);
    assert.deepEqual([...padded.data], [-1, -1, -1, -1, 1, 2, 3, 4, 5, 6, 7, 8, -1, -1, -1, -1]);
  });

  it('Rescaling: x·scale + offset in training and inference', () => {
    const x = new Tensor(Float32Array.of(0, 127.5, 255), [1, 1, 3, 1]);
    assert.deepEqual([...layers.rescaling({ scale: 1 / 127.5, offset: -1 }).apply(x).data], [-1, 0, 1]);
  });
});

describe('preprocessing layers refuse bad arguments', () => {
  it('names the layer, the argument, what was expected and what was received', () => {
    assert.throws(
      () => layers.randomFlip({ mode: 'diagonal' as never }),
      /RandomFlip "random_flip.*": expected mode to be one of 'horizontal', 'vertical', 'horizontal_and_vertical', received "diagonal"/,
    );
    assert.throws(
      () => layers.randomRotation({ factor: 1.5 }),
      /expected factor to be a number or a pair of numbers in \[-1, 1\], received 1.5/,
    );
    assert.throws(
      () => layers.randomRotation({ factor: 0.1, fillMode: 'mirror' as never }),
      /expected fillMode to be one of 'reflect', 'wrap', 'constant', 'nearest'/,
    );
    assert.throws(
      () => layers.randomZoom({ heightFactor: -1 }),
      /expected heightFactor to be a number or a pair of numbers in \(-1, 1\], received -1/,
    );
    assert.throws(() => layers.randomTranslation({ heightFactor: [0.1, 0.2, 0.3] as never, widthFactor: 0 }), /heightFactor/);
    assert.throws(() => layers.randomContrast({ factor: -0.5 }), /expected factor .* in \[0, 1\], received -0.5/);
    assert.throws(
      () => layers.randomBrightness({ factor: 0.1, valueRange: [0] as never }),
      /expected valueRange to be a pair of finite numbers/,
    );
    assert.throws(() => layers.resizing({ height: 0, width: 3 }), /expected height to be a positive integer, received 0/);
    assert.throws(
      () => layers.resizing({ height: 2, width: 3, cropToAspectRatio: true, padToAspectRatio: true }),
      /only one of cropToAspectRatio and padToAspectRatio/,
    );
    assert.throws(
      () => layers.resizing({ height: 2, width: 3, interpolation: 'area' as never }),
      /expected interpolation to be one of 'bilinear', 'nearest', 'bicubic', 'lanczos3'/,
    );
    assert.throws(() => layers.rescaling({ scale: NaN }), /expected scale to be a finite number/);
    assert.throws(
      () => layers.randomFlip().apply(new Tensor(new Float32Array(6), [2, 3]), { training: true }),
      /expected input of rank 4 \(batch, height, width, channels\), received rank 2/,
    );
  });

  it('an image op refuses an input that needs a gradient instead of cutting it off', () => {
    const w = layers.conv2d({ filters: 1, kernelSize: 1, inputShape: [4, 4, 1] });
    const x = images([1, 4, 4, 1]);
    const features = w.apply(x, { training: true });
    assert.throws(
      () => ops.resizeImages(features, [2, 2]),
      /resizeImages: gradients do not flow through image transforms; apply it to input data, before any trainable layer/,
    );
  });
});
