/**
 * Save and load times and peak extra memory for a ResNet-50 (25.6 M parameters, ~102 MB of
 * float32 weights; built here, since the zoo has no ResNet-50) in each format, against the
 * floors (≤ 1.5 s each, peak extra memory ≤ 2× the weights). Each measurement runs in a fresh
 * process; a worker thread samples the resident set every 2 ms while the main thread saves or
 * loads. Usage: node build/bench/io.js [--formats .keras,.h5,model.json]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadModel } from '../src/io/index.js';
import { input, layers, type SymbolicTensor } from '../src/layers/index.js';
import { model as functional } from '../src/models/functional.js';
import type { Model } from '../src/models/model.js';
import { setSeed } from '../src/tensor/random.js';

/** He et al.'s ResNet-50 (bottleneck blocks [3, 4, 6, 3], 1000 classes): 25,636,712 parameters. */
export function resnet50(): Model {
  const x = input({ shape: [224, 224, 3] });
  const bn = (t: SymbolicTensor) => layers.batchNormalization({ epsilon: 1.001e-5 }).apply(t);
  const relu = (t: SymbolicTensor) => layers.activation({ activation: 'relu' }).apply(t);
  const conv = (t: SymbolicTensor, filters: number, k: number, s = 1) =>
    layers.conv2d({ filters, kernelSize: k, strides: s, padding: 'same' }).apply(t);
  let y = relu(bn(conv(layers.zeroPadding2d({ padding: 0 }).apply(x), 64, 7, 2)));
  y = layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(y);
  const stages: [number, number][] = [
    [64, 3],
    [128, 4],
    [256, 6],
    [512, 3],
  ];
  stages.forEach(([filters, blocks], stage) => {
    for (let b = 0; b < blocks; b++) {
      const stride = b === 0 && stage > 0 ? 2 : 1;
      const shortcut = b === 0 ? bn(conv(y, 4 * filters, 1, stride)) : y;
      let z = relu(bn(conv(y, filters, 1, stride)));
      z = relu(bn(conv(z, filters, 3)));
      z = bn(conv(z, 4 * filters, 1));
      y = relu(layers.add().apply([shortcut, z]));
    }
  });
  const out = layers.dense({ units: 1000, activation: 'softmax' }).apply(layers.globalAveragePooling2d().apply(y));
  return functional({ inputs: x, outputs: out, name: 'resnet50' });
}

/** Max resident set (bytes) over the callback, sampled by a worker, minus the resident set before. */
async function peakDuring<T>(run: () => Promise<T>): Promise<{ result: T; seconds: number; cpuSeconds: number; peakExtra: number }> {
  const shared = new Float64Array(new SharedArrayBuffer(16));
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const s = new Float64Array(workerData);
     const tick = () => { const r = process.memoryUsage.rss(); if (r > s[0]) s[0] = r; if (s[1] === 0) setTimeout(tick, 2); };
     tick();`,
    { eval: true, workerData: shared.buffer },
  );
  await new Promise((r) => setTimeout(r, 20));
  // Leftovers from building the model are not the save's or load's doing.
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage.rss();
  shared[0] = before;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await run();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  // CPU time of this thread and libuv's (the sampling worker's few wake-ups included): the wall time
  // an unloaded machine would show, less waiting for the disk.
  const cpuSeconds = (used.user + used.system) / 1e6;
  shared[0] = Math.max(shared[0]!, process.memoryUsage.rss());
  shared[1] = 1;
  await worker.terminate();
  return { result, seconds, cpuSeconds, peakExtra: shared[0]! - before };
}

const pathFor = (dir: string, format: string): string =>
  format === 'model.json' ? join(dir, 'tfjs', 'model.json') : join(dir, `resnet50${format}`);

/** One measurement in this (fresh) process; prints a JSON line. */
async function child(op: 'save' | 'load', format: string, dir: string): Promise<void> {
  const path = pathFor(dir, format);
  if (op === 'save') {
    setSeed(1);
    const m = resnet50();
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const weightsBytes = m.countParams() * 4;
    const { seconds, cpuSeconds, peakExtra } = await peakDuring(() => m.save(path));
    console.log(JSON.stringify({ op, format, seconds, cpuSeconds, peakExtra, weightsBytes, params: m.countParams() }));
  } else {
    const { result, seconds, cpuSeconds, peakExtra } = await peakDuring(() => loadModel(path));
    const weightsBytes = result.countParams() * 4;
    // The loaded weights themselves stay (they are the result); the extra is what loading needed beyond them.
    console.log(
      JSON.stringify({ op, format, seconds, cpuSeconds, peakExtra: peakExtra - weightsBytes, weightsBytes, params: result.countParams() }),
    );
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(argv[1] as 'save' | 'load', argv[2]!, argv[3]!);
  const formatsAt = argv.indexOf('--formats');
  const formats = formatsAt >= 0 ? argv[formatsAt + 1]!.split(',') : ['.keras', '.h5', 'model.json'];
  const dir = mkdtempSync(join(tmpdir(), 'convkit-io-bench-'));
  mkdirSync(join(dir, 'tfjs'));
  const self = fileURLToPath(import.meta.url);
  console.log('ResNet-50 save/load (each in a fresh process; floors: ≤ 1.5 s, peak extra ≤ 2× weights)');
  console.log('format       op     wall s   CPU s  peak extra  × weights  floor (wall)');
  for (const format of formats) {
    for (const op of ['save', 'load']) {
      const r = spawnSync(process.execPath, ['--expose-gc', self, '--child', op, format, dir], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) {
        console.log(`${format} ${op}: failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        continue;
      }
      const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
        seconds: number;
        cpuSeconds: number;
        peakExtra: number;
        weightsBytes: number;
        params: number;
      };
      if (format === formats[0] && op === 'save')
        console.log(`(${m.params.toLocaleString('en-US')} parameters, ${(m.weightsBytes / 2 ** 20).toFixed(0)} MiB of weights)`);
      const times = m.peakExtra / m.weightsBytes;
      const ok = m.seconds <= 1.5 && times <= 2 ? 'met' : 'MISSED';
      console.log(
        `${format.padEnd(12)} ${op.padEnd(5)} ${m.seconds.toFixed(2).padStart(7)} ${m.cpuSeconds.toFixed(2).padStart(7)}  ${(m.peakExtra / 2 ** 20).toFixed(0).padStart(7)} MiB  ${times.toFixed(2).padStart(8)}  ${ok}`,
      );
    }
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `(load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)} on ${(await import('node:os')).cpus().length} cores while measuring)`,
  );
}

await main();
