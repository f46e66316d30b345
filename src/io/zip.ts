/**
 * Zip archives. Reading parses the central directory itself (so stored members, as Keras writes
 * them, are views into the file's bytes, not copies) and checks every member's sizes against the
 * file and its compressed size (refusing zip bombs) before inflating with fflate. Zip64 records
 * are read too: Python's zipfile (so Keras) writes them once a member or an offset passes 2 GiB.
 * Writing stores members (as Keras does) and returns the archive as chunks, so big members are
 * never copied.
 */
import { inflateSync } from 'fflate';
import { FileFormatError } from './errors.js';
import { limits } from './limits.js';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END = 0x06064b50;
const ZIP64_EXTRA = 0x0001;
/** A 32-bit field holding this means "the real value is in the zip64 record". */
const FULL32 = 0xffffffff;

/** A little-endian 64-bit size or offset, refused past the file (so it is a safe integer). */
function uint64(view: DataView, at: number, where: string, what: string): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(view.byteLength)) throw new FileFormatError(where, at, `${what} inside the ${view.byteLength}-byte file`, `${value}`);
  return Number(value);
}

/** The central directory's entry count and offset, from the zip64 end record where there is one. */
function directory(view: DataView, end: number, where: string): { count: number; at: number } {
  const count = view.getUint16(end + 10, true);
  const at = view.getUint32(end + 16, true);
  const locator = end - 20;
  if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR) return { count, at };
  const record = uint64(view, locator + 8, where, 'the zip64 end record');
  if (record + 56 > locator || view.getUint32(record, true) !== ZIP64_END)
    throw new FileFormatError(where, record, 'a zip64 end-of-central-directory record', 'other bytes');
  return {
    count: uint64(view, record + 32, where, 'a member count'),
    at: uint64(view, record + 48, where, 'the central directory'),
  };
}

/**
 * The sizes and local-header offset of central entry `at`, taking each field that is 0xffffffff
 * from the entry's zip64 extra field, in the order the format gives (APPNOTE 4.5.3).
 */
function entrySizes(view: DataView, at: number, extraStart: number, extraEnd: number, here: string) {
  const fields = { declared: view.getUint32(at + 24, true), stored: view.getUint32(at + 20, true), local: view.getUint32(at + 42, true) };
  const wanted = (['declared', 'stored', 'local'] as const).filter((k) => fields[k] === FULL32);
  if (wanted.length === 0) return fields;
  for (let p = extraStart; p + 4 <= extraEnd;) {
    const id = view.getUint16(p, true);
    const size = view.getUint16(p + 2, true);
    if (id === ZIP64_EXTRA) {
      if (size < 8 * wanted.length || p + 4 + size > extraEnd)
        throw new FileFormatError(here, p, `a zip64 extra field of ${8 * wanted.length} bytes`, `${size} bytes`);
      wanted.forEach((k, i) => (fields[k] = uint64(view, p + 4 + 8 * i, here, `the ${k === 'local' ? 'header offset' : 'size'}`)));
      return fields;
    }
    p += 4 + size;
  }
  throw new FileFormatError(here, at, 'a zip64 extra field for its 0xffffffff sizes', 'none');
}

function eocdOffset(view: DataView, where: string): number {
  const min = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let at = view.byteLength - 22; at >= min; at--) if (view.getUint32(at, true) === EOCD) return at;
  throw new FileFormatError(where, null, 'a zip archive (an end-of-central-directory record)', `none in ${view.byteLength} bytes`);
}

/**
 * The members of a zip archive, checked: at most `limits.maxZipMembers`, each inside the file, a
 * stored member exactly its size, a deflated one expanding at most `limits.maxExpansion` times.
 *
 * @example
 * const members = readZip(bytes, 'm.keras');   // Map { 'config.json' => Uint8Array, … }
 */
