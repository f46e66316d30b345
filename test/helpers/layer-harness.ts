/**
 * One harness for every layer (as Keras's `run_layer_test`): output shape against
 * computeOutputShape, parameter count against Keras's, config round trip, a training step
 * that changes the weights, and a float64 gradient check for the input and every weight.
 */
import assert from 'node:assert/strict';
import { gradients } from '../../src/autograd/gradients.js';
import type { Layer, LayerArgs } from '../../src/layers/layer.js';
import { layerFromConfig, serializeLayer } from '../../src/layers/registry.js';
import * as ops from '../../src/ops/index.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkGradients, randomInput } from './gradcheck.js';

export interface LayerTestCase {
  /** Makes the layer; the harness passes the dtype it needs. */
  make: (args: Pick<LayerArgs, 'dtype'>) => Layer;
  /** Input shape including a (small) batch dimension. */
  inputShape: number[];
  /** For layers of several inputs (Concatenate): each input's shape; inputShape is then the first. */
  inputShapes?: number[][];
  expectedOutputShape: number[];
  /** Parameter count as Keras reports it. */
  expectedParams: number;
  /** Skip the gradient check (e.g. for non-differentiable layers). */
  skipGradientCheck?: boolean;
}

export function runLayerTest(c: LayerTestCase): void {
  const rng = new Random(11);
  const shapes = c.inputShapes ?? [c.inputShape];
  const several = c.inputShapes !== undefined;
  // Shapes and parameter count, in float32.
  const layer = c.make({});
  const xs = shapes.map((shape) => new Tensor(Float32Array.from(randomInput(shape, rng).data), shape));
  const x = several ? xs : xs[0]!;
  const y = layer.apply(x);
  assert.deepEqual(y.shape, c.expectedOutputShape, `${layer.className}: output shape`);
  const symbolic = layer.computeOutputShapeForInputs(shapes.map((shape) => [null, ...shape.slice(1)]));
  assert.deepEqual(symbolic, [null, ...c.expectedOutputShape.slice(1)], `${layer.className}: computeOutputShape`);
  assert.equal(layer.countParams(), c.expectedParams, `${layer.className}: parameter count`);

  // Config round trip: the rebuilt layer has the same config and, given the same weights, the same output.
  const copy = layerFromConfig(serializeLayer(layer));
  assert.deepEqual(copy.getConfig(), layer.getConfig(), `${layer.className}: config round trip`);
  copy.apply(x);
  copy.setWeights(layer.getWeights());
  assert.deepEqual([...copy.apply(x).data], [...y.data], `${layer.className}: rebuilt layer computes the same`);

  // A training step changes every trainable weight.
  if (layer.trainableWeights.length > 0) {
    const before = layer.trainableWeights.map((w) => Float32Array.from(w.data));
    const probe = randomInput(c.expectedOutputShape, rng);
    const loss = ops.sum(ops.mul(layer.apply(x, { training: true }), new Tensor(Float32Array.from(probe.data), probe.shape)));
    const grads = gradients(loss, layer.trainableWeights);
    layer.trainableWeights.forEach((w, i) => {
      const g = grads[i];
      assert.ok(g, `${layer.className}: no gradient for ${w.name}`);
      for (let j = 0; j < w.size; j++) w.data[j] -= 0.1 * g.data[j]!;
      assert.ok(
        w.data.some((v, j) => v !== before[i]![j]),
        `${layer.className}: ${w.name} did not change`,
      );
    });
  }

  // Gradient check in float64 for the input and every trainable weight.
  if (!c.skipGradientCheck) {
    const layer64 = c.make({ dtype: 'float64' });
    const x64 = shapes.map((shape) => randomInput(shape, rng));
    layer64.apply(several ? x64 : x64[0]!);
    checkGradients(
      (inputs) => layer64.apply(several ? inputs.slice(0, x64.length) : inputs[0]!, { training: false }),
      [...x64, ...layer64.trainableWeights],
    );
  }
}
