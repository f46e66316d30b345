/**
 * EarlyStopping, ReduceLROnPlateau, LearningRateScheduler and TerminateOnNaN on tiny problems.
 * A scripted callback placed first overwrites the monitored value each epoch, so every stop and
 * every reduction happens at an epoch worked out by hand from Keras's rules.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import { optimizers, schedules, type Optimizer } from '../../src/optimizers/index.js';
import { setSeed } from '../../src/tensor/random.js';
import { monitorDirection } from '../../src/training/callback-support.js';
import { Callback, type Logs } from '../../src/training/callbacks.js';
import { EarlyStopping } from '../../src/training/early-stopping.js';
import { LearningRateScheduler } from '../../src/training/learning-rate-scheduler.js';
import { ReduceLROnPlateau } from '../../src/training/reduce-lr-on-plateau.js';
import { TerminateOnNaN } from '../../src/training/terminate-on-nan.js';
import type { FitArgs } from '../../src/training/fit.js';
import { blobs } from '../helpers/blobs.js';

setBackend('ts');

/** Sets logs[key] to values[epoch] (the last value once the script runs out). */
class Scripted extends Callback {
  constructor(
    private readonly values: number[],
    private readonly key = 'val_loss',
  ) {
    super();
  }
  override onEpochEnd(epoch: number, logs: Logs): void {
    logs[this.key] = this.values[Math.min(epoch, this.values.length - 1)]!;
  }
}

/** Copies of every weight at the end of each epoch. */
class WeightRecorder extends Callback {
  readonly perEpoch: number[][][] = [];
  override onEpochEnd(): void {
    this.perEpoch.push(this.model!.weights.map((w) => Array.from(w.data)));
  }
}

