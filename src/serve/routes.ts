/**
 * The request handler: TensorFlow Serving's REST routes, `/healthz`, `/metrics`, the page and
 * its modules. Each request gets exactly one answer; every failure is a JSON `{"error"}` with a
 * 4xx/5xx code, recorded in the metrics by route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorized } from './auth.js';
import { readBody, type BodyLimits } from './body.js';
import { HttpError, sendError, sendJson } from './http-error.js';
import { parseNumericInstances } from './fast-json.js';
import { decodeImage, sniff } from './images.js';
import { parsePredictBody } from './instances.js';
import type { ServerMetrics } from './metrics.js';
import type { ServedModel } from './served-model.js';
import { readStatic, resolveStatic, staticMount } from './static-files.js';

export interface HandlerContext {
  models: Map<string, ServedModel>;
  metrics: ServerMetrics;
  body: BodyLimits;
  maxInstances: number;
  maxImagePixels: number;
  /** Bearer token required on /v1/ and /metrics, or null. */
  token: string | null;
}

/** `/v1/models/NAME[/versions/N][/metadata|/weights|:predict]`. */
const MODEL_ROUTE = /^\/v1\/models\/([^/:]+)(?:\/versions\/(\d+))?(\/metadata|\/weights|:predict|:classify|:regress)?$/;

function allow(req: IncomingMessage, methods: string[]): void {
  if (!methods.includes(req.method ?? '')) {
    throw new HttpError(405, `method ${req.method} not allowed here; expected ${methods.join(' or ')}`, { allow: methods.join(', ') });
  }
}

function modelOf(ctx: HandlerContext, name: string): ServedModel {
  const served = ctx.models.get(name);
  if (!served)
    throw new HttpError(404, `no model named '${name}'; this server has ${[...ctx.models.keys()].map((n) => `'${n}'`).join(', ')}`);
  return served;
}

async function predict(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext, served: ServedModel): Promise<void> {
  // TF Serving reads JSON whatever the content type (curl -d sends form-urlencoded); image bytes
  // are recognised by their type or by their magic number.
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const bytes = await readBody(req, ctx.body);
  if (type === 'image/png' || type === 'image/jpeg' || type === 'application/octet-stream' || sniff(bytes) !== null) {
    const x = await decodeImage(bytes, served.inputShape, ctx.maxImagePixels, 'request body');
    sendPredictions(res, 'predictions', await served.batcher.submit([x]), served);
    return;
  }
  // Numeric instances of the input's shape (the common body) skip JSON.parse; anything else takes the general path.
  const fast = parseNumericInstances(bytes, served.inputShape, ctx.maxInstances);
  if (fast) {
    const rows = await served.batcher.submit(fast.instances);
    sendPredictions(res, fast.format === 'instances' ? 'predictions' : 'outputs', rows, served);
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `request body is not valid JSON (${bytes.length} bytes): ${(err as Error).message}`);
  }
  const request = parsePredictBody(parsed, served.inputShape, ctx.maxInstances);
  const samples = await Promise.all(
    request.instances.map((x, i) =>
      x instanceof Float32Array ? x : decodeImage(x.image, served.inputShape, ctx.maxImagePixels, `${request.format}[${i}].b64`),
    ),
  );
  const rows = await served.batcher.submit(samples);
  sendPredictions(res, request.format === 'instances' ? 'predictions' : 'outputs', rows, served);
}

/**
 * `{"predictions": [...]}`: rows of a vector output written as text directly (a float32 printed
 * by join is what JSON.stringify prints for it), other shapes or non-finite values through
 * JSON.stringify (which writes NaN as null).
 */
