/**
 * Chooses the backend every op runs on. Under Node.js (the `convkit` entry, which imports
 * native-loader.ts) the default is `native` when the addon loads, else `ts` with a one-line
 * warning; `CONVKIT_BACKEND=ts|native` or `setBackend` choose explicitly. Without the native
 * loader (the browser-safe `convkit/core`), `ts` is the one backend. This file imports nothing
 * from Node.js, so the core bundles for a browser.
 */
import { setHostMemory } from '../tensor/tensor.js';
import type { Backend, BackendName, Kernels } from './kernels.js';
import { tsBackend } from './ts/index.js';

/** Loads the native backend, or says why it cannot (see native-loader.ts). */
export type NativeLoader = () => { backend: Backend } | { error: string };

let nativeLoader: NativeLoader | null = null;
let current: Backend | null = null;

/**
 * Makes `native` available to `getBackend` and `setBackend`; the Node.js entry does this by
 * importing native-loader.ts, so the browser core never reaches the addon, `node:fs` or `process`.
 *
 * @example
 * provideNativeBackend(loadNativeBackend);
 */
export function provideNativeBackend(loader: NativeLoader): void {
  nativeLoader = loader;
}

function install(backend: Backend): Backend {
  current = backend;
  setHostMemory({ read: backend.read, store: backend.store, write: backend.write });
  return backend;
}

function resolve(name: BackendName, explicit: boolean): Backend {
  if (name === 'ts') return tsBackend;
  if (!nativeLoader) {
    if (explicit) throw new Error("native backend requested but unavailable: it needs Node.js and the 'convkit' entry, not 'convkit/core'");
    return tsBackend;
  }
  const loaded = nativeLoader();
  if ('backend' in loaded) return loaded.backend;
  if (explicit) throw new Error(`native backend requested but unavailable: ${loaded.error}`);
  console.warn(`convkit: native backend unavailable (${loaded.error}); using the TypeScript backend`);
  return tsBackend;
}

function parseName(value: string, where: string): BackendName {
  if (value === 'ts' || value === 'native') return value;
  throw new Error(`${where}: expected 'ts' or 'native', received '${value}'`);
}

/** CONVKIT_BACKEND where there is a process environment (Node.js), else undefined. */
function backendFromEnvironment(): string | undefined {
  return typeof process === 'undefined' ? undefined : process.env?.['CONVKIT_BACKEND'];
}

/**
 * The backend in use, chosen on first call.
 *
 * @example
 * getBackend().name;   // 'native' or 'ts'
 */
export function getBackend(): Backend {
  if (!current) {
    const env = backendFromEnvironment();
    install(env ? resolve(parseName(env, 'CONVKIT_BACKEND'), true) : resolve('native', false));
  }
  return current!;
}

/**
 * Selects the backend for all later ops; throws if `native` cannot be loaded.
 *
 * @example
 * setBackend('ts');
 */
export function setBackend(name: BackendName | string): Backend {
  return install(resolve(parseName(name, 'setBackend'), true));
}

/**
 * Runs all later ops on a backend object of your own (a device backend, or a test double that
 * wraps `ts`); its `read`, if any, becomes the way `Tensor.values()` reads buffers back, and its
 * `store` and `write` the way variables hold and overwrite their values.
 *
 * @example
 * useBackend({ name: 'ts', kernels: tsKernels });
 */
export function useBackend(backend: Backend): Backend {
  return install(backend);
}

/** The kernel record of the backend in use (what ops call). */
export function kernels(): Kernels {
  return (current ?? getBackend()).kernels;
}

export type { Backend, BackendName, Kernels } from './kernels.js';
