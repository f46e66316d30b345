/**
 * `npm run bench`: GEMM GFLOPS, the seed recipe's training throughput, inference speed and
 * latency, for each backend, and the same figures for PyTorch (when `/usr/bin/python3` has torch)
 * measured in the same run, with the ratios. Options: --quick, --no-ts, --no-peer, --json FILE.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadNativeBackend } from '../src/backends/native.js';
import { benchGemm, type Row } from './gemm.js';
import { benchSeed, type SeedFigures } from './seed.js';

interface PeerFigures {
  info: Record<string, unknown>;
  gemm: { shape: string; gflops_median: number }[];
  train: { samples_per_s: number };
  epoch: { epoch_s: number };
  inference: { images_per_s_median: number; latency_ms_median: number };
}

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const jsonIndex = process.argv.indexOf('--json');

function runPeer(): PeerFigures | null {
  if (args.has('--no-peer')) return null;
  const script = fileURLToPath(new URL('../../bench/peers/pytorch_bench.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, ...(quick ? ['--quick'] : [])], { encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) {
    console.log(`PyTorch peer not measured: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`);
    console.log('  (install it with: apt-get install -y python3-torch libopenblas0-openmp)');
    return null;
  }
  return JSON.parse(r.stdout) as PeerFigures;
}

function table(rows: (string | number)[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  '));
}

const native = 'backend' in loadNativeBackend();
console.log(`Convkit benchmark${quick ? ' (quick)' : ''}: native backend ${native ? 'available' : 'NOT built'}`);
const peer = runPeer();

console.log('\n(a) GEMM GFLOPS');
const gemm: Row[] = await benchGemm({ ts: !args.has('--no-ts'), ...(quick ? { shapes: ['256^3', '1024^3'] } : {}) });
const shapes = [...new Set(gemm.map((r) => r.shape))];
table([
  ['shape', 'native', 'ts', 'pytorch', 'native/pytorch'],
  ...shapes.map((s) => {
    const n = gemm.find((r) => r.shape === s && r.backend === 'native')?.gflops;
    const t = gemm.find((r) => r.shape === s && r.backend === 'ts')?.gflops;
    const p = peer?.gemm.find(
      (g) => s.startsWith(g.shape.split(' ')[0]!) && (g.shape.includes('^3') || s.includes(g.shape.split(' ')[1] ?? '#')),
    )?.gflops_median;
    return [s, n ?? '-', t ?? '-', p ?? '-', n && p ? (n / p).toFixed(2) : '-'];
  }),
]);

console.log('\n(b, c) Seed recipe: training throughput (batch 200), inference (10,000 images, batch 1000), latency (1 image)');
const seeds: SeedFigures[] = [];
if (native) seeds.push(benchSeed('native', { quick, trainBatches: quick ? 20 : 60 }));
if (!args.has('--no-ts')) seeds.push(benchSeed('ts', { quick, trainBatches: quick ? 2 : 5, warmup: 1 }));
const rows: (string | number)[][] = [['backend', 'samples/s', 's/epoch', 'inference img/s', 'latency ms']];
for (const s of seeds) rows.push([s.backend, s.samplesPerS, s.epochS, s.inferenceImagesPerS, s.latencyMsMedian]);
if (peer)
  rows.push([
    'pytorch',
    peer.train.samples_per_s,
    peer.epoch.epoch_s,
    peer.inference.images_per_s_median,
    peer.inference.latency_ms_median,
  ]);
table(rows);
const nat = seeds.find((s) => s.backend === 'native');
if (nat && peer) {
  console.log(
    `\nnative vs pytorch: s/epoch ratio ${(nat.epochS / peer.epoch.epoch_s).toFixed(2)} (floor <= 0.5), ` +
      `inference ${(nat.inferenceImagesPerS / peer.inference.images_per_s_median).toFixed(2)}x (floor >= 2), ` +
      `latency ${(nat.latencyMsMedian / peer.inference.latency_ms_median).toFixed(2)}x (floor < 1)`,
  );
}
if (jsonIndex > 0) writeFileSync(process.argv[jsonIndex + 1]!, JSON.stringify({ gemm, seeds, peer }, null, 1));
