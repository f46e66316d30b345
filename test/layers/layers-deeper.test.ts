/**
 * The layers for regularised and deeper CNNs, every one through the shared harness (shapes,
 * Keras's parameter counts, config round trip, a training step, a float64 gradient check), plus
 * known values of the activation layers. Training-mode behaviour of Dropout and BatchNormalization
 * is tested in dropout-batchnorm.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { activations } from '../../src/layers/activations.js';
import { layers, type Layer } from '../../src/layers/index.js';
import { tensor } from '../../src/tensor/tensor.js';
import { runLayerTest } from '../helpers/layer-harness.js';

setBackend('ts');

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
};

describe('harness: regularisation and normalisation', () => {
  it('Dropout and SpatialDropout2D', () => {
    runLayerTest({
      make: (a) => layers.dropout({ rate: 0.5, ...a }),
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 4],
      expectedParams: 0,
    });
    runLayerTest({
      make: (a) => layers.spatialDropout2d({ rate: 0.3, seed: 1, ...a }),
      inputShape: [2, 3, 3, 2],
      expectedOutputShape: [2, 3, 3, 2],
      expectedParams: 0,
    });
  });
  it('BatchNormalization: 4·C parameters, 2·C of them non-trainable', () => {
    runLayerTest({
      make: (a) => layers.batchNormalization(a),
      inputShape: [4, 2, 3, 5],
      expectedOutputShape: [4, 2, 3, 5],
      expectedParams: 20,
    });
    runLayerTest({
      make: (a) => layers.batchNormalization({ momentum: 0.9, ...a }),
      inputShape: [6, 3],
      expectedOutputShape: [6, 3],
      expectedParams: 12,
    });
    runLayerTest({
      make: (a) => layers.batchNormalization({ axis: 1, center: false, ...a }),
      inputShape: [3, 2, 4],
      expectedOutputShape: [3, 2, 4],
      expectedParams: 6,
    });
    const bn = layers.batchNormalization();
    bn.apply(tensor(new Float32Array(2 * 7), [2, 7]));
    assert.equal(bn.countParams(), 28);
    assert.deepEqual(
      bn.trainableWeights.map((w) => w.name.split('/')[1]),
      ['gamma', 'beta'],
    );
    assert.deepEqual(
      bn.nonTrainableWeights.map((w) => w.name.split('/')[1]),
      ['moving_mean', 'moving_variance'],
    );
  });
});

describe('harness: pooling, padding, resizing, shapes', () => {
  it('GlobalAveragePooling2D and GlobalMaxPooling2D, with and without keepdims', () => {
    runLayerTest({
      make: (a) => layers.globalAveragePooling2d(a),
      inputShape: [2, 3, 4, 3],
      expectedOutputShape: [2, 3],
      expectedParams: 0,
    });
    runLayerTest({ make: (a) => layers.globalMaxPooling2d(a), inputShape: [2, 3, 4, 3], expectedOutputShape: [2, 3], expectedParams: 0 });
    runLayerTest({
      make: (a) => layers.globalMaxPooling2d({ keepdims: true, ...a }),
      inputShape: [2, 2, 3, 2],
      expectedOutputShape: [2, 1, 1, 2],
      expectedParams: 0,
    });
    runLayerTest({
      make: (a) => layers.globalAveragePooling2d({ keepdims: true, ...a }),
      inputShape: [1, 2, 3, 2],
      expectedOutputShape: [1, 1, 1, 2],
      expectedParams: 0,
    });
  });
  it('ZeroPadding2D and Cropping2D in all three forms', () => {
    runLayerTest({ make: (a) => layers.zeroPadding2d(a), inputShape: [1, 3, 3, 2], expectedOutputShape: [1, 5, 5, 2], expectedParams: 0 });
    runLayerTest({
      make: (a) => layers.zeroPadding2d({ padding: [1, 2], ...a }),
      inputShape: [1, 2, 2, 1],
      expectedOutputShape: [1, 4, 6, 1],
      expectedParams: 0,
    });
    runLayerTest({
      make: (a) =>
        layers.zeroPadding2d({
          padding: [
            [1, 0],
            [2, 1],
          ],
          ...a,
        }),
      inputShape: [2, 2, 3, 1],
      expectedOutputShape: [2, 3, 6, 1],
      expectedParams: 0,
    });
    runLayerTest({
      make: (a) => layers.cropping2D({ cropping: 1, ...a }),
      inputShape: [1, 4, 5, 2],
      expectedOutputShape: [1, 2, 3, 2],
      expectedParams: 0,
    });
    runLayerTest({
      make: (a) =>
        layers.cropping2D({
          cropping: [
            [1, 0],
            [0, 2],
          ],
          ...a,
        }),
      inputShape: [2, 4, 5, 1],
      expectedOutputShape: [2, 3, 3, 1],
      expectedParams: 0,
    });
    assert.throws(
      () => layers.zeroPadding2d({ padding: [1, [1, 2]] as never }),
      /expected padding to be a non-negative integer, \[height, width\] or/,
    );
    assert.throws(() => layers.cropping2D({ cropping: 2 }).apply(tensor(new Float32Array(9), [1, 3, 3, 1])), /larger than the cropping/);
  });
  it('UpSampling2D: nearest and bilinear', () => {
    runLayerTest({
      make: (a) => layers.upSampling2d({ size: [2, 3], ...a }),
      inputShape: [1, 2, 2, 2],
      expectedOutputShape: [1, 4, 6, 2],
      expectedParams: 0,
    });
    runLayerTest({
      make: (a) => layers.upSampling2d({ interpolation: 'bilinear', ...a }),
      inputShape: [2, 2, 3, 1],
      expectedOutputShape: [2, 4, 6, 1],
      expectedParams: 0,
    });
    const x = tensor([0, 1, 2, 3], [1, 2, 2, 1]);
    assert.deepEqual([...layers.upSampling2d().apply(x).data], [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]);
    // Half-pixel centres: along each axis [a, b] becomes [a, a + (b−a)/4, a + 3(b−a)/4, b]; x is linear, so exact.
    const r = [0, 0.25, 0.75, 1];
    const expected = r.flatMap((p) => r.map((q) => 2 * p + q));
    close(layers.upSampling2d({ interpolation: 'bilinear' }).apply(x).data, expected, 1e-6, 'bilinear');
  });
  it('Reshape (with -1) and Permute (1-based dims)', () => {
    runLayerTest({
      make: (a) => layers.reshape({ targetShape: [-1, 4], ...a }),
      inputShape: [2, 3, 4, 2],
      expectedOutputShape: [2, 6, 4],
      expectedParams: 0,
    });
    runLayerTest({
      make: (a) => layers.reshape({ targetShape: [2, 3], ...a }),
      inputShape: [2, 6],
      expectedOutputShape: [2, 2, 3],
      expectedParams: 0,
    });
    runLayerTest({
      make: (a) => layers.permute({ dims: [3, 1, 2], ...a }),
      inputShape: [2, 3, 4, 2],
      expectedOutputShape: [2, 2, 3, 4],
      expectedParams: 0,
    });
    assert.deepEqual(layers.reshape({ targetShape: [-1, 2] }).computeOutputShape([null, null, 4]), [null, null, 2]);
    assert.throws(
      () => layers.reshape({ targetShape: [5] }).apply(tensor(new Float32Array(12), [2, 6])),
      /cannot reshape input \(None, 6\) \(6 values per sample\) to \[5\]/,
    );
    assert.throws(() => layers.permute({ dims: [0, 1] }), /expected dims to be a permutation of 1\.\.n/);
  });
});

describe('harness: activation layers and gelu', () => {
  it('ReLU, LeakyReLU, ELU, Softmax', () => {
    const cases: ((a: { dtype?: 'float32' | 'float64' }) => Layer)[] = [
      (a) => layers.reLU(a),
      (a) => layers.reLU({ maxValue: 0.5, ...a }),
      (a) => layers.reLU({ maxValue: 0.5, negativeSlope: 0.1, threshold: 0.2, ...a }),
      (a) => layers.leakyReLU(a),
      (a) => layers.leakyReLU({ negativeSlope: 0.1, ...a }),
      (a) => layers.elu({ alpha: 0.5, ...a }),
      (a) => layers.softmax(a),
      (a) => layers.softmax({ axis: 1, ...a }),
    ];
    for (const make of cases) runLayerTest({ make, inputShape: [2, 3, 4], expectedOutputShape: [2, 3, 4], expectedParams: 0 });
  });
  it('known values', () => {
    const x = tensor([-2, -0.5, 0, 0.25, 1, 3], undefined, 'float64');
    assert.deepEqual(
      [...layers.reLU({ maxValue: 1, negativeSlope: 0.5, threshold: 0.5 }).apply(x).data],
      [-1.25, -0.5, -0.25, -0.125, 1, 1],
    );
    close(layers.leakyReLU().apply(x).data, [-0.6, -0.15, 0, 0.25, 1, 3], 1e-15, 'leakyReLU');
    assert.equal(layers.leakyReLU().alpha, 0.3);
    assert.throws(() => layers.leakyReLU({ alpha: 0.1, negativeSlope: 0.2 }), /give one/);
    close(layers.elu().apply(x).data, [Math.expm1(-2), Math.expm1(-0.5), 0, 0.25, 1, 3], 1e-15, 'elu');
    const p = layers.softmax({ axis: 0 }).apply(
      tensor(
        [
          [1, 2],
          [3, 2],
        ],
        undefined,
        'float64',
      ),
    );
    close(p.data, [1 / (1 + Math.E ** 2), 0.5, 1 / (1 + Math.E ** -2), 0.5], 1e-15, 'softmax axis 0');
  });
  it('gelu (exact, with erf) and geluNew (tanh approximation)', () => {
    const x = tensor([-2, -0.5, 0, 1, 3], undefined, 'float64');
    close(activations.gelu(x).data, [-0.04550026389635842, -0.15426876936299344, 0, 0.8413447460685429, 2.99595030590511], 1e-15, 'gelu');
    close(
      activations.geluNew(x).data,
      [-0.04540230591222494, -0.15428599017485606, 0, 0.8411919906082768, 2.996362607918227],
      1e-15,
      'geluNew',
    );
    for (const activation of ['gelu', 'geluNew', 'gelu_new']) {
      runLayerTest({
        make: (a) => layers.activation({ activation, ...a }),
        inputShape: [3, 5],
        expectedOutputShape: [3, 5],
        expectedParams: 0,
      });
    }
  });
});

describe('harness: the convolution family', () => {
  it('DepthwiseConv2D: 3×3 on 8 channels, multiplier 2, bias: 3·3·8·2 + 16 parameters', () => {
    runLayerTest({
      make: (a) => layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, ...a }),
      inputShape: [1, 4, 4, 8],
      expectedOutputShape: [1, 2, 2, 16],
      expectedParams: 3 * 3 * 8 * 2 + 16,
    });
    runLayerTest({
      make: (a) => layers.depthwiseConv2d({ kernelSize: [2, 3], strides: 2, padding: 'same', useBias: false, activation: 'tanh', ...a }),
      inputShape: [2, 5, 4, 2],
      expectedOutputShape: [2, 3, 2, 2],
      expectedParams: 2 * 3 * 2,
    });
  });
  it('SeparableConv2D: depthwise kH·kW·C·M + pointwise C·M·filters + filters', () => {
    runLayerTest({
      make: (a) => layers.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu', ...a }),
      inputShape: [1, 4, 4, 3],
      expectedOutputShape: [1, 4, 4, 4],
      expectedParams: 3 * 3 * 3 * 2 + 3 * 2 * 4 + 4,
    });
    runLayerTest({
      make: (a) => layers.separableConv2d({ filters: 2, kernelSize: 2, dilationRate: 2, useBias: false, ...a }),
      inputShape: [2, 4, 5, 2],
      expectedOutputShape: [2, 2, 3, 2],
      expectedParams: 2 * 2 * 2 + 2 * 2,
    });
  });
  it('Conv2DTranspose: kernel [kH, kW, filters, inChannels], Keras output sizes', () => {
    runLayerTest({
      make: (a) => layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', ...a }),
      inputShape: [1, 3, 3, 2],
      expectedOutputShape: [1, 6, 6, 3],
      expectedParams: 3 * 3 * 3 * 2 + 3,
    });
    runLayerTest({
      make: (a) => layers.conv2dTranspose({ filters: 2, kernelSize: [3, 2], strides: [2, 1], activation: 'sigmoid', ...a }),
      inputShape: [2, 2, 3, 1],
      expectedOutputShape: [2, 5, 4, 2],
      expectedParams: 3 * 2 * 2 * 1 + 2,
    });
    runLayerTest({
      make: (a) => layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, outputPadding: 1, useBias: false, ...a }),
      inputShape: [1, 2, 2, 2],
      expectedOutputShape: [1, 6, 6, 1],
      expectedParams: 3 * 3 * 1 * 2,
    });
    const t = layers.conv2dTranspose({ filters: 5, kernelSize: 3, strides: 2 });
    t.apply(tensor(new Float32Array(2 * 4 * 4 * 3), [2, 4, 4, 3]));
    assert.deepEqual(t.kernel!.shape, [3, 3, 5, 3]);
  });
});
