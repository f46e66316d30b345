/**
 * Test-time augmentation for the recipes' final accuracy: each test image's class probabilities
 * averaged over a few views of it. 'mirror' averages the image and its left-right mirror image;
 * 'mirror-translate' is airbench's level 2: half that pair, half the mean of the same pair shifted
 * by one pixel up-left and by one down-right (the border filled from the edge pixels).
 */
import type { Dataset } from '../data/dataset.js';
import type { Model } from '../models/model.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';

/** Which views of each test image are averaged. */
export type TestTimeAugmentation = 'none' | 'mirror' | 'mirror-translate';

/** The image warped by x' = sx·x + dx, y' = y + dy (output pixel reads the input there). */
function view(x: Tensor, sx: 1 | -1, dx: number, dy: number): Tensor {
  const w = x.shape[2]!;
  const tx = sx === -1 ? w - 1 + dx : dx;
  return ops.affineTransform(x, [sx, 0, tx, 0, 1, dy, 0, 0], { interpolation: 'nearest', fillMode: 'nearest' });
}

/**
 * Class probabilities [n, classes] of the dataset's images under the chosen views; `standardise`
 * runs after each view is taken (the views shift raw pixels, as training's augmentation does).
 *
 * @example const p = await predictWithViews(model, testImages, 'mirror', standardise);
 */
export async function predictWithViews(
  model: Model,
  images: Dataset<[Tensor, Tensor]>,
  views: TestTimeAugmentation,
  standardise: (x: Tensor) => Tensor,
): Promise<Tensor> {
  const predict = (sx: 1 | -1, dx: number, dy: number) =>
    model.predict(images.map(([x]) => standardise(dx === 0 && dy === 0 && sx === 1 ? x : view(x, sx, dx, dy))));
  const plain = await predict(1, 0, 0);
  if (views === 'none') return plain;
  const pair = async (dx: number, dy: number) => ops.add(await predict(1, dx, dy), await predict(-1, dx, dy));
  const mirrored = ops.add(plain, await predict(-1, 0, 0));
  if (views === 'mirror') return ops.mul(mirrored, 0.5);
  const shifted = ops.add(await pair(-1, -1), await pair(1, 1));
  return ops.add(ops.mul(mirrored, 0.25), ops.mul(shifted, 0.125));
}

/**
 * Fraction of images whose most probable class under the chosen views is their label.
 *
 * @example const accuracy = await accuracyWithViews(model, testData, test.labels, 'mirror', (x) => x);
 */
export async function accuracyWithViews(
  model: Model,
  images: Dataset<[Tensor, Tensor]>,
  labels: Tensor,
  views: TestTimeAugmentation,
  standardise: (x: Tensor) => Tensor,
): Promise<number> {
  const predicted = ops.argMax(await predictWithViews(model, images, views, standardise), -1).values();
  const truth = labels.values();
  if (predicted.length !== truth.length) throw new Error(`accuracyWithViews: ${predicted.length} predictions for ${truth.length} labels`);
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) correct += predicted[i] === truth[i] ? 1 : 0;
  return correct / predicted.length;
}
