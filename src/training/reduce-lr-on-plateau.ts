/**
 * ReduceLROnPlateau (Keras 3 semantics): multiplies the optimizer's learning rate by `factor`
 * when a monitored quantity has not improved for `patience` epochs, then waits `cooldown` epochs.
 * Adds the epoch's learning rate to the logs as 'learning_rate'.
 */
import { Callback, type Logs } from './callbacks.js';
import { monitorDirection, monitorValue, settableOptimizer, type MonitorMode } from './callback-support.js';

export interface ReduceLROnPlateauArgs {
  /** Quantity to watch (default 'val_loss'). */
  monitor?: string;
  /** New rate = rate · factor (default 0.1; must be < 1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  /** 1 prints each reduction. */
  verbose?: 0 | 1;
  mode?: MonitorMode;
  /** Smallest change that counts as an improvement (default 1e-4). */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound on the learning rate (default 0). */
  minLr?: number;
}

/**
 * Lowers the learning rate when the monitored quantity plateaus.
 *
 * @example
 * const reduce = new ReduceLROnPlateau({ monitor: 'val_loss', factor: 0.2, patience: 5, minLr: 1e-5 });
 * const h = await model.fit(x, y, { epochs: 50, validationSplit: 0.2, callbacks: [reduce] });
 * h.history['learning_rate']; // the rate of each epoch
 */
export class ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly verbose: 0 | 1;
  readonly mode: MonitorMode;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  wait = 0;
  cooldownCounter = 0;
  best = Infinity;
  private direction: 'min' | 'max' = 'min';
  private readonly warned = { done: false };

  constructor(args: ReduceLROnPlateauArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.factor = args.factor ?? 0.1;
    this.patience = args.patience ?? 10;
    this.verbose = args.verbose ?? 0;
    this.mode = args.mode ?? 'auto';
    this.minDelta = args.minDelta ?? 1e-4;
    this.cooldown = args.cooldown ?? 0;
    this.minLr = args.minLr ?? 0;
    if (!(this.factor < 1 && this.factor >= 0)) throw new Error(`ReduceLROnPlateau: expected factor in [0, 1), received ${this.factor}`);
    if (!Number.isInteger(this.patience) || this.patience < 0)
      throw new Error(`ReduceLROnPlateau: expected patience to be a non-negative integer, received ${this.patience}`);
    this.direction = monitorDirection(this.monitor, this.mode, 'ReduceLROnPlateau');
  }

  override onTrainBegin(): void {
    settableOptimizer(this.model, 'ReduceLROnPlateau');
    this.best = this.direction === 'min' ? Infinity : -Infinity;
    this.wait = 0;
    this.cooldownCounter = 0;
    this.warned.done = false;
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const optimizer = settableOptimizer(this.model, 'ReduceLROnPlateau');
    logs['learning_rate'] = optimizer.learningRate;
    const current = monitorValue(logs, this.monitor, 'ReduceLROnPlateau', this.warned);
    if (current === null) return;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    const improved = this.direction === 'min' ? current < this.best - this.minDelta : current > this.best + this.minDelta;
    if (improved) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter === 0 && ++this.wait >= this.patience) {
      const old = optimizer.learningRate;
      if (old > this.minLr) {
        optimizer.learningRate = Math.max(old * this.factor, this.minLr);
        if (this.verbose > 0) console.log(`\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${optimizer.learningRate}.`);
        this.cooldownCounter = this.cooldown;
        this.wait = 0;
      }
    }
  }
}
