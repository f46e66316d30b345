/**
 * Downloading dataset files into a cache folder, as Keras's get_file (keras/src/utils/
 * file_utils.py) does: a file already there with the right checksum is used as is; otherwise
 * it is fetched into `<name>.part` (resumed with an HTTP Range request after a dropped
 * connection or an interrupted run), its md5 or sha256 checked, and only then renamed into
 * place, so the cache never holds a half-written or corrupted file under the real name.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface DownloadOptions {
  url: string;
  /** Hex md5 (32 digits) or sha256 (64 digits) of the file, as Keras's file_hash. */
  checksum: string;
  /** File name in the cache folder (default: the URL's last path segment). */
  fileName?: string;
  /** Cache folder (default: $CONVKIT_CACHE_DIR, else ~/.cache/convkit/datasets). */
  cacheDir?: string;
  /** Draw a progress line on stderr (default: when stderr is a terminal). */
  progress?: boolean;
  /** Resumed attempts after a dropped connection (default 3). */
  retries?: number;
  /** Give up on a connection silent this long (default 30 s). */
  timeoutMs?: number;
}

/** The default cache folder: $CONVKIT_CACHE_DIR, else ~/.cache/convkit/datasets. */
export function defaultCacheDir(): string {
  return process.env['CONVKIT_CACHE_DIR'] || join(homedir(), '.cache', 'convkit', 'datasets');
}

function algorithmOf(checksum: string): 'md5' | 'sha256' {
  if (/^[0-9a-f]{32}$/i.test(checksum)) return 'md5';
  if (/^[0-9a-f]{64}$/i.test(checksum)) return 'sha256';
  throw new Error(`download: expected checksum to be 32 (md5) or 64 (sha256) hex digits, received '${checksum}'`);
}

/** Hex digest of a file. */
export async function fileDigest(path: string, algorithm: 'md5' | 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

const OFFLINE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH']);

function request(url: string, offset: number, timeoutMs: number): Promise<IncomingMessage> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(url, { headers: offset > 0 ? { Range: `bytes=${offset}-` } : {}, timeout: timeoutMs }, resolve);
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no data for ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

function megabytes(n: number): string {
  return (n / 1e6).toFixed(1);
}

/**
 * Fetches into `part` from byte `offset` (following redirects); resolves when the body ends
 * with every byte the server announced, rejects on a dropped connection.
 */
async function fetchInto(
  url: string,
  part: string,
  offset: number,
  o: Required<Pick<DownloadOptions, 'timeoutMs' | 'progress'>>,
  redirects = 5,
): Promise<void> {
  const res = await request(url, offset, o.timeoutMs);
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400 && res.headers.location) {
    res.resume();
    if (redirects === 0) throw new Error(`download: too many redirects from ${url}`);
    return fetchInto(new URL(res.headers.location, url).toString(), part, offset, o, redirects - 1);
  }
  if (status === 416 && offset > 0) {
    res.resume(); // the partial file already holds everything (or is longer than the file): start again
    await rm(part, { force: true });
    return fetchInto(url, part, 0, o, redirects);
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    throw Object.assign(new Error(`download: ${url} answered HTTP ${status}`), { permanent: true });
  }
  const resumed = status === 206;
  const start = resumed ? offset : 0;
  const length = Number(res.headers['content-length'] ?? NaN);
  const total = Number.isFinite(length) ? start + length : NaN;
  const out = createWriteStream(part, { flags: resumed ? 'a' : 'w' });
  let received = start;
  let lastDraw = 0;
  const draw = (done: boolean): void => {
    if (!o.progress) return;
    const now = Date.now();
    if (!done && now - lastDraw < 200) return;
    lastDraw = now;
    const pct = Number.isFinite(total) ? `${((100 * received) / total).toFixed(0).padStart(3)}% ` : '';
    process.stderr.write(
      `\rDownloading ${url}: ${pct}${megabytes(received)}${Number.isFinite(total) ? `/${megabytes(total)}` : ''} MB${done ? '\n' : ''}`,
    );
  };
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      out.end(() => reject(e));
    };
    res.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (!out.write(chunk)) res.pause();
      draw(false);
    });
    out.on('drain', () => res.resume());
    res.on('aborted', () => fail(new Error('the connection closed early')));
    res.on('error', fail);
    out.on('error', reject);
    res.on('close', () => {
      if (!res.complete) fail(new Error(`the connection closed after ${received} of ${Number.isFinite(total) ? total : '?'} bytes`));
    });
    res.on('end', () => {
      if (settled) return;
      if (Number.isFinite(total) && received < total) return fail(new Error(`the connection closed after ${received} of ${total} bytes`));
      settled = true;
      out.end(() => (draw(true), resolve()));
    });
  });
}

