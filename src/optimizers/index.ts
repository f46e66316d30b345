/**
 * Optimizers by name: `compile({ optimizer: 'adam' })` or `optimizers.adam({...})`.
 */
import { Adam, type AdamArgs } from './adam.js';
import { Optimizer } from './optimizer.js';
import { RMSprop, type RMSpropArgs } from './rmsprop.js';
import { SGD, type SGDArgs } from './sgd.js';

/**
 * Optimizer factories.
 * @example model.compile({ optimizer: optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }), loss: 'meanSquaredError' })
 */
export const optimizers = {
  sgd: (args: SGDArgs = {}) => new SGD(args),
  adam: (args: AdamArgs = {}) => new Adam(args),
  rmsprop: (args: RMSpropArgs = {}) => new RMSprop(args),
};
export type OptimizerName = keyof typeof optimizers;

/** Resolves a name or an optimizer instance. */
export function getOptimizer(id: OptimizerName | string | Optimizer): Optimizer {
  if (id instanceof Optimizer) return id;
  const key = id.toLowerCase() as OptimizerName;
  if (!(key in optimizers)) throw new Error(`compile: unknown optimizer '${id}'; expected one of ${Object.keys(optimizers).join(', ')}`);
  return optimizers[key]();
}

export { Adam, Optimizer, RMSprop, SGD };
export type { LearningRateSchedule, OptimizerArgs } from './optimizer.js';
