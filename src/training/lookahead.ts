/**
 * Lookahead as a callback (Zhang et al. 2019, "Lookahead Optimizer: k steps forward, 1 step
 * back"; TensorFlow Addons' `Lookahead(syncPeriod, slowStepSize)`): every `syncPeriod` training
 * steps the slow weights move a fraction α toward the fast ones, slow += α·(fast − slow), and the
 * fast weights restart from them. With α a function of training progress it is airbench's
 * schedule (α = 1 − 0.95⁵·progress³: the slow weights follow closely early, average late).
 * Every weight takes part, batch-norm moving statistics too, as airbench's state_dict does.
 */
import type { TensorData } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { Callback, type Logs } from './callbacks.js';

export interface LookaheadArgs {
  /** Training steps between synchronisations (default 6, TensorFlow Addons' default; airbench uses 5). */
  syncPeriod?: number;
  /** α, or α as a function of progress = step / total steps in [0, 1] (default 0.5). */
  slowStepSize?: number | ((progress: number) => number);
  /** Steps of the whole run, for a scheduled α; default: epochs × steps per epoch from fit. */
  totalSteps?: number;
  /** Leave the model on the slow weights when training ends (default true, as airbench). */
  useSlowWeightsAtEnd?: boolean;
}

/**
 * @example
 * // airbench's lookahead
 * const lookahead = new Lookahead({ syncPeriod: 5, slowStepSize: (p) => 1 - 0.95 ** 5 * p ** 3 });
 * await model.fit(data, { epochs: 10, callbacks: [lookahead] });
 */
export class Lookahead extends Callback {
  readonly syncPeriod: number;
  private readonly alpha: (progress: number) => number;
  private readonly totalSteps: number | undefined;
  private readonly useSlowWeightsAtEnd: boolean;
  private slow: TensorData[] = [];
  private total = 0;
  private step = 0;

  constructor({ syncPeriod = 6, slowStepSize = 0.5, totalSteps, useSlowWeightsAtEnd = true }: LookaheadArgs = {}) {
    super();
    if (!Number.isInteger(syncPeriod) || syncPeriod < 1)
      throw new Error(`Lookahead: expected syncPeriod to be a positive integer, received ${syncPeriod}`);
    if (typeof slowStepSize === 'number' && !(slowStepSize > 0 && slowStepSize <= 1)) {
      throw new Error(`Lookahead: expected slowStepSize in (0, 1], received ${slowStepSize}`);
    }
    if (totalSteps !== undefined && !(Number.isInteger(totalSteps) && totalSteps > 0)) {
      throw new Error(`Lookahead: expected totalSteps to be a positive integer, received ${totalSteps}`);
    }
    this.syncPeriod = syncPeriod;
    this.alpha = typeof slowStepSize === 'number' ? () => slowStepSize : slowStepSize;
    this.totalSteps = totalSteps;
    this.useSlowWeightsAtEnd = useSlowWeightsAtEnd;
  }

  override onTrainBegin(_logs: Logs): void {
    const params = this.params!;
    this.total = this.totalSteps ?? params.epochs * params.steps;
    if (!(this.total > 0)) {
      throw new Error('Lookahead: the number of training steps is unknown (a dataset of unknown length); pass totalSteps');
    }
    this.slow = this.model!.weights.map((w) => w.values().slice());
    this.step = 0;
  }

  override onEpochBegin(epoch: number): void {
    if (this.params!.steps > 0) this.step = epoch * this.params!.steps;
  }

  override onTrainBatchEnd(_batch: number, _logs: Logs): void {
    this.step++;
    if (this.step % this.syncPeriod === 0) this.sync(this.alpha(Math.min(1, this.step / this.total)));
  }

  override onTrainEnd(_logs: Logs): void {
    if (this.useSlowWeightsAtEnd) this.sync(0);
  }

  /** slow += α·(fast − slow); fast = slow. */
  private sync(alpha: number): void {
    if (!(alpha >= 0 && alpha <= 1))
      throw new Error(`Lookahead: slowStepSize(${(this.step / this.total).toFixed(4)}) returned ${alpha}, expected a number in [0, 1]`);
    this.model!.weights.forEach((w, i) => {
      const slow = this.slow[i]!;
      const fast = w.values();
      for (let j = 0; j < slow.length; j++) slow[j] = slow[j]! + alpha * (fast[j]! - slow[j]!);
      w.assign(new Tensor(slow, w.shape)); // assign copies: slow stays ours
    });
  }
}