async function train(callbacks: Callback[], { optimizer, ...args }: FitArgs & { optimizer?: Optimizer } = {}) {
  setSeed(7);
  const { x, y } = blobs(16);
  const model = sequential([
    layers.dense({ units: 4, activation: 'relu', inputShape: [2] }),
    layers.dense({ units: 2, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: optimizer ?? optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
  const history = await model.fit(x, y, { epochs: 10, batchSize: 8, verbose: 0, ...args, callbacks });
  return { model, history };
}

/** The epochs EarlyStopping lets run for a scripted val_loss sequence. */
async function epochsRun(values: number[], args: ConstructorParameters<typeof EarlyStopping>[0]) {
  const stop = new EarlyStopping(args);
  const { history } = await train([new Scripted(values), stop]);
  return { epochs: history.epoch.length, stop };
}

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without improvement and restores the best epoch’s weights', async () => {
    const recorder = new WeightRecorder();
    const stop = new EarlyStopping({ patience: 2, restoreBestWeights: true });
    // best at epoch 1; epochs 2 and 3 do not improve → stop at epoch 3
    const { model, history } = await train([new Scripted([1, 0.8, 0.9, 0.85, 0.5]), recorder, stop]);
    assert.deepEqual(history.epoch, [0, 1, 2, 3]);
    assert.equal(stop.stoppedEpoch, 3);
    assert.equal(stop.bestEpoch, 1);
    assert.equal(stop.best, 0.8);
    const restored = model.weights.map((w) => Array.from(w.data));
    assert.deepEqual(restored, recorder.perEpoch[1], 'weights equal those at the end of the best epoch');
    assert.notDeepEqual(restored, recorder.perEpoch[3], 'and not those of the last epoch');
  });

  it('without restoreBestWeights the last weights stay', async () => {
    const recorder = new WeightRecorder();
    const { model } = await train([new Scripted([1, 0.8, 0.9, 0.85]), recorder, new EarlyStopping({ patience: 2 })]);
    assert.deepEqual(
      model.weights.map((w) => Array.from(w.data)),
      recorder.perEpoch.at(-1),
    );
  });

  it('minDelta: a smaller change is no improvement', async () => {
    assert.equal((await epochsRun([1, 0.95, 0.9, 0.85], { patience: 1, minDelta: 0.1 })).epochs, 2);
    assert.equal((await epochsRun([1, 0.95, 0.9, 0.85, 0.85], { patience: 1 })).epochs, 5);
  });

  it('baseline: until it is beaten, the patience keeps running out', async () => {
    assert.equal((await epochsRun([1, 1, 1, 1], { patience: 2 })).epochs, 3);
    assert.equal((await epochsRun([1, 1, 1, 1], { patience: 2, baseline: 0.5 })).epochs, 2);
  });

  it('startFromEpoch: the first epochs are not watched', async () => {
    assert.equal((await epochsRun([1], { patience: 1 })).epochs, 2);
    assert.equal((await epochsRun([1], { patience: 1, startFromEpoch: 2 })).epochs, 4);
  });

  it("mode: 'auto' maximises accuracies; 'max' can be forced", async () => {
    assert.equal(monitorDirection('val_accuracy', 'auto', 'test'), 'max');
    assert.equal(monitorDirection('loss', 'auto', 'test'), 'min');
    assert.equal(monitorDirection('val_meanSquaredError', 'auto', 'test'), 'min');
    const rising = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
    const acc = new EarlyStopping({ monitor: 'val_accuracy', patience: 1 });
    const { history } = await train([new Scripted(rising, 'val_accuracy'), acc], { epochs: 6 });
    assert.equal(history.epoch.length, 6, 'accuracy going up is improvement');
    const custom = new EarlyStopping({ monitor: 'score', mode: 'max', patience: 1 });
    assert.equal((await train([new Scripted([1, 2, 1], 'score'), custom])).history.epoch.length, 3);
    assert.throws(
      () => new EarlyStopping({ monitor: 'score' }),
      /EarlyStopping: cannot tell whether monitor 'score' should be minimised or maximised; pass mode: 'min'/,
    );
  });

  it('warns, once, when the monitored value is missing, and does not stop', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const { history } = await train([new EarlyStopping({ patience: 0 })], { epochs: 3 });
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    assert.equal(history.epoch.length, 3);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /EarlyStopping is conditioned on 'val_loss', which is not in the logs; available: loss \(pass validationData or validationSplit to fit\)/,
    );
  });

  it('stops a real run on val_loss', async () => {
    const stop = new EarlyStopping({ patience: 1, minDelta: 10 });
    const { history } = await train([stop], { validationSplit: 0.25 });
    assert.deepEqual(history.epoch, [0, 1]);
    assert.equal(stop.stoppedEpoch, 1);
  });
});

describe('ReduceLROnPlateau', () => {
  it('multiplies the rate by factor after patience flat epochs and logs learning_rate', async () => {
    const optimizer = optimizers.sgd({ learningRate: 0.1 });
    const reduce = new ReduceLROnPlateau({ patience: 2, factor: 0.5 });
    const { history } = await train([new Scripted([1]), reduce], { epochs: 6, optimizer });
    // best at epoch 0; reductions at the end of epochs 2 and 4; logs show the rate the epoch trained with
    assert.deepEqual(history.history['learning_rate'], [0.1, 0.1, 0.1, 0.05, 0.05, 0.025]);
    assert.equal(optimizer.learningRate, 0.025);
  });

  it('cooldown pauses the count after a reduction; minLr bounds the rate', async () => {
    const cooled = optimizers.sgd({ learningRate: 0.1 });
    await train([new Scripted([1]), new ReduceLROnPlateau({ patience: 2, factor: 0.5, cooldown: 2 })], { epochs: 6, optimizer: cooled });
    assert.equal(cooled.learningRate, 0.025, 'reductions at epochs 2 and 5');
    const cooledLater = optimizers.sgd({ learningRate: 0.1 });
    await train([new Scripted([1]), new ReduceLROnPlateau({ patience: 2, factor: 0.5, cooldown: 2 })], {
      epochs: 5,
      optimizer: cooledLater,
    });
    assert.equal(cooledLater.learningRate, 0.05, 'no second reduction by epoch 4');
    const floored = optimizers.sgd({ learningRate: 0.1 });
    await train([new Scripted([1]), new ReduceLROnPlateau({ patience: 1, minLr: 0.005 })], { epochs: 6, optimizer: floored });
    assert.equal(floored.learningRate, 0.005);
  });

  it('improvements reset the wait', async () => {
    const optimizer = optimizers.sgd({ learningRate: 0.1 });
    await train([new Scripted([1, 0.9, 0.8, 0.7, 0.6]), new ReduceLROnPlateau({ patience: 1 })], { epochs: 5, optimizer });
    assert.equal(optimizer.learningRate, 0.1);
  });

  it('refuses a schedule-driven optimizer before training, and a factor ≥ 1', async () => {
    const lr = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 });
    await assert.rejects(
      train([new ReduceLROnPlateau()], { optimizer: optimizers.sgd({ learningRate: lr }) }),
      /ReduceLROnPlateau: the optimizer's learning rate is a schedule, so a callback cannot set it/,
    );
    assert.throws(() => new ReduceLROnPlateau({ factor: 1 }), /expected factor in \[0, 1\), received 1/);
  });
});

