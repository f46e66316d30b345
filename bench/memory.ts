/**
 * Peak memory (resident set size) of one scenario, in a process of its own so nothing else
 * counts: `predict` (a zoo model's predictions on n CIFAR-shaped images at a batch size) or
 * `train` (training steps at a batch size, as `fit` runs them). Prints one JSON line with the
 * peak RSS from getrusage, the seconds, and the RSS of the process before the model ran
 * (Node's own). bench/peers/pytorch_memory.py measures the same scenarios for PyTorch;
 * `benchMemory` runs both side by side for `npm run bench`.
 *
 * Run on its own: `node build/bench/memory.js predict --model mobilenetV2 --n 1000 --batch 100`
 * or `node build/bench/memory.js train --model resnet20 --batch 128 --n 3` (training steps as fit
 * runs them; add `--keep-all` for steps that keep every intermediate until they end, as fit did
 * before the backward pass's reads were declared: the comparison in one build).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setBackend } from '../src/backends/index.js';
import '../src/backends/native-loader.js'; // makes the native backend available (the Node entry does this)
import { zoo } from '../src/models/zoo.js';
import { Random, setSeed } from '../src/tensor/random.js';
import { syntheticImages, timeTrainingSteps } from './train-steps.js';

export interface MemoryScenario {
  mode: 'predict' | 'train';
  model: 'mobilenetV2' | 'resnet20';
  batch: number;
  /** predict: images; train: timed steps. */
  n: number;
  /** train: keep every intermediate until the step ends (no release; the old step). */
  keepAll?: boolean;
}

export interface MemoryFigures extends MemoryScenario {
  peakRssMb: number;
  baseRssMb: number;
  seconds: number;
}

const mb = (kb: number): number => Math.round(kb / 1024);

/** Runs `s` in this process (call it in a fresh one: the peak is the process's). */
export function measureHere(s: MemoryScenario): MemoryFigures {
  setBackend('native');
  setSeed(0);
  const rng = new Random(0);
  const model = zoo[s.model]({ inputShape: [32, 32, 3], classes: 10 });
  const baseRssMb = mb(process.resourceUsage().maxRSS);
  const t0 = performance.now();
  if (s.mode === 'predict') model.predict(syntheticImages(s.n, [32, 32, 3], rng), { batchSize: s.batch });
  else timeTrainingSteps(model, [32, 32, 3], s.batch, 1, s.n, rng, { keepAll: s.keepAll ?? false });
  const seconds = (performance.now() - t0) / 1000;
  return { ...s, peakRssMb: mb(process.resourceUsage().maxRSS), baseRssMb, seconds: Number(seconds.toFixed(2)) };
}

/** Runs `s` in a child Node process; null (with the reason printed) if it fails. */
export function measureInChild(s: MemoryScenario): MemoryFigures | null {
  const script = fileURLToPath(import.meta.url);
  const args = [script, s.mode, '--model', s.model, '--n', String(s.n), '--batch', String(s.batch), ...(s.keepAll ? ['--keep-all'] : [])];
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0) {
    console.log(`memory ${s.mode} ${s.model} not measured: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`);
    return null;
  }
  return JSON.parse(r.stdout) as MemoryFigures;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flag = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1]! : fallback;
  };
  const mode = process.argv[2] === 'train' ? 'train' : 'predict';
  const figures = measureHere({
    mode,
    model: flag('model', mode === 'train' ? 'resnet20' : 'mobilenetV2') as MemoryScenario['model'],
    batch: Number(flag('batch', mode === 'train' ? '128' : '100')),
    n: Number(flag('n', mode === 'train' ? '3' : '1000')),
    ...(process.argv.includes('--keep-all') ? { keepAll: true } : {}),
  });
  console.log(JSON.stringify(figures));
}