function sendPredictions(res: ServerResponse, key: string, rows: Float32Array[], served: ServedModel): void {
  if (served.outputShape.length !== 1 || !rows.every((r) => r.every(Number.isFinite))) {
    sendJson(res, 200, { [key]: rows.map((r) => served.nest(r)) });
    return;
  }
  const text = `{"${key}":[${rows.map((r) => `[${r.join(',')}]`).join(',')}]}`;
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Routes one request; returns the route's name for the metrics. Throws HttpError for the caller to answer. */
async function route(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext, pathname: string): Promise<string> {
  if (pathname === '/healthz') {
    allow(req, ['GET', 'HEAD']);
    sendJson(res, 200, { status: 'ok', models: [...ctx.models.keys()] });
    return 'healthz';
  }
  const mount = staticMount(pathname);
  if (mount) {
    allow(req, ['GET', 'HEAD']);
    const file = await resolveStatic(mount.root, mount.rest, mount.allowed);
    const { body, type } = await readStatic(file);
    res.writeHead(200, {
      'content-type': type,
      'content-length': body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return 'static';
  }
  if (pathname !== '/metrics' && !pathname.startsWith('/v1/')) throw new HttpError(404, `no route for '${pathname}'`);
  if (!authorized(req, ctx.token)) {
    throw new HttpError(401, 'missing or wrong bearer token: send the header "Authorization: Bearer <token>"', {
      'www-authenticate': 'Bearer',
    });
  }
  if (pathname === '/metrics') {
    allow(req, ['GET']);
    const depth = [...ctx.models.values()].reduce((n, m) => n + m.batcher.depth, 0);
    const text = ctx.metrics.render(depth);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return 'metrics';
  }
  if (pathname === '/v1/models') {
    allow(req, ['GET']);
    sendJson(res, 200, {
      models: [...ctx.models.values()].map((m) => ({ name: m.name, inputShape: m.inputShape, outputShape: m.outputShape })),
    });
    return 'models';
  }
  const match = MODEL_ROUTE.exec(pathname);
  if (!match)
    throw new HttpError(404, `no route for '${pathname}'; expected /v1/models/NAME, /v1/models/NAME/metadata or /v1/models/NAME:predict`);
  const [, rawName, version, action] = match;
  let name: string;
  try {
    name = decodeURIComponent(rawName!);
  } catch {
    throw new HttpError(400, `malformed model name in '${pathname}'`);
  }
  const served = modelOf(ctx, name);
  if (version !== undefined && version !== '1') throw new HttpError(404, `model '${name}' has version 1 only, received version ${version}`);
  if (action === ':predict') {
    allow(req, ['POST']);
    await predict(req, res, ctx, served);
    return 'predict';
  }
  if (action === ':classify' || action === ':regress') throw new HttpError(501, `${action.slice(1)} is not supported; use :predict`);
  allow(req, ['GET']);
  if (action === '/metadata') sendJson(res, 200, served.metadata());
  else if (action === '/weights') sendJson(res, 200, served.weightsDocument());
  else sendJson(res, 200, served.status());
  return action === '/metadata' ? 'metadata' : action === '/weights' ? 'weights' : 'status';
}

/**
 * Makes the server's request listener.
 *
 * @example
 * createServer(makeHandler({ models, metrics, body: { maxBytes: 1 << 20, idleTimeoutMs: 5000, totalTimeoutMs: 15000 }, maxInstances: 1024, maxImagePixels: 1 << 24, token: null }));
 */
export function makeHandler(ctx: HandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const start = performance.now();
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      pathname = '';
    }
    route(req, res, ctx, pathname).then(
      (name) => ctx.metrics.request(name, res.statusCode, (performance.now() - start) / 1000),
      (err) => {
        const status = sendError(res, err);
        if (err instanceof HttpError && (err.status === 408 || err.status === 413) && !req.complete) lingerThenClose(req);
        const name = pathname.endsWith(':predict') ? 'predict' : pathname.startsWith('/v1/') ? 'model' : 'other';
        ctx.metrics.request(name, status, (performance.now() - start) / 1000);
        if (!(err instanceof HttpError)) console.error(`convkit serve: ${req.method} ${pathname}: ${(err as Error)?.stack ?? String(err)}`);
      },
    );
  };
}

/** How long a refused body may keep arriving (read and discarded) before its connection is closed. */
const LINGER_MS = 1000;

/**
 * After a refused body (too large, too slow): read and discard what the client still sends, for
 * at most LINGER_MS, then close. Closing at once, with the body's rest unread, makes the kernel
 * reset the connection, and a client still sending may lose the answer before reading it (the
 * "lingering close" of RFC 9112 §9.6).
 */
function lingerThenClose(req: IncomingMessage): void {
  const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.socket.once('close', () => clearTimeout(timer));
  req.resume();
}
