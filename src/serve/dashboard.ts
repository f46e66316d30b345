/**
 * A live training dashboard as a callback (`new Dashboard({ port })`): a small HTTP server
 * (node:http, 127.0.0.1 by default) serving web/dashboard.html and a Server-Sent Events stream.
 * Per batch: loss, metrics, learning rate, samples/s and ETA (batched into one message per
 * `flushMs`); per epoch: the epoch logs with validation; at the end, with `testData`: the
 * confusion matrix, per-class accuracy, a gallery of misclassified images and the first layer's
 * filters. Every event is kept, so a tab opened late (or several) replays the run. Node.js only
 * (not part of convkit/core).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { noGrad } from '../autograd/tape.js';
import { authorized } from './auth.js';
import { readStatic, resolveStatic, WEB_ROOT } from './static-files.js';
import { Tensor } from '../tensor/tensor.js';
import { Callback, type Logs } from '../training/callbacks.js';

export interface DashboardArgs {
  /** Port (default 8081; 0 picks a free one). */
  port?: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Test images [n, h, w, c] and labels (int [n] or one-hot [n, k]) for the end-of-run evaluation. */
  testData?: { x: Tensor; y: Tensor };
  /** Most test samples evaluated at the end (default 2000). */
  evaluationSamples?: number;
  /** How often batch updates are sent, ms (default 200). */
  flushMs?: number;
  /** Called with the URL once listening (default: print it). */
  onListening?: (url: string) => void;
  /**
   * When set, the run's data (/events, /feature-maps) needs `Authorization: Bearer <token>`, as
   * `serve`'s API does; the page and its scripts stay open, and the page sends the token it is
   * given in its address: `http://127.0.0.1:8081/#token=<token>`.
   */
  token?: string | null;
}

/**
 * Live curves, model summary and end-of-run evaluation in a browser while `fit` runs.
 *
 * @example
 * const dashboard = new Dashboard({ port: 8081, testData: { x: test.images, y: test.labels } });
 * await model.fit(x, y, { epochs: 5, callbacks: [dashboard] });   // open http://127.0.0.1:8081/
 * await dashboard.close();
 */
export class Dashboard extends Callback {
  private server: Server | null = null;
  private readonly clients = new Set<ServerResponse>();
  private readonly events: string[] = [];
  private pending: unknown[] = [];
  private lastFlush = 0;
  private lastYield = 0;
  private trainStart = 0;
  private epochStart = 0;
  private epoch = 0;
  private stepsDone = 0;
  /** Time spent in this callback's hooks during training, ms (its overhead on training). */
  overheadMs = 0;
  /** Time of the end-of-run evaluation (confusion matrix, gallery), ms: after training, not during it. */
  evaluationMs = 0;
  url = '';

  constructor(private readonly args: DashboardArgs = {}) {
    super();
  }

  /** Starts the server (fit starts it too); resolves to its URL. */
  async start(): Promise<string> {
    if (this.server) return this.url;
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.args.port ?? 8081, this.args.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = server.address() as AddressInfo;
    this.url = `http://${address}:${port}`;
    (this.args.onListening ?? ((url) => console.log(`Dashboard: ${url}/${this.pageHash()}`)))(this.url);
    return this.url;
  }

