/**
 * TerminateOnNaN: a clean stop when the batch loss becomes NaN or infinite. Without it, `fit`
 * throws a TrainingError at such a loss; with it, `fit` skips that batch's update (so the weights
 * stay those of the last finite step), this callback sets stopTraining, and `fit` ends the epoch
 * and returns the history normally.
 */
import { Callback, type Logs } from './callbacks.js';

/**
 * Stops training at the first non-finite batch loss.
 *
 * @example
 * const h = await model.fit(x, y, { epochs: 10, callbacks: [new TerminateOnNaN()] });
 * // h.history.loss ends with NaN if training was cut short
 */
export class TerminateOnNaN extends Callback {
  /** 0 keeps it quiet; 1 (default, as Keras) prints the batch at which it stopped. */
  constructor(readonly verbose: 0 | 1 = 1) {
    super();
  }

  override onTrainBatchEnd(batch: number, logs: Logs): void {
    const loss = logs['loss'];
    if (loss !== undefined && !Number.isFinite(loss)) {
      if (this.verbose > 0) console.log(`Batch ${batch}: Invalid loss, terminating training`);
      this.model!.stopTraining = true;
    }
  }
}
