/**
 * The fused depthwise → 1×1 convolution kernels (native/src/depthwise/depthwise_pointwise.cc),
 * with and without the 1×1 expansion before, against the TypeScript spec (the reference kernels
 * one after the other), once per instruction set: strides 1 and 2, 'same', 'valid' and asymmetric padding, channel counts with
 * vector tails on both sides (the 1×1 filter packed, or read in place when its output channels
 * are a multiple of 16), images several bands tall (bands of up to 80K floats of depthwise output), both
 * activations and biases present or not, and a depthwise multiplier of 2 (the unfused path);
 * with the expansion, input channel counts around the vector widths, and padding rows and columns
 * that must stay zero after it (its bias and relu6 would make them nonzero).
 * Known values: all-ones images count the in-image taps, times the channels the 1×1 sums. Errors:
 * every length the addon is handed is checked against the geometry.
 *
 * Tolerance: 1e-5·√(terms summed), as the other convolution parity tests.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DepthwiseActivation, EpilogueActivation, Kernels } from '../../src/backends/kernels.js';
import { tsKernels as ts } from '../../src/backends/ts/index.js';
import { getBackend, setBackend } from '../../src/backends/index.js';
import { setLayerFusion } from '../../src/layers/fusion.js';
import type { BatchNormalization } from '../../src/layers/batch-normalization.js';
import { mobilenetV2 } from '../../src/models/zoo.js';
import { Random as Rng, setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { nativeIt, nativeKernels } from '../helpers/native-required.js';
import type { ConvCase } from './parity-util.js';
import { assertClose, convGeometry, describeParity, label, randomF32, sumTolerance } from './parity-util.js';

/** Depthwise cases (`cout` is the multiplier) and the 1×1 convolution's output channels. */
const CASES: (ConvCase & { outC: number })[] = [
  { batch: 2, h: 9, w: 21, cin: 7, cout: 1, kh: 3, kw: 3, padding: 'same', outC: 5 },
  { batch: 2, h: 8, w: 13, cin: 33, cout: 1, kh: 3, kw: 3, padding: 'same', outC: 24 },
  { batch: 3, h: 12, w: 40, cin: 200, cout: 1, kh: 3, kw: 3, padding: 'same', outC: 16 }, // bands of 10 rows, filter in place
  { batch: 2, h: 30, w: 40, cin: 400, cout: 1, kh: 3, kw: 3, stride: [2, 2], padding: 'same', outC: 40 }, // bands of 10 rows, strided
  { batch: 1, h: 11, w: 19, cin: 17, cout: 1, kh: 3, kw: 3, stride: [2, 2], padding: 'valid', outC: 33 },
  { batch: 2, h: 7, w: 19, cin: 10, cout: 1, kh: 3, kw: 3, padding: { top: 2, bottom: 0, left: 1, right: 3 }, outC: 48 },
  { batch: 1, h: 12, w: 25, cin: 20, cout: 1, kh: 5, kw: 5, padding: 'same', outC: 7 },
  { batch: 1, h: 64, w: 64, cin: 40, cout: 1, kh: 3, kw: 3, padding: 'same', outC: 24 }, // one image, bands across threads
  { batch: 2, h: 9, w: 11, cin: 5, cout: 2, kh: 3, kw: 3, padding: 'valid', outC: 6 }, // multiplier 2: the unfused path
];

const dwGeometry = (c: ConvCase) => ({ ...convGeometry(c), outChannels: c.cin * c.cout });

const DEPTH: DepthwiseActivation[] = ['relu6', 'relu', 'linear'];
const POINT: EpilogueActivation[] = ['linear', 'relu6', 'relu'];

