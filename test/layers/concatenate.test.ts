/**
 * Concatenate (keras/src/layers/merging/concatenate.py): joins inputs along one axis, every other
 * axis equal; the layer harness checks shapes, config round trip and the float64 gradient for
 * every input. Also the `layers.cropping2d` factory name (with `cropping2D` kept).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { Concatenate, Cropping2D, input, layerFromConfig, layers } from '../../src/layers/index.js';
import { model } from '../../src/models/functional.js';
import { tensor } from '../../src/tensor/tensor.js';
import { runLayerTest } from '../helpers/layer-harness.js';

setBackend('ts');

describe('Concatenate', () => {
  it('joins along the channels (axis -1): the layer harness', () => {
    runLayerTest({
      make: (a) => layers.concatenate({ ...a }),
      inputShape: [2, 3, 3, 2],
      inputShapes: [
        [2, 3, 3, 2],
        [2, 3, 3, 4],
      ],
      expectedOutputShape: [2, 3, 3, 6],
      expectedParams: 0,
    });
  });

  it('joins along another axis, three inputs: the layer harness', () => {
    runLayerTest({
      make: (a) => layers.concatenate({ axis: 1, ...a }),
      inputShape: [2, 1, 3],
      inputShapes: [
        [2, 1, 3],
        [2, 2, 3],
        [2, 3, 3],
      ],
      expectedOutputShape: [2, 6, 3],
      expectedParams: 0,
    });
  });

  it('known values, and its class name in configs', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([[5], [6]]);
    assert.deepEqual(layers.concatenate().apply([a, b]).toArray(), [
      [1, 2, 5],
      [3, 4, 6],
    ]);
    const rebuilt = layerFromConfig({ className: 'Concatenate', config: { name: 'cat', axis: 1 } });
    assert.ok(rebuilt instanceof Concatenate);
    assert.equal((rebuilt as Concatenate).axis, 1);
  });

  it('in a functional model (an Inception-style block), saved and rebuilt from its config', () => {
    const x = input({ shape: [6, 6, 2] });
    const left = layers.conv2d({ filters: 3, kernelSize: 1, padding: 'same' }).apply(x);
    const right = layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same' }).apply(x);
    const joined = layers.concatenate().apply([left, right]);
    assert.deepEqual(joined.shape, [null, 6, 6, 8]);
    const m = model({ inputs: x, outputs: joined });
    const copy = layerFromConfig({ className: 'Functional', config: m.getConfig() });
    const data = tensor(
      Array.from({ length: 72 }, (_, i) => (i % 7) / 7),
      [1, 6, 6, 2],
    );
    copy.setWeights(m.getWeights());
    assert.deepEqual([...copy.apply(data).data], [...m.predict(data).data]);
  });

  it('refuses shapes that differ off the axis, and an axis that is the batch or out of range', () => {
    const a = input({ shape: [4, 4, 2] });
    const b = input({ shape: [5, 4, 2] });
    assert.throws(
      () => layers.concatenate({ name: 'cat_bad' }).apply([a, b]),
      /Layer "cat_bad" \(Concatenate\): inputs must match on every axis but the concatenation axis -1, received \(None, 4, 4, 2\), \(None, 5, 4, 2\)/,
    );
    assert.throws(() => layers.concatenate({ axis: 0, name: 'cat0' }).apply([a, a]), /axis 0 is not a non-batch axis of inputs of rank 4/);
    assert.throws(() => layers.concatenate({ name: 'cat1' }).apply([a]), /expected at least 2 inputs, received 1/);
    assert.throws(() => layers.concatenate({ axis: 1.5 }), /expected axis to be an integer, received 1.5/);
  });
});

describe('factory names', () => {
  it('layers.cropping2d (as users type it by analogy with conv2d) and layers.cropping2D both make Cropping2D', () => {
    assert.ok(layers.cropping2d({ cropping: 1 }) instanceof Cropping2D);
    assert.ok(layers.cropping2D({ cropping: 1 }) instanceof Cropping2D);
  });
});
