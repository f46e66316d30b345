/**
 * Adam with Keras defaults (learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7) and
 * Keras's formulation: bias correction folded into the step size, epsilon added to sqrt(v)
 * unscaled (PyTorch instead adds it to the bias-corrected sqrt(v̂)). The update
 * itself is a backend kernel.
 */
import type { FloatArray } from '../backends/kernels.js';
import { kernels } from '../backends/index.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface AdamArgs extends OptimizerArgs {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** @example optimizers.adam({ learningRate: 1e-3 }) */
export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(args: AdamArgs = {}) {
    super(args, 0.001);
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
  }
  protected update(w: FloatArray, g: FloatArray, lr: number, slots: (n: number) => FloatArray[]): void {
    const [m, v] = slots(2) as [FloatArray, FloatArray];
    const t = this.iterations; // already incremented: 1 on the first step
    const correction = Math.sqrt(1 - this.beta2 ** t);
    kernels().adamUpdate(w, g, m, v, {
      lrT: (lr * correction) / (1 - this.beta1 ** t),
      beta1: this.beta1,
      beta2: this.beta2,
      epsilonT: this.epsilon,
    });
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
