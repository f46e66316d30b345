/**
 * The fusion table (src/layers/fusion.ts) on its own: which layer pairs `applyFused` runs as one
 * op, which it declines (returning null and running nothing), and the checks it makes first.
 * The models' use of it, with values and gradients compared, is in test/models/fusion.test.ts.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { applyFused, setLayerFusion } from '../../src/layers/fusion.js';
import { layers } from '../../src/layers/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { randomInput } from '../helpers/gradcheck.js';

setBackend('ts');
afterEach(() => setLayerFusion(true));

const x = (shape: number[]): Tensor => randomInput(shape, new Random(2));

/** `next` built for what `first` outputs on `input`, as a model builds its layers. */
function pair(first: Layer, next: Layer, input: Tensor): void {
  const shape = first.computeOutputShapeForInputs([[null, ...input.shape.slice(1)]]);
  next.apply(x(shape.map((d) => d ?? 2)));
}

/** The op that made `t` (the tape records while the inputs need gradients). */
const opOf = (t: Tensor | null): string | null => t?.node?.op ?? null;

describe('the fusion table', () => {
  setSeed(1);

  it('runs the three pairs as one op each', () => {
    const input = x([2, 6, 6, 3]);
    const conv = layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', dtype: 'float64' });
    const pool = layers.maxPooling2d();
    pair(conv, pool, input);
    assert.equal(opOf(applyFused(conv, pool, input)), 'conv2dMaxPool');

    const norm = layers.batchNormalization({ dtype: 'float64' });
    const relu = layers.activation({ activation: 'relu' });
    pair(norm, relu, input);
    assert.equal(opOf(applyFused(norm, relu, input, { training: true })), 'fusedBatchNorm');
    const reLUAfterNorm = layers.reLU();
    pair(norm, reLUAfterNorm, input);
    assert.equal(opOf(applyFused(norm, reLUAfterNorm, input)), 'batchNormInference');
    const relu6 = layers.reLU({ maxValue: 6 });
    pair(norm, relu6, input);
    assert.equal(opOf(applyFused(norm, relu6, input, { training: true })), 'fusedBatchNorm', 'relu6 inside the training kernel');
    assert.equal(opOf(applyFused(norm, relu6, input)), 'relu6', 'at inference, after the batch norm');

    const add = layers.add();
    const reLU = layers.reLU();
    reLU.apply(input);
    assert.equal(opOf(applyFused(add, reLU, [input, input, input])), 'addRelu');
  });

  it('declines pairs not in the table, an unbuilt second layer, and everything when fusion is off', () => {
    const input = x([1, 6, 6, 2]);
    const tanhConv = layers.conv2d({ filters: 2, kernelSize: 3, activation: 'tanh', dtype: 'float64' });
    const pool = layers.maxPooling2d();
    pair(tanhConv, pool, input);
    assert.equal(applyFused(tanhConv, pool, input), null, 'the pool would see the tanh, which the kernel does not fuse');
    assert.equal(applyFused(layers.conv2d({ filters: 2, kernelSize: 3 }), layers.averagePooling2d(), input), null);
    assert.equal(applyFused(layers.batchNormalization(), layers.reLU({ maxValue: 5 }), input), null);
    assert.equal(applyFused(layers.batchNormalization(), layers.activation({ activation: 'sigmoid' }), input), null);

    const conv = layers.conv2d({ filters: 2, kernelSize: 3, dtype: 'float64' });
    const unbuilt = layers.maxPooling2d();
    assert.equal(applyFused(conv, unbuilt, input), null);
    assert.equal(conv.built, false, 'declining runs nothing, not even the build');

    pair(conv, unbuilt, input);
    setLayerFusion(false);
    assert.equal(applyFused(conv, unbuilt, input), null);
    setLayerFusion(true);
    assert.equal(opOf(applyFused(conv, unbuilt, input)), 'conv2dMaxPool');
  });

  it("checks the first layer's input and the second's as two apply calls would", () => {
    const conv = layers.conv2d({ filters: 2, kernelSize: 3, name: 'table_conv', dtype: 'float64' });
    const pool = layers.maxPooling2d({ name: 'table_pool' });
    conv.apply(x([1, 6, 6, 2]));
    pool.apply(x([1, 5, 5, 2])); // built for another shape than the conv's output (4×4)
    assert.throws(
      () => applyFused(conv, pool, x([1, 6, 6, 3])),
      /Layer "table_conv" \(Conv2D\): expected input of shape \(None, 6, 6, 2\)/,
    );
    assert.throws(
      () => applyFused(conv, pool, x([1, 6, 6, 2])),
      /Layer "table_pool" \(MaxPooling2D\): expected input of shape \(None, 5, 5, 2\), received \(1, 4, 4, 2\)/,
    );
  });
});
