/**
 * Variable: a named, mutable tensor that gradients are taken with respect to (layer weights).
 * Its buffer is the backend's (stored and overwritten through the backend's host memory
 * functions, so a device backend holds it as a handle); optimizer kernels update it in place,
 * `assign` copies new values in (setWeights, weight loading, restoring the best weights).
 */
import type { TensorData } from './dtype.js';
import { getHostMemory, isHostMemory, Tensor } from './tensor.js';
import { formatShape, shapesEqual } from './shape.js';

let counter = 0;

/**
 * A trainable (or frozen) weight.
 *
 * @example
 * const w = new Variable(zeros([3, 2]), 'dense/kernel');
 * w.assign(ones([3, 2]));
 */
export class Variable extends Tensor {
  readonly name: string;
  /** False for frozen weights and for non-trainable state (BatchNormalization moving statistics). */
  trainable: boolean;

  constructor(initial: Tensor, name = `variable_${counter++}`, trainable = true) {
    super(getHostMemory().store(initial.values()), initial.shape);
    this.name = name;
    this.trainable = trainable;
    this.requiresGrad = trainable;
  }

  private writes = 0;

  /**
   * Counts the writes to this variable's values (assign, fillWith, optimizer steps, moving
   * averages: each calls `markWritten`), so a cache of values derived from it (a batch norm
   * folded into a convolution's filter, src/layers/fold-batchnorm.ts) knows when it is stale.
   * Code writing into `data` directly calls `markWritten` after.
   *
   * @example
   * const before = w.version;
   * w.assign(ones([3, 2]));   // w.version === before + 1
   */
  get version(): number {
    return this.writes;
  }

  /** Records a write into `data` (see `version`). */
  markWritten(): void {
    this.writes++;
  }

  /** Copies `value` into this variable; shapes must match. */
  assign(value: Tensor): void {
    if (!shapesEqual(value.shape, this.shape)) {
      throw new Error(
        `${this.name}: cannot assign a value of shape ${formatShape(value.shape)} to a variable of shape ${formatShape(this.shape)}`,
      );
    }
    getHostMemory().write(this.data, value.values());
    this.markWritten();
  }

  /**
   * Lets `fill` write this variable's new values into a buffer of its type and size: the
   * variable's own when the backend's memory is host memory (no copy: weight loading reads files
   * straight into it), else a host buffer then copied in as `assign` does.
   *
   * @example
   * v.fillWith((buffer) => reader.readInto(path, buffer));
   */
  fillWith(fill: (buffer: TensorData) => void): void {
    this.markWritten();
    if (isHostMemory()) {
      fill(this.data);
      return;
    }
    const Ctor = this.data.constructor as new (n: number) => TensorData;
    const buffer = new Ctor(this.size);
    fill(buffer);
    getHostMemory().write(this.data, buffer);
  }

  /** Freezes or unfreezes the variable (a frozen variable gets no gradient and no update). */
  setTrainable(trainable: boolean): void {
    this.trainable = trainable;
    this.requiresGrad = trainable;
  }
}
