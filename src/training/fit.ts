/**
 * The one training loop: validation split, per-epoch shuffling, batches, forward, loss,
 * gradients, optimizer step, metrics, validation, callbacks. Every argument is checked before
 * any work is done; a loss that turns NaN stops training with an error saying where, or, with a
 * TerminateOnNaN callback, ends it cleanly without applying that batch.
 */
import { gradients } from '../autograd/gradients.js';
import * as ops from '../ops/index.js';
import { globalRandom } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/tape.js';
import { withBufferScope } from '../tensor/buffer-pool.js';
import { sliceRows, takeRows } from './batches.js';
import { Callback, CallbackList, History, type Logs } from './callbacks.js';
import { checkSameLength, evaluateLogs } from './evaluate.js';
import { ProgressBar, type ProgressStream } from './progbar.js';
import { TerminateOnNaN } from './terminate-on-nan.js';
import type { Compiled, TrainableModel } from './types.js';

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  /** Fraction of the samples, taken from the end before shuffling (as Keras), held out for validation. */
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  shuffle?: boolean;
  /** 0 silent, 1 progress bar, 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
  callbacks?: Callback[];
  initialEpoch?: number;
  /** Where the progress bar writes (default stdout). */
  progressStream?: ProgressStream;
}

/** Thrown when training cannot go on (a loss turned NaN); carries the history so far. */
export class TrainingError extends Error {
  constructor(
    message: string,
    readonly history: History,
  ) {
    super(message);
    this.name = 'TrainingError';
  }
}

function checkArgs(args: FitArgs): Required<Pick<FitArgs, 'epochs' | 'batchSize' | 'shuffle' | 'verbose' | 'initialEpoch'>> {
  const { epochs = 1, batchSize = 32, shuffle = true, verbose = 1, initialEpoch = 0, validationSplit = 0 } = args;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: expected epochs to be a non-negative integer, received ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`fit: expected batchSize to be a positive integer, received ${batchSize}`);
  if (!(validationSplit >= 0 && validationSplit < 1))
    throw new Error(`fit: expected validationSplit in [0, 1), received ${validationSplit}`);
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new Error(`fit: expected verbose 0, 1 or 2, received ${String(verbose)}`);
  return { epochs, batchSize, shuffle, verbose, initialEpoch };
}

/** Runs the loss on one sample to surface target-shape errors before any training. */
function checkTargets(model: TrainableModel, compiled: Compiled, y: Tensor): void {
  const outShape = model.outputShape.map((d) => d ?? 1);
  const zero = new Tensor(new Float32Array(outShape.reduce((a, d) => a * d, 1)).fill(1 / (outShape[outShape.length - 1] ?? 1)), outShape);
  noGrad(() => compiled.loss.fn(sliceRows(y, 0, 1), zero));
}

/**
 * How many of `samples` fit trains on with `validationSplit` (Keras: the last fraction is held
 * out, rounding the training part down).
 *
 * @example
 * trainingSamples(60000, 0.2); // 48000
 */
export function trainingSamples(samples: number, validationSplit: number): number {
  return Math.floor(samples * (1 - validationSplit));
}

/**
 * Optimizer steps in one epoch of fit: what a schedule's decaySteps counts.
 *
 * @example
 * stepsPerEpoch(60000, 0.2, 200); // 240
 */
export function stepsPerEpoch(samples: number, validationSplit: number, batchSize: number): number {
  return Math.ceil(trainingSamples(samples, validationSplit) / batchSize);
}

