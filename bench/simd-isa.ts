/**
 * The memory-bound SIMD kernels per instruction set (native/src/simd/): batch-norm training
 * forward and backward (with the fused relu) on a ResNet-20 stage-1 activation [128,32,32,16],
 * max pooling forward and backward on the seed model's first convolution output [128,26,26,32]
 * (2×2), and column sums (a bias gradient) over [131072,16]: median ms per call under each ISA
 * this CPU has (CONVKIT_NATIVE_ISA=avx2 runs the same kernels as a CPU without AVX-512).
 *
 * Run: `node build/bench/simd-isa.js`
 */
import type { Kernels } from '../src/backends/kernels.js';
import { loadNativeBackend, setNativeIsa } from '../src/backends/native-loader.js';
import { random, time } from './conv.js';
import { formatTable } from './table.js';

function rows(k: Kernels): [string, number][] {
  const out: [string, number][] = [];
  const [n, C] = [128 * 32 * 32, 16];
  const x = random(n * C);
  const dy = random(n * C);
  const gamma = random(C);
  const beta = random(C);
  const t = k.batchNormTrain(x, gamma, beta, n, C, 1e-3, 'relu');
  out.push(['batchNormTrain relu [128,32,32,16]', time(() => k.batchNormTrain(x, gamma, beta, n, C, 1e-3, 'relu'), 10)]);
  out.push([
    'batchNormBackward relu [128,32,32,16]',
    time(() => k.batchNormBackward(dy, x, gamma, t.mean, t.variance, n, C, 1e-3, 'relu', t.y), 10),
  ]);
  const g = {
    batch: 128,
    inHeight: 26,
    inWidth: 26,
    channels: 32,
    outHeight: 13,
    outWidth: 13,
    poolHeight: 2,
    poolWidth: 2,
    strideHeight: 2,
    strideWidth: 2,
    padTop: 0,
    padLeft: 0,
  };
  const px = random(128 * 26 * 26 * 32);
  const p = k.maxPool2d(px, g);
  out.push(['maxPool2d 2x2 [128,26,26,32]', time(() => k.maxPool2d(px, g), 10)]);
  out.push(['maxPool2dBackward 2x2 [128,26,26,32]', time(() => k.maxPool2dBackward(p.y, p.argmax, g), 10)]);
  out.push(['column sums [131072,16] axis 0', time(() => k.reduce('sum', x, [n, C], [0]), 10)]);
  return out;
}

const loaded = loadNativeBackend();
if ('error' in loaded) {
  console.log(`native backend not available: ${loaded.error}`);
} else {
  const isas = (['avx512', 'avx2', 'portable'] as const).filter((isa) => setNativeIsa(isa));
  const table: string[][] = [];
  const byIsa = isas.map((isa) => {
    setNativeIsa(isa);
    return rows(loaded.backend.kernels);
  });
  setNativeIsa('auto');
  byIsa[0]!.forEach(([name], i) => table.push([name, ...byIsa.map((r) => r[i]![1].toFixed(3))]));
  console.log(formatTable(['kernel (median ms)', ...isas], table, 1));
}
