/**
 * Adamax, Adam's infinity-norm variant, in Keras 3's formulation and defaults (learningRate
 * 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7):
 * m = β1·m + (1−β1)·g;  u = max(β2·u, |g|);  w −= lr·m / ((1 − β1^t)·(u + ε)). The update is a backend kernel.
 */
import type { FloatArray } from '../backends/kernels.js';
import { kernels } from '../backends/index.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface AdamaxArgs extends OptimizerArgs {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adamax.
 *
 * @example
 * model.compile({ optimizer: optimizers.adamax({ learningRate: 2e-3 }), loss: 'meanSquaredError' });
 */
export class Adamax extends Optimizer {
  readonly className = 'Adamax';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(args: AdamaxArgs = {}) {
    super(args, 0.001);
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
  }
  protected update(w: FloatArray, g: FloatArray, lr: number, slots: (n: number) => FloatArray[]): void {
    const [m, u] = slots(2) as [FloatArray, FloatArray];
    const { beta1, beta2, epsilon } = this;
    const stepSize = lr / (1 - beta1 ** this.iterations); // iterations is already t (1 on the first step)
    kernels().adamaxUpdate(w, g, m, u, { stepSize, beta1, beta2, epsilon });
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
