/**
 * `convkit train`: the seed recipe on real MNIST. Loads the data, builds the model, prints the
 * summary, trains with a live progress bar, and ends with `Test accuracy: 0.9912`.
 */
import { getBackend, setBackend } from '../backends/index.js';
import { datasets } from '../data/index.js';
import { oneHot } from '../data/one-hot.js';
import { initWhitening } from '../models/airbench.js';
import { zoo } from '../models/zoo.js';
import { inferenceBatchSize } from '../models/liveness.js';
import { DEFAULT_TRAINING_BATCH, TRAINING_BUDGET_BYTES, trainingBatchSize } from '../training/batch-size.js';
import { cosineDecay, optimizers, type OptimizerName } from '../optimizers/index.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { setSeed } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkLogFile, CSVLogger } from '../training/csv-logger.js';
import { Dashboard } from '../serve/dashboard.js';
import { writeTrainingPlots } from '../plot/index.js';
import type { Callback } from '../training/callbacks.js';
import { stepsPerEpoch } from '../training/fit.js';
import { ReduceLROnPlateau } from '../training/reduce-lr-on-plateau.js';
import { checkpointCallbacks, checkSavePath, finishCheckpoints, saveTrained } from './train-files.js';
import { describeFlags, parseFlags, UsageError, type FlagSpec } from './args.js';
import { RECIPES, runRecipe, type RecipeFlags } from './recipes.js';

const positive = (v: number) => (v > 0 ? null : 'expected a positive value');

export const TRAIN_FLAGS: Record<string, FlagSpec> = {
  epochs: { type: 'int', help: 'passes over the training data (default 10)', check: positive },
  batchSize: {
    type: 'int',
    help: 'samples per step (default 200, fewer past 2 GiB of layer outputs)',
    check: positive,
  },
  validationSplit: {
    type: 'number',
    help: 'fraction held out for validation (default 0.2)',
    check: (v) => (v >= 0 && v < 1 ? null : 'expected a value in [0, 1)'),
  },
  seed: {
    type: 'int',
    help: 'random seed 0 to 4294967295: same seed, backend, threads and fusion, same numbers (default 1)',
    check: (v) => (v >= 0 && v <= 2 ** 32 - 1 ? null : 'expected an integer from 0 to 4294967295 (2^32 - 1)'),
  },
  backend: { type: 'string', help: 'kernels to run on (default: native if built, else ts)', choices: ['ts', 'native'] },
  model: { type: 'string', help: 'architecture from the zoo (default seedCnn)', choices: Object.keys(zoo) },
  dataset: { type: 'string', help: 'data to train on (default mnist)', choices: ['mnist', 'fashion-mnist', 'cifar10'] },
  optimizer: { type: 'string', help: 'optimizer, with its Keras defaults (default adam)', choices: Object.keys(optimizers) },
  learningRate: { type: 'number', help: "initial learning rate (default: the optimizer's own)", check: positive },
  lrSchedule: {
    type: 'string',
    help: 'constant (default); cosine: decay to 0 by the last step; plateau: halve when val_loss stalls 2 epochs',
    choices: ['constant', 'cosine', 'plateau'],
  },
  limit: { type: 'int', help: 'use only the first N training and test samples', check: positive },
  log: { type: 'string', metavar: 'file', help: 'write one CSV row per epoch to FILE' },
  save: { type: 'string', metavar: 'file', help: 'save the trained model (.keras, .h5 or model.json), with how inputs were scaled' },
  checkpointDir: {
    type: 'string',
    metavar: 'dir',
    help: 'back the run up in DIR; after a crash or kill the same command resumes it (same final weights)',
  },
  checkpointEvery: {
    type: 'int',
    metavar: 'batches',
    help: 'with --checkpoint-dir: back up every N batches (default: every epoch)',
    check: positive,
  },
  verbose: {
    type: 'int',
    help: '0 silent, 1 progress bar, 2 one line per epoch (default 1)',
    check: (v) => (v >= 0 && v <= 2 ? null : 'expected 0, 1 or 2'),
  },
  recipe: { type: 'string', help: 'a complete recipe (model, data, augmentation, schedule): see below', choices: Object.keys(RECIPES) },
  dataDir: { type: 'string', metavar: 'dir', help: 'train on a folder of class subfolders (20% held out)' },
  imageSize: { type: 'int', help: 'with --data-dir: images are resized to N×N (default 64)', check: positive },
  dashboard: { type: 'boolean', help: 'live curves and the end-of-run evaluation in a browser (see --dashboard-port)' },
  dashboardPort: {
    type: 'int',
    help: 'port of the dashboard on 127.0.0.1 (default 8081)',
    check: (v) => (v >= 0 && v < 65536 ? null : 'expected 0..65535'),
  },
  dashboardToken: {
    type: 'string',
    metavar: 'token',
    help: 'the dashboard\'s data needs "Authorization: Bearer TOKEN" (open /#token=TOKEN)',
  },
  plot: { type: 'string', metavar: 'file', help: 'draw the epoch curves to FILE (.png or .svg) after training' },
  confusion: { type: 'string', metavar: 'file', help: "draw the test set's confusion matrix to FILE (.png or .svg)" },
  help: { type: 'boolean', help: 'show this help' },
};

