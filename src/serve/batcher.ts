/**
 * Dynamic batching: requests that arrive within a short window (or until a batch is full) are
 * stacked into one `predict` call, as TensorFlow Serving's batching does (batch_timeout_micros,
 * max_batch_size, max_enqueued_batches). One batch runs at a time (in the model's worker thread):
 * what arrives meanwhile waits and forms the next batch, which starts as soon as the running one
 * ends. The queue is bounded in samples: a request that would overflow it is refused at once with
 * 503 rather than waiting without end.
 */
import { HttpError } from './http-error.js';

/**
 * Runs the model on `count` samples stored back to back in `data` (which it may keep: the batcher
 * does not read it again); resolves to the `count` output rows back to back.
 */
export type PredictFn = (data: Float32Array, count: number) => Float32Array | Promise<Float32Array>;

export interface BatcherOptions {
  /** Most samples in one predict call. */
  maxBatch: number;
  /** How long the first request of a batch waits for company, in ms. */
  windowMs: number;
  /** Most samples waiting; more is refused with 503. */
  maxQueue: number;
  /** Called after each predict call with its sample count and duration (seconds). */
  onBatch?: (size: number, seconds: number) => void;
}

interface Pending {
  samples: Float32Array[];
  resolve: (rows: Float32Array[]) => void;
  reject: (err: unknown) => void;
}

/**
 * Collects samples from concurrent requests and predicts them together.
 *
 * @example
 * const batcher = new Batcher((data, n) => model.predict(tensor(data, [n, 28, 28, 1])).floats(), 784, { maxBatch: 32, windowMs: 2, maxQueue: 1024 });
 * const [probabilities] = await batcher.submit([pixels]);
 */
export class Batcher {
  private queue: Pending[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private running = false;

  constructor(
    private readonly predict: PredictFn,
    private readonly sampleSize: number,
    private readonly options: BatcherOptions,
  ) {}

  /** Samples waiting now (not counting the batch running). */
  get depth(): number {
    return this.queued;
  }

  /** Queues `samples` (each `sampleSize` floats); resolves to their output rows in order. */
  submit(samples: Float32Array[]): Promise<Float32Array[]> {
    if (this.queued + samples.length > this.options.maxQueue) {
      return Promise.reject(
        new HttpError(503, `server busy: ${this.queued} samples queued, the limit is ${this.options.maxQueue}; retry shortly`, {
          'retry-after': '1',
        }),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ samples, resolve, reject });
      this.queued += samples.length;
      if (this.running) return; // the running batch starts the next when it ends
      if (this.queued >= this.options.maxBatch) this.runSoon();
      else if (!this.timer && !this.scheduled) this.timer = setTimeout(() => this.runSoon(), this.options.windowMs);
    });
  }

  /** Runs a batch after the I/O already waiting has been read (so requests in flight can join). */
  private runSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.runBatch();
    });
  }

  private async runBatch(): Promise<void> {
    // Whole requests, up to maxBatch samples (a single larger request runs alone).
    const take: Pending[] = [];
    let count = 0;
    while (this.queue.length > 0 && (take.length === 0 || count + this.queue[0]!.samples.length <= this.options.maxBatch)) {
      const next = this.queue.shift()!;
      take.push(next);
      count += next.samples.length;
    }
    if (take.length === 0) return;
    this.queued -= count;
    this.running = true;
    const size = this.sampleSize;
    const data = new Float32Array(count * size);
    let offset = 0;
    for (const p of take) for (const s of p.samples) data.set(s, offset++ * size);
    const start = performance.now();
    try {
      const out = await this.predict(data, count);
      this.options.onBatch?.(count, (performance.now() - start) / 1000);
      const rowSize = out.length / count;
      let at = 0;
      for (const p of take) {
        // Views of the one output buffer, no copies.
        p.resolve(p.samples.map((_, i) => out.subarray((at + i) * rowSize, (at + i + 1) * rowSize)));
        at += p.samples.length;
      }
    } catch (err) {
      for (const p of take) p.reject(err);
    } finally {
      this.running = false;
      // What queued meanwhile has waited at least one batch already: run it now.
      if (this.queued > 0) this.runSoon();
    }
  }
}
