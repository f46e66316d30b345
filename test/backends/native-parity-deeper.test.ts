/**
 * Native-versus-TypeScript parity for the kernels deeper architectures need: the fused relu
 * gradient, the three batch-normalisation kernels, depthwise convolution and both its gradients,
 * and pad, slice and concat; on odd sizes, strides, dilations and pads, once per instruction set
 * (as native-parity.test.ts), with NaN-poisoned outputs.
 *
 * Tolerances: reluBackward, pad, slice and concat must match exactly; batch-norm outputs 1e-5
 * relative+absolute (2e-5 with a mean 100× the spread, where float32 rounding of x − mean
 * dominates); its per-channel sums 1e-6·√rows; depthwise convolution 1e-5·√(taps).
 */
import type { Kernels } from '../../src/backends/kernels.js';
import { tsKernels as ts } from '../../src/backends/ts/index.js';
import type { Random } from '../../src/tensor/random.js';
import type { ConvCase } from './parity-util.js';
import { assertClose, assertSame, convGeometry, describeParity, it, label, randomF32, randomInts, sumTolerance } from './parity-util.js';

const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

/** Depthwise cases: `cout` is the multiplier. */
const DEPTHWISE_CASES: ConvCase[] = [
  { batch: 1, h: 1, w: 1, cin: 1, cout: 1, kh: 1, kw: 1 },
  { batch: 2, h: 7, w: 7, cin: 3, cout: 1, kh: 3, kw: 3, padding: 'same' },
  { batch: 3, h: 13, w: 11, cin: 5, cout: 2, kh: 3, kw: 3, stride: [2, 2], padding: 'same' },
  { batch: 1, h: 13, w: 13, cin: 7, cout: 3, kh: 5, kw: 3, stride: [1, 2] },
  { batch: 2, h: 13, w: 13, cin: 4, cout: 1, kh: 3, kw: 3, dilation: [2, 2], padding: 'same' },
  { batch: 2, h: 7, w: 9, cin: 6, cout: 1, kh: 3, kw: 3, padding: { top: 2, bottom: 0, left: 1, right: 3 } },
  { batch: 8, h: 16, w: 16, cin: 96, cout: 1, kh: 3, kw: 3, padding: 'same' }, // a MobileNetV2 block, threaded
];

