/**
 * Finds and loads the native addon (Node.js only: this file and what imports it are the edge the
 * browser core leaves out). The kernel record over the loaded addon is in native.ts.
 *
 * Where the addon comes from, first that loads wins: CONVKIT_NATIVE_ADDON when set (e.g. an ASan
 * build; then nothing else is tried); native/build/Release/convkit.node, built from source by
 * `npm install` (scripts/build-native.mjs); prebuilds/<platform>-<arch>/convkit.node, the binary
 * `npm pack` put in the package, so an install without scripts still gets native speed. If
 * none loads, the TypeScript backend runs (see backends/index.ts).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from './kernels.js';
import type { Addon, NativeInfo } from './native-addon.js';
import { checkNativeEnvironment } from './native-env.js';
import { provideNativeBackend } from './index.js';
import { nativeBackend } from './native.js';
import { setBufferFree } from '../tensor/buffer-pool.js';

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

/** Which build of the addon is in use, where it is, and why that one. */
export interface AddonOrigin {
  kind: 'override' | 'source' | 'prebuilt';
  path: string;
  reason: string;
}

/** The places the addon may be, in the order they are tried. */
function candidates(): AddonOrigin[] {
  const override = process.env['CONVKIT_NATIVE_ADDON'];
  if (override) return [{ kind: 'override', path: override, reason: 'CONVKIT_NATIVE_ADDON names it' }];
  const root = packageRoot();
  const platform = `${process.platform}-${process.arch}`;
  return [
    {
      kind: 'source',
      path: join(root, 'native', 'build', 'Release', 'convkit.node'),
      reason: 'built from source by npm install (node-gyp)',
    },
    {
      kind: 'prebuilt',
      path: join(root, 'prebuilds', platform, 'convkit.node'),
      reason: `the prebuilt ${platform} binary shipped in the package`,
    },
  ];
}

type Loaded = { addon: Addon; backend: Backend; origin: AddonOrigin } | { error: string };
let loaded: Loaded | null = null;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The first candidate that loads, or why none does. */
function loadFirst(): Loaded {
  let places: AddonOrigin[];
  try {
    places = candidates();
  } catch (e) {
    return { error: message(e) };
  }
  const poison = process.env['CONVKIT_NATIVE_POISON'] === '1';
  const failures: string[] = [];
  for (const origin of places) {
    if (!existsSync(origin.path)) continue;
    try {
      const addon: Addon = createRequire(import.meta.url)(origin.path);
      if (origin.kind === 'prebuilt') {
        const source = failures.length > 0 ? `the build from source does not load (${failures.join('; ')})` : 'no build from source here';
        origin.reason = `${origin.reason}; ${source}`;
      }
      // The pool's dropped buffers (hundreds of MB at a large batch) are freed now, not at the next GC.
      if (typeof addon.freeBuffer === 'function') setBufferFree((b) => addon.freeBuffer(b));
      return { addon, backend: nativeBackend(addon, { poison }), origin };
    } catch (e) {
      failures.push(`addon failed to load from ${origin.path}: ${message(e)}`);
    }
  }
  if (failures.length > 0) return { error: failures.join('; ') };
  const paths = places.map((p) => p.path);
  return { error: `addon not built: ${paths.join(' and ')} ${paths.length > 1 ? 'are' : 'is'} missing (run \`npm run build:native\`)` };
}

function load(): Loaded {
  if (!loaded) {
    // Refuse a bad CONVKIT_NUM_THREADS / CONVKIT_NATIVE_ISA (the C++ would silently ignore it).
    const env = checkNativeEnvironment(process.env, availableParallelism());
    if (env.error) throw new Error(env.error);
    if (env.warning) console.warn(`convkit: warning: ${env.warning}`);
  }
  loaded ??= loadFirst();
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
 * Which addon build is in use and why (CONVKIT_NATIVE_ADDON, built from source, or the package's
 * prebuilt binary), or the reason none loads.
 *
 * @example
 * nativeAddonOrigin(); // { kind: 'prebuilt', path: '…/prebuilds/linux-x64/convkit.node', reason: '…' }
 */
export function nativeAddonOrigin(): AddonOrigin | { error: string } {
  const r = load();
  return 'origin' in r ? r.origin : r;
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
