/**
 * The relu mask applied on the pooled side: a max pooling whose input is a relu's output records
 * `reluInput` on the tape, masks the (smaller) pooled gradient, and the relu's own rule is told
 * (`dyMasked`) only when every gradient its output receives came masked that way. The rules are
 * pure functions: the same call gives the same result whatever ran before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradientRules } from '../../src/autograd/rules.js';
import { setBackend } from '../../src/backends/index.js';
import * as ops from '../../src/ops/index.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkGradients, randomInput } from '../helpers/gradcheck.js';

setBackend('ts');
const rng = new Random(21);
const r = (shape: number[]) => randomInput(shape, rng);

describe('relu mask on the pooled side', () => {
  it('maxPool2d records reluInput from its input, as a tape attribute', () => {
    const x = r([1, 4, 4, 2]);
    const afterRelu = ops.maxPool2d(ops.relu(x));
    const afterConv = ops.maxPool2d(ops.conv2d(x, r([1, 1, 2, 2]), { activation: 'relu' }));
    const plain = ops.maxPool2d(ops.tanh(x));
    const attr = (t: Tensor): boolean => (t.node?.op === 'maxPool2d' ? t.node.attrs.reluInput : false);
    assert.equal(attr(afterRelu), true);
    assert.equal(attr(afterConv), true);
    assert.equal(attr(plain), false);
  });

  it('the relu rule is pure: dyMasked decides, nothing remembered between calls', () => {
    const y = new Tensor(Float64Array.from([0, 2, 0, 3]), [4]);
    const dy = new Tensor(Float64Array.from([5, 6, 7, 8]), [4]);
    const x = new Tensor(Float64Array.from([-1, 2, -3, 3]), [4]);
    const masked = gradientRules.relu(dy, [x], y, {}, [true], true)[0]!;
    assert.equal(masked, dy, 'an already masked gradient passes through');
    const unmasked = () => [...gradientRules.relu(dy, [x], y, {}, [true], false)[0]!.data];
    assert.deepEqual(unmasked(), [0, 6, 0, 8]);
    gradientRules.maxPool2d(
      new Tensor(Float64Array.from([1]), [1, 1, 1, 1]),
      [new Tensor(Float64Array.from([0, 1, 0, 0]), [1, 2, 2, 1])],
      new Tensor(Float64Array.from([1]), [1, 1, 1, 1]),
      {
        geometry: {
          batch: 1,
          inHeight: 2,
          inWidth: 2,
          channels: 1,
          outHeight: 1,
          outWidth: 1,
          poolHeight: 2,
          poolWidth: 2,
          strideHeight: 2,
          strideWidth: 2,
          padTop: 0,
          padLeft: 0,
        },
        argmax: Int32Array.from([1]),
        reluInput: true,
      },
      [true],
      false,
    );
    assert.deepEqual(unmasked(), [0, 6, 0, 8], 'a pooling rule run in between changes nothing');
  });

  it('gradients are exact when a relu output feeds two poolings, or a pooling and another op', () => {
    checkGradients(
      ([x]) => {
        const y = ops.relu(x!);
        return ops.add(ops.sum(ops.maxPool2d(y, { poolSize: 2 })), ops.sum(ops.maxPool2d(y, { poolSize: 3, strides: 1 })));
      },
      [r([2, 5, 5, 2])],
    );
    checkGradients(
      ([x, f]) => {
        const y = ops.conv2d(x!, f!, { activation: 'relu', padding: 'same' });
        return ops.add(ops.sum(ops.maxPool2d(y, { poolSize: 2 })), ops.sum(ops.mul(y, 3))); // 3 where y = 0 too: must be masked
      },
      [r([1, 4, 4, 2]), r([3, 3, 2, 3])],
    );
    checkGradients(
      ([x, g, b]) => ops.maxPool2d(ops.addRelu(ops.fusedBatchNorm(x!, g!, b!, 1e-3, 'relu').y, 0.1)),
      [r([2, 4, 4, 3]), r([3]), r([3])],
    );
  });
});
