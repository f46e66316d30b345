/**
 * fit, evaluate and predict over a stream of batches (a `Dataset` of [x, y], or any async
 * iterable of them), as Keras's `fit(dataset)`: each epoch is one pass over the dataset (or
 * `stepsPerEpoch` batches from one iterator that continues across epochs, for an endless
 * dataset). Batches are pulled one at a time, so memory holds what the pipeline holds plus one
 * step. Validation data may be a dataset or [x, y] arrays. The per-step arithmetic is fit.ts's.
 */
import { noGrad } from '../autograd/tape.js';
import * as ops from '../ops/index.js';
import { withBufferScope } from '../tensor/buffer-pool.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { Callback, CallbackList, History, type Logs } from './callbacks.js';
import { evaluateLogs } from './evaluate.js';
import { trainStep } from './fit-step.js';
import { TrainingError } from './fit.js';
import { ProgressBar, type ProgressStream } from './progbar.js';
import { TerminateOnNaN } from './terminate-on-nan.js';
import type { Compiled, TrainableModel } from './types.js';

/** A stream of [x, y] batches; `size` (batches per pass) when known. */
export interface BatchSource {
  [Symbol.asyncIterator](): AsyncIterator<readonly [Tensor, Tensor]>;
  readonly size?: number | null;
}

/** A stream of input batches (predict), or of [x, y] batches whose x is used. */
export interface InputSource {
  [Symbol.asyncIterator](): AsyncIterator<Tensor | readonly [Tensor, ...Tensor[]]>;
  readonly size?: number | null;
}

