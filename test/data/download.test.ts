/**
 * The download code against a local HTTP server on 127.0.0.1: a plain fetch with progress, a
 * cached file not fetched again, a connection dropped half-way and resumed with a Range request,
 * a corrupted file (checksum mismatch: nothing left in the cache), HTTP errors, redirects, and an
 * unreachable host; CIFAR-100 loaded end to end from a fixture archive in the official binary
 * layout; and the tar reader fuzzed and refusing paths that escape its folder.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { cifar100 } from '../../src/data/cifar100.js';
import { download } from '../../src/data/download.js';
import { parseTar, extractTar } from '../../src/data/tar.js';
import { Random } from '../../src/tensor/random.js';

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A ustar archive of regular files, written field by field here (independent of the reader). */
function tar(files: Record<string, Uint8Array>): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const [name, data] of Object.entries(files)) {
    const h = new Uint8Array(512);
    const put = (s: string, at: number): void => h.set(new TextEncoder().encode(s), at);
    put(name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    put('00000000000\0', 136);
    put('        ', 148);
    h[156] = 0x30;
    put('ustar\0', 257);
    put('00', 263);
    const sum = h.reduce((a, b) => a + b, 0);
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const b of blocks) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

const payload = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251);
const hits: Record<string, number> = {};
let server: Server;
let base = '';

/** CIFAR-100 fixture: 3 training and 2 test records with known labels and pixels. */
function cifarRecords(labels: [number, number][]): Uint8Array {
  const out = new Uint8Array(labels.length * 3074);
  labels.forEach(([coarse, fine], r) => {
    out[r * 3074] = coarse;
    out[r * 3074 + 1] = fine;
    for (let i = 0; i < 3072; i++) out[r * 3074 + 2 + i] = (r * 10 + Math.floor(i / 1024) * 100 + ((i % 1024) % 7)) % 256;
  });
  return out;
}
const cifarArchive = gzipSync(
  tar({
    'cifar-100-binary/train.bin': cifarRecords([
      [1, 11],
      [19, 99],
      [0, 0],
    ]),
    'cifar-100-binary/test.bin': cifarRecords([
      [4, 40],
      [2, 22],
    ]),
    'cifar-100-binary/coarse_label_names.txt': new TextEncoder().encode(Array.from({ length: 20 }, (_, i) => `super${i}`).join('\n')),
  }),
);

