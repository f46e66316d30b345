/**
 * The one training loop: validation split, per-epoch shuffling, batches, forward, loss,
 * gradients, optimizer step, metrics, validation, callbacks. Every argument is checked before
 * any work is done (see validate.ts); a loss that turns NaN stops training with an error saying
 * where, or, with a TerminateOnNaN callback, ends it cleanly without applying that batch. The
 * event loop gets a turn every ~100 ms, so timers and servers in the process keep running.
 */
import { checkOptionNames } from '../layers/names.js';
import { globalRandom } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { sliceRows, takeRows } from './batches.js';
import { CallbackList, History, toCallbacks, type CallbackLike, type Logs } from './callbacks.js';
import { evaluateLogs } from './evaluate.js';
import { EventLoopTurns } from './event-loop.js';
import { FitState } from './fit-state.js';
import { trainStep } from './fit-step.js';
import { ProgressBar, type ProgressStream } from './progbar.js';
import { TerminateOnNaN } from './terminate-on-nan.js';
import type { Compiled, TrainableModel } from './types.js';
import { checkBatchSize, checkInputs, checkTargets, modelDtype, toTensor, type DataLike, type InputsLike } from './validate.js';

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  /** Fraction of the samples, taken from the end before shuffling (as Keras), held out for validation. */
  validationSplit?: number;
  validationData?: [InputsLike, DataLike];
  shuffle?: boolean;
  /** 0 silent, 1 progress bar, 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
  /** Callback objects, or TensorFlow.js-style `{ onEpochEnd: (epoch, logs) => ... }` hooks (one or a list). */
  callbacks?: CallbackLike | CallbackLike[];
  initialEpoch?: number;
  /** Where the progress bar writes (default stdout). */
  progressStream?: ProgressStream;
}

const FIT_OPTIONS = [
  'epochs',
  'batchSize',
  'validationSplit',
  'validationData',
  'shuffle',
  'verbose',
  'callbacks',
  'initialEpoch',
  'progressStream',
] as const;

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

