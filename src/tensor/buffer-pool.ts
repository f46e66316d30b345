/**
 * Buffer recycling for the training loop and inference. Fresh large typed arrays are expensive
 * (the OS maps and zeroes new pages: ~16 ms for a 17 MB activation here, against 0.5 ms to clear
 * a reused one), and a training step allocates the same sizes every time. So `fit`, `evaluate`
 * and `predict` run each batch inside `withBufferScope`: float32/int32 buffers allocated in the
 * scope are handed back when it ends and reused, zeroed, by the next allocation. Nothing
 * allocated in a scope may outlive it; the code that opens a scope copies out whatever it
 * returns. Outside any scope, allocation is plain `new Float32Array(n)`.
 *
 * Inference hands buffers back sooner: `releaseBuffer` when an activation's last reader has run,
 * and `withBufferScopeKeeping` around one layer, so its temporaries go back as soon as it returns
 * (src/models/liveness.ts). A request may be served by a larger free buffer (a view of its first
 * n elements; at most 2× larger), so one buffer serves nearby sizes. Not more: a reused buffer's
 * pages were all touched by its earlier tenant and stay resident, so a long-lived small
 * activation (a residual block's input) served by a 4× buffer pins 4× its size (MobileNetV2 at
 * batch 1000: a 94 MB block input held a 375 MB buffer through the next block).
 *
 * A training step is a repeating scope (`withBufferScope(fn, { repeating: true })`): each step
 * asks for the same sizes in the same order, so the pool keeps what the step handed back — up to
 * the most the step ever had allocated at once, past the usual 1 GiB cap — and never drops
 * smaller buffers for a larger request. From the second step on, a step maps no fresh memory
 * (MobileNetV2 at batch 128 mapped 0.6–1 GB per step otherwise, a third of its time spent
 * faulting in and zeroing pages). `trimBufferPool` returns the pool to its cap after training.
 *
 * Buffers the pool drops (too small for the pass's new activations, or beyond its byte cap) are
 * handed to `setBufferFree`'s function when one is set (the Node entry sets the native addon's
 * `freeBuffer`, which detaches them so their memory goes back at once); otherwise they wait for
 * the garbage collector, which may let several hundred MB of dead activations stay resident.
 */

import type { FloatArray } from './dtype.js';

type Pooled = Float32Array | Int32Array;

/** Free buffers by byte length; `sizes` lists the lengths present, ascending. */
const free = new Map<number, ArrayBuffer[]>();
const sizes: number[] = [];
/** The buffers handed out in the innermost open scope, or null outside any scope. */
let scope: Set<ArrayBuffer> | null = null;
/** Bytes kept for reuse, at most; beyond it, returned buffers are left to the garbage collector. */
const MAX_POOLED_BYTES = 1 << 30;
/** A free buffer serves requests down to 1/2 of its length. */
const MAX_OVERSIZE = 2;
/** A fresh buffer of at least this many bytes drops the free buffers smaller than itself. */
const DROP_BELOW_FROM = 4 << 20;
let pooledBytes = 0;
/** Open repeating scopes, and the most the pool and the scopes held while one was open. */
let repeatingDepth = 0;
let repeatingHighWater = 0;
/** Bytes of the buffers handed out in open scopes, and the most that and the pool ever held. */
let scopedBytes = 0;
let highWater = 0;
/** Bytes of fresh buffers made inside scopes, ever (what the pool could not serve from its free buffers). */
let freshBytes = 0;
/** Frees a buffer the pool drops, now (the native addon's `freeBuffer`); null: left to the garbage collector. */
let freeNow: ((buffer: ArrayBuffer) => void) | null = null;

/**
 * Sets how dropped buffers are freed: nothing reads a buffer once the pool holds it, so `free` may
 * release its memory at once (detach it); null leaves them to the garbage collector. The Node
 * entry (src/backends/native-loader.ts) sets the addon's `freeBuffer` when the addon loads.
 *
 * @example
 * setBufferFree((b) => addon.freeBuffer(b));
 */
export function setBufferFree(free: ((buffer: ArrayBuffer) => void) | null): void {
  freeNow = free;
}

/** Index of the first entry of `sizes` ≥ bytes. */
function lowerBound(bytes: number): number {
  let lo = 0;
  let hi = sizes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sizes[mid]! < bytes) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The smallest free buffer of at least `bytes` (and at most 8× that), removed from the pool. */
