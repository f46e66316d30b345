/**
 * Native-versus-ts parity of the image kernels (affineWarp, resize) on odd shapes: every fill
 * mode and interpolation under random projective transforms, every resize method up and down,
 * with and without antialias; on every instruction set, outputs poisoned with NaN first.
 */
import { it } from 'node:test';
import type { ImageGeometry } from '../../src/backends/kernels.js';
import { tsKernels as ts } from '../../src/backends/ts/index.js';
import { assertClose, describeParity, randomF32 } from './parity-util.js';

const geom = (batch: number, h: number, w: number, c: number, oh = h, ow = w): ImageGeometry => ({
  batch,
  inHeight: h,
  inWidth: w,
  channels: c,
  outHeight: oh,
  outWidth: ow,
});

describeParity('native backend parity with ts, image kernels', 17, (k, rng) => {
  it('affineWarp: every fill mode and interpolation, random projective transforms', () => {
    for (const [b, h, w, c] of [
      [3, 7, 5, 3],
      [2, 1, 9, 1],
      [1, 11, 13, 5],
      [4, 6, 6, 2],
    ] as const) {
      const x = randomF32(b * h * w * c, rng);
      const t = new Float32Array(b * 8);
      for (let i = 0; i < b; i++) {
        const angle = (rng.uniform() - 0.5) * 2;
        const s = 0.7 + rng.uniform() * 0.8;
        t.set(
          [
            s * Math.cos(angle),
            -s * Math.sin(angle),
            (rng.uniform() - 0.5) * w * 2,
            s * Math.sin(angle),
            s * Math.cos(angle),
            (rng.uniform() - 0.5) * h * 2,
            (rng.uniform() - 0.5) * 0.02,
            (rng.uniform() - 0.5) * 0.02,
          ],
          i * 8,
        );
      }
      for (const fillMode of ['reflect', 'wrap', 'constant', 'nearest'] as const) {
        for (const interpolation of ['bilinear', 'nearest'] as const) {
          const o = { interpolation, fillMode, fillValue: 0.25 };
          assertClose(
            k.affineWarp(x, geom(b, h, w, c), t, o),
            ts.affineWarp(x, geom(b, h, w, c), t, o),
            1e-5,
            `${b}×${h}×${w}×${c} ${fillMode} ${interpolation}`,
          );
        }
      }
    }
  });

  it('resize: every method, up and down, with and without antialias', () => {
    for (const [b, h, w, c, oh, ow] of [
      [2, 7, 5, 3, 11, 3],
      [1, 1, 9, 1, 4, 2],
      [3, 13, 13, 5, 5, 29],
      [2, 6, 8, 1, 6, 3],
    ] as const) {
      const x = randomF32(b * h * w * c, rng);
      for (const method of ['bilinear', 'nearest', 'bicubic', 'lanczos3'] as const) {
        for (const aa of [false, true]) {
          const g = geom(b, h, w, c, oh, ow);
          assertClose(k.resize(x, g, method, aa), ts.resize(x, g, method, aa), 1e-5, `${b}×${h}×${w}×${c} → ${oh}×${ow} ${method} ${aa}`);
        }
      }
    }
  });
});
