/**
 * What the layer harness cannot see: Dropout's training behaviour (rate, mean, seeds, noise
 * shapes), BatchNormalization's training/inference outputs, moving statistics and gradients
 * against PyTorch (test/fixtures/batchnorm.json, made by test/fixtures/make_batchnorm_fixture.py),
 * and a deeper CNN built from the new layers training end to end.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gradients } from '../../src/autograd/gradients.js';
import { setBackend } from '../../src/backends/index.js';
import { layers, type BatchNormalization } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor, tensor } from '../../src/tensor/tensor.js';
import { checkGradients, randomInput } from '../helpers/gradcheck.js';

setBackend('ts');

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
};

describe('Dropout in training', () => {
  const ones = (shape: number[]) => tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape);

  it('is the identity at inference', () => {
    const x = ones([4, 5]);
    assert.equal(layers.dropout({ rate: 0.5 }).apply(x), x);
    const maps = ones([1, 2, 2, 3]);
    assert.equal(layers.spatialDropout2d({ rate: 0.5 }).apply(maps, { training: false }), maps);
  });
  it('drops a fraction `rate`, keeps the mean, and repeats with a seed', () => {
    const x = ones([200, 100]);
    const y = layers.dropout({ rate: 0.3, seed: 7 }).apply(x, { training: true });
    const dropped = y.data.filter((v) => v === 0).length / y.size;
    const mean = Array.from(y.data).reduce((s, v) => s + v, 0) / y.size;
    assert.ok(Math.abs(dropped - 0.3) < 0.02, `dropped ${dropped}`);
    assert.ok(Math.abs(mean - 1) < 0.03, `mean ${mean}`);
    assert.ok(y.data.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6));
    const again = layers.dropout({ rate: 0.3, seed: 7 }).apply(x, { training: true });
    assert.deepEqual([...again.data], [...y.data]);
    setSeed(3);
    const a = layers.dropout({ rate: 0.3 }).apply(x, { training: true });
    setSeed(3);
    const b = layers.dropout({ rate: 0.3 }).apply(x, { training: true });
    assert.deepEqual([...a.data], [...b.data], 'the library-wide seed makes unseeded dropout repeatable');
  });
  it('noiseShape shares one draw along size-1 axes; SpatialDropout2D drops whole channels', () => {
    const y = layers.dropout({ rate: 0.5, noiseShape: [null, 1, 6], seed: 2 }).apply(ones([3, 4, 6]), { training: true });
    for (let n = 0; n < 3; n++)
      for (let c = 0; c < 6; c++) for (let t = 1; t < 4; t++) assert.equal(y.data[(n * 4 + t) * 6 + c], y.data[n * 24 + c]);
    const s = layers.spatialDropout2d({ rate: 0.5, seed: 4 }).apply(ones([2, 3, 3, 8]), { training: true });
    let droppedChannels = 0;
    for (let n = 0; n < 2; n++) {
      for (let c = 0; c < 8; c++) {
        const values = new Set<number>();
        for (let p = 0; p < 9; p++) values.add(s.data[(n * 9 + p) * 8 + c]!);
        assert.equal(values.size, 1, `sample ${n} channel ${c} is all kept or all dropped`);
        if (values.has(0)) droppedChannels++;
      }
    }
    assert.ok(droppedChannels > 0 && droppedChannels < 16);
  });
});

interface BatchNormCase {
  shape: number[];
  momentum: number;
  epsilon: number;
  x: number[];
  gamma: number[];
  beta: number[];
  movingMean: number[];
  movingVariance: number[];
  dy: number[];
  trainingOutput: number[];
  movingMeanAfter: number[];
  movingVarianceAfter: number[];
  inferenceOutput: number[];
  dx: number[];
  dgamma: number[];
  dbeta: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../../../test/fixtures/batchnorm.json', import.meta.url), 'utf8')) as {
  cases: BatchNormCase[];
};

describe('BatchNormalization against PyTorch', () => {
  const f64 = (values: number[], shape: number[]) => new Tensor(Float64Array.from(values), shape);

  function prepared(c: BatchNormCase, dtype: 'float32' | 'float64'): { bn: BatchNormalization; x: Tensor } {
    const bn = layers.batchNormalization({ momentum: c.momentum, epsilon: c.epsilon, dtype });
    const C = c.shape[c.shape.length - 1]!;
    const x = dtype === 'float64' ? f64(c.x, c.shape) : new Tensor(Float32Array.from(c.x), c.shape);
    bn.apply(x); // builds
    const w = (v: number[]) => (dtype === 'float64' ? f64(v, [C]) : new Tensor(Float32Array.from(v), [C]));
    bn.setWeights([w(c.gamma), w(c.beta), w(c.movingMean), w(c.movingVariance)]);
    return { bn, x };
  }

  for (const c of fixture.cases) {
    it(`training output, moving statistics, gradients and inference output for ${JSON.stringify(c.shape)}`, () => {
      const { bn, x } = prepared(c, 'float64');
      x.requiresGrad = true;
      const y = bn.apply(x, { training: true });
      close(y.data, c.trainingOutput, 1e-12, 'training output');
      close(bn.movingMean!.data, c.movingMeanAfter, 1e-14, 'moving mean');
      close(bn.movingVariance!.data, c.movingVarianceAfter, 1e-14, 'moving variance');
      const [dx, dgamma, dbeta] = gradients(y, [x, bn.gamma!, bn.beta!], f64(c.dy, c.shape));
      close(dx!.data, c.dx, 1e-12, 'dx');
      close(dgamma!.data, c.dgamma, 1e-12, 'dgamma');
      close(dbeta!.data, c.dbeta, 1e-12, 'dbeta');
      close(bn.apply(x, { training: false }).data, c.inferenceOutput, 1e-12, 'inference output');
    });
  }
  it('float32 agrees within float32 precision', () => {
    const c = fixture.cases[0]!;
    const { bn, x } = prepared(c, 'float32');
    close(bn.apply(x, { training: true }).data, c.trainingOutput, 1e-5, 'training output');
    close(bn.apply(x).data, c.inferenceOutput, 1e-5, 'inference output');
  });
  it('a frozen layer normalises with the moving statistics and leaves them alone, even in training', () => {
    const c = fixture.cases[0]!;
    const { bn, x } = prepared(c, 'float64');
    bn.trainable = false;
    const y = bn.apply(x, { training: true });
    close(bn.movingMean!.data, c.movingMean, 0, 'moving mean unchanged');
    const inference = prepared(c, 'float64').bn.apply(x);
    close(y.data, inference.data, 0, 'inference-mode output');
  });
  it("Keras 3's defaults by value: momentum 0.99, epsilon 1e-3", () => {
    // keras/src/layers/normalization/batch_normalization.py: momentum=0.99, epsilon=1e-3; moving
    // statistics start at mean 0, variance 1, and move by moving·momentum + batch·(1 − momentum).
    const bn = layers.batchNormalization({ dtype: 'float64' });
    const x = new Tensor(Float64Array.of(1, 5), [2, 1]); // batch mean 3, biased variance 4
    const inference = bn.apply(x);
    close(inference.data, [1 / Math.sqrt(1.001), 5 / Math.sqrt(1.001)], 1e-15, 'inference on the initial statistics');
    const training = bn.apply(x, { training: true });
    close(training.data, [-2 / Math.sqrt(4.001), 2 / Math.sqrt(4.001)], 1e-15, 'training on the batch statistics');
    close(bn.movingMean!.data, [0.01 * 3], 1e-15, 'moving mean');
    close(bn.movingVariance!.data, [0.99 + 0.01 * 4], 1e-15, 'moving variance');
  });
  it('gradient check in training mode (through the batch statistics)', () => {
    const rng = new Random(21);
    const bn = layers.batchNormalization({ dtype: 'float64' });
    const x = randomInput([3, 2, 2, 3], rng);
    bn.apply(x);
    bn.setWeights([randomInput([3], rng, 0.5, 1.5), randomInput([3], rng), randomInput([3], rng), randomInput([3], rng, 0.5, 1.5)]);
    checkGradients(([input]) => bn.apply(input!, { training: true }), [x, ...bn.trainableWeights]);
  });
});

describe('a deeper CNN trains end to end', () => {
  it('conv → batch norm → ReLU → separable → depthwise → transpose → global pool → dropout → dense', async () => {
    setSeed(1);
    const model = sequential([
      layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [8, 8, 1] }),
      layers.batchNormalization(),
      layers.reLU(),
      layers.zeroPadding2d(),
      layers.separableConv2d({ filters: 6, kernelSize: 3, strides: 2, activation: 'relu' }),
      layers.spatialDropout2d({ rate: 0.1 }),
      layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'gelu' }),
      layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2 }),
      layers.cropping2D({ cropping: 1 }),
      layers.maxPooling2d(),
      layers.upSampling2d(),
      layers.globalAveragePooling2d(),
      layers.dropout({ rate: 0.2 }),
      layers.reshape({ targetShape: [2, 2] }),
      layers.permute({ dims: [2, 1] }),
      layers.flatten(),
      layers.dense({ units: 2, activation: 'softmax' }),
    ]);
    const rng = new Random(2);
    const n = 16;
    const x = tensor(
      Float32Array.from({ length: n * 64 }, () => rng.uniform()),
      [n, 8, 8, 1],
    );
    const y = tensor(
      Float32Array.from({ length: n * 2 }, (_, i) => (i % 2 === Math.floor(i / 2) % 2 ? 1 : 0)),
      [n, 2],
    );
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const bn = model.layers[1] as BatchNormalization;
    const before = Float32Array.from(bn.movingMean?.data ?? []);
    const history = await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const losses = history.history['loss'] as number[];
    assert.equal(losses.length, 2);
    // Inference (dropout off, batch norm on its moving statistics) is one function of x: evaluate's
    // loss is the mean of −log p[true class] over predict's probabilities.
    const p = model.predict(x).data;
    let expected = 0;
    for (let i = 0; i < n; i++) expected -= Math.log(y.data[2 * i]! === 1 ? p[2 * i]! : p[2 * i + 1]!) / n;
    const [evaluated] = await model.evaluate(x, y, { batchSize: 5 });
    assert.ok(Math.abs(evaluated! - expected) < 1e-5, `evaluate's loss ${evaluated}, from predict ${expected}`);
    assert.ok(
      bn.movingMean!.data.some((v, i) => v !== before[i]),
      'moving mean moved during fit',
    );
    assert.deepEqual(model.predict(x).shape, [n, 2]);
  });
});