/**
 * The path of `url`'s file in the cache, downloading it first if it is not there.
 *
 * @example
 * const path = await download({
 *   url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
 *   checksum: 'c32a1d4ab5d03f1284b67883e8d87530',
 * });
 */
export async function download(options: DownloadOptions): Promise<string> {
  const { url, checksum } = options;
  const algorithm = algorithmOf(checksum);
  let name = options.fileName;
  if (name === undefined) {
    try {
      name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    } catch {
      throw new Error(`download: '${url}' is not a valid URL`);
    }
  }
  if (!name || name.includes('/') || name.includes('\\') || name === '..')
    throw new Error(`download: cannot name a cache file after '${url}'; pass fileName`);
  const dir = options.cacheDir ?? defaultCacheDir();
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  const part = `${path}.part`;
  const expected = checksum.toLowerCase();

  if ((await sizeOf(path)) !== null) {
    const actual = await fileDigest(path, algorithm);
    if (actual === expected) return path;
    await rm(path, { force: true }); // stale or corrupted: fetch again
  }
  const o = { timeoutMs: options.timeoutMs ?? 30_000, progress: options.progress ?? Boolean(process.stderr.isTTY) };
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      await fetchInto(url, part, (await sizeOf(part)) ?? 0, o);
      break;
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { permanent?: boolean };
      if (err.code && OFFLINE.has(err.code)) {
        throw new Error(
          `download: cannot reach ${new URL(url).host} (${err.code}): no network? Fetch ${url} by hand and put it at ${path}` +
            ((await sizeOf(part)) ? ` (the partial download ${part} is kept and resumes next time)` : ''),
        );
      }
      if (err.permanent || attempt >= retries) {
        throw new Error(
          `download: ${url} failed after ${attempt + 1} attempt(s): ${err.message}; the partial file ${part} is kept and resumes next time`,
        );
      }
    }
  }
  const actual = await fileDigest(part, algorithm);
  if (actual !== expected) {
    await rm(part, { force: true });
    throw new Error(
      `download: ${url} has ${algorithm} ${actual}, expected ${expected}: the file is corrupted or changed upstream; removed it`,
    );
  }
  await rename(part, path);
  return path;
}

/** An archive to fetch and unpack: where it is, its checksum, the folder it unpacks to, a file that must be in it. */
export interface DatasetArchive {
  url: string;
  checksum: string;
  /** The folder the archive unpacks into, inside the cache folder. */
  folder: string;
  /** A file that must be in that folder once unpacked. */
  marker: string;
}

/**
 * The unpacked folder of a dataset archive in the cache, downloading (checksummed, resumable)
 * and unpacking it first if needed.
 *
 * @example
 * const dir = await fetchDatasetArchive({ url, checksum, folder: 'cifar-10-batches-bin', marker: 'test_batch.bin' });
 */
export async function fetchDatasetArchive(archive: DatasetArchive, cacheDir = defaultCacheDir()): Promise<string> {
  const dir = join(cacheDir, archive.folder);
  if ((await sizeOf(join(dir, archive.marker))) !== null) return dir;
  const path = await download({ url: archive.url, checksum: archive.checksum, cacheDir });
  const { extractTar } = await import('./tar.js');
  const { readFile } = await import('node:fs/promises');
  await extractTar(await readFile(path), cacheDir);
  if ((await sizeOf(join(dir, archive.marker))) === null)
    throw new Error(`download: ${path} unpacked without ${archive.folder}/${archive.marker}`);
  return dir;
}
