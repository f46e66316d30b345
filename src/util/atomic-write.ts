/**
 * Atomic file replacement: the bytes go to a temporary file in the same folder, are flushed to
 * disk (fsync), then renamed over the target, and the folder is synced. A process killed at any
 * moment leaves either the old file or the new one, never a mix.
 *
 * In `util/`, the ground floor beside `tensor/`: it imports nothing from Convkit, so any layer that
 * writes files (training's backups, io's model files, the CLI) can use it without an arrow
 * pointing back up the pipeline. Node.js only (not part of `convkit/core`).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `chunks` to `path` atomically.
 * @example writeFileAtomic('m.keras', [bytes]);
 */
export function writeFileAtomic(path: string, chunks: readonly Uint8Array[]): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o644);
  try {
    for (const chunk of chunks) {
      let done = 0;
      while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  syncDir(dir);
}

function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
