/**
 * The in-place update kernels (optimizer steps, weight decay, moving averages): known values on
 * the TypeScript backend (Keras 3's formulas, keras/src/optimizers/{sgd,rmsprop,adagrad,adamax,
 * nadam}.py and BatchNormalization's moving-average assignment), bit-exact native-versus-ts
 * parity over several steps on odd lengths (the native kernels repeat the TypeScript arithmetic in
 * double precision; Adam keeps its float arithmetic and a tolerance), and the addon's argument
 * errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FloatArray, Kernels } from '../../src/backends/kernels.js';
import { loadNativeBackend } from '../../src/backends/native-loader.js';
import { tsKernels as ts } from '../../src/backends/ts/index.js';
import type { Random } from '../../src/tensor/random.js';
import { assertClose, assertSame, describeParity, randomF32 } from './parity-util.js';

const f64 = (...v: number[]) => Float64Array.from(v);
const close = (actual: FloatArray, expected: number[], what: string) => assertClose(actual, expected, 1e-12, what);

describe('update kernels: known values (ts, float64)', () => {
  it('sgd: plain, momentum and Nesterov', () => {
    const w = f64(1, -2);
    ts.sgdUpdate(w, f64(0.5, 1), null, { learningRate: 0.1, momentum: 0, nesterov: false });
    close(w, [0.95, -2.1], 'plain');
    const w2 = f64(1);
    const v = f64(0.2);
    ts.sgdUpdate(w2, f64(0.5), v, { learningRate: 0.1, momentum: 0.9, nesterov: false });
    close(v, [0.9 * 0.2 - 0.05], 'velocity');
    close(w2, [1 + 0.13], 'momentum');
    const w3 = f64(1);
    ts.sgdUpdate(w3, f64(0.5), f64(0.2), { learningRate: 0.1, momentum: 0.9, nesterov: true });
    close(w3, [1 + 0.9 * 0.13 - 0.05], 'nesterov');
  });

  it('rmsprop: plain, momentum and centered', () => {
    const w = f64(1);
    const ms = f64(0);
    ts.rmspropUpdate(w, f64(2), ms, null, null, { learningRate: 0.01, rho: 0.9, momentum: 0, epsilon: 0 });
    close(ms, [0.4], 'meanSquare');
    close(w, [1 - 0.02 / Math.sqrt(0.4)], 'plain');
    const w2 = f64(1);
    const mom = f64(0.5);
    const mg = f64(0);
    ts.rmspropUpdate(w2, f64(2), f64(0), mom, mg, { learningRate: 0.01, rho: 0.9, momentum: 0.5, epsilon: 0 });
    close(mg, [0.2], 'meanGrad');
    const step = 0.02 / Math.sqrt(0.4 - 0.04);
    close(mom, [0.25 + step], 'momentum slot');
    close(w2, [1 - 0.25 - step], 'centered with momentum');
  });

  it('adagrad, adamax and nadam', () => {
    const w = f64(1);
    const acc = f64(0.1);
    ts.adagradUpdate(w, f64(3), acc, { learningRate: 0.1, epsilon: 0 });
    close(acc, [9.1], 'accumulator');
    close(w, [1 - 0.3 / Math.sqrt(9.1)], 'adagrad');
    const w2 = f64(1);
    const m = f64(0);
    const u = f64(5);
    ts.adamaxUpdate(w2, f64(-2), m, u, { stepSize: 1, beta1: 0.9, beta2: 0.5, epsilon: 0 });
    close(m, [-0.2], 'adamax m');
    close(u, [2.5], 'adamax u = max(β2·u, |g|)');
    close(w2, [1 + 0.2 / 2.5], 'adamax');
    const w3 = f64(1);
    const m3 = f64(0);
    const v3 = f64(0);
    ts.nadamUpdate(w3, f64(2), m3, v3, { learningRate: 0.1, beta1: 0.9, beta2: 0.99, epsilon: 0, mScale: 3, gScale: 0.5, vScale: 4 });
    close(m3, [0.2], 'nadam m');
    close(v3, [0.04], 'nadam v');
    close(w3, [1 - (0.1 * (0.6 + 1)) / Math.sqrt(0.16)], 'nadam');
  });

  it('weight decay and moving averages', () => {
    const w = f64(2, -4);
    ts.decayWeights(w, 0.25);
    close(w, [1.5, -3], 'decay');
    const avg = f64(1, 2);
    ts.movingAverageUpdate(avg, f64(3, 4), 0.75);
    close(avg, [1.5, 2.5], 'moving average');
  });
});

/** Runs `step` `steps` times on both backends from the same start and returns the buffers. */
function twice(
  k: Kernels,
  buffers: Float32Array[],
  steps: number,
  step: (kk: Kernels, b: Float32Array[], i: number) => void,
): [Float32Array[], Float32Array[]] {
  const native = buffers.map((b) => b.slice());
  const reference = buffers.map((b) => b.slice());
  for (let i = 0; i < steps; i++) {
    step(k, native, i);
    step(ts, reference, i);
  }
  return [native, reference];
}

function sameAll(native: Float32Array[], reference: Float32Array[], what: string): void {
  native.forEach((b, i) => assertSame(b, reference[i]!, `${what}: buffer ${i}`));
}

