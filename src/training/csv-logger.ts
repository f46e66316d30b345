/**
 * CSVLogger: one row per epoch (epoch, then the logs in order, then the epoch's wall-clock
 * seconds), written as each epoch ends so a crash keeps every finished epoch. The file is checked
 * to be writable before training starts, and an existing log is replaced only once the new run
 * has its first row (header and row go to a temporary file that is renamed over it), so an
 * interrupted first epoch never leaves an empty file in place of an earlier log.
 */
import { appendFileSync, closeSync, existsSync, openSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Callback, type Logs } from './callbacks.js';

function reason(err: unknown, path: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  const folder = dirname(resolve(path));
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return existsSync(folder) ? `cannot create files in '${folder}'` : `folder '${folder}' does not exist`;
  if (code === 'EACCES' || code === 'EPERM') return `no permission to write in '${folder}'`;
  if (code === 'EROFS') return `'${folder}' is on a read-only file system`;
  if (code === 'EISDIR') return 'it is a folder';
  return err instanceof Error ? err.message : String(err);
}

/**
 * Throws a one-line error (starting with `where`) unless a log can be written at `path`:
 * not empty, not a folder, in a folder that exists and takes new files. Changes nothing.
 *
 * @example
 * checkLogFile('runs/train.csv', '--log'); // throws "--log 'runs/train.csv': cannot write there: folder '…/runs' does not exist"
 */
export function checkLogFile(path: string, where: string, append = false): void {
  if (typeof path !== 'string' || path.trim() === '') throw new Error(`${where}: expected a file path, received ${JSON.stringify(path)}`);
  const fail = (why: string): never => {
    throw new Error(`${where} '${path}': cannot write there: ${why}`);
  };
  if (existsSync(path) && !statSync(path).isFile()) fail(statSync(path).isDirectory() ? 'it is a folder' : 'it is not a regular file');
  // Probe the way the log will be written: a new file beside it (renamed over it later), or appending.
  const probe = append ? path : `${path}.${process.pid}.tmp`;
  try {
    closeSync(openSync(probe, 'a'));
    if (!append) unlinkSync(probe);
  } catch (e) {
    fail(reason(e, path));
  }
}

/**
 * Keras's CSVLogger plus a `seconds` column.
 *
 * @example
 * await model.fit(x, y, { epochs: 10, callbacks: [new CSVLogger('train.csv')] });
 * // epoch,loss,accuracy,val_loss,val_accuracy,seconds
 */
export class CSVLogger extends Callback {
  private columns: string[] | null = null;
  private epochStart = 0;

  constructor(
    readonly filename: string,
    readonly options: { separator?: string; append?: boolean } = {},
  ) {
    super();
  }

  override onTrainBegin(): void {
    this.columns = null;
    checkLogFile(this.filename, 'CSVLogger', this.options.append);
  }

  override onEpochBegin(): void {
    this.epochStart = performance.now();
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const sep = this.options.separator ?? ',';
    const seconds = (performance.now() - this.epochStart) / 1000;
    const first = !this.columns;
    const columns = (this.columns ??= Object.keys(logs));
    const row = [String(epoch), ...columns.map((k) => (logs[k] === undefined ? '' : String(logs[k]))), seconds.toFixed(3)].join(sep) + '\n';
    if (!first) return appendFileSync(this.filename, row);
    const header = ['epoch', ...columns, 'seconds'].join(sep) + '\n';
    if (this.options.append) {
      // As Keras: appending to a non-empty log adds rows only.
      const empty = !existsSync(this.filename) || statSync(this.filename).size === 0;
      return appendFileSync(this.filename, (empty ? header : '') + row);
    }
    const temporary = `${this.filename}.${process.pid}.tmp`;
    writeFileSync(temporary, header + row);
    renameSync(temporary, this.filename);
  }
}
