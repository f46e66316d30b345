/**
 * Variable: a named, mutable tensor that gradients are taken with respect to (layer weights).
 * Optimizers update its buffer in place; `assign` copies new values in (weight loading).
 */
import { Tensor } from './tensor.js';
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
    super(initial.data.slice(), initial.shape);
    this.name = name;
    this.trainable = trainable;
    this.requiresGrad = trainable;
  }

  /** Copies `value` into this variable; shapes must match. */
  assign(value: Tensor): void {
    if (!shapesEqual(value.shape, this.shape)) {
      throw new Error(
        `${this.name}: cannot assign a value of shape ${formatShape(value.shape)} to a variable of shape ${formatShape(this.shape)}`,
      );
    }
    this.data.set(value.data);
  }

  /** Freezes or unfreezes the variable (a frozen variable gets no gradient and no update). */
  setTrainable(trainable: boolean): void {
    this.trainable = trainable;
    this.requiresGrad = trainable;
  }
}
