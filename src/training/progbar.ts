/**
 * The Keras progress bar as a callback:
 * `240/240 [==============================] - 9s 38ms/step - loss: 0.0421 - accuracy: 0.9871`.
 * On a terminal it redraws one line live, shortening the bar (down to none) and then the line
 * so that it fits the terminal's width; piped, it prints one line per epoch. verbose 2 prints
 * one short line per epoch without the bar. A training stopped mid-epoch shows the steps done.
 */
import { Callback, type Logs } from './callbacks.js';

/** Where the bar writes: a stream with an optional `isTTY`. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** The terminal's width in characters (a TTY stream has it). */
  columns?: number;
}

/**
 * stdout under Node; elsewhere (a browser) the console, one line per completed line (no live bar).
 */
function defaultStream(): ProgressStream {
  if (typeof process !== 'undefined' && process.stdout) return process.stdout;
  let pending = '';
  return {
    write(text: string) {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) console.log(line.replace(/^.*\r/, ''));
    },
  };
}

const WIDTH = 30;
const REDRAW_MS = 50;

/**
 * Keras's number format: 4 decimals, or scientific for tiny values with Python's two-digit
 * exponent.
 *
 * @example
 * formatValue(0.12345); // '0.1235'
 * formatValue(0.001);   // '1.0000e-03'
 */
export function formatValue(v: number): string {
  if (Math.abs(v) > 1e-3 || v === 0) return v.toFixed(4);
  return v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
}

function formatSeconds(s: number): string {
  if (s >= 3600)
    return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  if (s >= 60) return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  return `${Math.round(s)}s`;
}

function formatPerStep(seconds: number): string {
  if (seconds >= 1) return `${Math.round(seconds)}s/step`;
  if (seconds >= 1e-3) return `${Math.round(seconds * 1e3)}ms/step`;
  return `${Math.round(seconds * 1e6)}us/step`;
}

/** The bar for `current` of `total` steps, `width` characters inside the brackets: `[=====>........]`. */
export function renderBar(current: number, total: number, width = WIDTH): string {
  const filled = total > 0 ? Math.floor((width * current) / total) : width;
  const body = current >= total ? '='.repeat(width) : `${'='.repeat(Math.max(0, filled - 1))}>${'.'.repeat(width - Math.max(1, filled))}`;
  return `[${body}]`;
}

/** Narrowest bar worth drawing; below it the line goes without one. */
const MIN_WIDTH = 5;

/**
 * `head [bar] tail` in at most `columns − 1` characters (the last column would wrap): the bar
 * shrinks from 30 to 5, then goes; then, with `truncate`, the line is cut.
 *
 * @example
 * fitLine('12/240', 12, 240, ' - ETA: 9s - loss: 0.1234', 40); // '12/240 [>...] - ETA: 9s - loss: 0.1234'
 */
export function fitLine(head: string, current: number, total: number, tail: string, columns?: number, truncate = true): string {
  if (!columns || columns <= 0) return `${head} ${renderBar(current, total)}${tail}`;
  const room = columns - 1 - head.length - tail.length - 3; // the space and two brackets
  const line = room >= MIN_WIDTH ? `${head} ${renderBar(current, total, Math.min(WIDTH, room))}${tail}` : `${head}${tail}`;
  return truncate ? line.slice(0, columns - 1) : line;
}

function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .map(([k, v]) => ` - ${k}: ${formatValue(v)}`)
    .join('');
}

/**
 * Prints Keras-style progress; `fit` adds it when verbose > 0.
 *
 * @example
 * await model.fit(x, y, { verbose: 0, callbacks: [new ProgressBar(1, process.stderr)] });
 */
export class ProgressBar extends Callback {
  private epochStart = 0;
  private lastDraw = 0;
  private steps = 0;
  private seen = 0;
  private drewLive = false;

  constructor(
    private readonly verbose: 1 | 2 = 1,
    private readonly stream: ProgressStream = defaultStream(),
  ) {
    super();
  }

  override onEpochBegin(epoch: number): void {
    this.steps = this.params?.steps ?? 0;
    this.epochStart = performance.now();
    this.lastDraw = 0;
    this.seen = 0;
    this.drewLive = false;
    this.stream.write(`Epoch ${epoch + 1}/${this.params?.epochs ?? '?'}\n`);
  }

  override onTrainBatchEnd(batch: number, logs: Logs): void {
    const done = batch + 1;
    this.seen = done;
    if (this.verbose !== 1 || !this.stream.isTTY) return;
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS && done < this.steps) return;
    this.lastDraw = now;
    const elapsed = (now - this.epochStart) / 1000;
    const eta = (elapsed / done) * (this.steps - done);
    const head = `${String(done).padStart(String(this.steps).length)}/${this.steps}`;
    const line = fitLine(head, done, this.steps, ` - ETA: ${formatSeconds(eta)}${formatLogs(logs)}`, this.stream.columns);
    this.stream.write(`\r${line}\x1b[K`);
    this.drewLive = true;
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    const elapsed = (performance.now() - this.epochStart) / 1000;
    // Steps done: all of them, or fewer when a callback stopped training mid-epoch.
    const done = this.seen || this.steps;
    const head = `${done}/${this.steps}`;
    const tail = ` - ${formatSeconds(elapsed)} ${formatPerStep(elapsed / Math.max(1, done))}${formatLogs(logs)}`;
    const line =
      this.verbose === 2
        ? `${head} - ${formatSeconds(elapsed)}${formatLogs(logs)}`
        : fitLine(head, done, this.steps, tail, this.stream.isTTY ? this.stream.columns : undefined, false);
    this.stream.write(`${this.drewLive ? '\r' : ''}${line}${this.drewLive ? '\x1b[K' : ''}\n`);
  }
}