describe('LearningRateScheduler', () => {
  it('sets the rate at the start of each epoch; the optimizer steps with it', async () => {
    const optimizer = optimizers.sgd({ learningRate: 0.1 });
    const used: number[] = [];
    const apply = optimizer.applyGradients.bind(optimizer);
    optimizer.applyGradients = (pairs) => (used.push(optimizer.currentLearningRate()), apply(pairs));
    const scheduler = new LearningRateScheduler((epoch, lr) => (epoch === 0 ? 0.4 : lr / 2));
    const { history } = await train([scheduler], { epochs: 3, optimizer });
    assert.deepEqual(history.history['learning_rate'], [0.4, 0.2, 0.1]);
    assert.deepEqual(used, [0.4, 0.4, 0.2, 0.2, 0.1, 0.1], 'two batches per epoch');
  });

  it('an epoch-only schedule works; a bad value is refused with the epoch', async () => {
    const { history } = await train([new LearningRateScheduler((epoch) => 0.01 * (epoch + 1))], { epochs: 2 });
    assert.deepEqual(history.history['learning_rate'], [0.01, 0.02]);
    await assert.rejects(
      train([new LearningRateScheduler((epoch) => (epoch === 1 ? NaN : 0.1))]),
      /LearningRateScheduler: expected the schedule to return a finite number >= 0 for epoch 1, received NaN/,
    );
  });
});

describe('TerminateOnNaN', () => {
  it('ends training cleanly at a NaN loss, keeping the last finite weights', async () => {
    setSeed(3);
    const { x, y } = blobs(16);
    x.data[2 * 5] = NaN; // sample 5: second batch of 4
    const model = sequential([layers.dense({ units: 2, activation: 'softmax', inputShape: [2] })]);
    model.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
    const batches: number[][][] = [];
    class BatchRecorder extends Callback {
      override onTrainBatchEnd(): void {
        batches.push(model.weights.map((w) => Array.from(w.data)));
      }
    }
    const h = await model.fit(x, y, {
      epochs: 3,
      batchSize: 4,
      shuffle: false,
      verbose: 0,
      validationData: [x, y],
      callbacks: [new TerminateOnNaN(0), new BatchRecorder()],
    });
    assert.equal(batches.length, 2, 'stopped right after the NaN batch');
    assert.deepEqual(batches[1], batches[0], 'the NaN batch was not applied');
    assert.ok(
      model.weights.every((w) => w.data.every(Number.isFinite)),
      'weights stay finite',
    );
    assert.deepEqual(h.epoch, [0], 'the epoch still ends, as in Keras');
    assert.ok(Number.isNaN(h.history['loss']![0]!));
  });
});
