/**
 * The image kernels (affineWarp, resize): known values worked out by hand, an independent dense
 * transcription of Keras's resize weights (keras/src/backend/numpy/image.py,
 * `_compute_weight_mat`) and the addon's argument errors (the native-versus-ts parity suite is
 * native-parity-image.test.ts).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FillMode, ImageGeometry, Kernels, ResizeMethod } from '../../src/backends/kernels.js';
import { loadNativeBackend } from '../../src/backends/native-loader.js';
import { tsKernels as ts } from '../../src/backends/ts/index.js';
import { Random } from '../../src/tensor/random.js';
import { assertClose, randomF32 } from './parity-util.js';

const loaded = loadNativeBackend();
const skip = 'error' in loaded ? `native addon not available: ${loaded.error}` : false;

const geom = (batch: number, h: number, w: number, c: number, oh = h, ow = w): ImageGeometry => ({
  batch,
  inHeight: h,
  inWidth: w,
  channels: c,
  outHeight: oh,
  outWidth: ow,
});
const shift = (dx: number, dy = 0): Float32Array => Float32Array.of(1, 0, -dx, 0, 1, -dy, 0, 0);

function backends(): [string, Kernels][] {
  return 'backend' in loaded
    ? [
        ['ts', ts],
        ['native', loaded.backend.kernels],
      ]
    : [['ts', ts]];
}

describe('affineWarp: hand-computed warps', () => {
  for (const [name, k] of backends()) {
    it(`${name}: a two-pixel shift right under each fill mode (nearest sampling)`, () => {
      const row = Float32Array.of(1, 2, 3, 4); // a b c d
      const expect: Record<FillMode, number[]> = {
        reflect: [2, 1, 1, 2], // (d c b a | a b c d): index −1 → a, −2 → b
        wrap: [3, 4, 1, 2], // (a b c d | a b c d): −1 → d, −2 → c
        nearest: [1, 1, 1, 2],
        constant: [9, 9, 1, 2],
      };
      for (const fillMode of Object.keys(expect) as FillMode[]) {
        const y = k.affineWarp(row, geom(1, 1, 4, 1), shift(2), { interpolation: 'nearest', fillMode, fillValue: 9 });
        assert.deepEqual([...y], expect[fillMode], fillMode);
      }
    });

    it(`${name}: shifts far past the edge keep the fill-mode period`, () => {
      const row = Float32Array.of(1, 2, 3, 4);
      // reads −6, −5, −4, −3: reflect extends as … c d d c b a | a b c d, wrap as … c d a b c d
      const reflect = k.affineWarp(row, geom(1, 1, 4, 1), shift(6), { interpolation: 'nearest', fillMode: 'reflect', fillValue: 0 });
      assert.deepEqual([...reflect], [3, 4, 4, 3]);
      const wrap = k.affineWarp(row, geom(1, 1, 4, 1), shift(6), { interpolation: 'nearest', fillMode: 'wrap', fillValue: 0 });
      assert.deepEqual([...wrap], [3, 4, 1, 2]);
    });

    it(`${name}: a half-pixel shift interpolates bilinearly, the fill entering at the border`, () => {
      const row = Float32Array.of(0, 2, 4, 6);
      const y = k.affineWarp(row, geom(1, 1, 4, 1), shift(0.5), { interpolation: 'bilinear', fillMode: 'constant', fillValue: 10 });
      assert.deepEqual([...y], [5, 1, 3, 5]); // x reads x − ½: ½·10 + ½·0, ½·0 + ½·2, …
    });

    it(`${name}: a quarter turn about the centre is counter-clockwise (Keras's positive angle)`, () => {
      const img = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
      // Keras's _compute_affine_matrix for θ = π/2, centre (1, 1): a = [0, −1, 2], b = [1, 0, 0].
      const t = Float32Array.of(0, -1, 2, 1, 0, 0, 0, 0);
      const y = k.affineWarp(img, geom(1, 3, 3, 1), t, { interpolation: 'bilinear', fillMode: 'constant', fillValue: 0 });
      assert.deepEqual([...y], [3, 6, 9, 2, 5, 8, 1, 4, 7]);
    });

    it(`${name}: each image uses its own row; channels move together; k = 0 gives the fill value`, () => {
      const x = Float32Array.of(1, 10, 2, 20, 3, 30, 4, 40); // 2 images of 1×2 pixels, 2 channels
      const t = new Float32Array(16);
      t.set(shift(1), 0); // image 0 shifts right by one
      t.set([1, 0, 0, 0, 1, 0, -1, 0], 8); // image 1: k = 1 − x, 0 at x = 1
      const y = k.affineWarp(x, geom(2, 1, 2, 2), t, { interpolation: 'nearest', fillMode: 'constant', fillValue: -1 });
      assert.deepEqual([...y], [-1, -1, 1, 10, 3, 30, -1, -1]);
    });
  }
});

/** Keras's dense weight matrix [in, out] for one axis, transcribed as written (no sparsity). */
function denseWeights(inSize: number, outSize: number, method: Exclude<ResizeMethod, 'nearest'>, antialias: boolean): number[][] {
  const kernel = (x: number): number => {
    if (method === 'bilinear') return Math.max(0, 1 - Math.abs(x));
    if (method === 'bicubic') {
      let out = (1.5 * x - 2.5) * x * x + 1;
      if (x >= 1) out = ((-0.5 * x + 2.5) * x - 4) * x + 2;
      return x >= 2 ? 0 : out;
    }
    const y = 3 * Math.sin(Math.PI * x) * Math.sin((Math.PI * x) / 3);
    const out = x > 1e-3 ? y / (Math.PI ** 2 * x * x) : 1;
    return x > 3 ? 0 : out;
  };
  const scale = outSize / inSize;
  const kernelScale = antialias ? Math.max(1 / scale, 1) : 1;
  const w: number[][] = [];
  for (let j = 0; j < inSize; j++) w.push(new Array<number>(outSize).fill(0));
  for (let i = 0; i < outSize; i++) {
    const sample = (i + 0.5) / scale - 0.5;
    let total = 0;
    for (let j = 0; j < inSize; j++) total += w[j]![i] = kernel(Math.abs(sample - j) / kernelScale);
    for (let j = 0; j < inSize; j++) w[j]![i] = Math.abs(total) > 1000 * 2 ** -23 ? w[j]![i]! / total : 0;
  }
  return w;
}