before(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    hits[path] = (hits[path] ?? 0) + 1;
    const body = path.startsWith('/cifar')
      ? cifarArchive
      : path === '/corrupt.bin'
        ? payload.map((v, i) => (i === 1000 ? v ^ 1 : v))
        : payload;
    if (path === '/missing.bin') return res.writeHead(404).end();
    if (path === '/moved.bin') return res.writeHead(302, { location: '/ok.bin' }).end();
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const part = body.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'content-length': part.length,
      ...(range ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    if (path === '/drop.bin' && hits[path] === 1) {
      res.write(part.subarray(0, 100_000), () => res.socket?.destroy()); // the connection drops a third of the way in
      return;
    }
    res.end(part);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const cache = (): string => mkdtempSync(join(tmpdir(), 'convkit-cache-'));

describe('download', () => {
  it('fetches into the cache with a progress line, checks sha256 or md5, and reuses a good cached file', async () => {
    const dir = cache();
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stderr.write;
    let path: string;
    try {
      path = await download({ url: `${base}/ok.bin`, checksum: sha256(payload), cacheDir: dir, progress: true });
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(readFileSync(path), Buffer.from(payload));
    assert.match(lines.join(''), /Downloading http:\/\/127\.0\.0\.1:\d+\/ok\.bin: 100% 0\.3\/0\.3 MB\n/);
    const before = hits['/ok.bin'];
    assert.equal(await download({ url: `${base}/ok.bin`, checksum: md5(payload), cacheDir: dir, progress: false }), path);
    assert.equal(hits['/ok.bin'], before, 'a cached file with the right checksum is not fetched again');
    assert.deepEqual(readdirSync(dir), ['ok.bin']);
  });

  it('resumes a dropped connection with a Range request', async () => {
    const dir = cache();
    const path = await download({ url: `${base}/drop.bin`, checksum: md5(payload), cacheDir: dir, progress: false });
    assert.deepEqual(readFileSync(path), Buffer.from(payload));
    assert.equal(hits['/drop.bin'], 2);
    assert.deepEqual(readdirSync(dir), ['drop.bin'], 'no .part file left');
  });

  it('resumes a .part file left by an interrupted run', async () => {
    const dir = cache();
    writeFileSync(join(dir, 'ok.bin.part'), payload.subarray(0, 123_456));
    const path = await download({ url: `${base}/ok.bin`, checksum: md5(payload), cacheDir: dir, progress: false });
    assert.deepEqual(readFileSync(path), Buffer.from(payload));
  });

  it('a corrupted file fails its checksum and leaves nothing in the cache; a stale cached file is replaced', async () => {
    const dir = cache();
    await assert.rejects(
      download({ url: `${base}/corrupt.bin`, checksum: md5(payload), cacheDir: dir, progress: false }),
      new RegExp(`corrupt\\.bin has md5 [0-9a-f]{32}, expected ${md5(payload)}: the file is corrupted or changed upstream; removed it`),
    );
    assert.deepEqual(readdirSync(dir), []);
    writeFileSync(join(dir, 'ok.bin'), 'stale');
    await download({ url: `${base}/ok.bin`, checksum: md5(payload), cacheDir: dir, progress: false });
    assert.deepEqual(readFileSync(join(dir, 'ok.bin')), Buffer.from(payload));
  });

  it('HTTP errors, redirects, an unreachable host and a bad checksum argument', async () => {
    const dir = cache();
    await assert.rejects(
      download({ url: `${base}/missing.bin`, checksum: md5(payload), cacheDir: dir, progress: false }),
      /missing\.bin answered HTTP 404/,
    );
    const moved = await download({ url: `${base}/moved.bin`, checksum: md5(payload), cacheDir: dir, progress: false });
    assert.deepEqual(readFileSync(moved), Buffer.from(payload));
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await assert.rejects(
      download({ url: `http://127.0.0.1:${port}/x.bin`, checksum: md5(payload), cacheDir: dir, progress: false }),
      /cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\): no network\? Fetch .* by hand and put it at .*x\.bin/,
    );
    await assert.rejects(
      download({ url: `${base}/ok.bin`, checksum: 'abc', cacheDir: dir }),
      /expected checksum to be 32 \(md5\) or 64 \(sha256\) hex digits, received 'abc'/,
    );
  });

  it('CIFAR-100 from a fixture archive in the official binary layout: fine and coarse labels, NHWC pixels', async () => {
    const dir = cache();
    const archive = { url: `${base}/cifar-100-binary.tar.gz`, checksum: md5(cifarArchive), folder: 'cifar-100-binary', marker: 'test.bin' };
    const fine = await cifar100.load({ cacheDir: dir, archive });
    assert.deepEqual(fine.train.images.shape, [3, 32, 32, 3]);
    assert.deepEqual([...fine.train.labels.data], [11, 99, 0]);
    assert.deepEqual([...fine.test.labels.data], [40, 22]);
    // record 1, pixel 5: R = (10 + 0 + 5), G = (10 + 100 + 5), B = (10 + 200 + 5), over 255
    assert.deepEqual(
      [...fine.train.images.data.subarray(3072 + 15, 3072 + 18)].map((v) => Math.round(v * 255)),
      [15, 115, 215],
    );
    const coarse = await cifar100.load({ cacheDir: dir, archive, labelMode: 'coarse' });
    assert.deepEqual([...coarse.train.labels.data], [1, 19, 0]);
    assert.equal(coarse.classNames[19], 'super19');
    assert.equal(hits['/cifar-100-binary.tar.gz'], 1, 'downloaded once, then read from the cache');
  });
});

describe('tar reader', () => {
  const good = tar({ 'a/b.txt': new TextEncoder().encode('hello'), 'c.bin': new Uint8Array(700).fill(3) });

  it('reads regular files, gzipped or not, and refuses names escaping the folder', async () => {
    for (const archive of [good, gzipSync(good)]) {
      const entries = parseTar(archive);
      assert.deepEqual(
        entries.map((e) => [e.name, e.data.length]),
        [
          ['a/b.txt', 5],
          ['c.bin', 700],
        ],
      );
    }
    const dir = cache();
    await assert.rejects(extractTar(tar({ '../evil.txt': new Uint8Array(1) }), dir), /entry '\.\.\/evil\.txt' would be written outside/);
    assert.equal(existsSync(join(dir, '..', 'evil.txt')), false);
    rmSync(dir, { recursive: true });
  });

  it('fuzzed: mutated and truncated archives parse or throw a tar error, never anything else', () => {
    const rng = new Random(8);
    const zipped = gzipSync(good);
    for (let trial = 0; trial < 2000; trial++) {
      const src = trial % 3 === 0 ? zipped : good;
      const bytes = Uint8Array.from(src);
      for (let e = 0; e < 1 + rng.int(4); e++) bytes[rng.int(trial % 2 ? 512 : bytes.length)] = rng.int(256);
      const cut = trial % 4 === 0 ? bytes.subarray(0, rng.int(bytes.length)) : bytes;
      try {
        for (const entry of parseTar(cut)) assert.ok(entry.data.length >= 0);
      } catch (err) {
        assert.ok(err instanceof Error && /^tar: /.test(err.message), `trial ${trial}: ${String(err)}`);
      }
    }
  });
});
