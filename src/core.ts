/**
 * Convkit's browser-safe core (`convkit/core`): tensors, autograd, ops, layers, models, training,
 * the TypeScript backend and in-memory data helpers, with no Node.js built-in anywhere in its
 * import graph, so it bundles for a browser. The Node.js entry (`convkit`) re-exports all of it
 * and adds the native backend, the dataset file loaders, CSVLogger and the CLI.
 *
 * @example
 * import { sequential, layers, oneHot, tensor } from 'convkit/core';
 * const model = sequential([layers.dense({ units: 2, activation: 'softmax', inputShape: [3] })]);
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
 * await model.fit(tensor([[0, 1, 2]]), oneHot([1], 2), { epochs: 1, verbose: 0 });
 */
export { Tensor, tensor, zeros, fill, type DType, type TensorLike } from './tensor/tensor.js';
export { Variable } from './tensor/variable.js';
export { Random, setSeed } from './tensor/random.js';
export { getBackend, setBackend, type Backend, type BackendName } from './backends/index.js';
export { gradients } from './autograd/gradients.js';
export { noGrad } from './autograd/tape.js';
export * as ops from './ops/index.js';
export * from './layers/index.js';
export { Model, type BatchArgs, type CompileArgs } from './models/model.js';
export { Sequential, sequential, type SequentialArgs } from './models/sequential.js';
export { Functional, model, type FunctionalArgs } from './models/functional.js';
export { zoo } from './models/zoo.js';
export { airbench, initWhitening, type AirbenchArgs } from './models/airbench.js';
export { regularizers, type Regularizer } from './regularizers/index.js';
export { losses, type LossFn, type LossName } from './losses/index.js';
export { metrics, type MetricFn, type MetricName } from './metrics/index.js';
export {
  optimizers,
  Optimizer,
  SGD,
  Adam,
  AdamW,
  Adamax,
  Nadam,
  Adagrad,
  RMSprop,
  schedules,
  scheduleFromConfig,
  type LearningRateSchedule,
  type OptimizerArgs,
  type SerializableSchedule,
} from './optimizers/index.js';
export {
  Callback,
  CustomCallback,
  History,
  type CallbackHooks,
  type CallbackLike,
  type Logs,
  type FitParams,
} from './training/callbacks.js';
export { EarlyStopping, type EarlyStoppingArgs } from './training/early-stopping.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauArgs } from './training/reduce-lr-on-plateau.js';
export { LearningRateScheduler, type EpochSchedule } from './training/learning-rate-scheduler.js';
export { TerminateOnNaN } from './training/terminate-on-nan.js';
export { Lookahead, type LookaheadArgs } from './training/lookahead.js';
export { ModelCheckpoint, type ModelCheckpointArgs } from './training/model-checkpoint.js';
export { FitState, type ResumePoint } from './training/fit-state.js';
export type { MonitorMode } from './training/callback-support.js';
export { ProgressBar } from './training/progbar.js';
export { TrainingError, type FitArgs } from './training/fit.js';
export type { DataLike, InputsLike, NestedNumbers } from './training/validate.js';
export { oneHot } from './ops/one-hot.js';
export type { BatchSource, FitDatasetArgs, InputSource } from './training/fit-dataset.js';
export { Dataset, stackElements, type Batched } from './data/dataset.js';
