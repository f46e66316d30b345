/**
 * The Dataset pipeline (tf.data's semantics): each stage's order and sizes, shuffle's buffer
 * algorithm and seeding, batch stacking and its remainder, prefetch overlapping async work,
 * cache replaying one pass, bounded memory through a long stream, argument errors; and
 * fit / evaluate / predict on datasets matching the array path on the same data.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { Dataset } from '../../src/data/dataset.js';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

setBackend('ts');

const range = (n: number): Dataset<number> =>
  Dataset.fromGenerator(function* () {
    for (let i = 0; i < n; i++) yield i;
  }, n);

describe('Dataset stages', () => {
  it('fromArrays gives one [x, y] per sample, sharing memory; batch stacks them back', async () => {
    const x = new Tensor(
      Float32Array.from({ length: 10 }, (_, i) => i),
      [5, 2],
    );
    const y = new Tensor(Int32Array.of(0, 1, 0, 1, 1), [5]);
    const ds = Dataset.fromArrays(x, y);
    assert.equal(ds.size, 5);
    const items = await ds.toArray();
    assert.deepEqual(items[3]![0].shape, [2]);
    assert.deepEqual([...items[3]![0].data], [6, 7]);
    assert.equal(items[3]![0].data.buffer, x.data.buffer, 'a view, not a copy');
    const batches = await ds.batch(2).toArray();
    assert.equal(ds.batch(2).size, 3);
    assert.deepEqual(
      batches.map(([b]) => b.shape),
      [
        [2, 2],
        [2, 2],
        [1, 2],
      ],
    );
    assert.deepEqual([...batches[1]![1].data], [0, 1]);
    assert.equal(batches[1]![1].dtype, 'int32');
    assert.deepEqual((await ds.batch(2, { dropRemainder: true }).toArray()).length, 2);
    assert.equal(ds.batch(2, { dropRemainder: true }).size, 2);
  });

  it('map (also in parallel, in order), filter, take, skip, repeat', async () => {
    assert.deepEqual(
      await range(5)
        .map((v) => v * 10)
        .toArray(),
      [0, 10, 20, 30, 40],
    );
    const slowFirst = range(6).map(
      async (v) => {
        await new Promise((r) => setTimeout(r, v === 0 ? 20 : 1));
        return v;
      },
      { numParallelCalls: 3 },
    );
    assert.deepEqual(await slowFirst.toArray(), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(
      await range(10)
        .filter((v) => v % 3 === 0)
        .toArray(),
      [0, 3, 6, 9],
    );
    assert.equal(range(10).filter((v) => v > 2).size, null);
    assert.deepEqual(await range(10).skip(7).toArray(), [7, 8, 9]);
    assert.deepEqual(await range(10).take(3).toArray(), [0, 1, 2]);
    assert.deepEqual(await range(3).repeat(2).toArray(), [0, 1, 2, 0, 1, 2]);
    assert.equal(range(3).repeat().size, Infinity);
    assert.deepEqual(await range(3).repeat().take(7).toArray(), [0, 1, 2, 0, 1, 2, 0]);
    assert.deepEqual(await range(0).repeat().take(3).toArray(), [], 'an empty dataset repeated is empty');
    await assert.rejects(range(3).repeat().toArray(), /the dataset is endless/);
  });

  it('shuffle: a permutation; seeded orders repeat; each epoch reshuffles; a buffer of 1 keeps order', async () => {
    const a = await range(50).shuffle(50, { seed: 3 }).toArray();
    assert.deepEqual(
      [...a].sort((p, q) => p - q),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.notDeepEqual(
      a,
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.deepEqual(await range(50).shuffle(50, { seed: 3 }).toArray(), a, 'same seed, same order');
    const ds = range(50).shuffle(50, { seed: 3 });
    const first = await ds.toArray();
    const second = await ds.toArray();
    assert.deepEqual(first, a);
    assert.notDeepEqual(second, first, 'the next epoch draws a new order');
    const fixed = range(50).shuffle(50, { seed: 3, reshuffleEachIteration: false });
    assert.deepEqual(await fixed.toArray(), await fixed.toArray());
    assert.deepEqual(await range(5).shuffle(1).toArray(), [0, 1, 2, 3, 4]);
    // A small buffer only moves elements forward by less than its size... or any distance back.
    const local = await range(100).shuffle(4, { seed: 1 }).toArray();
    local.forEach((v, i) => assert.ok(v <= i + 3, `element ${v} came out at ${i}, before it could enter a 4-buffer`));
  });

  it('prefetch requests ahead, so async producers overlap the consumer', async () => {
    let started = 0;
    const slow = range(6).map(async (v) => {
      started++;
      await new Promise((r) => setTimeout(r, 30));
      return v;
    });
    const t0 = performance.now();
    const got: number[] = [];
    for await (const v of slow.prefetch(2)) {
      got.push(v);
      await new Promise((r) => setTimeout(r, 30)); // the "training step"
    }
    const elapsed = performance.now() - t0;
    assert.deepEqual(got, [0, 1, 2, 3, 4, 5]);
    assert.equal(started, 6);
    assert.ok(elapsed < 6 * 60 * 0.85, `producer and consumer overlapped (${elapsed.toFixed(0)} ms for 6 × (30 + 30) ms)`);
  });

  it('cache replays the first complete pass without calling upstream again', async () => {
    let calls = 0;
    const ds = range(4)
      .map((v) => (calls++, v * 2))
      .cache();
    assert.deepEqual(await ds.toArray(), [0, 2, 4, 6]);
    assert.deepEqual(await ds.toArray(), [0, 2, 4, 6]);
    assert.equal(calls, 4);
  });

  it('a long stream of large elements runs in bounded memory', async () => {
    const images = Dataset.fromGenerator(function* () {
      for (let i = 0; i < 3000; i++) yield new Tensor(new Float32Array(64 * 64 * 3).fill(i % 7), [64, 64, 3]);
    }, 3000); // 3000 × 48 KB = 147 MB in all
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    let batches = 0;
    for await (const b of images.shuffle(64, { seed: 1 }).batch(32).prefetch(2)) {
      batches += b.shape[0] === 32 ? 1 : 0;
      if (batches % 10 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    assert.ok(batches >= 93);
    assert.ok(peak - before < 100 * 2 ** 20, `RSS grew by ${((peak - before) / 2 ** 20).toFixed(0)} MB for a 147 MB stream`);
  });

  it('refuses bad arguments and unstackable elements', async () => {
    assert.throws(() => range(3).batch(0), /Dataset.batch: expected batchSize to be a positive integer, received 0/);
    assert.throws(() => range(3).shuffle(-1), /bufferSize to be a positive integer/);
    assert.throws(() => range(3).take(1.5), /take: expected count to be a non-negative integer/);
    assert.throws(() => range(3).map((v) => v, { numParallelCalls: 0 }), /numParallelCalls/);
    assert.throws(
      () => Dataset.fromArrays(new Tensor(new Float32Array(4), [4]), new Tensor(new Float32Array(3), [3])),
      /same number of samples, received x \(4,\) and y \(3,\)/,
    );
    const ragged = Dataset.fromGenerator(() => [new Tensor(new Float32Array(4), [2, 2]), new Tensor(new Float32Array(6), [3, 2])]);
    await assert.rejects(
      ragged.batch(2).toArray(),
      /element 1 is float32 \(3, 2\), but element 0 is float32 \(2, 2\); elements of a batch must match/,
    );
  });
});

describe('fit, evaluate and predict on datasets', () => {
  function data(n: number) {
    const rng = new Random(2);
    const x = new Float32Array(n * 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      x[2 * i] = (y[i] ? 1.5 : -1.5) + rng.normal() * 0.5;
      x[2 * i + 1] = rng.normal() * 0.5;
    }
    return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
  }
  const make = () => {
    setSeed(5);
    const m = sequential([
      layers.dense({ units: 8, activation: 'relu', inputShape: [2] }),
      layers.dense({ units: 2, activation: 'softmax' }),
    ]);
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  };

  it('learns, reports validation, and gives the same numbers as the array path without shuffling', async () => {
    const { x, y } = data(200);
    const viaArrays = make();
    const h1 = await viaArrays.fit(x, y, { epochs: 6, batchSize: 20, shuffle: false, verbose: 0 });
    const viaDataset = make();
    const ds = Dataset.fromArrays(x, y).batch(20);
    const h2 = await viaDataset.fit(ds, { epochs: 6, verbose: 0, validationData: ds });
    assert.deepEqual(h2.history['loss'], h1.history['loss']);
    assert.ok(h2.history['val_accuracy']!.at(-1)! > 0.9, `val_accuracy ${h2.history['val_accuracy']}`);
    const [loss, acc] = await viaDataset.evaluate(ds);
    assert.deepEqual([loss, acc], await viaDataset.evaluate(x, y, { batchSize: 20 }));
    const p = await viaDataset.predict(ds);
    assert.deepEqual([...p.data], [...viaDataset.predict(x).data]);
  });

  it('an endless dataset needs stepsPerEpoch; one iterator then runs across epochs', async () => {
    const { x, y } = data(40);
    const m = make();
    const endless = Dataset.fromArrays(x, y).batch(10).repeat();
    await assert.rejects(
      m.fit(endless, { epochs: 1, verbose: 0 }),
      /the dataset is endless \(repeat\(\) without a count\); pass stepsPerEpoch/,
    );
    let batches = 0;
    const counted = endless.map((b) => (batches++, b));
    const h = await m.fit(counted, { epochs: 3, stepsPerEpoch: 3, verbose: 0 });
    assert.equal(h.history['loss']!.length, 3);
    assert.ok(batches >= 9 && batches <= 11, `${batches} batches pulled for 9 steps (the rest prefetched by nothing)`);
  });

  it('names a dataset element that is not an [x, y] pair', async () => {
    const m = make();
    const bad = Dataset.fromArrays(new Tensor(new Float32Array(8), [4, 2])).batch(2);
    await assert.rejects(m.fit(bad as never, { verbose: 0 }), /fit: element 0 of the dataset is not an \[x, y\] pair of tensors/);
  });
});
