/**
 * SGD with optional momentum and Nesterov momentum, in Keras's formulation:
 * v = momentum·v − lr·g; w += v (or w += momentum·v − lr·g with Nesterov). The update itself is
 * a backend kernel.
 */
import type { FloatArray } from '../backends/kernels.js';
import { kernels } from '../backends/index.js';
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
    const velocity = this.momentum === 0 ? null : slots(1)[0]!;
    kernels().sgdUpdate(w, g, velocity, { learningRate: lr, momentum: this.momentum, nesterov: this.nesterov });
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}
