/**
 * A small MNIST classifier trained on the spot, for `convkit serve --demo`, the tests and the
 * bench: the Keras tutorial CNN (zoo.seedCnn) fitted for a few epochs on the first few thousand
 * real MNIST training images. About 97% test accuracy in seconds; enough for the page.
 */
import { datasets } from '../data/index.js';
import { oneHot } from '../data/one-hot.js';
import type { Model } from '../models/model.js';
import { zoo } from '../models/zoo.js';
import { setSeed } from '../tensor/random.js';

export interface DemoModelArgs {
  /** Training images used (default 4000). */
  samples?: number;
  epochs?: number;
  seed?: number;
}

/**
 * Trains the seed CNN on `samples` MNIST images; resolves to the model and its test accuracy.
 *
 * @example
 * const { model, testAccuracy } = await trainDemoModel({ samples: 2000, epochs: 2 });
 */
export async function trainDemoModel(args: DemoModelArgs = {}): Promise<{ model: Model; testAccuracy: number }> {
  const { samples = 4000, epochs = 3, seed = 1 } = args;
  setSeed(seed);
  const { train, test } = await datasets.mnist.load({ limit: samples });
  const model = zoo.seedCnn();
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.images, oneHot(train.labels, 10), { epochs, batchSize: 64, verbose: 0 });
  const [, accuracy] = await model.evaluate(test.images, oneHot(test.labels, 10), { batchSize: 500 });
  return { model, testAccuracy: accuracy! };
}