function suite(k: Kernels, rng: Rng): void {
  it('equals the depthwise and 1×1 ts kernels run one after the other', () => {
    CASES.forEach((c, i) => {
      const g = dwGeometry(c);
      const E = g.outChannels;
      const x = randomF32(g.batch * g.inHeight * g.inWidth * g.inChannels, rng, -3, 3);
      const df = randomF32(g.kernelHeight * g.kernelWidth * E, rng);
      const db = i % 2 === 0 ? randomF32(E, rng) : null;
      const pf = randomF32(E * c.outC, rng);
      const pb = i % 3 === 0 ? null : randomF32(c.outC, rng);
      const [depthAct, pointAct] = [DEPTH[i % 3]!, POINT[i % 3]!];
      const what = `${label(c)} outC ${c.outC} ${depthAct}/${pointAct}`;
      const tol = sumTolerance(g.kernelHeight * g.kernelWidth * E + 1);
      assertClose(
        k.depthwisePointwiseConv2d(x, df, db, g, depthAct, pf, pb, c.outC, pointAct),
        ts.depthwisePointwiseConv2d(x, df, db, g, depthAct, pf, pb, c.outC, pointAct),
        tol,
        what,
      );
    });
  });

  it('with the 1×1 expansion: equals the three ts kernels run one after the other', () => {
    CASES.forEach((c, i) => {
      const g = dwGeometry(c);
      const E = g.inChannels;
      const inC = [3, 17, 24, 8, 33, 16, 5, 40, 7][i]!;
      const x = randomF32(g.batch * g.inHeight * g.inWidth * inC, rng, -2, 2);
      const ef = randomF32(inC * E, rng);
      const eb = i % 3 === 1 ? null : randomF32(E, rng, 0.5, 2); // positive: the padding must still read zero
      const df = randomF32(g.kernelHeight * g.kernelWidth * g.outChannels, rng);
      const db = i % 2 === 0 ? randomF32(g.outChannels, rng) : null;
      const pf = randomF32(g.outChannels * c.outC, rng);
      const pb = i % 3 === 0 ? null : randomF32(c.outC, rng);
      const [expandAct, depthAct, pointAct] = [POINT[(i + 1) % 3]!, DEPTH[i % 3]!, POINT[i % 3]!];
      const what = `${label(c)} inC ${inC} outC ${c.outC} ${expandAct}/${depthAct}/${pointAct}`;
      const tol = sumTolerance(g.kernelHeight * g.kernelWidth * g.outChannels * (inC + 1));
      assertClose(
        k.expandDepthwisePointwiseConv2d(x, inC, ef, eb, expandAct, df, db, g, depthAct, pf, pb, c.outC, pointAct),
        ts.expandDepthwisePointwiseConv2d(x, inC, ef, eb, expandAct, df, db, g, depthAct, pf, pb, c.outC, pointAct),
        tol,
        what,
      );
    });
  });

  it('known values: ones count the in-image taps times the channels summed; then bias and relu6', () => {
    const g = dwGeometry({ batch: 1, h: 4, w: 10, cin: 17, cout: 1, kh: 3, kw: 3, padding: 'same' });
    const ones = (n: number) => new Float32Array(n).fill(1);
    const y = k.depthwisePointwiseConv2d(ones(4 * 10 * 17), ones(9 * 17), null, g, 'linear', ones(17 * 3), null, 3, 'linear');
    const taps = (i: number, n: number) => (i === 0 || i === n - 1 ? 2 : 3);
    for (let h = 0; h < 4; h++)
      for (let w = 0; w < 10; w++)
        for (let o = 0; o < 3; o++) assert.equal(y[(h * 10 + w) * 3 + o], 17 * taps(h, 4) * taps(w, 10), `y[${h},${w},${o}]`);
    // Depthwise bias −5 and relu6 per channel (corners: 4 − 5 → 0; edges 6 − 5 = 1; inside 9 − 5 → 4),
    // then 17 channels, bias −30, relu6: corners 0, edges 0, inside min(38, 6) = 6.
    const z = k.depthwisePointwiseConv2d(
      ones(4 * 10 * 17),
      ones(9 * 17),
      new Float32Array(17).fill(-5),
      g,
      'relu6',
      ones(17),
      Float32Array.of(-30),
      1,
      'relu6',
    );
    assert.deepEqual([...z.slice(0, 10)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...z.slice(10, 20)], [0, 6, 6, 6, 6, 6, 6, 6, 6, 0]);
  });

  it('known values with the expansion: padding reads zero, not the expansion of zero', () => {
    // x = 0, expansion bias 1 (so every in-image expanded value is 1), depthwise ones, 1×1 ones
    // over 17 channels: output = 17 × the in-image taps, as with x = ones and no expansion bias.
    const g = dwGeometry({ batch: 1, h: 4, w: 10, cin: 17, cout: 1, kh: 3, kw: 3, padding: 'same' });
    const ones = (n: number) => new Float32Array(n).fill(1);
    const y = k.expandDepthwisePointwiseConv2d(
      new Float32Array(4 * 10 * 5),
      5,
      ones(5 * 17),
      ones(17),
      'relu6',
      ones(9 * 17),
      null,
      g,
      'linear',
      ones(17),
      null,
      1,
      'linear',
    );
    const taps = (i: number, n: number) => (i === 0 || i === n - 1 ? 2 : 3);
    for (let h = 0; h < 4; h++) for (let w = 0; w < 10; w++) assert.equal(y[h * 10 + w], 17 * taps(h, 4) * taps(w, 10), `y[${h},${w}]`);
  });
}

describeParity('fused depthwise → 1×1 convolution kernel', 31, suite);

