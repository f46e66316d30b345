/**
 * Training recipes for `convkit train --recipe NAME` (model, data, augmentation, optimizer,
 * schedule, epochs; the usual flags override their parts) and `--data-dir DIR` (a folder of
 * class subfolders). Data flows through the Dataset pipeline: shuffled per epoch, batched, then
 * augmented a batch at a time by the preprocessing layers (in training mode), so the model
 * itself stays augmentation-free for inference.
 *
 * - mnist-augmented: zoo.mnistConv4 with mild rotation (±10°), zoom (±10%) and shifts (±10%),
 *   composed into one warp per image (layers.pipeline), Adam with a cosine schedule to 0, batch
 *   128, 10 epochs, all 60,000 images.
 * - cifar10-resnet20: zoo.resnet20 with a horizontal flip and whole-pixel shifts of up to 4
 *   (pad-and-crop), per-channel standardisation, SGD + Nesterov momentum 0.9 with a linear
 *   warm-up then cosine decay (peak 0.1), decoupled weight decay 5e-4, label smoothing 0.1,
 *   batch 128, 30 epochs, and test-time flip averaging.
 * - cifar10-airbench: Keller Jordan's airbench net (src/models/airbench.ts: a frozen whitening 2×2
 *   stem, three conv groups, here of 64/128/256 filters) with a horizontal flip and shifts of up to 2 pixels
 *   (reflected border), SGD + Nesterov momentum 0.85 with airbench's triangular schedule (0.2 →
 *   1 over 23 % of the steps, then down to 0.07, peak 0.75), decoupled weight decay, label
 *   smoothing 0.2, lookahead every 5 steps, batch 512, 22 epochs; test-time views: mirror and
 *   one-pixel shifts (airbench's level 2).
 */
import { getBackend, setBackend } from '../backends/index.js';
import { Dataset } from '../data/dataset.js';
import { datasets } from '../data/index.js';
import { imageDatasetFromDirectory } from '../data/image-folder.js';
import { oneHot } from '../data/one-hot.js';
import type { Layer } from '../layers/layer.js';
import { layers } from '../layers/index.js';
import { airbench, initWhitening } from '../models/airbench.js';
import type { Model } from '../models/model.js';
import { zoo } from '../models/zoo.js';
import * as ops from '../ops/index.js';
import { cosineDecay, optimizers, piecewiseLinear } from '../optimizers/index.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { setSeed } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import type { Callback } from '../training/callbacks.js';
import { CSVLogger } from '../training/csv-logger.js';
import { Lookahead } from '../training/lookahead.js';
import { accuracyWithViews, type TestTimeAugmentation } from './test-time-augmentation.js';

/** What a recipe fixes; flags override epochs, batch size, learning rate, seed and limit. */
export interface Recipe {
  description: string;
  dataset: 'mnist' | 'cifar10';
  model: (inputShape: [number, number, number], classes: number) => Model;
  /** Training-time augmentation, applied to each batch; `seed` makes it reproducible. */
  augmentation: (seed: number) => Layer[];
  optimizer: (learningRate: number | undefined, totalSteps: number, stepsPerEpoch: number) => Optimizer;
  epochs: number;
  batchSize: number;
  labelSmoothing: number;
  /** Per-channel mean and standard deviation subtracted and divided (after scaling to [0, 1]). */
  standardise: [number[], number[]] | null;
  /** Views of each test image whose predictions are averaged for the final accuracy. */
  testTimeAugmentation: TestTimeAugmentation;
  /** Data-dependent initialisation, given up to 5,000 standardised training images. */
  initialise?: (model: Model, images: Tensor) => void;
  /** Callbacks the recipe trains with (before --log's and the caller's). */
  callbacks?: (totalSteps: number) => Callback[];
}

const CIFAR10_STATS: [number[], number[]] = [
  [0.4914, 0.4822, 0.4465],
  [0.247, 0.2435, 0.2616],
];

