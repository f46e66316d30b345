/**
 * Reading a request body with limits: a byte cap (checked against Content-Length before reading,
 * and while reading for chunked bodies), an idle timeout between chunks and a total deadline, so
 * neither a 100 MB body nor a slow-loris trickle can hold memory or a connection for long.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

export interface BodyLimits {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** Longest pause between two chunks, in ms. */
  idleTimeoutMs: number;
  /** Longest time for the whole body, in ms. */
  totalTimeoutMs: number;
}

/**
 * Resolves to the whole body, or rejects with 413 (too large) or 408 (too slow). On rejection
 * the caller answers and then closes the connection (the rest of the body is not read).
 *
 * @example
 * const bytes = await readBody(req, { maxBytes: 1 << 20, idleTimeoutMs: 5000, totalTimeoutMs: 15000 });
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limits.maxBytes) {
    return Promise.reject(new HttpError(413, `request body of ${declared} bytes is over the limit of ${limits.maxBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let idle: NodeJS.Timeout;
    const finish = (err: HttpError | null) => {
      clearTimeout(idle);
      clearTimeout(total);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (err) {
        req.pause();
        reject(err);
      } else resolve(Buffer.concat(chunks, received));
    };
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () => finish(new HttpError(408, `request body stalled: no data for ${limits.idleTimeoutMs} ms after ${received} bytes`)),
        limits.idleTimeoutMs,
      );
    };
    const total = setTimeout(
      () => finish(new HttpError(408, `request body not complete after ${limits.totalTimeoutMs} ms (${received} bytes received)`)),
      limits.totalTimeoutMs,
    );
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.maxBytes) {
        finish(new HttpError(413, `request body is over the limit of ${limits.maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
      armIdle();
    };
    const onEnd = () => finish(null);
    const onError = (err: Error) => finish(new HttpError(400, `request body could not be read: ${err.message}`));
    const onAborted = () => finish(new HttpError(400, 'the client closed the connection before the body was complete'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
    armIdle();
  });
}
