/**
 * Augmentation cost against the training step it feeds: the MNIST recipe's augmentation
 * (rotation, zoom, translation, bilinear, constant fill, on 28×28×1, as src/cli/recipes.ts)
 * beside a training step of zoo.seedCnnRegularized, and the CIFAR recipe's (horizontal flip and a
 * ±4-pixel shift, on 32×32×3) beside a ResNet-20 step, both at batch 128, in one run; each as
 * the layers applied one by one and as one `layers.pipeline` (one composed warp), timed in
 * alternation with the step; plus the ts reference's time for scale. The floor: augmentation
 * < 10% of the step.
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

/** Layers applied one after the other: the recipe's list, or that list wrapped in one Pipeline. */
type Augment = Layer[];
const oneByOne = (ls: Layer[]): Augment => ls;
const piped = (ls: Layer[]): Augment => [layers.pipeline(ls)];

/** CPU milliseconds of this process (every thread) spent in `run`. */
function cpuMs(run: () => unknown): number {
  const c0 = process.cpuUsage();
  run();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/** Median wall and CPU milliseconds of applying `augment` to `x`. */
function timeAugment(augment: Augment, x: Tensor, reps: number): [number, number] {
  const run = (): Tensor => augment.reduce((t, l) => l.apply(t, { training: true }), x);
  run();
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    cpu.push(cpuMs(run));
    ms.push(performance.now() - s);
  }
  return [median(ms), median(cpu)];
}

const rng = new Random(1);
const mnistAug = (): Layer[] => [
  layers.randomRotation({ factor: 10 / 360, fillMode: 'constant', seed: 1 }),
  layers.randomZoom({ heightFactor: 0.1, fillMode: 'constant', seed: 2 }),
  layers.randomTranslation({ heightFactor: 0.1, widthFactor: 0.1, fillMode: 'constant', seed: 3 }),
];
const cifarAug = (): Layer[] => [
  layers.randomFlip({ mode: 'horizontal', seed: 1 }),
  layers.randomTranslation({ heightFactor: 4 / 32, widthFactor: 4 / 32, fillMode: 'constant', interpolation: 'nearest', seed: 2 }),
];

/** Medians: augment ms, step ms, share; augment CPU ms, step CPU ms, CPU share. */
type Shares = [number, number, number, number, number, number];

/**
 * Alternates one augmentation of a batch by each of `augments` with one training step and returns,
 * per augment, the medians and the median of the per-pair ratios, in wall and in CPU time (CPU
 * time, every thread, is steadier on a loaded machine: it leaves out time spent descheduled).
 */
function share(augments: Augment[], x: Tensor, model: Model, sampleShape: number[], pairs: number): Shares[] {
  const cols = augments.map(() => [[], [], [], [], []] as number[][]);
  const step: number[] = [];
  const stepCpu: number[] = [];
  timeTrainingSteps(model, sampleShape, batch, 2, 1, rng);
  for (let i = 0; i < pairs; i++) {
    const a = augments.map((augment) => timeAugment(augment, x, 1));
    let s = 0;
    stepCpu.push(cpuMs(() => (s = median(timeTrainingSteps(model, sampleShape, batch, 0, 1, rng).stepMs))));
    step.push(s);
    a.forEach(([ms, cpu], k) => {
      const c = cols[k]!;
      c[0]!.push(ms);
      c[1]!.push(ms / s);
      c[2]!.push(cpu);
      c[3]!.push(cpu / stepCpu.at(-1)!);
    });
  }
  return cols.map((c) => [median(c[0]!), median(step), median(c[1]!), median(c[2]!), median(stepCpu), median(c[3]!)]);
}

console.log(`Augmentation cost per batch of ${batch}, backend ${getBackend().name} (medians of ${steps} alternating pairs)`);
const mnistX = syntheticImages(batch, [28, 28, 1], rng);
const cifarX = syntheticImages(batch, [32, 32, 3], rng);
const rows: string[][] = [['', 'augment ms', 'train step ms', 'share', 'augment CPU ms', 'step CPU ms', 'CPU share']];
const pct = (r: number): string => `${(100 * r).toFixed(1)}%`;
const fmt = ([a, s, r, ac, sc, rc]: Shares): string[] => [a.toFixed(2), s.toFixed(1), pct(r), ac.toFixed(2), sc.toFixed(1), pct(rc)];
const [mnistSeq, mnistPipe] = share([oneByOne(mnistAug()), piped(mnistAug())], mnistX, seedCnnRegularized(), [28, 28, 1], steps);
rows.push(['MNIST: rotate+zoom+shift, layer by layer / seedCnnRegularized', ...fmt(mnistSeq!)]);
rows.push(['MNIST: the same as one pipeline (one warp)', ...fmt(mnistPipe!)]);
const cifarPairs = Math.max(5, Math.floor(steps / 2));
const [cifarSeq, cifarPipe] = share([oneByOne(cifarAug()), piped(cifarAug())], cifarX, resnet20(), [32, 32, 3], cifarPairs);
rows.push(['CIFAR: flip+shift, layer by layer / resnet20', ...fmt(cifarSeq!)]);
rows.push(['CIFAR: the same as one pipeline (one warp)', ...fmt(cifarPipe!)]);
if (getBackend().name === 'native') {
  setBackend('ts');
  for (const [name, make, x] of [
    ['MNIST', mnistAug, mnistX],
    ['CIFAR', cifarAug, cifarX],
  ] as const) {
    for (const [how, augment] of [
      ['layer by layer', oneByOne(make())],
      ['one pipeline', piped(make())],
    ] as const) {
      const [ms, cpu] = timeAugment(augment, x, 5);
      rows.push([`${name} augmentation on the ts backend, ${how}`, ms.toFixed(2), '', '', cpu.toFixed(2), '', '']);
    }
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
