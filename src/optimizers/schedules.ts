/**
 * Learning-rate schedules with Keras 3 semantics. Each is a plain function of the 0-based step,
 * usable wherever a learning rate is accepted, that also carries `className` and `getConfig`
 * so an optimizer's config can record it and `scheduleFromConfig` can rebuild it.
 */
import type { LearningRateSchedule } from './optimizer.js';

/** A schedule that knows its Keras class name and configuration. */
export interface SerializableSchedule extends LearningRateSchedule {
  readonly className: string;
  getConfig(): Record<string, unknown>;
}

function serializable(className: string, config: Record<string, unknown>, fn: LearningRateSchedule): SerializableSchedule {
  return Object.assign((step: number) => fn(step), { className, getConfig: () => ({ ...config }) });
}

function check(ok: boolean, where: string, expected: string, received: unknown): void {
  if (!ok) throw new Error(`${where}: expected ${expected}, received ${JSON.stringify(received)}`);
}

export interface ExponentialDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in whole intervals of decaySteps (a staircase) instead of continuously. */
  staircase?: boolean;
}

/**
 * lr(step) = initialLearningRate · decayRate^(step / decaySteps), the exponent floored when
 * `staircase`.
 *
 * @example
 * const lr = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.96 });
 * model.compile({ optimizer: optimizers.sgd({ learningRate: lr }), loss: 'categoricalCrossentropy' });
 */
export function exponentialDecay(args: ExponentialDecayArgs): SerializableSchedule {
  const { initialLearningRate, decaySteps, decayRate, staircase = false } = args;
  check(decaySteps > 0, 'exponentialDecay', 'decaySteps > 0', decaySteps);
  return serializable('ExponentialDecay', { initialLearningRate, decaySteps, decayRate, staircase }, (step) => {
    const p = step / decaySteps;
    return initialLearningRate * decayRate ** (staircase ? Math.floor(p) : p);
  });
}

export interface CosineDecayArgs {
  /** Starting learning rate (the warmup's start when warming up). */
  initialLearningRate: number;
  /** Steps of the cosine part, after any warmup. */
  decaySteps: number;
  /** Final learning rate as a fraction of the decay's starting rate (default 0). */
  alpha?: number;
  /** If given, rise linearly from initialLearningRate to this over warmupSteps, then decay from it. */
  warmupTarget?: number | null;
  warmupSteps?: number;
}

/**
 * Cosine decay with optional linear warmup (Keras 3 CosineDecay): without warmup,
 * lr = initial · ((1 − alpha) · ½(1 + cos(π · min(step, decaySteps) / decaySteps)) + alpha);
 * with warmupTarget, the first warmupSteps rise linearly to warmupTarget, and the cosine then
 * decays from warmupTarget over decaySteps.
 *
 * @example
 * const lr = schedules.cosineDecay({ initialLearningRate: 0, decaySteps: 1000, warmupTarget: 1e-3, warmupSteps: 100 });
 * optimizers.adamW({ learningRate: lr });
 */
export function cosineDecay(args: CosineDecayArgs): SerializableSchedule {
  const { initialLearningRate, decaySteps, alpha = 0, warmupTarget = null, warmupSteps = 0 } = args;
  check(decaySteps > 0, 'cosineDecay', 'decaySteps > 0', decaySteps);
  check(alpha >= 0 && alpha <= 1, 'cosineDecay', 'alpha in [0, 1]', alpha);
  check(warmupSteps >= 0, 'cosineDecay', 'warmupSteps >= 0', warmupSteps);
  const decay = (step: number, from: number) => {
    const cosine = 0.5 * (1 + Math.cos((Math.PI * step) / decaySteps));
    return from * ((1 - alpha) * cosine + alpha);
  };
  const config = { initialLearningRate, decaySteps, alpha, warmupTarget, warmupSteps };
  return serializable('CosineDecay', config, (step) => {
    if (warmupTarget === null) return decay(Math.min(step, decaySteps), initialLearningRate);
    const s = Math.min(step, decaySteps + warmupSteps);
    if (s < warmupSteps) return initialLearningRate + ((warmupTarget - initialLearningRate) * s) / warmupSteps;
    return decay(s - warmupSteps, warmupTarget);
  });
}

export interface PiecewiseConstantArgs {
  /** Increasing step boundaries. */
  boundaries: number[];
  /** One more value than boundaries. */
  values: number[];
}

