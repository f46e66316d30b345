/**
 * upSample2d (nearest-neighbour, Keras 3's UpSampling2D with interpolation 'nearest':
 * keras/src/layers/reshaping/up_sampling_2d.py repeats rows then columns, ops.repeat) and its
 * gradient kernel upSample2dBackward: known values on `ts` against the repeat definition, a
 * float64 central-difference gradient check, native-versus-`ts` parity on odd shapes and factors
 * (bit-exact: both sum each block in double, rows outer), and argument errors from the op and the
 * addon.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { tsKernels as ts } from '../../src/backends/ts/index.js';
import { loadNativeBackend } from '../../src/backends/native-loader.js';
import * as ops from '../../src/ops/index.js';
import { gradients } from '../../src/autograd/gradients.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor, tensor } from '../../src/tensor/tensor.js';
import { checkGradients, randomInput } from '../helpers/gradcheck.js';
import { assertSame, describeParity, label, randomF32 } from '../backends/parity-util.js';

setBackend('ts');

describe('upSample2d on ts', () => {
  it('repeats every pixel (known values, float64)', () => {
    // x: [1, 2, 2, 1] = [[1, 2], [3, 4]]; factors 2×3.
    const x = tensor([1, 2, 3, 4], [1, 2, 2, 1], 'float64');
    const y = ops.upSample2d(x, 2, 3);
    assert.deepEqual(y.shape, [1, 4, 6, 1]);
    const row1 = [1, 1, 1, 2, 2, 2];
    const row2 = [3, 3, 3, 4, 4, 4];
    assert.deepEqual(Array.from(y.values()), [...row1, ...row1, ...row2, ...row2]);
  });

  it('keeps channels together and matches the broadcast definition on several images', () => {
    const rng = new Random(5);
    const x = new Tensor(randomF32(2 * 3 * 5 * 4, rng), [2, 3, 5, 4]);
    const reference = ops.reshape(ops.broadcastTo(ops.reshape(x, [2, 3, 1, 5, 1, 4]), [2, 3, 3, 5, 2, 4]), [2, 9, 10, 4]);
    assertSame(ops.upSample2d(x, 3, 2).values(), reference.values(), 'forward');
  });

  it('its gradient sums each block (known values)', () => {
    const dy = Float64Array.from({ length: 4 * 6 }, (_, i) => i);
    const dx = ts.upSample2dBackward(dy, [1, 2, 2, 1], 2, 3);
    // Block of pixel (0,0): rows 0-1, columns 0-2 → (0+1+2) + (6+7+8) = 24.
    assert.deepEqual(Array.from(dx), [24, 42, 96, 114]);
  });

  it('gradient check (float64, central differences)', () => {
    const rng = new Random(9);
    checkGradients(([x]) => ops.upSample2d(x!, 2, 3), [randomInput([2, 3, 2, 3], rng)]);
    checkGradients(([x]) => ops.upSample2d(x!, 1, 1), [randomInput([1, 2, 2, 2], rng)]);
  });

  it('the gradient is that of the broadcast definition', () => {
    const rng = new Random(4);
    const x = randomInput([2, 3, 2, 5], rng);
    const dy = new Tensor(
      Float64Array.from({ length: 2 * 6 * 6 * 5 }, () => rng.uniform()),
      [2, 6, 6, 5],
    );
    const [viaKernel] = gradients(ops.upSample2d(x, 2, 3), [x], dy);
    const viaBroadcast = ops.reshape(ops.broadcastTo(ops.reshape(x, [2, 3, 1, 2, 1, 5]), [2, 3, 2, 2, 3, 5]), [2, 6, 6, 5]);
    const [expected] = gradients(viaBroadcast, [x], dy);
    const [a, b] = [viaKernel!.values(), expected!.values()];
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-12, `dx[${i}]: ${a[i]} vs ${b[i]}`);
  });

  it('argument errors name the argument', () => {
    const x = tensor(new Float32Array(8), [1, 2, 2, 2]);
    assert.throws(
      () => ops.upSample2d(tensor(new Float32Array(4), [2, 2]), 2, 2),
      /upSample2d: expected x of rank 4 \(batch, height, width, channels\), received \(2, 2\)/,
    );
    assert.throws(() => ops.upSample2d(x, 0, 2), /upSample2d: expected scaleHeight to be a positive integer, received 0/);
    assert.throws(() => ops.upSample2d(x, 2, 1.5), /upSample2d: expected scaleWidth to be a positive integer, received 1.5/);
  });
});

const cases = [
  { shape: [1, 1, 1, 1], sh: 1, sw: 1 },
  { shape: [2, 3, 5, 7], sh: 2, sw: 2 },
  { shape: [3, 7, 4, 3], sh: 3, sw: 1 },
  { shape: [1, 5, 9, 17], sh: 1, sw: 4 },
  { shape: [2, 33, 31, 5], sh: 2, sw: 3 },
  { shape: [0, 3, 3, 2], sh: 2, sw: 2 },
];

describeParity('upSample2d: native versus ts', 31, (k, rng) => {
  for (const c of cases) {
    it(label(c), () => {
      const n = c.shape.reduce((p, d) => p * d, 1);
      const x = randomF32(n, rng);
      assertSame(k.upSample2d(x, c.shape, c.sh, c.sw), ts.upSample2d(x, c.shape, c.sh, c.sw), 'forward');
      const dy = randomF32(n * c.sh * c.sw, rng);
      assertSame(k.upSample2dBackward(dy, c.shape, c.sh, c.sw), ts.upSample2dBackward(dy, c.shape, c.sh, c.sw), 'backward');
    });
  }
});

describe('upSample2d: the addon checks its arguments', () => {
  const loaded = loadNativeBackend();
  it('bad lengths, shapes and factors throw, naming kernel and argument', { skip: 'error' in loaded ? loaded.error : false }, () => {
    if ('error' in loaded) return;
    const k = loaded.backend.kernels;
    const x = new Float32Array(12);
    assert.throws(
      () => k.upSample2d(x.subarray(1), [1, 2, 3, 2], 2, 2),
      /^Error: upSample2d: x has 11 elements, expected shape \[1,2,3,2\] = 12$/,
    );
    assert.throws(() => k.upSample2d(x, [2, 3, 2], 2, 2), /^Error: upSample2d: shape \[2,3,2\] must have 4 axes/);
    assert.throws(
      () => k.upSample2d(x, [1, 2, 3, 2], 0, 2),
      /^Error: upSample2d: scaleHeight and scaleWidth must be at least 1, received 0 and 2$/,
    );
    assert.throws(() => k.upSample2d(x, [1, 2, 3, 2], 2, -1), /^Error: upSample2d: scaleWidth must be a non-negative integer/);
    assert.throws(
      () => k.upSample2dBackward(x, [1, 2, 3, 2], 2, 2),
      /^Error: upSample2dBackward: dy has 12 elements, expected shape \[1,2,3,2\] \* 2 \* 2 = 48$/,
    );
    assert.throws(
      () => k.upSample2d(x, [1, 2, 3, 2], 2 ** 20, 2 ** 20),
      /^Error: upSample2d: out has 0 elements, expected .* = 13194139533312$/,
    );
    assert.throws(() => k.upSample2d(x, [1, 2, 3, 2], 2 ** 30, 2 ** 30), /^Error: upSample2d: the upsampled size/);
  });
});
