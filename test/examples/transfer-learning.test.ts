/**
 * A smoke test of examples/transfer-learning.ts on a tiny slice (seconds): the pretrained base
 * rebuilt from nsfwjs's weights, the split into a frozen bottom and a trainable top, and the
 * whole workflow (both arms, both clocks, test accuracy) on 20 CIFAR-10 images at 32×32.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Tensor, zoo } from '../../src/index.js';
import { loadNsfwjsMobileNetV2 } from '../../examples/nsfwjs-model.js';
import { joinRows, pretrainedBase, rows, splitAt, withBatchNormMomentum } from '../../examples/transfer-parts.js';
import { transferLearning } from '../../examples/transfer-learning.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-transfer-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const root = resolve(fileURLToPath(import.meta.url), '../../../..');
const cifar = process.env['CONVKIT_CIFAR10_DIR'] || resolve(root, '../shared/datasets/cifar10-jpeg');

const image = (n: number, size: number) =>
  new Tensor(
    Float32Array.from({ length: n * size * size * 3 }, (_, i) => 0.5 + 0.5 * Math.sin(i * 0.07)),
    [n, size, size, 3],
  );

describe('examples/transfer-learning', () => {
  it('the pretrained base at 48×48 holds nsfwjs’s trunk weights; bottom then top computes the base', async () => {
    const base = await pretrainedBase(48, join(dir, 'no_top.h5'));
    const pretrained = await loadNsfwjsMobileNetV2();
    for (const name of ['Conv1', 'bn_Conv1', 'block_5_depthwise', 'block_16_project_BN', 'Conv_1'])
      pretrained.getLayer(name).weights.forEach((w, i) => assert.deepEqual(base.getLayer(name).weights[i]!.values(), w.values(), w.name));
    assert.deepEqual(base.outputShape, [null, 2, 2, 1280]);

    const { bottom, top } = splitAt(base, 'block_10_project_BN');
    assert.deepEqual(bottom.outputShape, [null, 3, 3, 96]);
    assert.ok(
      top.layers.some((l) => l.name === 'block_11_add'),
      'the residual add right above the cut is in the top',
    );
    assert.ok(!top.layers.some((l) => l.name === 'block_10_project'), 'nothing below the cut is in the top');
    const x = image(2, 48);
    const direct = base.predict(x).values();
    const split = top.predict(bottom.predict(x)).values();
    let d = 0;
    for (let i = 0; i < direct.length; i++) d = Math.max(d, Math.abs(direct[i]! - split[i]!));
    assert.ok(d < 1e-5, `split and whole differ by ${d}`);
    // The top shares the base's layers: training one trains the other.
    assert.equal(top.getLayer('Conv_1'), base.getLayer('Conv_1'));
    assert.throws(() => splitAt(base, 'block_11_expand'), /does not follow from layer "block_11_expand" alone/);
  });

  it('withBatchNormMomentum rebuilds the same architecture with another batch-norm momentum', () => {
    const original = zoo.mobilenetV2({ alpha: 0.35, includeTop: false, inputShape: [32, 32, 3] });
    const rebuilt = withBatchNormMomentum(original, 0.9);
    assert.deepEqual(
      rebuilt.layers.map((l) => l.name),
      original.layers.map((l) => l.name),
    );
    assert.equal(rebuilt.countParams(), original.countParams());
    const momenta = (m: typeof original) =>
      m.layers.filter((l) => l.className === 'BatchNormalization').map((l) => (l as unknown as { momentum: number }).momentum);
    assert.ok(momenta(original).every((v) => v === 0.999));
    assert.ok(momenta(rebuilt).length > 0 && momenta(rebuilt).every((v) => v === 0.9));
  });

  it('rows and joinRows pick and join rows in order', () => {
    const t = new Tensor(Float32Array.from([0, 1, 2, 3, 4, 5]), [3, 2]);
    assert.deepEqual([...rows(t, [2, 0, 1], 0, 2).values()], [4, 5, 0, 1]);
    assert.deepEqual([...joinRows([rows(t, [1], 0, 1), rows(t, [0], 0, 1)]).values()], [2, 3, 0, 1]);
  });

  it('runs both arms on 20 images; replaying the scratch arm by unit count gives the same accuracy', async (t) => {
    if (!existsSync(join(cifar, 'test_batch.bin'))) return t.skip(`${cifar} absent: set CONVKIT_CIFAR10_DIR`);
    process.env['CONVKIT_CIFAR10_DIR'] = cifar;
    const tiny = { trainCount: 20, testCount: 20, size: 32, headEpochs: 2, fineTuneEpochs: 1, batchSize: 10, unit: 10, log: () => {} };
    const timed = await transferLearning(tiny);
    for (const a of [timed.headAccuracy, timed.transferAccuracy, timed.scratchAccuracy]) assert.ok(a >= 0 && a <= 1, `accuracy ${a}`);
    assert.ok(timed.scratchSeconds >= timed.transferSeconds, 'the scratch arm trains at least as long as the transfer arm');
    assert.ok(timed.scratchUnits >= 1);
    assert.deepEqual(timed.transferred.outputShape, [null, 10]);
    const p = timed.transferred.predict(image(1, 32)).values();
    assert.ok(Math.abs([...p].reduce((a, b) => a + b, 0) - 1) < 1e-5);
    const replay = await transferLearning({ ...tiny, scratchUnits: timed.scratchUnits });
    assert.equal(replay.scratchAccuracy, timed.scratchAccuracy);
    assert.equal(replay.transferAccuracy, timed.transferAccuracy);
  });
});
