/**
 * Models and their inputs: a multi-input functional model predicts, evaluates and trains from an
 * array of tensors; a Sequential without an input shape says "not built yet" in its summary (as
 * Keras 3's summary shows '?' and '0 (unbuilt)'), compiles, and is built by its first fit or
 * predict (keras/src/models/sequential.py builds on first call).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { input, layers } from '../../src/layers/index.js';
import { metrics } from '../../src/metrics/index.js';
import { model } from '../../src/models/functional.js';
import { sequential } from '../../src/models/sequential.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

setBackend('ts');

function random(shape: number[], seed: number): Tensor {
  const rng = new Random(seed);
  return new Tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    shape,
  );
}

describe('a functional model of two inputs', () => {
  function twoInputs() {
    setSeed(2);
    const image = input({ shape: [4, 4, 1] });
    const extra = input({ shape: [3] });
    const features = layers.flatten().apply(layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }).apply(image));
    const joined = layers.add().apply([layers.dense({ units: 3 }).apply(features), extra]);
    const m = model({ inputs: [image, extra], outputs: layers.dense({ units: 2, activation: 'softmax' }).apply(joined) });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  }

  it('predict and evaluate take an array of tensors, in batches, matching one apply', async () => {
    const m = twoInputs();
    const xs = [random([10, 4, 4, 1], 1), random([10, 3], 2)];
    const whole = m.apply(xs);
    const p = m.predict(xs, { batchSize: 3 });
    assert.deepEqual(p.shape, [10, 2]);
    p.data.forEach((v, i) => assert.ok(Math.abs(v - whole.data[i]!) < 1e-6));
    assert.deepEqual([...(await m.predictAsync(xs, { batchSize: 4 })).data], [...p.data]);
    const y = new Tensor(
      Int32Array.from({ length: 10 }, (_, i) => i % 2),
      [10],
    );
    const [loss, accuracy] = await m.evaluate(xs, y, { batchSize: 4 });
    assert.ok(Number.isFinite(loss) && accuracy! >= 0 && accuracy! <= 1);
  });

  it('fit trains from an array of tensors (validation split included)', async () => {
    const m = twoInputs();
    const xs = [random([40, 4, 4, 1], 3), random([40, 3], 4)];
    const y = new Tensor(
      Int32Array.from({ length: 40 }, (_, i) => (xs[1]!.data[i * 3]! > 0 ? 1 : 0)),
      [40],
    );
    const h = await m.fit(xs, y, { epochs: 30, batchSize: 8, verbose: 0, validationSplit: 0.25 });
    assert.ok(h.history['loss']!.at(-1)! < h.history['loss']![0]!, 'loss went down');
    assert.equal(h.history['val_loss']!.length, 30);
  });

  it('refuses inputs whose sample counts differ, naming both', () => {
    const m = twoInputs();
    assert.throws(
      () => m.predict([random([5, 4, 4, 1], 1), random([4, 3], 2)]),
      /every input needs the same number of samples: x\[0\] has 5, x\[1\] has 4/,
    );
    assert.throws(
      () => m.predict([random([5, 4, 4, 1], 1), random([5, 2], 2)]),
      /expected x\[1\] of shape \(None, 3\) \(the input 1 of model/,
    );
  });
});

describe('a Sequential without an input shape', () => {
  const unbuilt = () => sequential([layers.dense({ units: 4, activation: 'relu' }), layers.dense({ units: 1, activation: 'sigmoid' })]);

  it("summary says it is not built yet, as Keras 3 ('?' shapes, '0 (unbuilt)' params)", () => {
    const lines: string[] = [];
    const text = unbuilt().summary((l) => lines.push(l));
    assert.match(text, /dense(_\d+)? \(Dense\) +\? +0 \(unbuilt\)/);
    assert.match(
      text,
      /The model is not built yet: give its first layer an inputShape, call model.build\(\[null, \.\.\.sampleShape\]\), or call fit\/predict once/,
    );
    assert.doesNotMatch(text, /\(\)/);
  });

  it('compiles, and the first fit builds it; accuracy resolves from the built output (1 unit: binary)', async () => {
    setSeed(3);
    const m = unbuilt();
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError', metrics: ['accuracy'] });
    const x = random([32, 3], 5);
    const y = new Tensor(
      Float32Array.from({ length: 32 }, (_, i) => (x.data[i * 3]! > 0 ? 1 : 0)),
      [32, 1],
    );
    const h = await m.fit(x, y, { epochs: 2, verbose: 0 });
    assert.equal(h.history['accuracy']!.length, 2);
    assert.equal(m.compiled!.metrics[0]!.fn, metrics.binaryAccuracy);
    const text = m.summary(() => {});
    assert.match(text, /\(None, 4\) +16/);
    assert.match(text, /Total params: 21/);
    assert.doesNotMatch(text, /not built/);
  });

  it('predict builds it too', () => {
    const m = unbuilt();
    assert.deepEqual(m.predict(random([5, 7], 1)).shape, [5, 1]);
    assert.deepEqual(m.inputShapes, [[null, 7]]);
  });
});