it('expandDepthwisePointwiseConv2d: the addon checks x and the expansion against the geometry', (t) => {
  if (nativeKernels === null) return t.skip('no native addon');
  const k = nativeKernels;
  const g = dwGeometry({ batch: 1, h: 5, w: 5, cin: 6, cout: 1, kh: 3, kw: 3, padding: 'same' });
  const f = (n: number) => new Float32Array(n);
  assert.throws(
    () => k.expandDepthwisePointwiseConv2d(f(75 - 1), 3, f(18), null, 'relu6', f(54), null, g, 'relu6', f(24), null, 4, 'linear'),
    /^Error: expandDepthwisePointwiseConv2d: x has 74 elements, expected 1\*5\*5\*3 = 75$/,
  );
  assert.throws(
    () => k.expandDepthwisePointwiseConv2d(f(75), 3, f(17), null, 'relu6', f(54), null, g, 'relu6', f(24), null, 4, 'linear'),
    /^Error: expandDepthwisePointwiseConv2d: expandFilter has 17 elements, expected 3\*6 = 18$/,
  );
  assert.throws(
    () => k.expandDepthwisePointwiseConv2d(f(75), 3, f(18), f(5), 'relu6', f(54), null, g, 'relu6', f(24), null, 4, 'linear'),
    /^Error: expandDepthwisePointwiseConv2d: expandBias has 5 elements, expected geometry\.inChannels = 6$/,
  );
  assert.throws(
    () => k.expandDepthwisePointwiseConv2d(f(75), 3, f(18), null, 'tanh' as 'relu', f(54), null, g, 'relu6', f(24), null, 4, 'linear'),
    /^Error: expandDepthwisePointwiseConv2d: expandActivation must be 'linear', 'relu' or 'relu6', received 'tanh'$/,
  );
});

it('depthwisePointwiseConv2d: the addon checks every length against the geometry', (t) => {
  if (nativeKernels === null) return t.skip('no native addon');
  const k = nativeKernels;
  const g = dwGeometry({ batch: 1, h: 5, w: 5, cin: 3, cout: 1, kh: 3, kw: 3, padding: 'same' });
  const f = (n: number) => new Float32Array(n);
  assert.throws(
    () => k.depthwisePointwiseConv2d(f(75), f(27), null, g, 'relu6', f(3 * 4 - 1), null, 4, 'linear'),
    /^Error: depthwisePointwiseConv2d: pointFilter has 11 elements, expected 3\*4 = 12$/,
  );
  assert.throws(
    () => k.depthwisePointwiseConv2d(f(75), f(27), null, g, 'relu6', f(12), f(3), 4, 'linear'),
    /^Error: depthwisePointwiseConv2d: pointBias has 3 elements, expected outChannels = 4$/,
  );
  assert.throws(
    () => k.depthwisePointwiseConv2d(f(74), f(27), null, g, 'relu6', f(12), null, 4, 'linear'),
    /^Error: depthwisePointwiseConv2d: x has 74 elements, expected 1\*5\*5\*3 = 75$/,
  );
  assert.throws(
    () => k.depthwisePointwiseConv2d(f(75), f(27), f(2), g, 'relu6', f(12), null, 4, 'linear'),
    /^Error: depthwisePointwiseConv2d: depthBias has 2 elements, expected geometry\.outChannels = 3$/,
  );
  assert.throws(
    () => k.depthwisePointwiseConv2d(f(75), f(27), null, g, 'gelu' as DepthwiseActivation, f(12), null, 4, 'linear'),
    /^Error: depthwisePointwiseConv2d: depthActivation must be 'linear', 'relu' or 'relu6', received 'gelu'$/,
  );
});

nativeIt('MobileNetV2 on the native backend: predictions with the fused blocks equal the layers run apart', () => {
  const before = getBackend().name;
  setBackend('native');
  setSeed(8);
  const rng = new Rng(8);
  const model = mobilenetV2({ inputShape: [32, 32, 3], classes: 10 });
  // Batch norms away from identity, so a wrong fold or a misplaced band shows.
  for (const layer of model.layers) {
    if (layer.className !== 'BatchNormalization') continue;
    const norm = layer as BatchNormalization;
    const C = norm.movingMean!.size;
    const u = (lo: number, hi: number) =>
      new Tensor(
        Float32Array.from({ length: C }, () => lo + (hi - lo) * rng.uniform()),
        [C],
      );
    norm.gamma?.assign(u(0.5, 1.5));
    norm.beta?.assign(u(-1, 3));
    norm.movingMean!.assign(u(-0.5, 0.5));
    norm.movingVariance!.assign(u(0.05, 0.5));
  }
  // Large inputs, shifts and small variances, so the relu6 caps inside the blocks are reached.
  const x = new Tensor(
    Float32Array.from({ length: 5 * 32 * 32 * 3 }, () => 40 * rng.uniform() - 20),
    [5, 32, 32, 3],
  );
  try {
    setLayerFusion(false);
    const apart = model.predict(x).values();
    setLayerFusion(true);
    const fused = model.predict(x).values();
    let worst = 0;
    for (let i = 0; i < apart.length; i++) worst = Math.max(worst, Math.abs(fused[i]! - apart[i]!));
    const scale = Math.max(1, ...apart.map(Math.abs));
    assert.ok(worst < 1e-5 * scale, `max difference ${worst} (outputs up to ${scale})`);
  } finally {
    setLayerFusion(true);
    setBackend(before);
  }
});
