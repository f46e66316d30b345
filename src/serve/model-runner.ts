/**
 * Where a served model's batches run. `WorkerRunner` (the default): a worker thread
 * (predict-worker.ts) that owns a copy of the model rebuilt from its config and weights, so the
 * server's event loop keeps reading, parsing and answering while a batch runs; a worker that
 * dies is replaced and the batches it held fail with 500, a batch past its deadline fails with
 * 504 and its worker is replaced. `InProcessRunner`: `predict` on the event loop (for a model that
 * cannot be rebuilt from its config, e.g. one with an unregistered custom layer).
 */
import { Worker } from 'node:worker_threads';
import { noGrad } from '../autograd/tape.js';
import { getBackend } from '../backends/index.js';
import { serializeLayer } from '../layers/registry.js';
import type { Model } from '../models/model.js';
import { tensor } from '../tensor/tensor.js';
import { HttpError } from './http-error.js';
import type { WorkerAnswer, WorkerRequest, WorkerSetup } from './predict-worker.js';

/** Runs batches of a model: `count` samples back to back in `data` → `count` output rows back to back. */
export interface ModelRunner {
  predict(data: Float32Array, count: number): Promise<Float32Array>;
  /** Batches started and not yet answered. */
  readonly inFlight: number;
  /** Stops the runner; batches still out fail. */
  close(): Promise<void>;
}

/**
 * `predict` on the calling thread.
 *
 * @example
 * const out = await new InProcessRunner(model, [28, 28, 1]).predict(new Float32Array(784), 1);
 */
export class InProcessRunner implements ModelRunner {
  readonly inFlight = 0;
  constructor(
    private readonly model: Model,
    private readonly inputShape: readonly number[],
  ) {}
  predict(data: Float32Array, count: number): Promise<Float32Array> {
    try {
      const y = noGrad(() => this.model.predict(tensor(data, [count, ...this.inputShape]), { batchSize: Math.max(count, 1) }));
      return Promise.resolve(Float32Array.from(y.floats('serve')));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Job {
  resolve: (out: Float32Array) => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * A worker thread that owns the model; started with `await WorkerRunner.start(...)`.
 *
 * @example
 * const runner = await WorkerRunner.start('mnist', model, [28, 28, 1], 30_000);
 * const probabilities = await runner.predict(pixels, 1);
 * await runner.close();
 */
export class WorkerRunner implements ModelRunner {
  private worker!: Worker;
  private ready!: Promise<void>;
  private readonly jobs = new Map<number, Job>();
  private nextId = 0;
  private closing = false;
  /** Workers started after a crash or a timeout (for tests and logs). */
  restarts = 0;

  private constructor(
    private readonly name: string,
    private readonly setup: WorkerSetup,
    private readonly timeoutMs: number,
  ) {}

  /** Rebuilds `model` in a new worker on this thread's backend; rejects if it cannot be rebuilt there. */
  static async start(name: string, model: Model, inputShape: number[], timeoutMs: number): Promise<WorkerRunner> {
    const setup: WorkerSetup = {
      model: serializeLayer(model),
      weights: model.getWeights().map((w) => ({ shape: [...w.shape], data: Float32Array.from(w.floats('serve')) })),
      backend: getBackend().name,
      inputShape,
    };
    const runner = new WorkerRunner(name, setup, timeoutMs);
    runner.spawn();
    await runner.ready;
    return runner;
  }

  get inFlight(): number {
    return this.jobs.size;
  }

  async predict(data: Float32Array, count: number): Promise<Float32Array> {
    await this.ready;
    if (this.closing) throw new HttpError(503, `model '${this.name}': the server is shutting down`);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.replace(
            new HttpError(
              504,
              `model '${this.name}': predict of ${count} samples took longer than ${this.timeoutMs} ms; its worker was replaced`,
            ),
          ),
        this.timeoutMs,
      );
      this.jobs.set(id, { resolve, reject, timer });
      this.worker.ref();
      // The buffer moves to the worker (no copy); the caller does not read `data` again.
      this.worker.postMessage({ id, data, count } satisfies WorkerRequest, [data.buffer as ArrayBuffer]);
    });
  }

  /** Makes the worker throw an uncaught error at its next batch: how the tests crash it. */
  crashForTest(): void {
    this.worker.postMessage({ id: -1, crash: true } satisfies WorkerRequest);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.fail(new HttpError(503, `model '${this.name}': the server is shutting down`));
    await this.worker.terminate();
  }

  private spawn(): void {
    const worker = new Worker(new URL('./predict-worker.js', import.meta.url), { workerData: this.setup });
    this.worker = worker;
    let started = false;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: WorkerAnswer) => {
        if ('ready' in m) {
          started = true;
          if (this.jobs.size === 0) worker.unref();
          return resolve();
        }
        if ('failed' in m) {
          const hint = 'serve(models, { worker: false }) runs it on the event loop instead';
          return reject(new Error(`serve: model '${this.name}' could not be rebuilt in a worker thread: ${m.failed}; ${hint}`));
        }
        const job = this.jobs.get(m.id);
        if (!job) return;
        this.jobs.delete(m.id);
        clearTimeout(job.timer);
        if (this.jobs.size === 0) worker.unref();
        if ('out' in m) job.resolve(m.out);
        else job.reject(new Error(`model '${this.name}': predict failed: ${m.error}`));
      });
      worker.on('error', (err) => {
        reject(err);
        // An uncaught error ends the thread: fail its batches and start the replacement now, so a
        // request that arrives before the 'exit' event goes to the new worker.
        if (this.worker !== worker || this.closing || !started) return;
        this.replace(new HttpError(500, `model '${this.name}': the worker running it crashed (${err.message}); it was restarted, retry`));
      });
      worker.on('exit', (code) => {
        reject(new Error(`serve: model '${this.name}': its worker exited (code ${code}) before it was ready`));
        // A worker that never got ready is not restarted (it would fail the same way again).
        if (this.worker !== worker || this.closing || !started) return;
        this.replace(new HttpError(500, `model '${this.name}': the worker running it exited (code ${code}); it was restarted, retry`));
      });
    });
    // A crash before any request still has its rejection handled (by the next predict's await).
    this.ready.catch(() => {});
    // Referenced while starting and while batches are out; an idle worker does not keep the process alive.
    worker.ref();
  }

  /**
   * Fails the batches out with `err` and starts a new worker at once (later batches go to it); the
   * old one is terminated (a native kernel it is inside of runs to its end first).
   */
  private replace(err: HttpError): void {
    this.fail(err);
    const old = this.worker;
    this.restarts++;
    this.spawn();
    void old.terminate();
  }

  /** Fails every batch still out with `err`. */
  private fail(err: HttpError): void {
    for (const job of this.jobs.values()) {
      clearTimeout(job.timer);
      job.reject(err);
    }
    this.jobs.clear();
  }
}