export const RECIPES: Record<string, Recipe> = {
  'mnist-augmented': {
    description: 'mnistConv4 on MNIST, rotation/zoom/shift augmentation, Adam + cosine, 10 epochs',
    dataset: 'mnist',
    model: (inputShape, classes) => zoo.mnistConv4({ inputShape, classes }),
    augmentation: (seed) => [
      layers.randomRotation({ factor: 10 / 360, fillMode: 'constant', seed }),
      layers.randomZoom({ heightFactor: 0.1, fillMode: 'constant', seed: seed + 1 }),
      layers.randomTranslation({ heightFactor: 0.1, widthFactor: 0.1, fillMode: 'constant', seed: seed + 2 }),
    ],
    optimizer: (lr, totalSteps) =>
      optimizers.adam({ learningRate: cosineDecay({ initialLearningRate: lr ?? 2e-3, decaySteps: totalSteps }) }),
    epochs: 10,
    batchSize: 128,
    labelSmoothing: 0,
    standardise: null,
    testTimeAugmentation: 'none',
  },
  'cifar10-resnet20': {
    description: 'ResNet-20 on CIFAR-10, flip + 4-pixel shifts, SGD Nesterov + warm-up/cosine, label smoothing, weight decay, 30 epochs',
    dataset: 'cifar10',
    model: (inputShape, classes) => zoo.resnet20({ inputShape, classes }),
    augmentation: (seed) => [
      layers.randomFlip({ mode: 'horizontal', seed }),
      layers.randomTranslation({
        heightFactor: 4 / 32,
        widthFactor: 4 / 32,
        fillMode: 'constant',
        interpolation: 'nearest',
        seed: seed + 1,
      }),
    ],
    optimizer: (lr, totalSteps, stepsPerEpoch) => {
      const warmupSteps = Math.min(2 * stepsPerEpoch, Math.floor(totalSteps / 5));
      return optimizers.sgd({
        learningRate: cosineDecay({
          initialLearningRate: 0.01,
          warmupTarget: lr ?? 0.1,
          warmupSteps,
          decaySteps: Math.max(1, totalSteps - warmupSteps),
        }),
        momentum: 0.9,
        nesterov: true,
        weightDecay: 5e-4,
      });
    },
    epochs: 30,
    batchSize: 128,
    labelSmoothing: 0.1,
    standardise: CIFAR10_STATS,
    testTimeAugmentation: 'mirror',
  },
  'cifar10-airbench': {
    description:
      'airbench 64/128/256 on CIFAR-10, whitened stem, flip + 2-pixel shifts, SGD Nesterov + triangular schedule, lookahead, 22 epochs',
    dataset: 'cifar10',
    model: (inputShape, classes) => airbench({ inputShape, classes, widths: [64, 128, 256] }),
    initialise: (model, images) => initWhitening(model, images),
    augmentation: (seed) => [
      layers.randomFlip({ mode: 'horizontal', seed }),
      layers.randomTranslation({
        heightFactor: 2 / 32,
        widthFactor: 2 / 32,
        fillMode: 'reflect',
        interpolation: 'nearest',
        seed: seed + 1,
      }),
    ],
    // airbench94's hyperparameters for a mean (not summed) loss at batch 512: peak rate
    // 512·11.5/(1024·(1 + 1/0.15)) = 0.75, and its coupled decay 0.0153·512/7850 per step, which
    // momentum amplifies 1/(1 − 0.85)-fold, as a decoupled decay of 0.0093 per unit rate.
    optimizer: (lr, totalSteps) => {
      const peak = lr ?? 0.75;
      return optimizers.sgd({
        learningRate: piecewiseLinear({
          boundaries: [0, Math.max(1, Math.round(0.23 * totalSteps)), Math.max(2, totalSteps)],
          values: [0.2 * peak, peak, 0.07 * peak],
        }),
        momentum: 0.85,
        nesterov: true,
        weightDecay: 0.0093,
      });
    },
    callbacks: (totalSteps) => [new Lookahead({ syncPeriod: 5, slowStepSize: (progress) => 1 - 0.95 ** 5 * progress ** 3, totalSteps })],
    epochs: 22,
    batchSize: 512,
    labelSmoothing: 0.2,
    standardise: CIFAR10_STATS,
    testTimeAugmentation: 'mirror-translate',
  },
};

