/**
 * `convkit evaluate m.keras --dataset mnist|fashion-mnist|cifar10`: the saved model's loss and
 * accuracy on the dataset's test images (scaled as the model was trained, from the file's
 * metadata or --scale/--offset), compiled with categorical cross-entropy and accuracy;
 * `--confusion cm.png` also draws the test confusion matrix (the renderer train --confusion uses).
 */
import { datasets } from '../data/index.js';
import { oneHot } from '../data/one-hot.js';
import { inferenceBatchSize } from '../models/liveness.js';
import { confusionMatrix, confusionSvg, writeChart } from '../plot/index.js';
import { Tensor } from '../tensor/tensor.js';
import { describeFlags, UsageError, type FlagSpec } from './args.js';
import { expectFiles, loadModelFile, readInputInfo, splitArgs } from './model-files.js';
import { imageInputShape } from './predict.js';

export const EVALUATE_FLAGS: Record<string, FlagSpec> = {
  dataset: { type: 'string', help: 'test set to evaluate on (default mnist)', choices: ['mnist', 'fashion-mnist', 'cifar10'] },
  limit: { type: 'int', help: 'use only the first N test images', check: (v) => (v > 0 ? null : 'expected a positive value') },
  batchSize: {
    type: 'int',
    help: 'images per batch (default: what fits ~256 MB of activations, at most 500)',
    check: (v) => (v > 0 ? null : 'expected a positive value'),
  },
  scale: { type: 'number', help: 'input = pixel (0..255) * scale + offset (default: as stored, else 1/255)' },
  offset: { type: 'number', help: 'added after scaling (default: as stored, else 0)' },
  confusion: { type: 'string', metavar: 'file', help: "draw the test set's confusion matrix to FILE (.png or .svg)" },
  help: { type: 'boolean', help: 'show this help' },
};

export const EVALUATE_HELP = `Usage: convkit evaluate MODEL [options]

Prints a saved model's test loss and accuracy on a dataset's test set.

Options:
${describeFlags(EVALUATE_FLAGS)}`;

/** Runs `convkit evaluate`; returns the accuracy. */
export async function evaluate(argv: readonly string[]): Promise<number> {
  const { files, flags } = splitArgs(argv, EVALUATE_FLAGS);
  if (flags['help']) {
    console.log(EVALUATE_HELP);
    return NaN;
  }
  expectFiles(files, 1, 1, 'one model file: convkit evaluate MODEL --dataset NAME');
  const confusion = flags['confusion'] as string | undefined;
  if (confusion !== undefined && !/\.(png|svg)$/i.test(confusion))
    throw new UsageError(`option --confusion: expected a file name ending in .png or .svg, received '${confusion}'`);
  const file = files[0]!;
  const model = await loadModelFile(file);
  const shape = imageInputShape(model, file);
  const name = (flags['dataset'] as string | undefined) ?? 'mnist';
  const loader = name === 'cifar10' ? datasets.cifar10 : name === 'fashion-mnist' ? datasets.fashionMnist : datasets.mnist;
  const dataShape = name === 'cifar10' ? [32, 32, 3] : [28, 28, 1];
  if (dataShape.join('x') !== shape.join('x'))
    throw new Error(`${file}: the model takes images of shape [${shape.join(', ')}], ${name} has [${dataShape.join(', ')}]`);
  const limit = flags['limit'] as number | undefined;
  const { test } = await loader.load(limit ? { limit } : {});
  const stored = readInputInfo(file);
  const scale = (flags['scale'] as number | undefined) ?? stored?.scale ?? 1 / 255;
  const offset = (flags['offset'] as number | undefined) ?? stored?.offset ?? 0;
  // The loaders give pixel / 255; rescale to what the model was trained on.
  const source = test.images.values();
  const x = new Float32Array(source.length);
  for (let i = 0; i < x.length; i++) x[i] = source[i]! * 255 * scale + offset;
  const classes = model.outputShape[model.outputShape.length - 1] as number;
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const images = new Tensor(x, test.images.shape);
  // MobileNetV2 on 32×32 images gets ~150 (its widest activation is 576 KB an image), the seed model 500.
  const batchSize = (flags['batchSize'] as number | undefined) ?? inferenceBatchSize(model, { max: 500 });
  const [loss, accuracy] = await model.evaluate(images, oneHot(test.labels, classes), { batchSize });
  console.log(`${name}: ${test.images.shape[0]} test images`);
  console.log(`Test loss: ${loss!.toFixed(4)}`);
  console.log(`Test accuracy: ${accuracy!.toFixed(4)}`);
  if (confusion !== undefined) {
    const probabilities = model.predict(images, { batchSize }).values();
    const matrix = confusionMatrix(probabilities, test.labels.values(), classes);
    await writeChart(confusionSvg(matrix, stored?.classNames), confusion);
    console.log(`Wrote ${confusion}`);
  }
  return accuracy!;
}
