/**
 * Sequential: the seed model's summary and parameter count, config round trip, and the errors a
 * user meets first (wrong input shape, fit before compile, mismatched lengths, wrong targets).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { layers } from '../../src/layers/index.js';
import { layerFromConfig, serializeLayer } from '../../src/layers/registry.js';
import { Sequential, sequential } from '../../src/models/sequential.js';
import { seedCnn } from '../../src/models/zoo.js';
import { Tensor, zeros } from '../../src/tensor/tensor.js';
import { setSeed } from '../../src/tensor/random.js';

setBackend('ts');

describe('Sequential', () => {
  it('the seed model has 225,034 parameters and a Keras-style summary', () => {
    const model = seedCnn();
    assert.equal(model.countParams(), 225034);
    const lines: string[] = [];
    const text = model.summary((l) => lines.push(l));
    assert.match(text, /Layer \(type\)\s+Output Shape\s+Param #/);
    assert.match(text, /conv2d(_\d+)? \(Conv2D\)\s+\(None, 26, 26, 32\)\s+320/);
    assert.match(text, /\(None, 5, 5, 64\)/);
    assert.match(text, /dense(_\d+)? \(Dense\)\s+\(None, 128\)\s+204,928/);
    assert.match(text, /Total params: 225,034/);
    assert.match(text, /Trainable params: 225,034/);
    assert.match(text, /Non-trainable params: 0/);
    assert.equal(lines.length, text.split('\n').length);
  });

  it('rebuilds from its config with the same architecture and outputs', () => {
    setSeed(5);
    const model = seedCnn();
    const copy = layerFromConfig(serializeLayer(model)) as Sequential;
    assert.deepEqual(copy.getConfig(), model.getConfig());
    copy.setWeights(model.getWeights());
    const x = zeros([2, 28, 28, 1]);
    x.data.forEach((_, i) => (x.data[i] = (i % 17) / 17));
    assert.deepEqual([...copy.predict(x).data], [...model.predict(x).data]);
  });

  it("refuses an input of the wrong shape, naming the model and both shapes (the user's, not a batch's)", () => {
    const model = seedCnn();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    assert.throws(
      () => model.predict(zeros([4, 28, 28, 3])),
      /predict: expected x of shape \(None, 28, 28, 1\) \(the input of model "sequential(_\d+)?"\), received \(4, 28, 28, 3\)/,
    );
  });

  it('refuses fit before compile, mismatched lengths and wrong targets before any work', async () => {
    const model = sequential([layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })]);
    const x = zeros([10, 4]);
    await assert.rejects(model.fit(x, zeros([10, 3])), /must be compiled first/);
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    await assert.rejects(model.fit(x, zeros([9, 3])), /same number of samples, received x \(10, 4\) and y \(9, 3\)/);
    await assert.rejects(
      model.fit(x, new Tensor(new Int32Array(10), [10])),
      /expects y of shape \(10, 3\).*received \(10,\).*sparseCategoricalCrossentropy' \(or oneHot\(labels, 3\)\)/,
    );
    await assert.rejects(model.fit(zeros([10, 5]), zeros([10, 3])), /expected x of shape \(None, 4\) .*received \(10, 5\)/);
    await assert.rejects(model.fit(x, zeros([10, 3]), { batchSize: 0 }), /batchSize to be a positive integer, received 0/);
  });

  it('getLayer finds layers by name; pop removes the head', () => {
    const model = sequential([layers.dense({ units: 3, inputShape: [4], name: 'hidden' }), layers.dense({ units: 2, name: 'head' })]);
    assert.equal(model.getLayer('head').name, 'head');
    assert.throws(() => model.getLayer('nope'), /no layer named 'nope'; layers: hidden, head/);
    model.pop();
    assert.deepEqual(
      model.layers.map((l) => l.name),
      ['hidden'],
    );
  });

  it('freezing a layer removes its weights from training', () => {
    const model = sequential([layers.dense({ units: 3, inputShape: [4] }), layers.dense({ units: 2 })]);
    model.layers[0]!.trainable = false;
    assert.equal(model.trainableWeights.length, 2);
    assert.equal(model.nonTrainableWeights.length, 2);
    assert.equal(model.countParams(), 15 + 8);
  });

  it('frozen layers keep their weights through fit; the others train', async () => {
    setSeed(2);
    const model = sequential([
      layers.dense({ units: 4, activation: 'relu', inputShape: [3] }),
      layers.dense({ units: 2, activation: 'softmax' }),
    ]);
    model.layers[0]!.trainable = false;
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const frozen = model.layers[0]!.getWeights().map((w) => [...w.data]);
    const head = model.layers[1]!.getWeights().map((w) => [...w.data]);
    const x = zeros([8, 3]);
    x.data.forEach((_, i) => (x.data[i] = Math.sin(i)));
    const y = zeros([8, 2]);
    for (let i = 0; i < 8; i++) y.data[2 * i + (i % 2)] = 1;
    await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    assert.deepEqual(
      model.layers[0]!.getWeights().map((w) => [...w.data]),
      frozen,
    );
    assert.notDeepEqual(
      model.layers[1]!.getWeights().map((w) => [...w.data]),
      head,
    );
  });
});
