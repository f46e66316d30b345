/**
 * The depthwise convolution's fused epilogue and relu6's gradient kernel at the op level, on the
 * `ts` backend in float64: the fused op equals the unfused composition (depthwise, add the bias,
 * then the activation), central-difference gradient checks through bias and relu/relu6, relu6's
 * gradient through its kernel, and the op's argument errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { gradients } from '../../src/autograd/gradients.js';
import * as ops from '../../src/ops/index.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor, tensor } from '../../src/tensor/tensor.js';
import { checkGradients, randomInput } from '../helpers/gradcheck.js';

setBackend('ts');
const rng = new Random(11);
const r = (shape: number[], lo = -1, hi = 1) => randomInput(shape, rng, lo, hi);

describe('depthwiseConv2d with a fused epilogue', () => {
  const unfused = (x: Tensor, f: Tensor, b: Tensor, activation: 'relu' | 'relu6', strides: number) => {
    const y = ops.add(ops.depthwiseConv2d(x, f, { strides, padding: 'same' }), b);
    return activation === 'relu' ? ops.relu(y) : ops.relu6(y);
  };

  it('equals depthwise, bias, activation run apart (strides 1 and 2, multiplier 1 and 2)', () => {
    for (const [strides, multiplier] of [
      [1, 1],
      [2, 1],
      [1, 2],
      [2, 2],
    ] as const) {
      const x = r([2, 7, 5, 3], -4, 4);
      const f = r([3, 3, 3, multiplier], -2, 2);
      const b = r([3 * multiplier]);
      for (const activation of ['relu', 'relu6'] as const) {
        const fused = ops.depthwiseConv2d(x, f, { strides, padding: 'same', bias: b, activation });
        const apart = unfused(x, f, b, activation, strides);
        assert.deepEqual(fused.shape, apart.shape);
        fused.data.forEach((v, i) => assert.ok(Math.abs(v - apart.data[i]!) < 1e-12, `${activation} s${strides} m${multiplier} [${i}]`));
      }
    }
  });

  it('gradients through the bias and relu / relu6 (float64 central differences)', () => {
    for (const activation of ['relu', 'relu6'] as const) {
      for (const strides of [1, 2]) {
        checkGradients(
          ([x, f, b]) => ops.depthwiseConv2d(x!, f!, { strides, padding: 'same', bias: b!, activation }),
          [r([2, 5, 6, 3], -3, 3), r([3, 3, 3, 2], -2, 2), r([6], -1, 1)],
          { atol: 1e-7 }, // the loss sums ~400 terms of size ~3: central-difference round-off ≈ 1e-16·|f|/eps
        );
      }
    }
  });

  it('relu6 gradient (its kernel): dy where 0 < y < 6, checked by central differences', () => {
    checkGradients(([x]) => ops.relu6(x!), [r([40], -3, 9)]);
    const x = tensor([-1, 0.5, 5.5, 7], undefined, 'float64');
    x.requiresGrad = true;
    const [g] = gradients(ops.relu6(x), [x], tensor([1, 2, 3, 4], undefined, 'float64'));
    assert.deepEqual([...g!.data], [0, 2, 3, 0]);
  });

  it('refuses a bias of the wrong shape and an activation the kernel lacks', () => {
    const x = r([1, 4, 4, 3]);
    const f = r([3, 3, 3, 2]);
    assert.throws(
      () => ops.depthwiseConv2d(x, f, { bias: r([3]) }),
      /^Error: depthwiseConv2d: expected bias of shape \(6,\), received \(3,\)$/,
    );
    const gelu = 'gelu' as 'relu';
    assert.throws(
      () => ops.depthwiseConv2d(x, f, { activation: gelu }),
      /^Error: depthwiseConv2d: expected activation 'linear', 'relu' or 'relu6', received "gelu"$/,
    );
  });
});
