/**
 * Reading the regular files out of a (gzip-compressed) tar archive, enough for the datasets'
 * archives (ustar and GNU long names). Entries are checked against the archive's length before
 * they are read, and a name that would escape the target folder ('..', an absolute path) is
 * refused; errors give the entry and its byte offset.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** One regular file of an archive. */
export interface TarEntry {
  name: string;
  data: Uint8Array;
}

function text(bytes: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(start, end));
}

function octal(bytes: Uint8Array, start: number, length: number, what: string, offset: number): number {
  const s = text(bytes, start, length).trim();
  if (!/^[0-7]*$/.test(s)) throw new Error(`tar: the ${what} field of the entry at byte ${offset} is not octal ('${s}')`);
  return s === '' ? 0 : parseInt(s, 8);
}

/**
 * The regular files of a tar archive (gunzipped first if it starts with gzip's magic bytes).
 *
 * @example
 * const entries = parseTar(readFileSync('cifar-100-binary.tar.gz'));
 */
export function parseTar(archive: Uint8Array): TarEntry[] {
  let bytes = archive;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`tar: the gzip stream is corrupted (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  const entries: TarEntry[] = [];
  let longName: string | null = null;
  for (let offset = 0; offset + 512 <= bytes.length;) {
    const header = bytes.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break; // end of archive
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
    const stored = octal(header, 148, 8, 'checksum', offset);
    if (sum !== stored)
      throw new Error(`tar: the header at byte ${offset} has checksum ${stored}, computed ${sum}: not a tar archive, or corrupted`);
    const size = octal(header, 124, 12, 'size', offset);
    const type = String.fromCharCode(header[156]!);
    const prefix = text(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = null;
    const start = offset + 512;
    if (start + size > bytes.length)
      throw new Error(`tar: entry '${name}' at byte ${offset} needs ${size} bytes, the archive ends at ${bytes.length}`);
    const data = bytes.subarray(start, start + size);
    if (type === 'L') longName = text(data, 0, data.length);
    else if (type === '0' || type === '\0') entries.push({ name, data });
    offset = start + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/**
 * Writes an archive's files under `dir` (each through a temporary name, then renamed).
 *
 * @example await extractTar(readFileSync('cifar-10-binary.tar.gz'), cacheDir);
 */
export async function extractTar(archive: Uint8Array, dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const entry of parseTar(archive)) {
    const clean = normalize(entry.name);
    if (isAbsolute(clean) || clean === '..' || clean.startsWith(`..${sep}`))
      throw new Error(`tar: entry '${entry.name}' would be written outside ${dir}`);
    const path = join(dir, clean);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      await writeFile(tmp, entry.data);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    written.push(path);
  }
  return written;
}
