/**
 * TensorFlow.js (@tensorflow/tfjs, pure JS) as an independent oracle for model.json: tfjs loads
 * what Convkit writes (through tfjs's own model.json parser, getModelArtifactsForJSON, which also
 * dequantizes), and Convkit loads what tfjs's model.save writes; predictions agree within 1e-6
 * on the seed model, ResNet-20 and MobileNetV2 (batch norm), and within the quantization step
 * for uint8 / uint16 / float16 weights.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { nativeKernels } from '../helpers/native-required.js';
import { tfjsLoad } from './tfjs-load.js';
import { setBackend } from '../../src/backends/index.js';
import { loadModel } from '../../src/io/index.js';
import type { Model } from '../../src/models/model.js';
import { zoo } from '../../src/models/zoo.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { setSeed } from '../../src/tensor/random.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-tfjs-'));

/** tfjs's model.save into a folder, written as tfjs-node's file system handler writes it. */
async function tfjsSave(model: tf.LayersModel, folder: string): Promise<string> {
  mkdirSync(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(join(folder, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['./weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(folder, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return join(folder, 'model.json');
}

// The ts backend, as before the native check below imported the addon's loader (which makes native the default).
setBackend('ts');

function input(shape: number[]): Float32Array {
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => 0.5 + 0.5 * Math.sin(i * 0.37));
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

const models: [string, () => Model, number[]][] = [
  ['seed model', () => zoo.seedCnn(), [3, 28, 28, 1]],
  ['ResNet-20', () => zoo.resnet20(), [2, 32, 32, 3]],
  ['MobileNetV2', () => zoo.mobilenetV2(), [2, 32, 32, 3]],
];

describe('model.json against TensorFlow.js', () => {
  for (const [name, make, shape] of models) {
    it(`${name}: Convkit → model.json → tfjs, and tfjs's model.save → Convkit, within 1e-6`, async () => {
      setSeed(7);
      const model = make();
      // Non-trivial batch-norm statistics, so a wrong moving mean/variance would show.
      for (const layer of model.layers) {
        if (layer.className !== 'BatchNormalization') continue;
        layer.weights.forEach((w, k) => {
          const d = w.data as Float32Array;
          for (let i = 0; i < d.length; i++) d[i] = k === 3 ? 0.5 + ((i * 7) % 5) / 5 : 0.1 * Math.cos(i + k);
        });
      }
      // A sharper classifier, so the softmax outputs are far from uniform and a wrong weight shows.
      const head = model.layers[model.layers.length - 1]!.weights[0]!.data as Float32Array;
      for (let i = 0; i < head.length; i++) head[i]! *= 40;
      const x = new Tensor(input(shape), shape);
      const ours = model.predict(x).data;
      assert.ok(Math.max(...ours) - Math.min(...ours) > 0.05, `outputs too flat to compare: ${Math.min(...ours)}..${Math.max(...ours)}`);
      const folder = join(dir, name.replace(/\W/g, ''));
      mkdirSync(folder, { recursive: true });
      await model.save(join(folder, 'model.json'));

      const tfModel = await tfjsLoad(join(folder, 'model.json'));
      const theirs = (tfModel.predict(tf.tensor(input(shape), shape)) as tf.Tensor).dataSync();
      assert.ok(maxDiff(ours, theirs) <= 1e-6, `Convkit → tfjs differs by ${maxDiff(ours, theirs)}`);

      const back = await loadModel(await tfjsSave(tfModel, join(folder, 'from-tfjs')));
      const again = back.predict(x).data;
      assert.ok(maxDiff(again, theirs) <= 1e-6, `tfjs → Convkit differs by ${maxDiff(again, theirs)}`);

      // The native backend's predictions (its fused kernels: MobileNetV2's blocks as one kernel each) against tfjs too.
      if (nativeKernels !== null) {
        setBackend('native');
        try {
          const native = model.predict(x).data;
          assert.ok(maxDiff(native, theirs) <= 1e-5, `native Convkit → tfjs differs by ${maxDiff(native, theirs)}`);
        } finally {
          setBackend('ts');
        }
      }
    });
  }

  for (const quantize of ['uint8', 'uint16', 'float16'] as const) {
    it(`${quantize}-quantized weights in several shards: tfjs and Convkit read the same values`, async () => {
      setSeed(3);
      const model = zoo.seedCnn();
      const folder = join(dir, `q-${quantize}`);
      mkdirSync(folder, { recursive: true });
      await model.save(join(folder, 'model.json'), { quantize, shardBytes: 50_000 });
      assert.ok(readdirSync(folder).filter((f) => f.endsWith('.bin')).length > 1, 'expected several shards');
      const shape = [2, 28, 28, 1];
      const ours = (await loadModel(join(folder, 'model.json'))).predict(new Tensor(input(shape), shape)).data;
      const tfModel = await tfjsLoad(join(folder, 'model.json'));
      const theirs = (tfModel.predict(tf.tensor(input(shape), shape)) as tf.Tensor).dataSync();
      assert.ok(maxDiff(ours, theirs) <= 1e-6, `differs by ${maxDiff(ours, theirs)}`);
      // And the quantized model is close to the original (lossy, but not garbage).
      const original = model.predict(new Tensor(input(shape), shape)).data;
      assert.ok(maxDiff(original, ours) < (quantize === 'uint8' ? 0.05 : 0.01));
    });
  }
});
