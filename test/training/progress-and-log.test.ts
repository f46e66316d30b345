/**
 * What fit prints and writes: one batch numbering (Keras's: TerminateOnNaN's "Batch 6" is the
 * 7th step, the bar then shows 7/16, the NaN error names batch 6 too); the live bar fits the
 * terminal's width (every redraw shorter than its columns); CSVLogger never leaves an empty or
 * truncated file in place of an earlier log, and checks its path before training.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Callback } from '../../src/training/callbacks.js';
import { CSVLogger } from '../../src/training/csv-logger.js';
import { TrainingError } from '../../src/training/fit.js';
import { fitLine } from '../../src/training/progbar.js';
import { TerminateOnNaN } from '../../src/training/terminate-on-nan.js';

setBackend('ts');

function data(n: number, nanAt = -1) {
  const rng = new Random(2);
  const x = new Tensor(
    Float32Array.from({ length: n * 2 }, () => rng.normal()),
    [n, 2],
  );
  if (nanAt >= 0) x.data[nanAt * 2] = NaN;
  const y = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) y[i * 2 + (x.data[i * 2]! > 0 ? 1 : 0)] = 1;
  return { x, y: new Tensor(y, [n, 2]) };
}

function classifier() {
  setSeed(1);
  const m = sequential([
    layers.dense({ units: 4, activation: 'relu', inputShape: [2] }),
    layers.dense({ units: 2, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** The escape sequence that clears the rest of a terminal line. */
const CLEAR_LINE = '\x1b[K';

/** A stream that records what is written, as a terminal of `columns` or as a pipe. */
function stream(columns?: number) {
  const writes: string[] = [];
  return { writes, write: (t: string) => writes.push(t), isTTY: columns !== undefined, columns };
}

describe('one batch numbering (Keras: batches from 0 in callbacks, steps from 1 in the bar)', () => {
  it('TerminateOnNaN prints "Batch 6", the bar ends at 7/16, and without it the error names batch 6', async () => {
    const { x, y } = data(64, 25); // sample 25 is in batch 6 (samples 24..27) at batchSize 4
    const printed: string[] = [];
    const log = console.log;
    console.log = (line: string) => void printed.push(line);
    const out = stream();
    try {
      await classifier().fit(x, y, {
        epochs: 1,
        batchSize: 4,
        shuffle: false,
        verbose: 1,
        progressStream: out,
        callbacks: [new TerminateOnNaN()],
      });
    } finally {
      console.log = log;
    }
    assert.deepEqual(printed, ['Batch 6: Invalid loss, terminating training']);
    const last = out.writes.at(-1)!;
    assert.match(last, /^7\/16 \[=+>?\.+\] - /, last);
    await assert.rejects(
      classifier().fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 }),
      (err: unknown) => err instanceof TrainingError && /the loss became NaN at batch 6 \(step 7\/16\) of epoch 1\/1/.test(err.message),
    );
  });
});

describe('the live progress bar', () => {
  it('fits an 80-column terminal: every redraw is at most 79 characters, redrawn in place', async () => {
    const { x, y } = data(240);
    const out = stream(80);
    await classifier().fit(x, y, { epochs: 1, batchSize: 1, verbose: 1, progressStream: out });
    const live = out.writes.filter((w) => w.startsWith('\r') && !w.endsWith('\n'));
    assert.ok(live.length > 0, 'redrew live');
    for (const w of live) {
      const text = w.replace(/^\r/, '').replace(CLEAR_LINE, '');
      assert.ok(text.length <= 79, `${text.length}: ${text}`);
      assert.ok(!text.includes('\n'));
    }
    const last = out.writes.at(-1)!;
    assert.ok(last.endsWith(`${CLEAR_LINE}\n`));
    assert.match(
      last.slice(0, -CLEAR_LINE.length - 1),
      /^\r240\/240 \[=+\] - \d+s \d+[mu]?s\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}$/,
    );
  });

  it('shortens the bar, then drops it, then cuts the line as the terminal narrows', () => {
    const tail = ' - ETA: 9s - loss: 0.1234 - accuracy: 0.9876';
    assert.equal(fitLine('12/240', 12, 240, tail).length, 6 + 33 + tail.length); // no width known: Keras's 30
    const at60 = fitLine('12/240', 12, 240, tail, 60);
    assert.equal(at60.length, 59);
    assert.match(at60, /^12\/240 \[=*>?\.+\] - ETA/);
    assert.equal(fitLine('12/240', 12, 240, tail, 52), `12/240${tail}`); // no room for a 5-wide bar
    assert.equal(fitLine('12/240', 12, 240, tail, 30), `12/240${tail}`.slice(0, 29));
  });
});

describe('CSVLogger', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convkit-csv-'));

  it('an interrupted first epoch leaves the earlier log as it was', async () => {
    const file = join(dir, 'run.csv');
    writeFileSync(file, 'epoch,loss,seconds\n0,0.5,1.000\n');
    class Interrupt extends Callback {
      override onTrainBatchEnd(batch: number): void {
        if (batch === 2) throw new Error('interrupted');
      }
    }
    const { x, y } = data(32);
    await assert.rejects(
      classifier().fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [new CSVLogger(file), new Interrupt()] }),
      /interrupted/,
    );
    assert.equal(readFileSync(file, 'utf8'), 'epoch,loss,seconds\n0,0.5,1.000\n');
    await classifier().fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [new CSVLogger(file)] });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'epoch,loss,accuracy,seconds');
    assert.equal(lines.length, 3);
    assert.ok(!existsSync(`${file}.${process.pid}.tmp`), 'no temporary file left behind');
  });

  it('appends rows without a second header to a non-empty log (as Keras)', async () => {
    const file = join(dir, 'append.csv');
    const { x, y } = data(8);
    await classifier().fit(x, y, { epochs: 1, verbose: 0, callbacks: [new CSVLogger(file)] });
    await classifier().fit(x, y, { epochs: 1, verbose: 0, callbacks: [new CSVLogger(file, { append: true })] });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.filter((l) => l.startsWith('epoch')).length, 1);
    assert.equal(lines.length, 3);
  });

  it('refuses a path it cannot write before training, naming it', async () => {
    const { x, y } = data(8);
    const m = classifier();
    const before = m.weights.map((w) => Array.from(w.data));
    await assert.rejects(
      m.fit(x, y, { verbose: 0, callbacks: [new CSVLogger(join(dir, 'missing', 'log.csv'))] }),
      /CSVLogger '.*missing\/log\.csv': cannot write there: folder '.*missing' does not exist/,
    );
    await assert.rejects(m.fit(x, y, { verbose: 0, callbacks: [new CSVLogger(dir)] }), /cannot write there: it is a folder/);
    await assert.rejects(m.fit(x, y, { verbose: 0, callbacks: [new CSVLogger('')] }), /CSVLogger: expected a file path, received ""/);
    assert.deepEqual(
      m.weights.map((w) => Array.from(w.data)),
      before,
    );
  });
});
