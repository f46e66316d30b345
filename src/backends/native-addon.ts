/**
 * The native addon's JavaScript surface (the bind_*.cc files of native/src/), as src/backends/native.ts calls
 * it: one function per kernel of the spec (KERNEL_SPECS in kernels.ts), taking the kernel's arguments and then
 * its outputs (allocated by the caller, filled in place), plus `info`, `setIsa` and `freeBuffer`. The addon
 * checks every argument at run time; test/backends/native-addon.test.ts checks that it exports
 * exactly the spec's names.
 */
import type { KernelName } from './kernels.js';

/** What the addon reports about itself. */
export interface NativeInfo {
  /** Instruction set of the GEMM kernels in use: 'avx512', 'avx2' or 'portable'. */
  isa: string;
  /** Threads of the pool (hardware concurrency, or CONVKIT_NUM_THREADS). */
  threads: number;
  /** CPU extensions detected at load time. */
  cpuFeatures: string[];
}

/** The addon's exports: every kernel (arguments, then outputs), `info`, `setIsa` and `freeBuffer`. */
export type Addon = { readonly [K in KernelName]: (...argumentsThenOutputs: unknown[]) => void } & {
  info(): NativeInfo;
  setIsa(name: string): boolean;
  /** Detaches an ArrayBuffer so its memory is freed now (the buffer pool's dropped buffers); false if it cannot be. */
  freeBuffer(buffer: ArrayBuffer): boolean;
};

/** The names the addon exports besides the kernels. */
export const ADDON_EXTRAS = ['info', 'setIsa', 'freeBuffer'] as const;
