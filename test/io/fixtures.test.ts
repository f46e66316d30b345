/**
 * Files written by TensorFlow.js, Keras 3 and tf.keras 2 (test/fixtures/models, see PROVENANCE.md):
 * what Convkit can build it loads with the predictions the other tools give; what it cannot (LSTM,
 * GRU, custom model classes) it refuses, naming the class and how to register one.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { H5Reader } from '../../src/io/hdf5.js';
import { loadModel } from '../../src/io/index.js';
import { readZip } from '../../src/io/zip.js';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import { Tensor } from '../../src/tensor/tensor.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/models');
const python = '/usr/bin/python3';
let noH5py: string | false = false;
try {
  execFileSync(python, ['-c', 'import h5py'], { stdio: 'pipe' });
} catch {
  noH5py = 'h5py is not installed (apt-get install python3-h5py)';
}

/** h5py's reading of one dataset, flattened. */
function h5pyValues(file: string, path: string): number[] {
  const code = `import h5py,json,sys; print(json.dumps(h5py.File(sys.argv[1],'r')[sys.argv[2]][()].ravel().tolist()))`;
  return JSON.parse(execFileSync(python, ['-c', code, file, path], { encoding: 'utf8' })) as number[];
}

describe('files other tools wrote', () => {
  it('TensorFlow.js 1.2.9 model.json (Sequential as a list, VarianceScaling): same predictions as tfjs', async () => {
    const path = join(fixtures, 'tfjs-abalone/model.json');
    const ours = await loadModel(path);
    assert.deepEqual(
      ours.layers.map((l) => l.name),
      ['dense_Dense1', 'dense_Dense2', 'dense_Dense3'],
    );
    const json = JSON.parse(readFileSync(path, 'utf8'));
    const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => [
      tf.io.getWeightSpecs(manifest),
      new Uint8Array(readFileSync(join(fixtures, 'tfjs-abalone/weights.bin'))).buffer as ArrayBuffer,
    ]);
    const theirs = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const x = Float32Array.from({ length: 5 * 8 }, (_, i) => 0.1 + 0.05 * (i % 11));
    const a = ours.predict(new Tensor(x, [5, 8])).data;
    const b = (theirs.predict(tf.tensor(x, [5, 8])) as tf.Tensor).dataSync();
    assert.equal(a.length, 5);
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-6, `sample ${i}: ${a[i]} vs ${b[i]}`);
  });

  it('Keras 3.15 model.weights.h5 loads into the same four Dense layers (values as h5py reads them)', { skip: noH5py }, async () => {
    const archive = join(fixtures, 'keras3-nested-container.keras');
    const weights = readZip(new Uint8Array(readFileSync(archive)), archive).get('model.weights.h5')!;
    const file = join(mkdtempSync(join(tmpdir(), 'convkit-fx-')), 'nested.weights.h5');
    writeFileSync(file, weights);
    const m = sequential([
      layers.dense({ units: 4, useBias: false, inputShape: [4] }),
      layers.dense({ units: 4, useBias: false }),
      layers.dense({ units: 4, useBias: false }),
      layers.dense({ units: 2 }),
    ]);
    await m.loadWeights(file);
    const paths = [
      'layers/dense/vars/0',
      'layers/dense_1/vars/0',
      'layers/dense_2/vars/0',
      'layers/dense_3/vars/0',
      'layers/dense_3/vars/1',
    ];
    m.weights.forEach((w, i) => {
      const expected = h5pyValues(file, paths[i]!);
      assert.deepEqual([...w.data], expected.map(Math.fround), paths[i]);
    });
    assert.ok(m.weights.some((w) => w.data.some((v) => v !== 0)));
  });

  it('a Keras 3.15 custom model class is refused, naming it and registerLayer', async () => {
    await assert.rejects(
      loadModel(join(fixtures, 'keras3-nested-container.keras')),
      /unknown layer class 'NestedDenseModel'.*registerLayer\('NestedDenseModel'/,
    );
  });

  it('a Keras 3.8 Sequential with Masking and LSTM is refused, naming the first unknown class', async () => {
    await assert.rejects(
      loadModel(join(fixtures, 'keras3-masking-lstm.keras')),
      /Sequential "sequential" layer 1: unknown layer class 'Masking'/,
    );
  });

  it('a tf.keras 2.2.4 .h5: the HDF5 reader reads its nested weight groups; the GRU is refused by name', { skip: noH5py }, async () => {
    const file = join(fixtures, 'tf-keras2-gru.h5');
    const h5 = await H5Reader.open(new Uint8Array(readFileSync(file)), file);
    try {
      const kernel = h5.read('/model_weights/gru/gru/kernel:0');
      assert.deepEqual([...kernel.data], h5pyValues(file, 'model_weights/gru/gru/kernel:0').map(Math.fround));
      assert.equal(h5.attr('/', 'keras_version'), '2.2.4-tf');
    } finally {
      h5.close();
    }
    await assert.rejects(loadModel(file), /tf-keras2-gru\.h5: model_config: Functional "model" layer 2: unknown layer class 'GRU'/);
  });
});
