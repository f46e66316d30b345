/**
 * Gradient check of every differentiable primitive (and the composed ops built on them):
 * float64 central differences on the `ts` backend against the tape's analytic gradients.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradients } from '../../src/autograd/gradients.js';
import { setBackend } from '../../src/backends/index.js';
import * as ops from '../../src/ops/index.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkGradients, randomInput } from '../helpers/gradcheck.js';

setBackend('ts');
const rng = new Random(3);
const r = (shape: number[], lo = -1, hi = 1) => randomInput(shape, rng, lo, hi);

describe('gradients of elementwise ops', () => {
  it('addRelu: relu(a + b) with broadcasting, and its value', () => {
    checkGradients(([a, b]) => ops.addRelu(a!, b!), [r([3, 4]), r([4])]);
    const y = ops.addRelu(r([2, 3]), -5);
    assert.ok(y.data.every((v) => v === 0));
  });
  it('add/sub/mul/div with broadcasting', () => {
    checkGradients(([a, b]) => ops.add(a!, b!), [r([2, 3, 4]), r([3, 1])]);
    checkGradients(([a, b]) => ops.sub(a!, b!), [r([4]), r([2, 3, 4])]);
    checkGradients(([a, b]) => ops.mul(a!, b!), [r([2, 3]), r([2, 1])]);
    checkGradients(([a, b]) => ops.div(a!, b!), [r([3, 2]), r([2], 1, 2)]);
  });
  it('maximum/minimum/pow', () => {
    checkGradients(([a, b]) => ops.maximum(a!, b!), [r([5, 3]), r([5, 3])]);
    checkGradients(([a, b]) => ops.minimum(a!, b!), [r([5, 3]), r([3])]);
    checkGradients(([a, b]) => ops.pow(a!, b!), [r([4], 0.5, 2), r([4], -1, 2)]);
  });
  it('unary functions', () => {
    for (const f of [ops.neg, ops.exp, ops.square, ops.sigmoid, ops.tanh]) checkGradients(([x]) => f(x!), [r([3, 4], -2, 2)]);
    checkGradients(([x]) => ops.log(x!), [r([6], 0.5, 3)]);
    checkGradients(([x]) => ops.sqrt(x!), [r([6], 0.5, 3)]);
    // Away from the kink at 0, where the derivative is undefined.
    checkGradients(([x]) => ops.abs(x!), [r([6], 0.1, 1)]);
    checkGradients(([x]) => ops.relu(ops.sub(x!, 0.5)), [r([8], 0.6, 1)]);
    checkGradients(([x]) => ops.relu(x!), [r([8], -1, -0.1)]);
    checkGradients(([x]) => ops.clipByValue(x!, -0.5, 0.5), [r([10], -0.45, 0.45)]);
  });
  it('relu and clipByValue by value, with their gradients, inside and outside the range', () => {
    const x = new Tensor(Float64Array.of(-2, -1e-9, 0, 1e-9, 0.3, 4), [6]);
    x.requiresGrad = true;
    const y = ops.relu(x);
    assert.deepEqual(Array.from(y.data), [0, 0, 0, 1e-9, 0.3, 4]);
    // d relu/dx: 1 for x > 0, 0 for x < 0 and, as Keras/TensorFlow, at 0.
    assert.deepEqual(Array.from(gradients(y, [x], new Tensor(Float64Array.of(5, 5, 5, 5, 5, 5), [6]))[0]!.data), [0, 0, 0, 5, 5, 5]);
    const c = ops.clipByValue(x, -1, 0.5);
    assert.deepEqual(Array.from(c.data), [-1, -1e-9, 0, 1e-9, 0.3, 0.5]);
    // Gradient 1 inside [min, max], 0 where the value was clipped.
    assert.deepEqual(Array.from(gradients(c, [x], new Tensor(Float64Array.of(2, 2, 2, 2, 2, 2), [6]))[0]!.data), [0, 2, 2, 2, 2, 0]);
    checkGradients(([v]) => ops.clipByValue(v!, -0.5, 0.5), [r([10], 0.6, 2)]);
    checkGradients(([v]) => ops.clipByValue(v!, -0.5, 0.5), [r([10], -2, -0.6)]);
  });
  it('relu6: one op with values min(max(x, 0), 6) and gradient dy where 0 < x < 6 (TensorFlow Relu6Grad)', () => {
    // Keras 3 keras/src/activations/activations.py relu6 = ops.relu6; TF's Relu6Grad passes dy for 0 < x < 6.
    const x = new Tensor(Float64Array.of(-2, 0, 1e-9, 0.3, 5.999, 6, 6.5, NaN), [8]);
    x.requiresGrad = true;
    const y = ops.relu6(x);
    assert.deepEqual(Array.from(y.data), [0, 0, 1e-9, 0.3, 5.999, 6, 6, NaN]);
    const dx = gradients(y, [x], new Tensor(Float64Array.of(3, 3, 3, 3, 3, 3, 3, 3), [8]))[0]!;
    assert.deepEqual(Array.from(dx.data).slice(0, 7), [0, 0, 3, 3, 3, 0, 0]);
    checkGradients(([v]) => ops.relu6(v!), [r([12], 0.05, 5.95)]);
    checkGradients(([v]) => ops.relu6(v!), [r([6], -2, -0.05)]);
    checkGradients(([v]) => ops.relu6(v!), [r([6], 6.05, 9)]);
  });
});

describe('gradients of linear algebra and convolution', () => {
  it('matmul in all four transpose cases, with bias and relu', () => {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        const a = r(transposeA ? [4, 3] : [3, 4]);
        const b = r(transposeB ? [5, 4] : [4, 5]);
        checkGradients(([x, y, bias]) => ops.matmul(x!, y!, { transposeA, transposeB, bias: bias!, activation: 'relu' }), [a, b, r([5])]);
      }
    }
  });
  it('conv2d: valid and same padding, strides, dilation, bias, relu', () => {
    checkGradients(([x, f, b]) => ops.conv2d(x!, f!, { bias: b!, activation: 'relu' }), [r([2, 5, 5, 2]), r([3, 3, 2, 3]), r([3])]);
    checkGradients(([x, f]) => ops.conv2d(x!, f!, { padding: 'same', strides: 2 }), [r([1, 6, 7, 3]), r([3, 2, 3, 2])]);
    checkGradients(([x, f]) => ops.conv2d(x!, f!, { padding: 'same', dilationRate: 2 }), [r([1, 7, 7, 1]), r([3, 3, 1, 2])]);
  });
  it('conv2dMaxPool (the fused pair): relu and linear, bias, strides, overlapping same-padded pools', () => {
    checkGradients(
      ([x, f, b]) => ops.conv2dMaxPool(x!, f!, { bias: b!, activation: 'relu' }, { poolSize: 2 }),
      [r([2, 6, 5, 2]), r([3, 3, 2, 3]), r([3])],
    );
    checkGradients(
      ([x, f]) => ops.conv2dMaxPool(x!, f!, { padding: 'same', strides: 2 }, { poolSize: 3, strides: 2, padding: 'same' }),
      [r([1, 9, 7, 3]), r([3, 2, 3, 2])],
    );
  });
  it('conv2dMaxPool equals maxPool2d(conv2d) in value and gradient', () => {
    const x = r([2, 7, 7, 3]);
    const f = r([3, 3, 3, 4]);
    const b = r([4]);
    const fused = ops.conv2dMaxPool(x, f, { bias: b, activation: 'relu' }, { poolSize: 2 });
    const plain = ops.maxPool2d(ops.conv2d(x, f, { bias: b, activation: 'relu' }), { poolSize: 2 });
    assert.deepEqual(fused.shape, [2, 2, 2, 4]);
    assert.deepEqual(Array.from(fused.data), Array.from(plain.data));
    const [gx, gf, gb] = gradients(ops.sum(ops.mul(fused, fused)), [x, f, b]);
    const [px, pf, pb] = gradients(ops.sum(ops.mul(plain, plain)), [x, f, b]);
    for (const [a, e] of [
      [gx, px],
      [gf, pf],
      [gb, pb],
    ] as const)
      a!.data.forEach((v, i) => assert.ok(Math.abs(v - e!.data[i]!) < 1e-12, `gradient ${i}: ${v} vs ${e!.data[i]}`));
  });
  it('max and average pooling', () => {
    checkGradients(([x]) => ops.maxPool2d(x!, { poolSize: 2 }), [r([2, 5, 4, 3])]);
    checkGradients(([x]) => ops.maxPool2d(x!, { poolSize: 3, strides: 2, padding: 'same' }), [r([1, 7, 6, 2])]);
  });
  it('maxPool2d after a relu (masked on the pooled side) and after a relu with a second consumer', () => {
    checkGradients(([x]) => ops.maxPool2d(ops.relu(x!), { poolSize: 2 }), [r([2, 5, 4, 3])]);
    checkGradients(
      ([x, f]) => ops.maxPool2d(ops.conv2d(x!, f!, { activation: 'relu' }), { poolSize: 3, strides: 2, padding: 'same' }),
      [r([1, 7, 6, 2]), r([2, 2, 2, 3])],
    );
    checkGradients(
      ([x]) => {
        const y = ops.relu(x!);
        return ops.add(ops.sum(ops.maxPool2d(y, { poolSize: 2 })), ops.sum(ops.mul(y, y)));
      },
      [r([1, 4, 4, 2])],
    );
    checkGradients(([x]) => ops.avgPool2d(x!, { poolSize: 2, padding: 'same' }), [r([2, 5, 5, 2])]);
  });
});

describe('gradients of reductions, shapes and softmax', () => {
  it('sum and mean over axes', () => {
    checkGradients(([x]) => ops.sum(x!), [r([3, 4])]);
    checkGradients(([x]) => ops.sum(x!, [0, 2], true), [r([2, 3, 4])]);
    checkGradients(([x]) => ops.mean(x!, -1), [r([2, 3, 4])]);
  });
  it('reshape and transpose', () => {
    checkGradients(([x]) => ops.reshape(x!, [4, -1]), [r([2, 3, 4])]);
    checkGradients(([x]) => ops.transpose(x!, [2, 0, 1]), [r([2, 3, 4])]);
  });
  it('logSoftmax and softmax', () => {
    checkGradients(([x]) => ops.logSoftmax(x!), [r([3, 5], -3, 3)]);
    checkGradients(([x]) => ops.softmax(x!), [r([2, 4], -3, 3)]);
  });
});
