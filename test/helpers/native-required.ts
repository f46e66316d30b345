/**
 * Tests that need the native addon. Where it is missing, each such test is registered skipped,
 * one by one (so the summary counts every one of them) with the loader's reason; with
 * CONVKIT_REQUIRE_NATIVE=1 (set by `.ci/run`) each fails instead, so CI cannot pass without the
 * native backend where it can be built.
 */
import assert from 'node:assert/strict';
import { it as nodeIt } from 'node:test';
import { loadNativeBackend } from '../../src/backends/native-loader.js';
import type { Kernels } from '../../src/backends/kernels.js';

const loaded = loadNativeBackend();

/** Why the native tests cannot run here, or null when the addon loaded. */
export const nativeMissing: string | null = 'error' in loaded ? `native addon not available: ${loaded.error}` : null;

/** The native kernels, or null when the addon is missing. */
export const nativeKernels: Kernels | null = 'backend' in loaded ? loaded.backend.kernels : null;

/** True when CONVKIT_REQUIRE_NATIVE=1: a missing addon fails every native test. */
export const nativeRequired = process.env['CONVKIT_REQUIRE_NATIVE'] === '1';

/**
 * `it` for a test that needs the addon: runs it when the addon loaded; otherwise registers it as
 * skipped with the reason, or (CONVKIT_REQUIRE_NATIVE=1) as a failure naming the reason.
 */
export function nativeIt(name: string, fn: () => void | Promise<void>): void {
  if (nativeMissing === null) nodeIt(name, fn);
  else if (nativeRequired) nodeIt(name, () => assert.fail(`CONVKIT_REQUIRE_NATIVE=1 needs the native backend, but the ${nativeMissing}`));
  else nodeIt(name, { skip: nativeMissing }, fn);
}
