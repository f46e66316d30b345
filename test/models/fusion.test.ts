/**
 * Fusion of layer pairs inside models (Layer.applyFused): a Conv2D feeding only a MaxPooling2D
 * runs as one conv2dMaxPool op, in Sequential and functional models, with the same outputs and
 * gradients as the two layers run apart; pairs whose intermediate is read elsewhere are not fused.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { gradients } from '../../src/autograd/gradients.js';
import { setBackend } from '../../src/backends/index.js';
import { input, layers, setLayerFusion } from '../../src/layers/index.js';
import type { Model } from '../../src/models/model.js';
import { model } from '../../src/models/functional.js';
import { sequential } from '../../src/models/sequential.js';
import * as ops from '../../src/ops/index.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomInput } from '../helpers/gradcheck.js';

setBackend('ts');
afterEach(() => setLayerFusion(true));

function batch(shape: number[]): Tensor {
  return randomInput(shape, new Random(11));
}

/** Output and the gradients of sum(output²) with respect to every weight, fused or not. */
function run(m: Model, x: Tensor, fused: boolean): { y: Tensor; grads: Tensor[]; ops: string[] } {
  setLayerFusion(fused);
  const y = m.apply(x, { training: true });
  const weights = m.trainableWeights;
  const grads = gradients(ops.sum(ops.mul(y, y)), weights).map((g) => g!);
  const seen: string[] = [];
  const visited = new Set<Tensor>();
  const walk = (t: Tensor): void => {
    if (!t.node || visited.has(t)) return;
    visited.add(t);
    seen.push(t.node.op);
    t.node.inputs.forEach(walk);
  };
  walk(y);
  return { y, grads, ops: seen };
}

function assertSameRun(a: ReturnType<typeof run>, b: ReturnType<typeof run>): void {
  assert.deepEqual(a.y.shape, b.y.shape);
  a.y.data.forEach((v, i) => assert.ok(Math.abs(v - b.y.data[i]!) < 1e-12, `output ${i}: ${v} vs ${b.y.data[i]}`));
  a.grads.forEach((g, k) =>
    g.data.forEach((v, i) =>
      assert.ok(Math.abs(v - b.grads[k]!.data[i]!) < 1e-10, `weight ${k} gradient ${i}: ${v} vs ${b.grads[k]!.data[i]}`),
    ),
  );
}

/**
 * `run` fused and then not, each from the same weights: training mode moves the batch norms'
 * moving statistics, so the weights are put back after each run.
 */
function trainingRuns(m: Model, x: Tensor): { fused: ReturnType<typeof run>; plain: ReturnType<typeof run> } {
  const saved = m.weights.map((w) => Float64Array.from(w.data));
  const restore = (): void => m.weights.forEach((w, i) => w.data.set(saved[i]!));
  const fused = run(m, x, true);
  restore();
  const plain = run(m, x, false);
  restore();
  return { fused, plain };
}

