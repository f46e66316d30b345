/**
 * What the training loop needs from a model and from `compile`. Models implement this; the
 * loop never imports a model class, so dependencies point one way (models → training).
 */
import type { Shape } from '../layers/shape-types.js';
import type { LossFn } from '../losses/index.js';
import type { MetricFn } from '../metrics/index.js';
import type { Optimizer } from '../optimizers/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';

export interface TrainableModel {
  readonly name: string;
  /** Runs the model on a batch (one tensor per model input). */
  apply(x: Tensor | Tensor[], ctx: { training: boolean }): Tensor;
  /** The shape of each input, batch null; null while a Sequential without an input shape is unbuilt. */
  readonly inputShapes: Shape[] | null;
  /** Builds an unbuilt model for inputs of these shapes (the first data it sees). */
  ensureBuilt(inputShapes: readonly (readonly number[])[]): void;
  /** Output shape with null batch. */
  readonly outputShape: (number | null)[];
  readonly trainableWeights: Variable[];
  /** Every weight, trainable first (callbacks such as EarlyStopping snapshot and restore them). */
  readonly weights: Variable[];
  /** What `compile` resolved (callbacks reach the optimizer through it); null before compile. */
  readonly compiled: Compiled | null;
  /** Weight penalties (kernelRegularizer...) to add to the loss, recomputed each step. */
  regularizationLosses(): Tensor[];
  /** Saves the whole model or its weights (ModelCheckpoint); Model has them once src/io is loaded. */
  save?(path: string): Promise<void>;
  saveWeights?(path: string): Promise<void>;
  /** Set by a callback to end `fit`: the current batch finishes, then the epoch ends (as Keras 3). */
  stopTraining: boolean;
}

/**
 * What a loss or metric reads as targets: 'dense', the output's own shape (one-hot rows,
 * regression values); 'sparse', integer class indices (the output's shape without its last
 * axis, or with it as 1). Unknown (undefined) for user functions.
 */
export type TargetKind = 'dense' | 'sparse';

/** What `compile` resolved. */
export interface Compiled {
  optimizer: Optimizer;
  loss: { name: string; fn: LossFn; targets?: TargetKind };
  metrics: { name: string; fn: MetricFn; targets?: TargetKind }[];
}