/** The flags a recipe run reads (parsed by train.ts). */
export interface RecipeFlags {
  recipe?: string;
  dataDir?: string;
  imageSize?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  limit?: number;
  backend?: string;
  verbose?: number;
  log?: string;
  /** More callbacks for fit (the dashboard), after the CSV logger. */
  callbacks?: Callback[];
}

/** x·(1/255 already applied) standardised per channel. */
function standardiser(stats: [number[], number[]] | null): (x: Tensor) => Tensor {
  if (!stats) return (x) => x;
  const mean = new Tensor(Float32Array.from(stats[0]), [stats[0].length]);
  const inv = new Tensor(
    Float32Array.from(stats[1], (s) => 1 / s),
    [stats[1].length],
  );
  return (x) => ops.mul(ops.sub(x, mean), inv);
}

/** One-hot targets with label smoothing: y·(1 − ε) + ε / classes. */
function smoothTargets(labels: Tensor, classes: number, epsilon: number): Tensor {
  const y = oneHot(labels, classes);
  if (epsilon === 0) return y;
  return new Tensor(
    Float32Array.from(y.values(), (v) => v * (1 - epsilon) + epsilon / classes),
    y.shape,
  );
}

function augmentBatches(ds: Dataset<[Tensor, Tensor]>, augmentation: Layer[]): Dataset<[Tensor, Tensor]> {
  if (augmentation.length === 0) return ds;
  const pipeline = layers.pipeline(augmentation);
  return ds.map(([x, y]) => [pipeline.apply(x, { training: true }), y] as [Tensor, Tensor]);
}

/**
 * Runs a named recipe (or the --data-dir folder recipe); prints the summary, the training and
 * `Test accuracy: 0.xxxx`; returns the accuracy.
 *
 * @example await runRecipe({ recipe: 'mnist-augmented', seed: 2 });
 */
