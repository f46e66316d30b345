/**
 * Augmentation cost against the training step it feeds: the MNIST recipe's augmentation
 * (rotation, zoom, translation, bilinear, on 28×28×1) beside a training step of
 * zoo.seedCnnRegularized, and the CIFAR recipe's (horizontal flip and a ±4-pixel shift, on
 * 32×32×3) beside a ResNet-20 step, both at batch 128, in one run; plus the ts reference's warp
 * time for scale. The floor: augmentation < 10% of the step.
 *
 *   npx tsc -p tsconfig.json && node build/bench/augment.js [--steps N]
 */
import '../src/backends/native-loader.js'; // makes the native backend available (the Node entry does this)
import { getBackend, setBackend } from '../src/backends/index.js';
import { layers } from '../src/layers/index.js';
import type { Layer } from '../src/layers/layer.js';
import type { Model } from '../src/models/model.js';
import { resnet20, seedCnnRegularized } from '../src/models/zoo.js';
import { Random } from '../src/tensor/random.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { median, syntheticImages, timeTrainingSteps } from './train-steps.js';

const stepsArg = process.argv.indexOf('--steps');
const steps = stepsArg > 0 ? Number(process.argv[stepsArg + 1]) : 20;
const batch = 128;

function timeAugment(augment: Layer[], x: Tensor, reps: number): number {
  const run = (): Tensor => augment.reduce((t, l) => l.apply(t, { training: true }), x);
  run();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    run();
    ms.push(performance.now() - s);
  }
  return median(ms);
}

const rng = new Random(1);
const mnistAug = (): Layer[] => [
  layers.randomRotation({ factor: 0.03, fillMode: 'constant', seed: 1 }),
  layers.randomZoom({ heightFactor: 0.08, seed: 2 }),
  layers.randomTranslation({ heightFactor: 0.08, widthFactor: 0.08, fillMode: 'constant', seed: 3 }),
];
const cifarAug = (): Layer[] => [
  layers.randomFlip({ mode: 'horizontal', seed: 1 }),
  layers.randomTranslation({ heightFactor: 4 / 32, widthFactor: 4 / 32, fillMode: 'constant', interpolation: 'nearest', seed: 2 }),
];

/**
 * Alternates one augmentation of a batch with one training step and returns the medians and the
 * median of the per-pair ratio, so a load change on the machine hits both sides alike.
 */
function share(augment: Layer[], x: Tensor, model: Model, sampleShape: number[], pairs: number): [number, number, number] {
  const aug: number[] = [];
  const step: number[] = [];
  const ratio: number[] = [];
  timeTrainingSteps(model, sampleShape, batch, 2, 1, rng);
  for (let i = 0; i < pairs; i++) {
    const a = timeAugment(augment, x, 1);
    const s = median(timeTrainingSteps(model, sampleShape, batch, 0, 1, rng).stepMs);
    aug.push(a);
    step.push(s);
    ratio.push(a / s);
  }
  return [median(aug), median(step), median(ratio)];
}

console.log(`Augmentation cost per batch of ${batch}, backend ${getBackend().name} (medians of ${steps} alternating pairs)`);
const mnistX = syntheticImages(batch, [28, 28, 1], rng);
const cifarX = syntheticImages(batch, [32, 32, 3], rng);
const rows: string[][] = [['', 'augment ms', 'train step ms', 'share']];
const fmt = ([a, s, r]: [number, number, number]): string[] => [a.toFixed(2), s.toFixed(1), `${(100 * r).toFixed(1)}%`];
rows.push(['MNIST: rotate+zoom+shift / seedCnnRegularized', ...fmt(share(mnistAug(), mnistX, seedCnnRegularized(), [28, 28, 1], steps))]);
rows.push(['CIFAR: flip+shift / resnet20', ...fmt(share(cifarAug(), cifarX, resnet20(), [32, 32, 3], Math.max(5, Math.floor(steps / 2))))]);
if (getBackend().name === 'native') {
  setBackend('ts');
  rows.push(['MNIST augmentation on the ts backend', timeAugment(mnistAug(), mnistX, 5).toFixed(2), '', '']);
  rows.push(['CIFAR augmentation on the ts backend', timeAugment(cifarAug(), cifarX, 5).toFixed(2), '', '']);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
