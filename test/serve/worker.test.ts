/**
 * The model off the event loop: each served model runs in a worker thread. While a large predict
 * runs there, /healthz answers at once; answers equal in-process predict bit for bit; a worker
 * that crashes mid-batch gives that batch a 500 JSON error and is replaced (the next request is
 * answered); a batch past predictTimeoutMs gets 504 and a fresh worker; `worker: false` runs
 * predict on the event loop as before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import type { Model } from '../../src/models/model.js';
import { serve } from '../../src/serve/index.js';
import { WorkerRunner } from '../../src/serve/model-runner.js';
import { setSeed } from '../../src/tensor/random.js';
import { tensor } from '../../src/tensor/tensor.js';
import { greyModel, nest, samplePixels } from './helpers.js';

/**
 * A model whose predict on a few hundred images takes a good fraction of a second on the ts
 * backend these tests run on (two convolutions: 2.7 M multiply-adds per image).
 */
function slowModel(): Model {
  setSeed(21);
  return sequential([
    layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
    layers.flatten(),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
}

/** A body of `n` images, pixel values written with 3 decimals (short bodies). */
function body(n: number): string {
  const instances = Array.from({ length: n }, (_, k) =>
    nest(
      samplePixels(784, k).map((v) => +v.toFixed(3)),
      [28, 28, 1],
    ),
  );
  return JSON.stringify({ instances });
}

async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('serve: the model in a worker thread', () => {
  it('/healthz answers while a large predict runs in the worker', async () => {
    const server = await serve({ slow: slowModel() }, { port: 0, maxBatch: 512 });
    try {
      const runner = server.models.get('slow')!.runner;
      assert.ok(runner instanceof WorkerRunner);
      let predictDone = 0;
      const big = fetch(`${server.url}/v1/models/slow:predict`, { method: 'POST', body: body(256) }).then(async (res) => {
        predictDone = performance.now();
        return { status: res.status, text: await res.text() };
      });
      await until(() => runner.inFlight > 0, 'the batch is in the worker');
      const start = performance.now();
      const health = await fetch(`${server.url}/healthz`);
      const healthDone = performance.now();
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok', models: ['slow'] });
      const stillRunning = runner.inFlight > 0;
      const answer = await big;
      assert.equal(answer.status, 200, answer.text);
      assert.ok(
        stillRunning && healthDone < predictDone,
        `/healthz took ${(healthDone - start).toFixed(1)} ms and came back ${stillRunning ? 'while' : 'after'} the predict ran (predict answered ${(predictDone - start).toFixed(0)} ms after /healthz was sent)`,
      );
    } finally {
      await server.close();
    }
  });

  it('answers equal in-process predict of the same batch, bit for bit', async () => {
    const model = greyModel();
    const server = await serve({ m: model }, { port: 0 });
    try {
      const pixels = Array.from({ length: 8 }, (_, k) => samplePixels(784, k));
      const expected = model.predict(tensor(pixels.flat(), [8, 28, 28, 1])).values();
      const res = await fetch(`${server.url}/v1/models/m:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: pixels.map((p) => nest(p, [28, 28, 1])) }),
      });
      assert.equal(res.status, 200);
      const got = ((await res.json()) as { predictions: number[][] }).predictions.flat();
      assert.deepEqual(Float32Array.from(got), Float32Array.from(expected));
    } finally {
      await server.close();
    }
  });

  it('a worker that crashes mid-batch: that request gets 500 JSON, the worker is replaced and the next is answered', async () => {
    const model = greyModel();
    const server = await serve({ m: model }, { port: 0 });
    try {
      const runner = server.models.get('m')!.runner as WorkerRunner;
      const one = JSON.stringify({ instances: [nest(samplePixels(784, 3), [28, 28, 1])] });
      runner.crashForTest();
      const crashed = await fetch(`${server.url}/v1/models/m:predict`, { method: 'POST', body: one });
      assert.equal(crashed.status, 500);
      assert.match(crashed.headers.get('content-type') ?? '', /application\/json/);
      assert.match(
        ((await crashed.json()) as { error: string }).error,
        /model 'm': the worker running it (crashed|exited).*restarted, retry/,
      );
      const next = await fetch(`${server.url}/v1/models/m:predict`, { method: 'POST', body: one });
      assert.equal(next.status, 200);
      const row = ((await next.json()) as { predictions: number[][] }).predictions[0]!;
      assert.deepEqual(Float32Array.from(row), Float32Array.from(model.predict(tensor(samplePixels(784, 3), [1, 28, 28, 1])).values()));
      assert.equal(runner.restarts, 1);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /^convkit_requests_total\{route="predict",code="500"\} 1$/m);
    } finally {
      await server.close();
    }
  });

  it('a batch past predictTimeoutMs gets 504 JSON; a fresh worker answers the next request', async () => {
    const server = await serve({ slow: slowModel() }, { port: 0, maxBatch: 1024, predictTimeoutMs: 150 });
    try {
      const late = await fetch(`${server.url}/v1/models/slow:predict`, { method: 'POST', body: body(768) });
      assert.equal(late.status, 504);
      assert.match(
        ((await late.json()) as { error: string }).error,
        /predict of 768 samples took longer than 150 ms; its worker was replaced/,
      );
      const runner = server.models.get('slow')!.runner as WorkerRunner;
      assert.equal(runner.restarts, 1);
      const next = await fetch(`${server.url}/v1/models/slow:predict`, { method: 'POST', body: body(1) });
      assert.equal(next.status, 200, await next.clone().text());
    } finally {
      await server.close();
    }
  });

  it('worker: false runs predict on the event loop (for models that cannot be rebuilt from their config)', async () => {
    const model = greyModel();
    const server = await serve({ m: model }, { port: 0, worker: false });
    try {
      assert.ok(!(server.models.get('m')!.runner instanceof WorkerRunner));
      const res = await fetch(`${server.url}/v1/models/m:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: [nest(samplePixels(784, 1), [28, 28, 1])] }),
      });
      assert.equal(res.status, 200);
    } finally {
      await server.close();
    }
  });
});
