/**
 * Merge layers: combine several inputs of the same shape elementwise (Add, Subtract, Multiply,
 * Average, Maximum, Minimum) with NumPy broadcasting, as in Keras; Concatenate joins them along
 * one axis (its gradient is concat's: the output gradient sliced back into the parts).
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { broadcastShapes } from '../tensor/shape.js';
import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import { showShape, type Shape } from './shape-types.js';

/** Base of layers that take a list of inputs. */
export abstract class MergeLayer extends Layer {
  /** Combines the inputs. */
  protected abstract merge(inputs: Tensor[]): Tensor;

  call(): Tensor {
    throw new Error(`Layer "${this.name}" (${this.className}) takes a list of inputs: apply([a, b])`);
  }

  computeOutputShape(): Shape {
    throw new Error(`Layer "${this.name}" (${this.className}) takes a list of input shapes`);
  }

  protected minInputs(): number {
    return 2;
  }

  protected override buildForInputs(shapes: Shape[]): void {
    this.computeOutputShapeForInputs(shapes);
    this.markBuilt(shapes);
  }

  override computeOutputShapeForInputs(shapes: Shape[]): Shape {
    if (shapes.length < this.minInputs()) {
      throw new Error(`Layer "${this.name}" (${this.className}): expected at least ${this.minInputs()} inputs, received ${shapes.length}`);
    }
    return shapes.reduce((acc, s) => {
      const out = broadcastShapes(
        acc.map((d) => d ?? 1),
        s.map((d) => d ?? 1),
      );
      if (!out) throw new Error(`Layer "${this.name}" (${this.className}): input shapes ${shapes.map(showShape).join(', ')} do not match`);
      return out.map((d, i) => (acc[acc.length - out.length + i] === null || s[s.length - out.length + i] === null ? null : d));
    });
  }

  protected override callInputs(inputs: Tensor[]): Tensor {
    return this.merge(inputs);
  }
}

const fold = (f: (a: Tensor, b: Tensor) => Tensor) => (inputs: Tensor[]) => inputs.slice(1).reduce(f, inputs[0]!);

/** Sum of the inputs. @example layers.add().apply([x, shortcut]) */
export class Add extends MergeLayer {
  readonly className = 'Add';
  constructor(args: LayerArgs = {}) {
    super(args, 'add');
  }
  protected merge = fold(ops.add);
}

/** First input minus the second. @example layers.subtract().apply([a, b]) */
export class Subtract extends MergeLayer {
  readonly className = 'Subtract';
  constructor(args: LayerArgs = {}) {
    super(args, 'subtract');
  }
  protected merge(xs: Tensor[]): Tensor {
    if (xs.length !== 2) throw new Error(`Layer "${this.name}" (Subtract): expected exactly 2 inputs, received ${xs.length}`);
    return ops.sub(xs[0]!, xs[1]!);
  }
}

/** Product of the inputs. @example layers.multiply().apply([x, gate]) */
export class Multiply extends MergeLayer {
  readonly className = 'Multiply';
  constructor(args: LayerArgs = {}) {
    super(args, 'multiply');
  }
  protected merge = fold(ops.mul);
}

/** Mean of the inputs. @example layers.average().apply([a, b, c]) */
export class Average extends MergeLayer {
  readonly className = 'Average';
  constructor(args: LayerArgs = {}) {
    super(args, 'average');
  }
  protected merge(xs: Tensor[]): Tensor {
    return ops.mul(fold(ops.add)(xs), 1 / xs.length);
  }
}

/** Elementwise maximum. @example layers.maximum().apply([a, b]) */
export class Maximum extends MergeLayer {
  readonly className = 'Maximum';
  constructor(args: LayerArgs = {}) {
    super(args, 'maximum');
  }
  protected merge = fold(ops.maximum);
}

/** Elementwise minimum. @example layers.minimum().apply([a, b]) */
export class Minimum extends MergeLayer {
  readonly className = 'Minimum';
  constructor(args: LayerArgs = {}) {
    super(args, 'minimum');
  }
  protected merge = fold(ops.minimum);
}

/** Options of Concatenate. */
export interface ConcatenateArgs extends LayerArgs {
  /** The axis to join along, counting the batch axis as 0 (default -1, the channels). */
  axis?: number;
}

/**
 * Joins its inputs along `axis`; every other dimension must agree (Keras's Concatenate), as in
 * Inception, DenseNet and U-Net blocks.
 *
 * @example
 * const merged = layers.concatenate({ axis: -1 }).apply([a, b]); // (None, 8, 8, 3) + (None, 8, 8, 5) → (None, 8, 8, 8)
 */
export class Concatenate extends MergeLayer {
  readonly className = 'Concatenate';
  readonly axis: number;
  constructor(args: ConcatenateArgs = {}) {
    super(args, 'concatenate');
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis)) throw new Error(`Concatenate "${this.name}": expected axis to be an integer, received ${String(axis)}`);
    this.axis = axis;
  }

  override computeOutputShapeForInputs(shapes: Shape[]): Shape {
    const where = `Layer "${this.name}" (Concatenate)`;
    if (shapes.length < 2) throw new Error(`${where}: expected at least 2 inputs, received ${shapes.length}`);
    const rank = shapes[0]!.length;
    const axis = this.axis < 0 ? this.axis + rank : this.axis;
    if (axis < 1 || axis >= rank) {
      throw new Error(
        `${where}: axis ${this.axis} is not a non-batch axis of inputs of rank ${rank} (shapes ${shapes.map(showShape).join(', ')})`,
      );
    }
    const fits = shapes.every(
      (s) => s.length === rank && s.every((d, i) => i === axis || d === null || shapes[0]![i] === null || d === shapes[0]![i]),
    );
    if (!fits) {
      throw new Error(
        `${where}: inputs must match on every axis but the concatenation axis ${this.axis}, received ${shapes.map(showShape).join(', ')}`,
      );
    }
    const out = [...shapes[0]!];
    out[axis] = shapes.some((s) => s[axis] === null) ? null : shapes.reduce((n, s) => n + s[axis]!, 0);
    return out;
  }

  protected merge(xs: Tensor[]): Tensor {
    return ops.concat(xs, this.axis);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), axis: this.axis };
  }
}

registerLayer('Add', (config: LayerArgs) => new Add(config));
registerLayer('Subtract', (config: LayerArgs) => new Subtract(config));
registerLayer('Multiply', (config: LayerArgs) => new Multiply(config));
registerLayer('Average', (config: LayerArgs) => new Average(config));
registerLayer('Maximum', (config: LayerArgs) => new Maximum(config));
registerLayer('Minimum', (config: LayerArgs) => new Minimum(config));
registerLayer('Concatenate', (config: ConcatenateArgs) => new Concatenate(config));
