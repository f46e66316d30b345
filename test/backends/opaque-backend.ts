/**
 * A test double for a backend whose memory is not host memory: it wraps another kernel record
 * and hands out opaque handles instead of its outputs. A handle is a typed array of the right
 * type and length filled with a poison value (NaN, or -999 for int32), so code outside the
 * backend that reads a handle's raw memory instead of going through `Tensor.values()` (the
 * backend's `read`) gets poison, and code that writes into one loses the write: either shows as a
 * changed number. Arguments that are handles are swapped back for the real buffers; host buffers
 * (the caller's data, optimizer slots) go through as they are. Variables are handles too: their
 * storage is made by `store` and overwritten by `write`, so a raw read or write of a weight
 * anywhere (getWeights, setWeights, early stopping's snapshots) shows as well.
 */
import { KERNEL_NAMES, type Backend, type FloatArray, type Kernels } from '../../src/backends/kernels.js';

type Buffer = FloatArray | Int32Array;

/** Handles out, real buffers in; counts what crossed the boundary. */
export interface OpaqueBackend extends Backend {
  readonly stats: { handles: number; reads: number; stores: number; writes: number };
}

/**
 * Wraps `inner` as an opaque-handle backend.
 *
 * @example
 * useBackend(opaqueBackend(tsKernels));
 */
export function opaqueBackend(inner: Kernels): OpaqueBackend {
  const real = new WeakMap<Buffer, Buffer>();
  const stats = { handles: 0, reads: 0, stores: 0, writes: 0 };
  const isBuffer = (v: unknown): v is Buffer => v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array;
  const handle = (b: Buffer): Buffer => {
    const h: Buffer =
      b instanceof Int32Array
        ? new Int32Array(b.length).fill(-999)
        : b instanceof Float64Array
          ? new Float64Array(b.length)
          : new Float32Array(b.length);
    if (!(h instanceof Int32Array)) h.fill(NaN);
    real.set(h, b);
    stats.handles++;
    return h;
  };
  const unwrap = (v: unknown): unknown => (isBuffer(v) ? (real.get(v) ?? v) : Array.isArray(v) ? v.map(unwrap) : v);
  const wrap = (r: unknown): unknown => {
    if (r === undefined || r === null) return r;
    if (isBuffer(r)) return handle(r);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(r as object)) out[key] = isBuffer(value) ? handle(value) : value;
    return out;
  };
  const kernels = Object.fromEntries(
    KERNEL_NAMES.map((name) => {
      const fn = inner[name] as (...args: unknown[]) => unknown;
      return [name, (...args: unknown[]) => wrap(fn(...args.map(unwrap)))];
    }),
  ) as unknown as Kernels;
  return {
    name: 'opaque',
    kernels,
    stats,
    read(buffer) {
      const r = real.get(buffer);
      if (!r) return buffer;
      stats.reads++;
      return r.slice();
    },
    store(values) {
      stats.stores++;
      return handle(values.slice());
    },
    write(target, values) {
      const r = real.get(target);
      if (!r) throw new Error('opaque backend: write into a buffer that is not a handle');
      stats.writes++;
      r.set(values);
    },
  };
}