function parity(k: Kernels, rng: Random): void {
  const LENGTHS = [1, 7, 33, 70001]; // the last takes the threaded path
  const start = (n: number, slots: number) => [randomF32(n, rng), ...Array.from({ length: slots }, () => randomF32(n, rng, 0, 1))];
  const grads = (n: number) => Array.from({ length: 3 }, () => randomF32(n, rng, -3, 3));

  it('sgd, rmsprop and adagrad: bit-exact with ts over 3 steps', () => {
    for (const n of LENGTHS) {
      const g = grads(n);
      for (const [momentum, nesterov] of [
        [0, false],
        [0.9, false],
        [0.9, true],
      ] as const) {
        const [a, b] = twice(k, start(n, 1), 3, (kk, [w, v], i) =>
          kk.sgdUpdate(w!, g[i]!, momentum === 0 ? null : v!, { learningRate: 0.05, momentum, nesterov }),
        );
        sameAll(a, b, `sgd n=${n} momentum=${momentum} nesterov=${nesterov}`);
      }
      for (const [momentum, centered] of [
        [0, false],
        [0.5, false],
        [0.5, true],
      ] as const) {
        const [a, b] = twice(k, start(n, 3), 3, (kk, [w, ms, mom, mg], i) =>
          kk.rmspropUpdate(w!, g[i]!, ms!, momentum > 0 ? mom! : null, centered ? mg! : null, {
            learningRate: 0.01,
            rho: 0.9,
            momentum,
            epsilon: 1e-7,
          }),
        );
        sameAll(a, b, `rmsprop n=${n} momentum=${momentum} centered=${centered}`);
      }
      const [a, b] = twice(k, start(n, 1), 3, (kk, [w, acc], i) =>
        kk.adagradUpdate(w!, g[i]!, acc!, { learningRate: 0.01, epsilon: 1e-7 }),
      );
      sameAll(a, b, `adagrad n=${n}`);
    }
  });

  it('adamax, nadam, weight decay and moving averages: bit-exact with ts over 3 steps', () => {
    for (const n of LENGTHS) {
      const g = grads(n);
      const [a, b] = twice(k, start(n, 2), 3, (kk, [w, m, u], i) =>
        kk.adamaxUpdate(w!, g[i]!, m!, u!, { stepSize: 0.002 * (i + 1), beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }),
      );
      sameAll(a, b, `adamax n=${n}`);
      const [c, d] = twice(k, start(n, 2), 3, (kk, [w, m, v], i) =>
        kk.nadamUpdate(w!, g[i]!, m!, v!, {
          learningRate: 0.001,
          beta1: 0.9,
          beta2: 0.999,
          epsilon: 1e-7,
          mScale: 0.9 + i / 10,
          gScale: 0.05,
          vScale: 1000 / (i + 1),
        }),
      );
      sameAll(c, d, `nadam n=${n}`);
      const [e, f] = twice(k, start(n, 0), 3, (kk, [w]) => kk.decayWeights(w!, 0.001 * 0.004));
      sameAll(e, f, `decayWeights n=${n}`);
      const [p, q] = twice(k, start(n, 0), 3, (kk, [avg], i) => kk.movingAverageUpdate(avg!, g[i]!, 0.99));
      sameAll(p, q, `movingAverageUpdate n=${n}`);
    }
  });

  it('adam: float arithmetic within 1e-6 of ts over 3 steps', () => {
    for (const n of LENGTHS) {
      const g = grads(n);
      const [a, b] = twice(k, start(n, 2), 3, (kk, [w, m, v], i) =>
        kk.adamUpdate(w!, g[i]!, m!, v!, { lrT: 0.001 * (i + 1), beta1: 0.9, beta2: 0.999, epsilonT: 1e-7 }),
      );
      a.forEach((x, j) => assertClose(x, b[j]!, 1e-6, `adam n=${n} buffer ${j}`));
    }
  });
}

describeParity('update kernels: native matches ts', 31, parity);

const loaded = loadNativeBackend();
describe('update kernels: the addon rejects bad arguments', { skip: 'error' in loaded ? loaded.error : false }, () => {
  const k = 'backend' in loaded ? loaded.backend.kernels : ts;
  const n7 = () => new Float32Array(7);
  it('lengths, missing slots, aliasing and step fields', () => {
    assert.throws(
      () => k.sgdUpdate(n7(), new Float32Array(6), null, { learningRate: 0.1, momentum: 0, nesterov: false }),
      /^Error: sgdUpdate: grad has 6 elements, expected param\.length = 7$/,
    );
    assert.throws(
      () => k.rmspropUpdate(n7(), n7(), new Float32Array(8), null, null, { learningRate: 0.1, rho: 0.9, momentum: 0, epsilon: 1e-7 }),
      /^Error: rmspropUpdate: meanSquare has 8 elements, expected param\.length = 7$/,
    );
    const shared = new Float32Array(20);
    assert.throws(
      () => k.adamaxUpdate(shared.subarray(0, 7), n7(), shared.subarray(5, 12), n7(), { stepSize: 1, beta1: 0.9, beta2: 0.9, epsilon: 0 }),
      /^Error: adamaxUpdate: param shares memory with m$/,
    );
    assert.throws(
      () => k.adagradUpdate(n7(), n7(), n7(), { learningRate: 0.1 } as never),
      /^Error: adagradUpdate: step\.epsilon must be a finite number/,
    );
    assert.throws(
      () => k.sgdUpdate(n7(), n7(), n7(), { learningRate: 0.1, momentum: 0.9 } as never),
      /^Error: sgdUpdate: step\.nesterov must be a boolean$/,
    );
    assert.throws(
      () => k.movingAverageUpdate(n7(), new Float32Array(3), 0.9),
      /^Error: movingAverageUpdate: value has 3 elements, expected average\.length = 7$/,
    );
    const buf = n7();
    assert.throws(() => k.movingAverageUpdate(buf, buf, 0.9), /^Error: movingAverageUpdate: average shares memory with value$/);
  });
});