/**
 * values[0] while step ≤ boundaries[0], values[i] while boundaries[i−1] < step ≤ boundaries[i],
 * and the last value after the last boundary (Keras PiecewiseConstantDecay).
 *
 * @example
 * // 1e-2 for steps 0..1000, 1e-3 for 1001..2000, then 1e-4
 * const lr = schedules.piecewiseConstant({ boundaries: [1000, 2000], values: [1e-2, 1e-3, 1e-4] });
 */
export function piecewiseConstant(args: PiecewiseConstantArgs): SerializableSchedule {
  const boundaries = [...args.boundaries];
  const values = [...args.values];
  check(values.length === boundaries.length + 1, 'piecewiseConstant', `${boundaries.length + 1} values (one more than boundaries)`, values);
  check(
    boundaries.every((b, i) => i === 0 || b > boundaries[i - 1]!),
    'piecewiseConstant',
    'increasing boundaries',
    boundaries,
  );
  return serializable('PiecewiseConstantDecay', { boundaries, values }, (step) => {
    const i = boundaries.findIndex((b) => step <= b);
    return values[i === -1 ? boundaries.length : i]!;
  });
}

export interface PiecewiseLinearArgs {
  /** Increasing steps at which the rate takes the matching value. */
  boundaries: number[];
  /** One value per boundary. */
  values: number[];
}

/**
 * Linear interpolation between (boundaries[i], values[i]); values[0] before the first boundary and
 * the last value after the last. Keras has no such schedule (its PiecewiseConstantDecay steps);
 * it is the triangular warm-up and decay of one-cycle schedules and airbench, saved under the
 * class name 'PiecewiseLinear', which only Convkit reads back.
 *
 * @example
 * // from 0.15 up to 0.75 over 1,000 steps, then down to 0.05 at step 4,000
 * const lr = schedules.piecewiseLinear({ boundaries: [0, 1000, 4000], values: [0.15, 0.75, 0.05] });
 */
export function piecewiseLinear(args: PiecewiseLinearArgs): SerializableSchedule {
  const boundaries = [...args.boundaries];
  const values = [...args.values];
  check(
    boundaries.length >= 1 && values.length === boundaries.length,
    'piecewiseLinear',
    `one value per boundary (${boundaries.length})`,
    values,
  );
  check(
    boundaries.every((b, i) => Number.isFinite(b) && (i === 0 || b > boundaries[i - 1]!)),
    'piecewiseLinear',
    'increasing boundaries',
    boundaries,
  );
  return serializable('PiecewiseLinear', { boundaries, values }, (step) => {
    if (step <= boundaries[0]!) return values[0]!;
    const i = boundaries.findIndex((b) => step <= b);
    if (i === -1) return values[values.length - 1]!;
    const t = (step - boundaries[i - 1]!) / (boundaries[i]! - boundaries[i - 1]!);
    return values[i - 1]! + t * (values[i]! - values[i - 1]!);
  });
}

/**
 * The schedules, by their camelCase names.
 *
 * @example
 * optimizers.sgd({ learningRate: schedules.piecewiseConstant({ boundaries: [100], values: [0.1, 0.01] }) });
 */
export const schedules = { exponentialDecay, cosineDecay, piecewiseConstant, piecewiseLinear };

/**
 * Rebuilds a schedule from `{className, config}` (what an optimizer's getConfig records).
 *
 * @example
 * const lr = scheduleFromConfig({ className: 'ExponentialDecay', config: { initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 } });
 */
export function scheduleFromConfig(spec: { className: string; config: Record<string, unknown> }): SerializableSchedule {
  const c = spec.config;
  if (spec.className === 'ExponentialDecay') return exponentialDecay(c as unknown as ExponentialDecayArgs);
  if (spec.className === 'CosineDecay') return cosineDecay(c as unknown as CosineDecayArgs);
  if (spec.className === 'PiecewiseConstantDecay') return piecewiseConstant(c as unknown as PiecewiseConstantArgs);
  if (spec.className === 'PiecewiseLinear') return piecewiseLinear(c as unknown as PiecewiseLinearArgs);
  throw new Error(
    `scheduleFromConfig: unknown schedule class '${spec.className}'; expected ExponentialDecay, CosineDecay, PiecewiseConstantDecay or PiecewiseLinear`,
  );
}
