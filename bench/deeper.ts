/**
 * Time per call of the kernels deeper architectures add, on the native backend (and once each on
 * ts for scale): batch normalisation (training forward, backward, inference) and the fused relu
 * gradient on a ResNet-20 stage-1 activation [128,32,32,16]; depthwise convolution and its
 * gradients on a MobileNetV2 block [128,16,16,96]; pad, slice and concat on ResNet-sized
 * tensors; erf on 1M values; a dropout mask the size of the regularised seed model's first. Bandwidth is the bytes each call must read and write, over its time.
 *
 * Run on its own: `node build/bench/deeper.js [--ts]` prints a table.
 */
import { pathToFileURL } from 'node:url';
import type { Kernels } from '../src/backends/kernels.js';
import { loadNativeBackend, nativeInfo } from '../src/backends/native-loader.js';
import { tsKernels } from '../src/backends/ts/index.js';
import { conv, random, time } from './conv.js';
import { formatTable } from './table.js';

/** One measurement. */
export interface DeeperRow {
  backend: 'native' | 'ts';
  kernel: string;
  shape: string;
  medianMs: number;
  /** Bytes read and written per call, per second (GB/s); 0 where not meaningful. */
  gbPerS: number;
}

function measure(k: Kernels, backend: DeeperRow['backend'], minRuns: number): DeeperRow[] {
  const rows: DeeperRow[] = [];
  const add = (kernel: string, shape: string, floats: number, fn: () => void): void => {
    const ms = time(fn, minRuns);
    rows.push({ backend, kernel, shape, medianMs: ms, gbPerS: floats ? (floats * 4) / (ms * 1e6) : 0 });
  };
  const [rows1, C] = [128 * 32 * 32, 16];
  const n = rows1 * C;
  const x = random(n);
  const dy = random(n);
  const gamma = random(C);
  const beta = random(C);
  const bn = '[128,32,32,16]';
  const stats = k.batchNormTrain(x, gamma, beta, rows1, C, 1e-3, 'linear');
  add('batchNormTrain', bn, 3 * n, () => k.batchNormTrain(x, gamma, beta, rows1, C, 1e-3, 'linear'));
  add('batchNormTrain+relu', bn, 3 * n, () => k.batchNormTrain(x, gamma, beta, rows1, C, 1e-3, 'relu'));
  add('batchNormBackward', bn, 5 * n, () => k.batchNormBackward(dy, x, gamma, stats.mean, stats.variance, rows1, C, 1e-3, 'linear', null));
  add('batchNormBackward+relu', bn, 6 * n, () =>
    k.batchNormBackward(dy, x, gamma, stats.mean, stats.variance, rows1, C, 1e-3, 'relu', stats.y),
  );
  add('batchNormInference', bn, 2 * n, () => k.batchNormInference(x, gamma, beta, rows1, C, 'linear'));
  add('reluBackward', bn, 3 * n, () => k.reluBackward(dy, x));

  const g = { ...conv(128, 16, 96, 96, 3, 1, true) };
  const xd = random(128 * 16 * 16 * 96);
  const wd = random(3 * 3 * 96);
  const dyd = random(xd.length);
  const dw = '[128,16,16,96]*[3,3,96,1]';
  add('depthwiseConv2d', dw, 2 * xd.length, () => k.depthwiseConv2d(xd, wd, null, g, 'linear'));
  add('depthwiseConv2dBackpropInput', dw, 2 * xd.length, () => k.depthwiseConv2dBackpropInput(dyd, wd, g));
  add('depthwiseConv2dBackpropFilter', dw, 2 * xd.length, () => k.depthwiseConv2dBackpropFilter(xd, dyd, g));

  const shape = [128, 32, 32, 16];
  const padded = k.pad(x, shape, [0, 1, 1, 0], [0, 1, 1, 0]);
  add('pad', `${bn} +1 on H, W`, n + padded.length, () => k.pad(x, shape, [0, 1, 1, 0], [0, 1, 1, 0]));
  add('slice', `[128,34,34,16] → ${bn}`, 2 * n, () => k.slice(padded, [128, 34, 34, 16], [0, 1, 1, 0], shape));
  const half = x.subarray(0, n / 2);
  const parts = [
    [128, 16, 16, 32],
    [128, 16, 16, 32],
  ];
  add('concat', '2×[128,16,16,32] on channels', 2 * n, () => k.concat([half, half.slice()], parts, 3));
  const e = random(1 << 20);
  add('unary erf', '[1048576]', 2 * e.length, () => k.unary('erf', e));
  const mask = new Float32Array(128 * 13 * 13 * 32);
  const state = Int32Array.of(1, 2, 3, 4);
  add('dropoutMask', '[128,13,13,32] rate 0.25', mask.length, () => k.dropoutMask(mask, state, 0.25, 4 / 3));
  return rows;
}

/**
 * Times the deeper kernels on the native backend (and on ts, one run each, when `ts` is set).
 *
 * @example
 * const rows = benchDeeper();
 * rows.find((r) => r.kernel === 'batchNormTrain')?.medianMs;
 */
export function benchDeeper(options: { ts?: boolean } = {}): DeeperRow[] {
  const rows: DeeperRow[] = [];
  const loaded = loadNativeBackend();
  if ('backend' in loaded) {
    measure(loaded.backend.kernels, 'native', 1);
    rows.push(...measure(loaded.backend.kernels, 'native', 5));
  }
  if (options.ts) rows.push(...measure(tsKernels, 'ts', 1));
  return rows;
}

/** Prints rows as an aligned table. */
export function formatDeeperRows(rows: DeeperRow[]): string {
  const header = ['backend', 'kernel', 'shape', 'median ms', 'GB/s'];
  const body = rows.map((r) => [r.backend, r.kernel, r.shape, r.medianMs.toFixed(3), r.gbPerS ? r.gbPerS.toFixed(1) : '-']);
  return formatTable(header, body, 3);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const info = nativeInfo();
  console.log(info ? `native: ${info.isa}, ${info.threads} threads` : 'native backend not available');
  console.log(formatDeeperRows(benchDeeper({ ts: process.argv.includes('--ts') })));
}
