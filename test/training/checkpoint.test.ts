/**
 * ModelCheckpoint and BackupAndRestore on a tiny model with dropout and shuffling. ModelCheckpoint
 * follows keras/src/callbacks/model_checkpoint.py (Keras 3): the file name is
 * `filepath.format(epoch=epoch + 1, **logs)`, with `batch=batch + 1` when saving every N batches
 * (_get_file_path); _should_save_on_batch counts batches across epochs; save_best_only compares
 * with the best so far (auto mode: 'acc' in the name → max, else min). BackupAndRestore follows
 * keras/src/callbacks/backup_and_restore.py (restore in on_train_begin, save on epoch end or every
 * save_freq batches, delete_checkpoint on train end) and goes further: the exact batch resumes.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { loadModel } from '../../src/io/index.js';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import { optimizers } from '../../src/optimizers/index.js';
import { setSeed } from '../../src/tensor/random.js';
import { BackupAndRestore } from '../../src/training/backup-and-restore.js';
import { Callback, type Logs } from '../../src/training/callbacks.js';
import { ModelCheckpoint } from '../../src/training/model-checkpoint.js';
import { blobs } from '../helpers/blobs.js';

setBackend('ts');
const dir = mkdtempSync(join(tmpdir(), 'convkit-ckpt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function makeModel(units = 6) {
  setSeed(11);
  const model = sequential([
    layers.dense({ units, activation: 'relu', inputShape: [2] }),
    layers.dropout({ rate: 0.3 }),
    layers.dense({ units: 2, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Sets logs[key] to values[epoch]. */
class Scripted extends Callback {
  constructor(private readonly values: number[]) {
    super();
  }
  override onEpochEnd(epoch: number, logs: Logs): void {
    logs['val_loss'] = this.values[epoch]!;
  }
}

/** Throws at (epoch, batch) after that batch's callbacks before it ran: a process dying there. */
class Crash extends Callback {
  constructor(
    private readonly epoch: number,
    private readonly batch: number,
  ) {
    super();
  }
  private current = 0;
  override onEpochBegin(epoch: number): void {
    this.current = epoch;
  }
  override onTrainBatchEnd(batch: number): void {
    if (this.current === this.epoch && batch === this.batch) throw new Error('simulated crash');
  }
}

const { x, y } = blobs(40);
const weightsOf = (m: { weights: { data: ArrayLike<number> }[] }) => m.weights.map((w) => Array.from(w.data));

describe('ModelCheckpoint', () => {
  it('saves every epoch to the filled-in template, loadable as a model', async () => {
    const model = makeModel();
    const filepath = join(dir, 'ep-{epoch:02d}-{loss:.3f}.keras');
    const history = await model.fit(x, y, { epochs: 3, batchSize: 10, verbose: 0, callbacks: [new ModelCheckpoint({ filepath })] });
    const names = readdirSync(dir)
      .filter((n) => n.startsWith('ep-'))
      .sort();
    assert.deepEqual(
      names,
      history.history['loss']!.map((l, i) => `ep-0${i + 1}-${l.toFixed(3)}.keras`),
    );
    const last = await loadModel(join(dir, names[2]!));
    assert.deepEqual(weightsOf(last), weightsOf(model));
  });

  it('saveBestOnly keeps the best epoch by the monitored value (min for val_loss)', async () => {
    const model = makeModel();
    const filepath = join(dir, 'best-{epoch}.weights.h5');
    const ckpt = new ModelCheckpoint({ filepath, saveBestOnly: true, saveWeightsOnly: true });
    await model.fit(x, y, { epochs: 5, batchSize: 10, verbose: 0, callbacks: [new Scripted([0.5, 0.4, 0.45, 0.3, 0.3]), ckpt] });
    const saved = readdirSync(dir)
      .filter((n) => n.startsWith('best-'))
      .sort();
    assert.deepEqual(saved, ['best-1.weights.h5', 'best-2.weights.h5', 'best-4.weights.h5']);
    assert.equal(ckpt.best, 0.3);
    const again = makeModel();
    await again.loadWeights(join(dir, 'best-4.weights.h5'));
  });

  it("initialValueThreshold and mode 'max' decide the first save", async () => {
    const model = makeModel();
    const ckpt = new ModelCheckpoint({
      filepath: join(dir, 'thr-{epoch}.keras'),
      saveBestOnly: true,
      mode: 'max',
      initialValueThreshold: 0.42,
    });
    await model.fit(x, y, { epochs: 3, batchSize: 10, verbose: 0, callbacks: [new Scripted([0.4, 0.41, 0.43]), ckpt] });
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith('thr-')),
      ['thr-3.keras'],
    );
  });

  it('saveFreq counts batches across epochs and fills {batch} (1-based)', async () => {
    const model = makeModel();
    // 4 batches an epoch, every 3 batches: after batches 3 (epoch 1), 6 (epoch 2, batch 2), 9 (epoch 3, batch 1), 12.
    const ckpt = new ModelCheckpoint({ filepath: join(dir, 'b-{epoch}-{batch}.weights.h5'), saveWeightsOnly: true, saveFreq: 3 });
    await model.fit(x, y, { epochs: 3, batchSize: 10, verbose: 0, callbacks: [ckpt] });
    const saved = readdirSync(dir)
      .filter((n) => n.startsWith('b-'))
      .sort();
    assert.deepEqual(saved, ['b-1-3.weights.h5', 'b-2-2.weights.h5', 'b-3-1.weights.h5', 'b-3-4.weights.h5']);
  });

  it('refuses bad arguments with what was expected', () => {
    assert.throws(() => new ModelCheckpoint({ filepath: 'm.txt' }), /must end in \.keras/);
    assert.throws(() => new ModelCheckpoint({ filepath: 'm.weights.h5' }), /pass saveWeightsOnly: true/);
    assert.throws(() => new ModelCheckpoint({ filepath: 'm.keras', saveWeightsOnly: true }), /must end in \.weights\.h5/);
    assert.throws(() => new ModelCheckpoint({ filepath: 'm.keras', saveFreq: 0 }), /saveFreq 'epoch' or a positive integer/);
    assert.throws(() => new ModelCheckpoint({ filepath: 'm.keras', save_best_only: true } as never), /save_best_only/);
  });

  it('names the template when a field is missing from the logs', async () => {
    const model = makeModel();
    const ckpt = new ModelCheckpoint({ filepath: join(dir, 'v-{val_accuracy:.2f}.keras') });
    await assert.rejects(
      model.fit(x, y, { epochs: 1, batchSize: 10, verbose: 0, callbacks: [ckpt] }),
      /failed to format the filepath .*no value for \{val_accuracy\}/,
    );
  });
});

