/**
 * Adagrad in Keras 3's formulation and defaults (learningRate 0.001, initialAccumulatorValue
 * 0.1, epsilon 1e-7): a += g²;  w −= lr·g / √(a + ε), as a backend kernel.
 */
import type { FloatArray } from '../backends/kernels.js';
import { kernels } from '../backends/index.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface AdagradArgs extends OptimizerArgs {
  /** Starting value of every accumulator. */
  initialAccumulatorValue?: number;
  epsilon?: number;
}

/**
 * Adagrad: per-parameter learning rates that shrink with the sum of squared gradients.
 *
 * @example
 * model.compile({ optimizer: optimizers.adagrad({ learningRate: 0.01 }), loss: 'meanSquaredError' });
 */
export class Adagrad extends Optimizer {
  readonly className = 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  constructor(args: AdagradArgs = {}) {
    super(args, 0.001);
    this.initialAccumulatorValue = args.initialAccumulatorValue ?? 0.1;
    this.epsilon = args.epsilon ?? 1e-7;
    if (!(this.initialAccumulatorValue >= 0))
      throw new Error(`adagrad: expected initialAccumulatorValue >= 0, received ${this.initialAccumulatorValue}`);
  }
  protected update(w: FloatArray, g: FloatArray, lr: number, slots: (n: number, fill?: number) => FloatArray[]): void {
    const [acc] = slots(1, this.initialAccumulatorValue) as [FloatArray];
    kernels().adagradUpdate(w, g, acc, { learningRate: lr, epsilon: this.epsilon });
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}
