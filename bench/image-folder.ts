/**
 * Training from a folder of image files against training from the same images in memory: N
 * CIFAR-10 images (the cifar10-jpeg copy) written as PNG files in class folders, then one epoch
 * each way of a small CNN (zoo.vggSmall) at batch 128, alternating (memory, folder, memory, …)
 * for `--rounds` pairs so a change of load on the machine hits both alike; decoding runs in
 * worker threads while the main thread trains. Reported: the median of the per-pair speed ratios.
 * The target: the folder at ≥ 90% of in-memory samples per second.
 *
 *   npx tsc -p tsconfig.json && node build/bench/image-folder.js [--images N] [--workers W] [--rounds R]
 */
import '../src/backends/native-loader.js'; // makes the native backend available (the Node entry does this)
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { getBackend } from '../src/backends/index.js';
import { cifar10 } from '../src/data/cifar10.js';
import { Dataset } from '../src/data/dataset.js';
import { imageDatasetFromDirectory } from '../src/data/image-folder.js';
import * as ops from '../src/ops/index.js';
import { vggSmall } from '../src/models/zoo.js';
import { setSeed } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const n = arg('--images', 2560);
const workers = arg('--workers', 1);
const rounds = arg('--rounds', 3);
const batch = 128;

const { train, classNames } = await cifar10.load({ limit: n });
const dir = mkdtempSync(join(tmpdir(), 'convkit-folder-bench-'));
for (const c of classNames) mkdirSync(join(dir, c));
const pixels = train.images.data;
for (let i = 0; i < n; i++) {
  const bytes = Uint8Array.from(pixels.subarray(i * 3072, (i + 1) * 3072), (v) => Math.round(v * 255));
  await sharp(bytes, { raw: { width: 32, height: 32, channels: 3 } })
    .png()
    .toFile(join(dir, classNames[train.labels.data[i]!]!, `${i}.png`));
}

function model() {
  setSeed(1);
  const m = vggSmall();
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** Wall seconds and CPU seconds (all threads: training's, the decoding worker's, sharp's). */
async function time(run: () => Promise<unknown>): Promise<[number, number]> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await run();
  const c = process.cpuUsage(c0);
  return [(performance.now() - t0) / 1000, (c.user + c.system) / 1e6];
}

const x = new Tensor(
  Float32Array.from(pixels.subarray(0, n * 3072), (v) => Math.round(v * 255) / 255),
  [n, 32, 32, 3],
);
const memory = Dataset.fromArrays(x, train.labels).shuffle(n, { seed: 1 }).batch(batch);
const folder = imageDatasetFromDirectory(dir, { imageSize: [32, 32], batchSize: batch, seed: 1, verbose: false, workers })
  .map(([images, labels]) => [ops.mul(images, 1 / 255), labels] as [Tensor, Tensor])
  .prefetch(2);
await model().fit(memory.take(2), { epochs: 1, verbose: 0 }); // warm both paths up
await model().fit(folder.take(2), { epochs: 1, verbose: 0 });
const pairs: [number, number][] = [];
const cpu: [number, number][] = [];
for (let r = 0; r < rounds; r++) {
  const [inMemory, memoryCpu] = await time(() => model().fit(memory, { epochs: 1, verbose: 0 }));
  const [fromFolder, folderCpu] = await time(() => model().fit(folder, { epochs: 1, verbose: 0 }));
  pairs.push([inMemory, fromFolder]);
  cpu.push([memoryCpu, folderCpu]);
  console.log(
    `  pair ${r + 1}: in memory ${inMemory.toFixed(2)} s (CPU ${memoryCpu.toFixed(2)} s), from folder ${fromFolder.toFixed(2)} s (CPU ${folderCpu.toFixed(2)} s), ratio ${(inMemory / fromFolder).toFixed(3)}`,
  );
}
rmSync(dir, { recursive: true, force: true });
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const inMemory = median(pairs.map(([m]) => m));
const fromFolder = median(pairs.map(([, f]) => f));
console.log(
  `One epoch of ${n} CIFAR images, vggSmall, batch ${batch}, backend ${getBackend().name}, ${workers} decoding worker(s), ${rounds} alternating pairs`,
);
console.log(`  in memory:   ${inMemory.toFixed(1)} s (${(n / inMemory).toFixed(0)} samples/s, median)`);
console.log(`  from folder: ${fromFolder.toFixed(1)} s (${(n / fromFolder).toFixed(0)} samples/s, median)`);
console.log(`  folder / memory speed: ${median(pairs.map(([m, f]) => m / f)).toFixed(2)} (median of the pairs' ratios)`);
// On a loaded machine wall times swing by ±30%; CPU time (every thread) is steadier and, where
// training keeps every core busy, predicts what a quiet machine's wall-clock ratio would be.
console.log(`  folder / memory CPU time: ${median(cpu.map(([m, f]) => f / m)).toFixed(3)} (median; the work the folder adds)`);
