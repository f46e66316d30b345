/**
 * Where a real training step spends its time: trains a zoo model with `fit` on synthetic data and
 * times every kernel call (wrapping the backend's kernel record), grouped by kernel and a short
 * shape key, plus garbage-collection pauses; what is left of the step is TypeScript overhead
 * (tape, ops' checks, allocation). Figures are per step, over the steps after the warm-up.
 *
 *   node build/bench/profile.js [--model seed|ZOO_NAME] [--batch N] [--steps N] [--warmup N]
 *                               [--backend native|ts] [--top N]
 *   node build/bench/profile.js --predict [--model seed|ZOO_NAME] [--batch N] [--images N]
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { getBackend, setBackend } from '../src/backends/index.js';
import '../src/backends/native-loader.js'; // makes the native backend available (the Node entry does this)
import type { Kernels } from '../src/backends/kernels.js';
import { Callback } from '../src/training/callbacks.js';
import { zoo } from '../src/models/zoo.js';
import { Random, setSeed } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';

/** One kernel's share of a step. */
export interface ProfileRow {
  kernel: string;
  calls: number;
  msPerStep: number;
}

/** A step's time split into kernels, garbage collection and the rest. */
export interface StepProfile {
  model: string;
  batch: number;
  steps: number;
  stepMs: number;
  kernelMs: number;
  gcMs: number;
  rows: ProfileRow[];
}

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
}

/** A short key telling calls of one kernel apart: the geometry's channels and size, or the length. */
function shapeKey(args: unknown[]): string {
  for (const a of args) {
    if (a && typeof a === 'object' && 'batch' in a) {
      const g = a as unknown as { inHeight: number; inChannels?: number; channels?: number; outChannels?: number; kernelHeight?: number };
      const c = g.inChannels ?? g.channels;
      const k = g.kernelHeight ? ` k${g.kernelHeight}` : '';
      return `${g.inHeight}² ${c}${g.outChannels ? `→${g.outChannels}` : ''}${k}`;
    }
  }
  if (typeof args[0] === 'string') {
    const arr = args.find((a) => ArrayBuffer.isView(a)) as ArrayLike<number> | undefined;
    return `${args[0]} ${arr ? arr.length : ''}`;
  }
  const arr = args.find((a) => ArrayBuffer.isView(a)) as ArrayLike<number> | undefined;
  return arr ? String(arr.length) : '';
}

/** Wraps every kernel of `k` with a timer; returns the table and a reset. */
function instrument(k: Kernels): { table: Map<string, { calls: number; ms: number }>; reset: () => void } {
  const table = new Map<string, { calls: number; ms: number }>();
  const record = k as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of Object.keys(record)) {
    const f = record[name]!;
    record[name] = (...args: unknown[]) => {
      const t0 = performance.now();
      const out = f(...args);
      const key = `${name} ${shapeKey(args)}`;
      const e = table.get(key) ?? { calls: 0, ms: 0 };
      e.calls++;
      e.ms += performance.now() - t0;
      table.set(key, e);
      return out;
    };
  }
  return { table, reset: () => table.clear() };
}

/** 'seed' (the seed recipe's model) or any zoo architecture. */
export type ProfiledModel = 'seed' | keyof typeof zoo;

/** The model and its input shape: MNIST's for the MNIST-sized nets, CIFAR-10's for the others. */
function buildModel(name: ProfiledModel): readonly [[number, number, number], ReturnType<(typeof zoo)[keyof typeof zoo]>] {
  const zooName = name === 'seed' ? 'seedCnn' : name;
  if (!(zooName in zoo)) throw new Error(`profile: unknown --model ${name}; expected seed or one of ${Object.keys(zoo).join(', ')}`);
  const shape: [number, number, number] = ['resnet20', 'vggSmall', 'mobilenetV2'].includes(zooName) ? [32, 32, 3] : [28, 28, 1];
  return [shape, zoo[zooName]({ inputShape: shape })] as const;
}

/**
 * Trains `modelName` for warmup + steps batches with `fit` and returns the per-step profile.
 *
 * @example
 * const p = await profileSteps({ modelName: 'resnet20', batch: 128, steps: 10 });
 * console.log(p.stepMs, p.rows[0]);
 */
