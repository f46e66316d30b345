/**
 * CSVLogger: one row per epoch (epoch, then the logs in order, then the epoch's wall-clock
 * seconds), written as each epoch ends so a crash keeps every finished epoch.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { Callback, type Logs } from './callbacks.js';

/**
 * Keras's CSVLogger plus a `seconds` column.
 *
 * @example
 * await model.fit(x, y, { epochs: 10, callbacks: [new CSVLogger('train.csv')] });
 * // epoch,loss,accuracy,val_loss,val_accuracy,seconds
 */
export class CSVLogger extends Callback {
  private columns: string[] | null = null;
  private epochStart = 0;

  constructor(
    readonly filename: string,
    readonly options: { separator?: string; append?: boolean } = {},
  ) {
    super();
  }

  override onTrainBegin(): void {
    this.columns = null;
    if (!this.options.append) writeFileSync(this.filename, '');
  }

  override onEpochBegin(): void {
    this.epochStart = performance.now();
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const sep = this.options.separator ?? ',';
    const seconds = (performance.now() - this.epochStart) / 1000;
    if (!this.columns) {
      this.columns = Object.keys(logs);
      appendFileSync(this.filename, ['epoch', ...this.columns, 'seconds'].join(sep) + '\n');
    }
    const row = [String(epoch), ...this.columns.map((k) => (logs[k] === undefined ? '' : String(logs[k]))), seconds.toFixed(3)];
    appendFileSync(this.filename, row.join(sep) + '\n');
  }
}
