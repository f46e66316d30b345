/**
 * A decoding worker thread: receives a batch of files to decode ({ id, job, paths }) and answers
 * { id, pixels, errors } with the pixels' buffer transferred, not copied: one message per batch,
 * so the worker keeps decoding while the main thread trains. Files are read with blocking calls
 * (cheaper, and only this thread waits). Started by decode-pool.ts.
 */
import '../backends/native-loader.js'; // the native backend for resizing, as on the main thread
import { parentPort } from 'node:worker_threads';
import { decodeImageBatch, type DecodeJob } from './image-decode.js';

parentPort?.on('message', (message: { id: number; job: Omit<DecodeJob, 'path'>; paths: string[] }) => {
  decodeImageBatch(message.job, message.paths, true).then(
    ({ pixels, errors }) => parentPort!.postMessage({ id: message.id, pixels, errors }, [pixels.buffer as ArrayBuffer]),
    (e: unknown) => parentPort!.postMessage({ id: message.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
