/**
 * The MobileNet kernels against the TypeScript spec, once per instruction set (AVX-512, AVX2,
 * portable), with NaN-poisoned outputs: relu6Backward on odd lengths (vector tails) with NaN,
 * infinities and the kinks 0 and 6; the depthwise convolution's epilogue (bias, relu, relu6) on
 * odd channel counts, strides 1 and 2, multipliers above 1 (the portable loops) and padding; the
 * same known values on every backend; and the addon's argument checks for both.
 *
 * Tolerances: relu6Backward must match exactly; the depthwise output 1e-5·√(taps + 1).
 */
import assert from 'node:assert/strict';
import type { Kernels } from '../../src/backends/kernels.js';
import { tsKernels as ts } from '../../src/backends/ts/index.js';
import type { Random } from '../../src/tensor/random.js';
import type { ConvCase } from './parity-util.js';
import { assertClose, assertSame, convGeometry, describeParity, it, label, randomF32, sumTolerance } from './parity-util.js';

/** `cout` is the multiplier. */
const CASES: ConvCase[] = [
  { batch: 1, h: 1, w: 1, cin: 1, cout: 1, kh: 1, kw: 1 },
  { batch: 2, h: 9, w: 21, cin: 7, cout: 1, kh: 3, kw: 3, padding: 'same' },
  { batch: 2, h: 7, w: 17, cin: 17, cout: 1, kh: 3, kw: 3, padding: 'same' },
  { batch: 2, h: 9, w: 23, cin: 33, cout: 1, kh: 3, kw: 3, stride: [2, 2], padding: 'same' },
  { batch: 1, h: 11, w: 19, cin: 9, cout: 1, kh: 3, kw: 3, stride: [2, 2] },
  { batch: 2, h: 8, w: 20, cin: 6, cout: 1, kh: 3, kw: 3, padding: 'valid' },
  { batch: 3, h: 13, w: 11, cin: 5, cout: 2, kh: 3, kw: 3, stride: [2, 2], padding: 'same' },
  { batch: 1, h: 9, w: 9, cin: 3, cout: 3, kh: 3, kw: 3, padding: 'same' },
  { batch: 4, h: 16, w: 16, cin: 96, cout: 1, kh: 3, kw: 3, padding: 'same' }, // a MobileNetV2 block, threaded
];

const dwGeometry = (c: ConvCase) => ({ ...convGeometry(c), outChannels: c.cin * c.cout });

function suite(k: Kernels, rng: Random): void {
  it('relu6Backward: dy where 0 < y < 6, on odd lengths with NaN, infinities and the kinks', () => {
    for (const n of [1, 7, 17, 1_000_003]) {
      const y = randomF32(n, rng, -2, 8);
      const dy = randomF32(n, rng);
      const special = [0, -0, 6, 5.9999995, 6.0000005, NaN, Infinity, -Infinity, 1e-30];
      special.forEach((v, i) => {
        if (i < n) y[i] = v;
        if (i + special.length < n) dy[i + special.length] = v;
      });
      assertSame(k.relu6Backward(dy, y), ts.relu6Backward(dy, y), `relu6Backward n=${n}`);
    }
  });

  it('relu6Backward known values', () => {
    const dx = k.relu6Backward(Float32Array.of(1, 2, 3, 4, 5, NaN, 7), Float32Array.of(-1, 0, 3, 6, 7, 0, NaN));
    assert.deepEqual([...dx], [0, 0, 3, 0, 0, 0, 0]);
  });

  it('depthwiseConv2d epilogue (bias, relu, relu6) equals the ts spec', () => {
    for (const c of CASES) {
      const g = dwGeometry(c);
      const x = randomF32(g.batch * g.inHeight * g.inWidth * g.inChannels, rng, -3, 3);
      const w = randomF32(g.kernelHeight * g.kernelWidth * g.outChannels, rng, -1.5, 1.5);
      const bias = randomF32(g.outChannels, rng, -2, 2);
      const tol = sumTolerance(g.kernelHeight * g.kernelWidth + 1);
      for (const activation of ['linear', 'relu', 'relu6'] as const) {
        for (const b of [bias, null]) {
          const what = `${label(c)} ${activation}${b ? ' + bias' : ''}`;
          assertClose(k.depthwiseConv2d(x, w, b, g, activation), ts.depthwiseConv2d(x, w, b, g, activation), tol, what);
        }
      }
    }
  });

  it('depthwiseConv2d epilogue known values: ones count in-image taps, then bias and clamp', () => {
    // 3×3 ones image and filter, 'same': corners see 4 taps, edges 6, the centre 9.
    const g = dwGeometry({ batch: 1, h: 3, w: 3, cin: 1, cout: 1, kh: 3, kw: 3, padding: 'same' });
    const ones = (n: number) => new Float32Array(n).fill(1);
    assert.deepEqual([...k.depthwiseConv2d(ones(9), ones(9), null, g, 'relu6')], [4, 6, 4, 6, 6, 6, 4, 6, 4]);
    assert.deepEqual([...k.depthwiseConv2d(ones(9), ones(9), Float32Array.of(-5), g, 'relu')], [0, 1, 0, 1, 4, 1, 0, 1, 0]);
    assert.deepEqual([...k.depthwiseConv2d(ones(9), ones(9), Float32Array.of(-5), g, 'linear')], [-1, 1, -1, 1, 4, 1, -1, 1, -1]);
    // A NaN input reaches every output that reads it through relu6 (NaN propagates).
    const x = ones(9);
    x[4] = NaN;
    assert.ok([...k.depthwiseConv2d(x, ones(9), null, g, 'relu6')].every(Number.isNaN));
  });
}

describeParity('MobileNet kernels: relu6Backward and the depthwise epilogue', 29, suite);

describeParity('MobileNet kernels: argument checks', 31, (k) => {
  it('relu6Backward and depthwiseConv2d refuse wrong lengths and names', () => {
    if (k === ts) return; // the ts backend trusts src/ops' checks; the addon checks what it is handed
    const x = new Float32Array(12);
    assert.throws(() => k.relu6Backward(x, x.subarray(1)), /^Error: relu6Backward: y has 11 elements, expected dy.length = 12$/);
    const g = dwGeometry({ batch: 1, h: 3, w: 3, cin: 2, cout: 1, kh: 3, kw: 3, padding: 'same' });
    const [img, w] = [new Float32Array(18), new Float32Array(18)];
    assert.throws(
      () => k.depthwiseConv2d(img, w, new Float32Array(3), g, 'relu6'),
      /^Error: depthwiseConv2d: bias has 3 elements, expected/,
    );
    const bad = 'gelu' as 'relu';
    assert.throws(
      () => k.depthwiseConv2d(img, w, null, g, bad),
      /^Error: depthwiseConv2d: activation must be 'linear', 'relu' or 'relu6', received 'gelu'$/,
    );
  });
});
