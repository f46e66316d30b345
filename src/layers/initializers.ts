/**
 * Weight initializers with Keras names, defaults and fan computation (for a conv kernel
 * [kH, kW, in, out]: fanIn = kH·kW·in, fanOut = kH·kW·out). Drawn from the seeded generator.
 * Names and configs are read in every spelling a Keras 3, Keras 2 or TensorFlow.js config
 * carries: `glorot_uniform`, `GlorotUniform`, `glorotUniform`, tfjs's `leCunNormal`, and
 * `{className|class_name, config}` with camelCase or snake_case keys and values (`fan_in`).
 */
import { Tensor } from '../tensor/tensor.js';
import { globalRandom, type Random } from '../tensor/random.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { nameKey } from './names.js';

/** A weight initializer: makes a float32 tensor of a shape. */
export interface Initializer {
  readonly className: string;
  init(shape: readonly number[], rng?: Random): Tensor;
  getConfig(): Record<string, unknown>;
}

/** Fan-in and fan-out as Keras computes them. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  const receptive = sizeOf(shape.slice(0, -2));
  return { fanIn: receptive * shape[shape.length - 2]!, fanOut: receptive * shape[shape.length - 1]! };
}

let weightBudget: { left: number; stored: number; where: string } | null = null;

/**
 * Builds a model whose weights are about to come from a file: initializers allocate zeros (no
 * random draws, so loading leaves the global generator where it was) and at most `elements`
 * values in all, so a file's config cannot make Convkit allocate more than the file holds.
 *
 * @example
 * const layer = withWeightBudget(25_000, 'm.keras', () => layerFromConfig(spec));
 */
export function withWeightBudget<T>(elements: number, where: string, build: () => T): T {
  const outer = weightBudget;
  weightBudget = { left: elements, stored: elements, where };
  try {
    return build();
  } finally {
    weightBudget = outer;
  }
}

function make(shape: readonly number[], draw: () => number): Tensor {
  const size = sizeOf(shape);
  if (weightBudget) {
    if ((weightBudget.left -= size) < 0) {
      const { where, stored } = weightBudget;
      throw new Error(
        `${where}: expected a model whose weights fit the ${stored} values the file stores, received a config that declares more (a weight of shape [${shape.join(', ')}])`,
      );
    }
    return new Tensor(new Float32Array(size), shape);
  }
  const data = new Float32Array(size);
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return new Tensor(data, shape);
}

/** Normal truncated at two standard deviations (redrawn), as Keras's TruncatedNormal. */
function truncatedNormal(rng: Random, stddev: number): number {
  for (;;) {
    const v = rng.normal();
    if (Math.abs(v) <= 2) return v * stddev;
  }
}

/** How VarianceScaling counts units: fan-in, fan-out or their mean. */
export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
/** VarianceScaling's distributions; Keras 2's 'normal' means truncatedNormal. */
export type Distribution = 'uniform' | 'truncatedNormal' | 'untruncatedNormal';

/** Options of Keras's VarianceScaling (defaults scale 1, fanIn, truncatedNormal). */
export interface VarianceScalingArgs {
  scale?: number;
  mode?: FanMode | 'fan_in' | 'fan_out' | 'fan_avg';
  distribution?: Distribution | 'normal' | 'truncated_normal' | 'untruncated_normal';
}

function choose<T extends string>(value: unknown, allowed: Record<string, T>, what: string, where: string): T {
  const hit = typeof value === 'string' ? allowed[nameKey(value)] : undefined;
  if (!hit) {
    throw new Error(
      `${where}: expected ${what} one of ${[...new Set(Object.values(allowed))].join(', ')}, received ${JSON.stringify(value)}`,
    );
  }
  return hit;
}

