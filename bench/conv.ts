/**
 * Time per call of the seed model's convolution and pooling kernels at batch 200 and of
 * ResNet-20's convolutions at batch 128, forward and both backward passes, on the native backend
 * (and, once each, the seed kernels on the ts backend for scale).
 *
 * Run on its own: `node build/bench/conv.js [--ts]` prints a table.
 */
import { pathToFileURL } from 'node:url';
import type { Conv2dGeometry, Kernels, Pool2dGeometry } from '../src/backends/kernels.js';
import { loadNativeBackend, nativeInfo } from '../src/backends/native-loader.js';
import { tsKernels } from '../src/backends/ts/index.js';
import { formatTable } from './table.js';

/** One measurement. */
export interface ConvRow {
  backend: 'native' | 'ts';
  kernel: string;
  shape: string;
  medianMs: number;
  /** Multiply-adds ×2 per second, for the convolutions; 0 for pooling. */
  gflops: number;
}

/** A k×k convolution, 'valid' (pad 0) or 'same' (pad (k−1)/2, k odd), with the given stride. */
export function conv(batch: number, h: number, cin: number, cout: number, k = 3, stride = 1, same = false): Conv2dGeometry {
  const pad = same ? (k - 1) >> 1 : 0;
  const out = Math.floor((h + 2 * pad - k) / stride) + 1;
  return {
    batch,
    inHeight: h,
    inWidth: h,
    inChannels: cin,
    outHeight: out,
    outWidth: out,
    outChannels: cout,
    kernelHeight: k,
    kernelWidth: k,
    strideHeight: stride,
    strideWidth: stride,
    dilationHeight: 1,
    dilationWidth: 1,
    padTop: pad,
    padLeft: pad,
  };
}

function pool(batch: number, h: number, c: number): Pool2dGeometry {
  const out = Math.floor(h / 2);
  return {
    batch,
    inHeight: h,
    inWidth: h,
    channels: c,
    outHeight: out,
    outWidth: out,
    poolHeight: 2,
    poolWidth: 2,
    strideHeight: 2,
    strideWidth: 2,
    padTop: 0,
    padLeft: 0,
  };
}

export function random(n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * 12.9898) * 0.5;
  return out;
}

