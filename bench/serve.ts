/**
 * `node build/bench/serve.js [--requests 10000] [--concurrency 32] [--window-ms 2] [--max-batch 32]`:
 * the seed CNN served on 127.0.0.1 (server in a child process, so the load generator does not
 * share its event loop) under N single-image predict requests at concurrency C over keep-alive
 * connections: errors, p50/p99 latency and throughput, beside in-process `predict` at the same
 * concurrency (C callers of one image each: predict is synchronous, so they take turns) and
 * in-process `predict` on whole batches of C (the ceiling batching can reach).
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { getBackend } from '../src/backends/index.js';
import '../src/backends/native-loader.js';
import { zoo } from '../src/models/zoo.js';
import { serve } from '../src/serve/index.js';
import { setSeed } from '../src/tensor/random.js';
import { tensor } from '../src/tensor/tensor.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const requests = flag('requests', 10_000);
const concurrency = flag('concurrency', 32);
const image = Array.from({ length: 784 }, (_, i) => ((i * 7919) % 256) / 255);

function seedModel() {
  setSeed(1);
  return zoo.seedCnn();
}

/** Child mode: serve the seed model on a free port and report it to the parent. */
async function runServer(): Promise<void> {
  const server = await serve(
    { mnist: seedModel() },
    { port: 0, batchWindowMs: flag('window-ms', 2), maxBatch: flag('max-batch', 32), maxQueue: 4096 },
  );
  process.send!({ url: server.url, backend: getBackend().name });
  process.on('message', () => void server.close().then(() => process.exit(0)));
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

function inProcess(): { perCaller: number; batched: number } {
  const model = seedModel();
  const one = tensor(image, [1, 28, 28, 1]);
  const batch = tensor(Array.from({ length: concurrency }, () => image).flat(), [concurrency, 28, 28, 1]);
  for (let i = 0; i < 20; i++) model.predict(one);
  const n = Math.min(requests, 3000);
  let start = performance.now();
  for (let i = 0; i < n; i++) model.predict(one, { batchSize: 1 });
  const perCaller = n / ((performance.now() - start) / 1000);
  const batches = Math.max(1, Math.round(n / concurrency));
  start = performance.now();
  for (let i = 0; i < batches; i++) model.predict(batch, { batchSize: concurrency });
  const batched = (batches * concurrency) / ((performance.now() - start) / 1000);
  return { perCaller, batched };
}

async function load(url: string, count: number): Promise<{ latencies: number[]; seconds: number; errors: string[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const body = JSON.stringify({
    instances: [Array.from({ length: 28 }, (_, r) => Array.from({ length: 28 }, (_, c) => [image[r * 28 + c]!]))],
  });
  const { hostname, port } = new URL(url);
  const latencies: number[] = [];
  const errors: string[] = [];
  const once = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = request(
        {
          host: hostname,
          port,
          method: 'POST',
          path: '/v1/models/mnist:predict',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            if (res.statusCode !== 200) errors.push(`${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 200)}`);
            resolve();
          });
        },
      );
      req.on('error', (err) => {
        errors.push(err.message);
        resolve();
      });
      req.end(body);
    });
  let next = 0;
  const worker = async () => {
    while (next++ < count) await once();
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return { latencies: latencies.sort((a, b) => a - b), seconds, errors };
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--server', ...process.argv.slice(2)], { stdio: 'inherit' });
  const { url, backend } = await new Promise<{ url: string; backend: string }>((resolve) => child.once('message', resolve as never));
  await load(url, Math.min(500, requests)); // warm-up
  const { latencies, seconds, errors } = await load(url, requests);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const batchCount = Number(/^convkit_batch_size_count (\d+)$/m.exec(metrics)?.[1]);
  const batchSum = Number(/^convkit_batch_size_sum (\d+)$/m.exec(metrics)?.[1]);
  const predictSum = Number(/^convkit_predict_duration_seconds_sum ([\d.e-]+)$/m.exec(metrics)?.[1]);
  child.send('stop');
  const base = inProcess();
  const served = requests / seconds;
  console.log(`backend ${backend}; ${requests} requests at concurrency ${concurrency} (127.0.0.1, keep-alive, server in a child process)`);
  console.log(`errors: ${errors.length}${errors.length ? ` (first: ${errors[0]})` : ''}`);
  console.log(
    `served: ${served.toFixed(0)} req/s, p50 ${quantile(latencies, 0.5).toFixed(2)} ms, p99 ${quantile(latencies, 0.99).toFixed(2)} ms`,
  );
  console.log(
    `mean batch ${(batchSum / batchCount).toFixed(1)} samples; predict busy ${((100 * predictSum) / seconds).toFixed(0)}% of the timed run (warm-up included)`,
  );
  console.log(
    `in-process predict, ${concurrency} callers of 1 image (they take turns): ${base.perCaller.toFixed(0)} images/s → served/in-process = ${(served / base.perCaller).toFixed(2)}`,
  );
  console.log(
    `in-process predict on batches of ${concurrency}: ${base.batched.toFixed(0)} images/s → served/batched = ${(served / base.batched).toFixed(2)}`,
  );
  process.exitCode = errors.length > 0 ? 1 : 0;
}

if (process.argv.includes('--server')) await runServer();
else await main();
