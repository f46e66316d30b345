/**
 * Activation layers with options: ReLU (maxValue, negativeSlope, threshold), LeakyReLU, ELU and
 * Softmax along any axis. Each is composed from differentiable ops.
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { normalizeAxis } from '../tensor/shape.js';
import { elu } from './activations.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './shape-types.js';

/** Shape-preserving activation layers. */
abstract class ActivationLayer extends Layer {
  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }
}

function finite(v: number, name: string, where: string, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
    throw new Error(`${where}: expected ${name} to be a number >= ${min}, received ${v}`);
  return v;
}

export interface ReLUArgs extends LayerArgs {
  /** Upper bound of the output (none by default). */
  maxValue?: number | null;
  /** Slope below the threshold (default 0). */
  negativeSlope?: number;
  /** Inputs below it are scaled by negativeSlope (default 0). */
  threshold?: number;
}

/**
 * Keras's ReLU: maxValue where x ≥ maxValue, x where threshold ≤ x < maxValue, else
 * negativeSlope·(x − threshold).
 *
 * @example
 * layers.reLU({ maxValue: 6 });   // ReLU6
 */
export class ReLU extends ActivationLayer {
  readonly className = 'ReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(args: ReLUArgs = {}) {
    super(args, 're_lu');
    const where = `ReLU "${this.name}"`;
    this.maxValue = args.maxValue === undefined || args.maxValue === null ? null : finite(args.maxValue, 'maxValue', where, 0);
    this.negativeSlope = finite(args.negativeSlope ?? 0, 'negativeSlope', where, 0);
    this.threshold = finite(args.threshold ?? 0, 'threshold', where, 0);
  }

  call(x: Tensor): Tensor {
    if (this.negativeSlope === 0 && this.threshold === 0)
      return this.maxValue === null ? ops.relu(x) : this.maxValue === 6 ? ops.relu6(x) : ops.minimum(ops.relu(x), this.maxValue);
    const above = ops.greaterEqual(x, this.threshold); // 1 or 0, a constant for the gradient
    const upper = this.maxValue === null ? x : ops.minimum(x, this.maxValue);
    const lower = ops.mul(ops.sub(x, this.threshold), this.negativeSlope);
    return ops.add(ops.mul(upper, above), ops.mul(lower, ops.sub(1, above)));
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold };
  }
}

export interface LeakyReLUArgs extends LayerArgs {
  /** Slope for x < 0 (default 0.3, as TensorFlow.js and Keras). */
  alpha?: number;
  /** Keras 3's name for alpha. */
  negativeSlope?: number;
}

/**
 * x for x ≥ 0, alpha·x otherwise.
 *
 * @example
 * layers.leakyReLU({ alpha: 0.1 });
 */
export class LeakyReLU extends ActivationLayer {
  readonly className = 'LeakyReLU';
  readonly alpha: number;

  constructor(args: LeakyReLUArgs = {}) {
    super(args, 'leaky_re_lu');
    const where = `LeakyReLU "${this.name}"`;
    if (args.alpha !== undefined && args.negativeSlope !== undefined && args.alpha !== args.negativeSlope) {
      throw new Error(`${where}: alpha (${args.alpha}) and negativeSlope (${args.negativeSlope}) name the same slope; give one`);
    }
    this.alpha = finite(args.alpha ?? args.negativeSlope ?? 0.3, 'alpha', where);
  }

  call(x: Tensor): Tensor {
    return ops.sub(ops.relu(x), ops.mul(ops.relu(ops.neg(x)), this.alpha));
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export interface ELUArgs extends LayerArgs {
  /** Scale of the negative part (default 1). */
  alpha?: number;
}

/**
 * x for x > 0, alpha·(eˣ − 1) otherwise.
 *
 * @example
 * layers.elu({ alpha: 0.5 });
 */
export class ELU extends ActivationLayer {
  readonly className = 'ELU';
  readonly alpha: number;

  constructor(args: ELUArgs = {}) {
    super(args, 'elu');
    this.alpha = finite(args.alpha ?? 1, 'alpha', `ELU "${this.name}"`);
  }

  call(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export interface SoftmaxArgs extends LayerArgs {
  /** The axis that sums to 1 (default -1). */
  axis?: number;
}

/**
 * Softmax along `axis`.
 *
 * @example
 * layers.softmax({ axis: 1 });
 */
export class Softmax extends ActivationLayer {
  readonly className = 'Softmax';
  readonly axis: number;

  constructor(args: SoftmaxArgs = {}) {
    super(args, 'softmax');
    this.axis = args.axis ?? -1;
    if (!Number.isInteger(this.axis)) throw new Error(`Softmax "${this.name}": expected axis to be an integer, received ${this.axis}`);
  }

  call(x: Tensor): Tensor {
    const axis = normalizeAxis(this.axis, x.rank, `Softmax "${this.name}"`);
    const last = x.rank - 1;
    if (axis === last) return ops.softmax(x);
    // Swap the axis with the last one, softmax, swap back (a swap is its own inverse).
    const perm = [...x.shape.keys()].map((i) => (i === axis ? last : i === last ? axis : i));
    return ops.transpose(ops.softmax(ops.transpose(x, perm)), perm);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), axis: this.axis };
  }
}

registerLayer('ReLU', (config: ReLUArgs) => new ReLU(config));
registerLayer('LeakyReLU', (config: LeakyReLUArgs) => new LeakyReLU(config));
registerLayer('ELU', (config: ELUArgs) => new ELU(config));
registerLayer('Softmax', (config: SoftmaxArgs) => new Softmax(config));
