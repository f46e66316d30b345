/**
 * Training logs into chart panels: `loss`/`val_loss` in one, each metric with its `val_` twin in
 * another, `learning_rate` in its own; and a CSVLogger file (epoch, logs..., seconds) parsed into
 * those logs, with errors that name the file and line.
 */
import type { Panel } from './svg.js';

/**
 * Panels for per-epoch logs (`history.history` or a parsed CSV); `x` are 1-based epoch numbers.
 *
 * @example
 * historyPanels({ loss: [0.5, 0.3], val_loss: [0.6, 0.4] }, [1, 2]);   // one "Loss" panel, two lines
 */
export function historyPanels(logs: Record<string, number[]>, x: number[]): Panel[] {
  const keys = Object.keys(logs).filter((k) => k !== 'epoch' && k !== 'seconds');
  const bases = [...new Set(keys.map((k) => k.replace(/^val_/, '')))];
  const order = (b: string) => (b === 'loss' ? 0 : b === 'learning_rate' ? 2 : 1);
  return bases
    .sort((a, b) => order(a) - order(b))
    .map((base) => ({
      title:
        base === 'loss' ? 'Loss' : base === 'learning_rate' ? 'Learning rate' : base[0]!.toUpperCase() + base.slice(1).replace(/_/g, ' '),
      yLabel: base.replace(/_/g, ' '),
      series: [base, `val_${base}`].filter((k) => logs[k]).map((k) => ({ name: k, x, y: logs[k]! })),
    }));
}

/**
 * Parses a CSVLogger file's text: columns by header, one number per cell (empty cells are NaN).
 *
 * @example
 * parseLogCsv('epoch,loss\n0,0.5\n1,0.3\n', 'log.csv');   // { epoch: [0, 1], loss: [0.5, 0.3] }
 */
export function parseLogCsv(text: string, file: string): Record<string, number[]> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new Error(`${file}: expected a header and at least one row, received ${lines.length} line(s)`);
  const separator = lines[0]!.includes(';') && !lines[0]!.includes(',') ? ';' : ',';
  const header = lines[0]!.split(separator).map((h) => h.trim());
  if (!header.includes('epoch'))
    throw new Error(`${file}:1: expected an 'epoch' column (a CSVLogger file), received columns ${header.join(', ')}`);
  const columns: Record<string, number[]> = Object.fromEntries(header.map((h) => [h, []]));
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(separator);
    if (cells.length !== header.length) throw new Error(`${file}:${i + 2}: expected ${header.length} values, received ${cells.length}`);
    cells.forEach((cell, j) => {
      const value = cell.trim() === '' ? NaN : Number(cell);
      if (cell.trim() !== '' && !Number.isFinite(value) && !/^-?(inf|infinity|nan)$/i.test(cell.trim())) {
        throw new Error(`${file}:${i + 2}: column '${header[j]}': expected a number, received '${cell}'`);
      }
      columns[header[j]!]!.push(value);
    });
  });
  return columns;
}
