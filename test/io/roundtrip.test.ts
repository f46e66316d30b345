/**
 * Convkit → file → Convkit for every format: same predictions (the seed model, ResNet-20,
 * MobileNetV2), every layer class through a Keras config, weights-only files, the compile config
 * and optimizer state (fit 2 epochs == fit 1, save, load, fit 1, bit for bit), and clear errors
 * for unknown formats, unknown classes and mismatched weights.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadModel } from '../../src/io/index.js';
import { input, layers } from '../../src/layers/index.js';
import { model as functional } from '../../src/models/functional.js';
import type { Model } from '../../src/models/model.js';
import { sequential } from '../../src/models/sequential.js';
import { zoo } from '../../src/models/zoo.js';
import { optimizers } from '../../src/optimizers/index.js';
import { setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-io-'));
const formats = ['.keras', '.h5', '/model.json'];

function pathFor(name: string, ext: string): string {
  if (ext !== '/model.json') return join(dir, `${name}${ext}`);
  mkdirSync(join(dir, `${name}-tfjs`), { recursive: true });
  return join(dir, `${name}-tfjs`, 'model.json');
}

function sample(shape: number[], phase = 0): Tensor {
  return new Tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.61 + phase)),
    shape,
  );
}

function assertSameWeights(a: Model, b: Model): void {
  assert.equal(a.weights.length, b.weights.length);
  a.weights.forEach((w, i) => assert.deepEqual(b.weights[i]!.data, w.data, `weight ${w.name}`));
}

/** A functional model with one of every layer class Convkit has (and a nested Sequential). */
function everyLayerModel(): Model {
  const x = input({ shape: [12, 12, 3], name: 'image' });
  let y = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelRegularizer: 'l2' }).apply(x);
  y = layers.batchNormalization({ momentum: 0.9 }).apply(y);
  y = layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2 }).apply(y);
  y = layers.separableConv2d({ filters: 6, kernelSize: 3, padding: 'same' }).apply(y);
  y = layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2 }).apply(y);
  y = layers.maxPooling2d({ poolSize: 2 }).apply(y);
  y = layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }).apply(y);
  y = layers.zeroPadding2d({ padding: 1 }).apply(y);
  y = layers.cropping2D({ cropping: 1 }).apply(y);
  y = layers.upSampling2d({ size: 2 }).apply(y);
  y = layers.spatialDropout2d({ rate: 0.1 }).apply(y);
  const a = layers.reLU({ maxValue: 6 }).apply(y);
  const b = layers.leakyReLU({ alpha: 0.2 }).apply(y);
  const c = layers.elu({ alpha: 0.5 }).apply(y);
  const d = layers.activation({ activation: 'hardSigmoid' }).apply(y);
  let m = layers.add().apply([a, b]);
  m = layers.subtract().apply([m, c]);
  m = layers.multiply().apply([m, d]);
  m = layers.average().apply([m, a]);
  m = layers.maximum().apply([m, b]);
  m = layers.minimum().apply([m, c]);
  const g1 = layers.globalAveragePooling2d().apply(m);
  const g2 = layers.globalMaxPooling2d().apply(m);
  let h = layers.add().apply([g1, g2]);
  h = layers.reshape({ targetShape: [2, 2] }).apply(h);
  h = layers.permute({ dims: [2, 1] }).apply(h);
  h = layers.flatten().apply(h);
  h = layers.dropout({ rate: 0.2 }).apply(h);
  const head = sequential([layers.dense({ units: 8, activation: 'tanh', inputShape: [4] }), layers.dense({ units: 3 })]);
  h = head.apply(h);
  return functional({ inputs: x, outputs: layers.softmax().apply(h), name: 'every_layer' });
}

