/**
 * imageDatasetFromDirectory on generated folders (PNG, JPEG, GIF written by sharp; BMP written
 * here by hand): labels and class order as Keras infers them, exact pixels for lossless files,
 * resizing of mixed sizes, the seeded validation split, label and colour modes, decoding in
 * worker threads, bounded memory while streaming, training end to end; and every bad input
 * (undecodable file, empty class folder, no images, wrong options) reported by name. The BMP
 * decoder is also fuzzed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { setBackend } from '../../src/backends/index.js';
import { decodeBmp } from '../../src/data/bmp.js';
import { imageDatasetFromDirectory } from '../../src/data/image-folder.js';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import { resizeImages } from '../../src/ops/image.js';
import { Adam } from '../../src/optimizers/adam.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

const root = mkdtempSync(join(tmpdir(), 'convkit-images-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Pixels (h×w×c bytes) from a function of (y, x, channel). */
function pixels(h: number, w: number, c: number, f: (y: number, x: number, ch: number) => number): Uint8Array {
  const out = new Uint8Array(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[(y * w + x) * c + ch] = f(y, x, ch);
  return out;
}

async function writeImage(
  path: string,
  data: Uint8Array,
  h: number,
  w: number,
  c: 1 | 3 | 4,
  format: 'png' | 'jpeg' | 'gif',
): Promise<void> {
  const img = sharp(data, { raw: { width: w, height: h, channels: c } });
  await (format === 'png' ? img.png() : format === 'jpeg' ? img.jpeg({ quality: 95 }) : img.gif()).toFile(path);
}

/** A 24-bit bottom-up BMP (BITMAPINFOHEADER), written from RGB bytes. */
function bmpBytes(rgb: Uint8Array, h: number, w: number): Uint8Array {
  const stride = Math.ceil((w * 3) / 4) * 4;
  const out = new Uint8Array(54 + stride * h);
  const v = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  v.setUint32(2, out.length, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, w, true);
  v.setInt32(22, h, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) out[54 + (h - 1 - y) * stride + x * 3 + c] = rgb[(y * w + x) * 3 + (2 - c)]!;
  return out;
}

function folder(name: string, classes: Record<string, number>): string {
  const dir = join(root, name);
  for (const c of Object.keys(classes)) mkdirSync(join(dir, c), { recursive: true });
  return dir;
}

const collect = async (ds: AsyncIterable<[Tensor, Tensor]>): Promise<[Tensor, Tensor][]> => {
  const out: [Tensor, Tensor][] = [];
  for await (const b of ds) out.push(b);
  return out;
};

describe('imageDatasetFromDirectory', () => {
  it('infers sorted class names, labels every file, keeps lossless pixels exact, in worker threads', async () => {
    const dir = folder('basic', { cats: 0, dogs: 1 });
    const red = pixels(4, 6, 3, (_y, x, c) => (c === 0 ? 40 * x : 10));
    await writeImage(join(dir, 'cats', 'a.png'), red, 4, 6, 3, 'png');
    await writeImage(join(dir, 'cats', 'b.PNG'), red, 4, 6, 3, 'png');
    mkdirSync(join(dir, 'dogs', 'nested'));
    writeFileSync(
      join(dir, 'dogs', 'nested', 'c.bmp'),
      bmpBytes(
        pixels(4, 6, 3, (y) => 30 * y),
        4,
        6,
      ),
    );
    await writeImage(
      join(dir, 'dogs', 'd.gif'),
      pixels(4, 6, 3, () => 255),
      4,
      6,
      3,
      'gif',
    );
    writeFileSync(join(dir, 'dogs', 'notes.txt'), 'not an image');
    const ds = imageDatasetFromDirectory(dir, { imageSize: [4, 6], batchSize: 3, shuffle: false, verbose: false, workers: 1 });
    assert.deepEqual(ds.classNames, ['cats', 'dogs']);
    assert.equal(ds.filePaths.length, 4);
    assert.equal(ds.size, 2);
    const batches = await collect(ds);
    assert.deepEqual(
      batches.map(([x]) => x.shape),
      [
        [3, 4, 6, 3],
        [1, 4, 6, 3],
      ],
    );
    assert.deepEqual([...batches[0]![1].data, ...batches[1]![1].data], [0, 0, 1, 1]);
    assert.deepEqual([...batches[0]![0].data.subarray(0, 72)], [...red], 'PNG pixels exact, in [0, 255]');
    // Sorted paths: dogs/d.gif comes before dogs/nested/c.bmp.
    assert.ok(
      [...batches[0]![0].data.subarray(144, 216)].every((v) => v === 255),
      'GIF pixels',
    );
    assert.deepEqual([...batches[1]![0].data], [...pixels(4, 6, 3, (y) => 30 * y)], 'BMP pixels exact');
  });

  it('resizes mixed sizes as the Resizing layer does; grayscale; JPEG close to its source', async () => {
    const dir = folder('mixed', { a: 0 });
    const small = pixels(2, 4, 3, (y, x) => 20 * x + 50 * y);
    await writeImage(join(dir, 'a', '1.png'), small, 2, 4, 3, 'png');
    await writeImage(
      join(dir, 'a', '2.jpg'),
      pixels(16, 12, 3, () => 128),
      16,
      12,
      3,
      'jpeg',
    );
    const ds = imageDatasetFromDirectory(dir, { imageSize: [4, 8], batchSize: null, shuffle: false, verbose: false, workers: 0 });
    const [[first], [second]] = await collect(ds);
    const expected = resizeImages(new Tensor(Float32Array.from(small), [1, 2, 4, 3]), [4, 8]);
    assert.deepEqual(first!.shape, [4, 8, 3]);
    assert.deepEqual([...first!.data], [...expected.data]);
    assert.ok(
      [...second!.data].every((v) => Math.abs(v - 128) <= 3),
      'JPEG within 3 of its flat source',
    );
    const grey = imageDatasetFromDirectory(dir, {
      imageSize: [4, 8],
      colorMode: 'grayscale',
      batchSize: 2,
      shuffle: false,
      verbose: false,
      workers: 0,
    });
    const [[g]] = await collect(grey);
    assert.deepEqual(g.shape, [2, 4, 8, 1]);
  });

  it('splits with the seed as Keras does (last fraction for validation), reproducibly; label modes', async () => {
    const dir = folder('split', { x: 0, y: 1, z: 2 });
    for (const c of ['x', 'y', 'z'])
      for (let i = 0; i < 5; i++)
        await writeImage(
          join(dir, c, `${i}.png`),
          pixels(2, 2, 3, () => i),
          2,
          2,
          3,
          'png',
        );
    const opts = { imageSize: [2, 2] as [number, number], validationSplit: 0.2, seed: 7, verbose: false, workers: 0 };
    const [train, val] = imageDatasetFromDirectory(dir, { ...opts, subset: 'both' });
    assert.equal(train.filePaths.length, 12);
    assert.equal(val.filePaths.length, 3);
    assert.equal(new Set([...train.filePaths, ...val.filePaths]).size, 15);
    assert.deepEqual(imageDatasetFromDirectory(dir, { ...opts, subset: 'validation' }).filePaths, val.filePaths);
    const cat = imageDatasetFromDirectory(dir, { ...opts, subset: 'training', labelMode: 'categorical', batchSize: 12 });
    const [[, y]] = await collect(cat);
    assert.deepEqual(y.shape, [12, 3]);
    assert.ok([...y.data].every((v) => v === 0 || v === 1));
    const e1 = (await collect(train)).flatMap(([, l]) => [...l.data]);
    const e2 = (await collect(train)).flatMap(([, l]) => [...l.data]);
    assert.equal(e1.length, 12);
    assert.notDeepEqual(e1, e2, 'each epoch reshuffles');
    assert.throws(
      () => imageDatasetFromDirectory(dir, { labelMode: 'binary', verbose: false }),
      /labelMode 'binary' needs exactly 2 classes, found 3/,
    );
  });

  it('skips an undecodable file by name and counts it, or raises with onError', async () => {
    const dir = folder('broken', { good: 0 });
    await writeImage(
      join(dir, 'good', 'ok.png'),
      pixels(3, 3, 3, () => 9),
      3,
      3,
      3,
      'png',
    );
    writeFileSync(join(dir, 'good', 'bad.png'), Buffer.from('this is not a png'));
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => warnings.push(m);
    try {
      const ds = imageDatasetFromDirectory(dir, { imageSize: [3, 3], shuffle: false, verbose: false, workers: 1 });
      const batches = await collect(ds);
      assert.equal(batches[0]![0].shape[0], 1);
      assert.deepEqual(
        [...ds.skipped].map((p) => p.endsWith('bad.png')),
        [true],
      );
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /skipped .*bad\.png: .*bad\.png: cannot decode as an image/);
    } finally {
      console.warn = warn;
    }
    const strict = imageDatasetFromDirectory(dir, { imageSize: [3, 3], shuffle: false, verbose: false, onError: 'raise', workers: 0 });
    await assert.rejects(collect(strict), /bad\.png: cannot decode as an image/);
  });

  it('a skipped file does not shorten batches: the rows after it are re-batched, labels aligned', async () => {
    const dir = folder('rebatch', { a: 0, b: 1 });
    for (const i of [0, 1, 2, 4, 5, 6])
      await writeImage(
        join(dir, i < 3 ? 'a' : 'b', `${i}.png`),
        pixels(2, 2, 1, () => 10 * i),
        2,
        2,
        1,
        'png',
      );
    writeFileSync(join(dir, 'a', '3.png'), Buffer.from('not a png'));
    const warn = console.warn;
    console.warn = () => {};
    try {
      const opts = { imageSize: [2, 2] as [number, number], colorMode: 'grayscale' as const, shuffle: false, verbose: false, workers: 1 };
      // Decoded in groups of 3: [0 1 2] is a batch as it came; [3✗ 4 5] and [6] make [4 5 6].
      const batches = await collect(imageDatasetFromDirectory(dir, { ...opts, batchSize: 3 }));
      assert.deepEqual(
        batches.map(([x, y]) => [x.shape, [...x.data].filter((_, k) => k % 4 === 0), [...y.data]]),
        [
          [
            [3, 2, 2, 1],
            [0, 10, 20],
            [0, 0, 0],
          ],
          [
            [3, 2, 2, 1],
            [40, 50, 60],
            [1, 1, 1],
          ],
        ],
      );
      const categorical = await collect(imageDatasetFromDirectory(dir, { ...opts, batchSize: 4, labelMode: 'categorical' }));
      assert.deepEqual(
        categorical.map(([x, y]) => [x.shape[0], y.shape, [...y.data]]),
        [
          [4, [4, 2], [1, 0, 1, 0, 1, 0, 0, 1]],
          [2, [2, 2], [0, 1, 0, 1]],
        ],
      );
      const singles = await collect(imageDatasetFromDirectory(dir, { ...opts, batchSize: null }));
      assert.deepEqual(
        singles.map(([x, y]) => [x.shape, x.data[0], y.shape, y.data[0]]),
        [0, 1, 2, 4, 5, 6].map((i) => [[2, 2, 1], 10 * i, [], i < 3 ? 0 : 1]),
      );
    } finally {
      console.warn = warn;
    }
  });

  it('refuses an empty class folder, a folder without images, a missing folder and bad options', () => {
    const empty = folder('empty-class', { full: 0, hollow: 1 });
    writeFileSync(join(empty, 'full', 'x.png'), Buffer.from('x'));
    assert.throws(
      () => imageDatasetFromDirectory(empty, { verbose: false }),
      /class folder '.*hollow' holds no images \(\.bmp \.gif \.jpeg \.jpg \.png\)/,
    );
    const none = join(root, 'none');
    mkdirSync(none);
    writeFileSync(join(none, 'readme.txt'), 'x');
    assert.throws(() => imageDatasetFromDirectory(none, { verbose: false }), /no images found in '.*none': expected class subfolders/);
    assert.throws(() => imageDatasetFromDirectory(join(root, 'missing'), { verbose: false }), /directory '.*missing' does not exist/);
    assert.throws(
      () => imageDatasetFromDirectory(empty, { validationSplit: 0.2, verbose: false }),
      /validationSplit and subset go together/,
    );
    assert.throws(() => imageDatasetFromDirectory(empty, { validationSplit: 0.2, subset: 'training', verbose: false }), /pass a seed/);
    assert.throws(
      () => imageDatasetFromDirectory(empty, { imageSize: [0, 3], verbose: false }),
      /expected imageSize \[height, width\] of positive integers/,
    );
    assert.throws(
      () => imageDatasetFromDirectory(empty, { classNames: ['full', 'cows'], verbose: false }),
      /classNames \["cows"\] are not subfolders/,
    );
    assert.throws(
      () => imageDatasetFromDirectory(empty, { interpolation: 'area' as never, verbose: false }),
      /expected interpolation to be one of/,
    );
  });

  it('streams a folder much larger than what it holds at once (bounded memory)', async () => {
    const dir = folder('large', { only: 0 });
    const flat = pixels(256, 256, 3, (_y, _x, c) => 60 * c);
    const png = await sharp(flat, { raw: { width: 256, height: 256, channels: 3 } })
      .png()
      .toBuffer();
    for (let i = 0; i < 480; i++) writeFileSync(join(dir, 'only', `${String(i).padStart(3, '0')}.png`), png);
    // 480 images decode to 480 × 768 KB = 360 MB of float32 pixels.
    const ds = imageDatasetFromDirectory(dir, { imageSize: [256, 256], batchSize: 8, verbose: false, seed: 1, workers: 1 }).prefetch(1);
    let before = { rss: 0, arrayBuffers: 0 };
    let peak = { rss: 0, arrayBuffers: 0 };
    let n = 0;
    for await (const [x] of ds) {
      n += x.shape[0]!;
      const { rss, arrayBuffers } = process.memoryUsage();
      if (n === 64) before = { rss, arrayBuffers }; // the worker, sharp and the pipeline are up
      if (n > 64) peak = { rss: Math.max(peak.rss, rss), arrayBuffers: Math.max(peak.arrayBuffers, arrayBuffers) };
    }
    assert.equal(n, 480);
    // Holding every image would add ~300 MB after the first 64; garbage awaiting collection adds some.
    const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MB`;
    const grewBuffers = peak.arrayBuffers - before.arrayBuffers;
    assert.ok(grewBuffers < 90 * 2 ** 20, `pixel buffers grew ${mb(grewBuffers)} while streaming 360 MB of pixels`);
    assert.ok(
      peak.rss - before.rss < 90 * 2 ** 20,
      `RSS grew ${mb(peak.rss - before.rss)} after the first 64 images of 480 (360 MB of pixels)`,
    );
  });

  it('trains a model end to end from a folder', async () => {
    setBackend('ts');
    setSeed(3);
    const dir = folder('colours', { blue: 0, red: 1 });
    const rng = new Random(4);
    for (let i = 0; i < 12; i++) {
      const shade = 100 + Math.floor(rng.uniform() * 100);
      await writeImage(
        join(dir, 'red', `${i}.png`),
        pixels(8, 8, 3, (_y, _x, c) => (c === 0 ? shade : 20)),
        8,
        8,
        3,
        'png',
      );
      await writeImage(
        join(dir, 'blue', `${i}.png`),
        pixels(8, 8, 3, (_y, _x, c) => (c === 2 ? shade : 20)),
        8,
        8,
        3,
        'png',
      );
    }
    const train = imageDatasetFromDirectory(dir, { imageSize: [8, 8], batchSize: 6, seed: 2, verbose: false, workers: 1 });
    const m = sequential([
      layers.rescaling({ scale: 1 / 255, inputShape: [8, 8, 3] }),
      layers.flatten(),
      layers.dense({ units: 2, activation: 'softmax' }),
    ]);
    m.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const h = await m.fit(train, { epochs: 8, verbose: 0 });
    assert.ok(h.history['accuracy']!.at(-1)! === 1, `accuracy ${h.history['accuracy']}`);
  });
});

describe('decodeBmp', () => {
  const base = bmpBytes(
    pixels(5, 7, 3, (y, x, c) => (y * 31 + x * 7 + c * 50) % 256),
    5,
    7,
  );

  it('reads 24-bit bottom-up rows with padding', () => {
    const d = decodeBmp(base);
    assert.deepEqual([d.width, d.height, d.channels], [7, 5, 3]);
    assert.deepEqual([...d.data], [...pixels(5, 7, 3, (y, x, c) => (y * 31 + x * 7 + c * 50) % 256)]);
  });

  it('fuzzed: mutated and truncated files decode or throw a BMP error, never anything else', () => {
    const rng = new Random(99);
    for (let trial = 0; trial < 3000; trial++) {
      const bytes = Uint8Array.from(base);
      const edits = 1 + rng.int(6);
      for (let e = 0; e < edits; e++) bytes[rng.int(Math.min(bytes.length, trial % 2 ? 64 : bytes.length))] = rng.int(256);
      const cut = trial % 5 === 0 ? bytes.subarray(0, rng.int(bytes.length)) : bytes;
      try {
        const d = decodeBmp(cut);
        assert.equal(d.data.length, d.width * d.height * d.channels);
      } catch (err) {
        assert.ok(err instanceof Error && /^BMP: /.test(err.message), `trial ${trial}: ${String(err)}`);
      }
    }
  });
});
