/**
 * The training loop on small, learnable problems: loss goes down, the validation split takes
 * the last samples, history and callbacks see Keras's hooks, the progress bar's format, the
 * CSV log, reproducibility from a seed, and NaN losses stopping training.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { Layer, layers, type CallContext, type Shape } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Callback, type Logs } from '../../src/training/callbacks.js';
import { CSVLogger } from '../../src/training/csv-logger.js';
import { stepsPerEpoch, trainingSamples, TrainingError } from '../../src/training/fit.js';
import { formatValue } from '../../src/training/progbar.js';

setBackend('ts');

/** Two Gaussian blobs in 2-D, one-hot labels: linearly separable. */
function blobs(n: number, seed = 1): { x: Tensor; y: Tensor; labels: Tensor } {
  const rng = new Random(seed);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    x[2 * i] = (c ? 1.5 : -1.5) + rng.normal() * 0.5;
    x[2 * i + 1] = (c ? -1 : 1) + rng.normal() * 0.5;
    y[2 * i + c] = 1;
    labels[i] = c;
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n, 2]), labels: new Tensor(labels, [n]) };
}

function classifier() {
  return sequential([layers.dense({ units: 8, activation: 'relu', inputShape: [2] }), layers.dense({ units: 2, activation: 'softmax' })]);
}

