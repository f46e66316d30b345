/**
 * Nadam (Adam with Nesterov momentum) in Keras 3's formulation and defaults (learningRate 0.001,
 * beta1 0.9, beta2 0.999, epsilon 1e-7). The momentum schedule is u_t = β1·(1 − ½·0.96^t), and
 * Π_t = u_1···u_t is one scalar per optimizer:
 * m̂ = u_{t+1}·m / (1 − Π_t·u_{t+1}) + (1 − u_t)·g / (1 − Π_t);  v̂ = v / (1 − β2^t);
 * w −= lr·m̂ / (√v̂ + ε). (PyTorch's NAdam uses 0.96^(0.004·t) instead.) The update is a backend kernel.
 */
import type { FloatArray } from '../backends/kernels.js';
import { kernels } from '../backends/index.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface NadamArgs extends OptimizerArgs {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Nadam.
 *
 * @example
 * model.compile({ optimizer: optimizers.nadam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy' });
 */
export class Nadam extends Optimizer {
  readonly className = 'Nadam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Π_t for t = productStep. */
  private product = 1;
  private productStep = 0;

  constructor(args: NadamArgs = {}) {
    super(args, 0.001);
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
  }

  private momentumAt(t: number): number {
    return this.beta1 * (1 - 0.5 * 0.96 ** t);
  }

  /** Π_t, advanced once per step (recomputed if `iterations` was set by hand). */
  private productAt(t: number): number {
    if (t < this.productStep) [this.product, this.productStep] = [1, 0];
    while (this.productStep < t) this.product *= this.momentumAt(++this.productStep);
    return this.product;
  }

  protected update(w: FloatArray, g: FloatArray, lr: number, slots: (n: number) => FloatArray[]): void {
    const [m, v] = slots(2) as [FloatArray, FloatArray];
    const { beta1, beta2, epsilon } = this;
    const t = this.iterations; // already incremented: 1 on the first step
    const uT = this.momentumAt(t);
    const uNext = this.momentumAt(t + 1);
    const product = this.productAt(t);
    const mScale = uNext / (1 - product * uNext);
    const gScale = (1 - uT) / (1 - product);
    const vScale = 1 / (1 - beta2 ** t);
    kernels().nadamUpdate(w, g, m, v, { learningRate: lr, beta1, beta2, epsilon, mScale, gScale, vScale });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
