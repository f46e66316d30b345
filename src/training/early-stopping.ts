/**
 * EarlyStopping (Keras 3 semantics): stops training when a monitored quantity has stopped
 * improving for `patience` epochs and, with restoreBestWeights, puts back the weights of the
 * best epoch when training ends.
 */
import { Callback, type Logs } from './callbacks.js';
import { monitorDirection, monitorValue, type MonitorMode } from './callback-support.js';
import type { FloatArray } from '../backends/kernels.js';
import { Tensor } from '../tensor/tensor.js';

export interface EarlyStoppingArgs {
  /** Quantity to watch (default 'val_loss'). */
  monitor?: string;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** 1 prints when it stops and restores. */
  verbose?: 0 | 1;
  mode?: MonitorMode;
  /** Value the monitor must beat; until it does, the patience keeps running out. */
  baseline?: number | null;
  /** At the end of training, restore the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching at all (a warm-up; default 0). */
  startFromEpoch?: number;
}

/**
 * Stops training when the monitored quantity stops improving.
 *
 * @example
 * const stop = new EarlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true });
 * await model.fit(x, y, { epochs: 100, validationSplit: 0.2, callbacks: [stop] });
 * stop.stoppedEpoch; // the 0-based epoch at which it stopped, or 0 if it never did
 */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly verbose: 0 | 1;
  readonly mode: MonitorMode;
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  /** Epochs since the last improvement. */
  wait = 0;
  /** Epoch (0-based) at which training was stopped; 0 if it was not. */
  stoppedEpoch = 0;
  /** Best value seen so far. */
  best: number | null = null;
  /** Epoch (0-based) of the best value. */
  bestEpoch = 0;
  private bestWeights: FloatArray[] | null = null;
  private direction: 'min' | 'max' | null = null;
  private readonly warned = { done: false };

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.minDelta = Math.abs(args.minDelta ?? 0);
    this.patience = args.patience ?? 0;
    this.verbose = args.verbose ?? 0;
    this.mode = args.mode ?? 'auto';
    this.baseline = args.baseline ?? null;
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    this.startFromEpoch = args.startFromEpoch ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0)
      throw new Error(`EarlyStopping: expected patience to be a non-negative integer, received ${this.patience}`);
    monitorDirection(this.monitor, this.mode, 'EarlyStopping'); // refuse an unusable monitor/mode now
  }

  override onTrainBegin(): void {
    this.direction = monitorDirection(this.monitor, this.mode, 'EarlyStopping');
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = null;
    this.bestEpoch = 0;
    this.bestWeights = null;
    this.warned.done = false;
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const current = monitorValue(logs, this.monitor, 'EarlyStopping', this.warned);
    if (current === null || epoch < this.startFromEpoch) return;
    // If no epoch has been best yet, the current weights are the best.
    if (this.restoreBestWeights && this.bestWeights === null) [this.bestWeights, this.bestEpoch] = [this.snapshot(), epoch];
    this.wait++;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = this.snapshot();
      // Restart the wait only when the value beats both the previous best and the baseline.
      if (this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
    }
  }

  override onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights) {
      if (this.verbose > 0) console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      const saved = this.bestWeights;
      this.model!.weights.forEach((w, i) => w.assign(new Tensor(saved[i]!, w.shape)));
    }
  }

  /** Whether `value` beats `reference` by more than minDelta (anything beats null). */
  private isImprovement(value: number, reference: number | null): boolean {
    if (reference === null) return true;
    return this.direction === 'max' ? value - this.minDelta > reference : value + this.minDelta < reference;
  }

  private snapshot(): FloatArray[] {
    return this.model!.weights.map((w) => w.values().slice() as FloatArray);
  }
}
