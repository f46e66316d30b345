/**
 * kernelRegularizer / biasRegularizer on Dense and Conv2D: the penalty's value, its place in
 * fit's logged loss and in the gradient, config round trips, and errors for unknown names.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { layers } from '../../src/layers/index.js';
import { layerFromConfig, serializeLayer } from '../../src/layers/registry.js';
import { sequential } from '../../src/models/sequential.js';
import { optimizers } from '../../src/optimizers/index.js';
import { regularizers } from '../../src/regularizers/index.js';
import { Tensor, tensor } from '../../src/tensor/tensor.js';

setBackend('ts');
const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const total = (ts: Tensor[]) => ts.reduce((s, t) => s + t.item(), 0);

/** Dense(1) on one feature with kernel [[2]] and bias [0.5]. */
function linearModel(args: Parameters<typeof layers.dense>[0]) {
  const model = sequential([layers.dense({ inputShape: [1], ...args })]);
  model.layers[0]!.setWeights([tensor([[2]]), tensor([0.5])]);
  return model;
}

describe('regularizers on layers', () => {
  it('Dense: the penalties are l2·Σk² and l1·Σ|b|', () => {
    const model = linearModel({ units: 1, kernelRegularizer: regularizers.l2(0.01), biasRegularizer: regularizers.l1(0.1) });
    const penalties = model.regularizationLosses();
    assert.equal(penalties.length, 2);
    close(total(penalties), 0.01 * 4 + 0.1 * 0.5);
  });

  it('Conv2D: the kernel penalty is l1l2 over every kernel element', () => {
    const conv = layers.conv2d({ filters: 2, kernelSize: 2, kernelRegularizer: regularizers.l1l2({ l1: 0.1, l2: 0.2 }) });
    conv.apply(new Tensor(new Float32Array(1 * 3 * 3 * 1), [1, 3, 3, 1]));
    const k = Array.from(conv.kernel!.data);
    const expected = 0.1 * k.reduce((s, v) => s + Math.abs(v), 0) + 0.2 * k.reduce((s, v) => s + v * v, 0);
    assert.equal(conv.regularizationLosses().length, 1, 'no bias regularizer given');
    close(total(conv.regularizationLosses()), expected);
  });

  it("fit's logged loss includes the penalty, and its gradient moves the weights", async () => {
    // x = [1, 2], y = [1, 1]; kernel 2, bias 0.5 → pred [2.5, 4.5]; mse = (1.5² + 3.5²)/2 = 7.25; penalty 0.5·2² = 2.
    const x = tensor([[1], [2]]);
    const y = tensor([[1], [1]]);
    const model = linearModel({ units: 1, kernelRegularizer: regularizers.l2(0.5) });
    model.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const h = await model.fit(x, y, { epochs: 1, batchSize: 2, shuffle: false, verbose: 0 });
    close(h.history['loss']![0]!, 7.25 + 2);
    // d/dk: mse (2·1.5·1 + 2·3.5·2)/2 = 8.5, penalty 2·0.5·2 = 2 → k = 2 − 0.1·10.5
    close(model.layers[0]!.getWeights()[0]!.data[0]!, 2 - 1.05);
  });

  it('a frozen layer contributes no penalty', () => {
    const model = linearModel({ units: 1, kernelRegularizer: regularizers.l2(0.5) });
    model.layers[0]!.trainable = false;
    assert.equal(model.regularizationLosses().length, 0);
  });

  it('configs carry the regularizers and rebuild them; names and {className, config} are accepted', () => {
    const dense = layers.dense({ units: 3, kernelRegularizer: 'l2', biasRegularizer: { className: 'L1', config: { l1: 0.3 } } });
    const config = dense.getConfig();
    assert.deepEqual(config['kernelRegularizer'], { className: 'L2', config: { l2: 0.01 } });
    assert.deepEqual(config['biasRegularizer'], { className: 'L1', config: { l1: 0.3 } });
    const copy = layerFromConfig(serializeLayer(dense));
    assert.deepEqual(copy.getConfig(), config);
    const plain = layers.conv2d({ filters: 1, kernelSize: 1 }).getConfig();
    assert.equal(plain['kernelRegularizer'], null);
    assert.equal(plain['biasRegularizer'], null);
    const conv = layers.conv2d({ filters: 1, kernelSize: 1, kernelRegularizer: regularizers.l1l2({ l1: 0.1, l2: 0.2 }) });
    assert.deepEqual(layerFromConfig(serializeLayer(conv)).getConfig()['kernelRegularizer'], {
      className: 'L1L2',
      config: { l1: 0.1, l2: 0.2 },
    });
  });

  it('an unknown regularizer is refused at construction, naming the layer option', () => {
    assert.throws(
      () => layers.dense({ units: 1, name: 'head', kernelRegularizer: 'l3' as 'l2' }),
      /Dense "head" kernelRegularizer: unknown regularizer 'l3'/,
    );
    assert.throws(
      () => layers.conv2d({ filters: 1, kernelSize: 1, name: 'c', biasRegularizer: { className: 'Orthogonal' } }),
      /Conv2D "c" biasRegularizer: unknown regularizer class 'Orthogonal'/,
    );
  });
});