  /**
   * Ends the event streams and stops the server. Open connections are closed too: a tab's
   * EventSource reconnects to an ended stream over its kept-alive socket, and a stream opened
   * that way would keep `server.close` waiting forever.
   */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const res of this.clients) res.end();
    this.clients.clear();
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Keeps the page up after training until SIGINT/SIGTERM (what `convkit train --dashboard` does), then closes. */
  async serveUntilInterrupted(): Promise<void> {
    console.log(`Dashboard still at ${this.url}/${this.pageHash()} (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop).off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop).on('SIGTERM', stop);
    });
    await this.close();
  }

  /** `#token=…` for the page's address when a token is set (the page reads it from there). */
  private pageHash(): string {
    return this.args.token ? `#token=${encodeURIComponent(this.args.token)}` : '';
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (req.method !== 'GET') return json(405, { error: `method ${req.method} not allowed; expected GET` });
    if ((path === '/events' || path === '/feature-maps') && !authorized(req, this.args.token ?? null)) {
      res.setHeader('www-authenticate', 'Bearer');
      return json(401, { error: 'missing or wrong bearer token: send the header "Authorization: Bearer <token>"' });
    }
    if (path === '/events') {
      if (!this.server) return json(503, { error: 'the dashboard is closing' });
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.flushHeaders(); // the tab sees the stream open before the first event
      for (const e of this.events) res.write(e);
      this.clients.add(res);
      req.on('close', () => this.clients.delete(res));
      return;
    }
    if (path === '/feature-maps') {
      const index = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('index'));
      try {
        return json(200, this.featureMaps(index));
      } catch (err) {
        return json(400, { error: (err as Error).message });
      }
    }
    try {
      const rest = path === '/' ? 'dashboard.html' : path.startsWith('/web/') ? path.slice(5) : null;
      if (rest === null) return json(404, { error: `no route for '${path}'` });
      const { body, type } = await readStatic(await resolveStatic(WEB_ROOT, rest, ['.html', '.js', '.css']));
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
      res.end(body);
    } catch (err) {
      json((err as { status?: number }).status ?? 500, { error: (err as Error).message });
    }
  }

  private send(type: string, data: unknown): void {
    const text = `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    this.events.push(text);
    for (const res of this.clients) res.write(text);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.send('batches', this.pending);
    this.pending = [];
  }

  private learningRate(): number | null {
    return this.model?.compiled?.optimizer.currentLearningRate() ?? null;
  }

  /** Runs a hook body, adding its time to `overheadMs`. */
  private timed<T>(fn: () => T): T {
    const start = performance.now();
    try {
      return fn();
    } finally {
      this.overheadMs += performance.now() - start;
    }
  }

  override async onTrainBegin(): Promise<void> {
    await this.start();
    this.timed(() => {
      const model = this.model as unknown as { summary?: (print: (line: string) => void) => string; name: string };
      const summary = typeof model?.summary === 'function' ? model.summary(() => {}) : '';
      this.events.length = 0;
      this.trainStart = performance.now();
      this.stepsDone = 0;
      this.send('start', { model: model?.name, params: this.params, summary, learningRate: this.learningRate() });
    });
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.epochStart = performance.now();
  }

  override async onTrainBatchEnd(batch: number, logs: Logs): Promise<void> {
    const now = this.timed(() => {
      const now = performance.now();
      this.stepsDone++;
      const p = this.params!;
      const samples = Math.min(p.samples, (batch + 1) * p.batchSize);
      const perSecond = samples / ((now - this.epochStart) / 1000);
      const totalSteps = p.steps * p.epochs;
      const eta = ((now - this.trainStart) / 1000 / this.stepsDone) * (totalSteps - this.stepsDone);
      this.pending.push({
        epoch: this.epoch,
        batch,
        step: this.stepsDone,
        logs,
        learningRate: this.learningRate(),
        samplesPerSecond: perSecond,
        eta,
      });
      if (now - this.lastFlush >= (this.args.flushMs ?? 200)) {
        this.lastFlush = now;
        this.flush();
      }
      return now;
    });
    // Let the server accept connections and answer during an epoch (fit yields only between epochs).
    if (now - this.lastYield >= 100) {
      this.lastYield = now;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.timed(() => {
      this.flush();
      this.send('epoch', { epoch, logs, learningRate: this.learningRate(), seconds: (performance.now() - this.epochStart) / 1000 });
    });
  }

  override onTrainEnd(): void {
    this.timed(() => this.flush());
    const start = performance.now();
    const evaluation = this.args.testData ? this.evaluate(this.args.testData.x, this.args.testData.y) : null;
    this.send('end', { seconds: (start - this.trainStart) / 1000, evaluation, filters: this.firstLayerFilters() });
    this.evaluationMs = performance.now() - start;
  }

  /** Confusion matrix, per-class accuracy and up to 36 misclassified images of the test data. */
  private evaluate(x: Tensor, y: Tensor): unknown {
    const n = Math.min(x.shape[0]!, this.args.evaluationSamples ?? 2000);
    const sampleSize = x.size / x.shape[0]!;
    const model = this.model!;
    const classes = Number(model.outputShape[model.outputShape.length - 1]);
    const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
    const wrong: { index: number; label: number; predicted: number; pixels: number[] }[] = [];
    const xs = x.floats('Dashboard testData.x');
    const labelOf = (i: number) => {
      if (y.rank === 1) return Number(y.data[i]);
      let best = 0;
      for (let k = 1; k < classes; k++) if (y.data[i * classes + k]! > y.data[i * classes + best]!) best = k;
      return best;
    };
    for (let start = 0; start < n; start += 250) {
      const end = Math.min(n, start + 250);
      const batch = new Tensor(Float32Array.from(xs.subarray(start * sampleSize, end * sampleSize)), [end - start, ...x.shape.slice(1)]);
      const out = noGrad(() => model.apply(batch, { training: false })).data;
      for (let i = 0; i < end - start; i++) {
        let predicted = 0;
        for (let k = 1; k < classes; k++) if (out[i * classes + k]! > out[i * classes + predicted]!) predicted = k;
        const label = labelOf(start + i);
        matrix[label]![predicted]!++;
        if (label !== predicted && wrong.length < 36) {
          const pixels = Array.from(xs.subarray((start + i) * sampleSize, (start + i + 1) * sampleSize), (v) =>
            Math.round(255 * Math.min(1, Math.max(0, v))),
          );
          wrong.push({ index: start + i, label, predicted, pixels });
        }
      }
    }
    const perClass = matrix.map(
      (row, k) =>
        row[k]! /
        Math.max(
          1,
          row.reduce((a, b) => a + b, 0),
        ),
    );
    const accuracy = matrix.reduce((s, row, k) => s + row[k]!, 0) / n;
    return { samples: n, accuracy, matrix, perClass, misclassified: wrong, imageShape: x.shape.slice(1) };
  }

  /**
   * The first layer's output (its feature maps) for test image `index`: run between training
   * steps (this process is single-threaded), with the current weights.
   */
  featureMaps(index: number): { index: number; layer: string; shape: number[]; values: number[]; image: number[] } {
    const test = this.args.testData;
    if (!test) throw new Error('feature maps need test data: new Dashboard({ testData: { x, y } })');
    const n = test.x.shape[0]!;
    if (!Number.isInteger(index) || index < 0 || index >= n)
      throw new Error(`feature maps: expected a test image index in [0, ${n - 1}], received ${index}`);
    const layer = (this.model as unknown as { layers?: { name: string; apply(x: Tensor, ctx: { training: boolean }): Tensor }[] })
      .layers?.[0];
    if (!layer) throw new Error('feature maps: the model has no layers to run');
    const size = test.x.size / n;
    const xs = test.x.floats('Dashboard testData.x');
    const x = new Tensor(Float32Array.from(xs.subarray(index * size, (index + 1) * size)), [1, ...test.x.shape.slice(1)]);
    const out = noGrad(() => layer.apply(x, { training: false }));
    if (out.rank !== 4)
      throw new Error(`feature maps: the first layer "${layer.name}" gives shape [${out.shape.join(', ')}], not [1, h, w, channels]`);
    const image = Array.from(x.data, (v) => Math.round(255 * Math.min(1, Math.max(0, v))));
    return { index, layer: layer.name, shape: out.shape.slice(1), values: Array.from(out.data, (v) => +v.toPrecision(4)), image };
  }

  /** The first rank-4 kernel (a conv's [kh, kw, in, out]), for the filters tab. */
  private firstLayerFilters(): unknown {
    const kernel = this.model?.weights.find((w) => w.shape.length === 4);
    return kernel ? { shape: [...kernel.shape], values: Array.from(kernel.data) } : null;
  }
}
