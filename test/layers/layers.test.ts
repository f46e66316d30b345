/**
 * Every layer through the shared harness, with Keras's parameter counts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { layers } from '../../src/layers/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { runLayerTest } from '../helpers/layer-harness.js';

setBackend('ts');

describe('layer harness', () => {
  it('Dense', () => {
    runLayerTest({
      make: (a) => layers.dense({ units: 3, activation: 'tanh', ...a }),
      inputShape: [2, 4],
      expectedOutputShape: [2, 3],
      expectedParams: 15,
    });
    runLayerTest({
      make: (a) => layers.dense({ units: 2, activation: 'relu', useBias: false, ...a }),
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 2],
      expectedParams: 8,
    });
  });
  it('Conv2D: valid, same, strides, dilation', () => {
    runLayerTest({
      make: (a) => layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', ...a }),
      inputShape: [2, 6, 5, 2],
      expectedOutputShape: [2, 4, 3, 4],
      expectedParams: 3 * 3 * 2 * 4 + 4,
    });
    runLayerTest({
      make: (a) => layers.conv2d({ filters: 2, kernelSize: [2, 3], strides: 2, padding: 'same', activation: 'sigmoid', ...a }),
      inputShape: [1, 5, 7, 3],
      expectedOutputShape: [1, 3, 4, 2],
      expectedParams: 2 * 3 * 3 * 2 + 2,
    });
    runLayerTest({
      make: (a) => layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same', useBias: false, ...a }),
      inputShape: [1, 7, 7, 1],
      expectedOutputShape: [1, 7, 7, 2],
      expectedParams: 18,
    });
  });
  it('MaxPooling2D and AveragePooling2D', () => {
    runLayerTest({
      make: (a) => layers.maxPooling2d({ poolSize: 2, ...a }),
      inputShape: [2, 5, 5, 3],
      expectedOutputShape: [2, 2, 2, 3],
      expectedParams: 0,
    });
    runLayerTest({
      make: (a) => layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', ...a }),
      inputShape: [1, 7, 6, 2],
      expectedOutputShape: [1, 4, 3, 2],
      expectedParams: 0,
    });
    runLayerTest({
      make: (a) => layers.averagePooling2d({ poolSize: 2, padding: 'same', ...a }),
      inputShape: [2, 5, 5, 2],
      expectedOutputShape: [2, 3, 3, 2],
      expectedParams: 0,
    });
  });
  it('Flatten and Activation', () => {
    runLayerTest({ make: (a) => layers.flatten(a), inputShape: [2, 3, 4, 2], expectedOutputShape: [2, 24], expectedParams: 0 });
    for (const activation of [
      'relu',
      'softmax',
      'sigmoid',
      'tanh',
      'linear',
      'elu',
      'selu',
      'softplus',
      'swish',
      'relu6',
      'hardSigmoid',
      'leakyRelu',
    ]) {
      runLayerTest({
        make: (a) => layers.activation({ activation, ...a }),
        inputShape: [3, 5],
        expectedOutputShape: [3, 5],
        expectedParams: 0,
      });
    }
  });
});

describe('global pooling by value', () => {
  it('GlobalAveragePooling2D and GlobalMaxPooling2D of a [1, 2, 2, 2] input, per channel', () => {
    // Channel 0: 1, 3, 5, 7 (mean 4, max 7); channel 1: −2, 0, 2, 8 (mean 2, max 8).
    const x = new Tensor(Float32Array.of(1, -2, 3, 0, 5, 2, 7, 8), [1, 2, 2, 2]);
    assert.deepEqual(Array.from(layers.globalAveragePooling2d().apply(x).data), [4, 2]);
    assert.deepEqual(Array.from(layers.globalMaxPooling2d().apply(x).data), [7, 8]);
  });
});
