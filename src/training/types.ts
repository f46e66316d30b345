/**
 * What the training loop needs from a model and from `compile`. Models implement this; the
 * loop never imports a model class, so dependencies point one way (models → training).
 */
import type { LossFn } from '../losses/index.js';
import type { MetricFn } from '../metrics/index.js';
import type { Optimizer } from '../optimizers/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';

export interface TrainableModel {
  readonly name: string;
  /** Runs the model on a batch. */
  apply(x: Tensor, ctx: { training: boolean }): Tensor;
  /** Throws a clear error if a batch of this shape cannot go into the model. */
  checkInput(shape: readonly number[]): void;
  /** Output shape with null batch. */
  readonly outputShape: (number | null)[];
  readonly trainableWeights: Variable[];
  /** Every weight, trainable first (callbacks such as EarlyStopping snapshot and restore them). */
  readonly weights: Variable[];
  /** What `compile` resolved (callbacks reach the optimizer through it); null before compile. */
  readonly compiled: Compiled | null;
  /** Weight penalties (kernelRegularizer...) to add to the loss, recomputed each step. */
  regularizationLosses(): Tensor[];
  /** Set by a callback to end `fit`: the current batch finishes, then the epoch ends (as Keras 3). */
  stopTraining: boolean;
}

/** What `compile` resolved. */
export interface Compiled {
  optimizer: Optimizer;
  loss: { name: string; fn: LossFn };
  metrics: { name: string; fn: MetricFn }[];
}