/** Trains `model` on (x, y); see Model.fit for the user-facing documentation. */
export async function fit(model: TrainableModel, compiled: Compiled | null, x: Tensor, y: Tensor, args: FitArgs = {}): Promise<History> {
  if (!compiled) throw new Error(`fit: model "${model.name}" must be compiled first: call model.compile({ optimizer, loss }) before fit`);
  const { epochs, batchSize, shuffle, verbose, initialEpoch } = checkArgs(args);
  checkSameLength(x, y, 'fit');
  model.checkInput([batchSize, ...x.shape.slice(1)]);
  checkTargets(model, compiled, y);

  let [xTrain, yTrain] = [x, y];
  let validation = args.validationData ?? null;
  if (!validation && args.validationSplit) {
    const splitAt = trainingSamples(x.shape[0]!, args.validationSplit);
    validation = [sliceRows(x, splitAt, x.shape[0]!), sliceRows(y, splitAt, y.shape[0]!)];
    [xTrain, yTrain] = [sliceRows(x, 0, splitAt), sliceRows(y, 0, splitAt)];
  }
  if (validation) {
    checkSameLength(validation[0], validation[1], 'fit validationData');
    model.checkInput([1, ...validation[0].shape.slice(1)]);
  }
  const samples = xTrain.shape[0]!;
  if (samples === 0) throw new Error('fit: no training samples left after the validation split');

  const steps = Math.ceil(samples / batchSize);
  const history = new History();
  const progress = verbose > 0 ? [new ProgressBar(verbose as 1 | 2, args.progressStream)] : [];
  // User callbacks first, then History and the bar (as Keras 3), so values a callback adds to the
  // epoch logs (ReduceLROnPlateau's learning_rate) reach the history and the printed line.
  const callbacks = new CallbackList([...(args.callbacks ?? []), history, ...progress]);
  const cleanNaNStop = callbacks.callbacks.some((c) => c instanceof TerminateOnNaN);
  const metricNames = ['loss', ...compiled.metrics.map((m) => m.name)];
  callbacks.setup(model, { epochs, steps, samples, batchSize, verbose, metrics: metricNames });
  model.stopTraining = false;

  await callbacks.call('onTrainBegin', {});
  for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    await callbacks.callIndexed('onEpochBegin', epoch, {});
    const order = shuffle ? globalRandom.permutation(samples) : Int32Array.from({ length: samples }, (_, i) => i);
    const totals = new Float64Array(metricNames.length);
    let seen = 0;
    for (let step = 0; step < steps; step++) {
      const start = step * batchSize;
      const end = Math.min(samples, start + batchSize);
      await callbacks.callIndexed('onTrainBatchBegin', step, { batch: step, size: end - start });
      // One step in a buffer scope: its intermediates are recycled by the next step.
      const { lossValue, metricSums } = withBufferScope(() => {
        const xb = takeRows(xTrain, order, start, end);
        const yb = takeRows(yTrain, order, start, end);
        const weights = model.trainableWeights;
        const pred = model.apply(xb, { training: true });
        const loss = model.regularizationLosses().reduce((total, penalty) => ops.add(total, penalty), ops.mean(compiled.loss.fn(yb, pred)));
        const value = loss.item();
        if (!Number.isFinite(value) && !cleanNaNStop) {
          throw new TrainingError(
            `fit: the loss became ${value} at epoch ${epoch + 1}, batch ${step + 1}; training stopped. ` +
              'Check the inputs for NaN/Infinity and try a lower learning rate.',
            history,
          );
        }
        if (Number.isFinite(value)) {
          const grads = gradients(loss, weights);
          compiled.optimizer.applyGradients(weights.flatMap((w, i) => (grads[i] ? [[w, grads[i]!] as const] : [])));
        } // else TerminateOnNaN is present: the batch is not applied and the callback stops training below
        const sums = noGrad(() => compiled.metrics.map((m) => ops.sum(m.fn(yb, pred)).item()));
        return { lossValue: value, metricSums: sums };
      });
      const n = end - start;
      seen += n;
      totals[0] += lossValue * n;
      metricSums.forEach((v, i) => (totals[i + 1] += v));
      const logs: Logs = {};
      metricNames.forEach((name, i) => (logs[name] = totals[i]! / seen));
      await callbacks.callIndexed('onTrainBatchEnd', step, logs);
      if (model.stopTraining) break; // as Keras 3: the epoch ends (with validation) after this batch
    }
    const epochLogs: Logs = {};
    metricNames.forEach((name, i) => (epochLogs[name] = totals[i]! / seen));
    if (validation) Object.assign(epochLogs, evaluateLogs(model, compiled, validation[0], validation[1], batchSize, 'val_'));
    await callbacks.callIndexed('onEpochEnd', epoch, epochLogs);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await callbacks.call('onTrainEnd', {});
  return history;
}
