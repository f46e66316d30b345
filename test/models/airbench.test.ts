/**
 * zoo.airbench (src/models/airbench.ts): after `initWhitening`, its frozen 2×2 stem maps the
 * patches of the images it was fitted on to uncorrelated unit-variance channels (the patch
 * covariance's eigen-decomposition, as airbench's init_whitening_conv), the second half of the
 * filters is the first half negated, and the stem is not among the trainable weights; the 3×3 convs start
 * with identity filters (airbench's dirac init); wrong stems and images are refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { airbench, initWhitening } from '../../src/models/airbench.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** n images [32, 32, 3] of spatially and across-channel correlated noise (so whitening has work to do). */
function correlatedImages(n: number, rng: Random): Tensor {
  const data = new Float32Array(n * 32 * 32 * 3);
  const base = Float32Array.from({ length: n * 33 * 33 }, () => rng.normal());
  for (let i = 0; i < n; i++)
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) {
        const b = (dy: number, dx: number) => base[(i * 33 + y + dy) * 33 + x + dx]!;
        const smooth = b(0, 0) + b(0, 1) + b(1, 0) + b(1, 1);
        for (let c = 0; c < 3; c++) data[((i * 32 + y) * 32 + x) * 3 + c] = (c + 1) * (0.5 * smooth + 0.5 * rng.normal()) + c;
      }
  return new Tensor(data, [n, 32, 32, 3]);
}

describe('zoo.airbench: the whitened stem', () => {
  it('turns the 2×2 patches into uncorrelated channels of variance λ/(λ + eps) ≈ 1', () => {
    const images = correlatedImages(60, new Random(3));
    const model = airbench();
    initWhitening(model, images);
    const stem = model.layers[0]!;
    assert.equal(stem.trainable, false);
    const out = stem.apply(images).values(); // [60, 31, 31, 24]
    const positions = out.length / 24;
    // Second moments (not centred: whiten uses the raw second moment, as airbench does).
    const m = new Float64Array(12 * 12);
    for (let p = 0; p < positions; p++)
      for (let a = 0; a < 12; a++) for (let b = 0; b < 12; b++) m[a * 12 + b] += out[p * 24 + a]! * out[p * 24 + b]!;
    for (let a = 0; a < 12; a++)
      for (let b = 0; b < 12; b++) {
        const v = m[a * 12 + b]! / positions;
        if (a === b) assert.ok(Math.abs(v - 1) < 0.02, `channel ${a}: variance ${v}, expected ≈ 1`);
        else assert.ok(Math.abs(v) < 2e-3, `channels ${a}, ${b}: covariance ${v}, expected ≈ 0`);
      }
    for (let p = 0; p < positions; p += 97)
      for (let a = 0; a < 12; a++)
        assert.ok(Math.abs(out[p * 24 + a]! + out[p * 24 + 12 + a]!) < 1e-4, 'filter 12 + a is filter a negated');
  });

  it('keeps the stem out of the trainable weights and the net maps 32×32 images to 10 probabilities', () => {
    const model = airbench();
    const stemKernel = model.layers[0]!.weights[0]!;
    assert.ok(!model.trainableWeights.includes(stemKernel));
    const p = model.apply(correlatedImages(2, new Random(1))).values();
    assert.equal(p.length, 20);
    for (let i = 0; i < 2; i++) {
      const sum = [...p.slice(i * 10, i * 10 + 10)].reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `row ${i} sums to ${sum}`);
    }
  });

  it('starts each 3×3 conv with identity filters for its first inputs (dirac), the rest random', () => {
    const model = airbench({ widths: [32, 48, 48] });
    const convs = model.layers.filter((l) => l.className === 'Conv2D').slice(1);
    assert.equal(convs.length, 6);
    for (const conv of convs) {
      const k = conv.getWeights()[0]!;
      const [, , inC, outC] = k.shape as number[];
      const v = k.values();
      const at = (y: number, x: number, i: number, o: number) => v[((y * 3 + x) * inC! + i) * outC! + o]!;
      for (let o = 0; o < Math.min(inC!, outC!); o++)
        for (let i = 0; i < inC!; i++)
          for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) assert.equal(at(y, x, i, o), y === 1 && x === 1 && i === o ? 1 : 0);
      if (outC! > inC!)
        assert.ok(
          [...Array(inC).keys()].some((i) => at(0, 0, i, inC!) !== 0),
          `${conv.name}: filters past the identity stay random`,
        );
    }
  });

  it('has the parameter count of its widths and refuses too-small images, wrong stems and images', () => {
    // stem 2·2·3·24 + per group (3·3·in·w + 2·w BN beta/moving, 3·3·w·w + 3·w) ... counted by Keras's summary rule
    const model = airbench({ inputShape: [32, 32, 3], classes: 10, widths: [64, 128, 128] });
    const count = model.weights.reduce((n, w) => n + w.size, 0);
    const groups = [
      [24, 64],
      [64, 128],
      [128, 128],
    ].reduce((n, [i, w]) => n + 9 * i! * w! + 9 * w! * w! + 2 * 3 * w!, 0);
    assert.equal(count, 2 * 2 * 3 * 24 + groups + 128 * 10);
    assert.throws(() => airbench({ inputShape: [16, 16, 3] }), /airbench: expected images of at least 24×24 .* received 16×16×3/);
    assert.throws(
      () => initWhitening(airbench(), new Tensor(new Float32Array(2 * 8 * 8), [2, 8, 8, 1])),
      /expected the model's first layer to be a 2×2 conv without bias of kernel shape \[2,2,1,8\]/,
    );
  });
});
