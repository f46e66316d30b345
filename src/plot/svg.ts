/**
 * Charts as SVG text, without a browser: training curves (one panel per quantity: loss,
 * accuracy-like metrics, learning rate; axes with round ticks, axis labels and a legend) and a
 * confusion matrix (counts, shaded cells, class labels). `render.ts` turns them into PNG.
 */

/** One named line: y values at x values. */
export interface Series {
  name: string;
  x: number[];
  y: number[];
}

/** One panel: its title, y-axis label and lines. */
export interface Panel {
  title: string;
  yLabel: string;
  series: Series[];
}

const COLOURS = ['#3d7be0', '#e0873d', '#1f9d55', '#c0392b', '#8e44ad', '#16a085'];
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Round tick values covering [lo, hi], about `count` of them. */
export function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const step = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= count) ?? step * 10;
  const out: number[] = [];
  for (let i = Math.ceil(lo / nice - 1e-9); i * nice <= hi + nice * 1e-9; i++) out.push(+(i * nice).toPrecision(12));
  return out;
}

const tickText = (t: number) =>
  t === 0
    ? '0'
    : Math.abs(t) >= 1000
      ? t.toFixed(0)
      : Math.abs(t) < 0.01
        ? t.toExponential(1).replace('.0e', 'e')
        : String(+t.toPrecision(3));

