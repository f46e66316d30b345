/**
 * Known-value tests of the `ts` reference kernels: small cases worked out by hand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Conv2dGeometry, Pool2dGeometry } from '../../src/backends/kernels.js';
import { tsKernels as k } from '../../src/backends/ts/index.js';

const f32 = (...v: number[]) => new Float32Array(v);
const close = (actual: ArrayLike<number>, expected: number[], tol = 1e-5) => {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i]! - e) <= tol, `[${i}] ${actual[i]} vs ${e}`));
};

function conv(over: Partial<Conv2dGeometry>): Conv2dGeometry {
  return {
    batch: 1,
    inHeight: 3,
    inWidth: 3,
    inChannels: 1,
    outHeight: 2,
    outWidth: 2,
    outChannels: 1,
    kernelHeight: 2,
    kernelWidth: 2,
    strideHeight: 1,
    strideWidth: 1,
    dilationHeight: 1,
    dilationWidth: 1,
    padTop: 0,
    padLeft: 0,
    ...over,
  };
}

describe('ts kernels: known values', () => {
  it('matmul in all transpose cases, bias and relu', () => {
    const a = f32(1, 2, 3, 4, 5, 6); // 2x3
    const b = f32(1, 0, 0, 1, 1, 1); // 3x2
    close(k.matmul(a, b, 2, 3, 2, false, false, null, 'linear'), [4, 5, 10, 11]);
    close(k.matmul(f32(1, 4, 2, 5, 3, 6), b, 2, 3, 2, true, false, null, 'linear'), [4, 5, 10, 11]);
    close(k.matmul(a, f32(1, 0, 1, 0, 1, 1), 2, 3, 2, false, true, null, 'linear'), [4, 5, 10, 11]);
    close(k.matmul(f32(1, 4, 2, 5, 3, 6), f32(1, 0, 1, 0, 1, 1), 2, 3, 2, true, true, f32(-5, -20), 'relu'), [0, 0, 5, 0]);
  });
  it('conv2d forward, input and filter gradients', () => {
    const x = f32(1, 2, 3, 4, 5, 6, 7, 8, 9);
    const w = f32(1, 0, 0, -1); // [[1,0],[0,-1]]
    close(k.conv2d(x, w, f32(10), conv({}), 'linear'), [6, 6, 6, 6]);
    // dL/dx for dy = ones: each tap adds its weight where it touched x.
    close(k.conv2dBackpropInput(f32(1, 1, 1, 1), w, conv({})), [1, 1, 0, 1, 0, -1, 0, -1, -1]);
    // dL/dw[ky,kx] = sum of the x values each tap saw.
    close(k.conv2dBackpropFilter(x, f32(1, 1, 1, 1), conv({})), [12, 16, 24, 28]);
    // 'same' padding with stride 2: 3x3 input, 2x2 kernel → 2x2 output, pad bottom/right only.
    close(k.conv2d(x, f32(1, 1, 1, 1), null, conv({ strideHeight: 2, strideWidth: 2 }), 'linear'), [12, 9, 15, 9]);
  });
  it('conv2d with two input and two output channels, worked by hand', () => {
    // x: 2x2 pixels of (c0, c1) = (1,2) (3,4) / (5,6) (7,8). Filter HWIO 2x2x2x2: output 0 sums
    // every tap (weights 1); output 1 adds channel 0 and subtracts channel 1 (weights 1, -1).
    const x = f32(1, 2, 3, 4, 5, 6, 7, 8);
    const w = f32(1, 1, 1, -1, 1, 1, 1, -1, 1, 1, 1, -1, 1, 1, 1, -1);
    const g = conv({ inHeight: 2, inWidth: 2, inChannels: 2, outHeight: 1, outWidth: 1, outChannels: 2 });
    // y0 = 1+…+8 = 36; y1 = (1+3+5+7) − (2+4+6+8) = −4; bias (0.5, −1) added after.
    close(k.conv2d(x, w, f32(0.5, -1), g, 'linear'), [36.5, -5]);
    close(k.conv2d(x, w, f32(0.5, -1), g, 'relu'), [36.5, 0]);
    // dy = (1, 2): dx[tap, c] = Σ_o w[tap, c, o]·dy[o] = 1 + 2 = 3 for c0, 1 − 2 = −1 for c1.
    close(k.conv2dBackpropInput(f32(1, 2), w, g), [3, -1, 3, -1, 3, -1, 3, -1]);
    // dw[tap, c, o] = x[tap, c]·dy[o].
    close(k.conv2dBackpropFilter(x, f32(1, 2), g), [1, 2, 2, 4, 3, 6, 4, 8, 5, 10, 6, 12, 7, 14, 8, 16]);
  });
  it('max pooling with argmax and its backward; average pooling', () => {
    const g: Pool2dGeometry = {
      batch: 1,
      inHeight: 2,
      inWidth: 4,
      channels: 1,
      outHeight: 1,
      outWidth: 2,
      poolHeight: 2,
      poolWidth: 2,
      strideHeight: 2,
      strideWidth: 2,
      padTop: 0,
      padLeft: 0,
    };
    const { y, argmax } = k.maxPool2d(f32(1, 5, 2, 0, 3, 4, 8, 1), g);
    close(y, [5, 8]);
    assert.deepEqual([...argmax], [1, 6]);
    close(k.maxPool2dBackward(f32(10, 20), argmax, g), [0, 10, 0, 0, 0, 0, 20, 0]);
    close(k.avgPool2d(f32(1, 5, 2, 0, 3, 4, 8, 1), g), [3.25, 2.75]);
    close(k.avgPool2dBackward(f32(4, 8), g), [1, 1, 2, 2, 1, 1, 2, 2]);
    // Ties go to the first element in the window, row by row (as TensorFlow's max pool).
    assert.deepEqual([...k.maxPool2d(f32(7, 7, 9, 9, 7, 2, 9, 1), g).argmax], [0, 2]);
    // 'same' average pooling of a 3x3 input with 2x2 windows, stride 2: padding (bottom/right) is
    // not counted, so the edge windows average 2 cells and the corner 1 (Keras 'same').
    const same: Pool2dGeometry = { ...g, inHeight: 3, inWidth: 3, outHeight: 2, outWidth: 2 };
    close(k.avgPool2d(f32(1, 2, 3, 4, 5, 6, 7, 8, 9), same), [3, 4.5, 7.5, 9]);
    close(k.avgPool2dBackward(f32(4, 2, 6, 1), same), [1, 1, 1, 1, 1, 1, 3, 3, 1]);
  });
  it('binary broadcasting, unary, reduce, argMax, transpose', () => {
    close(k.binary('add', f32(1, 2, 3, 4, 5, 6), [2, 3], f32(10, 20, 30), [3], [2, 3]), [11, 22, 33, 14, 25, 36]);
    close(k.binary('mul', f32(1, 2), [2, 1], f32(1, 2, 3), [1, 3], [2, 3]), [1, 2, 3, 2, 4, 6]);
    close(k.binary('maximum', f32(-1, 2), [2], f32(0), [], [2]), [0, 2]);
    // A NaN on either side wins maximum and minimum (NumPy's and TensorFlow's maximum).
    for (const op of ['maximum', 'minimum'] as const) {
      assert.ok(Number.isNaN(k.binary(op, f32(NaN), [1], f32(0), [1], [1])[0]), `${op}(NaN, 0)`);
      assert.ok(Number.isNaN(k.binary(op, f32(0), [1], f32(NaN), [1], [1])[0]), `${op}(0, NaN)`);
    }
    close(k.binary('addRelu', f32(-1, 2, -3), [3], f32(0.5), [1], [3]), [0, 2.5, 0]);
    close(k.unary('sigmoid', f32(0, 1000, -1000)), [0.5, 1, 0]);
    // relu on both sides of 0 and at it (−0 included), large and tiny values, NaN through.
    const relu = k.unary('relu', f32(-2, 3, 0, -0, 1e-30, -1e-30, 1e30, NaN));
    close(relu.subarray(0, 7), [0, 3, 0, 0, Math.fround(1e-30), 0, Math.fround(1e30)], 0);
    assert.ok(Number.isNaN(relu[7]), 'relu(NaN) is NaN');
    close(k.binary('minimum', f32(-3, 0.5, 7), [3], f32(1), [], [3]), [-3, 0.5, 1]);
    close(k.reduce('sum', f32(1, 2, 3, 4, 5, 6), [2, 3], [0]), [5, 7, 9]);
    close(k.reduce('max', f32(1, 9, 3, 4, 5, 6), [2, 3], [1]), [9, 6]);
    close(k.reduce('max', f32(-3, -1, -2, -5), [2, 2], [1]), [-1, -2]); // all-negative rows
    close(k.reduce('min', f32(3, 1, 2, 5), [2, 2], [1]), [1, 2]);
    close(k.reduce('sum', f32(1, 2, 3, 4, 5, 6, 7, 8), [2, 2, 2], [0, 2]), [1 + 2 + 5 + 6, 3 + 4 + 7 + 8]);
    assert.deepEqual([...k.argMax(f32(1, 9, 3, 7, 5, 6), [2, 3], 1)], [1, 0]);
    assert.deepEqual([...k.argMax(f32(1, 9, 3, 7, 5, 6), [2, 3], 0)], [1, 0, 1]);
    close(k.transpose(f32(1, 2, 3, 4, 5, 6), [2, 3], [1, 0]), [1, 4, 2, 5, 3, 6]);
  });
  it('reluBackward and batch normalisation (training, backward, inference)', () => {
    close(k.reluBackward(f32(1, 2, 3, 4), f32(-1, 0, 5, NaN)), [0, 0, 3, 0]);
    // Two channels over rows [1, 10], [3, 30]: means 2 and 20, biased variances 1 and 100.
    const x = f32(1, 10, 3, 30);
    const r = k.batchNormTrain(x, f32(2, 1), f32(0, 5), 2, 2, 1e-9, 'linear');
    close(r.mean, [2, 20]);
    close(r.variance, [1, 100]);
    close(r.y, [-2, 4, 2, 6]); // (x − mean)/std · gamma + beta
    close(k.batchNormTrain(x, f32(2, 1), f32(0, 5), 2, 2, 1e-9, 'relu').y, [0, 4, 2, 6]);
    // With dy = x̂ (the normalised x) and no scale: dbeta = Σ dy = 0, dgamma = Σ x̂² = rows, dx = 0.
    const b = k.batchNormBackward(f32(-1, -1, 1, 1), x, null, r.mean, r.variance, 2, 2, 1e-9, 'linear', null);
    close(b.dbeta, [0, 0]);
    close(b.dgamma, [2, 2]);
    close(b.dx, [0, 0, 0, 0]);
    // Through a fused relu whose output is 0 at element 0: dy there is dropped, so channel 0 has
    // dy (0, 1) against x̂ (−1, 1): dbeta 1, dgamma 1, dx = rstd·(dy − 1/2 − x̂/2) = (0, 0).
    const m = k.batchNormBackward(f32(-1, -1, 1, 1), x, null, r.mean, r.variance, 2, 2, 1e-9, 'relu', f32(0, 4, 2, 6));
    close(m.dbeta, [1, 0]);
    close(m.dgamma, [1, 2]);
    close(m.dx, [0, 0, 0, 0]);
    // relu6: beta 6 on channel 1 gives [−2, 5, 2, 7] before the activation, [0, 5, 2, 6] after.
    close(k.batchNormTrain(x, f32(2, 1), f32(0, 6), 2, 2, 1e-9, 'relu6').y, [0, 5, 2, 6]);
    // Its mask drops element 0 (output 0) and element 3 (output 6, the cap): channel 0 keeps dy
    // (0, 1), channel 1 (−1, 0), each against x̂ (−1, 1): dbeta (1, −1), dgamma (1, 1), dx 0.
    const six = k.batchNormBackward(f32(-1, -1, 1, 1), x, null, r.mean, r.variance, 2, 2, 1e-9, 'relu6', f32(0, 5, 2, 6));
    close(six.dbeta, [1, -1]);
    close(six.dgamma, [1, 1]);
    close(six.dx, [0, 0, 0, 0]);
    close(k.batchNormInference(x, f32(2, 0.5), f32(1, -1), 2, 2, 'linear'), [3, 4, 7, 14]);
    close(k.batchNormInference(x, f32(-2, 0.5), f32(1, -1), 2, 2, 'relu'), [0, 4, 0, 14]);
  });
  it('logSoftmax is stable for large logits, and its backward', () => {
    const y = k.logSoftmax(f32(1000, 1000, 1000, 0), 1, 4);
    close(
      y,
      [Math.log(1 / 3), Math.log(1 / 3), Math.log(1 / 3), -Infinity].map((v) => (v === -Infinity ? -1000 - Math.log(3) : v)),
      1e-4,
    );
    // Gradient of sum(logSoftmax) is 1 - n·softmax.
    close(k.logSoftmaxBackward(f32(1, 1), k.logSoftmax(f32(0, 0), 1, 2), 1, 2), [0, 0]);
    // A non-trivial one: logits (0, ln 3) give softmax (1/4, 3/4); dx = dy − softmax·Σdy.
    // dy = (1, 0): (1 − 1/4, −3/4) = (0.75, −0.75). dy = (2, 1), Σ = 3: (2 − 0.75, 1 − 2.25).
    const y2 = k.logSoftmax(f32(0, Math.log(3), 0, Math.log(3)), 2, 2);
    close(y2, [Math.log(0.25), Math.log(0.75), Math.log(0.25), Math.log(0.75)]);
    close(k.logSoftmaxBackward(f32(1, 0, 2, 1), y2, 2, 2), [0.75, -0.75, 1.25, -1.25]);
  });
  it('adam update (Keras formulation)', () => {
    const p = f32(1);
    const m = f32(0);
    const v = f32(0);
    // First step: m = 0.1g, v = 0.001g²; update = lrT·m/(√v + epsT) with lrT = lr·√(1-β2)/(1-β1).
    k.adamUpdate(p, f32(2), m, v, { lrT: (0.1 * Math.sqrt(0.001)) / 0.1, beta1: 0.9, beta2: 0.999, epsilonT: 0 });
    close(m, [0.2]);
    close(v, [0.004]);
    close(p, [1 - 0.1]);
  });

  it('dropoutMask: the xoshiro128** draws of a known state, compared with rate · 2^32', () => {
    // From state (1, 2, 3, 4) xoshiro128** draws 11520, 0, 5927040, 70819200 (the reference C
    // code's first outputs); with the threshold at exactly the third, it and the fourth are kept.
    const state = Int32Array.of(1, 2, 3, 4);
    const out = new Float32Array(4);
    k.dropoutMask(out, state, 5927040 / 2 ** 32, 2);
    assert.deepEqual(Array.from(out), [0, 0, 2, 2]);
    const one = Int32Array.of(1, 2, 3, 4);
    k.dropoutMask(new Float64Array(1), one, 0.5, 2);
    assert.deepEqual(Array.from(one), [7, 0, 1026, 12288], 'the state after one draw');
  });
});
