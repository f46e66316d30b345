/**
 * IDX reader: the file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/).
 *
 * Layout: two zero bytes, a type byte, a rank byte, `rank` big-endian uint32 dims, then the values
 * big-endian and row-major. The reader refuses every defect (gzip instead of IDX, unknown type,
 * short header, short or long data) with the file, the byte offset, and expected vs received.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/** The element types an IDX file may hold, by their type byte. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The values of an IDX file: a typed array matching its type byte. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: its dims (outermost first), element type and row-major values. */
export interface IdxArray {
  dims: number[];
  type: IdxType;
  data: IdxData;
}

const TYPES: ReadonlyMap<number, { type: IdxType; bytes: number }> = new Map([
  [0x08, { type: 'uint8', bytes: 1 }],
  [0x09, { type: 'int8', bytes: 1 }],
  [0x0b, { type: 'int16', bytes: 2 }],
  [0x0c, { type: 'int32', bytes: 4 }],
  [0x0d, { type: 'float32', bytes: 4 }],
  [0x0e, { type: 'float64', bytes: 8 }],
]);

const TYPE_LIST = '0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64';

function hex(value: number, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}

function formatDims(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}

/** Hints for the usual wrong files: the magic of a gzip or of a text file. */
function magicHint(bytes: Uint8Array): string {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return ' (a gzip file? decompress it first)';
  if (bytes[0] === 0x3c) return ' (an HTML page? the download may have failed)';
  return '';
}

/**
 * Parses the bytes of an IDX file. `source` names the file in error messages.
 *
 * uint8 and int8 data are views on `bytes` (no copy); wider types are decoded into new arrays.
 *
 * @example
 * const bytes = new Uint8Array([0, 0, 0x08, 1, 0, 0, 0, 3, 7, 8, 9]);
 * const { dims, data } = parseIdx(bytes, 'tiny-idx1-ubyte');
 * dims;   // [3]
 * data;   // Uint8Array [7, 8, 9]
 */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4) {
    throw new Error(
      `${source}: byte 0: expected a 4-byte IDX magic number, received a file of ${bytes.length} byte${bytes.length === 1 ? '' : 's'}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(
      `${source}: byte 0: expected IDX magic 0x0000 then a type byte, received ${hex(view.getUint32(0), 8)}${magicHint(bytes)}`,
    );
  }
  const typeByte = bytes[2]!;
  const kind = TYPES.get(typeByte);
  if (kind === undefined) {
    throw new Error(`${source}: byte 2: expected an IDX type byte (${TYPE_LIST}), received ${hex(typeByte, 2)}`);
  }
  const rank = bytes[3]!;
  if (rank === 0) {
    throw new Error(`${source}: byte 3: expected a rank of at least 1, received 0`);
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new Error(
      `${source}: byte ${bytes.length}: header truncated: rank ${rank} needs ${headerBytes} header bytes ` +
        `(4 magic + ${rank} × 4 dims), received a file of ${bytes.length} bytes`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i));

  const count = dims.reduce((a, b) => a * b, 1);
  const dataBytes = count * kind.bytes;
  const available = bytes.length - headerBytes;
  if (available < dataBytes) {
    throw new Error(
      `${source}: byte ${bytes.length}: data truncated: dims ${formatDims(dims)} of ${kind.type} need ${dataBytes} data bytes ` +
        `from byte ${headerBytes} to byte ${headerBytes + dataBytes}, received ${available} ` +
        `(the file ends at byte ${bytes.length}, ${dataBytes - available} bytes short)`,
    );
  }
  if (available > dataBytes) {
    const end = headerBytes + dataBytes;
    throw new Error(
      `${source}: byte ${end}: expected the end of the file after ${dataBytes} data bytes (dims ${formatDims(dims)} of ${kind.type}), ` +
        `received ${available - dataBytes} trailing bytes`,
    );
  }
  return { dims, type: kind.type, data: decode(view, headerBytes, count, kind.type) };
}

/** Reads `count` big-endian values of `type` starting at `offset`. */
function decode(view: DataView, offset: number, count: number, type: IdxType): IdxData {
  const at = view.byteOffset + offset;
  switch (type) {
    case 'uint8':
      return new Uint8Array(view.buffer, at, count);
    case 'int8':
      return new Int8Array(view.buffer, at, count);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i);
      return out;
    }
  }
}

/**
 * Reads and parses an IDX file. A path ending in `.gz` is decompressed first (byte offsets in
 * errors then count in the decompressed data).
 *
 * @example
 * const labels = await readIdx('data/train-labels-idx1-ubyte');
 * labels.dims;      // [60000]
 * labels.data[0];   // 5
 */
export async function readIdx(path: string): Promise<IdxArray> {
  let bytes: Uint8Array = await readFile(path);
  let source = path;
  if (path.endsWith('.gz')) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (err) {
      throw new Error(
        `${path}: byte 0: expected a gzip stream (the name ends in .gz), received data gunzip refuses: ${(err as Error).message}`,
      );
    }
    source = `${path} (decompressed)`;
  }
  return parseIdx(bytes, source);
}
