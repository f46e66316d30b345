/**
 * LearningRateScheduler (Keras 3 semantics): at the start of each epoch sets the optimizer's
 * learning rate to `schedule(epoch, currentRate)`, and adds it to the logs as 'learning_rate'.
 * For a rate that changes every step, pass a schedule as the optimizer's learningRate instead.
 */
import { Callback, type Logs } from './callbacks.js';
import { settableOptimizer } from './callback-support.js';

/** The new learning rate for a 0-based epoch, given the current one. */
export type EpochSchedule = (epoch: number, learningRate: number) => number;

/**
 * Sets the learning rate per epoch.
 *
 * @example
 * // keep the rate for 10 epochs, then decay it by e^-0.1 per epoch
 * const scheduler = new LearningRateScheduler((epoch, lr) => (epoch < 10 ? lr : lr * Math.exp(-0.1)));
 * await model.fit(x, y, { epochs: 15, callbacks: [scheduler] });
 */
export class LearningRateScheduler extends Callback {
  constructor(
    readonly schedule: EpochSchedule,
    readonly verbose: 0 | 1 = 0,
  ) {
    super();
    if (typeof schedule !== 'function')
      throw new Error(`LearningRateScheduler: expected schedule to be a function (epoch, lr) => lr, received ${typeof schedule}`);
  }

  override onTrainBegin(): void {
    settableOptimizer(this.model, 'LearningRateScheduler');
  }

  override onEpochBegin(epoch: number): void {
    const optimizer = settableOptimizer(this.model, 'LearningRateScheduler');
    const lr = this.schedule(epoch, optimizer.learningRate);
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
      throw new Error(
        `LearningRateScheduler: expected the schedule to return a finite number >= 0 for epoch ${epoch}, received ${String(lr)}`,
      );
    }
    optimizer.learningRate = lr;
    if (this.verbose > 0) console.log(`\nEpoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    logs['learning_rate'] = settableOptimizer(this.model, 'LearningRateScheduler').learningRate;
  }
}
