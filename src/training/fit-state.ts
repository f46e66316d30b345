/**
 * Where a running `fit` stands (epoch, batches done, the running sums of the epoch's logs, the
 * random generator's state when the epoch shuffled), shared with callbacks through
 * `params.state`: BackupAndRestore saves it, and a restarted run hands it back in
 * `resumeFrom` so that fit continues from exactly that batch, drawing the same numbers.
 */
import { globalRandom, type RandomState } from '../tensor/random.js';

/** A position in a fit run that training can continue from. */
export interface ResumePoint {
  /** The epoch to continue (0-based). */
  epoch: number;
  /** Batches of that epoch already done. */
  step: number;
  /** Samples of that epoch already done, and the sums of loss and metrics over them. */
  seen: number;
  totals: number[];
  /** The generator's state before this epoch's shuffle (null when step is 0: it is `random`). */
  epochRandom: RandomState | null;
  /** The generator's state at this point (the next dropout mask or shuffle draws from it). */
  random: RandomState;
}

/**
 * The live state of one fit run; `fit` updates it before each callback hook.
 *
 * @example
 * class Where extends Callback {
 *   override onTrainBatchEnd() { console.log(this.params!.state!.position()); }
 * }
 */
export class FitState {
  epoch = 0;
  /** Batches done in this epoch. */
  step = 0;
  seen = 0;
  totals: Float64Array = new Float64Array(0);
  epochRandom: RandomState | null = null;
  /** Set by a callback in onTrainBegin: fit continues from this point instead of initialEpoch. */
  resumeFrom: ResumePoint | null = null;

  /** The current position (after the last finished batch). */
  position(): ResumePoint {
    return {
      epoch: this.epoch,
      step: this.step,
      seen: this.seen,
      totals: [...this.totals],
      epochRandom: this.step === 0 ? null : this.epochRandom,
      random: globalRandom.getState(),
    };
  }

  /** The position at the start of the epoch after this one (what an epoch-end save records). */
  nextEpoch(): ResumePoint {
    return { epoch: this.epoch + 1, step: 0, seen: 0, totals: [], epochRandom: null, random: globalRandom.getState() };
  }
}
