/**
 * Losses and metrics: known values, the stable softmax path agreeing with the probability path,
 * gradient checks, and the errors for mismatched targets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradients } from '../../src/autograd/gradients.js';
import { setBackend } from '../../src/backends/index.js';
import { getLoss, losses } from '../../src/losses/index.js';
import { getMetric, metrics } from '../../src/metrics/index.js';
import * as ops from '../../src/ops/index.js';
import { Random } from '../../src/tensor/random.js';
import { tensor, Tensor } from '../../src/tensor/tensor.js';
import { checkGradients, randomInput } from '../helpers/gradcheck.js';

setBackend('ts');
const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('losses', () => {
  it('categorical cross-entropy: known value, and the softmax-logits path equals the probability path', () => {
    const yTrue = tensor([
      [0, 1, 0],
      [1, 0, 0],
    ]);
    const p = tensor([
      [0.2, 0.7, 0.1],
      [0.5, 0.25, 0.25],
    ]);
    const l = losses.categoricalCrossentropy(yTrue, p);
    close(l.data[0]!, -Math.log(0.7));
    close(l.data[1]!, -Math.log(0.5));
    const logits = tensor([
      [1, 2, 3],
      [-1, 0, 5],
    ]);
    const viaLogits = losses.categoricalCrossentropy(yTrue, ops.softmax(logits));
    const probs = tensor(ops.softmax(logits).data, [2, 3]); // the same values, not a softmax output
    const viaProbs = losses.categoricalCrossentropy(yTrue, probs);
    close(viaLogits.data[0]!, viaProbs.data[0]!);
    close(viaLogits.data[1]!, viaProbs.data[1]!, 1e-4);
  });
  it('cross-entropy through softmax stays finite for extreme logits', () => {
    const l = losses.categoricalCrossentropy(tensor([[1, 0]]), ops.softmax(tensor([[-200, 200]])));
    close(l.data[0]!, 400, 1e-3);
  });
  it('cross-entropy through softmax: exact values and gradients at ±1000 logits (the logits path)', () => {
    // log-softmax of (−1000, 0, 1000) is (−2000, −1000, 0) to float precision: the loss is −log p[label].
    const logits = new Tensor(Float64Array.of(-1000, 0, 1000, -1000, 0, 1000), [2, 3]);
    logits.requiresGrad = true;
    const labels = new Tensor(new Int32Array([0, 2]), [2]);
    const l = losses.sparseCategoricalCrossentropy(labels, ops.softmax(logits));
    assert.deepEqual(
      Array.from(l.data, (v) => v + 0),
      [2000, 0],
    ); // + 0: −0 and 0 alike
    // d loss / d logits = softmax − onehot: (0, 0, 1) − (1, 0, 0) and (0, 0, 1) − (0, 0, 1).
    const [g] = gradients(ops.sum(l), [logits]);
    assert.deepEqual(Array.from(g!.data), [-1, 0, 1, 0, 0, 0]);
    // The same in float32, and for one-hot targets.
    const l32 = losses.categoricalCrossentropy(tensor([[0, 1, 0]]), ops.softmax(tensor([[-1000, 0, 1000]])));
    assert.deepEqual(Array.from(l32.data), [1000]);
  });
  it('cross-entropy on probabilities clips to [1e-7, 1 − 1e-7] as Keras 3 does', () => {
    // keras/src/backend/numpy/nn.py categorical_crossentropy: output /= sum; clip(output, ε, 1 − ε);
    // −Σ target·log(output). p = 0 for the true class gives −log(1e-7) = 16.118095650958318.
    const p = new Tensor(Float64Array.of(0, 1, 1, 0), [2, 2]);
    const l = losses.categoricalCrossentropy(new Tensor(Float64Array.of(1, 0, 1, 0), [2, 2]), p);
    close(l.data[0]!, -Math.log(1e-7), 1e-12);
    close(l.data[1]!, -Math.log(1 - 1e-7), 1e-18);
    // Unnormalised rows are divided by their sum first: (2, 6) → (0.25, 0.75).
    const u = losses.categoricalCrossentropy(new Tensor(Float64Array.of(0, 1), [1, 2]), new Tensor(Float64Array.of(2, 6), [1, 2]));
    close(u.data[0]!, -Math.log(0.75), 1e-15);
  });
  it('binary cross-entropy clips p = 0 and p = 1 to ε and 1 − ε', () => {
    // keras/src/backend/numpy/nn.py binary_crossentropy: clip(output, ε, 1 − ε), then
    // −(t·log p + (1 − t)·log(1 − p)), averaged over the last axis here.
    const wrong = losses.binaryCrossentropy(new Tensor(Float64Array.of(1, 0), [1, 2]), new Tensor(Float64Array.of(0, 1), [1, 2]));
    close(wrong.data[0]!, -Math.log(1e-7), 1e-9);
    const right = losses.binaryCrossentropy(new Tensor(Float64Array.of(1, 0), [1, 2]), new Tensor(Float64Array.of(1, 0), [1, 2]));
    close(right.data[0]!, -Math.log(1 - 1e-7), 1e-18);
  });
  it('sparse cross-entropy equals categorical on one-hot labels, and checks labels', () => {
    const p = tensor([
      [0.2, 0.7, 0.1],
      [0.5, 0.25, 0.25],
    ]);
    const sparse = losses.sparseCategoricalCrossentropy(new Tensor(new Int32Array([1, 0]), [2]), p);
    close(sparse.data[0]!, -Math.log(0.7));
    assert.throws(
      () => losses.sparseCategoricalCrossentropy(new Tensor(new Int32Array([1, 3]), [2]), p),
      /^Error: sparseCategoricalCrossentropy: labels\[1\] is 3; expected a class index in 0\.\.2 \(numClasses 3\)$/,
    );
    assert.throws(
      () =>
        losses.sparseCategoricalCrossentropy(
          tensor([
            [0, 1, 0],
            [1, 0, 0],
          ]),
          p,
        ),
      /expected integer labels of shape \(2,\), received \(2, 3\)/,
    );
  });
  it('binary cross-entropy and mean squared error', () => {
    const bce = losses.binaryCrossentropy(tensor([[1, 0]]), tensor([[0.8, 0.4]]));
    close(bce.data[0]!, -(Math.log(0.8) + Math.log(0.6)) / 2);
    const mse = losses.meanSquaredError(
      tensor([
        [1, 2],
        [0, 0],
      ]),
      tensor([
        [1, 4],
        [3, 0],
      ]),
    );
    assert.deepEqual([...mse.data], [2, 4.5]);
    assert.throws(
      () => losses.meanSquaredError(tensor([[1, 2]]), tensor([[1, 2, 3]])),
      /expected targets of shape \(1, 3\).*received \(1, 2\)/,
    );
  });
  it('gradients of every loss', () => {
    const rng = new Random(9);
    const target = new Tensor(new Float64Array([0, 1, 0, 1, 0, 0]), [2, 3]);
    checkGradients(([z]) => losses.categoricalCrossentropy(target, ops.softmax(z!)), [randomInput([2, 3], rng)]);
    checkGradients(([p]) => losses.categoricalCrossentropy(target, p!), [randomInput([2, 3], rng, 0.1, 0.9)]);
    checkGradients(([p]) => losses.binaryCrossentropy(target, p!), [randomInput([2, 3], rng, 0.1, 0.9)]);
    checkGradients(([p]) => losses.meanSquaredError(target, p!), [randomInput([2, 3], rng)]);
  });
  it('names resolve as in Keras', () => {
    assert.equal(getLoss('categorical_crossentropy').name, 'categoricalCrossentropy');
    assert.equal(getLoss('mse').name, 'meanSquaredError');
    assert.throws(() => getLoss('hinge'), /unknown loss 'hinge'/);
  });
});

describe('metrics', () => {
  it("'accuracy' resolves from the loss as Keras does", () => {
    assert.equal(getMetric('accuracy', 'categoricalCrossentropy', 10).fn, metrics.categoricalAccuracy);
    assert.equal(getMetric('accuracy', 'sparseCategoricalCrossentropy', 10).fn, metrics.sparseCategoricalAccuracy);
    assert.equal(getMetric('acc', 'binaryCrossentropy', 1).fn, metrics.binaryAccuracy);
    assert.equal(getMetric('accuracy', 'meanSquaredError', 1).fn, metrics.binaryAccuracy);
  });
  it('known values', () => {
    const p = tensor([
      [0.1, 0.9],
      [0.8, 0.2],
      [0.3, 0.7],
    ]);
    assert.deepEqual(
      [
        ...metrics.categoricalAccuracy(
          tensor([
            [0, 1],
            [0, 1],
            [0, 1],
          ]),
          p,
        ).data,
      ],
      [1, 0, 1],
    );
    assert.deepEqual([...metrics.sparseCategoricalAccuracy(new Tensor(new Int32Array([1, 0, 0]), [3]), p).data], [1, 1, 0]);
    assert.deepEqual(
      [
        ...metrics.binaryAccuracy(
          tensor([
            [1, 0],
            [1, 1],
            [0, 1],
          ]),
          p,
        ).data,
      ],
      [0, 0.5, 1],
    );
  });
});