describe('Convkit → file → Convkit', () => {
  const cases: [string, () => Model, number[]][] = [
    ['seed', () => zoo.seedCnn(), [3, 28, 28, 1]],
    ['resnet20', () => zoo.resnet20(), [2, 32, 32, 3]],
    ['mobilenetv2', () => zoo.mobilenetV2(), [2, 32, 32, 3]],
    ['everylayer', everyLayerModel, [2, 12, 12, 3]],
  ];
  for (const [name, make, shape] of cases) {
    it(`${name}: the same architecture, weights and predictions through ${formats.join(', ')}`, async () => {
      setSeed(11);
      const model = make();
      const x = sample(shape);
      const expected = model.predict(x).data;
      for (const ext of formats) {
        const path = pathFor(name, ext);
        await model.save(path);
        const loaded = await loadModel(path);
        assert.equal(loaded.className, model.className, ext);
        assert.deepEqual(
          loaded.layers.map((l) => `${l.className}:${l.name}`),
          model.layers.map((l) => `${l.className}:${l.name}`),
          ext,
        );
        assertSameWeights(model, loaded);
        assert.deepEqual(loaded.predict(x).data, expected, ext);
      }
    });
  }

  it('weights only: .weights.h5 (Keras 3 layout) and a legacy .h5 by layer name', async () => {
    setSeed(1);
    // Published weight files load by layer name, so both models name their layers.
    const named = (): Model =>
      sequential([
        layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [28, 28, 1], name: 'features' }),
        layers.batchNormalization({ name: 'norm' }),
        layers.flatten({ name: 'flat' }),
        layers.dense({ units: 10, name: 'logits' }),
      ]);
    const source = named();
    const x = sample([2, 28, 28, 1]);
    for (const file of ['w.weights.h5', 'w-legacy.h5']) {
      await source.saveWeights(join(dir, file));
      const target = named();
      assert.notDeepEqual(target.predict(x).data, source.predict(x).data);
      await target.loadWeights(join(dir, file));
      assertSameWeights(source, target);
    }
  });

  for (const ext of ['.keras', '.h5']) {
    it(`${ext}: fit 2 epochs == fit 1, save, load, fit 1 (compile config and optimizer state travel)`, async () => {
      const make = (): Model => {
        setSeed(5);
        const m = sequential([
          layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1] }),
          layers.batchNormalization(),
          layers.flatten(),
          layers.dropout({ rate: 0.3 }),
          layers.dense({ units: 3, activation: 'softmax' }),
        ]);
        m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
        return m;
      };
      const x = sample([24, 8, 8, 1], 0.3);
      const y = new Tensor(
        Float32Array.from({ length: 72 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)),
        [24, 3],
      );
      // Shuffling and dropout draw from the global generator; loading draws nothing, so the draws line up.
      const fitArgs = { batchSize: 8, shuffle: true, verbose: 0 } as const;
      const straight = make();
      await straight.fit(x, y, { ...fitArgs, epochs: 2 });
      const first = make();
      await first.fit(x, y, { ...fitArgs, epochs: 1 });
      const path = pathFor(`resume-${ext.slice(1)}`, ext);
      await first.save(path);
      const resumed = await loadModel(path);
      assert.equal(resumed.compiled?.optimizer.className, 'Adam');
      assert.equal(resumed.compiled?.optimizer.iterations, 3);
      assert.equal(resumed.compiled?.optimizer.learningRate, 0.01);
      await resumed.fit(x, y, { ...fitArgs, epochs: 1 });
      assertSameWeights(straight, resumed);
    });
  }

  it('unknown extensions, unknown classes and mismatched weights give clear errors', async () => {
    const m = zoo.seedCnn();
    await assert.rejects(m.save(join(dir, 'm.onnx.txt')), /cannot tell the format of '.*m\.onnx\.txt'; expected a name ending in \.keras/);
    await assert.rejects(loadModel(join(dir, 'm.pt')), /loadModel: cannot tell the format/);
    // A TensorFlow.js file naming a class that is not on the allow-list.
    const folder = join(dir, 'lambda');
    mkdirSync(folder, { recursive: true });
    const topology = {
      class_name: 'Sequential',
      config: {
        name: 's',
        layers: [{ class_name: 'Lambda', config: { name: 'evil', function: 'os.system', batch_input_shape: [null, 2] } }],
      },
    };
    writeFileSync(join(folder, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: topology, weightsManifest: [] }));
    await assert.rejects(loadModel(join(folder, 'model.json')), /unknown layer class 'Lambda'.*registerLayer\('Lambda'/);
    // Weights of another architecture.
    await zoo.lenet5().saveWeights(join(dir, 'lenet.weights.h5'));
    await assert.rejects(
      m.loadWeights(join(dir, 'lenet.weights.h5')),
      /lenet\.weights\.h5: \/layers\/conv2d\/vars\/0: expected shape \[3, 3, 1, 32\]/,
    );
  });
});
