/**
 * `serve(models, options)`: an HTTP server on node:http for one or more models, with safe
 * defaults (127.0.0.1, body and pixel limits, header/request/body timeouts, a connection cap,
 * bounded batching queues). Resolves once listening; `close()` stops it and its open sockets.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Model } from '../models/model.js';
import { ServerMetrics } from './metrics.js';
import { makeHandler } from './routes.js';
import { ServedModel } from './served-model.js';

export interface ServeOptions {
  /** Port to listen on (default 8080; 0 picks a free one). */
  port?: number;
  /** Address to bind (default 127.0.0.1: this machine only). */
  host?: string;
  /** When set, /v1/ and /metrics need `Authorization: Bearer <token>`. */
  token?: string | null;
  /** Largest request body in bytes (default 10 MiB). */
  maxBodyBytes?: number;
  /** Longest pause inside a body, ms (default 5000). */
  bodyIdleTimeoutMs?: number;
  /** Longest time to receive a whole body, ms (default 15000). */
  bodyTimeoutMs?: number;
  /** Longest time to receive the headers, ms (default 10000). */
  headersTimeoutMs?: number;
  /** Most samples in one batched predict call (default 32). */
  maxBatch?: number;
  /** How long a request waits for others to batch with, ms (default 2). */
  batchWindowMs?: number;
  /** Most samples queued per model before 503 (default 1024). */
  maxQueue?: number;
  /** Most instances in one request (default 1024). */
  maxInstances?: number;
  /** Largest decoded image, in pixels (default 4096 × 4096). */
  maxImagePixels?: number;
  /** Most open connections (default 512). */
  maxConnections?: number;
  /**
   * Run each model in its own worker thread (default true), rebuilt there from its config and
   * weights, so the event loop answers other requests during a predict; false runs `predict` on
   * the event loop (for a model with a custom layer that is not registered with `registerLayer`).
   */
  worker?: boolean;
  /** A batch that runs longer fails with 504 and its worker is replaced, ms (default 30000). */
  predictTimeoutMs?: number;
}

/** A listening server. */
export interface RunningServer {
  /** `http://host:port` */
  url: string;
  port: number;
  server: Server;
  metrics: ServerMetrics;
  models: Map<string, ServedModel>;
  /** Stops accepting, closes open connections, resolves when done. */
  close(): Promise<void>;
}

/**
 * Serves `models` (name → model) over HTTP with TensorFlow Serving's REST API and the draw-a-digit page.
 *
 * @example
 * const server = await serve({ mnist: model }, { port: 8080 });
 * // curl -d '{"instances": [...]}' http://127.0.0.1:8080/v1/models/mnist:predict
 * await server.close();
 */
export async function serve(models: Record<string, Model> | Map<string, Model>, options: ServeOptions = {}): Promise<RunningServer> {
  const entries = models instanceof Map ? [...models] : Object.entries(models);
  if (entries.length === 0) throw new Error('serve: expected at least one model, received none');
  for (const [name] of entries) {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`serve: model name '${name}' must be letters, digits, '.', '_' or '-'`);
  }
  const metrics = new ServerMetrics();
  const batching = {
    maxBatch: options.maxBatch ?? 32,
    windowMs: options.batchWindowMs ?? 2,
    maxQueue: options.maxQueue ?? 1024,
    onBatch: (size: number, seconds: number) => metrics.batch(size, seconds),
  };
  const run = { worker: options.worker ?? true, predictTimeoutMs: options.predictTimeoutMs ?? 30_000 };
  const started = await Promise.allSettled(entries.map(([name, model]) => ServedModel.start(name, model, batching, run)));
  const served = new Map<string, ServedModel>();
  for (const s of started) if (s.status === 'fulfilled') served.set(s.value.name, s.value);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all([...served.values()].map((m) => m.runner.close()));
    throw failed.reason;
  }
  const handler = makeHandler({
    models: served,
    metrics,
    body: {
      maxBytes: options.maxBodyBytes ?? 10 * 1024 * 1024,
      idleTimeoutMs: options.bodyIdleTimeoutMs ?? 5000,
      totalTimeoutMs: options.bodyTimeoutMs ?? 15000,
    },
    maxInstances: options.maxInstances ?? 1024,
    maxImagePixels: options.maxImagePixels ?? 4096 * 4096,
    token: options.token ?? null,
  });
  const server = createServer(
    { headersTimeout: options.headersTimeoutMs ?? 10_000, requestTimeout: 60_000, keepAliveTimeout: 5_000 },
    handler,
  );
  server.maxConnections = options.maxConnections ?? 512;
  // A malformed request line or header: answer JSON and close, as the default handler would with plain text.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const code = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify({ error: `malformed request: ${err.message}` });
    socket.end(
      `HTTP/1.1 ${code} ${code === 431 ? 'Request Header Fields Too Large' : code === 408 ? 'Request Timeout' : 'Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  const stopRunners = () => Promise.all([...served.values()].map((m) => m.runner.close()));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => void stopRunners().then(() => reject(err));
    server.once('error', onError);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    server,
    metrics,
    models: served,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await stopRunners();
    },
  };
}
