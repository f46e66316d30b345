/**
 * The fused depthwise → 1×1 convolution ops (src/ops/depthwise-pointwise.ts), without and with
 * the 1×1 expansion before, on the `ts` backend in float64: outside gradient recording each runs
 * its fused kernel and equals the ops it stands for; while recording it is those ops, so
 * central-difference gradient checks pass through every bias and activation; and the argument
 * errors name what was expected.
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
      /^Error: depthwisePointwiseConv2d: pointFilter reads 5 channels, but the depthwise convolution \(depthFilter \(3, 3, 3, 1\)\) gives 3$/,
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

  it('with the expansion: equals conv2d 1×1 then the pair, and passes a gradient check while recording', () => {
    const x = r([2, 6, 5, 3], -2, 2);
    const ef = r([1, 1, 3, 8]);
    const eb = r([8]);
    const df = r([3, 3, 8, 1], -2, 2);
    const pf = r([1, 1, 8, 4]);
    for (const strides of [1, 2]) {
      const options = {
        strides,
        padding: 'same' as const,
        expandBias: eb,
        expandActivation: 'relu6' as const,
        depthActivation: 'relu' as const,
      };
      const fused = noGrad(() => ops.expandDepthwisePointwiseConv2d(x, ef, df, pf, options));
      const middle = ops.conv2d(x, ef, { bias: eb, activation: 'relu6' });
      const apart = ops.conv2d(ops.depthwiseConv2d(middle, df, { strides, padding: 'same', activation: 'relu' }), pf);
      assert.deepEqual(fused.shape, apart.shape);
      fused.data.forEach((v, i) => assert.ok(Math.abs(v - apart.data[i]!) < 1e-12, `s${strides} [${i}]`));
    }
    const f = ([xi, e, eB, d, p]: Tensor[]) =>
      ops.expandDepthwisePointwiseConv2d(xi!, e!, d!, p!, {
        strides: 2,
        padding: 'same',
        expandBias: eB!,
        expandActivation: 'relu6',
        depthActivation: 'relu6',
      });
    checkGradients(f, [r([1, 5, 4, 2], -2, 2), r([1, 1, 2, 3]), r([3]), r([3, 3, 3, 1], -2, 2), r([1, 1, 3, 2])]);
  });

  it('with the expansion: refuses a non-1×1 or mismatched expandFilter and a wrong expandBias', () => {
    const x = r([1, 4, 4, 3]);
    const df = r([3, 3, 6, 1]);
    const pf = r([1, 1, 6, 2]);
    assert.throws(
      () => ops.expandDepthwisePointwiseConv2d(x, r([1, 1, 4, 6]), df, pf),
      /^Error: expandDepthwisePointwiseConv2d: expandFilter reads 4 channels, but x \(1, 4, 4, 3\) gives 3$/,
    );
    assert.throws(
      () => ops.expandDepthwisePointwiseConv2d(x, r([1, 1, 3, 5]), df, pf),
      /^Error: expandDepthwisePointwiseConv2d: depthFilter \(3, 3, 6, 1\) reads 6 channels, but expandFilter gives 5$/,
    );
    assert.throws(
      () => ops.expandDepthwisePointwiseConv2d(x, r([1, 1, 3, 6]), df, pf, { expandBias: r([5]) }),
      /^Error: expandDepthwisePointwiseConv2d: expected expandBias of shape \(6,\), received \(5,\)$/,
    );
  });
});
