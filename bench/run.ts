/**
 * `npm run bench`: GEMM GFLOPS; the seed model's and ResNet-20's convolution kernels; the deeper
 * kernels (batch norm, depthwise, pad/slice/concat, relu gradient, erf); the seed recipe's
 * training throughput, inference speed and latency; ResNet-20 training throughput; small-batch
 * latency, peak RSS, MobileNetV2 and the depthwise kernels per ISA (mobile-sections.ts); and the same
 * figures for PyTorch (when `/usr/bin/python3` has torch) measured in the same run, with glibc's
 * allocator tuned (the peer scripts' default) and as users run it (--plain-malloc), and the
 * ratios against both; ResNet-50 save/load per file format (bench/io.ts); PyTorch's resnet18 and
 * mobilenet_v2 imported from ONNX, against ONNX Runtime (bench/onnx.ts). Options: --quick, --no-ts,
 * --no-peer, --no-plain, --no-io, --no-onnx, --no-checkpoint, --no-applications,
 * --json FILE; then what a training backup costs (bench/checkpoint.ts) and the Keras Applications
 * next to torchvision (bench/applications.ts).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadNativeBackend } from '../src/backends/native-loader.js';
import { benchConv, formatConvRows } from './conv.js';
import { benchDeeper, formatDeeperRows } from './deeper.js';
import { benchGemm, type Row } from './gemm.js';
import { benchOnnx, formatOnnxRows, type OnnxBenchRow } from './onnx.js';
import { runMobileSections } from './mobile-sections.js';
import { benchResnet, type ResnetFigures } from './resnet.js';
import { benchSeed, type SeedFigures } from './seed.js';

interface SeedPeer {
  info: Record<string, unknown>;
  gemm: { shape: string; gflops_median: number }[];
  train: { samples_per_s: number };
  epoch: { epoch_s: number };
  inference: { images_per_s_median: number; latency_ms_median: number };
}

interface ResnetPeer {
  train: { samples_per_s: number; batch_ms_median: number };
}

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const jsonIndex = process.argv.indexOf('--json');

/** Runs a peer script; null (with the reason printed) if PyTorch is not there or it fails. */
function runPeer<T>(script: string, extra: string[]): T | null {
  if (args.has('--no-peer')) return null;
  const path = fileURLToPath(new URL(`../../bench/peers/${script}`, import.meta.url));
  const r = spawnSync('/usr/bin/python3', [path, ...extra], { encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) {
    console.log(
      `PyTorch peer ${script} ${extra.join(' ')} not measured: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`,
    );
    console.log('  (install it with: apt-get install -y python3-torch libopenblas0-openmp)');
    return null;
  }
  return JSON.parse(r.stdout) as T;
}

function table(rows: (string | number)[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  '));
}

const ratio = (a: number, b: number | undefined): string => (b ? (a / b).toFixed(2) : '-');

const native = 'backend' in loadNativeBackend();
console.log(`Convkit benchmark${quick ? ' (quick)' : ''}: native backend ${native ? 'available' : 'NOT built'}`);
const plain = !args.has('--no-plain');
const seedPeer = runPeer<SeedPeer>('pytorch_bench.py', quick ? ['--quick'] : []);
const seedPeerPlain = plain ? runPeer<SeedPeer>('pytorch_bench.py', [...(quick ? ['--quick'] : []), '--plain-malloc']) : null;
const resnetSteps = quick ? '5' : '20';
const resnetPeer = runPeer<ResnetPeer>('pytorch_resnet20.py', ['--train-batches', resnetSteps]);
const resnetPeerPlain = plain ? runPeer<ResnetPeer>('pytorch_resnet20.py', ['--train-batches', resnetSteps, '--plain-malloc']) : null;

console.log('\n(a) GEMM GFLOPS');
const gemm: Row[] = await benchGemm({ ts: !args.has('--no-ts'), ...(quick ? { shapes: ['256^3', '1024^3'] } : {}) });
const shapes = [...new Set(gemm.map((r) => r.shape))];
table([
  ['shape', 'native', 'ts', 'pytorch', 'native/pytorch'],
  ...shapes.map((s) => {
    const n = gemm.find((r) => r.shape === s && r.backend === 'native')?.gflops;
    const t = gemm.find((r) => r.shape === s && r.backend === 'ts')?.gflops;
    const p = seedPeer?.gemm.find(
      (g) => s.startsWith(g.shape.split(' ')[0]!) && (g.shape.includes('^3') || s.includes(g.shape.split(' ')[1] ?? '#')),
    )?.gflops_median;
    const fixed = (v: number | undefined, digits: number): string => (v === undefined ? '-' : v.toFixed(digits));
    return [s, fixed(n, 1), fixed(t, 2), fixed(p, 1), n && p ? (n / p).toFixed(2) : '-'];
  }),
]);

const convRows = native ? await benchConv({ resnet: true }) : [];
if (native) {
  console.log('\n(b) Convolution and pooling kernels: the seed model at batch 200, ResNet-20 at 128');
  console.log(formatConvRows(convRows));
}
const deeperRows = native ? benchDeeper() : [];
if (native) {
  console.log('\n(c) Kernels of deeper architectures');
  console.log(formatDeeperRows(deeperRows));
}

console.log('\n(d) Seed recipe: training throughput (batch 200), inference (10,000 images, batch 1000), latency (1 image)');
const seeds: SeedFigures[] = [];
if (native) seeds.push(benchSeed('native', { quick, trainBatches: quick ? 20 : 60 }));
if (!args.has('--no-ts')) seeds.push(benchSeed('ts', { quick, trainBatches: quick ? 2 : 5, warmup: 1 }));
const rows: (string | number)[][] = [['backend', 'samples/s', 's/epoch', 'inference img/s', 'latency ms']];
for (const s of seeds) rows.push([s.backend, s.samplesPerS, s.epochS, s.inferenceImagesPerS, s.latencyMsMedian]);
for (const [name, p] of [
  ['pytorch', seedPeer],
  ['pytorch (plain malloc)', seedPeerPlain],
] as const)
  if (p) rows.push([name, p.train.samples_per_s, p.epoch.epoch_s, p.inference.images_per_s_median, p.inference.latency_ms_median]);
table(rows);
const nat = seeds.find((s) => s.backend === 'native');
for (const [name, p] of [
  ['pytorch', seedPeer],
  ['pytorch --plain-malloc', seedPeerPlain],
] as const) {
  if (!nat || !p) continue;
  console.log(
    `native vs ${name}: s/epoch ratio ${ratio(nat.epochS, p.epoch.epoch_s)} (floor <= 0.5), ` +
      `inference ${ratio(nat.inferenceImagesPerS, p.inference.images_per_s_median)}x (floor >= 2), ` +
      `latency ${ratio(nat.latencyMsMedian, p.inference.latency_ms_median)}x (floor < 1)`,
  );
}

console.log('\n(e) ResNet-20 training throughput (CIFAR-shaped, batch 128)');
const resnets: ResnetFigures[] = native ? [benchResnet('native', { steps: quick ? 5 : 15 })] : [];
const rrows: (string | number)[][] = [['backend', 'samples/s', 'step ms (median)']];
for (const r of resnets) rrows.push([r.backend, r.samplesPerS, r.stepMsMedian]);
if (resnetPeer) rrows.push(['pytorch', resnetPeer.train.samples_per_s, resnetPeer.train.batch_ms_median]);
if (resnetPeerPlain) rrows.push(['pytorch (plain malloc)', resnetPeerPlain.train.samples_per_s, resnetPeerPlain.train.batch_ms_median]);
table(rrows);
const rn = resnets[0];
if (rn && resnetPeer)
  console.log(
    `native vs pytorch: ${ratio(rn.samplesPerS, resnetPeer.train.samples_per_s)}x samples/s (floor >= 1.5)` +
      (resnetPeerPlain ? `; vs --plain-malloc ${ratio(rn.samplesPerS, resnetPeerPlain.train.samples_per_s)}x` : ''),
  );

const mobile = native ? runMobileSections({ quick, withPeer: !args.has('--no-peer') }) : null;

console.log('\n(j) Imported from ONNX (PyTorch exports, 224x224): Convkit against ONNX Runtime, same files and inputs');
let onnxRows: OnnxBenchRow[] = [];
if (!args.has('--no-onnx')) {
  try {
    onnxRows = await benchOnnx({ quick });
    console.log(formatOnnxRows(onnxRows));
  } catch (e) {
    console.log(`not measured: ${(e as Error).message.split('\n')[0]} (needs /usr/bin/python3 with python3-torch and python3-torchvision)`);
  }
}

if (jsonIndex > 0)
  writeFileSync(
    process.argv[jsonIndex + 1]!,
    JSON.stringify(
      {
        gemm,
        conv: convRows,
        deeper: deeperRows,
        seeds,
        resnets,
        onnx: onnxRows,
        mobile,
        peer: { seedPeer, seedPeerPlain, resnetPeer, resnetPeerPlain },
      },
      null,
      1,
    ),
  );

// Model files: ResNet-50 save and load per format (bench/io.ts; its own processes, ~1 minute).
if (!quick && !args.has('--no-io')) {
  console.log('');
  spawnSync(process.execPath, [fileURLToPath(new URL('./io.js', import.meta.url))], { stdio: 'inherit' });
}

// What a training backup costs next to a seed-model epoch (bench/checkpoint.ts; one real MNIST epoch twice).
if (!quick && !args.has('--no-checkpoint')) {
  console.log('');
  spawnSync(process.execPath, [fileURLToPath(new URL('./checkpoint.js', import.meta.url))], { stdio: 'inherit' });
}

// Keras Applications predict beside torchvision (bench/applications.ts; batch 4 at 224×224).
if (!quick && !args.has('--no-applications')) {
  console.log('');
  spawnSync(process.execPath, [fileURLToPath(new URL('./applications.js', import.meta.url))], { stdio: 'inherit' });
}