export function readZip(bytes: Uint8Array, where: string): Map<string, Uint8Array> {
  if (bytes.length < 22) throw new FileFormatError(where, 0, 'a zip archive', `${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = eocdOffset(view, where);
  const central = directory(view, end, where);
  const count = central.count;
  let at = central.at;
  if (count > limits.maxZipMembers) throw new FileFormatError(where, end + 10, `at most ${limits.maxZipMembers} members`, `${count}`);
  const members = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || view.getUint32(at, true) !== CENTRAL)
      throw new FileFormatError(where, at, `central directory entry ${i}`, 'other bytes');
    const method = view.getUint16(at + 10, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const extra = extraLength + view.getUint16(at + 32, true);
    if (at + 46 + nameLength + extraLength > end)
      throw new FileFormatError(where, at, `the name of entry ${i} inside the directory`, `${nameLength} bytes`);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    const here = `${where}: member "${name}"`;
    const extraStart = at + 46 + nameLength;
    const { stored, declared, local } = entrySizes(view, at, extraStart, extraStart + extraLength, here);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL)
      throw new FileFormatError(here, local, 'a local file header', 'other bytes');
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + stored > bytes.length)
      throw new FileFormatError(here, start, `${stored} bytes inside the ${bytes.length}-byte file`, 'a member running past its end');
    const data = bytes.subarray(start, start + stored);
    if (method === 0) {
      if (declared !== stored) throw new FileFormatError(here, at + 24, `a stored size equal to its ${stored} bytes`, `${declared}`);
      members.set(name, data);
    } else if (method === 8) {
      if (declared > limits.maxExpansion * stored + limits.smallFileBytes || declared > limits.maxArrayBytes) {
        throw new FileFormatError(
          here,
          at + 24,
          `at most ${limits.maxExpansion}× expansion (zip bomb check)`,
          `${declared} bytes declared from ${stored} compressed`,
        );
      }
      let out: Uint8Array;
      try {
        out = inflateSync(data, { out: new Uint8Array(declared) });
      } catch (e) {
        throw new FileFormatError(here, start, 'deflated data', `unreadable data (${(e as Error).message})`);
      }
      if (out.length !== declared) throw new FileFormatError(here, start, `${declared} bytes once inflated`, `${out.length}`);
      members.set(name, out);
    } else {
      throw new FileFormatError(here, at + 10, 'a stored or deflated member', `compression method ${method}`);
    }
    at += 46 + nameLength + extra;
  }
  return members;
}

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** CRC-32 (the zip polynomial) of `data`. */
export function crc32(data: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** DOS date and time of 2025-01-01 00:00 (fixed, so saving the same model gives the same bytes). */
const DOS_TIME = 0;
const DOS_DATE = ((2025 - 1980) << 9) | (1 << 5) | 1;

/**
 * A zip archive of `members`, stored (no compression, as Keras writes), as a list of chunks: the
 * members' bytes are not copied.
 * @example writeFileAtomic('m.keras', writeZip([['metadata.json', utf8('{}')]]));
 */
export function writeZip(members: [string, Uint8Array][]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of members) {
    const nameBytes = new TextEncoder().encode(name);
    const crc = crc32(data);
    const header = (size: number, signature: number) => {
      const h = new Uint8Array(size + nameBytes.length);
      const v = new DataView(h.buffer);
      v.setUint32(0, signature, true);
      return { h, v };
    };
    const local = header(30, LOCAL);
    local.v.setUint16(4, 20, true); // version needed: 2.0
    local.v.setUint16(8, 0, true); // stored
    local.v.setUint16(10, DOS_TIME, true);
    local.v.setUint16(12, DOS_DATE, true);
    local.v.setUint32(14, crc, true);
    local.v.setUint32(18, data.length, true);
    local.v.setUint32(22, data.length, true);
    local.v.setUint16(26, nameBytes.length, true);
    local.h.set(nameBytes, 30);
    const entry = header(46, CENTRAL);
    entry.v.setUint16(4, 20, true);
    entry.v.setUint16(6, 20, true);
    entry.v.setUint16(12, DOS_TIME, true);
    entry.v.setUint16(14, DOS_DATE, true);
    entry.v.setUint32(16, crc, true);
    entry.v.setUint32(20, data.length, true);
    entry.v.setUint32(24, data.length, true);
    entry.v.setUint16(28, nameBytes.length, true);
    entry.v.setUint32(42, offset, true);
    entry.h.set(nameBytes, 46);
    chunks.push(local.h, data);
    central.push(entry.h);
    offset += local.h.length + data.length;
  }
  const size = central.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const v = new DataView(end.buffer);
  v.setUint32(0, EOCD, true);
  v.setUint16(8, members.length, true);
  v.setUint16(10, members.length, true);
  v.setUint32(12, size, true);
  v.setUint32(16, offset, true);
  return [...chunks, ...central, end];
}
