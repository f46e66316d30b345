/**
 * The Keras Applications' `weights` option (keras/src/applications/mobilenet_v2.py and the
 * others: `weights` is None, 'imagenet' or a file path, loaded with `model.load_weights(weights)`
 * after building). The files here are written by Convkit's own savers in Keras's layouts: the
 * legacy .h5 layout of Keras's published `…_no_top.h5` files (layer_names / weight_names,
 * matched by layer name) and Keras 3's .weights.h5.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import '../../src/io/index.js';
import { input, layers } from '../../src/layers/index.js';
import { kerasMobileNetV2 } from '../../src/models/applications/mobilenet-v2.js';
import { model } from '../../src/models/functional.js';
import { zoo } from '../../src/models/zoo.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { setSeed } from '../../src/tensor/random.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-app-weights-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const small = { alpha: 0.35, includeTop: false, inputShape: [32, 32, 3] as [number, number, number] };
const image = (size: number) =>
  new Tensor(
    Float32Array.from({ length: size * size * 3 }, (_, i) => Math.sin(i * 0.1)),
    [1, size, size, 3],
  );

describe('Keras Applications: weights: path', () => {
  for (const file of ['mobilenet_v2_0.35_no_top.h5', 'mobilenet_v2_0.35_no_top.weights.h5']) {
    it(`loads ${file.endsWith('.weights.h5') ? "Keras 3's .weights.h5" : "Keras's legacy .h5"} layout by layer name after building`, async () => {
      setSeed(1);
      const source = kerasMobileNetV2(small);
      await source.saveWeights(join(dir, file));
      setSeed(2); // other random weights: only the file can make them equal
      const loaded = await zoo.mobilenetV2({ ...small, weights: join(dir, file) });
      const fresh = zoo.mobilenetV2(small);
      assert.notDeepEqual(fresh.getLayer('Conv1').weights[0]!.values(), source.getLayer('Conv1').weights[0]!.values());
      for (const layer of source.layers)
        layer.weights.forEach((w, i) => assert.deepEqual(loaded.getLayer(layer.name).weights[i]!.values(), w.values(), w.name));
      assert.deepEqual(loaded.predict(image(32)).values(), source.predict(image(32)).values());
    });
  }

  it('loads a no-top file into a model for another image size, and into a model with a new head', async () => {
    setSeed(3);
    const source = kerasMobileNetV2(small);
    await source.saveWeights(join(dir, 'no_top.h5'));
    const bigger = await kerasMobileNetV2({ ...small, inputShape: [48, 48, 3], weights: join(dir, 'no_top.h5') });
    assert.deepEqual(bigger.getLayer('block_16_project').weights[0]!.values(), source.getLayer('block_16_project').weights[0]!.values());
    // The top's layer ('predictions') is not in the file: by name, it keeps its initial weights.
    const withTop = await kerasMobileNetV2({ ...small, includeTop: true, classes: 7, weights: join(dir, 'no_top.h5') });
    assert.deepEqual(withTop.getLayer('Conv_1').weights[0]!.values(), source.getLayer('Conv_1').weights[0]!.values());
    assert.deepEqual(withTop.outputShape, [null, 7]);
  });

  it('returns the model itself without weights, a Promise with them', async () => {
    const plain = zoo.mobilenetV2(small);
    assert.ok(!(plain instanceof Promise));
    assert.ok(zoo.mobilenetV2({ ...small, weights: null }).layers.length > 0);
    await plain.saveWeights(join(dir, 'plain.h5'));
    const pending = zoo.mobilenetV2({ ...small, weights: join(dir, 'plain.h5') });
    assert.ok(pending instanceof Promise);
    await pending;
  });

  it("refuses 'imagenet' before building (nothing is downloaded), and names the builder and file when loading fails", async () => {
    for (const [name, build] of [
      ['vgg16', () => zoo.vgg16({ weights: 'imagenet' })],
      ['vgg19', () => zoo.vgg19({ weights: 'imagenet' })],
      ['resnet50', () => zoo.resnet50({ weights: 'imagenet' })],
      ['mobilenetV2', () => zoo.mobilenetV2({ weights: 'imagenet' })],
    ] as const)
      assert.throws(build, new RegExp(`^Error: ${name}: weights 'imagenet' cannot be downloaded.*pass its path`));
    assert.throws(
      () => zoo.resnet50({ weights: 7 as never }),
      /resnet50: expected weights to be null or the path of a weights file, received 7/,
    );
    const missing = join(dir, 'absent.h5');
    await assert.rejects(zoo.mobilenetV2({ ...small, weights: missing }), (e: Error) => {
      assert.match(e.message, /^mobilenetV2: could not load weights from '.*absent\.h5':/);
      return true;
    });
    // A file of another architecture: no layer names in common.
    const x = input({ shape: [4] });
    await model({ inputs: x, outputs: layers.dense({ units: 2, name: 'other' }).apply(x) }).saveWeights(join(dir, 'other.h5'));
    await assert.rejects(
      zoo.mobilenetV2({ ...small, weights: join(dir, 'other.h5') }),
      /mobilenetV2: could not load weights from .*other\.h5.*layers other/s,
    );
  });
});
