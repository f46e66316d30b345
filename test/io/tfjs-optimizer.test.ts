/**
 * Optimizer state in model.json, with TensorFlow.js (@tensorflow/tfjs) as the oracle: tfjs's
 * `model.save(…, {includeOptimizer: true})` writes manifest entries of group "optimizer" (`iter`,
 * then every variable's `m`, then every `v`: tfjs-core's AdamOptimizer.getWeights), and
 * `tf.loadLayersModel` restores them into its optimizer (tfjs-layers' loadLayersModelFromIOHandler).
 * Convkit reads what tfjs wrote, and tfjs reads what Convkit wrote, to the same numbers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { tfjsLoad } from './tfjs-load.js';
import { loadModel } from '../../src/io/index.js';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import { optimizers } from '../../src/optimizers/index.js';
import { setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-tfjs-opt-'));
const x = Float32Array.from({ length: 8 * 4 }, (_, i) => Math.sin(i));
const labels = [0, 1, 0, 1, 1, 0, 0, 1];

/** The optimizer's arrays by name, as tfjs reports them. */
async function tfjsOptimizerState(model: tf.LayersModel): Promise<Map<string, number[]>> {
  const weights = await model.optimizer.getWeights();
  return new Map(weights.map((w) => [w.name, [...w.tensor.dataSync()]]));
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-7, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

describe('optimizer state in model.json (tfjs as the oracle)', () => {
  it('Convkit restores the Adam state tfjs saved with includeOptimizer: true', async () => {
    const theirs = tf.sequential({
      layers: [tf.layers.dense({ units: 3, inputShape: [4], activation: 'relu' }), tf.layers.dense({ units: 2, activation: 'softmax' })],
    });
    theirs.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    await theirs.fit(tf.tensor(x, [8, 4]), tf.oneHot(tf.tensor1d(labels, 'int32'), 2), { epochs: 3, batchSize: 4, verbose: 0 });
    const folder = join(dir, 'from-tfjs');
    await theirs.save(
      tf.io.withSaveHandler(async (a) => {
        writeFileSync(join(dir, 'from-tfjs.bin'), new Uint8Array(a.weightData as ArrayBuffer));
        const json = {
          modelTopology: a.modelTopology,
          trainingConfig: a.trainingConfig,
          weightsManifest: [{ paths: ['from-tfjs.bin'], weights: a.weightSpecs }],
        };
        writeFileSync(`${folder}.json`, JSON.stringify(json));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer: true },
    );
    const expected = await tfjsOptimizerState(theirs);
    assert.equal(expected.get('iter')![0], 6, 'tfjs took 6 steps');
    const ours = await loadModel(`${folder}.json`);
    const optimizer = ours.compiled!.optimizer;
    assert.equal(optimizer.className, 'Adam');
    assert.equal(optimizer.iterations, 6);
    for (const v of ours.trainableWeights) {
      const [m, vel] = optimizer.getSlots(v)!;
      close(m!, expected.get(`${v.name}/m`)!, `${v.name}/m`);
      close(vel!, expected.get(`${v.name}/v`)!, `${v.name}/v`);
    }
  });

  it('tfjs restores the Adam state Convkit saved (the default, as Keras), and not with includeOptimizer: false', async () => {
    setSeed(3);
    const ours = sequential([
      layers.dense({ units: 5, activation: 'relu', inputShape: [4] }),
      layers.dense({ units: 2, activation: 'softmax' }),
    ]);
    ours.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
    await ours.fit(new Tensor(x, [8, 4]), labels, { epochs: 2, batchSize: 4, verbose: 0 });
    await ours.save(join(dir, 'ours.json'));
    const theirs = await tfjsLoad(join(dir, 'ours.json'));
    const state = await tfjsOptimizerState(theirs);
    assert.equal(state.get('iter')![0], 4);
    const optimizer = ours.compiled!.optimizer;
    for (const v of ours.trainableWeights) {
      const [m, vel] = optimizer.getSlots(v)!;
      close(state.get(`${v.name}/m`)!, m!, `${v.name}/m`);
      close(state.get(`${v.name}/v`)!, vel!, `${v.name}/v`);
    }
    await ours.save(join(dir, 'bare.json'), { includeOptimizer: false });
    const manifest = JSON.parse(readFileSync(join(dir, 'bare.json'), 'utf8')).weightsManifest[0].weights as { group?: string }[];
    assert.equal(manifest.filter((w) => w.group === 'optimizer').length, 0);
    assert.equal(manifest.length, 4);
  });

  for (const [name, make] of [
    ['RMSprop (centered)', () => optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5, centered: true })],
    ['Adagrad', () => optimizers.adagrad({ learningRate: 0.1 })],
  ] as const) {
    it(`${name}: a saved and reloaded model takes the same next step as the original`, async () => {
      setSeed(5);
      const build = () => sequential([layers.dense({ units: 3, activation: 'tanh', inputShape: [4] }), layers.dense({ units: 2 })]);
      const a = build();
      a.compile({ optimizer: make(), loss: 'meanSquaredError' });
      const y = new Tensor(
        Float32Array.from({ length: 16 }, (_, i) => Math.cos(i)),
        [8, 2],
      );
      await a.fit(new Tensor(x, [8, 4]), y, { epochs: 2, batchSize: 4, verbose: 0, shuffle: false });
      const path = join(dir, `${name.split(' ')[0]}.json`);
      await a.save(path);
      const b = await loadModel(path);
      assert.equal(b.compiled!.optimizer.iterations, 4);
      for (const m of [a, b]) await m.fit(new Tensor(x, [8, 4]), y, { epochs: 1, batchSize: 8, verbose: 0, shuffle: false });
      a.weights.forEach((w, i) => close(b.weights[i]!.values(), w.values(), w.name));
    });
  }

  it('a partial optimizer state is refused, naming what is missing', async () => {
    setSeed(7);
    const m = sequential([layers.dense({ units: 2, inputShape: [4] })]);
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    await m.fit(new Tensor(x, [8, 4]), new Tensor(new Float32Array(16), [8, 2]), { epochs: 1, batchSize: 8, verbose: 0 });
    const path = join(dir, 'partial.json');
    await m.save(path);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    const weights = json.weightsManifest[0].weights as { name: string; group?: string }[];
    const last = weights.findIndex((w) => w.name.endsWith('bias/v'));
    weights[last]!.group = undefined; // now an unknown model weight: the bias's v is missing from the optimizer's group
    writeFileSync(path, JSON.stringify(json));
    await assert.rejects(loadModel(path), /partial\.json.*Adam state for every trainable variable \(4 arrays\).*missing .*bias\/v/s);
  });
});