function finite(value: unknown, name: string, where: string, positive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (positive && value <= 0)) {
    throw new Error(`${where}: expected ${name} to be a ${positive ? 'positive ' : ''}number, received ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Keras's VarianceScaling: variance scale / n, n the fan chosen by `mode`; the Glorot, He and
 * LeCun initializers are its special cases (and keep their own class names).
 *
 * @example
 * new VarianceScaling({ scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' }).init([3, 3, 1, 8]);
 */
export class VarianceScaling implements Initializer {
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: Distribution;
  constructor(
    args: VarianceScalingArgs = {},
    readonly className = 'VarianceScaling',
    where = 'VarianceScaling',
  ) {
    this.scale = finite(args.scale ?? 1, 'scale', where, true);
    this.mode = choose(args.mode ?? 'fanIn', { fanin: 'fanIn', fanout: 'fanOut', fanavg: 'fanAvg' }, 'mode', where);
    this.distribution = choose(
      args.distribution ?? 'truncatedNormal',
      { uniform: 'uniform', truncatednormal: 'truncatedNormal', normal: 'truncatedNormal', untruncatednormal: 'untruncatedNormal' },
      'distribution',
      where,
    );
  }
  init(shape: readonly number[], rng: Random = globalRandom): Tensor {
    const { fanIn, fanOut } = fans(shape);
    const n = this.mode === 'fanIn' ? fanIn : this.mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = this.scale / Math.max(1, n);
    if (this.distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      return make(shape, () => (2 * rng.uniform() - 1) * limit);
    }
    if (this.distribution === 'untruncatedNormal') {
      const stddev = Math.sqrt(variance);
      return make(shape, () => rng.normal() * stddev);
    }
    // 0.8796... is the stddev of a unit normal truncated at ±2; dividing keeps the variance.
    const stddev = Math.sqrt(variance) / 0.87962566103423978;
    return make(shape, () => truncatedNormal(rng, stddev));
  }
  getConfig(): Record<string, unknown> {
    if (this.className !== 'VarianceScaling') return { seed: null };
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, seed: null };
  }
}

class Constant implements Initializer {
  constructor(
    readonly className: string,
    private readonly value: number,
  ) {}
  init(shape: readonly number[]): Tensor {
    return make(shape, () => this.value);
  }
  getConfig(): Record<string, unknown> {
    return this.className === 'Constant' ? { value: this.value } : {};
  }
}

class RandomNormal implements Initializer {
  constructor(
    private readonly mean = 0,
    private readonly stddev = 0.05,
    readonly className: 'RandomNormal' | 'TruncatedNormal' = 'RandomNormal',
  ) {}
  init(shape: readonly number[], rng: Random = globalRandom): Tensor {
    if (this.className === 'TruncatedNormal') return make(shape, () => this.mean + truncatedNormal(rng, this.stddev));
    return make(shape, () => this.mean + this.stddev * rng.normal());
  }
  getConfig(): Record<string, unknown> {
    return { mean: this.mean, stddev: this.stddev, seed: null };
  }
}

class RandomUniform implements Initializer {
  readonly className = 'RandomUniform';
  constructor(
    private readonly minval = -0.05,
    private readonly maxval = 0.05,
  ) {}
  init(shape: readonly number[], rng: Random = globalRandom): Tensor {
    return make(shape, () => this.minval + (this.maxval - this.minval) * rng.uniform());
  }
  getConfig(): Record<string, unknown> {
    return { minval: this.minval, maxval: this.maxval, seed: null };
  }
}

/**
 * Keras's Orthogonal: the weights reshaped to [prod(shape[:-1]), shape[-1]] have orthonormal
 * rows or columns (whichever are fewer), from the QR decomposition of a normal matrix with
 * R's diagonal made positive, times `gain`.
 */
class Orthogonal implements Initializer {
  readonly className = 'Orthogonal';
  constructor(private readonly gain = 1) {}
  init(shape: readonly number[], rng: Random = globalRandom): Tensor {
    if (shape.length < 2) throw new Error(`Orthogonal: expected a weight of rank 2 or more, received shape ${formatShape(shape)}`);
    const rows = sizeOf(shape.slice(0, -1));
    const cols = shape[shape.length - 1]!;
    const [m, n] = [Math.max(rows, cols), Math.min(rows, cols)];
    const a = Float64Array.from({ length: m * n }, () => rng.normal()); // row-major m × n
    // Modified Gram-Schmidt on the columns: Q with R's diagonal positive (the norms).
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += a[i * n + k]! * a[i * n + j]!;
        for (let i = 0; i < m; i++) a[i * n + j]! -= dot * a[i * n + k]!;
      }
      let norm = 0;
      for (let i = 0; i < m; i++) norm += a[i * n + j]! ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < m; i++) a[i * n + j]! /= norm;
    }
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out[r * cols + c] = this.gain * (rows >= cols ? a[r * n + c]! : a[c * n + r]!);
    }
    return new Tensor(out, shape);
  }
  getConfig(): Record<string, unknown> {
    return { gain: this.gain, seed: null };
  }
}

/** Keras's Identity: `gain` on the diagonal of a 2-D weight, zeros elsewhere. */
class Identity implements Initializer {
  readonly className = 'Identity';
  constructor(private readonly gain = 1) {}
  init(shape: readonly number[]): Tensor {
    if (shape.length !== 2) throw new Error(`Identity: expected a 2-D weight (a Dense kernel), received shape ${formatShape(shape)}`);
    const out = new Float32Array(sizeOf(shape));
    for (let i = 0; i < Math.min(shape[0]!, shape[1]!); i++) out[i * shape[1]! + i] = this.gain;
    return new Tensor(out, shape);
  }
  getConfig(): Record<string, unknown> {
    return { gain: this.gain };
  }
}

/**
 * The initializers, by the camelCase names TensorFlow.js users write.
 *
 * @example
 * layers.dense({ units: 10, kernelInitializer: 'heNormal' });
 * initializers.glorotUniform().init([3, 3, 1, 32]);
 * initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'uniform' });
 */
export const initializers = {
  glorotUniform: () => new VarianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'uniform' }, 'GlorotUniform'),
  glorotNormal: () => new VarianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal' }, 'GlorotNormal'),
  heNormal: () => new VarianceScaling({ scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' }, 'HeNormal'),
  heUniform: () => new VarianceScaling({ scale: 2, mode: 'fanIn', distribution: 'uniform' }, 'HeUniform'),
  lecunNormal: () => new VarianceScaling({ scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' }, 'LecunNormal'),
  lecunUniform: () => new VarianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform' }, 'LecunUniform'),
  varianceScaling: (options: VarianceScalingArgs = {}) => new VarianceScaling(options),
  zeros: () => new Constant('Zeros', 0),
  ones: () => new Constant('Ones', 1),
  constant: (value = 0) => new Constant('Constant', finite(value, 'value', 'Constant')),
  randomNormal: (options: { mean?: number; stddev?: number } = {}) => new RandomNormal(options.mean, options.stddev),
  truncatedNormal: (options: { mean?: number; stddev?: number } = {}) => new RandomNormal(options.mean, options.stddev, 'TruncatedNormal'),
  randomUniform: (options: { minval?: number; maxval?: number } = {}) => new RandomUniform(options.minval, options.maxval),
  orthogonal: (options: { gain?: number } = {}) => new Orthogonal(finite(options.gain ?? 1, 'gain', 'Orthogonal')),
  identity: (options: { gain?: number } = {}) => new Identity(finite(options.gain ?? 1, 'gain', 'Identity')),
};

export type InitializerName = keyof typeof initializers;

/** A config with its keys in one spelling (`stddev`, `minval`, `gain`...; snake_case folded). */
function readConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [nameKey(k), v]));
}

const num = (c: Record<string, unknown>, key: string): number | undefined => (c[key] === undefined ? undefined : Number(c[key]));

/** Spelling-free name → factory from a config (Keras class names and function names alike). */
const BY_KEY = new Map<string, (c: Record<string, unknown>) => Initializer>([
  ...(['glorotUniform', 'glorotNormal', 'heNormal', 'heUniform', 'lecunNormal', 'lecunUniform', 'zeros', 'ones'] as const).map(
    (k) => [nameKey(k), () => initializers[k]()] as const,
  ),
  ['zero', () => initializers.zeros()],
  ['one', () => initializers.ones()],
  ['constant', (c) => initializers.constant(num(c, 'value') ?? 0)],
  ['randomnormal', (c) => initializers.randomNormal({ mean: num(c, 'mean'), stddev: num(c, 'stddev') })],
  ['truncatednormal', (c) => initializers.truncatedNormal({ mean: num(c, 'mean'), stddev: num(c, 'stddev') })],
  ['randomuniform', (c) => initializers.randomUniform({ minval: num(c, 'minval'), maxval: num(c, 'maxval') })],
  ['orthogonal', (c) => initializers.orthogonal({ gain: num(c, 'gain') })],
  ['identity', (c) => initializers.identity({ gain: num(c, 'gain') })],
  [
    'variancescaling',
    (c) =>
      initializers.varianceScaling({ scale: num(c, 'scale'), mode: c['mode'] as FanMode, distribution: c['distribution'] as Distribution }),
  ],
]);

/**
 * What layer options accept: a name in any spelling, an initializer, or a serialized
 * `{className, config}` (Keras's `{class_name, config}` too).
 */
export type InitializerIdentifier =
  | InitializerName
  | string
  | Initializer
  | { className: string; config?: Record<string, unknown> }
  | { class_name: string; config?: Record<string, unknown> };

/**
 * Resolves an identifier to an initializer; `where` names the layer option for errors.
 *
 * @example
 * getInitializer('glorot_uniform', 'Dense "dense" kernelInitializer').className; // 'GlorotUniform'
 * getInitializer({ class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_out' } }, 'kernel');
 */
export function getInitializer(id: InitializerIdentifier, where: string): Initializer {
  const known = () => Object.keys(initializers).join(', ');
  if (typeof id === 'string') {
    const factory = BY_KEY.get(nameKey(id));
    if (!factory) throw new Error(`${where}: unknown initializer '${id}'; expected one of ${known()}`);
    return factory({});
  }
  if (typeof id !== 'object' || id === null) {
    throw new Error(`${where}: expected an initializer name such as 'glorotUniform', received ${typeof id} ${JSON.stringify(id)}`);
  }
  if ('init' in id && typeof id.init === 'function') return id;
  const className = 'className' in id ? id.className : 'class_name' in id ? id.class_name : undefined;
  const factory = typeof className === 'string' ? BY_KEY.get(nameKey(className)) : undefined;
  if (!factory) throw new Error(`${where}: unknown initializer class ${JSON.stringify(className)}; expected one of ${known()}`);
  const config = (id as { config?: unknown }).config;
  try {
    return factory(readConfig(typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {}));
  } catch (e) {
    throw new Error(`${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The serialized form `{className, config}`. */
export function serializeInitializer(init: Initializer): { className: string; config: Record<string, unknown> } {
  return { className: init.className, config: init.getConfig() };
}
