/**
 * Dynamic batching: the Batcher alone (requests within the window share one predict call, a batch
 * never exceeds maxBatch, a full queue answers 503 at once, a failing predict rejects only its
 * batch) and through the server, then a bounded load test: 500 predict requests at concurrency 16
 * against 127.0.0.1, every answer 200 and equal to in-process predict.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batcher, HttpError, serve } from '../../src/serve/index.js';
import { tensor } from '../../src/tensor/tensor.js';
import { greyModel, nest, samplePixels } from './helpers.js';

/** A batcher over "predict = add 1 to each sample of 2 values"; records batch sizes. */
function adder(options: { maxBatch: number; windowMs: number; maxQueue: number }) {
  const sizes: number[] = [];
  const batcher = new Batcher(
    (data, count) => {
      sizes.push(count);
      return data.map((v) => v + 1);
    },
    2,
    options,
  );
  return { batcher, sizes };
}

describe('Batcher', () => {
  it('requests within the window share one predict call, in order, each getting its own rows', async () => {
    const { batcher, sizes } = adder({ maxBatch: 32, windowMs: 20, maxQueue: 100 });
    const answers = await Promise.all([1, 2, 3].map((k) => batcher.submit(Array.from({ length: k }, (_, i) => Float32Array.of(k, i)))));
    assert.deepEqual(sizes, [6]);
    assert.deepEqual(
      answers.map((rows) => rows.map((r) => Array.from(r))),
      [
        [[2, 1]],
        [
          [3, 1],
          [3, 2],
        ],
        [
          [4, 1],
          [4, 2],
          [4, 3],
        ],
      ],
    );
  });

  it('a batch never holds more than maxBatch samples (whole requests); a larger request runs alone', async () => {
    const { batcher, sizes } = adder({ maxBatch: 4, windowMs: 5, maxQueue: 100 });
    const one = () => batcher.submit([Float32Array.of(0, 0)]);
    await Promise.all([one(), one(), one(), batcher.submit(Array.from({ length: 6 }, () => Float32Array.of(0, 0))), one(), one()]);
    assert.ok(
      sizes.every((s, i) => s <= 4 || (s === 6 && sizes.indexOf(6) === i)),
      `batch sizes ${sizes}`,
    );
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      11,
    );
  });

  it('a full queue refuses at once with 503 and Retry-After; later requests are served again', async () => {
    const { batcher } = adder({ maxBatch: 32, windowMs: 30, maxQueue: 3 });
    const first = batcher.submit([Float32Array.of(0, 0), Float32Array.of(0, 0)]);
    await assert.rejects(batcher.submit([Float32Array.of(0, 0), Float32Array.of(0, 0)]), (err: unknown) => {
      assert.ok(err instanceof HttpError);
      assert.equal(err.status, 503);
      assert.equal(err.headers['retry-after'], '1');
      assert.match(err.message, /server busy: 2 samples queued, the limit is 3/);
      return true;
    });
    await first;
    assert.equal((await batcher.submit([Float32Array.of(5, 5)]))[0]![0], 6);
  });

  it('a predict that throws rejects the requests of its batch only', async () => {
    let calls = 0;
    const batcher = new Batcher(
      (_data, count) => {
        if (calls++ === 0) throw new Error('model failed');
        return new Float32Array(count).fill(1);
      },
      1,
      { maxBatch: 1, windowMs: 1, maxQueue: 10 },
    );
    const [a, b] = await Promise.allSettled([batcher.submit([Float32Array.of(0)]), batcher.submit([Float32Array.of(0)])]);
    assert.equal(a.status, 'rejected');
    assert.equal(b.status, 'fulfilled');
  });
});

describe('serve: batching and load', () => {
  it('500 predict requests at concurrency 16: all 200, equal to in-process predict, batched (mean batch > 1)', async () => {
    const model = greyModel();
    const server = await serve({ mnist: model }, { port: 0, batchWindowMs: 2, maxBatch: 32 });
    try {
      const inputs = Array.from({ length: 8 }, (_, k) => samplePixels(784, k));
      const expected = inputs.map((p) => Array.from(model.predict(tensor(p, [1, 28, 28, 1])).data));
      const bodies = inputs.map((p) => JSON.stringify({ instances: [nest(p, [28, 28, 1])] }));
      let next = 0;
      const failures: string[] = [];
      const worker = async () => {
        while (next < 500) {
          const k = next++ % inputs.length;
          const res = await fetch(`${server.url}/v1/models/mnist:predict`, { method: 'POST', body: bodies[k] });
          if (res.status !== 200) {
            failures.push(`${res.status} ${await res.text()}`);
            continue;
          }
          const row = ((await res.json()) as { predictions: number[][] }).predictions[0]!;
          if (row.some((v, i) => Math.abs(v - expected[k]![i]!) > 1e-6)) failures.push(`wrong answer for input ${k}`);
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      assert.deepEqual(failures, []);
      const text = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(text, /^convkit_requests_total\{route="predict",code="200"\} 500$/m);
      const batches = Number(/^convkit_batch_size_count (\d+)$/m.exec(text)![1]);
      const samples = Number(/^convkit_batch_size_sum (\d+)$/m.exec(text)![1]);
      assert.equal(samples, 500);
      assert.ok(batches < 500, `dynamic batching merged requests: ${batches} predict calls for 500 requests`);
    } finally {
      await server.close();
    }
  });

  it('a request larger than the queue is refused 503 through the server, as JSON', async () => {
    const server = await serve({ mnist: greyModel() }, { port: 0, maxQueue: 2 });
    try {
      const res = await fetch(`${server.url}/v1/models/mnist:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: [0, 1, 2].map((k) => nest(samplePixels(784, k), [28, 28, 1])) }),
      });
      assert.equal(res.status, 503);
      assert.match(((await res.json()) as { error: string }).error, /server busy/);
    } finally {
      await server.close();
    }
  });
});