/** Resizes one single-channel image with dense weights: height axis, then width. */
function denseResize(
  x: Float32Array,
  h: number,
  w: number,
  oh: number,
  ow: number,
  method: Exclude<ResizeMethod, 'nearest'>,
  aa: boolean,
): number[] {
  const wr = h === oh ? null : denseWeights(h, oh, method, aa);
  const wc = w === ow ? null : denseWeights(w, ow, method, aa);
  const mid: number[] = [];
  for (let i = 0; i < oh; i++)
    for (let j = 0; j < w; j++) mid.push(wr ? wr.reduce((s, row, r) => s + row[i]! * x[r * w + j]!, 0) : x[i * w + j]!);
  const out: number[] = [];
  for (let i = 0; i < oh; i++)
    for (let j = 0; j < ow; j++) out.push(wc ? wc.reduce((s, col, c) => s + col[j]! * mid[i * w + c]!, 0) : mid[i * w + j]!);
  return out;
}

describe("resize: hand-computed values and Keras's dense weights", () => {
  for (const [name, k] of backends()) {
    it(`${name}: bilinear 2 → 4 with half-pixel centres; nearest 4 → 2 takes floor((i + ½)·2)`, () => {
      assert.deepEqual([...k.resize(Float32Array.of(0, 1), geom(1, 1, 2, 1, 1, 4), 'bilinear', false)], [0, 0.25, 0.75, 1]);
      assert.deepEqual([...k.resize(Float32Array.of(1, 2, 3, 4), geom(1, 1, 4, 1, 1, 2), 'nearest', false)], [2, 4]);
    });

    it(`${name}: bicubic reproduces a ramp inside the image (Keys, a = −½)`, () => {
      const y = k.resize(Float32Array.of(0, 1, 2, 3), geom(1, 1, 4, 1, 1, 8), 'bicubic', false);
      assertClose([y[3]!, y[4]!], [1.25, 1.75], 1e-6, 'interior samples');
    });

    it(`${name}: every method, antialias on and off, matches the dense transcription`, () => {
      const rng = new Random(3);
      const x = randomF32(7 * 9, rng);
      for (const method of ['bilinear', 'bicubic', 'lanczos3'] as const) {
        for (const [oh, ow] of [
          [13, 4],
          [3, 17],
          [7, 5],
        ] as const) {
          for (const aa of [false, true]) {
            const y = k.resize(x, geom(1, 7, 9, 1, oh, ow), method, aa);
            assertClose(y, denseResize(x, 7, 9, oh, ow, method, aa), 2e-6, `${method} 7×9 → ${oh}×${ow} antialias ${aa}`);
          }
        }
      }
    });
  }
});