describe('fit', () => {
  it('learns a separable problem with each optimizer and reports Keras-named logs', async () => {
    for (const optimizer of ['adam', 'sgd', 'rmsprop']) {
      setSeed(1);
      const { x, y } = blobs(200);
      const model = classifier();
      model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const h = await model.fit(x, y, { epochs: optimizer === 'sgd' ? 30 : 10, batchSize: 20, verbose: 0, validationSplit: 0.25 });
      assert.deepEqual(Object.keys(h.history).sort(), ['accuracy', 'loss', 'val_accuracy', 'val_loss']);
      const loss = h.history['loss']!;
      assert.ok(loss[loss.length - 1]! < loss[0]!, `${optimizer}: loss went down`);
      assert.ok(h.history['val_accuracy']!.at(-1)! >= 0.95, `${optimizer}: val accuracy ${h.history['val_accuracy']!.at(-1)}`);
      const [evalLoss, evalAcc] = await model.evaluate(x, y);
      assert.ok(evalLoss! < 0.3 && evalAcc! >= 0.95);
    }
  });

  it('sparse labels with sparseCategoricalCrossentropy and sparse accuracy', async () => {
    setSeed(2);
    const { x, labels } = blobs(100);
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const h = await model.fit(x, labels, { epochs: 15, batchSize: 10, verbose: 0 });
    assert.ok(h.history['accuracy']!.at(-1)! > 0.9);
  });

  it('validationSplit holds out the last samples, before shuffling (as Keras)', async () => {
    setSeed(3);
    const seen: number[] = [];
    /** Passes its input through, noting the first feature of every training sample. */
    class Recorder extends Layer {
      readonly className = 'Recorder';
      constructor() {
        super({ inputShape: [2] }, 'recorder');
      }
      call(x: Tensor, ctx: CallContext): Tensor {
        if (ctx.training) for (let i = 0; i < x.shape[0]!; i++) seen.push(x.data[2 * i]!);
        return x;
      }
      computeOutputShape(s: Shape): Shape {
        return s;
      }
    }
    const { x, y } = blobs(10);
    for (let i = 0; i < 10; i++) x.data[2 * i] = i;
    const model = sequential([new Recorder(), layers.dense({ units: 2, activation: 'softmax' })]);
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { epochs: 1, batchSize: 4, validationSplit: 0.2, verbose: 0 });
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
  });

  it('calls the hooks in Keras order and lets a callback stop training', async () => {
    const events: string[] = [];
    class Recorder extends Callback {
      override onTrainBegin() {
        events.push('trainBegin');
      }
      override onEpochBegin(e: number) {
        events.push(`epochBegin ${e}`);
      }
      override onTrainBatchEnd(b: number) {
        events.push(`batchEnd ${b}`);
      }
      override onEpochEnd(e: number, logs: Logs) {
        events.push(`epochEnd ${e} ${Object.keys(logs).join(',')}`);
        if (e === 1) this.model!.stopTraining = true;
      }
      override onTrainEnd() {
        events.push('trainEnd');
      }
    }
    const { x, y } = blobs(8);
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const h = await model.fit(x, y, { epochs: 5, batchSize: 4, verbose: 0, callbacks: [new Recorder()] });
    assert.deepEqual(events, [
      'trainBegin',
      'epochBegin 0',
      'batchEnd 0',
      'batchEnd 1',
      'epochEnd 0 loss,accuracy',
      'epochBegin 1',
      'batchEnd 0',
      'batchEnd 1',
      'epochEnd 1 loss,accuracy',
      'trainEnd',
    ]);
    assert.deepEqual(h.epoch, [0, 1]);
  });

  it('prints one Keras-style line per epoch when not on a terminal', async () => {
    const out: string[] = [];
    const stream = { write: (s: string) => out.push(s), isTTY: false };
    const { x, y } = blobs(40);
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(x, y, { epochs: 2, batchSize: 10, verbose: 1, validationSplit: 0.5, progressStream: stream });
    const text = out.join('');
    assert.match(
      text,
      /^Epoch 1\/2\n2\/2 \[==============================\] - \d+s \d+(ms|us|s)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}\nEpoch 2\/2\n/,
    );
    assert.equal(text.split('\n').filter(Boolean).length, 4);
  });

  it('trainingSamples and stepsPerEpoch follow the validation split fit makes', () => {
    assert.equal(trainingSamples(60000, 0.2), 48000);
    assert.equal(trainingSamples(7, 0.5), 3);
    assert.equal(stepsPerEpoch(60000, 0.2, 200), 240);
    assert.equal(stepsPerEpoch(7, 0.5, 2), 2);
    assert.equal(stepsPerEpoch(10, 0, 3), 4);
  });

  it("formats values as Keras does: 4 decimals, or Python's scientific notation when tiny", () => {
    assert.equal(formatValue(0.123456), '0.1235');
    assert.equal(formatValue(12.5), '12.5000');
    assert.equal(formatValue(0), '0.0000');
    assert.equal(formatValue(0.001), '1.0000e-03');
    assert.equal(formatValue(-2.5e-7), '-2.5000e-07');
    assert.equal(formatValue(1e-120), '1.0000e-120');
  });

  it('redraws the bar live on a terminal', async () => {
    const out: string[] = [];
    const stream = { write: (s: string) => out.push(s), isTTY: true };
    const { x, y } = blobs(40);
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { epochs: 1, batchSize: 10, verbose: 1, progressStream: stream });
    assert.ok(
      out.some((s) => /^\r\d\/4 \[.*\] - ETA: /.test(s)),
      'live updates start with a carriage return',
    );
  });

  it('CSVLogger writes one row per epoch with the seconds column', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'convkit-')), 'log.csv');
    const { x, y } = blobs(20);
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(x, y, { epochs: 3, batchSize: 10, verbose: 0, validationSplit: 0.5, callbacks: [new CSVLogger(file)] });
    const rows = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(rows[0], 'epoch,loss,accuracy,val_loss,val_accuracy,seconds');
    assert.equal(rows.length, 4);
    assert.match(rows[3]!, /^2,[\d.e-]+,[\d.]+,[\d.e-]+,[\d.]+,\d+\.\d{3}$/);
  });

  it('same seed, same numbers', async () => {
    const run = async () => {
      setSeed(42);
      const { x, y } = blobs(30);
      const model = classifier();
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      return (await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 })).history['loss'];
    };
    assert.deepEqual(await run(), await run());
  });

  it('stops with a clear error when the loss becomes NaN', async () => {
    const { x, y } = blobs(20);
    x.data[5] = NaN;
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await assert.rejects(model.fit(x, y, { epochs: 2, batchSize: 20, shuffle: false, verbose: 0 }), (err: unknown) => {
      assert.ok(err instanceof TrainingError);
      assert.match(err.message, /the loss became NaN at batch 0 \(step 1\/1\) of epoch 1\/2; training stopped/);
      return true;
    });
  });
});
