/**
 * The image kernels against PyTorch (test/fixtures/image-oracle.json, made by
 * test/fixtures/make_image_fixtures.py): bilinear warps of random rotations, zooms and shifts
 * with fill modes 'constant' (0) and 'nearest' against grid_sample's 'zeros' and 'border', and
 * bilinear resizes against F.interpolate with half-pixel centres, on both backends.
 */
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { FillMode, Kernels } from '../../src/backends/kernels.js';
import { loadNativeBackend } from '../../src/backends/native-loader.js';
import { tsKernels } from '../../src/backends/ts/index.js';
import { assertClose } from './parity-util.js';

interface Case {
  kind: 'warp' | 'resize';
  shape: [number, number, number, number];
  out?: [number, number];
  x: number[];
  transforms?: number[];
  fillMode?: FillMode;
  y: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../../../test/fixtures/image-oracle.json', import.meta.url), 'utf8')) as {
  torch: string;
  cases: Case[];
};
const loaded = loadNativeBackend();
const backends: [string, Kernels][] = [
  ['ts', tsKernels],
  ...('backend' in loaded ? [['native', loaded.backend.kernels] as [string, Kernels]] : []),
];

describe(`image kernels match PyTorch ${fixture.torch}`, () => {
  for (const [name, k] of backends) {
    it(`${name}: bilinear warps (constant 0 and nearest fill) and bilinear resizes`, () => {
      for (const [i, c] of fixture.cases.entries()) {
        const [batch, h, w, ch] = c.shape;
        const x = Float32Array.from(c.x);
        if (c.kind === 'warp') {
          const g = { batch, inHeight: h, inWidth: w, channels: ch, outHeight: h, outWidth: w };
          const y = k.affineWarp(x, g, Float32Array.from(c.transforms!), {
            interpolation: 'bilinear',
            fillMode: c.fillMode!,
            fillValue: 0,
          });
          assertClose(y, c.y, 2e-5, `case ${i}: warp ${c.shape.join('×')} fill ${c.fillMode}`);
        } else {
          const [oh, ow] = c.out!;
          const y = k.resize(x, { batch, inHeight: h, inWidth: w, channels: ch, outHeight: oh, outWidth: ow }, 'bilinear', false);
          assertClose(y, c.y, 2e-6, `case ${i}: resize ${c.shape.join('×')} → ${oh}×${ow}`);
        }
      }
    });
  }
});