function takeFree(bytes: number): ArrayBuffer | null {
  const i = lowerBound(bytes);
  const size = sizes[i];
  if (size === undefined || size > bytes * MAX_OVERSIZE) return null;
  const list = free.get(size)!;
  const buffer = list.pop()!;
  if (list.length === 0) {
    free.delete(size);
    sizes.splice(i, 1);
  }
  pooledBytes -= size;
  return buffer;
}

/**
 * Leaves the free buffers shorter than `bytes` to the garbage collector. Called when a large
 * request finds no free buffer big enough: the pass has moved on to larger activations (an
 * expansion layer), and buffers that cannot serve them would stay resident beside the new one.
 */
function dropSmallerThan(bytes: number): void {
  const n = lowerBound(bytes);
  for (const size of sizes.splice(0, n)) {
    const list = free.get(size)!;
    pooledBytes -= size * list.length;
    free.delete(size);
    if (freeNow) for (const buffer of list) freeNow(buffer);
  }
}

/** Puts a buffer back for reuse (or frees it, see setBufferFree, when the pool is full). */
function giveBack(buffer: ArrayBuffer): void {
  const size = buffer.byteLength;
  if (size === 0) return;
  if (pooledBytes + size > poolCap()) {
    freeNow?.(buffer);
    return;
  }
  let list = free.get(size);
  if (!list) {
    free.set(size, (list = []));
    sizes.splice(lowerBound(size), 0, size);
  }
  list.push(buffer);
  pooledBytes += size;
}

/** The most the pool keeps: its cap, or inside a repeating scope what that scope's steps needed. */
function poolCap(): number {
  return repeatingDepth > 0 ? Math.max(MAX_POOLED_BYTES, repeatingHighWater) : MAX_POOLED_BYTES;
}

/** n·4 bytes of uninitialised memory (no zeroing pass) where Node's Buffer is available. */
function fresh(n: number, zeroed: boolean): ArrayBuffer {
  if (zeroed || typeof Buffer === 'undefined' || n === 0) return new ArrayBuffer(n * 4);
  return Buffer.allocUnsafeSlow(n * 4).buffer as ArrayBuffer;
}

function take<T extends Pooled>(n: number, View: new (b: ArrayBuffer, offset: number, length: number) => T, zeroed: boolean): T {
  if (!scope) return new View(fresh(n, zeroed), 0, n);
  const reused = n > 0 ? takeFree(n * 4) : null;
  if (!reused && n * 4 >= DROP_BELOW_FROM && repeatingDepth === 0) dropSmallerThan(n * 4);
  const buffer = reused ?? fresh(n, zeroed);
  if (!reused) freshBytes += buffer.byteLength;
  scope.add(buffer);
  scopedBytes += buffer.byteLength;
  highWater = Math.max(highWater, scopedBytes + pooledBytes);
  if (repeatingDepth > 0) repeatingHighWater = Math.max(repeatingHighWater, scopedBytes + pooledBytes);
  const view = new View(buffer, 0, n);
  if (reused && zeroed) view.fill(0);
  return view;
}

/**
 * A Float32Array of length n, recycled inside a buffer scope. Zeroed unless `zeroed` is false,
 * which kernels that write every element use to skip the clearing pass.
 */
export function allocFloat32(n: number, zeroed = true): Float32Array {
  return take(n, Float32Array, zeroed);
}

/** An Int32Array of length n, recycled inside a buffer scope; zeroed unless `zeroed` is false. */
export function allocInt32(n: number, zeroed = true): Int32Array {
  return take(n, Int32Array, zeroed);
}

/**
 * How a scope's buffers are kept for the next one.
 *
 * @example
 * for (const batch of batches) withBufferScope(() => step(batch), { repeating: true });
 */
export interface BufferScopeOptions {
  /**
   * The scope runs again and again with the same sizes (a training step): keep everything it
   * hands back, up to the most it had allocated at once, and never drop smaller free buffers.
   */
  repeating?: boolean;
}

/**
 * Runs `fn`; every pooled buffer allocated meanwhile is recycled when it returns, so the result
 * must not hold one (return numbers, or copies). Scopes nest: an inner scope's buffers are
 * recycled when the inner scope ends.
 *
 * @example
 * const loss = withBufferScope(() => trainStep(x, y), { repeating: true });   // trainStep returns a number
 */
