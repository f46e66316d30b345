/**
 * ResNet-20 (zoo.resnet20, CIFAR-shaped 32×32×3, 10 classes) training throughput on one backend,
 * measured as bench/peers/pytorch_resnet20.py measures PyTorch: steady-state samples/s and the
 * median step over batches of 128 synthetic images (speed does not depend on the values), each
 * step a shuffled gather plus forward, loss, gradients and an Adam update in a buffer scope, as
 * `fit` runs it.
 *
 * Run on its own: `node build/bench/resnet.js [--steps 10] [--batch 128] [--backend native|ts]`.
 */
import { pathToFileURL } from 'node:url';
import { setBackend } from '../src/backends/index.js';
import { gradients } from '../src/autograd/gradients.js';
import { categoricalCrossentropy } from '../src/losses/index.js';
import { resnet20 } from '../src/models/zoo.js';
import * as ops from '../src/ops/index.js';
import { Adam } from '../src/optimizers/adam.js';
import { withBufferScope } from '../src/tensor/buffer-pool.js';
import { Random, setSeed } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { takeRows } from '../src/training/batches.js';

export interface ResnetFigures {
  backend: string;
  batch: number;
  steps: number;
  samplesPerS: number;
  stepMsMedian: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Times `steps` ResNet-20 training steps at `batch` after `warmup` steps.
 *
 * @example
 * const r = benchResnet('native', { steps: 10 });
 * console.log(r.samplesPerS);
 */
export function benchResnet(backend: 'ts' | 'native', { batch = 128, steps = 10, warmup = 3 } = {}): ResnetFigures {
  setBackend(backend);
  setSeed(0);
  const rng = new Random(0);
  const model = resnet20({ inputShape: [32, 32, 3], classes: 10 });
  const optimizer = new Adam();
  const pool = batch * 4;
  const xs = new Float32Array(pool * 32 * 32 * 3);
  for (let i = 0; i < xs.length; i++) xs[i] = rng.uniform();
  const ys = new Float32Array(pool * 10);
  for (let i = 0; i < pool; i++) ys[i * 10 + rng.int(10)] = 1;
  const x = new Tensor(xs, [pool, 32, 32, 3]);
  const y = new Tensor(ys, [pool, 10]);
  const order = rng.permutation(pool);
  const step = (i: number): void =>
    withBufferScope(() => {
      const start = (i % 4) * batch;
      const xb = takeRows(x, order, start, start + batch);
      const yb = takeRows(y, order, start, start + batch);
      const weights = model.trainableWeights;
      const loss = ops.mean(categoricalCrossentropy(yb, model.apply(xb, { training: true })));
      loss.item();
      const grads = gradients(loss, weights);
      optimizer.applyGradients(weights.map((w, j) => [w, grads[j]!] as const));
    });
  for (let i = 0; i < warmup; i++) step(i);
  const times: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const s = performance.now();
    step(i);
    times.push(performance.now() - s);
  }
  const total = (performance.now() - t0) / 1000;
  return {
    backend,
    batch,
    steps,
    samplesPerS: Math.round((steps * batch) / total),
    stepMsMedian: Number(median(times).toFixed(1)),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flag = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1]! : fallback;
  };
  const r = benchResnet(flag('backend', 'native') as 'ts' | 'native', {
    batch: Number(flag('batch', '128')),
    steps: Number(flag('steps', '10')),
  });
  console.log(JSON.stringify(r));
}
