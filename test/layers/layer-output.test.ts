/**
 * Layer.output, as Keras 3's `Operation.output` (keras/src/ops/operation.py: the output of the
 * first call, "has never been called and thus has no defined output" before one): the handle
 * for cutting a model at a layer with the functional API.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { input, layers } from '../../src/layers/index.js';
import { model } from '../../src/models/functional.js';
import { Tensor } from '../../src/tensor/tensor.js';

test("layer.output is its first call's output; a model cut there computes the intermediate value", () => {
  const x = input({ shape: [3] });
  const hidden = layers.dense({ units: 4, activation: 'relu', name: 'hidden' });
  const h = hidden.apply(x);
  const full = model({ inputs: x, outputs: layers.dense({ units: 2, name: 'out' }).apply(h) });
  assert.equal(full.getLayer('hidden').output, h);
  hidden.apply(input({ shape: [3] })); // a second call does not change it
  assert.equal(hidden.output, h);
  const cut = model({ inputs: full.inputs, outputs: full.getLayer('hidden').output });
  const data = new Tensor(Float32Array.from([1, -2, 3, 0.5, 0, -1]), [2, 3]);
  assert.deepEqual(cut.predict(data).values(), hidden.apply(data).values());
  assert.deepEqual(cut.outputShape, [null, 4]);
});

test('layer.output of a layer never called on symbolic tensors names the layer', () => {
  const d = layers.dense({ units: 2, name: 'lonely' });
  assert.throws(() => d.output, /^Error: Layer "lonely" \(Dense\) has never been called and thus has no defined output$/);
});
