/**
 * The Keras progress bar as a callback:
 * `240/240 [==============================] - 9s 38ms/step - loss: 0.0421 - accuracy: 0.9871`.
 * On a terminal it redraws one line live; piped, it prints one line per epoch. verbose 2 prints
 * one short line per epoch without the bar.
 */
import { Callback, type Logs } from './callbacks.js';

/** Where the bar writes: a stream with an optional `isTTY`. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
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

/** The bar for `current` of `total` steps: `[=====>........]`. */
export function renderBar(current: number, total: number): string {
  const filled = total > 0 ? Math.floor((WIDTH * current) / total) : WIDTH;
  const body = current >= total ? '='.repeat(WIDTH) : `${'='.repeat(Math.max(0, filled - 1))}>${'.'.repeat(WIDTH - Math.max(1, filled))}`;
  return `[${body}]`;
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
  private drewLive = false;

  constructor(
    private readonly verbose: 1 | 2 = 1,
    private readonly stream: ProgressStream = process.stdout,
  ) {
    super();
  }

  override onEpochBegin(epoch: number): void {
    this.steps = this.params?.steps ?? 0;
    this.epochStart = performance.now();
    this.lastDraw = 0;
    this.drewLive = false;
    this.stream.write(`Epoch ${epoch + 1}/${this.params?.epochs ?? '?'}\n`);
  }

  override onTrainBatchEnd(batch: number, logs: Logs): void {
    if (this.verbose !== 1 || !this.stream.isTTY) return;
    const now = performance.now();
    const done = batch + 1;
    if (now - this.lastDraw < REDRAW_MS && done < this.steps) return;
    this.lastDraw = now;
    const elapsed = (now - this.epochStart) / 1000;
    const eta = (elapsed / done) * (this.steps - done);
    const width = String(this.steps).length;
    this.stream.write(
      `\r${String(done).padStart(width)}/${this.steps} ${renderBar(done, this.steps)} - ETA: ${formatSeconds(eta)}${formatLogs(logs)}\x1b[K`,
    );
    this.drewLive = true;
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    const elapsed = (performance.now() - this.epochStart) / 1000;
    const head = `${this.steps}/${this.steps}`;
    const line =
      this.verbose === 2
        ? `${head} - ${formatSeconds(elapsed)}${formatLogs(logs)}`
        : `${head} ${renderBar(this.steps, this.steps)} - ${formatSeconds(elapsed)} ${formatPerStep(elapsed / Math.max(1, this.steps))}${formatLogs(logs)}`;
    this.stream.write(`${this.drewLive ? '\r' : ''}${line}${this.drewLive ? '\x1b[K' : ''}\n`);
  }
}
