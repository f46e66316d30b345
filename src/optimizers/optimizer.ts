/**
 * Optimizer base: keeps per-variable slots (momentum, moments), counts iterations, resolves the
 * learning rate (a number or a schedule of the step), and updates variables in place.
 */
import type { FloatArray } from '../backends/kernels.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';

/** A learning rate that depends on the step (0-based iteration count). */
export type LearningRateSchedule = (step: number) => number;

export interface OptimizerArgs {
  learningRate?: number | LearningRateSchedule;
}

/**
 * Base class of optimizers.
 *
 * @example
 * const opt = optimizers.adam({ learningRate: 1e-3 });
 * opt.applyGradients([[weight, grad]]);
 */
export abstract class Optimizer {
  abstract readonly className: string;
  /** Steps taken so far. */
  iterations = 0;
  learningRate: number | LearningRateSchedule;
  private readonly slots = new Map<Variable, FloatArray[]>();

  constructor(args: OptimizerArgs, defaultLearningRate: number) {
    this.learningRate = args.learningRate ?? defaultLearningRate;
  }

  /** The learning rate for the current step. */
  currentLearningRate(): number {
    return typeof this.learningRate === 'number' ? this.learningRate : this.learningRate(this.iterations);
  }

  /** One step: updates each variable in place from its gradient. */
  applyGradients(pairs: readonly (readonly [Variable, Tensor])[]): void {
    const lr = this.currentLearningRate();
    this.iterations++;
    for (const [v, g] of pairs) this.update(v.data as FloatArray, g.data as FloatArray, lr, (count) => this.slotsFor(v, count));
  }

  /** Updates one variable; `slots(n)` returns n zero-initialised state buffers for it. */
  protected abstract update(param: FloatArray, grad: FloatArray, lr: number, slots: (count: number) => FloatArray[]): void;

  private slotsFor(v: Variable, count: number): FloatArray[] {
    let s = this.slots.get(v);
    if (!s) {
      s = Array.from({ length: count }, () => (v.data instanceof Float64Array ? new Float64Array(v.size) : new Float32Array(v.size)));
      this.slots.set(v, s);
    }
    return s;
  }

  /** Keras-style configuration. */
  getConfig(): Record<string, unknown> {
    return { name: this.className.toLowerCase(), learningRate: typeof this.learningRate === 'number' ? this.learningRate : 'schedule' };
  }
}