/** Median milliseconds of `fn` after a warm-up of 2 runs and 300 ms (minRuns 1: one of each). */
export function time(fn: () => void, minRuns: number): number {
  const warm = performance.now();
  for (let i = 0; i < Math.min(minRuns, 2) || (minRuns > 1 && performance.now() - warm < 300); i++) fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || (times.length < 30 && performance.now() - start < 400)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** ResNet-20's convolutions at batch 128 (3×3 'same'; the stage changes stride 2; a 1×1 projection). */
const RESNET_LAYERS: [string, Conv2dGeometry][] = [
  ['resnet stem [128,32,32,3]*[3,3,3,16]', conv(128, 32, 3, 16, 3, 1, true)],
  ['resnet s1 [128,32,32,16]*[3,3,16,16]', conv(128, 32, 16, 16, 3, 1, true)],
  ['resnet s2a [128,32,32,16]*[3,3,16,32]/2', conv(128, 32, 16, 32, 3, 2, true)],
  ['resnet s2 [128,16,16,32]*[3,3,32,32]', conv(128, 16, 32, 32, 3, 1, true)],
  ['resnet s3 [128,8,8,64]*[3,3,64,64]', conv(128, 8, 64, 64, 3, 1, true)],
  ['resnet proj [128,32,32,16]*[1,1,16,32]/2', conv(128, 32, 16, 32, 1, 2)],
];

function measureAll(k: Kernels, backend: ConvRow['backend'], batch: number, minRuns: number, resnet: boolean): ConvRow[] {
  const rows: ConvRow[] = [];
  const layers: [string, Conv2dGeometry][] = [
    [`conv1 [${batch},28,28,1]*[3,3,1,32]`, conv(batch, 28, 1, 32)],
    [`conv2 [${batch},13,13,32]*[3,3,32,64]`, conv(batch, 13, 32, 64)],
    // conv2dMaxPool's backward runs conv2's gradients on per-thread chunks of the batch
    [`conv2 chunk [25,13,13,32]*[3,3,32,64]`, conv(25, 13, 32, 64)],
    ...(resnet ? RESNET_LAYERS : []),
  ];
  for (const [shape, g] of layers) {
    const x = random(g.batch * g.inHeight * g.inWidth * g.inChannels);
    const w = random(g.kernelHeight * g.kernelWidth * g.inChannels * g.outChannels);
    const bias = random(g.outChannels);
    const dy = random(g.batch * g.outHeight * g.outWidth * g.outChannels);
    const flops = 2 * g.batch * g.outHeight * g.outWidth * g.outChannels * g.kernelHeight * g.kernelWidth * g.inChannels;
    const add = (kernel: string, fn: () => void) => {
      const ms = time(fn, minRuns);
      rows.push({ backend, kernel, shape, medianMs: ms, gflops: flops / (ms * 1e6) });
    };
    add('conv2d (+bias, relu)', () => k.conv2d(x, w, bias, g, 'relu'));
    add('conv2dBackpropFilter', () => k.conv2dBackpropFilter(x, dy, g));
    add('conv2dBackpropInput', () => k.conv2dBackpropInput(dy, w, g));
  }
  for (const [shape, g] of [
    [`pool1 [${batch},26,26,32] 2x2`, pool(batch, 26, 32)],
    [`pool2 [${batch},11,11,64] 2x2`, pool(batch, 11, 64)],
  ] as const) {
    const x = random(g.batch * g.inHeight * g.inWidth * g.channels);
    const { argmax } = k.maxPool2d(x, g);
    const dy = random(argmax.length);
    rows.push({ backend, kernel: 'maxPool2d', shape, medianMs: time(() => k.maxPool2d(x, g), minRuns), gflops: 0 });
    rows.push({
      backend,
      kernel: 'maxPool2dBackward',
      shape,
      medianMs: time(() => k.maxPool2dBackward(dy, argmax, g), minRuns),
      gflops: 0,
    });
  }
  return rows;
}

/**
 * Times the seed model's conv and pool kernels at batch 200 (and ResNet-20's convolutions at 128
 * unless `resnet` is false) on the native backend, and the seed kernels on the ts backend too
 * when `ts` is set (one run each: it takes seconds).
 *
 * @example
 * const rows = await benchConv();
 * rows.filter((r) => r.kernel.startsWith('conv2d'));
 */
export async function benchConv(options: { batch?: number; ts?: boolean; resnet?: boolean } = {}): Promise<ConvRow[]> {
  const batch = options.batch ?? 200;
  const resnet = options.resnet ?? true;
  const rows: ConvRow[] = [];
  const loaded = loadNativeBackend();
  if ('backend' in loaded) {
    measureAll(loaded.backend.kernels, 'native', batch, 1, resnet); // warm-up: fault in every buffer size once
    rows.push(...measureAll(loaded.backend.kernels, 'native', batch, 5, resnet));
  }
  if (options.ts) rows.push(...measureAll(tsKernels, 'ts', batch, 1, false));
  return rows;
}

/** Prints rows as an aligned table. */
export function formatConvRows(rows: ConvRow[]): string {
  const header = ['backend', 'kernel', 'shape', 'median ms', 'GFLOPS'];
  const body = rows.map((r) => [r.backend, r.kernel, r.shape, r.medianMs.toFixed(3), r.gflops ? r.gflops.toFixed(1) : '-']);
  return formatTable(header, body, 3);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const info = nativeInfo();
  console.log(info ? `native: ${info.isa}, ${info.threads} threads` : 'native backend not available');
  console.log(formatConvRows(await benchConv({ ts: process.argv.includes('--ts') })));
}
