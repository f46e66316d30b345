/**
 * A decoding worker thread: receives DecodeJobs with an id, answers { id, pixels } (the
 * Float32Array's buffer transferred, not copied) or { id, error }. Started by decode-pool.ts.
 */
import '../backends/native-loader.js'; // the native backend for resizing, as on the main thread
import { parentPort } from 'node:worker_threads';
import { decodeImageFile, type DecodeJob } from './image-decode.js';

parentPort?.on('message', (message: { id: number; job: DecodeJob }) => {
  decodeImageFile(message.job).then(
    (pixels) => parentPort!.postMessage({ id: message.id, pixels }, [pixels.buffer as ArrayBuffer]),
    (e: unknown) => parentPort!.postMessage({ id: message.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
