/**
 * `.onnx` in the file-format table: `model.save('m.onnx')` writes what `exportOnnx` returns, and
 * `loadModel('m.onnx')` gives a model with the same predictions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { loadModel } from '../../src/io/index.js';
import { exportOnnx } from '../../src/io/onnx/index.js';
import { zoo } from '../../src/models/zoo.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { maxDiff, randomData, randomiseWeights } from './onnx-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-onnx-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it("model.save('m.onnx') and loadModel('m.onnx') go through the ONNX exporter and importer", async () => {
  const m = zoo.resnet20({ inputShape: [16, 16, 3], classes: 5 });
  randomiseWeights(m, 2);
  const path = join(dir, 'resnet20.onnx');
  await m.save(path);
  assert.deepEqual(new Uint8Array(readFileSync(path)), exportOnnx(m));
  const back = await loadModel(path);
  const x = new Tensor(randomData(2 * 16 * 16 * 3, 6), [2, 16, 16, 3]);
  assert.ok(maxDiff(back.predict(x).values(), m.predict(x).values()) < 1e-5);
});
