/**
 * Zip archives. Reading parses the central directory itself (so stored members, as Keras writes
 * them, are views into the file's bytes, not copies) and checks every member's sizes against the
 * file and its compressed size (refusing zip bombs) before inflating with fflate. Writing stores
 * members (as Keras does) and returns the archive as chunks, so big members are never copied.
 */
import { inflateSync } from 'fflate';
import { FileFormatError } from './errors.js';
import { limits } from './limits.js';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

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
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (count > limits.maxZipMembers) throw new FileFormatError(where, end + 10, `at most ${limits.maxZipMembers} members`, `${count}`);
  const members = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || view.getUint32(at, true) !== CENTRAL)
      throw new FileFormatError(where, at, `central directory entry ${i}`, 'other bytes');
    const method = view.getUint16(at + 10, true);
    const stored = view.getUint32(at + 20, true);
    const declared = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extra = view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    if (at + 46 + nameLength > end)
      throw new FileFormatError(where, at, `the name of entry ${i} inside the directory`, `${nameLength} bytes`);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    const here = `${where}: member "${name}"`;
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
