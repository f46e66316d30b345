/**
 * SGD with optional momentum and Nesterov momentum, in Keras's formulation:
 * v = momentum·v − lr·g; w += v (or w += momentum·v − lr·g with Nesterov).
 */
import type { FloatArray } from '../backends/kernels.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface SGDArgs extends OptimizerArgs {
  momentum?: number;
  nesterov?: boolean;
}

/** @example optimizers.sgd({ learningRate: 0.01, momentum: 0.9, nesterov: true }) */
export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(args: SGDArgs = {}) {
    super(args, 0.01);
    this.momentum = args.momentum ?? 0;
    this.nesterov = args.nesterov ?? false;
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new Error(`sgd: expected momentum in [0, 1), received ${this.momentum}`);
  }
  protected update(w: FloatArray, g: FloatArray, lr: number, slots: (n: number) => FloatArray[]): void {
    if (this.momentum === 0) {
      for (let i = 0; i < w.length; i++) w[i] -= lr * g[i]!;
      return;
    }
    const [v] = slots(1) as [FloatArray];
    const m = this.momentum;
    for (let i = 0; i < w.length; i++) {
      v[i] = m * v[i]! - lr * g[i]!;
      w[i] += this.nesterov ? m * v[i]! - lr * g[i]! : v[i]!;
    }
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}