function suite(k: Kernels, rng: Random): void {
  it('reluBackward: dy where y > 0, NaN and infinities included', () => {
    for (const n of [1, 7, 33, 100_003]) {
      const y = randomF32(n, rng, -1, 1);
      const dy = randomF32(n, rng);
      const special = [0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30];
      special.forEach((v, i) => {
        if (i < n) y[i] = v;
        if (i + special.length < n) dy[i + special.length] = v;
      });
      assertSame(k.reluBackward(dy, y), ts.reluBackward(dy, y), `reluBackward n=${n}`);
    }
  });

  it('batchNormTrain, batchNormBackward and batchNormInference on odd shapes', () => {
    const cases: [number, number, number][] = [
      [1, 1, 0],
      [7, 3, 0],
      [33, 13, 0],
      [2000, 33, 0],
      [128 * 16 * 16, 32, 0], // a ResNet-20 stage-2 activation, threaded
      [300, 5, 100], // mean 100× the spread
    ];
    for (const [rows, C, offset] of cases) {
      const x = randomF32(rows * C, rng, offset - 1, offset + 1);
      const dy = randomF32(rows * C, rng);
      const gamma = randomF32(C, rng, 0.5, 1.5);
      const beta = randomF32(C, rng);
      const tol = offset ? 2e-5 : 1e-5;
      for (const [g, b] of [
        [gamma, beta],
        [null, null],
        [null, beta],
      ] as const) {
        for (const act of ['linear', 'relu', 'relu6'] as const) {
          const what = label({ rows, C, offset, gamma: !!g, beta: !!b, act });
          const nat = k.batchNormTrain(x, g, b, rows, C, 1e-3, act);
          const ref = ts.batchNormTrain(x, g, b, rows, C, 1e-3, act);
          assertClose(nat.mean, ref.mean, 1e-6, `batchNormTrain mean ${what}`);
          assertClose(nat.variance, ref.variance, 1e-6, `batchNormTrain variance ${what}`);
          assertClose(nat.y, ref.y, tol, `batchNormTrain y ${what}`);
          // The relu (relu6) mask comes from the reference output, so both sides mask the same elements.
          const mask = act === 'linear' ? null : ref.y;
          const nb = k.batchNormBackward(dy, x, g, ref.mean, ref.variance, rows, C, 1e-3, act, mask);
          const rb = ts.batchNormBackward(dy, x, g, ref.mean, ref.variance, rows, C, 1e-3, act, mask);
          assertClose(nb.dbeta, rb.dbeta, 1e-6 * Math.sqrt(rows), `batchNormBackward dbeta ${what}`);
          assertClose(nb.dgamma, rb.dgamma, 1e-6 * Math.sqrt(rows) * (offset + 1), `batchNormBackward dgamma ${what}`);
          assertClose(nb.dx, rb.dx, tol, `batchNormBackward dx ${what}`);
        }
      }
      const scale = randomF32(C, rng);
      const shift = randomF32(C, rng);
      for (const act of ['linear', 'relu'] as const)
        assertClose(
          k.batchNormInference(x, scale, shift, rows, C, act),
          ts.batchNormInference(x, scale, shift, rows, C, act),
          1e-6,
          `batchNormInference ${rows}x${C} ${act}`,
        );
    }
  });

  it('batchNorm kernels propagate NaN within its channel only', () => {
    const [rows, C] = [9, 4];
    const x = randomF32(rows * C, rng);
    x[5] = NaN; // channel 1
    const nat = k.batchNormTrain(x, null, null, rows, C, 1e-3, 'linear');
    const ref = ts.batchNormTrain(x, null, null, rows, C, 1e-3, 'linear');
    assertClose(nat.y, ref.y, 1e-5, 'batchNormTrain y with NaN');
    assertClose(nat.mean, ref.mean, 1e-6, 'batchNormTrain mean with NaN');
  });

  it('depthwiseConv2d forward, backprop input and backprop filter', () => {
    for (const c of DEPTHWISE_CASES) {
      const g = { ...convGeometry(c), outChannels: c.cin * c.cout };
      const x = randomF32(g.batch * g.inHeight * g.inWidth * g.inChannels, rng);
      const w = randomF32(g.kernelHeight * g.kernelWidth * g.outChannels, rng);
      const dy = randomF32(g.batch * g.outHeight * g.outWidth * g.outChannels, rng);
      const taps = g.kernelHeight * g.kernelWidth;
      const what = label(c);
      assertClose(
        k.depthwiseConv2d(x, w, null, g, 'linear'),
        ts.depthwiseConv2d(x, w, null, g, 'linear'),
        sumTolerance(taps),
        `depthwiseConv2d ${what}`,
      );
      assertClose(
        k.depthwiseConv2dBackpropInput(dy, w, g),
        ts.depthwiseConv2dBackpropInput(dy, w, g),
        sumTolerance(taps * c.cout),
        `depthwiseConv2dBackpropInput ${what}`,
      );
      assertClose(
        k.depthwiseConv2dBackpropFilter(x, dy, g),
        ts.depthwiseConv2dBackpropFilter(x, dy, g),
        sumTolerance(g.batch * g.outHeight * g.outWidth),
        `depthwiseConv2dBackpropFilter ${what}`,
      );
    }
  });

  it('dropoutMask: the same mask and the same state afterwards, bit for bit', () => {
    for (const n of [1, 3, 7, 13, 33, 4096, 100_003]) {
      for (const rate of [0, 0.25, 0.5, 0.9, 0.999]) {
        const seed = Array.from({ length: 4 }, () => rng.nextUint32() | 0);
        const nativeState = Int32Array.from(seed);
        const tsState = Int32Array.from(seed);
        const nat = new Float32Array(n);
        const ref = new Float32Array(n);
        k.dropoutMask(nat, nativeState, rate, 1 / (1 - rate));
        ts.dropoutMask(ref, tsState, rate, 1 / (1 - rate));
        assertSame(nat, ref, `dropoutMask n=${n} rate=${rate}`);
        assertSame(nativeState, tsState, `dropoutMask state n=${n} rate=${rate}`);
      }
    }
  });

  it('pad and slice: every axis, zero pads, empty boxes', () => {
    const cases: [number[], number[], number[]][] = [
      [[7], [2], [3]],
      [
        [3, 5],
        [0, 0],
        [0, 0],
      ],
      [
        [3, 5],
        [1, 0],
        [0, 2],
      ],
      [
        [2, 3, 4, 5],
        [0, 1, 1, 0],
        [0, 1, 2, 0],
      ], // NHWC spatial padding
      [
        [2, 3, 4, 5],
        [1, 0, 0, 0],
        [0, 0, 0, 0],
      ],
      [
        [2, 3, 4, 5],
        [0, 0, 0, 3],
        [0, 0, 0, 1],
      ],
      [
        [2, 0, 3],
        [1, 1, 1],
        [0, 2, 0],
      ],
      [
        [64, 32, 32, 16],
        [0, 1, 1, 0],
        [0, 1, 1, 0],
      ], // threaded
      [[], [], []],
    ];
    for (const [shape, before, afterPads] of cases) {
      const x = randomInts(size(shape), rng);
      const what = label({ shape, before, after: afterPads });
      const padded = k.pad(x, shape, before, afterPads);
      assertSame(padded, ts.pad(x, shape, before, afterPads), `pad ${what}`);
      const outShape = shape.map((d, i) => d + before[i]! + afterPads[i]!);
      assertSame(k.slice(padded, outShape, before, shape), x, `slice (inverse of pad) ${what}`);
      const begin = outShape.map((d) => (d > 1 ? 1 : 0));
      const box = outShape.map((d, i) => Math.max(0, d - begin[i]! - (d > 2 ? 1 : 0)));
      assertSame(k.slice(padded, outShape, begin, box), ts.slice(padded, outShape, begin, box), `slice ${what}`);
    }
  });

  it('concat: every axis, one part, empty parts', () => {
    const cases: [number[][], number][] = [
      [[[3], [4], [1]], 0],
      [[[2, 3]], 1],
      [
        [
          [2, 3, 4],
          [2, 5, 4],
        ],
        1,
      ],
      [
        [
          [2, 3, 4],
          [2, 3, 1],
          [2, 3, 0],
          [2, 3, 7],
        ],
        2,
      ],
      [
        [
          [1, 4],
          [3, 4],
        ],
        0,
      ],
      [
        [
          [64, 16, 16, 32],
          [64, 16, 16, 16],
        ],
        3,
      ], // threaded
    ];
    for (const [shapes, axis] of cases) {
      const xs = shapes.map((s) => randomF32(size(s), rng));
      assertSame(k.concat(xs, shapes, axis), ts.concat(xs, shapes, axis), `concat ${label({ shapes, axis })}`);
    }
  });
}

describeParity('native backend parity with ts, deeper kernels', 4048, suite);
