/**
 * Chooses the backend every op runs on. The default is `native` when the addon built and loads,
 * else `ts` with a one-line warning; `CONVKIT_BACKEND=ts|native` or `setBackend` choose explicitly.
 */
import type { Backend, BackendName, Kernels } from './kernels.js';
import { loadNativeBackend } from './native-loader.js';
import { tsBackend } from './ts/index.js';

let current: Backend | null = null;

function resolve(name: BackendName, explicit: boolean): Backend {
  if (name === 'ts') return tsBackend;
  const loaded = loadNativeBackend();
  if ('backend' in loaded) return loaded.backend;
  if (explicit) throw new Error(`native backend requested but unavailable: ${loaded.error}`);
  console.warn(`convkit: native backend unavailable (${loaded.error}); using the TypeScript backend`);
  return tsBackend;
}

function parseName(value: string, where: string): BackendName {
  if (value === 'ts' || value === 'native') return value;
  throw new Error(`${where}: expected 'ts' or 'native', received '${value}'`);
}

/**
 * The backend in use, chosen on first call.
 *
 * @example
 * getBackend().name;   // 'native' or 'ts'
 */
export function getBackend(): Backend {
  if (!current) {
    const env = process.env['CONVKIT_BACKEND'];
    current = env ? resolve(parseName(env, 'CONVKIT_BACKEND'), true) : resolve('native', false);
  }
  return current;
}

/**
 * Selects the backend for all later ops; throws if `native` cannot be loaded.
 *
 * @example
 * setBackend('ts');
 */
export function setBackend(name: BackendName | string): Backend {
  current = resolve(parseName(name, 'setBackend'), true);
  return current;
}

/** The kernel record of the backend in use (what ops call). */
export function kernels(): Kernels {
  return (current ?? getBackend()).kernels;
}

export type { Backend, BackendName, Kernels } from './kernels.js';