export async function profileSteps(opts: {
  modelName: ProfiledModel;
  batch: number;
  steps: number;
  warmup?: number;
}): Promise<StepProfile> {
  const { modelName, batch, steps, warmup = 3 } = opts;
  setSeed(0);
  const rng = new Random(0);
  const [shape, model] = buildModel(modelName);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const n = batch * (warmup + steps);
  const per = shape[0] * shape[1] * shape[2];
  const x = new Float32Array(n * per);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform();
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + rng.int(10)] = 1;

  const { table, reset } = instrument(getBackend().kernels);
  let gcMs = 0;
  let counting = false;
  const obs = new PerformanceObserver((list) => {
    if (counting) for (const e of list.getEntries()) gcMs += e.duration;
  });
  obs.observe({ entryTypes: ['gc'] });
  let start = 0;
  class Mark extends Callback {
    override onTrainBatchBegin(b: number): void {
      if (b === warmup) {
        reset();
        gcMs = 0;
        counting = true;
        start = performance.now();
      }
    }
  }
  await model.fit(new Tensor(x, [n, ...shape]), new Tensor(y, [n, 10]), {
    epochs: 1,
    batchSize: batch,
    shuffle: false,
    verbose: 0,
    callbacks: [new Mark()],
  });
  const stepMs = (performance.now() - start) / steps;
  obs.disconnect();
  const rows = [...table.entries()]
    .map(([kernel, e]) => ({ kernel, calls: e.calls / steps, msPerStep: e.ms / steps }))
    .sort((a, b) => b.msPerStep - a.msPerStep);
  const kernelMs = rows.reduce((s, r) => s + r.msPerStep, 0);
  return { model: modelName, batch, steps, stepMs, kernelMs, gcMs: gcMs / steps, rows };
}

/**
 * The same split for inference: `images` synthetic images through `model.predict` at `batch`,
 * after one warm-up pass; figures are per batch.
 *
 * @example
 * const p = profilePredict({ modelName: 'seed', batch: 1000, images: 10000 });
 */
export function profilePredict(opts: { modelName: ProfiledModel; batch: number; images: number }): StepProfile {
  const { modelName, batch, images } = opts;
  setSeed(0);
  const rng = new Random(0);
  const [shape, model] = buildModel(modelName);
  const x = new Float32Array(images * shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform();
  const input = new Tensor(x, [images, ...shape]);
  model.predict(input, { batchSize: batch });
  const { table } = instrument(getBackend().kernels);
  const start = performance.now();
  model.predict(input, { batchSize: batch });
  const batches = Math.ceil(images / batch);
  const stepMs = (performance.now() - start) / batches;
  const rows = [...table.entries()]
    .map(([kernel, e]) => ({ kernel, calls: e.calls / batches, msPerStep: e.ms / batches }))
    .sort((a, b) => b.msPerStep - a.msPerStep);
  return {
    model: `${modelName} predict`,
    batch,
    steps: batches,
    stepMs,
    kernelMs: rows.reduce((s, r) => s + r.msPerStep, 0),
    gcMs: 0,
    rows,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  setBackend(flag('backend', 'native'));
  const modelName = flag('model', 'seed') as ProfiledModel;
  if (process.argv.includes('--predict')) {
    const p = profilePredict({ modelName, batch: Number(flag('batch', '1000')), images: Number(flag('images', '10000')) });
    console.log(
      `${p.model} batch ${p.batch}: ${p.stepMs.toFixed(2)} ms/batch = kernels ${p.kernelMs.toFixed(2)} + other ${(p.stepMs - p.kernelMs).toFixed(2)}`,
    );
    for (const r of p.rows) console.log(`${r.msPerStep.toFixed(3).padStart(8)} ms  ${r.calls.toFixed(0).padStart(4)}×  ${r.kernel}`);
    process.exit(0);
  }
  const p = await profileSteps({
    modelName,
    batch: Number(flag('batch', ['seed', 'seedCnn', 'seedCnnRegularized', 'lenet5'].includes(modelName) ? '200' : '128')),
    steps: Number(flag('steps', '10')),
    warmup: Number(flag('warmup', '3')),
  });
  const top = Number(flag('top', '40'));
  console.log(
    `${p.model} batch ${p.batch}, ${p.steps} steps: ${p.stepMs.toFixed(1)} ms/step = kernels ${p.kernelMs.toFixed(1)}` +
      ` + other ${(p.stepMs - p.kernelMs).toFixed(1)} (of which GC ${p.gcMs.toFixed(1)})`,
  );
  for (const r of p.rows.slice(0, top))
    console.log(`${r.msPerStep.toFixed(2).padStart(8)} ms  ${r.calls.toFixed(0).padStart(4)}×  ${r.kernel}`);
}
