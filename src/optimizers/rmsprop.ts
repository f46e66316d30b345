/**
 * RMSprop (Keras defaults: learningRate 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false);
 * the update itself is a backend kernel.
 */
import type { FloatArray } from '../backends/kernels.js';
import { kernels } from '../backends/index.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface RMSpropArgs extends OptimizerArgs {
  rho?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
}

/** @example optimizers.rmsprop({ learningRate: 1e-3 }) */
export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  constructor(args: RMSpropArgs = {}) {
    super(args, 0.001);
    this.rho = args.rho ?? 0.9;
    this.momentum = args.momentum ?? 0;
    this.epsilon = args.epsilon ?? 1e-7;
    this.centered = args.centered ?? false;
  }
  protected update(w: FloatArray, g: FloatArray, lr: number, slots: (n: number) => FloatArray[]): void {
    const [ms, mom, mg] = slots(3) as [FloatArray, FloatArray, FloatArray];
    const { rho, momentum, epsilon } = this;
    kernels().rmspropUpdate(w, g, ms, momentum > 0 ? mom : null, this.centered ? mg : null, { learningRate: lr, rho, momentum, epsilon });
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}
