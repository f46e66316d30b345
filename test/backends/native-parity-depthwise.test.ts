/**
 * The vectorised depthwise convolution kernels (native/src/depthwise_kernels.inc) against the
 * TypeScript spec, once per instruction set: channel counts around both vector widths (tails of
 * the 8-lane AVX2 and 16-lane AVX-512 vectors), rows wider than one register block of 8 pixels
 * with tails of 4 and 1, strides 1 and 2 (the sliding blocks and the strided gathered input
 * gradient), other strides, dilations, 5×5 and 1×1 filters (the any-tap path), asymmetric and
 * 'valid' padding (the unpadded path), and one image split across threads mid-image. Also
 * known values: an all-ones image and filter count each output's in-image taps.
 *
 * Tolerance: 1e-5·√(terms summed), as the other convolution parity tests.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Kernels } from '../../src/backends/kernels.js';
import { tsKernels as ts } from '../../src/backends/ts/index.js';
import type { Random } from '../../src/tensor/random.js';
import type { ConvCase } from './parity-util.js';
import { assertClose, convGeometry, describeParity, label, randomF32, sumTolerance } from './parity-util.js';

/** Multiplier-1 cases (`cout` is the multiplier, as in native-parity-deeper). */
const CASES: ConvCase[] = [
  { batch: 2, h: 9, w: 21, cin: 1, cout: 1, kh: 3, kw: 3, padding: 'same' },
  { batch: 2, h: 9, w: 21, cin: 7, cout: 1, kh: 3, kw: 3, padding: 'same' },
  { batch: 1, h: 6, w: 13, cin: 8, cout: 1, kh: 3, kw: 3, padding: 'same' },
  { batch: 2, h: 7, w: 17, cin: 17, cout: 1, kh: 3, kw: 3, padding: 'same' },
  { batch: 1, h: 5, w: 30, cin: 33, cout: 1, kh: 3, kw: 3, padding: 'same' },
  { batch: 2, h: 9, w: 23, cin: 24, cout: 1, kh: 3, kw: 3, stride: [2, 2], padding: 'same' },
  { batch: 2, h: 10, w: 24, cin: 19, cout: 1, kh: 3, kw: 3, stride: [2, 2], padding: 'same' },
  { batch: 1, h: 11, w: 19, cin: 9, cout: 1, kh: 3, kw: 3, stride: [2, 2] },
  { batch: 1, h: 11, w: 19, cin: 12, cout: 1, kh: 3, kw: 3, stride: [1, 2], padding: 'same' },
  { batch: 1, h: 12, w: 20, cin: 5, cout: 1, kh: 3, kw: 3, stride: [3, 3], padding: 'same' },
  { batch: 2, h: 13, w: 18, cin: 16, cout: 1, kh: 3, kw: 3, dilation: [2, 2], padding: 'same' },
  { batch: 1, h: 12, w: 25, cin: 20, cout: 1, kh: 5, kw: 5, padding: 'same' },
  { batch: 1, h: 9, w: 17, cin: 18, cout: 1, kh: 1, kw: 1 },
  { batch: 1, h: 8, w: 14, cin: 11, cout: 1, kh: 2, kw: 3, stride: [2, 1], padding: 'same' },
  { batch: 2, h: 7, w: 19, cin: 10, cout: 1, kh: 3, kw: 3, padding: { top: 2, bottom: 0, left: 1, right: 3 } },
  { batch: 2, h: 8, w: 20, cin: 6, cout: 1, kh: 3, kw: 3, padding: 'valid' },
  { batch: 1, h: 64, w: 64, cin: 40, cout: 1, kh: 3, kw: 3, padding: 'same' }, // one image, rows split across threads
  // Stride 1 without padding also reads a staged copy of the rows: one image split across threads, dilated, a multiplier.
  { batch: 1, h: 61, w: 37, cin: 21, cout: 1, kh: 3, kw: 3, padding: 'valid' },
  { batch: 2, h: 15, w: 16, cin: 7, cout: 1, kh: 3, kw: 3, dilation: [2, 2], padding: 'valid' },
  { batch: 2, h: 9, w: 11, cin: 5, cout: 3, kh: 3, kw: 3, padding: 'valid' },
  // Two-row blocks (AVX-512): unpadded stride 2 (read in place) with an odd row count and a channel tail; stride 1 in strips and a remainder.
  { batch: 2, h: 12, w: 41, cin: 33, cout: 1, kh: 3, kw: 3, stride: [2, 2], padding: 'valid' },
  { batch: 3, h: 7, w: 29, cin: 16, cout: 1, kh: 3, kw: 3, padding: 'same' },
];

