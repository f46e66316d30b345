/**
 * Zip64 archives as Python's zipfile writes them (Keras saves `.keras` files with it): zipfile
 * switches a member's sizes and offsets to zip64 extra fields past `ZIP64_LIMIT` (2 GiB) and the
 * directory to a zip64 end record past `ZIP_FILECOUNT_LIMIT`; lowering both limits, as CPython's
 * own test_zipfile does, gives real zip64 records in a small file, written by an independent writer.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { readZip } from '../../src/io/zip.js';

const python = '/usr/bin/python3';
let skip: string | false = false;
try {
  execFileSync(python, ['--version'], { stdio: 'pipe' });
} catch {
  skip = 'python3 is not installed at /usr/bin/python3';
}

/** A zip written by Python's zipfile with both zip64 limits lowered, as bytes. */
function pythonZip64(): Uint8Array {
  const code = [
    'import io, sys, zipfile',
    'zipfile.ZIP64_LIMIT = 100',
    'zipfile.ZIP_FILECOUNT_LIMIT = 2',
    'b = io.BytesIO()',
    "with zipfile.ZipFile(b, 'w', zipfile.ZIP_STORED) as z:",
    "    z.writestr('a.bin', bytes(range(200)))",
    "    z.writestr('b.txt', b'hello')",
    "    z.writestr(zipfile.ZipInfo('c.bin'), bytes([7]) * 300, compress_type=zipfile.ZIP_DEFLATED)",
    'sys.stdout.buffer.write(b.getvalue())',
  ].join('\n');
  return new Uint8Array(execFileSync(python, ['-c', code]));
}

/** Offset of the first occurrence of a 4-byte little-endian signature. */
function find(bytes: Uint8Array, signature: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 4 <= bytes.length; i++) if (view.getUint32(i, true) === signature) return i;
  return -1;
}

describe('zip64 (Python zipfile with lowered limits)', { skip }, () => {
  it('reads every member through zip64 sizes, offsets and the zip64 end record', () => {
    const bytes = pythonZip64();
    assert.ok(find(bytes, 0x06064b50) > 0, 'the fixture has a zip64 end record');
    const members = readZip(bytes, 'z64.zip');
    assert.deepEqual([...members.keys()], ['a.bin', 'b.txt', 'c.bin']);
    assert.deepEqual(
      [...members.get('a.bin')!],
      Array.from({ length: 200 }, (_, i) => i),
    );
    assert.equal(new TextDecoder().decode(members.get('b.txt')), 'hello');
    assert.deepEqual([...members.get('c.bin')!], new Array(300).fill(7));
  });

  it('a zip64 end record pointing past the file is refused with its byte offset', () => {
    const bytes = pythonZip64();
    const locator = find(bytes, 0x07064b50);
    new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(locator + 8, 1n << 40n, true);
    assert.throws(() => readZip(bytes, 'z64.zip'), /z64\.zip.*byte \d+.*zip64 end record inside the \d+-byte file.*1099511627776/s);
  });

  it('a 0xffffffff size without its zip64 extra field is refused, naming the member', () => {
    const bytes = pythonZip64();
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const entry = find(bytes, 0x02014b50); // a.bin's central entry: sizes in its zip64 extra field
    view.setUint16(entry + 30, 0, true); // drop the extra field's length
    assert.throws(() => readZip(bytes, 'z64.zip'), /member "a\.bin".*zip64 extra field/s);
  });
});