export interface FitDatasetArgs {
  epochs?: number;
  /** Batches per epoch; required for an endless dataset (then one iterator runs across epochs). */
  stepsPerEpoch?: number;
  validationData?: BatchSource | [Tensor, Tensor];
  /** 0 silent, 1 progress bar (one line per epoch when the dataset's size is unknown), 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
  callbacks?: Callback[];
  initialEpoch?: number;
  progressStream?: ProgressStream;
}

/** True for a Dataset-like argument (what Model.fit / evaluate / predict branch on). */
export function isBatchStream(x: unknown): x is BatchSource & InputSource {
  return !(x instanceof Tensor) && x !== null && typeof x === 'object' && Symbol.asyncIterator in x;
}

function checkBatch(value: unknown, where: string, index: number): readonly [Tensor, Tensor] {
  const ok = Array.isArray(value) && value.length >= 2 && value[0] instanceof Tensor && value[1] instanceof Tensor;
  if (!ok)
    throw new Error(
      `${where}: element ${index} of the dataset is not an [x, y] pair of tensors; batch a Dataset of [x, y] samples (Dataset.fromArrays(x, y).batch(n))`,
    );
  const [x, y] = value as [Tensor, Tensor];
  if (x.rank === 0 || y.rank === 0 || x.shape[0] !== y.shape[0]) {
    throw new Error(
      `${where}: batch ${index} holds x ${formatShape(x.shape)} and y ${formatShape(y.shape)}; they must hold the same number of samples`,
    );
  }
  return [x, y];
}

/** Trains on a stream of batches; see Model.fit. */
export async function fitDataset(
  model: TrainableModel,
  compiled: Compiled | null,
  data: BatchSource,
  args: FitDatasetArgs = {},
): Promise<History> {
  if (!compiled) throw new Error(`fit: model "${model.name}" must be compiled first: call model.compile({ optimizer, loss }) before fit`);
  const { epochs = 1, initialEpoch = 0, stepsPerEpoch } = args;
  let verbose = args.verbose ?? 1;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: expected epochs to be a non-negative integer, received ${epochs}`);
  if (stepsPerEpoch !== undefined && (!Number.isInteger(stepsPerEpoch) || stepsPerEpoch < 1))
    throw new Error(`fit: expected stepsPerEpoch to be a positive integer, received ${stepsPerEpoch}`);
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new Error(`fit: expected verbose 0, 1 or 2, received ${String(verbose)}`);
  const size = data.size ?? null;
  if (size === Infinity && stepsPerEpoch === undefined)
    throw new Error('fit: the dataset is endless (repeat() without a count); pass stepsPerEpoch');
  const steps = stepsPerEpoch ?? size;
  if (steps === null && verbose === 1) verbose = 2; // no total to draw a bar against

  const history = new History();
  const progress = verbose > 0 ? [new ProgressBar(verbose as 1 | 2, args.progressStream)] : [];
  const callbacks = new CallbackList([...(args.callbacks ?? []), history, ...progress]);
  const cleanNaNStop = callbacks.callbacks.some((c) => c instanceof TerminateOnNaN);
  const metricNames = ['loss', ...compiled.metrics.map((m) => m.name)];
  callbacks.setup(model, { epochs, steps: steps ?? 0, samples: 0, batchSize: 0, verbose, metrics: metricNames });
  model.stopTraining = false;

  let shared: AsyncIterator<readonly [Tensor, Tensor]> | null = stepsPerEpoch === undefined ? null : data[Symbol.asyncIterator]();
  await callbacks.call('onTrainBegin', {});
  for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    await callbacks.callIndexed('onEpochBegin', epoch, {});
    const it = shared ?? data[Symbol.asyncIterator]();
    const totals = new Float64Array(metricNames.length);
    let seen = 0;
    let step = 0;
    for (; stepsPerEpoch === undefined || step < stepsPerEpoch; step++) {
      const next = await it.next();
      if (next.done) {
        if (stepsPerEpoch !== undefined) {
          model.stopTraining = true; // as Keras: the data ran out before stepsPerEpoch × epochs
          shared = null;
        }
        break;
      }
      const [xb, yb] = checkBatch(next.value, 'fit', step);
      if (epoch === initialEpoch && step === 0) model.ensureBuilt([xb.shape]);
      await callbacks.callIndexed('onTrainBatchBegin', step, { batch: step, size: xb.shape[0]! });
      const { lossValue, metricSums } = trainStep(
        model,
        compiled,
        () => [[xb], yb],
        (value) => {
          if (!Number.isFinite(value) && !cleanNaNStop) {
            throw new TrainingError(
              `fit: the loss became ${value} at epoch ${epoch + 1}, batch ${step + 1}; training stopped. Check the inputs for NaN/Infinity and try a lower learning rate.`,
              history,
            );
          }
        },
      );
      const n = xb.shape[0]!;
      seen += n;
      totals[0] += lossValue * n;
      metricSums.forEach((v, i) => (totals[i + 1] += v));
      const logs: Logs = {};
      metricNames.forEach((name, i) => (logs[name] = totals[i]! / seen));
      await callbacks.callIndexed('onTrainBatchEnd', step, logs);
      if (model.stopTraining) break;
    }
    if (seen === 0) throw new Error(`fit: the dataset gave no batches in epoch ${epoch + 1}`);
    const epochLogs: Logs = {};
    metricNames.forEach((name, i) => (epochLogs[name] = totals[i]! / seen));
    const v = args.validationData;
    if (v)
      Object.assign(
        epochLogs,
        Array.isArray(v)
          ? await evaluateLogs(model, compiled, [v[0]], v[1], 32, 'val_')
          : await evaluateDataset(model, compiled, v as BatchSource, 'val_'),
      );
    await callbacks.callIndexed('onEpochEnd', epoch, epochLogs);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await callbacks.call('onTrainEnd', {});
  return history;
}

/** Mean loss and metrics over every batch of `data` (keys prefixed, e.g. 'val_'). */
export async function evaluateDataset(model: TrainableModel, compiled: Compiled, data: BatchSource, prefix = ''): Promise<Logs> {
  const totals = new Float64Array(1 + compiled.metrics.length);
  let n = 0;
  let index = 0;
  for await (const value of data) {
    const [xb, yb] = checkBatch(value, 'evaluate', index++);
    noGrad(() =>
      withBufferScope(() => {
        const pred = model.apply(xb, { training: false });
        totals[0] += ops.sum(compiled.loss.fn(yb, pred)).item();
        compiled.metrics.forEach((m, i) => (totals[i + 1] += ops.sum(m.fn(yb, pred)).item()));
      }),
    );
    n += xb.shape[0]!;
  }
  if (n === 0) throw new Error('evaluate: the dataset gave no samples');
  const penalty = noGrad(() => model.regularizationLosses().reduce((total, p) => total + p.item(), 0));
  const logs: Logs = { [`${prefix}loss`]: totals[0]! / n + penalty };
  compiled.metrics.forEach((m, i) => (logs[`${prefix}${m.name}`] = totals[i + 1]! / n));
  return logs;
}

/** The model's outputs for every batch of `data` (x batches, or the x of [x, y] batches), joined. */
export async function predictDataset(model: TrainableModel, data: InputSource): Promise<Tensor> {
  const parts: Tensor[] = [];
  let index = 0;
  for await (const value of data) {
    const xb = value instanceof Tensor ? value : Array.isArray(value) && value[0] instanceof Tensor ? value[0] : null;
    if (!xb) throw new Error(`predict: element ${index} of the dataset is neither a tensor nor an [x, ...] array of tensors`);
    index++;
    noGrad(() =>
      withBufferScope(() => {
        const out = model.apply(xb, { training: false });
        parts.push(new Tensor(out.data.slice(), out.shape)); // copied out of the recycled buffers
      }),
    );
  }
  if (parts.length === 0) throw new Error('predict: the dataset gave no samples');
  return parts.length === 1 ? parts[0]! : ops.concat(parts, 0);
}
