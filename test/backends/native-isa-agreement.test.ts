/**
 * The memory-bound SIMD kernels (native/src/simd/) give the same bits on
 * AVX2 and AVX-512: each channel sees the same float adds and FMAs in the same order, so a model
 * trains to the same numbers on a laptop without AVX-512. Batch norm (forward, backward, with and
 * without the fused relu), column sums (reduce over leading axes) and max pooling forward and
 * backward, on channel counts that leave partial vectors of both widths. Skipped where the CPU
 * lacks AVX-512.
 */
import { after, describe, it } from 'node:test';
import type { Kernels } from '../../src/backends/kernels.js';
import { loadNativeBackend, setNativeIsa } from '../../src/backends/native-loader.js';
import { Random } from '../../src/tensor/random.js';
import { assertSame, poolGeometry, randomF32 } from './parity-util.js';

const loaded = loadNativeBackend();
const both = 'backend' in loaded && setNativeIsa('avx512') && setNativeIsa('avx2');
setNativeIsa('auto');

/** Runs `f` under AVX-512 and under AVX2 and returns both results. */
function onBoth<T>(f: (k: Kernels) => T): [T, T] {
  const k = (loaded as { backend: { kernels: Kernels } }).backend.kernels;
  setNativeIsa('avx512');
  const a = f(k);
  setNativeIsa('avx2');
  const b = f(k);
  setNativeIsa('auto');
  return [a, b];
}

describe('AVX2 and AVX-512 agree bit for bit on the memory-bound kernels', { skip: both ? false : 'needs AVX-512 and AVX2' }, () => {
  after(() => setNativeIsa('auto'));
  const rng = new Random(17);

  it('batch norm, forward and backward, with and without relu or relu6', () => {
    for (const C of [1, 7, 13, 33, 70])
      for (const rows of [5, 130]) {
        const x = randomF32(rows * C, rng);
        const dy = randomF32(rows * C, rng);
        const gamma = randomF32(C, rng, 0.5, 1.5);
        const beta = randomF32(C, rng);
        for (const act of ['linear', 'relu', 'relu6'] as const) {
          const [a, b] = onBoth((k) => {
            const t = k.batchNormTrain(x, gamma, beta, rows, C, 1e-3, act);
            const g = k.batchNormBackward(dy, x, gamma, t.mean, t.variance, rows, C, 1e-3, act, act === 'linear' ? null : t.y);
            return { ...t, ...g };
          });
          for (const key of ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'] as const)
            assertSame(a[key], b[key], `${key} rows=${rows} C=${C} ${act}`);
        }
      }
  });

  it('column sums and max pooling', () => {
    for (const C of [1, 7, 13, 33, 70]) {
      const x = randomF32(3 * 9 * 7 * C, rng);
      const [s1, s2] = onBoth((k) => k.reduce('sum', x, [3 * 9 * 7, C], [0]));
      assertSame(s1, s2, `column sums C=${C}`);
      for (const [ph, stride] of [
        [2, 2],
        [3, 2],
        [3, 3],
      ] as const) {
        const g = poolGeometry({ batch: 3, h: 9, w: 7, c: C, ph, pw: ph, stride: [stride, stride] });
        const [a, b] = onBoth((k) => {
          const f = k.maxPool2d(x, g);
          return { ...f, dx: k.maxPool2dBackward(randomF32(f.y.length, new Random(C)), f.argmax, g) };
        });
        assertSame(a.y, b.y, `maxPool y C=${C} ${ph}/${stride}`);
        assertSame(a.argmax, b.argmax, `maxPool argmax C=${C} ${ph}/${stride}`);
        assertSame(a.dx, b.dx, `maxPool dx C=${C} ${ph}/${stride}`);
      }
    }
  });
});