export async function runRecipe(flags: RecipeFlags): Promise<number> {
  if (flags.backend) setBackend(flags.backend);
  const seed = flags.seed ?? 1;
  setSeed(seed);
  console.log(`Backend: ${getBackend().name}`);
  if (flags.dataDir) return runFolder(flags, seed);
  const recipe = RECIPES[flags.recipe ?? ''];
  if (!recipe) throw new Error(`unknown recipe '${flags.recipe}'; known: ${Object.keys(RECIPES).join(', ')}`);
  const { train, test } = await datasets[recipe.dataset].load(flags.limit ? { limit: flags.limit } : {});
  const n = train.images.shape[0]!;
  console.log(`${flags.recipe}: ${recipe.description}; ${n} training and ${test.images.shape[0]} test images`);
  const epochs = flags.epochs ?? recipe.epochs;
  const batchSize = flags.batchSize ?? recipe.batchSize;
  const classes = 10;
  const model = recipe.model(train.images.shape.slice(1) as [number, number, number], classes);
  model.summary();
  const stepsPerEpoch = Math.ceil(n / batchSize);
  // Standardised a batch at a time (a whole CIFAR copy is 600 MB), after augmentation, so the
  // shifted-in border is black as with pad-and-crop on raw pixels.
  const standardise = standardiser(recipe.standardise);
  if (recipe.initialise) {
    const [, h, w, c] = train.images.shape as number[];
    recipe.initialise(model, standardise(ops.slice(train.images, [0, 0, 0, 0], [Math.min(n, 5000), h!, w!, c!])));
  }
  model.compile({
    optimizer: recipe.optimizer(flags.learningRate, epochs * stepsPerEpoch, stepsPerEpoch),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  // One layer: consecutive warps run as one composed warp per image (layers.pipeline).
  const augmentation = layers.pipeline(recipe.augmentation(seed));
  const data = Dataset.fromArrays(train.images, smoothTargets(train.labels, classes, recipe.labelSmoothing))
    .shuffle(n, { seed })
    .batch(batchSize)
    .map(([x, y]) => [standardise(augmentation.apply(x, { training: true })), y] as [Tensor, Tensor]);
  const rawTest = Dataset.fromArrays(test.images, oneHot(test.labels, classes)).batch(500);
  const testData = rawTest.map(([x, y]) => [standardise(x), y] as [Tensor, Tensor]);
  const callbacks: Callback[] = [
    ...(recipe.callbacks?.(epochs * stepsPerEpoch) ?? []),
    ...(flags.log ? [new CSVLogger(flags.log)] : []),
    ...(flags.callbacks ?? []),
  ];
  const started = performance.now();
  await model.fit(data, { epochs, verbose: (flags.verbose ?? 1) as 0 | 1 | 2, callbacks, validationData: testData });
  console.log(`Training time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const views = recipe.testTimeAugmentation;
  if (views !== 'none')
    console.log(
      `Test accuracy without test-time views: ${(await accuracyWithViews(model, rawTest, test.labels, 'none', standardise)).toFixed(4)}`,
    );
  const accuracy = await accuracyWithViews(model, rawTest, test.labels, views, standardise);
  const described = {
    none: '',
    mirror: ' (averaged with mirrored images)',
    'mirror-translate': ' (averaged over mirrored and one-pixel-shifted views)',
  };
  console.log(`Test accuracy: ${accuracy.toFixed(4)}${described[views]}`);
  return accuracy;
}

/** --data-dir: vggSmall on a folder of class subfolders, 20% held out, light augmentation, Adam. */
async function runFolder(flags: RecipeFlags, seed: number): Promise<number> {
  const size = flags.imageSize ?? 64;
  const batchSize = flags.batchSize ?? 32;
  const [train, held] = imageDatasetFromDirectory(flags.dataDir!, {
    imageSize: [size, size],
    batchSize,
    validationSplit: 0.2,
    subset: 'both',
    seed,
    labelMode: 'int',
  });
  const classes = train.classNames.length;
  if (classes < 2) throw new Error(`--data-dir ${flags.dataDir}: expected at least 2 class subfolders, found ${classes}`);
  const model = zoo.vggSmall({ inputShape: [size, size, 3], classes });
  model.summary();
  model.compile({
    optimizer: optimizers.adam({ learningRate: flags.learningRate ?? 1e-3 }),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const scale = ([x, y]: [Tensor, Tensor]): [Tensor, Tensor] => [ops.mul(x, 1 / 255), y];
  const augmentation = [layers.randomFlip({ mode: 'horizontal', seed }), layers.randomRotation({ factor: 0.05, seed: seed + 1 })];
  const limit = <T>(ds: Dataset<T>): Dataset<T> => (flags.limit ? ds.take(Math.ceil(flags.limit / batchSize)) : ds);
  const trainData = augmentBatches(limit(train).map(scale), augmentation).prefetch(2);
  const heldData = limit(held).map(scale).prefetch(2);
  await model.fit(trainData, {
    epochs: flags.epochs ?? 10,
    verbose: (flags.verbose ?? 1) as 0 | 1 | 2,
    validationData: heldData,
    callbacks: [...(flags.log ? [new CSVLogger(flags.log)] : []), ...(flags.callbacks ?? [])],
  });
  const [, accuracy] = await model.evaluate(heldData);
  const skipped = train.skipped.size + held.skipped.size;
  if (skipped > 0) console.log(`Skipped ${skipped} file(s) that could not be decoded`);
  console.log(`Test accuracy: ${accuracy!.toFixed(4)} (on the ${held.filePaths.length} held-out images of ${flags.dataDir})`);
  return accuracy!;
}
