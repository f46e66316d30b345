/**
 * The `native` backend: every kernel of the contract in a C++17 N-API addon
 * (native/build/Release/convkit.node, sources in native/src/), with run-time AVX-512 / AVX2+FMA /
 * portable dispatch and a persistent thread pool.
 *
 * Calling convention: every kernel is derived from its spec (KERNEL_SPECS in kernels.ts) by one helper,
 * `nativeKernel`: it allocates each output the spec names as an unzeroed Float32Array or
 * Int32Array (recycled inside a training step; see `alloc`) and passes them after the arguments;
 * the addon checks every length, shape and geometry field, throws a JavaScript Error naming the
 * kernel and argument on a mismatch, and otherwise fills the outputs in place. Kernels given any
 * Float64Array (gradient checks) run on the TypeScript reference backend.
 */
import type { KernelSpec, OutKind } from './kernel-signature.js';
import { KERNEL_NAMES, KERNEL_SPECS, type Backend, type KernelName, type Kernels } from './kernels.js';
import type { Addon } from './native-addon.js';
import { allocFloat32, allocInt32 as allocInt32Buffer } from '../tensor/buffer-pool.js';
import { tsKernels } from './ts/index.js';

const validLength = (n: number): boolean => Number.isSafeInteger(n) && n >= 0 && n < 2 ** 32;

/** CONVKIT_NATIVE_POISON=1 (tests) fills outputs with NaN so an element a kernel skips shows. */
let poison = false;

/**
 * An output buffer for the addon to fill. Every native kernel writes all of its output, so the
 * memory is not zeroed first (for a 17 MB conv output, zeroing costs more than the convolution);
 * inside a training step it is a recycled buffer (src/tensor/buffer-pool.ts). A size the addon
 * will reject gets an empty array; the addon then throws its own clear message.
 */
function alloc(n: number): Float32Array {
  if (!validLength(n) || n === 0) return new Float32Array(0);
  const out = allocFloat32(n, false);
  if (poison) out.fill(NaN);
  return out;
}

function allocInt32(n: number): Int32Array {
  if (!validLength(n) || n === 0) return new Int32Array(0);
  const out = allocInt32Buffer(n, false);
  if (poison) out.fill(-2);
  return out;
}

const isF64 = (a: unknown): boolean => a instanceof Float64Array || (Array.isArray(a) && a.some((x) => x instanceof Float64Array));

function allocOutput(kind: OutKind, size: number | null): Float32Array | Int32Array | null {
  return size === null ? null : kind === 'int32' ? allocInt32(size) : alloc(size);
}

type AnyKernel = (...args: unknown[]) => unknown;

/**
 * One native kernel, derived from its spec: a call with any Float64Array argument (gradient
 * checks) runs on the TypeScript backend; otherwise the outputs the spec names are allocated and
 * passed to the addon after the arguments, and returned (one buffer, or a record of them).
 */
function nativeKernel(addon: Addon, name: KernelName): AnyKernel {
  const fn = addon[name];
  const reference = tsKernels[name] as AnyKernel;
  const spec = KERNEL_SPECS[name] as KernelSpec;
  const sizes = spec.sizes as (...args: unknown[]) => unknown;
  const outputs = spec.outputs;
  if (outputs === 'inPlace') return (...args) => (args.some(isF64) ? reference(...args) : fn(...args));
  if ('one' in outputs) {
    return (...args) => {
      if (args.some(isF64)) return reference(...args);
      const out = allocOutput(outputs.kind, sizes(...args) as number | null);
      fn(...args, out);
      return out;
    };
  }
  const fields = Object.entries(outputs.record);
  return (...args) => {
    if (args.some(isF64)) return reference(...args);
    const counts = sizes(...args) as Record<string, number | null>;
    const result: Record<string, Float32Array | Int32Array | null> = {};
    for (const [key, kind] of fields) result[key] = allocOutput(kind, counts[key]!);
    fn(...args, ...Object.values(result));
    return result;
  };
}

/** The kernel record over a loaded addon: every kernel of the spec, run by `nativeKernel`. */
function makeKernels(addon: Addon): Kernels {
  return Object.fromEntries(KERNEL_NAMES.map((name) => [name, nativeKernel(addon, name)])) as unknown as Kernels;
}

/**
 * The `native` backend over a loaded addon (src/backends/native-loader.ts finds and loads it).
 * With `poison` (CONVKIT_NATIVE_POISON=1, tests), outputs are NaN-filled before each kernel.
 *
 * @example
 * const backend = nativeBackend(addon, { poison: false });
 */
export function nativeBackend(addon: Addon, options: { poison: boolean }): Backend {
  poison = options.poison;
  return { name: 'native', kernels: makeKernels(addon) };
}
