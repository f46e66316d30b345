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
import '../src/backends/native-loader.js'; // makes the native backend available (the Node entry does this)
import { resnet20 } from '../src/models/zoo.js';
import { Random, setSeed } from '../src/tensor/random.js';
import { median, timeTrainingSteps } from './train-steps.js';

export interface ResnetFigures {
  backend: string;
  batch: number;
  steps: number;
  samplesPerS: number;
  stepMsMedian: number;
}

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
  const { seconds: total, stepMs: times } = timeTrainingSteps(model, [32, 32, 3], batch, warmup, steps, rng);
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
