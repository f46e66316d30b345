/** IDX reader: known values for every element type, and one test per defect the reader refuses. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseIdx, readIdx } from '../../src/data/idx.js';
import { idxBytes, tempDir, ubyteIdx } from './fixtures.js';

test('parseIdx reads a uint8 rank-3 file row-major', () => {
  const values = [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255];
  const idx = parseIdx(ubyteIdx([2, 2, 3], values), 'tiny');
  assert.deepEqual(idx.dims, [2, 2, 3]);
  assert.equal(idx.type, 'uint8');
  assert.ok(idx.data instanceof Uint8Array);
  assert.deepEqual([...idx.data], values);
});

test('parseIdx decodes big-endian int8, int16, int32, float32 and float64', () => {
  const be = (bytes: number, write: (v: DataView, i: number) => void, n: number): Uint8Array => {
    const b = new Uint8Array(bytes * n);
    const v = new DataView(b.buffer);
    for (let i = 0; i < n; i++) write(v, i);
    return b;
  };
  const int8 = parseIdx(idxBytes(0x09, [3], [0xff, 0x7f, 0x80]), 'i8');
  assert.deepEqual([int8.type, [...int8.data]], ['int8', [-1, 127, -128]]);
  const i16 = [-2, 300, -32768];
  const int16 = parseIdx(
    idxBytes(
      0x0b,
      [3],
      be(2, (v, i) => v.setInt16(2 * i, i16[i]!), 3),
    ),
    'i16',
  );
  assert.deepEqual([int16.type, [...int16.data]], ['int16', i16]);
  const i32 = [-70000, 1 << 30];
  const int32 = parseIdx(
    idxBytes(
      0x0c,
      [1, 2],
      be(4, (v, i) => v.setInt32(4 * i, i32[i]!), 2),
    ),
    'i32',
  );
  assert.deepEqual([int32.type, int32.dims, [...int32.data]], ['int32', [1, 2], i32]);
  const f = [1.5, -0.25];
  const f32 = parseIdx(
    idxBytes(
      0x0d,
      [2],
      be(4, (v, i) => v.setFloat32(4 * i, f[i]!), 2),
    ),
    'f32',
  );
  assert.deepEqual([f32.type, [...f32.data]], ['float32', f]);
  const d = [Math.PI, -1e300];
  const f64 = parseIdx(
    idxBytes(
      0x0e,
      [2],
      be(8, (v, i) => v.setFloat64(8 * i, d[i]!), 2),
    ),
    'f64',
  );
  assert.deepEqual([f64.type, [...f64.data]], ['float64', d]);
});

test('parseIdx accepts a zero dim (no data)', () => {
  const idx = parseIdx(ubyteIdx([0, 28, 28], []), 'empty');
  assert.deepEqual(idx.dims, [0, 28, 28]);
  assert.equal(idx.data.length, 0);
});

test('bad magic: gzip bytes get a hint, with the file and byte 0', () => {
  const gz = gzipSync(ubyteIdx([1], [7]));
  assert.throws(
    () => parseIdx(gz, 'train-images-idx3-ubyte'),
    /^Error: train-images-idx3-ubyte: byte 0: expected IDX magic 0x0000 then a type byte, received 0x1f8b08.. \(a gzip file\? decompress it first\)$/,
  );
  assert.throws(
    () => parseIdx(new Uint8Array([0, 1, 8, 1, 0, 0, 0, 0]), 'f'),
    /^Error: f: byte 0: expected IDX magic .*received 0x00010801$/,
  );
});

test('unsupported type byte names byte 2 and lists the known types', () => {
  assert.throws(
    () => parseIdx(idxBytes(0x07, [1], [0]), 'weird'),
    /^Error: weird: byte 2: expected an IDX type byte \(0x08 uint8.*\), received 0x07$/,
  );
});

test('zero rank is refused at byte 3', () => {
  assert.throws(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'r0'), /^Error: r0: byte 3: expected a rank of at least 1, received 0$/);
});

test('truncated header: a short file and a short dims list', () => {
  assert.throws(
    () => parseIdx(new Uint8Array([0, 0]), 'short'),
    /^Error: short: byte 0: expected a 4-byte IDX magic number, received a file of 2 bytes$/,
  );
  const cut = ubyteIdx([2, 3, 4], []).subarray(0, 10);
  assert.throws(
    () => parseIdx(cut, 'hdr'),
    /^Error: hdr: byte 10: header truncated: rank 3 needs 16 header bytes .*received a file of 10 bytes$/,
  );
});

test('truncated data says where data ends and how many bytes were expected', () => {
  const bytes = ubyteIdx([3, 2, 2], new Array<number>(10).fill(1)); // needs 12 data bytes, has 10
  assert.throws(
    () => parseIdx(bytes, 'cut-idx3-ubyte'),
    /^Error: cut-idx3-ubyte: byte 26: data truncated: dims \[3, 2, 2\] of uint8 need 12 data bytes from byte 16 to byte 28, received 10 \(the file ends at byte 26, 2 bytes short\)$/,
  );
  const wide = idxBytes(0x0c, [2], [0, 0, 0, 1, 0, 0]);
  assert.throws(
    () => parseIdx(wide, 'w'),
    /^Error: w: byte 14: data truncated: dims \[2\] of int32 need 8 data bytes from byte 8 to byte 16, received 6/,
  );
});

test('trailing bytes are refused at the byte where data should end', () => {
  assert.throws(
    () => parseIdx(ubyteIdx([2], [1, 2, 3, 4, 5]), 'long'),
    /^Error: long: byte 10: expected the end of the file after 2 data bytes \(dims \[2\] of uint8\), received 3 trailing bytes$/,
  );
});

test('parseIdx honours the byteOffset of a view', () => {
  const whole = new Uint8Array(100);
  whole.set(ubyteIdx([3], [9, 8, 7]), 50);
  const idx = parseIdx(whole.subarray(50, 61), 'view');
  assert.deepEqual([...idx.data], [9, 8, 7]);
});

test('readIdx reads plain and .gz files; errors name the path', async () => {
  const dir = await tempDir();
  const bytes = ubyteIdx([2, 2], [10, 20, 30, 40]);
  await writeFile(join(dir, 'a-idx2-ubyte'), bytes);
  await writeFile(join(dir, 'a-idx2-ubyte.gz'), gzipSync(bytes));
  for (const name of ['a-idx2-ubyte', 'a-idx2-ubyte.gz']) {
    const idx = await readIdx(join(dir, name));
    assert.deepEqual(idx.dims, [2, 2]);
    assert.deepEqual([...idx.data], [10, 20, 30, 40]);
  }
  const gzPath = join(dir, 'b.gz');
  await writeFile(gzPath, gzipSync(ubyteIdx([2], [1])));
  await assert.rejects(readIdx(gzPath), (e: Error) => e.message.startsWith(`${gzPath} (decompressed): byte 9: data truncated`));
  const notGz = join(dir, 'c.gz');
  await writeFile(notGz, bytes);
  await assert.rejects(readIdx(notGz), (e: Error) => e.message.startsWith(`${notGz}: byte 0: expected a gzip stream`));
});
