/**
 * Buffer recycling for the training loop. Fresh large typed arrays are expensive (the OS maps
 * and zeroes new pages: ~16 ms for a 17 MB activation here, against 0.5 ms to clear a reused
 * one), and a training step allocates the same sizes every time. So `fit`, `evaluate` and
 * `predict` run each batch inside `withBufferScope`: float32/int32 buffers allocated in the
 * scope are handed back when it ends and reused, zeroed, by the next batch. Nothing allocated in
 * a scope may outlive it; the code that opens a scope copies out whatever it returns. Outside
 * any scope, allocation is plain `new Float32Array(n)`.
 */

import type { FloatArray } from './dtype.js';

type Pooled = Float32Array | Int32Array;

const free = new Map<string, Pooled[]>();
let scope: Pooled[] | null = null;
/** Bytes kept for reuse, at most; beyond it, returned buffers are left to the garbage collector. */
const MAX_POOLED_BYTES = 1 << 30;
let pooledBytes = 0;

function take<T extends Pooled>(key: string, n: number, make: (n: number) => T, zeroed: boolean): T {
  if (!scope) return make(n);
  const list = free.get(key);
  const buffer = list?.pop() as T | undefined;
  if (buffer) {
    pooledBytes -= buffer.byteLength;
    if (zeroed) buffer.fill(0);
  }
  const out = buffer ?? make(n);
  scope.push(out);
  return out;
}

/** n·4 bytes of uninitialised memory (no zeroing pass), where Node's Buffer is available. */
function uninitialised(n: number): ArrayBuffer | null {
  if (typeof Buffer === 'undefined' || n === 0) return null;
  const bytes = Buffer.allocUnsafeSlow(n * 4);
  return bytes.buffer as ArrayBuffer;
}

/**
 * A Float32Array of length n, recycled inside a buffer scope. Zeroed unless `zeroed` is false,
 * which kernels that write every element use to skip the clearing pass.
 */
export function allocFloat32(n: number, zeroed = true): Float32Array {
  const make = (k: number): Float32Array => {
    const raw = zeroed ? null : uninitialised(k);
    return raw ? new Float32Array(raw, 0, k) : new Float32Array(k);
  };
  return take(`f${n}`, n, make, zeroed);
}

/** An Int32Array of length n, recycled inside a buffer scope; zeroed unless `zeroed` is false. */
export function allocInt32(n: number, zeroed = true): Int32Array {
  const make = (k: number): Int32Array => {
    const raw = zeroed ? null : uninitialised(k);
    return raw ? new Int32Array(raw, 0, k) : new Int32Array(k);
  };
  return take(`i${n}`, n, make, zeroed);
}

/**
 * Runs `fn`; every pooled buffer allocated meanwhile is recycled when it returns, so the result
 * must not hold one (return numbers, or copies). Scopes nest: an inner scope's buffers are
 * recycled when the inner scope ends.
 *
 * @example
 * const loss = withBufferScope(() => trainStep(x, y));   // trainStep returns a number
 */
export function withBufferScope<T>(fn: () => T): T {
  const outer = scope;
  const mine: Pooled[] = [];
  scope = mine;
  try {
    return fn();
  } finally {
    scope = outer;
    for (const b of mine) {
      if (pooledBytes + b.byteLength > MAX_POOLED_BYTES) continue;
      const key = `${b instanceof Float32Array ? 'f' : 'i'}${b.length}`;
      let list = free.get(key);
      if (!list) free.set(key, (list = []));
      list.push(b);
      pooledBytes += b.byteLength;
    }
  }
}

/** Drops every recycled buffer (e.g. after training, to give the memory back). */
export function clearBufferPool(): void {
  free.clear();
  pooledBytes = 0;
}

/**
 * A zeroed float array of the same type as `like` with `n` elements (float32 ones recycled in a
 * buffer scope): how the `ts` backend allocates outputs that follow their input's precision.
 *
 * @example
 * const out = allocLike(x, x.length);   // Float64Array for a float64 x, else a pooled Float32Array
 */
export function allocLike(like: FloatArray, n: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(n) : allocFloat32(n);
}
