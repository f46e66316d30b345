/**
 * Finds and loads the native addon (Node.js only: this file and what imports it are the edge the
 * browser core leaves out). The kernel record over the loaded addon is in native.ts.
 *
 * The addon is looked for at CONVKIT_NATIVE_ADDON when set (e.g. an ASan build), else at
 * native/build/Release/convkit.node, the build from source.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from './kernels.js';
import type { Addon, NativeInfo } from './native-addon.js';
import { provideNativeBackend } from './index.js';
import { nativeBackend } from './native.js';

export type { NativeInfo } from './native-addon.js';

/** The directory holding Convkit's package.json (this file runs from src/ or build/src/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'native'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('package root (package.json next to native/) not found');
    dir = up;
  }
}

/** Path of the compiled addon; CONVKIT_NATIVE_ADDON overrides it (e.g. an ASan build). */
function addonPath(): string {
  return process.env['CONVKIT_NATIVE_ADDON'] || join(packageRoot(), 'native', 'build', 'Release', 'convkit.node');
}

let loaded: { addon: Addon; backend: Backend } | { error: string } | null = null;

function load(): { addon: Addon; backend: Backend } | { error: string } {
  if (loaded) return loaded;
  const path = addonPath();
  const poison = process.env['CONVKIT_NATIVE_POISON'] === '1';
  try {
    if (!existsSync(path)) {
      loaded = { error: `addon not built: ${path} is missing (run \`npm run build:native\`)` };
    } else {
      const addon: Addon = createRequire(import.meta.url)(path);
      loaded = { addon, backend: nativeBackend(addon, { poison }) };
    }
  } catch (e) {
    loaded = { error: `addon failed to load from ${path}: ${e instanceof Error ? e.message : String(e)}` };
  }
  return loaded;
}

/**
 * Loads the native backend once; later calls return the same result.
 *
 * @example
 * const r = loadNativeBackend();
 * if ('backend' in r) r.backend.kernels.matmul(a, b, 2, 3, 4, false, false, null, 'linear');
 * else console.warn(r.error);
 */
export function loadNativeBackend(): { backend: Backend } | { error: string } {
  const r = load();
  return 'backend' in r ? { backend: r.backend } : r;
}

/**
 * What the loaded addon runs with, or null if it is not available.
 *
 * @example
 * nativeInfo(); // { isa: 'avx2', threads: 2, cpuFeatures: ['sse2', 'avx', 'avx2', 'fma'] }
 */
export function nativeInfo(): NativeInfo | null {
  const r = load();
  return 'addon' in r ? r.addon.info() : null;
}

/**
 * Switches the native GEMM instruction set for tests and benchmarks ('auto' restores the best).
 * Returns false, changing nothing, if the addon is missing or the CPU lacks the instruction set.
 * CONVKIT_NATIVE_ISA=portable|avx2|avx512 does the same at load time.
 *
 * @example
 * setNativeIsa('portable'); // run the baseline kernels
 * setNativeIsa('auto');
 */
export function setNativeIsa(name: 'auto' | 'portable' | 'avx2' | 'avx512'): boolean {
  const r = load();
  return 'addon' in r ? r.addon.setIsa(name) : false;
}

// Importing this file is what makes `native` available to getBackend and setBackend.
provideNativeBackend(loadNativeBackend);
