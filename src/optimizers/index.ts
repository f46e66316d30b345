/**
 * Optimizers by name: `compile({ optimizer: 'adam' })` or `optimizers.adam({...})`; learning-rate
 * schedules under `schedules`.
 */
import { Adagrad, type AdagradArgs } from './adagrad.js';
import { Adam, type AdamArgs } from './adam.js';
import { Adamax, type AdamaxArgs } from './adamax.js';
import { AdamW } from './adamw.js';
import { Nadam, type NadamArgs } from './nadam.js';
import { Optimizer } from './optimizer.js';
import { RMSprop, type RMSpropArgs } from './rmsprop.js';
import { SGD, type SGDArgs } from './sgd.js';

/**
 * Optimizer factories. Every one accepts `learningRate` (a number or a schedule), `clipNorm`,
 * `globalClipNorm`, `clipValue` and `weightDecay`.
 *
 * @example
 * model.compile({ optimizer: optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }), loss: 'meanSquaredError' });
 * model.compile({ optimizer: optimizers.adamW({ weightDecay: 0.01, globalClipNorm: 1 }), loss: 'meanSquaredError' });
 */
export const optimizers = {
  sgd: (args: SGDArgs = {}) => new SGD(args),
  adam: (args: AdamArgs = {}) => new Adam(args),
  adamW: (args: AdamArgs = {}) => new AdamW(args),
  adamax: (args: AdamaxArgs = {}) => new Adamax(args),
  nadam: (args: NadamArgs = {}) => new Nadam(args),
  adagrad: (args: AdagradArgs = {}) => new Adagrad(args),
  rmsprop: (args: RMSpropArgs = {}) => new RMSprop(args),
};
export type OptimizerName = keyof typeof optimizers;

/**
 * Resolves a name (any case: 'adamw', 'AdamW') or an optimizer instance.
 *
 * @example
 * getOptimizer('nadam').className; // 'Nadam'
 */
export function getOptimizer(id: OptimizerName | string | Optimizer): Optimizer {
  if (id instanceof Optimizer) return id;
  const key = (Object.keys(optimizers) as OptimizerName[]).find((k) => k.toLowerCase() === id.toLowerCase());
  if (!key) throw new Error(`compile: unknown optimizer '${id}'; expected one of ${Object.keys(optimizers).join(', ')}`);
  return optimizers[key]();
}

export { Adagrad, Adam, Adamax, AdamW, Nadam, Optimizer, RMSprop, SGD };
export type { AdagradArgs, AdamArgs, AdamaxArgs, NadamArgs, RMSpropArgs, SGDArgs };
export type { LearningRateSchedule, OptimizerArgs } from './optimizer.js';
export { cosineDecay, exponentialDecay, piecewiseConstant, piecewiseLinear, scheduleFromConfig, schedules } from './schedules.js';
export type {
  CosineDecayArgs,
  ExponentialDecayArgs,
  PiecewiseConstantArgs,
  PiecewiseLinearArgs,
  SerializableSchedule,
} from './schedules.js';
