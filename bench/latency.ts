/**
 * Small-batch latency of the seed model: `predict` on 1 and on 8 MNIST-shaped images, median
 * (and p10, p90) over `calls` calls after 50 warm-up calls, as bench/peers/pytorch_mobile.py
 * `latency` measures PyTorch (eval mode, inference_mode). `benchLatency` runs both side by
 * side for `npm run bench`.
 *
 * Run on its own: `node build/bench/latency.js [--calls 1000]`.
 */
import { pathToFileURL } from 'node:url';
import { setBackend } from '../src/backends/index.js';
import '../src/backends/native-loader.js'; // makes the native backend available (the Node entry does this)
import { seedCnn } from '../src/models/zoo.js';
import { Random, setSeed } from '../src/tensor/random.js';
import { syntheticImages } from './train-steps.js';

export interface LatencyFigures {
  batch: number;
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  calls: number;
}

/** Per-call latency of seedCnn().predict at batch 1 and 8 on `backend`. */
export function benchLatency(backend: 'native' | 'ts', calls = 1000): LatencyFigures[] {
  setBackend(backend);
  setSeed(0);
  const model = seedCnn();
  const rng = new Random(0);
  return [1, 8].map((batch) => {
    const x = syntheticImages(batch, [28, 28, 1], rng);
    for (let i = 0; i < 50; i++) model.predict(x, { batchSize: batch });
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      model.predict(x, { batchSize: batch });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const at = (q: number): number => Number(times[Math.floor(times.length * q)]!.toFixed(4));
    return { batch, medianMs: at(0.5), p10Ms: at(0.1), p90Ms: at(0.9), calls };
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--calls');
  console.log(JSON.stringify(benchLatency('native', i > 0 ? Number(process.argv[i + 1]) : 1000)));
}
