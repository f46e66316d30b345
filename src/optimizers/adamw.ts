/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter), Keras 3 defaults
 * (learningRate 0.001, weightDecay 0.004). The decay itself lives in the Optimizer base, which
 * applies w -= lr · weightDecay · w before the Adam step, as Keras 3 does for every optimizer.
 */
import { Adam, type AdamArgs } from './adam.js';

/**
 * Adam with decoupled weight decay.
 *
 * @example
 * model.compile({ optimizer: optimizers.adamW({ learningRate: 1e-3, weightDecay: 0.01 }), loss: 'categoricalCrossentropy' });
 */
export class AdamW extends Adam {
  override readonly className: string = 'AdamW';
  constructor(args: AdamArgs = {}) {
    super({ ...args, weightDecay: args.weightDecay ?? 0.004 });
  }
}
