/**
 * The seed recipe end to end on real MNIST, for the accuracy and memory floors: trains with
 * `fit` exactly as `convkit train` does and records, per epoch, the seconds and the resident
 * memory, then the test accuracy. `node build/bench/recipe.js --seed 1 [--backend native]
 * [--epochs 10] [--model seedCnnRegularized] [--lr-schedule cosine|plateau] [--json out.json]`.
 * --lr-schedule is `convkit train`'s: cosine decays Adam's rate to 0 by the last step, plateau adds
 * Keras's ReduceLROnPlateau(val_loss, factor 0.5, patience 2, minLr 1e-5): a change to the
 * recipe, reported as such.
 */
import { writeFileSync } from 'node:fs';
import { getBackend, setBackend } from '../src/backends/index.js';
import '../src/backends/native-loader.js'; // makes the native backend available (the Node entry does this)
import { datasets } from '../src/data/index.js';
import { oneHot } from '../src/data/one-hot.js';
import { zoo } from '../src/models/zoo.js';
import { setSeed } from '../src/tensor/random.js';
import { Callback, type Logs } from '../src/training/callbacks.js';
import { stepsPerEpoch } from '../src/training/fit.js';
import { optimizerFor, scheduleCallbacks, type Schedule } from '../src/cli/train.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
}

/** Notes each epoch's seconds and resident set size. */
class EpochStats extends Callback {
  readonly rows: { epoch: number; seconds: number; rssMiB: number; logs: Logs }[] = [];
  private start = 0;
  override onEpochBegin(): void {
    this.start = performance.now();
  }
  override onEpochEnd(epoch: number, logs: Logs): void {
    const seconds = (performance.now() - this.start) / 1000;
    this.rows.push({
      epoch: epoch + 1,
      seconds: Number(seconds.toFixed(2)),
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
      logs,
    });
  }
}

const seed = Number(flag('seed', '1'));
const epochs = Number(flag('epochs', '10'));
setBackend(flag('backend', getBackend().name));
setSeed(seed);
const { train, test } = await datasets.mnist.load();
const modelName = flag('model', 'seedCnn') as keyof typeof zoo;
if (!(modelName in zoo)) throw new Error(`recipe: unknown --model ${modelName}; expected one of ${Object.keys(zoo).join(', ')}`);
const model = zoo[modelName]({ inputShape: [28, 28, 1], classes: 10 });
const schedule = flag('lr-schedule', 'constant') as Schedule;
if (!['constant', 'cosine', 'plateau'].includes(schedule))
  throw new Error(`recipe: unknown --lr-schedule ${schedule}; expected constant, cosine or plateau`);
const steps = epochs * stepsPerEpoch(train.images.shape[0]!, 0.2, 200);
model.compile({ optimizer: optimizerFor({}, schedule, steps), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const stats = new EpochStats();
const callbacks = [stats, ...scheduleCallbacks(schedule, 0.2)];
const t0 = performance.now();
await model.fit(train.images, oneHot(train.labels, 10), { epochs, batchSize: 200, validationSplit: 0.2, verbose: 2, callbacks });
const trainSeconds = (performance.now() - t0) / 1000;
const [loss, accuracy] = await model.evaluate(test.images, oneHot(test.labels, 10), { batchSize: 1000 });
const result = {
  backend: getBackend().name,
  seed,
  epochs,
  model: modelName,
  lrSchedule: schedule,
  trainSeconds: Number(trainSeconds.toFixed(1)),
  testLoss: loss,
  testAccuracy: accuracy,
  epochsDetail: stats.rows,
};
console.log(JSON.stringify({ ...result, epochsDetail: stats.rows.map((r) => `${r.epoch}: ${r.seconds}s ${r.rssMiB}MiB`) }));
const out = flag('json', '');
if (out) writeFileSync(out, JSON.stringify(result, null, 1));
