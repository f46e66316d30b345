/**
 * Static files: the page (web/) and the browser-safe core as plain ES modules (build/src/, the
 * compiled `convkit/core` and what it imports), so the page needs no CDN and no bundler. A URL
 * path is decoded once, refused if it holds `..`, a backslash or a NUL, resolved under its root
 * and checked to stay there; only known file types are served.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError } from './http-error.js';

/** The page's folder (web/ at the package root) and the compiled sources (build/src/). */
export const WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));
export const CORE_ROOT = fileURLToPath(new URL('../', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * Resolves `urlPath` (the part after the mount point) to a file under `root`, or throws 404/400.
 *
 * @example
 * await resolveStatic(WEB_ROOT, 'app.js', ['.js']);   // '/…/web/app.js'
 */
export async function resolveStatic(root: string, urlPath: string, allowed: readonly string[]): Promise<string> {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    throw new HttpError(400, `malformed URL path '${urlPath}'`);
  }
  const parts = path.split('/');
  if (path.includes('\0') || path.includes('\\') || parts.some((p) => p === '..')) throw new HttpError(400, `refused path '${urlPath}'`);
  const file = resolve(root, ...parts.filter((p) => p !== '' && p !== '.'));
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) throw new HttpError(400, `refused path '${urlPath}'`);
  if (!allowed.includes(extname(file))) throw new HttpError(404, `no such file '${urlPath}'`);
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new HttpError(404, `no such file '${urlPath}'`);
  return file;
}

/** Reads `file` for an answer: its bytes and content type. */
export async function readStatic(file: string): Promise<{ body: Buffer; type: string }> {
  return { body: await readFile(file), type: TYPES[extname(file)] ?? 'application/octet-stream' };
}

/** Which mount serves a URL path: the page, the core modules, or neither. */
export function staticMount(pathname: string): { root: string; rest: string; allowed: string[] } | null {
  if (pathname === '/') return { root: WEB_ROOT, rest: 'index.html', allowed: ['.html'] };
  if (pathname.startsWith('/web/')) return { root: WEB_ROOT, rest: pathname.slice(5), allowed: Object.keys(TYPES) };
  if (pathname.startsWith('/core/')) return { root: CORE_ROOT, rest: pathname.slice(6), allowed: ['.js'] };
  return null;
}
