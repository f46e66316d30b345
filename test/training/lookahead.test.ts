/**
 * Lookahead (src/training/lookahead.ts) inside a real `fit`: a recorder placed before it sees the
 * fast weights of each step, one placed after it the weights the next step starts from, so every
 * synchronisation is checked against slow += α·(fast − slow) worked out here; a scheduled α is
 * read at the step's progress; the run ends on the slow weights; bad arguments are refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import { optimizers } from '../../src/optimizers/index.js';
import { setSeed } from '../../src/tensor/random.js';
import { Callback } from '../../src/training/callbacks.js';
import { Lookahead } from '../../src/training/lookahead.js';
import { blobs } from '../helpers/blobs.js';

setBackend('ts');

/** Every weight, flattened, after each training step. */
class StepRecorder extends Callback {
  readonly steps: number[][] = [];
  initial: number[] = [];
  override onTrainBegin(): void {
    this.initial = this.model!.weights.flatMap((w) => [...w.values()]);
  }
  override onTrainBatchEnd(): void {
    this.steps.push(this.model!.weights.flatMap((w) => [...w.values()]));
  }
}

async function run(lookahead: Lookahead, epochs = 2) {
  setSeed(3);
  const model = sequential([
    layers.dense({ units: 4, activation: 'relu', inputShape: [2] }),
    layers.dense({ units: 2, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: optimizers.sgd({ learningRate: 0.3, momentum: 0.5 }), loss: 'categoricalCrossentropy' });
  const { x, y } = blobs(48);
  const fast = new StepRecorder();
  const synced = new StepRecorder();
  await model.fit(x, y, { epochs, batchSize: 8, shuffle: false, verbose: 0, callbacks: [fast, lookahead, synced] });
  return { fast, synced, final: model.weights.flatMap((w) => [...w.values()]) };
}

const close = (a: number[], b: number[], what: string) =>
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= 1e-6 * (1 + Math.abs(b[i]!)), `${what}[${i}]: ${v} vs ${b[i]}`));

describe('Lookahead', () => {
  it('every syncPeriod steps moves the slow weights α of the way and restarts from them', async () => {
    const alpha = 0.3;
    const { fast, synced, final } = await run(new Lookahead({ syncPeriod: 4, slowStepSize: alpha }));
    assert.equal(fast.steps.length, 12); // 2 epochs × 6 batches
    let slow = fast.initial;
    for (let s = 1; s <= 12; s++) {
      const before = fast.steps[s - 1]!;
      const after = synced.steps[s - 1]!;
      if (s % 4 === 0) {
        slow = slow.map((w, i) => w + alpha * (before[i]! - w));
        close(after, slow, `step ${s}`);
        assert.ok(
          after.some((v, i) => v !== before[i]),
          `step ${s} changed the weights`,
        );
      } else {
        assert.deepEqual(after, before, `step ${s} is not a sync step`);
      }
    }
    close(final, slow, 'the weights after fit (the slow weights)');
  });

  it('reads a scheduled α at the step’s progress, and can leave the fast weights at the end', async () => {
    const seen: number[] = [];
    const schedule = (p: number) => {
      seen.push(p);
      return 1 - 0.5 * p;
    };
    const { fast, final } = await run(new Lookahead({ syncPeriod: 5, slowStepSize: schedule, useSlowWeightsAtEnd: false }));
    assert.deepEqual(seen, [5 / 12, 10 / 12]);
    assert.deepEqual(final, fast.steps[11], 'no sync after the last step');
  });

  it('refuses bad arguments', () => {
    assert.throws(() => new Lookahead({ syncPeriod: 0 }), /Lookahead: expected syncPeriod to be a positive integer, received 0/);
    assert.throws(() => new Lookahead({ slowStepSize: 1.5 }), /expected slowStepSize in \(0, 1\], received 1.5/);
    assert.throws(() => new Lookahead({ totalSteps: -1 }), /expected totalSteps to be a positive integer, received -1/);
  });

  it('refuses a schedule that returns a value outside [0, 1]', async () => {
    await assert.rejects(
      run(new Lookahead({ syncPeriod: 2, slowStepSize: () => 2 })),
      /slowStepSize\(0\.1667\) returned 2, expected a number in \[0, 1\]/,
    );
  });
});
