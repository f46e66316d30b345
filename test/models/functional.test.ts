/**
 * The functional API: residual graphs, merge layers, nested models, shared layers, config round
 * trips, the summary's connections, training, and graph errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { input, layers, type MergeLayer } from '../../src/layers/index.js';
import { layerFromConfig, serializeLayer } from '../../src/layers/registry.js';
import { Functional, model } from '../../src/models/functional.js';
import { sequential } from '../../src/models/sequential.js';
import * as ops from '../../src/ops/index.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkGradients, randomInput } from '../helpers/gradcheck.js';

setBackend('ts');

function randomTensor(shape: number[], seed = 1): Tensor {
  const r = randomInput(shape, new Random(seed));
  return new Tensor(Float32Array.from(r.data), shape);
}

function residualModel() {
  const x = input({ shape: [8, 8, 3] });
  const y = layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
  const z = layers.add().apply([x, y]);
  const p = layers.flatten().apply(layers.maxPooling2d().apply(z));
  return model({ inputs: x, outputs: layers.dense({ units: 4, activation: 'softmax' }).apply(p), name: 'resnet_block' });
}

describe('functional API', () => {
  it('a residual block computes conv(x) + x', () => {
    const x = input({ shape: [5, 5, 2] });
    const conv = layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same' });
    const m = model({ inputs: x, outputs: layers.add().apply([x, conv.apply(x)]) });
    const data = randomTensor([2, 5, 5, 2]);
    const expected = ops.add(data, conv.apply(data));
    assert.deepEqual([...m.predict(data).data], [...expected.data]);
    assert.deepEqual(m.outputShape, [null, 5, 5, 2]);
  });

  it('merge layers: add, subtract, multiply, average, maximum, minimum, with broadcasting', () => {
    const a = randomTensor([2, 3], 1);
    const b = randomTensor([2, 3], 2);
    const check = (layer: MergeLayer, f: (p: number, q: number) => number) => {
      const out = layer.apply([a, b]);
      out.data.forEach((v, i) => assert.ok(Math.abs(v - f(a.data[i]!, b.data[i]!)) < 1e-6));
    };
    check(layers.add(), (p, q) => p + q);
    check(layers.subtract(), (p, q) => p - q);
    check(layers.multiply(), (p, q) => p * q);
    check(layers.average(), (p, q) => (p + q) / 2);
    check(layers.maximum(), Math.max);
    check(layers.minimum(), Math.min);
    const s = layers.add().apply([input({ shape: [4, 3] }), input({ shape: [1, 3] })]);
    assert.deepEqual(s.shape, [null, 4, 3]);
    assert.throws(
      () => layers.add().apply([input({ shape: [4] }), input({ shape: [3] })]),
      /input shapes \(None, 4\), \(None, 3\) do not match/,
    );
  });

  it('summary shows the graph connections; parameters are counted once', () => {
    const m = residualModel();
    const text = m.summary(() => {});
    assert.match(text, /Connected to/);
    assert.match(text, /add(_\d+)? \(Add\)\s+\(None, 8, 8, 3\)\s+0\s+input_layer(_\d+)?\[0\]\[0\], conv2d(_\d+)?\[0\]\[0\]/);
    assert.equal(m.countParams(), 3 * 3 * 3 * 3 + 3 + 48 * 4 + 4);
  });

  it('rebuilds from its config and computes the same', () => {
    setSeed(4);
    const m = residualModel();
    const copy = layerFromConfig(serializeLayer(m)) as Functional;
    assert.deepEqual(copy.getConfig(), m.getConfig());
    copy.setWeights(m.getWeights());
    const x = randomTensor([3, 8, 8, 3]);
    assert.deepEqual([...copy.predict(x).data], [...m.predict(x).data]);
  });

  it('models nest: a model (functional or sequential) is usable as a layer', () => {
    const inner = residualModel();
    const head = sequential([layers.dense({ units: 2, inputShape: [4] })]);
    const x = input({ shape: [8, 8, 3] });
    const outer = model({ inputs: x, outputs: head.apply(inner.apply(x)) });
    const data = randomTensor([2, 8, 8, 3]);
    assert.deepEqual([...outer.predict(data).data], [...head.predict(inner.predict(data)).data]);
    assert.equal(outer.countParams(), inner.countParams() + head.countParams());
    const copy = layerFromConfig(serializeLayer(outer)) as Functional;
    copy.setWeights(outer.getWeights());
    assert.deepEqual([...copy.predict(data).data], [...outer.predict(data).data]);
  });

  it('a shared layer applied twice uses one set of weights', () => {
    const dense = layers.dense({ units: 3 });
    const a = input({ shape: [3] });
    const m = model({ inputs: a, outputs: dense.apply(dense.apply(a)) });
    assert.equal(m.countParams(), 12);
    const x = randomTensor([2, 3]);
    assert.deepEqual([...m.predict(x).data], [...dense.apply(dense.apply(x)).data]);
  });

  it('gradients flow through the graph (float64 check)', () => {
    const x = input({ shape: [3], dtype: 'float64' });
    const d1 = layers.dense({ units: 3, activation: 'tanh', dtype: 'float64' });
    const d2 = layers.dense({ units: 3, dtype: 'float64' });
    const m = model({ inputs: x, outputs: layers.multiply().apply([d1.apply(x), d2.apply(x)]) });
    const data = randomInput([2, 3], new Random(3));
    checkGradients(([t]) => m.apply(t!), [data, ...m.trainableWeights]);
  });

  it('trains with fit like a Sequential model', async () => {
    setSeed(7);
    const x = input({ shape: [2] });
    const h = layers.dense({ units: 8, activation: 'relu' }).apply(x);
    const m = model({ inputs: x, outputs: layers.dense({ units: 2, activation: 'softmax' }).apply(h) });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const rng = new Random(1);
    const xs = new Float32Array(200);
    const ys = new Int32Array(100);
    for (let i = 0; i < 100; i++) {
      ys[i] = i % 2;
      xs[2 * i] = (ys[i] ? 1 : -1) + 0.3 * rng.normal();
      xs[2 * i + 1] = rng.normal();
    }
    const history = await m.fit(new Tensor(xs, [100, 2]), new Tensor(ys, [100]), { epochs: 20, batchSize: 10, verbose: 0 });
    assert.ok(history.history['accuracy']!.at(-1)! > 0.9);
  });

  it('refuses a disconnected graph and inputs not made by input()', () => {
    const a = input({ shape: [3] });
    const b = input({ shape: [3] });
    const out = layers.add().apply([a, b]);
    assert.throws(() => model({ inputs: a, outputs: out }), /graph disconnected: "input_layer(_\d+)?" is needed/);
    assert.throws(() => model({ inputs: out, outputs: out }), /inputs must come from input\(\)/);
  });

  it('refuses a batch of the wrong shape, naming the model input', () => {
    const m = residualModel();
    assert.throws(
      () => m.predict(randomTensor([2, 8, 8, 1])),
      /expected x of shape \(None, 8, 8, 3\) \(the input of model "resnet_block"\), received \(2, 8, 8, 1\)/,
    );
  });
});