export function withBufferScope<T>(fn: () => T, { repeating = false }: BufferScopeOptions = {}): T {
  if (!repeating) {
    // Training steps have stopped (an evaluation between epochs): what they kept past the cap goes back.
    if (scope === null && repeatingDepth === 0 && repeatingHighWater > 0) trimBufferPool();
    return withBufferScopeKeeping(fn, () => []);
  }
  repeatingDepth++;
  try {
    return withBufferScopeKeeping(fn, () => []);
  } finally {
    repeatingDepth--;
  }
}

/**
 * Like `withBufferScope`, but the buffers behind the arrays `keep(result)` lists move to the
 * enclosing scope instead of being recycled, so the result may hold them (outside any scope they
 * are simply not pooled).
 *
 * @example
 * // One layer's temporaries go back at once; its output lives on in the batch's scope.
 * const y = withBufferScopeKeeping(() => layer.apply(x), (t) => [t.data]);
 */
export function withBufferScopeKeeping<T>(fn: () => T, keep: (result: T) => Iterable<ArrayBufferView>): T {
  const outer = scope;
  const mine = new Set<ArrayBuffer>();
  scope = mine;
  let kept: Set<ArrayBufferLike> | null = null;
  try {
    const result = fn();
    kept = new Set([...keep(result)].map((v) => v.buffer));
    return result;
  } finally {
    scope = outer;
    for (const b of mine) {
      if (kept?.has(b) && outer) {
        outer.add(b);
        continue;
      }
      scopedBytes -= b.byteLength;
      if (!kept?.has(b)) giveBack(b);
    }
  }
}

/**
 * Hands back, before its scope ends, the buffer behind `view` if the innermost open scope
 * allocated it (true), so the next allocation can reuse it. Nothing may read the buffer
 * afterwards. Buffers from elsewhere (weights, the caller's data) are left alone (false).
 *
 * @example
 * if (lastReaderHasRun) releaseBuffer(activation.data);
 */
export function releaseBuffer(view: ArrayBufferView): boolean {
  const buffer = view.buffer as ArrayBuffer;
  if (!scope?.delete(buffer)) return false;
  scopedBytes -= buffer.byteLength;
  giveBack(buffer);
  return true;
}

/**
 * What the pool accounts for, in bytes: buffers handed out in open scopes, buffers kept for
 * reuse, the most those two ever added up to since the last `resetPoolHighWater` (what the
 * pool made resident at the worst moment; tests and benchmarks bound it), and the fresh buffers
 * made inside scopes so far (a count that only grows: what it could not recycle).
 *
 * @example
 * resetPoolHighWater();
 * model.predict(x, { batchSize: 100 });
 * console.log(bufferPoolStats().highWaterBytes / 2 ** 20, 'MiB');
 */
export function bufferPoolStats(): { scopedBytes: number; pooledBytes: number; highWaterBytes: number; freshBytes: number } {
  return { scopedBytes, pooledBytes, highWaterBytes: highWater, freshBytes };
}

/** Starts a new high-water mark at what the pool holds now. */
export function resetPoolHighWater(): void {
  highWater = scopedBytes + pooledBytes;
}

/**
 * Frees recycled buffers, largest first, until the pool holds at most `maxBytes` (default: its
 * usual 1 GiB cap); `fit` calls it when training ends, so what the steps kept goes back.
 *
 * @example
 * await model.fit(x, y, { epochs: 1 });   // ends with trimBufferPool()
 * trimBufferPool(0);                      // give back every recycled buffer
 */
export function trimBufferPool(maxBytes = MAX_POOLED_BYTES): void {
  while (pooledBytes > maxBytes && sizes.length > 0) {
    const size = sizes[sizes.length - 1]!;
    const list = free.get(size)!;
    const buffer = list.pop()!;
    if (list.length === 0) {
      free.delete(size);
      sizes.pop();
    }
    pooledBytes -= size;
    freeNow?.(buffer);
  }
  if (repeatingDepth === 0) repeatingHighWater = 0;
}

/** Drops every recycled buffer (e.g. after training, to give the memory back). */
export function clearBufferPool(): void {
  if (freeNow) for (const list of free.values()) for (const buffer of list) freeNow(buffer);
  free.clear();
  sizes.length = 0;
  pooledBytes = 0;
  highWater = scopedBytes;
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
