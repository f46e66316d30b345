/**
 * Errors as HTTP answers: every failure the server reports is an `HttpError` with a status code
 * and a JSON body `{"error": "..."}` (TensorFlow Serving's shape), never a bare socket close.
 */
import type { ServerResponse } from 'node:http';

/**
 * An error that carries its HTTP status; the message is what the client reads.
 *
 * @example
 * throw new HttpError(400, 'instances[3]: expected shape [28, 28, 1], received [28, 28]');
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra headers for the answer (e.g. Retry-After on 503, WWW-Authenticate on 401). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * Writes `body` as JSON with `status`; does nothing if the answer was already sent.
 *
 * @example
 * sendJson(res, 200, { predictions: [[0.1, 0.9]] });
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Answers `err` as JSON: an HttpError with its own status, anything else as 500 with its message.
 *
 * @example
 * handler(req, res).catch((err) => sendError(res, err));
 */
export function sendError(res: ServerResponse, err: unknown): number {
  const status = err instanceof HttpError ? err.status : 500;
  const message = err instanceof Error ? err.message : String(err);
  sendJson(res, status, { error: message }, err instanceof HttpError ? err.headers : {});
  return status;
}
