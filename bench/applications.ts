/**
 * The Keras Applications architectures' predict speed beside torchvision's (random weights, the
 * same batch of random images, one process each, measured in the same run): images per second
 * and Convkit's time as a ratio of PyTorch's. `node build/bench/applications.js [--batch 4]
 * [--size 224] [--repeats 3]`; the PyTorch side needs /usr/bin/python3 with python3-torchvision.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getBackend } from '../src/backends/index.js';
import '../src/backends/native-loader.js';
import { kerasMobileNetV2, resnet50, vgg16, vgg19 } from '../src/models/zoo.js';
import { Random } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';

const option = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const batch = option('batch', 4);
const size = option('size', 224);
const repeats = option('repeats', 3);

const builders = {
  vgg16: () => vgg16({ inputShape: [size, size, 3] }),
  vgg19: () => vgg19({ inputShape: [size, size, 3] }),
  resnet50: () => resnet50({ inputShape: [size, size, 3] }),
  mobilenetV2: () => kerasMobileNetV2({ inputShape: [size, size, 3] }),
};

const rng = new Random(0);
const x = new Tensor(
  Float32Array.from({ length: batch * size * size * 3 }, () => rng.uniform()),
  [batch, size, size, 3],
);
const ours: Record<string, number> = {};
for (const [name, build] of Object.entries(builders)) {
  const model = build();
  await model.predict(x, { batchSize: batch }); // warm-up
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    await model.predict(x, { batchSize: batch });
    times.push((performance.now() - t) / 1000);
  }
  ours[name] = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const script = fileURLToPath(new URL('../../bench/peers/torchvision_applications.py', import.meta.url));
const peerRun = spawnSync(
  '/usr/bin/python3',
  [script, '--batch', String(batch), '--size', String(size), '--repeats', String(repeats), '--threads', String(availableParallelism())],
  { encoding: 'utf8', timeout: 900_000 },
);
const peer = peerRun.status === 0 ? (JSON.parse(peerRun.stdout) as { models: Record<string, { batch_s_median: number }> }).models : null;
if (!peer) console.log(`torchvision not measured: ${(peerRun.stderr || '').trim().split('\n').at(-1)}`);

console.log(
  `Keras Applications predict, batch ${batch} at ${size}×${size}×3 (backend ${getBackend().name}, load average ${loadavg()[0]!.toFixed(1)}; median of ${repeats})`,
);
console.log('model         convkit img/s   torchvision img/s   time ratio (convkit / torch)');
for (const name of Object.keys(builders)) {
  const t = peer?.[name]?.batch_s_median;
  console.log(
    `${name.padEnd(12)}  ${(batch / ours[name]!).toFixed(2).padStart(13)}   ${t ? (batch / t).toFixed(2).padStart(17) : '-'.padStart(17)}   ${t ? (ours[name]! / t).toFixed(2) : '-'}`,
  );
}