export const TRAIN_HELP = `Usage: convkit train [options]

Trains the Keras MNIST tutorial's CNN on real MNIST (60,000 + 10,000 images) and reports
its test accuracy. --model and --dataset pick another architecture or dataset.

Options:
${describeFlags(TRAIN_FLAGS)}

Recipes (--epochs, --batch-size, --learning-rate, --seed, --limit override their parts):
${Object.entries(RECIPES)
  .map(([name, r]) => `  ${name.padEnd(34)}${r.description}`)
  .join('\n')}`;

/** The `--lr-schedule` choices. */
export type Schedule = 'constant' | 'cosine' | 'plateau';

/**
 * The optimizer the parsed flags name (`optimizer`, `learningRate`); with the `cosine` schedule its
 * learning rate decays from the initial rate to 0 over `totalSteps` (`plateau` is a callback).
 *
 * @example
 * optimizerFor({ optimizer: 'sgd', learningRate: 0.1 }, 'cosine', 2400).currentLearningRate(); // 0.1
 */
export function optimizerFor(flags: Record<string, unknown>, schedule: Schedule, totalSteps: number): Optimizer {
  const make = optimizers[(flags['optimizer'] as OptimizerName | undefined) ?? 'adam'];
  const initial = (flags['learningRate'] as number | undefined) ?? make().currentLearningRate();
  if (schedule === 'cosine') return make({ learningRate: cosineDecay({ initialLearningRate: initial, decaySteps: totalSteps }) });
  return make({ learningRate: initial });
}

/**
 * The callbacks a schedule needs: `plateau` is Keras's ReduceLROnPlateau (factor 0.5, patience 2,
 * minLr 1e-5) on val_loss, or on loss without a validation split; the others need none.
 *
 * @example
 * scheduleCallbacks('plateau', 0.2); // [ReduceLROnPlateau monitoring val_loss]
 */
export function scheduleCallbacks(schedule: Schedule, validationSplit: number): Callback[] {
  if (schedule !== 'plateau') return [];
  return [new ReduceLROnPlateau({ monitor: validationSplit > 0 ? 'val_loss' : 'loss', factor: 0.5, patience: 2, minLr: 1e-5 })];
}

/** The dataset's class names, as predict prints them (the loaders scale pixels by 1/255). */
function classNamesOf(dataset: string): { classNames?: string[] } {
  if (dataset === 'cifar10')
    return { classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] };
  if (dataset === 'fashion-mnist')
    return { classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] };
  return {};
}

