/**
 * Weight initializers with Keras names, defaults and fan computation (for a conv kernel
 * [kH, kW, in, out]: fanIn = kH·kW·in, fanOut = kH·kW·out). Drawn from the seeded generator.
 */
import { Tensor } from '../tensor/tensor.js';
import { globalRandom, type Random } from '../tensor/random.js';
import { sizeOf } from '../tensor/shape.js';

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

type Mode = 'fanIn' | 'fanOut' | 'fanAvg';
type Distribution = 'uniform' | 'truncatedNormal';

/** Keras's VarianceScaling, of which the Glorot and He initializers are instances. */
class VarianceScaling implements Initializer {
  constructor(
    readonly className: string,
    private readonly scale: number,
    private readonly mode: Mode,
    private readonly distribution: Distribution,
  ) {}
  init(shape: readonly number[], rng: Random = globalRandom): Tensor {
    const { fanIn, fanOut } = fans(shape);
    const n = this.mode === 'fanIn' ? fanIn : this.mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = this.scale / Math.max(1, n);
    if (this.distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      return make(shape, () => (2 * rng.uniform() - 1) * limit);
    }
    // 0.8796... is the stddev of a unit normal truncated at ±2; dividing keeps the variance.
    const stddev = Math.sqrt(variance) / 0.87962566103423978;
    return make(shape, () => truncatedNormal(rng, stddev));
  }
  getConfig(): Record<string, unknown> {
    return { seed: null };
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
  readonly className = 'RandomNormal';
  constructor(
    private readonly mean = 0,
    private readonly stddev = 0.05,
  ) {}
  init(shape: readonly number[], rng: Random = globalRandom): Tensor {
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
 * The initializers, by the camelCase names TensorFlow.js users write.
 *
 * @example
 * layers.dense({ units: 10, kernelInitializer: 'heNormal' });
 * initializers.glorotUniform().init([3, 3, 1, 32]);
 */
export const initializers = {
  glorotUniform: () => new VarianceScaling('GlorotUniform', 1, 'fanAvg', 'uniform'),
  glorotNormal: () => new VarianceScaling('GlorotNormal', 1, 'fanAvg', 'truncatedNormal'),
  heNormal: () => new VarianceScaling('HeNormal', 2, 'fanIn', 'truncatedNormal'),
  heUniform: () => new VarianceScaling('HeUniform', 2, 'fanIn', 'uniform'),
  lecunNormal: () => new VarianceScaling('LecunNormal', 1, 'fanIn', 'truncatedNormal'),
  lecunUniform: () => new VarianceScaling('LecunUniform', 1, 'fanIn', 'uniform'),
  zeros: () => new Constant('Zeros', 0),
  ones: () => new Constant('Ones', 1),
  constant: (value: number) => new Constant('Constant', value),
  randomNormal: (options: { mean?: number; stddev?: number } = {}) => new RandomNormal(options.mean, options.stddev),
  randomUniform: (options: { minval?: number; maxval?: number } = {}) => new RandomUniform(options.minval, options.maxval),
};

export type InitializerName =
  Exclude<keyof typeof initializers, 'constant' | 'randomNormal' | 'randomUniform'> | 'randomNormal' | 'randomUniform';

/** Keras class name → factory, for rebuilding from a config. */
const BY_CLASS: Record<string, (config: Record<string, unknown>) => Initializer> = {
  GlorotUniform: () => initializers.glorotUniform(),
  GlorotNormal: () => initializers.glorotNormal(),
  HeNormal: () => initializers.heNormal(),
  HeUniform: () => initializers.heUniform(),
  LecunNormal: () => initializers.lecunNormal(),
  LecunUniform: () => initializers.lecunUniform(),
  Zeros: () => initializers.zeros(),
  Ones: () => initializers.ones(),
  Constant: (c) => initializers.constant(Number(c['value'] ?? 0)),
  RandomNormal: (c) => initializers.randomNormal(c as { mean?: number; stddev?: number }),
  RandomUniform: (c) => initializers.randomUniform(c as { minval?: number; maxval?: number }),
};

/** What layer options accept: a name, an initializer, or a serialized `{className, config}`. */
export type InitializerIdentifier = InitializerName | Initializer | { className: string; config?: Record<string, unknown> };

/** Resolves an identifier to an initializer; `where` names the layer option for errors. */
export function getInitializer(id: InitializerIdentifier, where: string): Initializer {
  if (typeof id === 'string') {
    const className = id.charAt(0).toUpperCase() + id.slice(1);
    const factory = BY_CLASS[className];
    if (!factory) {
      throw new Error(
        `${where}: unknown initializer '${id}'; expected one of ${Object.keys(initializers)
          .filter((k) => k !== 'constant')
          .join(', ')}`,
      );
    }
    return factory({});
  }
  if ('init' in id) return id;
  const factory = BY_CLASS[id.className];
  if (!factory)
    throw new Error(`${where}: unknown initializer class '${id.className}'; expected one of ${Object.keys(BY_CLASS).join(', ')}`);
  return factory(id.config ?? {});
}

/** The serialized form `{className, config}`. */
export function serializeInitializer(init: Initializer): { className: string; config: Record<string, unknown> } {
  return { className: init.className, config: init.getConfig() };
}
