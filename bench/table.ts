/**
 * The benchmarks' text tables: a header, a rule of dashes, then the rows; the first columns
 * (names) left-aligned, the numeric ones after them right-aligned.
 *
 * @example
 * formatTable(['kernel', 'ms'], [['conv2d', '1.234']], 1);
 */
export function formatTable(header: string[], body: string[][], textColumns: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= textColumns ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