function panelSvg(panel: Panel, x0: number, width: number, height: number, xLabel: string): string {
  const pad = { left: 64, right: 16, top: 58, bottom: 52 };
  const points = panel.series
    .flatMap((s) => s.y.map((y, i) => [s.x[i]!, y] as const))
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const out: string[] = [
    `<text x="${x0 + width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold" ${FONT}>${escape(panel.title)}</text>`,
  ];
  if (points.length === 0) return out.join('');
  let [xlo, xhi] = [Math.min(...points.map((p) => p[0])), Math.max(...points.map((p) => p[0]))];
  let [ylo, yhi] = [Math.min(...points.map((p) => p[1])), Math.max(...points.map((p) => p[1]))];
  if (xhi === xlo) [xlo, xhi] = [xlo - 1, xhi + 1];
  if (yhi - ylo <= Math.abs(yhi) * 1e-9) [ylo, yhi] = [ylo - Math.abs(ylo) * 0.5 - 1e-9, yhi + Math.abs(yhi) * 0.5 + 1e-9];
  const margin = (yhi - ylo) * 0.05;
  [ylo, yhi] = [ylo - margin, yhi + margin];
  const sx = (x: number) => x0 + pad.left + ((x - xlo) / (xhi - xlo)) * (width - pad.left - pad.right);
  const sy = (y: number) => height - pad.bottom - ((y - ylo) / (yhi - ylo)) * (height - pad.top - pad.bottom);
  const left = x0 + pad.left;
  const right = x0 + width - pad.right;
  out.push(
    `<rect x="${left}" y="${pad.top}" width="${right - left}" height="${height - pad.top - pad.bottom}" fill="none" stroke="#9aa1ad"/>`,
  );
  for (const t of ticks(ylo, yhi, 5)) {
    out.push(`<line x1="${left}" x2="${right}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e3e6ec"/>`);
    out.push(`<text x="${left - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="12" fill="#333" ${FONT}>${tickText(t)}</text>`);
  }
  // Whole-number x values (epochs) get whole-number ticks only.
  const integral = points.every(([x]) => Number.isInteger(x));
  const xTicks = ticks(xlo, xhi, 8).filter((t) => !integral || Number.isInteger(t));
  for (const t of xTicks)
    out.push(
      `<text x="${sx(t)}" y="${height - pad.bottom + 18}" text-anchor="middle" font-size="12" fill="#333" ${FONT}>${tickText(t)}</text>`,
    );
  out.push(`<text x="${(left + right) / 2}" y="${height - 10}" text-anchor="middle" font-size="13" ${FONT}>${escape(xLabel)}</text>`);
  const cy = (pad.top + height - pad.bottom) / 2;
  out.push(
    `<text x="${x0 + 16}" y="${cy}" text-anchor="middle" font-size="13" transform="rotate(-90 ${x0 + 16} ${cy})" ${FONT}>${escape(panel.yLabel)}</text>`,
  );
  let legendX = left;
  panel.series.forEach((s, k) => {
    const colour = COLOURS[k % COLOURS.length]!;
    const path = s.y
      .map((y, i) => [s.x[i]!, y] as const)
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="2.2"/>`);
    if (s.x.length <= 60)
      for (let i = 0; i < s.x.length; i++)
        if (Number.isFinite(s.y[i])) out.push(`<circle cx="${sx(s.x[i]!)}" cy="${sy(s.y[i]!)}" r="3" fill="${colour}"/>`);
    out.push(`<rect x="${legendX}" y="36" width="14" height="4" fill="${colour}"/>`);
    out.push(`<text x="${legendX + 18}" y="42" font-size="12" ${FONT}>${escape(s.name)}</text>`);
    legendX += 36 + s.name.length * 7;
  });
  return out.join('');
}

/**
 * Panels side by side as one SVG document.
 *
 * @example
 * curvesSvg([{ title: 'Loss', yLabel: 'loss', series: [{ name: 'loss', x: [1, 2], y: [0.5, 0.3] }] }]);
 */
export function curvesSvg(panels: Panel[], options: { xLabel?: string; panelWidth?: number; height?: number } = {}): string {
  const width = options.panelWidth ?? 480;
  const height = options.height ?? 340;
  const body = panels.map((p, i) => panelSvg(p, i * width, width, height, options.xLabel ?? 'epoch')).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width * panels.length}" height="${height}" viewBox="0 0 ${width * panels.length} ${height}"><rect width="100%" height="100%" fill="#fff"/>${body}</svg>`;
}

/**
 * A confusion matrix (rows: true class, columns: predicted) with counts and shading.
 *
 * @example
 * confusionSvg([[5, 1], [0, 4]], ['cat', 'dog']);
 */
export function confusionSvg(
  matrix: number[][],
  classNames: string[] = matrix.map((_, i) => String(i)),
  title = 'Confusion matrix',
): string {
  const k = matrix.length;
  const cell = Math.max(28, Math.min(56, Math.floor(560 / k)));
  const labelWidth = Math.max(40, 8 * Math.max(...classNames.map((n) => n.length)) + 12);
  const left = labelWidth + 30;
  const top = 70;
  const size = left + k * cell + 20;
  const peak = Math.max(1, ...matrix.flat());
  const out: string[] = [
    `<text x="${size / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold" ${FONT}>${escape(title)}</text>`,
  ];
  out.push(`<text x="${left + (k * cell) / 2}" y="${top - 30}" text-anchor="middle" font-size="13" ${FONT}>predicted class</text>`);
  const cy = top + (k * cell) / 2;
  out.push(`<text x="16" y="${cy}" text-anchor="middle" font-size="13" transform="rotate(-90 16 ${cy})" ${FONT}>true class</text>`);
  classNames.forEach((name, i) => {
    out.push(`<text x="${left + i * cell + cell / 2}" y="${top - 8}" text-anchor="middle" font-size="12" ${FONT}>${escape(name)}</text>`);
    out.push(`<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" font-size="12" ${FONT}>${escape(name)}</text>`);
  });
  matrix.forEach((row, i) =>
    row.forEach((n, j) => {
      const a = Math.sqrt(n / peak);
      const fill = i === j ? `rgba(31,157,85,${a.toFixed(3)})` : `rgba(192,57,43,${a.toFixed(3)})`;
      out.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#e3e6ec"/>`);
      out.push(
        `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" font-size="${cell < 36 ? 10 : 12}" fill="${a > 0.6 ? '#fff' : '#222'}" ${FONT}>${n}</text>`,
      );
    }),
  );
  const height = top + k * cell + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${height}" viewBox="0 0 ${size} ${height}"><rect width="100%" height="100%" fill="#fff"/>${out.join('')}</svg>`;
}