const dwGeometry = (c: ConvCase) => ({ ...convGeometry(c), outChannels: c.cin * c.cout });

function suite(k: Kernels, rng: Random): void {
  it('forward, input gradient and filter gradient equal the ts spec', () => {
    for (const c of CASES) {
      const g = dwGeometry(c);
      const x = randomF32(g.batch * g.inHeight * g.inWidth * g.inChannels, rng);
      const w = randomF32(g.kernelHeight * g.kernelWidth * g.outChannels, rng);
      const dy = randomF32(g.batch * g.outHeight * g.outWidth * g.outChannels, rng);
      const taps = g.kernelHeight * g.kernelWidth;
      const what = label(c);
      assertClose(
        k.depthwiseConv2d(x, w, null, g, 'linear'),
        ts.depthwiseConv2d(x, w, null, g, 'linear'),
        sumTolerance(taps),
        `forward ${what}`,
      );
      assertClose(k.depthwiseConv2dBackpropInput(dy, w, g), ts.depthwiseConv2dBackpropInput(dy, w, g), sumTolerance(taps), `input ${what}`);
      assertClose(
        k.depthwiseConv2dBackpropFilter(x, dy, g),
        ts.depthwiseConv2dBackpropFilter(x, dy, g),
        sumTolerance(g.batch * g.outHeight * g.outWidth),
        `filter ${what}`,
      );
    }
  });

  it('known values: ones ⊛ ones counts the in-image taps; the filter gradient sums them', () => {
    const g = dwGeometry({ batch: 1, h: 4, w: 10, cin: 17, cout: 1, kh: 3, kw: 3, padding: 'same' });
    const ones = (n: number) => new Float32Array(n).fill(1);
    const y = k.depthwiseConv2d(ones(4 * 10 * 17), ones(9 * 17), null, g, 'linear');
    const taps = (i: number, n: number) => (i === 0 || i === n - 1 ? 2 : 3);
    for (let h = 0; h < 4; h++)
      for (let w = 0; w < 10; w++)
        for (let c = 0; c < 17; c++) assert.equal(y[(h * 10 + w) * 17 + c], taps(h, 4) * taps(w, 10), `y[${h},${w},${c}]`);
    // dfilter[kh, kw, c] = number of output pixels whose tap (kh, kw) is inside: rows × columns.
    const df = k.depthwiseConv2dBackpropFilter(ones(4 * 10 * 17), ones(4 * 10 * 17), g);
    for (let kh = 0; kh < 3; kh++)
      for (let kw = 0; kw < 3; kw++) assert.equal(df[(kh * 3 + kw) * 17 + 16], (kh === 1 ? 4 : 3) * (kw === 1 ? 10 : 9), `df[${kh},${kw}]`);
  });

  it('NaN in one input pixel reaches exactly the outputs that read it', () => {
    const g = dwGeometry({ batch: 1, h: 5, w: 12, cin: 9, cout: 1, kh: 3, kw: 3, padding: 'same' });
    const x = randomF32(5 * 12 * 9, rng);
    x[(2 * 12 + 6) * 9 + 4] = NaN; // pixel (2, 6), channel 4
    const y = k.depthwiseConv2d(x, randomF32(81, rng), null, g, 'linear');
    for (let h = 0; h < 5; h++)
      for (let w = 0; w < 12; w++)
        for (let c = 0; c < 9; c++) {
          const reads = c === 4 && Math.abs(h - 2) <= 1 && Math.abs(w - 6) <= 1;
          assert.equal(Number.isNaN(y[(h * 12 + w) * 9 + c]), reads, `y[${h},${w},${c}]`);
        }
  });
}

describeParity('depthwise convolution kernels', 13, suite);
