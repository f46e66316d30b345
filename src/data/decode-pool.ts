/**
 * A pool of decoding worker threads (./decode-worker.ts), so reading, decoding and resizing
 * images runs beside the training step on the main thread. A job is a batch of files (one
 * message each way, the pixels' buffer transferred), and goes to the least busy worker; idle
 * workers do not keep the process alive. With `workers: 0` jobs run in-process: sharp still
 * decodes on libuv's threads.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { decodeImageBatch, type DecodedBatch, type DecodeJob } from './image-decode.js';

interface Pending {
  resolve: (batch: DecodedBatch) => void;
  reject: (e: Error) => void;
}

type Reply = { id: number; pixels?: Float32Array; errors?: (string | null)[]; error?: string };

interface Slot {
  worker: Worker;
  busy: number;
}

/**
 * Decodes image files off the main thread.
 *
 * @example
 * const pool = new DecodePool(2);
 * const { pixels, errors } = await pool.decodeBatch(job, ['a.png', 'b.png']);
 * pool.close();
 */
export class DecodePool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending & { slot: Slot }>();
  private nextId = 0;

  /** `workers` threads (default: one fewer than the CPUs, at least 1); 0 decodes in-process. */
  constructor(workers = Math.max(1, availableParallelism() - 1)) {
    if (!Number.isInteger(workers) || workers < 0)
      throw new Error(`DecodePool: expected workers to be a non-negative integer, received ${workers}`);
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(new URL('./decode-worker.js', import.meta.url));
      const slot: Slot = { worker, busy: 0 };
      worker.on('message', (m: Reply) => this.settle(m));
      worker.on('error', (e) => this.failSlot(slot, e));
      worker.unref();
      this.slots.push(slot);
    }
  }

  /** Number of worker threads (0: in-process). */
  get size(): number {
    return this.slots.length;
  }

  /** The pixels of `paths` in one buffer, and each file's error (named by its path) or null. */
  decodeBatch(job: Omit<DecodeJob, 'path'>, paths: readonly string[]): Promise<DecodedBatch> {
    const template: Omit<DecodeJob, 'path'> & { path?: string } = { ...job };
    delete template.path;
    if (this.slots.length === 0) return decodeImageBatch(template, paths);
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      if (slot.busy++ === 0) slot.worker.ref(); // keep the process alive while work is out
      slot.worker.postMessage({ id, job: template, paths });
    });
  }

  /** Stops the workers; pending decodes fail. */
  close(): void {
    for (const slot of this.slots) void slot.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('DecodePool closed'));
    this.pending.clear();
    this.slots.length = 0;
  }

  private settle(m: Reply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (--p.slot.busy === 0) p.slot.worker.unref();
    if (m.pixels && m.errors) p.resolve({ pixels: m.pixels, errors: m.errors });
    else p.reject(new Error(m.error ?? 'decode failed'));
  }

  private failSlot(slot: Slot, e: Error): void {
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.reject(new Error(`decoding worker failed: ${e.message}`));
    }
    slot.busy = 0;
  }
}
