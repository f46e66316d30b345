/**
 * Depthwise convolution kernels per instruction set, side by side in one run: forward, input
 * gradient and filter gradient on MobileNetV2 blocks ([128,16,16,96] 3×3 stride 1, the issue's
 * baseline shape, and [128,32,32,144] stride 2), with the portable loops (the kernels before
 * the vectorised ones) as the reference row. Time per call (median) and the ratio to portable.
 *
 * Run on its own: `node build/bench/depthwise.js` prints a table.
 */
import { pathToFileURL } from 'node:url';
import type { Conv2dGeometry } from '../src/backends/kernels.js';
import { loadNativeBackend, setNativeIsa } from '../src/backends/native-loader.js';
import { conv, random, time } from './conv.js';
import { formatTable } from './table.js';

/** One measurement. */
export interface DepthwiseRow {
  isa: string;
  kernel: string;
  shape: string;
  medianMs: number;
  /** portable's time over this one. */
  speedup: number;
}

const SHAPES: [string, Conv2dGeometry][] = [
  ['[128,16,16,96] 3×3 s1', conv(128, 16, 96, 96, 3, 1, true)],
  ['[128,32,32,144] 3×3 s2', conv(128, 32, 144, 144, 3, 2, true)],
];

/** Times the three kernels on each shape under each instruction set the CPU has. */
export function benchDepthwise(minRuns = 5): DepthwiseRow[] {
  const r = loadNativeBackend();
  if (!('backend' in r)) return [];
  const k = r.backend.kernels;
  const rows: DepthwiseRow[] = [];
  for (const [shape, g] of SHAPES) {
    const x = random(g.batch * g.inHeight * g.inWidth * g.inChannels);
    const w = random(g.kernelHeight * g.kernelWidth * g.outChannels);
    const dy = random(g.batch * g.outHeight * g.outWidth * g.outChannels);
    const kernels: [string, () => void][] = [
      ['forward', () => k.depthwiseConv2d(x, w, null, g, 'linear')],
      ['input gradient', () => k.depthwiseConv2dBackpropInput(dy, w, g)],
      ['filter gradient', () => k.depthwiseConv2dBackpropFilter(x, dy, g)],
    ];
    for (const [kernel, fn] of kernels) {
      let portable = 0;
      for (const isa of ['portable', 'avx2', 'avx512'] as const) {
        if (!setNativeIsa(isa)) continue;
        const ms = time(fn, minRuns);
        if (isa === 'portable') portable = ms;
        rows.push({ isa, kernel, shape, medianMs: Number(ms.toFixed(3)), speedup: Number((portable / ms).toFixed(2)) });
      }
      setNativeIsa('auto');
    }
  }
  return rows;
}

/** The rows as a text table. */
export function formatDepthwiseRows(rows: readonly DepthwiseRow[]): string {
  return formatTable(
    ['shape', 'kernel', 'isa', 'ms', 'vs portable'],
    rows.map((r) => [r.shape, r.kernel, r.isa, r.medianMs.toFixed(3), `${r.speedup.toFixed(2)}x`]),
    3,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatDepthwiseRows(benchDepthwise()));
}