/** Runs the recipe; returns the test accuracy. */
export async function train(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv, TRAIN_FLAGS);
  if (flags['help']) {
    console.log(TRAIN_HELP);
    return NaN;
  }
  for (const f of ['plot', 'confusion'] as const) {
    const path = flags[f] as string | undefined;
    if (path !== undefined && !/\.(png|svg)$/i.test(path))
      throw new UsageError(`option --${f}: expected a file name ending in .png or .svg, received '${path}'`);
  }
  const extras = ['plot', 'confusion'].filter((f) => flags[f] !== undefined);
  if ((flags['recipe'] || flags['dataDir']) && extras.length > 0) {
    throw new UsageError(`--${extras.join(', --')}: not yet available with --recipe or --data-dir; use them with the default recipe`);
  }
  for (const f of ['dashboardPort', 'dashboardToken'])
    if (flags[f] !== undefined && !flags['dashboard'])
      throw new UsageError(`option --${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --dashboard`);
  // A recipe's inputs are standardised inside it: its dashboard shows the live curves, without the test-set panels.
  const dashboard = (testData?: { x: Tensor; y: Tensor }) =>
    flags['dashboard']
      ? new Dashboard({
          port: (flags['dashboardPort'] as number | undefined) ?? 8081,
          token: (flags['dashboardToken'] as string | undefined) ?? null,
          ...(testData ? { testData } : {}),
        })
      : null;
  if (flags['recipe'] || flags['dataDir']) {
    const board = dashboard();
    const accuracy = await runRecipe({ ...(flags as RecipeFlags), callbacks: board ? [board] : [] });
    if (board) await board.serveUntilInterrupted();
    return accuracy;
  }
  const epochs = (flags['epochs'] as number | undefined) ?? 10;
  const validationSplit = (flags['validationSplit'] as number | undefined) ?? 0.2;
  const verbose = ((flags['verbose'] as number | undefined) ?? 1) as 0 | 1 | 2;
  const limit = flags['limit'] as number | undefined;
  const log = flags['log'] as string | undefined;
  // Checked before any data is loaded: a log that cannot be written is a usage error.
  if (log !== undefined) {
    try {
      checkLogFile(log, '--log');
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const save = flags['save'] as string | undefined;
  if (save !== undefined) checkSavePath(save);
  const checkpointDir = flags['checkpointDir'] as string | undefined;
  if (flags['checkpointEvery'] !== undefined && checkpointDir === undefined)
    throw new UsageError('option --checkpoint-every needs --checkpoint-dir');
  if (flags['backend']) setBackend(flags['backend'] as string);
  setSeed((flags['seed'] as number | undefined) ?? 1);

  const backend = getBackend();
  console.log(`Backend: ${backend.name}`);
  const datasetName = (flags['dataset'] as string | undefined) ?? 'mnist';
  const loader = datasetName === 'cifar10' ? datasets.cifar10 : datasetName === 'fashion-mnist' ? datasets.fashionMnist : datasets.mnist;
  const { train: trainSet, test } = await loader.load(limit ? { limit } : {});
  console.log(`${datasetName}: ${trainSet.images.shape[0]} training and ${test.images.shape[0]} test images`);
  const inputShape = trainSet.images.shape.slice(1) as [number, number, number];
  const model = zoo[(flags['model'] as keyof typeof zoo | undefined) ?? 'seedCnn']({ inputShape, classes: 10 });
  // airbench's frozen stem whitens the patches of the images it will see (here scaled to [0, 1]).
  if (flags['model'] === 'airbench') initWhitening(model, trainSet.images);
  model.summary();
  // The default batch (200), lowered where one copy of the layer outputs would pass ~2 GiB.
  const batchSize = trainingBatchSize(model, inputShape, flags['batchSize'] as number | undefined);
  if (flags['batchSize'] === undefined && batchSize < DEFAULT_TRAINING_BATCH)
    console.log(
      `Batch size: ${batchSize} (the default ${DEFAULT_TRAINING_BATCH} would hold over ${TRAINING_BUDGET_BYTES / 2 ** 30} GiB of layer outputs; --batch-size to choose)`,
    );
  const steps = epochs * stepsPerEpoch(trainSet.images.shape[0]!, validationSplit, batchSize);
  const schedule = (flags['lrSchedule'] as Schedule | undefined) ?? 'constant';
  model.compile({
    optimizer: optimizerFor(flags, schedule, steps),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  // The plateau callback runs first so that the CSV row has the epoch's learning_rate.
  const callbacks: Callback[] = scheduleCallbacks(schedule, validationSplit);
  if (log !== undefined) callbacks.push(new CSVLogger(log));
  const backup = checkpointCallbacks(checkpointDir, flags['checkpointEvery'] as number | undefined);
  callbacks.unshift(...backup);
  const board = dashboard({ x: test.images, y: test.labels });
  if (board) callbacks.push(board);
  const history = await model.fit(trainSet.images, oneHot(trainSet.labels, 10), { epochs, batchSize, validationSplit, verbose, callbacks });
  // Batches that keep the pass within ~256 MB of activations (1000 for the seed model).
  const evalBatch = inferenceBatchSize(model);
  const [loss, accuracy] = await model.evaluate(test.images, oneHot(test.labels, 10), { batchSize: evalBatch });
  console.log(`Test loss: ${loss!.toFixed(4)}`);
  console.log(`Test accuracy: ${accuracy!.toFixed(4)}`);
  if (save !== undefined) await saveTrained(model, save, { scale: 1 / 255, offset: 0, dataset: datasetName, ...classNamesOf(datasetName) });
  finishCheckpoints(backup);
  await writeTrainingPlots({
    model,
    history,
    test,
    curves: flags['plot'] as string | undefined,
    confusion: flags['confusion'] as string | undefined,
  });
  if (board) await board.serveUntilInterrupted();
  return accuracy!;
}
