/**
 * Backends may own their memory: the seed model (and its regularised variant with batch norm and
 * dropout) trains for a few steps on an opaque-handle backend wrapping `ts`
 * (test/backends/opaque-backend.ts) with exactly the numbers of `ts` itself: losses, accuracy,
 * final weights and moving statistics. A raw read of a handle anywhere on that path would read
 * NaN, and a raw write would be lost, so identical numbers show that the training path reads
 * values only through `Tensor.values()` and updates state only through kernels. Variables are
 * handles there too, so the same holds for getWeights/setWeights, EarlyStopping's
 * restoreBestWeights, evaluate and predict (batched, concatenated), and loading a saved .keras or
 * .h5 file (which reads weights straight into host variables, and through a copy here).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setBackend, useBackend } from '../../src/backends/index.js';
import { tsKernels } from '../../src/backends/ts/index.js';
import { loadModel } from '../../src/io/index.js';
import type { Sequential } from '../../src/models/sequential.js';
import { seedCnn, seedCnnRegularized } from '../../src/models/zoo.js';
import { EarlyStopping } from '../../src/training/early-stopping.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { opaqueBackend } from './opaque-backend.js';

/** n random 28×28×1 images with one-hot labels over 10 classes. */
function data(n: number): { x: Tensor; y: Tensor } {
  const rng = new Random(3);
  const x = new Float32Array(n * 28 * 28);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform();
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + (i % 10)] = 1;
  return { x: new Tensor(x, [n, 28, 28, 1]), y: new Tensor(y, [n, 10]) };
}

interface Run {
  history: Record<string, number[]>;
  weights: Float32Array[];
}

const copies = (model: Sequential): Float32Array[] => model.getWeights().map((w) => Float32Array.from(w.values() as Float32Array));

async function train(make: () => Sequential, optimizer: string): Promise<Run> {
  setSeed(7);
  const model = make();
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const { x, y } = data(24);
  const h = await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, shuffle: false });
  return { history: h.history, weights: model.weights.map((w) => Float32Array.from(w.values() as Float32Array)) };
}

async function compare(make: () => Sequential, optimizer: string): Promise<void> {
  setBackend('ts');
  const reference = await train(make, optimizer);
  const opaque = opaqueBackend(tsKernels);
  useBackend(opaque);
  try {
    const run = await train(make, optimizer);
    assert.ok(opaque.stats.handles > 100, `the opaque backend ran the kernels (${opaque.stats.handles} handles)`);
    assert.ok(opaque.stats.reads > 0, 'values were read back through the accessor');
    assert.ok(opaque.stats.stores >= run.weights.length, `variables live in the backend (${opaque.stats.stores} stored)`);
    assert.ok(reference.history['loss']!.every(Number.isFinite), 'reference losses are finite');
    assert.deepEqual(run.history, reference.history);
    assert.equal(run.weights.length, reference.weights.length);
    run.weights.forEach((w, i) => assert.deepEqual(w, reference.weights[i], `weight ${i}`));
  } finally {
    setBackend('ts');
  }
}

describe('an opaque-handle backend trains with the numbers of ts', () => {
  it('a handle read raw is poison', () => {
    const b = opaqueBackend(tsKernels);
    const h = b.kernels.unary('neg', new Float32Array([1, 2]));
    assert.ok(Number.isNaN(h[0]!), 'the handle itself holds NaN');
    assert.deepEqual(Array.from(b.read!(h)), [-1, -2]);
  });

  it('the seed model with Adam, 2 epochs of 3 steps', async () => {
    await compare(seedCnn, 'adam');
  });

  it('the regularised seed model (batch norm, dropout) with SGD and RMSprop', async () => {
    await compare(seedCnnRegularized, 'sgd');
    await compare(seedCnnRegularized, 'rmsprop');
  });

  it('getWeights/setWeights, EarlyStopping restoreBestWeights, evaluate and predict', async () => {
    const { x, y } = data(20);
    const run = async (): Promise<{
      set: Float32Array[];
      restored: Float32Array[];
      best: number;
      scores: number[];
      predicted: Float32Array;
    }> => {
      setSeed(11);
      const model = seedCnn();
      model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      setSeed(12);
      const donor = seedCnn();
      model.setWeights(donor.getWeights());
      const set = copies(model);
      // mode 'max' on a falling loss: the best epoch is the first, so the restore is not a no-op.
      const stop = new EarlyStopping({ monitor: 'loss', mode: 'max', patience: 1, restoreBestWeights: true });
      await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, shuffle: false, callbacks: [stop] });
      assert.equal(stop.bestEpoch, 0, 'the first epoch is the best');
      const restored = copies(model);
      const scores = await model.evaluate(x, y, { batchSize: 6 });
      const predicted = Float32Array.from(model.predict(x, { batchSize: 6 }).values() as Float32Array);
      return { set, restored, best: stop.bestEpoch, scores, predicted };
    };
    setBackend('ts');
    const reference = await run();
    setSeed(12);
    assert.deepEqual(reference.set, copies(seedCnn()), 'setWeights took the donor values');
    assert.notDeepEqual(reference.restored, reference.set, 'the restored weights are those after epoch 1, not the initial ones');
    assert.ok(reference.scores.every(Number.isFinite) && reference.predicted.every(Number.isFinite));
    const opaque = opaqueBackend(tsKernels);
    useBackend(opaque);
    try {
      const got = await run();
      assert.ok(
        opaque.stats.writes >= 2 * reference.set.length,
        `setWeights and the restore wrote through the backend (${opaque.stats.writes})`,
      );
      assert.deepEqual(got.set, reference.set);
      assert.deepEqual(got.restored, reference.restored);
      assert.deepEqual(got.scores, reference.scores);
      assert.deepEqual(got.predicted, reference.predicted);
    } finally {
      setBackend('ts');
    }
  });

  it('a model saved as .keras and .h5 loads into handle variables with the same predictions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-opaque-'));
    try {
      setBackend('ts');
      setSeed(21);
      const model = seedCnn();
      const { x } = data(4);
      const expected = Float32Array.from(model.predict(x).values() as Float32Array);
      for (const name of ['m.keras', 'm.h5']) await model.save(join(dir, name));
      const opaque = opaqueBackend(tsKernels);
      useBackend(opaque);
      for (const name of ['m.keras', 'm.h5']) {
        const writes = opaque.stats.writes;
        const loaded = await loadModel(join(dir, name));
        assert.ok(opaque.stats.writes >= writes + model.weights.length, `${name}: the weights were written through the backend`);
        assert.deepEqual(Float32Array.from(loaded.predict(x).values() as Float32Array), expected, name);
      }
    } finally {
      setBackend('ts');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
