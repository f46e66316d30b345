/**
 * The sections of `npm run bench` about memory and small batches, each side by side with
 * PyTorch (bench/peers/pytorch_mobile.py) in the same run: (f) the seed model's latency at
 * batch 1 and 8; (g) peak RSS of MobileNetV2 predict on 1,000 CIFAR-shaped images at batch 100
 * and 200 and of ResNet-20 training steps at batch 128, each scenario in a process of its own
 * (batch 1000 is left out: it is the scenario, but the peer alone would pass 5 GB on a
 * shared machine; the per-100-images slope is printed instead); (h) MobileNetV2 training and
 * inference at batch 128; (i) the depthwise convolution kernels per instruction set.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchDepthwise, formatDepthwiseRows, type DepthwiseRow } from './depthwise.js';
import { benchLatency, type LatencyFigures } from './latency.js';
import { measureInChild, type MemoryFigures, type MemoryScenario } from './memory.js';
import { benchMobilenet, type MobilenetFigures } from './mobilenet.js';
import { formatTable } from './table.js';

interface PeerLatency {
  batch1: { median_ms: number };
  batch8: { median_ms: number };
}
interface PeerMemory {
  peak_rss_mb: number;
}
interface PeerMobilenet {
  train_samples_per_s: number;
  inference_images_per_s: number;
}

/** Runs one pytorch_mobile.py scenario; null (reason printed) when PyTorch is missing or fails. */
function peer<T>(args: string[], enabled: boolean): T | null {
  if (!enabled) return null;
  const script = fileURLToPath(new URL('../../bench/peers/pytorch_mobile.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, ...args], { encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) {
    console.log(
      `PyTorch peer pytorch_mobile.py ${args.join(' ')} not measured: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`,
    );
    return null;
  }
  return JSON.parse(r.stdout) as T;
}

const ratio = (a: number, b: number | undefined): string => (b ? (a / b).toFixed(2) : '-');

export interface MobileFigures {
  latency: LatencyFigures[];
  memory: (MemoryFigures | null)[];
  mobilenet: MobilenetFigures;
  depthwise: DepthwiseRow[];
  peer: { latency: PeerLatency | null; latency1: PeerLatency | null; memory: (PeerMemory | null)[]; mobilenet: PeerMobilenet | null };
}

/** Prints sections (f) to (i) and returns their figures. */
export function runMobileSections({ quick = false, withPeer = true } = {}): MobileFigures {
  console.log('\n(f) Seed model latency: predict on 1 and on 8 images, median over calls');
  const calls = quick ? 200 : 1000;
  const latency = benchLatency('native', calls);
  const peerLatency = peer<PeerLatency>(['latency', '--calls', String(calls)], withPeer);
  // PyTorch's OpenMP team waits for every thread: on a busy machine one descheduled thread can
  // cost it milliseconds a call, so its single-thread figure is shown too.
  const peerLatency1 = peer<PeerLatency>(['latency', '--calls', String(calls), '--threads', '1'], withPeer);
  const peerMs = (p: PeerLatency | null): (number | undefined)[] => [p?.batch1.median_ms, p?.batch8.median_ms];
  const [two, one] = [peerMs(peerLatency), peerMs(peerLatency1)];
  console.log(
    formatTable(
      ['batch', 'native ms', 'pytorch ms', 'pytorch 1-thread ms', 'native/pytorch', 'native/pytorch 1-thread'],
      latency.map((l, i) => [
        String(l.batch),
        l.medianMs.toFixed(4),
        two[i]?.toFixed(4) ?? '-',
        one[i]?.toFixed(4) ?? '-',
        ratio(l.medianMs, two[i]),
        ratio(l.medianMs, one[i]),
      ]),
      1,
    ),
  );
  console.log('floor: batch 1 native/pytorch <= 0.7 (goal 0.5)');

  console.log('\n(g) Peak RSS, each scenario in its own process (MB)');
  const scenarios: MemoryScenario[] = [
    { mode: 'predict', model: 'mobilenetV2', n: 1000, batch: 100 },
    { mode: 'predict', model: 'mobilenetV2', n: 1000, batch: 200 },
    { mode: 'train', model: 'resnet20', n: quick ? 2 : 3, batch: 128 },
  ];
  const memory = scenarios.map(measureInChild);
  const peerMemory = scenarios.map((s) =>
    peer<PeerMemory>(
      s.mode === 'predict'
        ? ['predict-memory', '--n', String(s.n), '--batch', String(s.batch)]
        : ['train-memory', '--model', s.model, '--batch', String(s.batch), '--steps', String(s.n)],
      withPeer,
    ),
  );
  console.log(
    formatTable(
      ['scenario', 'native MB', 'pytorch MB', 'native/pytorch'],
      scenarios.map((s, i) => [
        s.mode === 'predict' ? `${s.model} predict ${s.n} images, batch ${s.batch}` : `${s.model} ${s.n} training steps, batch ${s.batch}`,
        String(memory[i]?.peakRssMb ?? '-'),
        String(peerMemory[i]?.peak_rss_mb ?? '-'),
        ratio(memory[i]?.peakRssMb ?? 0, peerMemory[i]?.peak_rss_mb),
      ]),
      1,
    ),
  );
  const slope = (a: number | undefined, b: number | undefined): string => (a && b ? `${b - a} MB` : '-');
  console.log(
    `per 100 more images in a batch (batch 100 → 200): native ${slope(memory[0]?.peakRssMb, memory[1]?.peakRssMb)}, ` +
      `pytorch ${slope(peerMemory[0]?.peak_rss_mb, peerMemory[1]?.peak_rss_mb)}`,
  );

  console.log('\n(h) MobileNetV2 (CIFAR-shaped, batch 128)');
  const mobilenet = benchMobilenet('native', { steps: quick ? 2 : 5 });
  const peerMobile = peer<PeerMobilenet>(['mobilenet-speed', '--steps', quick ? '2' : '5'], withPeer);
  console.log(
    formatTable(
      ['', 'native', 'pytorch', 'native/pytorch'],
      [
        [
          'training samples/s',
          String(mobilenet.trainSamplesPerS),
          String(peerMobile?.train_samples_per_s ?? '-'),
          ratio(mobilenet.trainSamplesPerS, peerMobile?.train_samples_per_s),
        ],
        [
          'inference images/s',
          String(mobilenet.inferenceImagesPerS),
          String(peerMobile?.inference_images_per_s ?? '-'),
          ratio(mobilenet.inferenceImagesPerS, peerMobile?.inference_images_per_s),
        ],
      ],
      1,
    ),
  );
  console.log('floors: training >= 1.5x, inference >= 2x');

  console.log('\n(i) Depthwise convolution kernels per instruction set (portable: the loops before the vectorised kernels)');
  const depthwise = benchDepthwise(quick ? 2 : 5);
  console.log(formatDepthwiseRows(depthwise));
  return {
    latency,
    memory,
    mobilenet,
    depthwise,
    peer: { latency: peerLatency, latency1: peerLatency1, memory: peerMemory, mobilenet: peerMobile },
  };
}
