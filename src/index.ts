/**
 * Convkit's public API: Keras's workflow in TypeScript.
 *
 * @example
 * import { datasets, sequential, layers, oneHot } from 'convkit';
 * const { train, test } = await datasets.mnist.load();
 * const model = sequential([
 *   layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
 *   layers.maxPooling2d({ poolSize: 2 }),
 *   layers.flatten(),
 *   layers.dense({ units: 10, activation: 'softmax' }),
 * ]);
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * await model.fit(train.images, oneHot(train.labels, 10), { epochs: 1, batchSize: 200 });
 */
export { Tensor, tensor, zeros, fill, type DType, type TensorLike } from './tensor/tensor.js';
export { Variable } from './tensor/variable.js';
export { Random, setSeed } from './tensor/random.js';
export { getBackend, setBackend, type Backend, type BackendName } from './backends/index.js';
export { gradients } from './autograd/gradients.js';
export { noGrad } from './autograd/tape.js';
export * as ops from './ops/index.js';
export * from './layers/index.js';
export { Model, type CompileArgs } from './models/model.js';
export { Sequential, sequential, type SequentialArgs } from './models/sequential.js';
export { Functional, model, type FunctionalArgs } from './models/functional.js';
export { zoo } from './models/zoo.js';
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
export { Callback, History, type Logs, type FitParams } from './training/callbacks.js';
export { CSVLogger } from './training/csv-logger.js';
export { EarlyStopping, type EarlyStoppingArgs } from './training/early-stopping.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauArgs } from './training/reduce-lr-on-plateau.js';
export { LearningRateScheduler, type EpochSchedule } from './training/learning-rate-scheduler.js';
export { TerminateOnNaN } from './training/terminate-on-nan.js';
export type { MonitorMode } from './training/callback-support.js';
export { ProgressBar } from './training/progbar.js';
export { TrainingError, type FitArgs } from './training/fit.js';
export * from './data/index.js';