function checkArgs(
  args: FitArgs,
): Required<Pick<FitArgs, 'epochs' | 'batchSize' | 'shuffle' | 'verbose' | 'initialEpoch' | 'validationSplit'>> {
  checkOptionNames(args, FIT_OPTIONS, 'fit');
  const { epochs = 1, shuffle = true, verbose = 1, initialEpoch = 0, validationSplit = 0 } = args;
  const batchSize = checkBatchSize(args.batchSize ?? 32, 'fit');
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: expected epochs to be a non-negative integer, received ${epochs}`);
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0)
    throw new Error(`fit: expected initialEpoch to be a non-negative integer, received ${initialEpoch}`);
  if (typeof validationSplit !== 'number' || !(validationSplit >= 0 && validationSplit < 1))
    throw new Error(`fit: expected validationSplit in [0, 1), received ${validationSplit}`);
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new Error(`fit: expected verbose 0, 1 or 2, received ${String(verbose)}`);
  if (typeof shuffle !== 'boolean') throw new Error(`fit: expected shuffle to be true or false, received ${JSON.stringify(shuffle)}`);
  return { epochs, batchSize, shuffle, verbose, initialEpoch, validationSplit };
}

/** Models with a fit running: a second concurrent fit on one model is refused (as in tfjs). */
const training = new WeakSet<TrainableModel>();

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

/**
 * Trains `model` on (x, y); see Model.fit for the user-facing documentation. x is one input or
 * an array of inputs; x and y may be tensors or plain nested arrays.
 */
export async function fit(
  model: TrainableModel,
  compiled: Compiled | null,
  x: InputsLike,
  y: DataLike,
  args: FitArgs = {},
): Promise<History> {
  if (!compiled) throw new Error(`fit: model "${model.name}" must be compiled first: call model.compile({ optimizer, loss }) before fit`);
  if (training.has(model)) {
    throw new Error(`fit: model "${model.name}" is already training: a fit call on it has not finished; await it before starting another`);
  }
  training.add(model);
  try {
    return await train(model, compiled, x, y, args);
  } finally {
    training.delete(model);
  }
}

async function train(model: TrainableModel, compiled: Compiled, x: InputsLike, y: DataLike, args: FitArgs): Promise<History> {
  const { epochs, batchSize, shuffle, verbose, initialEpoch, validationSplit } = checkArgs(args);
  const userCallbacks = toCallbacks(args.callbacks, 'fit');
  const dtype = modelDtype(model);
  const xs = checkInputs(model, x, 'fit', dtype);
  model.ensureBuilt(xs.map((t) => t.shape));
  const ys = checkTargets(model, compiled, toTensor(y, 'fit', 'y', dtype), xs[0]!, 'fit');

  let [xTrain, yTrain] = [xs, ys];
  let validation: [Tensor[], Tensor] | null = null;
  if (args.validationData) {
    if (!Array.isArray(args.validationData) || args.validationData.length !== 2) throw new Error('fit: expected validationData as [x, y]');
    const vx = checkInputs(model, args.validationData[0], 'fit validationData', dtype);
    const vy = checkTargets(
      model,
      compiled,
      toTensor(args.validationData[1], 'fit validationData', 'y', dtype),
      vx[0]!,
      'fit validationData',
    );
    validation = [vx, vy];
  } else if (validationSplit > 0) {
    const total = ys.shape[0]!;
    const splitAt = trainingSamples(total, validationSplit);
    if (splitAt === 0 || splitAt === total) {
      throw new Error(
        `fit: validationSplit ${validationSplit} of ${total} samples leaves ${splitAt} for training and ${total - splitAt} for validation; both need at least one`,
      );
    }
    validation = [xs.map((t) => sliceRows(t, splitAt, total)), sliceRows(ys, splitAt, total)];
    [xTrain, yTrain] = [xs.map((t) => sliceRows(t, 0, splitAt)), sliceRows(ys, 0, splitAt)];
  }
  const samples = yTrain.shape[0]!;

  const steps = Math.ceil(samples / batchSize);
  const history = new History();
  const progress = verbose > 0 ? [new ProgressBar(verbose as 1 | 2, args.progressStream)] : [];
  // User callbacks first, then History and the bar (as Keras 3), so values a callback adds to the
  // epoch logs (ReduceLROnPlateau's learning_rate) reach the history and the printed line.
  const callbacks = new CallbackList([...userCallbacks, history, ...progress]);
  const cleanNaNStop = callbacks.callbacks.some((c) => c instanceof TerminateOnNaN);
  const metricNames = ['loss', ...compiled.metrics.map((m) => m.name)];
  const state = new FitState();
  callbacks.setup(model, { epochs, steps, samples, batchSize, verbose, metrics: metricNames, state });
  model.stopTraining = false;
  const loop = new EventLoopTurns();

  await callbacks.call('onTrainBegin', {});
  // A callback (BackupAndRestore) may have restored a saved run: continue from its exact batch.
  let resume = state.resumeFrom;
  if (resume && resume.totals.length !== 0 && resume.totals.length !== metricNames.length)
    throw new Error(`fit: the run to resume logged ${resume.totals.length} values per batch, this one logs ${metricNames.length}`);
  for (let epoch = resume?.epoch ?? initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    await callbacks.callIndexed('onEpochBegin', epoch, {});
    if (resume?.epochRandom) globalRandom.setState(resume.epochRandom);
    else if (resume) globalRandom.setState(resume.random);
    state.epochRandom = globalRandom.getState();
    const order = shuffle ? globalRandom.permutation(samples) : Int32Array.from({ length: samples }, (_, i) => i);
    if (resume?.epochRandom) globalRandom.setState(resume.random);
    const totals = resume?.step ? Float64Array.from(resume.totals) : new Float64Array(metricNames.length);
    let seen = resume?.step ? resume.seen : 0;
    const firstStep = resume?.step ?? 0;
    resume = null;
    Object.assign(state, { epoch, step: firstStep, seen, totals });
    for (let step = firstStep; step < steps; step++) {
      const start = step * batchSize;
      const end = Math.min(samples, start + batchSize);
      await callbacks.callIndexed('onTrainBatchBegin', step, { batch: step, size: end - start });
      // One step in a buffer scope: its intermediates are recycled by the next step.
      const batch = () => [xTrain.map((t) => takeRows(t, order, start, end)), takeRows(yTrain, order, start, end)] as const;
      const { lossValue, metricSums } = trainStep(model, compiled, batch, (value) => {
        if (!Number.isFinite(value) && !cleanNaNStop) {
          // Keras's numbering: "Epoch 1/10" as the bar prints it, batches from 0 as callbacks see them.
          throw new TrainingError(
            `fit: the loss became ${value} at batch ${step} (step ${step + 1}/${steps}) of epoch ${epoch + 1}/${epochs}; training stopped. ` +
              'Check the inputs for NaN/Infinity and try a lower learning rate.',
            history,
          );
        } // else TerminateOnNaN is present: the batch is not applied and the callback stops training below
      });
      const n = end - start;
      seen += n;
      totals[0] += lossValue * n;
      metricSums.forEach((v, i) => (totals[i + 1] += v));
      const logs: Logs = {};
      metricNames.forEach((name, i) => (logs[name] = totals[i]! / seen));
      Object.assign(state, { step: step + 1, seen });
      await callbacks.callIndexed('onTrainBatchEnd', step, logs);
      if (model.stopTraining) break; // as Keras 3: the epoch ends (with validation) after this batch
      await loop.maybeYield();
    }
    const epochLogs: Logs = {};
    metricNames.forEach((name, i) => (epochLogs[name] = totals[i]! / seen));
    if (validation) Object.assign(epochLogs, await evaluateLogs(model, compiled, validation[0], validation[1], batchSize, 'val_'));
    await callbacks.callIndexed('onEpochEnd', epoch, epochLogs);
    await loop.maybeYield();
  }
  await callbacks.call('onTrainEnd', {});
  return history;
}
