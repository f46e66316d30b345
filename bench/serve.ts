/**
 * `node build/bench/serve.js [--requests 10000] [--concurrency 32] [--window-ms 2] [--max-batch 32]
 * [--baseline OTHER/build] [--rounds R]`: the seed CNN served on 127.0.0.1 (server in a child
 * process, so the load generator does not share its event loop) under N single-image predict
 * requests at concurrency C over keep-alive connections (a raw HTTP/1.1 client, see load): errors, p50/p99 latency and throughput,
 * beside in-process `predict` at the same concurrency (C callers of one image each: predict is
 * synchronous, so they take turns) and in-process `predict` on whole batches of C (the ceiling
 * batching can reach). With `--baseline`, the server of another build (its build/bench/serve.js
 * in --server mode, e.g. the main branch's) runs too, alternating with this one R times (default
 * 2), and the ratios of the medians are printed: on a loaded machine only such side-by-side
 * figures compare.
 */
import { fork } from 'node:child_process';
import { connect } from 'node:net';
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

/**
 * N requests over C keep-alive connections with a raw HTTP/1.1 client: the request bytes are
 * made once and each answer is read by its content-length, so the load generator (which shares
 * the machine's cores with the server) spends little CPU per request: node:http's client cost
 * about as much as the server being measured.
 */
async function load(url: string, count: number): Promise<{ latencies: number[]; seconds: number; errors: string[] }> {
  const body = JSON.stringify({
    instances: [Array.from({ length: 28 }, (_, r) => Array.from({ length: 28 }, (_, c) => [image[r * 28 + c]!]))],
  });
  const { hostname, port } = new URL(url);
  const head = `POST /v1/models/mnist:predict HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
  const requestBytes = Buffer.from(head + body);
  const latencies: number[] = [];
  const errors: string[] = [];
  let sent = 0;
  const connection = () =>
    new Promise<void>((resolve) => {
      const socket = connect(Number(port), hostname);
      socket.setNoDelay(true);
      let pending: Buffer = Buffer.alloc(0);
      let t0 = 0;
      const next = () => {
        if (sent >= count) {
          socket.end();
          return resolve();
        }
        sent++;
        t0 = performance.now();
        socket.write(requestBytes);
      };
      socket.on('connect', next);
      socket.on('data', (chunk: Buffer) => {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        const split = pending.indexOf('\r\n\r\n');
        if (split < 0) return;
        const headers = pending.toString('latin1', 0, split);
        const length = Number(/content-length: *(\d+)/i.exec(headers)?.[1] ?? 0);
        if (pending.length < split + 4 + length) return;
        latencies.push(performance.now() - t0);
        const status = Number(headers.slice(9, 12));
        if (status !== 200) errors.push(`${status} ${pending.toString('utf8', split + 4, split + 4 + Math.min(length, 200))}`);
        pending = pending.subarray(split + 4 + length);
        next();
      });
      socket.on('error', (err) => {
        errors.push(err.message);
        resolve();
      });
    });
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, connection));
  const seconds = (performance.now() - start) / 1000;
  return { latencies: latencies.sort((a, b) => a - b), seconds, errors };
}

interface Run {
  backend: string;
  served: number;
  p50: number;
  p99: number;
  errors: string[];
  meanBatch: number;
  predictBusy: number;
}

/** Starts the server of `script` (a build's bench/serve.js) in a child process, loads it, stops it. */
async function measure(script: string): Promise<Run> {
  const args = ['--server', ...process.argv.slice(2).filter((a, i, all) => a !== '--baseline' && all[i - 1] !== '--baseline')];
  const child = fork(script, args, { stdio: 'inherit' });
  const { url, backend } = await new Promise<{ url: string; backend: string }>((resolve) => child.once('message', resolve as never));
  await load(url, Math.min(500, requests)); // warm-up
  const { latencies, seconds, errors } = await load(url, requests);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const batchCount = Number(/^convkit_batch_size_count (\d+)$/m.exec(metrics)?.[1]);
  const batchSum = Number(/^convkit_batch_size_sum (\d+)$/m.exec(metrics)?.[1]);
  const predictSum = Number(/^convkit_predict_duration_seconds_sum ([\d.e-]+)$/m.exec(metrics)?.[1]);
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  return {
    backend,
    served: requests / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    errors,
    meanBatch: batchSum / batchCount,
    predictBusy: predictSum / seconds,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function report(label: string, run: Run): void {
  console.log(
    `${label}: ${run.served.toFixed(0)} req/s, p50 ${run.p50.toFixed(2)} ms, p99 ${run.p99.toFixed(2)} ms, errors ${run.errors.length}${run.errors.length ? ` (first: ${run.errors[0]})` : ''}, mean batch ${run.meanBatch.toFixed(1)}, predict busy ${(100 * run.predictBusy).toFixed(0)}% (warm-up included)`,
  );
}

async function main(): Promise<void> {
  const baselineAt = process.argv.indexOf('--baseline');
  const baseline = baselineAt >= 0 ? `${process.argv[baselineAt + 1]!.replace(/\/$/, '')}/bench/serve.js` : null;
  const rounds = flag('rounds', baseline ? 2 : 1);
  const runs: { label: string; run: Run }[] = [];
  for (let r = 0; r < rounds; r++) {
    if (baseline) runs.push({ label: `baseline, round ${r + 1}`, run: await measure(baseline) });
    runs.push({ label: `this build, round ${r + 1}`, run: await measure(fileURLToPath(import.meta.url)) });
  }
  const errors = runs.flatMap((r) => r.run.errors);
  const ours = runs.filter((r) => r.label.startsWith('this')).map((r) => r.run);
  const base = inProcess();
  const served = median(ours.map((r) => r.served));
  console.log(
    `backend ${ours[0]!.backend}; ${requests} requests at concurrency ${concurrency} (127.0.0.1, keep-alive, server in a child process)`,
  );
  for (const { label, run } of runs) report(label, run);
  console.log(`errors: ${errors.length}${errors.length ? ` (first: ${errors[0]})` : ''}`);
  console.log(
    `served (median of ${ours.length}): ${served.toFixed(0)} req/s, p50 ${median(ours.map((r) => r.p50)).toFixed(2)} ms, p99 ${median(ours.map((r) => r.p99)).toFixed(2)} ms`,
  );
  if (baseline) {
    const theirs = runs.filter((r) => r.label.startsWith('baseline')).map((r) => r.run);
    const ratio = (f: (r: Run) => number) => (median(ours.map(f)) / median(theirs.map(f))).toFixed(2);
    console.log(
      `this build / baseline (medians of ${rounds} alternating runs): throughput ${ratio((r) => r.served)}×, p50 ${ratio((r) => r.p50)}×, p99 ${ratio((r) => r.p99)}×`,
    );
  }
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
