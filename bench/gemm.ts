/**
 * GEMM throughput of the native and ts backends: square sizes 256³ to 2048³ and the GEMMs the
 * seed model runs at batch 200 (convolutions in their im2col view, dense layers forward and
 * backward). Each figure is the median of several timed runs after warm-up.
 *
 * Run on its own: `node build/bench/gemm.js` prints a table.
 */
import { pathToFileURL } from 'node:url';
import type { Kernels } from '../src/backends/kernels.js';
import { loadNativeBackend, nativeInfo, setNativeIsa } from '../src/backends/native-loader.js';
import { tsKernels } from '../src/backends/ts/index.js';
import { formatTable } from './table.js';

/** One measurement. */
export interface Row {
  backend: 'native' | 'ts';
  /** Native GEMM instruction set ('avx512', 'avx2', 'portable'), or 'js'. */
  isa: string;
  threads: number;
  shape: string;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  medianMs: number;
  gflops: number;
}

interface Shape {
  name: string;
  m: number;
  k: number;
  n: number;
  transA?: boolean;
  transB?: boolean;
  /** Small enough for the ts backend. */
  ts?: boolean;
}

const SHAPES: Shape[] = [
  { name: '256^3', m: 256, k: 256, n: 256, ts: true },
  { name: '512^3', m: 512, k: 512, n: 512 },
  { name: '1024^3', m: 1024, k: 1024, n: 1024 },
  { name: '2048^3', m: 2048, k: 2048, n: 2048 },
  { name: 'conv1 fwd (im2col) 135200x9x32', m: 200 * 26 * 26, k: 9, n: 32 },
  { name: 'conv2 fwd (im2col) 24200x288x64', m: 200 * 11 * 11, k: 288, n: 64 },
  { name: 'conv2 dW 288x24200x64 (A^T)', m: 288, k: 200 * 11 * 11, n: 64, transA: true },
  { name: 'conv2 dcol 24200x64x288 (B^T)', m: 200 * 11 * 11, k: 64, n: 288, transB: true },
  { name: 'dense1 fwd 200x1600x128', m: 200, k: 1600, n: 128, ts: true },
  { name: 'dense1 dX 200x128x1600 (B^T)', m: 200, k: 128, n: 1600, transB: true, ts: true },
  { name: 'dense1 dW 1600x200x128 (A^T)', m: 1600, k: 200, n: 128, transA: true, ts: true },
  { name: 'dense2 fwd 200x128x10', m: 200, k: 128, n: 10, ts: true },
];

function random(n: number): Float32Array {
  const out = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/**
 * Median milliseconds of `fn` after a warm-up of at least 3 runs and 300 ms (the first calls
 * of a size fault in fresh memory pages, which is slow in a VM), then at least 3 timed runs and
 * about 0.5 s.
 */
function time(fn: () => void): number {
  const warm = performance.now();
  for (let i = 0; i < 3 || performance.now() - warm < 300; i++) fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || (times.length < 25 && performance.now() - start < 500)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function measure(kernels: Kernels, backend: Row['backend'], isa: string, threads: number, s: Shape): Row {
  const a = random(s.m * s.k);
  const b = random(s.k * s.n);
  const transA = s.transA ?? false;
  const transB = s.transB ?? false;
  const ms = time(() => kernels.matmul(a, b, s.m, s.k, s.n, transA, transB, null, 'linear'));
  return {
    backend,
    isa,
    threads,
    shape: s.name,
    m: s.m,
    k: s.k,
    n: s.n,
    transA,
    transB,
    medianMs: ms,
    gflops: (2 * s.m * s.k * s.n) / (ms * 1e6),
  };
}

/**
 * Measures every shape on the native backend (with its best instruction set, and with AVX2 too
 * when the best is AVX-512) and the small ones on the ts backend.
 *
 * @example
 * const rows = await benchGemm();
 * rows.find((r) => r.backend === 'native' && r.shape === '2048^3')?.gflops;
 */
export async function benchGemm(options: { shapes?: string[]; ts?: boolean } = {}): Promise<Row[]> {
  const shapes = SHAPES.filter((s) => !options.shapes || options.shapes.includes(s.name));
  const rows: Row[] = [];
  const loaded = loadNativeBackend();
  if ('backend' in loaded) {
    const info = nativeInfo()!;
    const best = (['avx512', 'avx2', 'portable'] as const).find((i) => i === info.isa) ?? 'portable';
    const isas = best === 'avx512' ? (['avx512', 'avx2'] as const) : [best];
    for (const isa of isas) {
      setNativeIsa(isa);
      for (const s of shapes) {
        rows.push(measure(loaded.backend.kernels, 'native', isa, info.threads, s));
        await new Promise((r) => setImmediate(r)); // let a caller's timers and I/O run
      }
    }
    setNativeIsa('auto');
  }
  if (options.ts ?? true) for (const s of shapes.filter((x) => x.ts)) rows.push(measure(tsKernels, 'ts', 'js', 1, s));
  return rows;
}

/** Prints rows as an aligned table. */
export function formatRows(rows: Row[]): string {
  const header = ['backend', 'isa', 'thr', 'shape', 'median ms', 'GFLOPS'];
  const body = rows.map((r) => [r.backend, r.isa, String(r.threads), r.shape, r.medianMs.toFixed(3), r.gflops.toFixed(1)]);
  return formatTable(header, body, 4);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const info = nativeInfo();
  console.log(
    info ? `native: ${info.isa}, ${info.threads} threads, CPU features ${info.cpuFeatures.join(' ')}` : 'native backend not available',
  );
  console.log(formatRows(await benchGemm()));
}