describe('BackupAndRestore', () => {
  const run = async (backupDir: string, callbacks: Callback[], saveFreq: 'epoch' | number = 'epoch', units = 6) => {
    const model = makeModel(units);
    const backup = new BackupAndRestore({ backupDir, saveFreq });
    await model.fit(x, y, { epochs: 3, batchSize: 10, verbose: 0, callbacks: [backup, ...callbacks] });
    return { model, backup };
  };
  const reference = async () => weightsOf((await run(join(dir, 'ref'), [])).model);

  for (const [label, epoch, batch, saveFreq] of [
    ['mid-epoch (every 3 batches, crash at epoch 2 batch 1)', 1, 1, 3],
    ['at an epoch boundary (per epoch, crash at epoch 3 batch 2)', 2, 2, 'epoch'],
  ] as const) {
    it(`a crashed run resumes to bit-identical weights: ${label}`, async () => {
      const expected = await reference();
      const backupDir = join(dir, `crash-${epoch}-${batch}`);
      await assert.rejects(run(backupDir, [new Crash(epoch, batch)], saveFreq), /simulated crash/);
      assert.ok(existsSync(join(backupDir, 'state.json')));
      const { model, backup } = await run(backupDir, [], saveFreq);
      assert.ok(backup.restoredFrom, 'the second run resumed');
      assert.ok(backup.restoredFrom.epoch > 0 || backup.restoredFrom.step > 0);
      assert.deepEqual(weightsOf(model), expected);
      assert.equal(existsSync(backupDir), false, 'deleteCheckpoint removes the backup once training ends');
    });
  }

  it('a backup of another model, a foreign or newer state.json: one clear error naming the folder', async () => {
    const backupDir = join(dir, 'other');
    await assert.rejects(run(backupDir, [new Crash(1, 0)]), /simulated crash/);
    await assert.rejects(run(backupDir, [], 'epoch', 7), /backup folder '.*other': the backup is of a different model/);
    const state = JSON.parse(readFileSync(join(backupDir, 'state.json'), 'utf8'));
    writeFileSync(join(backupDir, 'state.json'), JSON.stringify({ ...state, version: 99 }));
    await assert.rejects(
      run(backupDir, []),
      /written by an incompatible Convkit \(backup format version 99; this Convkit reads version 1\)/,
    );
    writeFileSync(join(backupDir, 'state.json'), '{"hello": 1}');
    await assert.rejects(run(backupDir, []), /state.json is not a Convkit backup/);
  });
});
