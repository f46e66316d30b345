/**
 * binaryCrossentropy on a sigmoid output is computed from the sigmoid's logits, as Keras's
 * TensorFlow backend does (keras/src/backend/tensorflow/nn.py, binary_crossentropy: `_get_logits`
 * then tf.nn.sigmoid_cross_entropy_with_logits): saturated outputs keep their true loss and a
 * gradient, where clipped probabilities give −log(1e−7) ≈ 16 at most and no gradient.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradients } from '../../src/autograd/gradients.js';
import { setBackend } from '../../src/backends/index.js';
import { activations, layers } from '../../src/layers/index.js';
import { losses } from '../../src/losses/index.js';
import { sequential } from '../../src/models/sequential.js';
import * as ops from '../../src/ops/index.js';
import { Tensor, tensor } from '../../src/tensor/tensor.js';
import { checkGradients, randomInput } from '../helpers/gradcheck.js';
import { Random } from '../../src/tensor/random.js';

setBackend('ts');
const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('binaryCrossentropy from a sigmoid output', () => {
  // −log σ(z) for y = 1 and −log(1 − σ(z)) = z − log σ(z) for y = 0, written out in float64:
  // z = −100, y = 1 → 100 + log1p(e^−100) = 100;   z = 3, y = 0 → 3 + log1p(e^−3) = 3.048587351573742
  // z = 100, y = 0 → 100;                          z = −2, y = 1 → 2 + log1p(e^−2) = 2.1269280110429727
  const z = [-100, 3, 100, -2];
  const y = [1, 0, 0, 1];
  const expected = [100, 3.048587351573742, 100, 2.1269280110429727];

  it('gives the true loss of saturated logits (±100), not the clipped one', () => {
    const logits = new Tensor(Float64Array.from(z), [4, 1]);
    const l = losses.binaryCrossentropy(new Tensor(Float64Array.from(y), [4, 1]), activations.sigmoid(logits));
    expected.forEach((v, i) => close(l.data[i]!, v, 1e-12));
    // The same outputs without their logits (plain probabilities) are clipped at 1e-7: about 16 at most.
    const probs = ops.sigmoid(logits);
    const clipped = losses.binaryCrossentropy(new Tensor(Float64Array.from(y), [4, 1]), probs);
    assert.ok(clipped.data[0]! < 16.2, `clipped ${clipped.data[0]}`);
  });

  it('has the gradient σ(z) − y per element (averaged over the last axis), even when saturated', () => {
    const logits = new Tensor(Float64Array.from(z), [1, 4]);
    logits.requiresGrad = true;
    const loss = ops.sum(losses.binaryCrossentropy(new Tensor(Float64Array.from(y), [1, 4]), activations.sigmoid(logits)));
    const [g] = gradients(loss, [logits]);
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    z.forEach((v, i) => close(g!.data[i]!, (sigmoid(v) - y[i]!) / 4, 1e-12));
    assert.ok(Math.abs(g!.data[0]!) > 0.24, 'z = −100, y = 1 still pulls z up');
  });

  it('agrees with the probability formula on moderate logits, and passes a gradient check', () => {
    const logits = tensor([
      [0.5, -1.5, 2],
      [-0.25, 1, 0],
    ]);
    const targets = tensor([
      [1, 0, 1],
      [0, 0, 1],
    ]);
    const viaLogits = losses.binaryCrossentropy(targets, activations.sigmoid(logits));
    const viaProbs = losses.binaryCrossentropy(targets, ops.sigmoid(logits));
    close(viaLogits.data[0]!, viaProbs.data[0]!);
    close(viaLogits.data[1]!, viaProbs.data[1]!);
    const t64 = new Tensor(Float64Array.from(targets.data), targets.shape);
    checkGradients(([x]) => losses.binaryCrossentropy(t64, activations.sigmoid(x!)), [randomInput([2, 3], new Random(4), -3, 3)]);
  });

  it('a Dense sigmoid output trains from its logits (the loss fit reports matches the logit formula)', async () => {
    const m = sequential([
      layers.dense({ units: 1, activation: 'sigmoid', inputShape: [1], kernelInitializer: 'ones', biasInitializer: 'zeros' }),
    ]);
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const [loss] = await m.evaluate(tensor([[-100], [100]]), tensor([[1], [0]]));
    close(loss!, 100, 1e-5); // Keras: 100 (Convkit before: about 16, clipped in float32)
  });
});
