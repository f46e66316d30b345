/**
 * Native-versus-TypeScript parity of the convolution and pooling kernels: conv2d forward (with
 * bias and relu) and both gradients, max and average pooling forward and backward, on odd sizes,
 * strides, dilations, 'valid', 'same' and explicit asymmetric pads, once per instruction set
 * (AVX-512 and AVX2 also take the direct-convolution and Winograd paths for the shapes they
 * suit, portable im2col + GEMM). Tolerances: 1e-5·√k relative+absolute for a sum of k products;
 * pooling maxima and argmax exact; averages 1e-6. The fused conv2dMaxPool pair: values 1e-5·√k, and every native
 * winner is a maximum of the reference convolution's window (exact ties aside, the convolution
 * sums round differently, so the winner of a near-tie may differ); the backward pass is compared
 * on the native winners, with batches of several scratch chunks.
 */
import type { Kernels } from '../../src/backends/kernels.js';
import { tsKernels as ts } from '../../src/backends/ts/index.js';
import type { Random } from '../../src/tensor/random.js';
import type { ConvCase, PoolCase } from './parity-util.js';
import {
  assertClose,
  assertSame,
  convGeometry,
  describeParity,
  it,
  label,
  poolGeometry,
  randomF32,
  randomInts,
  sumTolerance,
} from './parity-util.js';

// The small Winograd cases below must take the Winograd forward path, which by default waits
// for 256 output tiles (read by the addon at its first forward Winograd call).
process.env['CONVKIT_WINOGRAD_MIN_TILES'] = '0';

const CONV_CASES: ConvCase[] = [
  { batch: 1, h: 1, w: 1, cin: 1, cout: 1, kh: 1, kw: 1 },
  { batch: 2, h: 7, w: 7, cin: 3, cout: 5, kh: 3, kw: 3 },
  { batch: 3, h: 13, w: 7, cin: 1, cout: 33, kh: 3, kw: 3, padding: 'same' },
  { batch: 2, h: 13, w: 13, cin: 7, cout: 13, kh: 3, kw: 2, stride: [2, 2], padding: 'same' },
  { batch: 1, h: 13, w: 11, cin: 13, cout: 7, kh: 5, kw: 5, stride: [2, 1] },
  { batch: 2, h: 13, w: 13, cin: 3, cout: 7, kh: 3, kw: 3, dilation: [2, 2], padding: 'same' },
  { batch: 1, h: 8, w: 9, cin: 33, cout: 3, kh: 2, kw: 3, stride: [2, 3], dilation: [1, 2] },
  { batch: 2, h: 7, w: 7, cin: 4, cout: 6, kh: 3, kw: 3, padding: { top: 2, bottom: 0, left: 1, right: 3 } },
  { batch: 1, h: 3, w: 3, cin: 2, cout: 3, kh: 5, kw: 5, padding: 'same' }, // windows mostly padding
  { batch: 8, h: 28, w: 28, cin: 1, cout: 32, kh: 3, kw: 3 }, // seed conv1, batch 8
  { batch: 8, h: 13, w: 13, cin: 32, cout: 64, kh: 3, kw: 3 }, // seed conv2, batch 8
  { batch: 1, h: 48, w: 48, cin: 16, cout: 32, kh: 3, kw: 3, padding: 'same' }, // one image, threaded GEMMs
  // Direct-convolution paths (AVX-512, AVX2): ResNet-20 shapes, several channel chunks, lane tails,
  // 1x1 kernels, and explicit pads past the kernel's span (negative pads in the input gradient).
  { batch: 4, h: 32, w: 32, cin: 16, cout: 16, kh: 3, kw: 3, padding: 'same' },
  { batch: 3, h: 16, w: 16, cin: 16, cout: 32, kh: 3, kw: 3, stride: [2, 2], padding: 'same' },
  { batch: 2, h: 16, w: 16, cin: 16, cout: 32, kh: 1, kw: 1, stride: [2, 2] },
  { batch: 2, h: 9, w: 10, cin: 5, cout: 80, kh: 3, kw: 3, padding: 'same' },
  { batch: 2, h: 8, w: 12, cin: 20, cout: 17, kh: 1, kw: 1 },
  { batch: 1, h: 10, w: 11, cin: 70, cout: 50, kh: 3, kw: 3, dilation: [1, 2], padding: 'same' },
  { batch: 1, h: 6, w: 7, cin: 3, cout: 5, kh: 2, kw: 2, padding: { top: 3, bottom: 0, left: 0, right: 2 } },
  // Winograd F(2x2, 3x3) (3x3 stride 1, channels multiples of 16): odd output sizes (partial
  // tiles), asymmetric pads and pads past the kernel's span; also the in-place sliding filter tiles.
  { batch: 2, h: 7, w: 9, cin: 16, cout: 32, kh: 3, kw: 3, padding: { top: 2, bottom: 0, left: 0, right: 1 } },
  { batch: 3, h: 5, w: 6, cin: 32, cout: 16, kh: 3, kw: 3, padding: 'same' },
  { batch: 1, h: 6, w: 7, cin: 16, cout: 16, kh: 3, kw: 3, padding: { top: 3, bottom: 1, left: 0, right: 3 } },
  // Winograd filter gradient: partial tiles in either direction, one tile, odd and asymmetric
  // pads, channels 16-64 both ways, batches 1 and odd ones, and enough work for two shares.
  { batch: 1, h: 9, w: 11, cin: 16, cout: 16, kh: 3, kw: 3, padding: 'same' },
  { batch: 1, h: 3, w: 4, cin: 32, cout: 32, kh: 3, kw: 3 },
  { batch: 5, h: 13, w: 13, cin: 32, cout: 64, kh: 3, kw: 3 },
  { batch: 7, h: 10, w: 7, cin: 48, cout: 16, kh: 3, kw: 3, padding: { top: 0, bottom: 2, left: 2, right: 0 } },
  { batch: 3, h: 5, w: 5, cin: 16, cout: 48, kh: 3, kw: 3, padding: { top: 3, bottom: 1, left: 1, right: 3 } },
  { batch: 9, h: 8, w: 8, cin: 64, cout: 64, kh: 3, kw: 3, padding: 'same' },
  { batch: 11, h: 7, w: 9, cin: 32, cout: 32, kh: 3, kw: 3, padding: { top: 1, bottom: 0, left: 0, right: 1 } },
];