describe('image kernels: the addon refuses bad arguments', { skip }, () => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const path = process.env['CONVKIT_NATIVE_ADDON'] || join(dir, 'native', 'build', 'Release', 'convkit.node');
  const addon = skip ? null : (createRequire(import.meta.url)(path) as Record<string, (...args: unknown[]) => unknown>);
  const g = geom(2, 3, 4, 1);
  const x = new Float32Array(24);
  const t = new Float32Array(16);

  it('affineWarp: lengths, transforms, option strings, geometry fields', () => {
    const warp = (...a: unknown[]): unknown => addon!['affineWarp']!(...a);
    const opts = (interpolation: string, fillMode: string, fillValue: unknown = 0) => ({ interpolation, fillMode, fillValue });
    assert.throws(
      () => warp(new Float32Array(23), g, t, opts('bilinear', 'reflect'), new Float32Array(24)),
      /^Error: affineWarp: x has 23 elements, expected 2\*3\*4\*1 = 24$/,
    );
    assert.throws(() => warp(x, g, t, opts('bilinear', 'reflect'), new Float32Array(5)), /affineWarp: y has 5 elements/);
    assert.throws(
      () => warp(x, g, new Float32Array(8), opts('bilinear', 'reflect'), new Float32Array(24)),
      /affineWarp: transforms has 8 elements, expected 2\*8 = 16/,
    );
    assert.throws(
      () => warp(x, g, t, opts('bicubic', 'reflect'), new Float32Array(24)),
      /interpolation must be 'bilinear' or 'nearest', received 'bicubic'/,
    );
    assert.throws(
      () => warp(x, g, t, opts('bilinear', 'mirror'), new Float32Array(24)),
      /fillMode must be 'reflect', 'wrap', 'constant' or 'nearest', received 'mirror'/,
    );
    const bad = new Float32Array(16);
    bad[11] = NaN;
    assert.throws(() => warp(x, g, bad, opts('bilinear', 'reflect'), new Float32Array(24)), /transforms\[11\] \(image 1\) is not finite/);
    assert.throws(
      () => warp(x, { ...g, inHeight: 0 }, t, opts('bilinear', 'reflect'), new Float32Array(24)),
      /geometry.inHeight must be an integer in \[1, 2\^31\)/,
    );
    assert.throws(() => warp(x, g, t, opts('bilinear', 'reflect'), x), /y shares memory with x/);
    assert.throws(() => warp(x, g, t, opts('bilinear', 'reflect', NaN), new Float32Array(24)), /options.fillValue must be a finite number/);
    assert.throws(
      () => warp(x, g, t, { fillMode: 'reflect', fillValue: 0 }, new Float32Array(24)),
      /options.interpolation must be a string/,
    );
  });

  it('resize: method names and lengths', () => {
    const rs = (...a: unknown[]): unknown => addon!['resize']!(...a);
    const g2 = geom(2, 3, 4, 1, 5, 2);
    assert.throws(
      () => rs(x, g2, 'area', false, new Float32Array(20)),
      /method must be 'bilinear', 'nearest', 'bicubic' or 'lanczos3', received 'area'/,
    );
    assert.throws(() => rs(x, g2, 'bilinear', false, new Float32Array(19)), /^Error: resize: y has 19 elements, expected 2\*5\*2\*1 = 20$/);
    assert.throws(() => rs(x, { ...g2, outWidth: 1.5 }, 'bilinear', false, new Float32Array(20)), /geometry.outWidth must be an integer/);
  });
});
