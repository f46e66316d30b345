/**
 * convkit predict, evaluate, summary and convert on a model `convkit train --save` made: the
 * prediction for a PNG of a test digit equals model.predict on the same pixels; a JPEG in RGB
 * at another size is converted to the model's 28×28 greyscale; JSON output; bad input (not an
 * image, an unknown model format, a missing file, a dataset of another shape) is one line naming
 * the file with exit 1, usage errors exit 2, and a failed convert leaves OUT untouched.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { datasets, loadModel, Tensor } from '../../src/index.js';

const bin = fileURLToPath(new URL('../../../bin/convkit.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'convkit-model-cmds-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, 'm.keras');
const png = join(dir, 'digit.png');
const jpeg = join(dir, 'digit-rgb.jpg');

function convkit(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let pixels: Uint8Array;
before(async () => {
  const r = convkit(['train', '--epochs', '1', '--limit', '1000', '--verbose', '0', '--seed', '2', '--save', model]);
  assert.equal(r.code, 0, r.stderr);
  const { test } = await datasets.mnist.load({ limit: 1 });
  pixels = Uint8Array.from(test.images.values().slice(0, 784), (v) => Math.round(v * 255));
  await sharp(Buffer.from(pixels), { raw: { width: 28, height: 28, channels: 1 } })
    .png()
    .toFile(png);
  const rgb = new Uint8Array(784 * 3).map((_, i) => pixels[Math.floor(i / 3)]!);
  await sharp(Buffer.from(rgb), { raw: { width: 28, height: 28, channels: 3 } })
    .resize(56, 56)
    .jpeg({ quality: 95 })
    .toFile(jpeg);
});

describe('convkit predict', () => {
  it('prints the top classes; the PNG gets exactly model.predict of its pixels', async () => {
    const r = convkit(['predict', model, png, jpeg, '--json', '--top', '3']);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(r.stdout) as { file: string; top: { class: number; probability: number }[] }[];
    assert.deepEqual(
      results.map((x) => x.file),
      [png, jpeg],
    );
    const m = await loadModel(model);
    const expected = (
      await m.predict(
        new Tensor(
          Float32Array.from(pixels, (p) => p / 255),
          [1, 28, 28, 1],
        ),
      )
    ).values();
    const order = Array.from(expected.keys()).sort((a, b) => expected[b]! - expected[a]!);
    assert.deepEqual(
      results[0]!.top.map((t) => t.class),
      order.slice(0, 3),
    );
    results[0]!.top.forEach((t) => assert.equal(Math.fround(t.probability), Math.fround(expected[t.class]!)));
    assert.equal(results[1]!.top[0]!.class, order[0], 'the RGB JPEG at 56×56 classifies like the original');
    const text = convkit(['predict', model, png]);
    assert.match(text.stdout, new RegExp(`^${png.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${order[0]} 0\\.\\d{4}, `));
    assert.equal(text.stderr, '', 'the scaling comes from the file: no warning');
  });

  it('bad input: one line naming the file, exit 1; usage errors exit 2', () => {
    const notImage = join(dir, 'notes.png');
    writeFileSync(notImage, 'hello, not a picture');
    const cases: [string[], RegExp][] = [
      [['predict', model, notImage], new RegExp(`^convkit: ${notImage}: cannot read it as an image: not a PNG or JPEG image\\n$`)],
      [['predict', model, join(dir, 'missing.png')], /^convkit: .*missing\.png: cannot read it as an image: no such file\n$/],
      [['predict', join(dir, 'm.txt'), png], /^convkit: loadModel: cannot tell the format of '.*m\.txt'; expected a name ending in .*\n$/],
      [['predict', notImage.replace('.png', '.keras'), png], /^convkit: .*notes\.keras: no such file\n$/],
    ];
    for (const [args, message] of cases) {
      const r = convkit(args);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
    assert.equal(convkit(['predict', model]).code, 2);
    assert.equal(convkit(['predict', model, png, '--top', '0']).code, 2);
  });
});

describe('convkit evaluate, summary, convert', () => {
  it('evaluate prints the test accuracy; a dataset of another shape is one line, exit 1', () => {
    const r = convkit(['evaluate', model, '--dataset', 'mnist', '--limit', '300']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /mnist: 300 test images\nTest loss: \d\.\d{4}\nTest accuracy: 0\.\d{4}\n$/);
    const bad = convkit(['evaluate', model, '--dataset', 'cifar10', '--limit', '10']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^convkit: .*m\.keras: the model takes images of shape \[28, 28, 1\], cifar10 has \[32, 32, 3\]\n$/);
  });

  it('evaluate --confusion draws the test confusion matrix: 300 counts whose diagonal is the printed accuracy', async () => {
    const svg = join(dir, 'cm.svg');
    const r = convkit(['evaluate', model, '--dataset', 'mnist', '--limit', '300', '--confusion', svg]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Wrote ${svg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n$`));
    const text = readFileSync(svg, 'utf8');
    assert.match(text, /Confusion matrix/);
    // The count cells are the <text> elements after each <rect> cell, row by row: 10 × 10 of them.
    const counts = [
      ...text.matchAll(
        /<rect x="[\d.]+" y="[\d.]+" width="\d+" height="\d+" fill="rgba[^"]+" stroke="#e3e6ec"\/><text[^>]*>(\d+)<\/text>/g,
      ),
    ].map((m) => Number(m[1]));
    assert.equal(counts.length, 100);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      300,
    );
    const diagonal = counts.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0);
    const accuracy = Number(/Test accuracy: (0\.\d{4})/.exec(r.stdout)![1]);
    assert.equal((diagonal / 300).toFixed(4), accuracy.toFixed(4));
    const png = join(dir, 'cm.png');
    assert.equal(convkit(['evaluate', model, '--limit', '50', '--confusion', png]).code, 0);
    assert.deepEqual([...readFileSync(png).subarray(1, 4)], [0x50, 0x4e, 0x47]);
    const bad = convkit(['evaluate', model, '--confusion', 'cm.gif']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "convkit: option --confusion: expected a file name ending in .png or .svg, received 'cm.gif'\n");
  });

  it('summary prints the table and the stored scaling', () => {
    const r = convkit(['summary', model]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Total params: /);
    assert.match(r.stdout, /Inputs: pixel \(0\.\.255\) \* 0\.00392156862745098 \+ 0 \(trained on mnist\)/);
  });

  it('convert writes .h5 and model.json with the same weights; a bad input overwrites nothing', async () => {
    const h5 = join(dir, 'm.h5');
    mkdirSync(join(dir, 'web'));
    const json = join(dir, 'web', 'model.json');
    assert.equal(convkit(['convert', model, h5]).code, 0);
    assert.equal(convkit(['convert', h5, json]).code, 0);
    const [a, b, c] = await Promise.all([model, h5, json].map((p) => loadModel(p)));
    assert.deepEqual(
      b!.weights.map((w) => Array.from(w.data)),
      a!.weights.map((w) => Array.from(w.data)),
    );
    assert.deepEqual(
      c!.weights.map((w) => Array.from(w.data)),
      a!.weights.map((w) => Array.from(w.data)),
    );
    const before = readFileSync(h5);
    const garbage = join(dir, 'garbage.keras');
    writeFileSync(garbage, 'PK not really a zip');
    const r = convkit(['convert', garbage, h5]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^convkit: .*garbage\.keras.*\n$/);
    assert.deepEqual(readFileSync(h5), before);
    assert.equal(convkit(['convert', model, join(dir, 'out.txt')]).code, 2);
    assert.equal(existsSync(join(dir, 'out.txt')), false);
    assert.equal(convkit(['convert', model]).code, 2);
  });

  it('convert writes ONNX that ONNX Runtime runs, NHWC by default and NCHW with --nchw', async () => {
    const m = await loadModel(model);
    const { test } = await datasets.mnist.load({ limit: 3 });
    const x = test.images; // [3, 28, 28, 1]
    const expected = Array.from(m.predict(x).data);
    const nhwcFile = join(dir, 'm.onnx');
    const nchwFile = join(dir, 'm-nchw.onnx');
    assert.equal(convkit(['convert', model, nhwcFile]).code, 0);
    assert.equal(convkit(['convert', model, nchwFile, '--nchw']).code, 0);
    const run = async (file: string, dims: number[]) => {
      const session = await ort.InferenceSession.create(file);
      const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(x.data), dims) };
      const out = await session.run(feeds);
      return Array.from(out[session.outputNames[0]!]!.data as Float32Array);
    };
    // One channel: NHWC and NCHW hold the same bytes, only the declared dims differ.
    for (const [file, dims] of [
      [nhwcFile, [3, 28, 28, 1]],
      [nchwFile, [3, 1, 28, 28]],
    ] as const) {
      const got = await run(file, [...dims]);
      got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-4, `${file}[${i}]: ${v} vs ${expected[i]}`));
    }
    await assert.rejects(run(nchwFile, [3, 28, 28, 1]), /dim|shape|Got/i);
    assert.equal(convkit(['convert', model, join(dir, 'm2.h5'), '--nchw']).code, 2);
  });
});
