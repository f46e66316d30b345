/**
 * The primitives added for deeper architectures (erf, max reduction, pad, slice, concat,
 * depthwise and transposed convolution) and the ops composed from them: known values, then
 * float64 central-difference gradient checks on the `ts` backend.
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
const rng = new Random(5);
const r = (shape: number[], lo = -1, hi = 1) => randomInput(shape, rng, lo, hi);
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};
const dot = (a: Tensor, b: Tensor) => {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i]! * b.data[i]!;
  return s;
};

describe('erf', () => {
  it('matches known values and is odd', () => {
    // Values from Python's math.erf.
    const x = tensor([0, 0.1, 0.5, 1, 2, 3.5, 5, -1], undefined, 'float64');
    const expected = [
      0, 0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527, 0.9999992569016276, 0.9999999999984626,
      -0.8427007929497149,
    ];
    close(ops.erf(x).data, expected, 1e-15, 'erf');
  });
  it('gradient', () => checkGradients(([x]) => ops.erf(x!), [r([12], -3, 3)]));
});

describe('max reduction', () => {
  it('routes the gradient to the maximum and splits it between ties', () => {
    const x = tensor([1, 3, 3, 2, 5, 0], [2, 3], 'float64');
    x.requiresGrad = true;
    const [g] = gradients(ops.max(x, 1), [x], tensor([1, 2], undefined, 'float64'));
    assert.deepEqual([...g!.data], [0, 0.5, 0.5, 0, 2, 0]);
  });
  it('gradient over several axes, with and without keepDims', () => {
    checkGradients(([x]) => ops.max(x!, [1, 2]), [r([2, 3, 4, 2])]);
    checkGradients(([x]) => ops.max(x!, -1, true), [r([3, 5])]);
  });
});

describe('pad, slice, concat', () => {
  it('known values', () => {
    const x = tensor([1, 2, 3, 4], [2, 2]);
    assert.deepEqual(
      ops
        .pad(x, [
          [1, 0],
          [0, 2],
        ])
        .toArray(),
      [
        [0, 0, 0, 0],
        [1, 2, 0, 0],
        [3, 4, 0, 0],
      ],
    );
    assert.deepEqual(
      ops
        .slice(
          tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]),
          [0, 1],
          [-1, 2],
        )
        .toArray(),
      [
        [2, 3],
        [5, 6],
      ],
    );
    assert.deepEqual(ops.concat([x, tensor([[9], [8]])], 1).toArray(), [
      [1, 2, 9],
      [3, 4, 8],
    ]);
    assert.deepEqual(ops.concat([x, tensor([[7, 7]])], 0).shape, [3, 2]);
  });
  it('refuse bad arguments, saying what was expected', () => {
    const x = tensor([1, 2, 3, 4], [2, 2]);
    assert.throws(() => ops.pad(x, [[1, 0]]), /pad: expected 2 pairs/);
    assert.throws(() => ops.slice(x, [1, 0], [2, 1]), /slice: begin \[1,0\] and size \[2,1\] do not fit/);
    assert.throws(() => ops.concat([x, tensor([1, 2, 3], [1, 3])], 0), /concat: tensor 1 has shape \(1, 3\)/);
  });
  it('gradients', () => {
    checkGradients(
      ([x]) =>
        ops.pad(x!, [
          [0, 1],
          [2, 1],
          [1, 0],
        ]),
      [r([2, 2, 3])],
    );
    checkGradients(([x]) => ops.slice(x!, [1, 0, 1], [1, -1, 2]), [r([3, 2, 4])]);
    checkGradients(([a, b, c]) => ops.concat([a!, b!, c!], 1), [r([2, 1, 3]), r([2, 3, 3]), r([2, 2, 3])]);
  });
});

describe('broadcastTo', () => {
  it('repeats and sums the gradient back', () => {
    assert.deepEqual(ops.broadcastTo(tensor([1, 2]), [2, 2]).toArray(), [
      [1, 2],
      [1, 2],
    ]);
    assert.throws(() => ops.broadcastTo(tensor([1, 2, 3]), [2, 2]), /broadcastTo: cannot broadcast \(3,\) to \(2, 2\)/);
    checkGradients(([x]) => ops.broadcastTo(x!, [2, 3, 4]), [r([3, 1])]);
  });
});

describe('depthwiseConv2d', () => {
  it('equals a per-channel conv2d', () => {
    const x = r([2, 5, 6, 3]);
    const f = r([3, 2, 3, 2]);
    const y = ops.depthwiseConv2d(x, f, { strides: [2, 1], padding: 'same' });
    assert.deepEqual(y.shape, [2, 3, 6, 6]);
    for (let c = 0; c < 3; c++) {
      const xc = ops.slice(x, [0, 0, 0, c], [-1, -1, -1, 1]);
      const fc = ops.slice(f, [0, 0, c, 0], [-1, -1, 1, -1]);
      const yc = ops.conv2d(xc, fc, { strides: [2, 1], padding: 'same' });
      close(ops.slice(y, [0, 0, 0, 2 * c], [-1, -1, -1, 2]).data, yc.data, 1e-12, `channel ${c}`);
    }
  });
  it('gradients: valid, same with strides, dilation', () => {
    checkGradients(([x, f]) => ops.depthwiseConv2d(x!, f!), [r([2, 4, 4, 2]), r([2, 2, 2, 3])]);
    checkGradients(([x, f]) => ops.depthwiseConv2d(x!, f!, { padding: 'same', strides: 2 }), [r([1, 5, 6, 3]), r([3, 3, 3, 1])]);
    checkGradients(([x, f]) => ops.depthwiseConv2d(x!, f!, { padding: 'same', dilationRate: 2 }), [r([1, 5, 5, 2]), r([2, 2, 2, 2])]);
  });
});

describe('conv2dTranspose', () => {
  it('has the Keras output size', () => {
    const x = r([1, 5, 4, 2]);
    const f = (k: number) => r([k, k, 3, 2]);
    assert.deepEqual(ops.conv2dTranspose(x, f(3), { strides: 2 }).shape, [1, 11, 9, 3]);
    assert.deepEqual(ops.conv2dTranspose(x, f(3), { strides: 2, padding: 'same' }).shape, [1, 10, 8, 3]);
    assert.deepEqual(ops.conv2dTranspose(x, f(1), { strides: 3 }).shape, [1, 15, 12, 3]);
    assert.deepEqual(ops.conv2dTranspose(x, f(3), { strides: 2, padding: 'same', outputPadding: 0 }).shape, [1, 9, 7, 3]);
    assert.deepEqual(ops.conv2dTranspose(x, f(3), { strides: 2, outputPadding: 1 }).shape, [1, 12, 10, 3]);
    assert.throws(() => ops.conv2dTranspose(x, f(3), { strides: 2, outputPadding: 2 }), /outputPadding .* less than the stride/);
    assert.throws(() => ops.conv2dTranspose(x, r([3, 3, 3, 4])), /expected filter \[kernelHeight, kernelWidth, outChannels, 2\]/);
  });
  it('is the adjoint of conv2d: <convT(x), z> = <x, conv2d(z)>', () => {
    for (const [k, strides, padding] of [
      [3, 2, 'same'],
      [3, 2, 'valid'],
      [2, 3, 'valid'],
      [4, 2, 'same'],
      [3, 1, 'same'],
    ] as const) {
      const x = r([2, 4, 3, 2]);
      const f = r([k, k, 3, 2]);
      const y = ops.conv2dTranspose(x, f, { strides, padding });
      const z = r([...y.shape]);
      const back = ops.conv2d(z, f, { strides, padding });
      assert.deepEqual(back.shape, x.shape, `k=${k} s=${strides} ${padding}: conv2d gives back the input shape`);
      assert.ok(Math.abs(dot(y, z) - dot(x, back)) < 1e-10, `k=${k} s=${strides} ${padding}: adjoint`);
    }
  });
  it('gradients', () => {
    checkGradients(([x, f]) => ops.conv2dTranspose(x!, f!, { strides: 2, padding: 'same' }), [r([1, 3, 2, 2]), r([3, 3, 2, 2])]);
    checkGradients(([x, f]) => ops.conv2dTranspose(x!, f!, { strides: [1, 2] }), [r([2, 2, 3, 1]), r([2, 3, 3, 1])]);
    checkGradients(([x, f]) => ops.conv2dTranspose(x!, f!, { strides: 2, outputPadding: 1 }), [r([1, 2, 2, 2]), r([3, 3, 1, 2])]);
  });
});

describe('moments, batchNormalization, dropout', () => {
  it('moments are the mean and biased variance', () => {
    const { mean, variance } = ops.moments(tensor([1, 2, 3, 5], [2, 2], 'float64'), 0);
    assert.deepEqual([...mean.data], [2, 3.5]);
    assert.deepEqual([...variance.data], [1, 2.25]);
  });
  it('batchNormalization through batch statistics: gradient', () => {
    checkGradients(
      ([x, gamma, beta]) => {
        const { mean, variance } = ops.moments(x!, [0, 1, 2]);
        return ops.batchNormalization(x!, mean, variance, beta!, gamma!, 1e-3);
      },
      [r([2, 3, 2, 3]), r([3], 0.5, 1.5), r([3])],
    );
  });
  it('fusedBatchNorm equals the composed form and its statistics equal moments', () => {
    const x = r([2, 3, 2, 3]);
    const gamma = r([3], 0.5, 1.5);
    const beta = r([3]);
    const fused = ops.fusedBatchNorm(x, gamma, beta, 1e-3);
    const m = ops.moments(x, [0, 1, 2]);
    close(fused.mean.data, m.mean.data, 1e-12, 'mean');
    close(fused.variance.data, m.variance.data, 1e-12, 'variance');
    close(fused.y.data, ops.batchNormalization(x, m.mean, m.variance, beta, gamma, 1e-3).data, 1e-12, 'y');
    assert.throws(
      () => ops.fusedBatchNorm(x, r([2]), null),
      /^Error: fusedBatchNorm: expected scale of shape \(3,\) for input \(2, 3, 2, 3\), received \(2,\)$/,
    );
    assert.throws(() => ops.fusedBatchNorm(r([3]), null, null), /expected an input of rank >= 2/);
  });
  it('fusedBatchNorm: gradient with and without scale and offset', () => {
    checkGradients(([x, g, b]) => ops.fusedBatchNorm(x!, g!, b!, 1e-3).y, [r([2, 3, 2, 3]), r([3], 0.5, 1.5), r([3])]);
    checkGradients(([x]) => ops.fusedBatchNorm(x!, null, null, 1e-2).y, [r([5, 4])]);
    checkGradients(([x, b]) => ops.fusedBatchNorm(x!, null, b!).y, [r([3, 2, 2]), r([2])]);
  });
  it('fusedBatchNorm and batchNormalization with a fused relu: values and gradients', () => {
    const x = r([2, 3, 2, 3]);
    const gamma = r([3], 0.5, 1.5);
    const beta = r([3]);
    const plain = ops.fusedBatchNorm(x, gamma, beta, 1e-3).y;
    const fused = ops.fusedBatchNorm(x, gamma, beta, 1e-3, 'relu').y;
    close(fused.data, ops.relu(plain).data, 0, 'relu(fusedBatchNorm)');
    assert.ok(fused.data.some((v) => v === 0) && fused.data.some((v) => v > 0));
    checkGradients(([xx, g, b]) => ops.fusedBatchNorm(xx!, g!, b!, 1e-3, 'relu').y, [x, gamma, beta]);
    // Max pooling after it masks the pooled gradient (the relu shortcut); the rule must not mask twice.
    checkGradients(
      ([xx, g, b]) => ops.maxPool2d(ops.fusedBatchNorm(xx!, g!, b!, 1e-3, 'relu').y, { poolSize: 2 }),
      [r([2, 4, 4, 3]), gamma, beta],
    );
    const [mean, variance] = [r([3]), r([3], 0.5, 1.5)];
    checkGradients(([xx, m, v, b, g]) => ops.batchNormalization(xx!, m!, v!, b!, g!, 1e-3, 'relu'), [x, mean, variance, beta, gamma]);
    checkGradients(
      ([xx, m, v]) => ops.batchNormalization(xx!, m!, v!, null, null, 1e-3, 'relu'),
      [r([2, 3, 4]), r([3, 1]), r([3, 1], 0.5, 1.5)],
    );
  });
  it('fusedBatchNorm with a fused relu6 (MobileNet): values and gradients', () => {
    const x = r([2, 3, 2, 3]);
    const gamma = r([3], 3, 5); // wide enough that some outputs pass 6
    const beta = r([3], 1, 3);
    const plain = ops.fusedBatchNorm(x, gamma, beta, 1e-3).y;
    const fused = ops.fusedBatchNorm(x, gamma, beta, 1e-3, 'relu6').y;
    close(fused.data, ops.relu6(plain).data, 0, 'relu6(fusedBatchNorm)');
    assert.ok(fused.data.some((v) => v === 0) && fused.data.some((v) => v === 6) && fused.data.some((v) => v > 0 && v < 6));
    checkGradients(([xx, g, b]) => ops.fusedBatchNorm(xx!, g!, b!, 1e-3, 'relu6').y, [x, gamma, beta]);
    // A max pooling after it is not after a relu: the pooled gradient is not masked there, the rule masks.
    checkGradients(
      ([xx, g, b]) => ops.maxPool2d(ops.fusedBatchNorm(xx!, g!, b!, 1e-3, 'relu6').y, { poolSize: 2 }),
      [r([2, 4, 4, 3]), gamma, beta],
    );
  });
  it('batchNormalization with per-channel statistics (the folded kernel) and with others: gradient', () => {
    checkGradients(
      ([x, mean, variance, beta, gamma]) => ops.batchNormalization(x!, mean!, variance!, beta!, gamma!, 1e-3),
      [r([2, 3, 3]), r([3]), r([1, 3], 0.5, 1.5), r([3]), r([1, 1, 3])],
    );
    checkGradients(
      ([x, mean, variance]) => ops.batchNormalization(x!, mean!, variance!, null, null, 1e-3),
      [r([2, 3, 4]), r([3, 1]), r([3, 1], 0.5, 1.5)],
    );
  });
  it('dropout keeps the expected value and refuses a bad noiseShape', () => {
    const x = tensor(new Float32Array(20000).fill(1), [100, 200]);
    const y = ops.dropout(x, 0.25, { rng: new Random(9) });
    const zeros = y.data.filter((v) => v === 0).length;
    assert.ok(Math.abs(zeros / y.size - 0.25) < 0.02, `dropped ${zeros / y.size}`);
    assert.ok(y.data.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
    assert.throws(() => ops.dropout(x, 0.5, { noiseShape: [100, 2] }), /noiseShape \[100,2\] does not fit/);
    assert.throws(() => ops.dropout(x, 1), /expected rate in \[0, 1\)/);
  });
});
