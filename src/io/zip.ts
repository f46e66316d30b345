/**
 * Zip archives on fflate: reading checks every member's declared size against what is stored
 * (refusing zip bombs before inflating), writing stores members uncompressed as Keras does.
 */
import { unzipSync, zipSync } from 'fflate';
import { FileFormatError } from './errors.js';
import { limits } from './limits.js';

/**
 * The members of a zip archive, checked: at most `limits.maxZipMembers`, each declared size within
 * `limits.maxExpansion` × its compressed size, stored members exactly their size.
 *
 * @example
 * const members = readZip(bytes, 'm.keras');   // Map { 'config.json' => Uint8Array, … }
 */
export function readZip(bytes: Uint8Array, where: string): Map<string, Uint8Array> {
  if (bytes.length < 22 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new FileFormatError(
      where,
      0,
      'a zip archive (signature PK)',
      `${bytes.length} bytes starting ${Array.from(bytes.slice(0, 2), (b) => b.toString(16)).join(' ')}`,
    );
  }
  let count = 0;
  let problem: FileFormatError | null = null;
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter(file) {
        count++;
        if (problem) return false;
        const declared = file.originalSize;
        const stored = file.size;
        if (count > limits.maxZipMembers) problem = new FileFormatError(where, null, `at most ${limits.maxZipMembers} members`, 'more');
        else if (file.compression !== 0 && file.compression !== 8)
          problem = new FileFormatError(where, null, `member "${file.name}" stored or deflated`, `compression method ${file.compression}`);
        else if (file.compression === 0 && declared !== stored)
          problem = new FileFormatError(where, null, `stored member "${file.name}" of ${stored} bytes`, `a declared size of ${declared}`);
        else if (declared > limits.maxExpansion * stored + limits.smallFileBytes || declared > limits.maxArrayBytes)
          problem = new FileFormatError(
            where,
            null,
            `member "${file.name}" to expand at most ${limits.maxExpansion}× (zip bomb check)`,
            `${declared} bytes declared from ${stored} compressed`,
          );
        else if (stored > bytes.length)
          problem = new FileFormatError(
            where,
            null,
            `member "${file.name}" inside the ${bytes.length}-byte file`,
            `${stored} compressed bytes`,
          );
        return !problem;
      },
    });
  } catch (e) {
    throw new FileFormatError(where, null, 'a valid zip archive', `unreadable data (${(e as Error).message})`);
  }
  if (problem) throw problem;
  return new Map(Object.entries(members));
}

/**
 * A zip archive of `members`, stored (no compression), in the order given.
 * @example const bytes = writeZip([['metadata.json', utf8('{}')]]);
 */
export function writeZip(members: [string, Uint8Array][]): Uint8Array {
  return zipSync(Object.fromEntries(members.map(([name, data]) => [name, [data, { level: 0 }]])), {
    mtime: new Date('2025-01-01T00:00:00Z'),
  });
}