const POOL_CASES: PoolCase[] = [
  { batch: 1, h: 1, w: 1, c: 1, ph: 1, pw: 1 },
  { batch: 2, h: 26, w: 26, c: 3, ph: 2, pw: 2 },
  { batch: 3, h: 7, w: 7, c: 13, ph: 2, pw: 2, padding: 'same' },
  { batch: 2, h: 13, w: 11, c: 5, ph: 3, pw: 3, stride: [2, 2], padding: 'same' },
  { batch: 1, h: 7, w: 13, c: 7, ph: 3, pw: 2, stride: [1, 2] },
  { batch: 2, h: 3, w: 3, c: 2, ph: 2, pw: 2, stride: [1, 1], padding: { top: 2, bottom: 1, left: 2, right: 0 } },
  { batch: 16, h: 26, w: 26, c: 32, ph: 2, pw: 2 }, // seed pool1, threaded
];

/** A convolution and the pooling of its output. */
const CONV_POOL_CASES: { conv: ConvCase; pool: Omit<PoolCase, 'batch' | 'h' | 'w' | 'c'> }[] = [
  { conv: { batch: 20, h: 28, w: 28, cin: 1, cout: 32, kh: 3, kw: 3 }, pool: { ph: 2, pw: 2 } }, // seed conv1: 2 chunks
  { conv: { batch: 40, h: 13, w: 13, cin: 32, cout: 64, kh: 3, kw: 3 }, pool: { ph: 2, pw: 2 } }, // seed conv2: 2 chunks
  { conv: { batch: 7, h: 33, w: 33, cin: 1, cout: 64, kh: 3, kw: 3, padding: 'same' }, pool: { ph: 2, pw: 2 } }, // 3 chunks, odd edge
  {
    conv: { batch: 3, h: 7, w: 7, cin: 3, cout: 5, kh: 3, kw: 3, padding: 'same' },
    pool: { ph: 3, pw: 3, stride: [2, 2], padding: 'same' },
  },
  {
    conv: { batch: 2, h: 13, w: 13, cin: 7, cout: 13, kh: 3, kw: 3, stride: [2, 2], padding: 'same' },
    pool: { ph: 2, pw: 3, stride: [1, 2] },
  },
  { conv: { batch: 1, h: 1, w: 1, cin: 1, cout: 1, kh: 1, kw: 1 }, pool: { ph: 1, pw: 1 } },
  // Windows that are all padding (argmax -1, y 0).
  {
    conv: { batch: 2, h: 5, w: 5, cin: 2, cout: 3, kh: 3, kw: 3 },
    pool: { ph: 2, pw: 2, stride: [1, 1], padding: { top: 2, bottom: 0, left: 2, right: 1 } },
  },
];