describe('layer fusion in models', () => {
  it('Sequential: conv relu → maxpool runs as conv2dMaxPool, same values and gradients', () => {
    setSeed(3);
    const m = sequential([
      layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [9, 9, 2], dtype: 'float64' }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.conv2d({ filters: 3, kernelSize: 2, dtype: 'float64' }),
      layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }),
      layers.flatten(),
      layers.dense({ units: 2, dtype: 'float64' }),
    ]);
    const x = batch([2, 9, 9, 2]);
    const fused = run(m, x, true);
    const plain = run(m, x, false);
    assert.equal(fused.ops.filter((o) => o === 'conv2dMaxPool').length, 2);
    assert.ok(!fused.ops.includes('maxPool2d'));
    assert.ok(!plain.ops.includes('conv2dMaxPool'));
    assertSameRun(fused, plain);
  });

  it('a conv with another activation is not fused (the pool would see the activation)', () => {
    setSeed(3);
    const m = sequential([
      layers.conv2d({ filters: 2, kernelSize: 3, activation: 'tanh', inputShape: [6, 6, 1], dtype: 'float64' }),
      layers.maxPooling2d(),
    ]);
    assert.ok(!run(m, batch([1, 6, 6, 1]), true).ops.includes('conv2dMaxPool'));
  });

  it('functional: fuses a sole reader; not when the conv output is read twice or is a model output', () => {
    setSeed(4);
    const x = input({ shape: [8, 8, 2] });
    const c1 = layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', dtype: 'float64' }).apply(x);
    const p1 = layers.maxPooling2d().apply(c1); // c1 is read only here: fused
    const c2 = layers.conv2d({ filters: 3, kernelSize: 1, padding: 'same', dtype: 'float64' }).apply(p1);
    const p2 = layers.maxPooling2d({ poolSize: 1 }).apply(c2); // c2 also feeds the add: not fused
    const s = layers.add().apply([c2, p2]);
    const m = model({ inputs: x, outputs: s });
    const xb = batch([2, 8, 8, 2]);
    const fused = run(m, xb, true);
    const plain = run(m, xb, false);
    assert.equal(fused.ops.filter((o) => o === 'conv2dMaxPool').length, 1);
    assertSameRun(fused, plain);

    const y = input({ shape: [6, 6, 1] });
    const c = layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', dtype: 'float64' }).apply(y);
    const two = model({ inputs: y, outputs: [c, layers.maxPooling2d().apply(c)] });
    setLayerFusion(true);
    const [convOut, pooled] = two.run([batch([1, 6, 6, 1])], { training: false });
    assert.deepEqual(convOut!.shape, [1, 4, 4, 2]);
    assert.deepEqual(pooled!.shape, [1, 2, 2, 2]);
  });

  it('BatchNormalization → relu (Activation or ReLU) runs as one fused op, in training and inference', () => {
    setSeed(6);
    const m = sequential([
      layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [6, 6, 2], dtype: 'float64' }),
      layers.batchNormalization({ dtype: 'float64' }),
      layers.activation({ activation: 'relu' }),
      layers.conv2d({ filters: 3, kernelSize: 3, dtype: 'float64' }),
      layers.batchNormalization({ dtype: 'float64' }),
      layers.reLU(),
      layers.globalAveragePooling2d(),
    ]);
    const x = batch([3, 6, 6, 2]);
    const { fused, plain } = trainingRuns(m, x);
    assert.equal(fused.ops.filter((o) => o === 'fusedBatchNorm').length, 2);
    assert.ok(!fused.ops.includes('relu'));
    assert.equal(plain.ops.filter((o) => o === 'relu').length, 2);
    assertSameRun(fused, plain);
    setLayerFusion(true);
    const inferFused = m.apply(x, { training: false });
    setLayerFusion(false);
    const inferPlain = m.apply(x, { training: false });
    inferFused.data.forEach((v, i) => assert.ok(Math.abs(v - inferPlain.data[i]!) < 1e-12));
  });

  it('functional: Add → relu runs as addRelu (a residual block), same values and gradients', () => {
    setSeed(8);
    const x = input({ shape: [5, 5, 3] });
    const c = layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', dtype: 'float64' }).apply(x);
    const s = layers.add().apply([x, c]);
    const out = layers.activation({ activation: 'relu' }).apply(s);
    const three = layers.reLU().apply(layers.add().apply([x, c, out])); // three inputs: (x + c) + out, then relu
    const m = model({ inputs: x, outputs: layers.globalMaxPooling2d().apply(three) });
    const xb = batch([2, 5, 5, 3]);
    const fused = run(m, xb, true);
    const plain = run(m, xb, false);
    assert.equal(fused.ops.filter((o) => o === 'addRelu').length, 2);
    assert.ok(!fused.ops.includes('relu'));
    assertSameRun(fused, plain);
  });

  it('BatchNormalization → relu6 (Activation or ReLU with maxValue 6) runs as one fused op in training', () => {
    setSeed(7);
    const norms = [layers.batchNormalization({ dtype: 'float64' }), layers.batchNormalization({ dtype: 'float64' })];
    const m = sequential([
      layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [6, 6, 2], dtype: 'float64' }),
      norms[0]!,
      layers.activation({ activation: 'relu6' }),
      layers.depthwiseConv2d({ kernelSize: 3, dtype: 'float64' }),
      norms[1]!,
      layers.reLU({ maxValue: 6 }),
      layers.globalAveragePooling2d(),
    ]);
    for (const norm of norms) norm.gamma!.data.fill(4); // outputs on both sides of 0 and of 6
    const x = batch([3, 6, 6, 2]);
    const { fused, plain } = trainingRuns(m, x);
    assert.equal(fused.ops.filter((o) => o === 'fusedBatchNorm').length, 2);
    assert.ok(!fused.ops.includes('relu6'));
    assert.equal(plain.ops.filter((o) => o === 'relu6').length, 2);
    assertSameRun(fused, plain);
  });

  it('a ReLU with another maxValue is not fused', () => {
    setSeed(7);
    const m = sequential([layers.batchNormalization({ inputShape: [4], dtype: 'float64' }), layers.reLU({ maxValue: 5 })]);
    const { ops: seen } = run(m, batch([5, 4]), true);
    assert.notEqual(seen[0], 'fusedBatchNorm', 'the capped relu runs as its own op after the batch norm');
    assert.ok(seen.includes('fusedBatchNorm'));
  });

  it('checks the input shape as apply does', () => {
    setSeed(5);
    const m = sequential([layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [6, 6, 1], name: 'fused_conv' }), layers.maxPooling2d()]);
    assert.throws(
      () => m.apply(batch([1, 6, 6, 2])),
      /Layer "fused_conv" \(Conv2D\): expected input of shape \(None, 6, 6, 1\), received \(1, 6, 6, 2\)/,
    );
  });
});
