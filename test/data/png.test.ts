/**
 * The fast PNG path (src/data/png.ts) against sharp (libvips + libpng) as the oracle: every
 * colour type it takes, odd sizes, each libpng filter choice, byte for byte; the kinds it leaves
 * to sharp (palette, interlaced, a damaged CRC) answer null and still decode through sharp;
 * fuzzed files answer null or pixels of the stated size, never throw.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { decodePixels } from '../../src/data/image-decode.js';
import { decodePngFast } from '../../src/data/png.js';
import { Random } from '../../src/tensor/random.js';

/** An image mixing smooth areas and noise, so libpng's adaptive filtering picks every filter type. */
function image(h: number, w: number, c: number, rng: Random): Uint8Array {
  const out = new Uint8Array(h * w * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++)
        out[(y * w + x) * c + ch] = x < w / 2 ? (x * 9 + y * 5 + ch * 40) % 256 : Math.floor(rng.uniform() * 256);
  return out;
}

async function sharpRaw(png: Buffer): Promise<{ data: Uint8Array; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), channels: info.channels };
}

/** Grey (+ alpha) pixels widened to RGB (A), as sharp's raw output gives them. */
function asSharpGives(data: Uint8Array, from: number, to: number): Uint8Array {
  if (from === to) return data;
  const n = data.length / from;
  const out = new Uint8Array(n * to);
  for (let i = 0; i < n; i++) {
    out.fill(data[i * from]!, i * to, i * to + 3);
    if (to === 4) out[i * to + 3] = from === 2 ? data[i * from + 1]! : 255;
  }
  return out;
}

describe('decodePngFast', () => {
  it('decodes grey, grey+alpha, RGB and RGBA exactly as sharp does, at odd sizes and every filter', async () => {
    const rng = new Random(1);
    let checked = 0;
    for (const c of [1, 2, 3, 4] as const)
      for (const [h, w] of [
        [1, 1],
        [5, 7],
        [17, 33],
        [32, 32],
      ] as const)
        for (const adaptiveFiltering of [true, false]) {
          const pixels = image(h, w, c, rng);
          const img = sharp(pixels, { raw: { width: w, height: h, channels: c } });
          const png = await (c <= 2 ? img.toColourspace('b-w') : img).png({ adaptiveFiltering, compressionLevel: 9 }).toBuffer();
          const fast = decodePngFast(png);
          assert.ok(fast, `${c} channels ${h}×${w} takes the fast path`);
          const oracle = await sharpRaw(png);
          assert.deepEqual([fast.height, fast.width, fast.channels], [h, w, c], 'the colour type written');
          // sharp hands grey back as RGB (and grey+alpha as RGBA): compare in its channels.
          assert.deepEqual(
            asSharpGives(fast.data, c, oracle.channels),
            oracle.data,
            `${c} channels ${h}×${w} adaptive ${adaptiveFiltering}`,
          );
          assert.deepEqual(fast.data, pixels, 'lossless');
          checked++;
        }
    assert.equal(checked, 32);
  });

  it('leaves palette, interlaced and damaged files to sharp, which still decodes or names them', async () => {
    const rng = new Random(2);
    const pixels = image(9, 11, 3, rng);
    const raw = { raw: { width: 11, height: 9, channels: 3 as const } };
    const palette = await sharp(pixels, raw).png({ palette: true }).toBuffer();
    const interlaced = await sharp(pixels, raw).png({ progressive: true }).toBuffer();
    for (const [name, png] of [
      ['palette', palette],
      ['interlaced', interlaced],
    ] as const) {
      assert.equal(decodePngFast(png), null, name);
      const viaSharp = await decodePixels(png, 'rgb');
      assert.deepEqual(viaSharp.data, (await sharpRaw(png)).data, `${name} still decodes through sharp`);
    }
    const plain = await sharp(pixels, raw).png().toBuffer();
    const damaged = Buffer.from(plain);
    damaged[damaged.length - 20] ^= 0xff; // inside IDAT: its CRC no longer matches
    assert.equal(decodePngFast(damaged), null);
    await assert.rejects(decodePixels(damaged, 'rgb'));
  });

  it('fuzzed: mutated and truncated files answer null or pixels of the stated size, never throw', async () => {
    const rng = new Random(3);
    const png = await sharp(image(12, 10, 4, rng), { raw: { width: 10, height: 12, channels: 4 } })
      .png()
      .toBuffer();
    for (let trial = 0; trial < 400; trial++) {
      const bytes = Uint8Array.from(png);
      const cut = trial % 4 === 0 ? Math.floor(rng.uniform() * bytes.length) : bytes.length;
      for (let k = 0; k < 1 + (trial % 5); k++) bytes[Math.floor(rng.uniform() * bytes.length)] = Math.floor(rng.uniform() * 256);
      const out = decodePngFast(bytes.subarray(0, cut));
      if (out) assert.equal(out.data.length, out.width * out.height * out.channels);
    }
  });
});
