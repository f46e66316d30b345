/**
 * The worker thread that owns a served model (started by model-runner.ts): it rebuilds the model
 * from its config and weights on the same backend as the server, then answers
 * `{ id, data, count }` batches with `{ id, out }` (count × output floats, the buffer transferred,
 * not copied). The server's event loop never runs `predict`; this thread does nothing else.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { noGrad } from '../autograd/tape.js';
import { setBackend } from '../backends/index.js';
import '../backends/native-loader.js';
import { layerFromConfig, type SerializedLayer } from '../layers/registry.js';
import '../core.js';
import type { Model } from '../models/model.js';
import { Tensor } from '../tensor/tensor.js';

/** What the server sends when it starts the worker. */
export interface WorkerSetup {
  /** `serializeLayer(model)`. */
  model: SerializedLayer;
  /** The model's weights in `getWeights()` order. */
  weights: { shape: number[]; data: Float32Array }[];
  /** The server's backend name ('ts' or 'native'). */
  backend: string;
  /** Input shape without the batch axis. */
  inputShape: number[];
}

/** One batch to predict, or a request to crash at the next batch (tests, through WorkerRunner.crashForTest). */
export type WorkerRequest = { id: number; data: Float32Array; count: number } | { id: number; crash: true };

/** The answer to one batch. */
export type WorkerAnswer = { id: number; out: Float32Array } | { id: number; error: string } | { ready: true } | { failed: string };

const port = parentPort!;
const setup = workerData as WorkerSetup;
let model: Model;
try {
  setBackend(setup.backend);
  model = layerFromConfig(setup.model) as Model;
  model.setWeights(setup.weights.map((w) => new Tensor(w.data, w.shape)));
  port.postMessage({ ready: true } satisfies WorkerAnswer);
} catch (err) {
  port.postMessage({ failed: (err as Error)?.message ?? String(err) } satisfies WorkerAnswer);
  process.exit(1);
}

let crashNext = false;
port.on('message', (m: WorkerRequest) => {
  if ('crash' in m) return void (crashNext = true);
  // An uncaught error, as a bug in a kernel would throw: the thread dies with this batch out.
  if (crashNext) throw new Error('crash requested by the test');
  try {
    const y = noGrad(() => model.predict(new Tensor(m.data, [m.count, ...setup.inputShape]), { batchSize: Math.max(m.count, 1) }));
    // A copy we own (the backend may recycle its buffer), sent without another copy.
    const out = Float32Array.from(y.floats('serve'));
    port.postMessage({ id: m.id, out } satisfies WorkerAnswer, [out.buffer]);
  } catch (err) {
    port.postMessage({ id: m.id, error: (err as Error)?.message ?? String(err) } satisfies WorkerAnswer);
  }
});
