/**
 * `node build/bench/dashboard.js [--samples 6000] [--rounds 3]`: the Dashboard's cost on training.
 * The seed recipe (seed CNN, Adam, batch 200) fits one epoch on N MNIST images, alternately
 * without and with a Dashboard that two SSE clients are reading; reports the median epoch times,
 * their ratio, and the time spent inside the callback's hooks as a share of the run.
 */
import { get } from 'node:http';
import '../src/backends/native-loader.js';
import { getBackend } from '../src/backends/index.js';
import { datasets } from '../src/data/index.js';
import { oneHot } from '../src/data/one-hot.js';
import { zoo } from '../src/models/zoo.js';
import { setSeed } from '../src/tensor/random.js';
import { Dashboard } from '../src/serve/dashboard.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const samples = flag('samples', 6000);
const rounds = flag('rounds', 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const { train, test } = await datasets.mnist.load({ limit: samples });
const y = oneHot(train.labels, 10);

async function epoch(withDashboard: boolean): Promise<{ ms: number; hookMs: number }> {
  setSeed(1);
  const model = zoo.seedCnn();
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  let dashboard: Dashboard | null = null;
  const readers: { destroy(): void }[] = [];
  if (withDashboard) {
    dashboard = new Dashboard({ port: 0, onListening: () => {}, testData: { x: test.images, y: test.labels }, evaluationSamples: 500 });
    const url = await dashboard.start();
    for (let i = 0; i < 2; i++) readers.push(get(`${url}/events`, (res) => res.resume()));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const start = performance.now();
  await model.fit(train.images, y, {
    epochs: 1,
    batchSize: 200,
    validationSplit: 0.2,
    verbose: 0,
    callbacks: dashboard ? [dashboard] : [],
  });
  const ms = performance.now() - start;
  for (const r of readers) r.destroy();
  await dashboard?.close();
  return { ms: ms - (dashboard?.evaluationMs ?? 0), hookMs: dashboard?.overheadMs ?? 0 };
}

await epoch(false); // warm-up
const plain: number[] = [];
const dashed: number[] = [];
const hooks: number[] = [];
for (let r = 0; r < rounds; r++) {
  plain.push((await epoch(false)).ms);
  const d = await epoch(true);
  dashed.push(d.ms);
  hooks.push(d.hookMs / d.ms);
}
console.log(`backend ${getBackend().name}; ${samples} MNIST images, 1 epoch of the seed recipe, ${rounds} rounds alternating`);
console.log(`without dashboard: median ${median(plain).toFixed(0)} ms (${plain.map((v) => v.toFixed(0)).join(', ')})`);
console.log(`with dashboard + 2 SSE readers: median ${median(dashed).toFixed(0)} ms (${dashed.map((v) => v.toFixed(0)).join(', ')})`);
console.log(
  `ratio with/without: ${(median(dashed) / median(plain)).toFixed(3)}; time inside the callback's hooks: ${(100 * median(hooks)).toFixed(2)}% of the run (the end-of-run evaluation of 500 images is excluded from both)`,
);
