/**
 * Models exported by PyTorch itself (scripts/onnx/export_torchvision.py: torchvision's resnet18,
 * mobilenet_v2, vgg11_bn, squeezenet1_1 with random weights, and tiny_ops for the operators those
 * lack) imported into Convkit: predictions within 1e-4 of ONNX Runtime on the same inputs; then
 * squeezenet fine-tuned for a few steps in Convkit and exported back, which ONNX Runtime runs with
 * Convkit's outputs. The script runs once per version of itself (its outputs are cached in the
 * temporary directory); without Debian's python3-torch and python3-torchvision the tests skip.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { exportOnnx, loadOnnx } from '../../src/io/onnx/index.js';
import type { Functional } from '../../src/models/functional.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { debianPython, maxDiff, randomData, relayout, runOrt } from './onnx-helpers.js';

const script = join(import.meta.dirname, '../../../scripts/onnx/export_torchvision.py');
const models = ['tiny_ops', 'resnet18', 'mobilenet_v2', 'squeezenet1_1', 'vgg11_bn'];
const python = debianPython(['torch', 'torchvision', 'onnx']);
const skip = 'skip' in python ? python.skip : false;
const dir = join(tmpdir(), `convkit-onnx-torch-${createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 12)}`);

/** A seeded NCHW batch for `m` (NHWC input [H, W, C]) and the same batch in NHWC. */
function batchFor(m: Functional, n: number, seed: number): { nchw: Float32Array; nhwc: Float32Array; dims: number[] } {
  const [h, w, c] = m.inputs[0]!.shape.slice(1) as number[];
  const dims = [n, c!, h!, w!];
  const nchw = randomData(n * c! * h! * w!, seed);
  return { nchw, nhwc: relayout(nchw, dims, true), dims };
}

describe("PyTorch's ONNX exports, imported", { skip }, () => {
  before(() => {
    if (!models.every((m) => existsSync(join(dir, `${m}.onnx`)))) {
      execFileSync((python as { python: string }).python, [script, dir], { stdio: 'pipe', timeout: 300_000 });
    }
  });

  for (const name of models) {
    it(`${name}: Convkit's predictions match ONNX Runtime's within 1e-4`, async () => {
      const path = join(dir, `${name}.onnx`);
      const m = loadOnnx(path);
      const { nchw, nhwc, dims } = batchFor(m, 2, 3);
      const reference = await runOrt(path, nchw, dims); // released before Convkit runs (vgg11_bn is 0.5 GB)
      const ours = m.predict(new Tensor(nhwc, [dims[0]!, dims[2]!, dims[3]!, dims[1]!]));
      assert.deepEqual([...ours.shape], reference.dims);
      const diff = maxDiff(ours.values(), reference.data);
      assert.ok(diff <= 1e-4, `${name}: differs from ONNX Runtime by ${diff}`);
    });
  }

  it('squeezenet1_1 fine-tuned in Convkit, exported back: ONNX Runtime gives the fine-tuned outputs', async () => {
    const m = loadOnnx(join(dir, 'squeezenet1_1.onnx'));
    const { nchw, nhwc, dims } = batchFor(m, 4, 5);
    const x = new Tensor(nhwc, [dims[0]!, dims[2]!, dims[3]!, dims[1]!]);
    const targets = new Tensor(
      new Float32Array(40).map((_, i) => (i % 10 === ((i / 10) % 10) >>> 0 ? 1 : 0)),
      [4, 10],
    );
    const before = m.predict(x);
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const history = await m.fit(x, targets, { epochs: 4, batchSize: 4, verbose: 0 });
    const losses = history.history['loss'] as number[];
    assert.ok(losses[losses.length - 1]! < losses[0]!, `the loss should fall: ${losses.join(', ')}`);
    const after = m.predict(x);
    assert.ok(maxDiff(after.values(), before.values()) > 1e-3, 'fine-tuning changed the outputs');
    const bytes = exportOnnx(m, { nchw: true });
    const back = await runOrt(bytes, nchw, dims);
    const diff = maxDiff(back.data, after.values());
    assert.ok(diff <= 1e-4, `the re-exported model differs from Convkit's by ${diff}`);
    const check = 'import sys, onnx; onnx.checker.check_model(onnx.load_from_string(sys.stdin.buffer.read()), full_check=True)';
    execFileSync((python as { python: string }).python, ['-c', check], { input: bytes, stdio: ['pipe', 'pipe', 'pipe'] });
  });
});
