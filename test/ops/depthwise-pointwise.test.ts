/**
 * The fused depthwise → 1×1 convolution op (src/ops/depthwise-pointwise.ts) on the `ts` backend
 * in float64: outside gradient recording it runs the fused kernel and equals depthwiseConv2d then
 * conv2d; while recording it is those two ops, so central-difference gradient checks pass through
 * both biases and activations; and its argument errors name what was expected.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { noGrad } from '../../src/autograd/tape.js';
import * as ops from '../../src/ops/index.js';
import { Random } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { checkGradients, randomInput } from '../helpers/gradcheck.js';

setBackend('ts');
const rng = new Random(5);
const r = (shape: number[], lo = -1, hi = 1) => randomInput(shape, rng, lo, hi);

describe('depthwisePointwiseConv2d', () => {
  it('equals depthwiseConv2d then a 1×1 conv2d (strides 1 and 2, multiplier 1 and 2, every activation pair)', () => {
    for (const [strides, multiplier] of [
      [1, 1],
      [2, 1],
      [1, 2],
    ] as const) {
      const x = r([2, 7, 5, 3], -4, 4);
      const df = r([3, 3, 3, multiplier], -2, 2);
      const db = r([3 * multiplier]);
      const pf = r([1, 1, 3 * multiplier, 4]);
      const pb = r([4]);
      for (const [depthActivation, pointActivation] of [
        ['relu6', 'linear'],
        ['relu', 'relu6'],
        ['linear', 'relu'],
      ] as const) {
        const fused = noGrad(() =>
          ops.depthwisePointwiseConv2d(x, df, pf, {
            strides,
            padding: 'same',
            depthBias: db,
            depthActivation,
            pointBias: pb,
            pointActivation,
          }),
        );
        assert.equal(fused.node, null, 'not recorded');
        const middle = ops.depthwiseConv2d(x, df, { strides, padding: 'same', bias: db, activation: depthActivation });
        const apart = ops.conv2d(middle, pf, { bias: pb, activation: pointActivation });
        assert.deepEqual(fused.shape, apart.shape);
        fused.data.forEach((v, i) =>
          assert.ok(Math.abs(v - apart.data[i]!) < 1e-12, `${depthActivation}/${pointActivation} s${strides} m${multiplier} [${i}]`),
        );
      }
    }
  });

  it('gradient check while recording: x, both filters and both biases (relu6 between, relu after)', () => {
    const f = ([x, df, db, pf, pb]: Tensor[]) =>
      ops.depthwisePointwiseConv2d(x!, df!, pf!, {
        strides: 2,
        padding: 'same',
        depthBias: db!,
        depthActivation: 'relu6',
        pointBias: pb!,
        pointActivation: 'relu',
      });
    checkGradients(f, [r([1, 5, 6, 2], -3, 3), r([3, 3, 2, 1], -2, 2), r([2]), r([1, 1, 2, 3]), r([3])]);
  });

  it('refuses a filter that is not 1×1, a channel mismatch, a wrong bias and an unknown activation', () => {
    const x = r([1, 4, 4, 3]);
    const df = r([3, 3, 3, 1]);
    assert.throws(
      () => ops.depthwisePointwiseConv2d(x, df, r([3, 3, 3, 4])),
      /^Error: depthwisePointwiseConv2d: expected a 1×1 pointFilter \[1, 1, channels, outChannels\], received \(3, 3, 3, 4\)$/,
    );
    assert.throws(
      () => ops.depthwisePointwiseConv2d(x, df, r([1, 1, 5, 4])),
      /^Error: depthwisePointwiseConv2d: pointFilter reads 5 channels, but the depthwise convolution gives 3 \(depthFilter \(3, 3, 3, 1\)\)$/,
    );
    assert.throws(
      () => ops.depthwisePointwiseConv2d(x, df, r([1, 1, 3, 4]), { pointBias: r([3]) }),
      /^Error: depthwisePointwiseConv2d: expected pointBias of shape \(4,\), received \(3,\)$/,
    );
    assert.throws(
      () => ops.depthwisePointwiseConv2d(x, df, r([1, 1, 3, 4]), { pointActivation: 'gelu' as 'relu' }),
      /^Error: depthwisePointwiseConv2d: expected pointActivation 'linear', 'relu' or 'relu6', received "gelu"$/,
    );
    assert.throws(
      () => noGrad(() => ops.depthwisePointwiseConv2d(x, df, r([1, 1, 3, 4]), { depthBias: r([2]) })),
      /^Error: depthwisePointwiseConv2d: expected bias of shape \(3,\), received \(2,\)$/,
    );
  });
});