function suite(k: Kernels, rng: Random): void {
  it('conv2dMaxPool forward and backward (the fused Conv2D → MaxPooling2D pair)', () => {
    for (const { conv: c, pool: pc } of CONV_POOL_CASES) {
      const g = convGeometry(c);
      const p = poolGeometry({ ...pc, batch: g.batch, h: g.outHeight, w: g.outWidth, c: g.outChannels });
      const x = randomF32(g.batch * g.inHeight * g.inWidth * g.inChannels, rng);
      const w = randomF32(g.kernelHeight * g.kernelWidth * g.inChannels * g.outChannels, rng);
      const bias = randomF32(g.outChannels, rng);
      const taps = g.kernelHeight * g.kernelWidth * g.inChannels;
      for (const [b, act] of [
        [bias, 'relu'],
        [null, 'linear'],
      ] as const) {
        const what = `${label(c)} pool ${label(pc)} ${act}`;
        const nat = k.conv2dMaxPool(x, w, b, g, p, act);
        const ref = ts.conv2dMaxPool(x, w, b, g, p, act);
        assertClose(nat.y, ref.y, sumTolerance(taps), `conv2dMaxPool y ${what}`);
        const convOut = ts.conv2d(x, w, b, g, act);
        const winners = Array.from(nat.argmax, (a, i) => (a < 0 ? (ref.argmax[i] === -1 ? 0 : NaN) : convOut[a]!));
        assertClose(winners, ref.y, sumTolerance(taps), `conv2dMaxPool winners ${what}`);
        const dy = randomF32(nat.y.length, rng);
        const all = { input: true, filter: true, bias: true };
        const gn = k.conv2dMaxPoolBackward(dy, x, w, nat.y, nat.argmax, g, p, act, all);
        const gr = ts.conv2dMaxPoolBackward(dy, x, w, nat.y, nat.argmax, g, p, act, all);
        assertClose(gn.dx!, gr.dx!, sumTolerance(g.outChannels * g.kernelHeight * g.kernelWidth), `conv2dMaxPoolBackward dx ${what}`);
        assertClose(gn.dFilter!, gr.dFilter!, sumTolerance(g.batch * g.outHeight * g.outWidth), `conv2dMaxPoolBackward dFilter ${what}`);
        assertClose(gn.dBias!, gr.dBias!, sumTolerance(g.batch * g.outHeight * g.outWidth), `conv2dMaxPoolBackward dBias ${what}`);
        const some = k.conv2dMaxPoolBackward(dy, x, w, nat.y, nat.argmax, g, p, act, { input: false, filter: true, bias: false });
        assertClose(
          some.dFilter!,
          gr.dFilter!,
          sumTolerance(g.batch * g.outHeight * g.outWidth),
          `conv2dMaxPoolBackward dFilter only ${what}`,
        );
        if (some.dx !== null || some.dBias !== null) throw new Error(`conv2dMaxPoolBackward computed gradients not asked for (${what})`);
      }
    }
  });

  // conv2d (linear, and with bias and relu or relu6) and both gradients against ts for one case.
  const checkConv = (c: ConvCase, withLinear: boolean): void => {
    const g = convGeometry(c);
    const x = randomF32(g.batch * g.inHeight * g.inWidth * g.inChannels, rng);
    const w = randomF32(g.kernelHeight * g.kernelWidth * g.inChannels * g.outChannels, rng);
    const bias = randomF32(g.outChannels, rng);
    const dy = randomF32(g.batch * g.outHeight * g.outWidth * g.outChannels, rng);
    const taps = g.kernelHeight * g.kernelWidth * g.inChannels;
    const what = label(c);
    if (withLinear)
      assertClose(k.conv2d(x, w, null, g, 'linear'), ts.conv2d(x, w, null, g, 'linear'), sumTolerance(taps), `conv2d ${what}`);
    assertClose(k.conv2d(x, w, bias, g, 'relu'), ts.conv2d(x, w, bias, g, 'relu'), sumTolerance(taps), `conv2d+bias+relu ${what}`);
    // relu6 on inputs 6× larger, so that outputs pass the cap (the GEMM epilogue, or a pass after the direct paths).
    const wide = x.map((v) => 6 * v);
    assertClose(
      k.conv2d(wide, w, bias, g, 'relu6'),
      ts.conv2d(wide, w, bias, g, 'relu6'),
      6 * sumTolerance(taps),
      `conv2d+bias+relu6 ${what}`,
    );
    assertClose(
      k.conv2dBackpropInput(dy, w, g),
      ts.conv2dBackpropInput(dy, w, g),
      sumTolerance(g.outChannels * g.kernelHeight * g.kernelWidth),
      `conv2dBackpropInput ${what}`,
    );
    assertClose(
      k.conv2dBackpropFilter(x, dy, g),
      ts.conv2dBackpropFilter(x, dy, g),
      sumTolerance(g.batch * g.outHeight * g.outWidth),
      `conv2dBackpropFilter ${what}`,
    );
  };

  it('conv2d forward, backprop input and backprop filter', () => {
    for (const c of CONV_CASES) checkConv(c, true);
  });

  // Every lane count of a partial last vector (1..16, across the 8-lane halves of AVX2) for
  // chunks of 1-4 vectors: 3x3 'same' takes the sliding tiles (forward and filter gradient), 2x2
  // the plain ones (forward, input gradient over channels = n, filter gradient).
  it('conv2d and both gradients on every lane tail: channel counts 1..64', () => {
    for (let n = 1; n <= 64; n++) {
      checkConv({ batch: 2, h: 5, w: 7, cin: 3, cout: n, kh: 3, kw: 3, padding: 'same' }, false);
      checkConv({ batch: 1, h: 4, w: 8, cin: n, cout: n, kh: 2, kw: 2 }, false);
    }
  });

  it('maxPool2d and avgPool2d, forward and backward', () => {
    for (const p of POOL_CASES) {
      const g = poolGeometry(p);
      const what = label(p);
      for (const x of [
        randomF32(g.batch * g.inHeight * g.inWidth * g.channels, rng),
        randomInts(g.batch * g.inHeight * g.inWidth * g.channels, rng),
      ]) {
        if (x.length > 3) x[3] = NaN;
        const dy = randomF32(g.batch * g.outHeight * g.outWidth * g.channels, rng);
        const nat = k.maxPool2d(x, g);
        const ref = ts.maxPool2d(x, g);
        assertSame(nat.y, ref.y, `maxPool2d y ${what}`);
        assertSame(nat.argmax, ref.argmax, `maxPool2d argmax ${what}`);
        assertClose(k.maxPool2dBackward(dy, ref.argmax, g), ts.maxPool2dBackward(dy, ref.argmax, g), 1e-6, `maxPool2dBackward ${what}`);
        // An argmax elsewhere in its own image (not maxPool2d's, but the contract allows it): scattered there.
        const moved = ref.argmax.slice();
        const image = g.inHeight * g.inWidth * g.channels;
        if (moved.length > 1 && moved[1]! >= 0) moved[1] = Math.floor(moved[1]! / image) * image + ((moved[1]! + 7) % image);
        assertClose(k.maxPool2dBackward(dy, moved, g), ts.maxPool2dBackward(dy, moved, g), 1e-6, `maxPool2dBackward moved argmax ${what}`);
        assertClose(k.avgPool2d(x, g), ts.avgPool2d(x, g), 1e-6, `avgPool2d ${what}`);
        assertClose(k.avgPool2dBackward(dy, g), ts.avgPool2dBackward(dy, g), 1e-6, `avgPool2dBackward ${what}`);
      }
    }
  });
}

describeParity('native convolution and pooling parity with ts', 3033, suite);
