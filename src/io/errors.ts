/**
 * The one error every reader throws: the file, where in it (byte offset or path inside), what
 * was expected and what was found, so a bad file never surfaces as a crash or a stack trace.
 */

/**
 * A file that cannot be read as the format it claims to be.
 *
 * @example
 * try { await loadModel('m.keras'); } catch (e) { if (e instanceof FileFormatError) console.error(e.message); }
 */
export class FileFormatError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number | null,
    readonly expected: string,
    readonly received: string,
  ) {
    super(`${file}${offset === null ? '' : ` (byte ${offset})`}: expected ${expected}, received ${received}`);
    this.name = 'FileFormatError';
  }
}
