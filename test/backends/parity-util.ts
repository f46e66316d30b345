/**
 * Helpers for the native-versus-TypeScript parity tests: seeded random buffers, convolution and
 * pooling geometries built the way Keras pads ('valid', 'same', or explicit pads), one
 * closeness assertion with a stated tolerance, and the per-instruction-set suite runner.
 */
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import type { Conv2dGeometry, Kernels, Pool2dGeometry } from '../../src/backends/kernels.js';
import { setNativeIsa } from '../../src/backends/native-loader.js';
import { tsKernels } from '../../src/backends/ts/index.js';
import { Random } from '../../src/tensor/random.js';
import { nativeKernels, nativeMissing } from '../helpers/native-required.js';

/** The parity suites register their tests with this `it` (see test/helpers/native-required.ts). */
export { nativeIt as it } from '../helpers/native-required.js';

/** A Float32Array of n uniform values in [lo, hi). */
export function randomF32(n: number, rng: Random, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.uniform();
  return out;
}

/** A Float32Array of small integers in [-2, 2]: ties and exact equalities on purpose. */
export function randomInts(n: number, rng: Random): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rng.uniform() * 5) - 2;
  return out;
}

/**
 * Asserts |actual[i] - expected[i]| <= tol * (1 + |expected[i]|) for every i (relative plus
 * absolute tolerance); NaNs must match NaNs and infinities must match exactly.
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Object.is(a, e) || (a !== a && e !== e)) continue;
    if (!Number.isFinite(a) || !Number.isFinite(e)) {
      worst = i;
      worstExcess = Infinity;
      break;
    }
    const excess = Math.abs(a - e) - tol * (1 + Math.abs(e));
    if (excess > worstExcess) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0)
    assert.fail(
      `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (tolerance ${tol.toExponential(1)} relative+absolute)`,
    );
}

/** Exact equality, element by element (NaN equals NaN). */
export function assertSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assertClose(actual, expected, 0, what);
}

/** Tolerance for a kernel that sums k float products: 1e-5 * sqrt(k). */
export function sumTolerance(k: number): number {
  return 1e-5 * Math.sqrt(Math.max(k, 1));
}

export type Padding = 'valid' | 'same' | { top: number; bottom: number; left: number; right: number };

/** Output size and leading pad of one spatial axis, as Keras computes them. */
function axis(size: number, k: number, stride: number, dilation: number, padding: Padding, lead: 'top' | 'left'): [number, number] {
  const span = dilation * (k - 1) + 1;
  if (padding === 'valid') return [Math.floor((size - span) / stride) + 1, 0];
  if (padding === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + span - size, 0);
    return [out, Math.floor(total / 2)];
  }
  const before = padding[lead];
  const after = lead === 'top' ? padding.bottom : padding.right;
  return [Math.floor((size + before + after - span) / stride) + 1, before];
}

export interface ConvCase {
  batch: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  kh: number;
  kw: number;
  stride?: [number, number];
  dilation?: [number, number];
  padding?: Padding;
}

export function convGeometry(c: ConvCase): Conv2dGeometry {
  const [sh, sw] = c.stride ?? [1, 1];
  const [dh, dw] = c.dilation ?? [1, 1];
  const padding = c.padding ?? 'valid';
  const [outHeight, padTop] = axis(c.h, c.kh, sh, dh, padding, 'top');
  const [outWidth, padLeft] = axis(c.w, c.kw, sw, dw, padding, 'left');
  return {
    batch: c.batch,
    inHeight: c.h,
    inWidth: c.w,
    inChannels: c.cin,
    outHeight,
    outWidth,
    outChannels: c.cout,
    kernelHeight: c.kh,
    kernelWidth: c.kw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
    padTop,
    padLeft,
  };
}

export interface PoolCase {
  batch: number;
  h: number;
  w: number;
  c: number;
  ph: number;
  pw: number;
  stride?: [number, number];
  padding?: Padding;
}

export function poolGeometry(p: PoolCase): Pool2dGeometry {
  const [sh, sw] = p.stride ?? [p.ph, p.pw];
  const padding = p.padding ?? 'valid';
  const [outHeight, padTop] = axis(p.h, p.ph, sh, 1, padding, 'top');
  const [outWidth, padLeft] = axis(p.w, p.pw, sw, 1, padding, 'left');
  return {
    batch: p.batch,
    inHeight: p.h,
    inWidth: p.w,
    channels: p.c,
    outHeight,
    outWidth,
    poolHeight: p.ph,
    poolWidth: p.pw,
    strideHeight: sh,
    strideWidth: sw,
    padTop,
    padLeft,
  };
}

/** A short label for a case, for test names and failure messages. */
export function label(o: object): string {
  return JSON.stringify(o).replace(/"/g, '');
}

/**
 * Registers `suite` once per instruction set this CPU has (avx512, avx2, portable: switched
 * in-process with setNativeIsa), with outputs poisoned with NaN (CONVKIT_NATIVE_POISON) so an
 * element a native kernel never writes cannot match the reference. Without the addon the suite's
 * tests are registered once, each skipped with the reason (or failing under CONVKIT_REQUIRE_NATIVE=1).
 */
export function describeParity(title: string, seed: number, suite: (k: Kernels, rng: Random) => void): void {
  process.env['CONVKIT_NATIVE_POISON'] = '1';
  if (nativeKernels === null) {
    describe(`${title} (${nativeMissing})`, () => suite(tsKernels, new Random(seed)));
    return;
  }
  const native = nativeKernels;
  const isas = (['avx512', 'avx2', 'portable'] as const).filter((isa) => setNativeIsa(isa));
  setNativeIsa('auto');
  for (const isa of isas) {
    describe(`${title} (${isa})`, () => {
      before(() => setNativeIsa(isa));
      after(() => setNativeIsa('auto'));
      suite(native, new Random(seed));
    });
  }
}
