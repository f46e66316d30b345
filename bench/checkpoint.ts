/**
 * What a BackupAndRestore backup costs next to the seed model's training epoch: one real MNIST
 * epoch (48,000 images, batch 200, as `convkit train`; --limit N for a shorter one) timed with backups every 40 batches and
 * without, in one process, plus the median time of a backup alone. The floor: a backup costs at
 * most 5% of an epoch. `node build/bench/checkpoint.js [--limit N]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getBackend } from '../src/backends/index.js';
import '../src/backends/native-loader.js';
import { datasets } from '../src/data/index.js';
import { oneHot } from '../src/data/one-hot.js';
import { seedCnn } from '../src/models/zoo.js';
import { setSeed } from '../src/tensor/random.js';
import { BackupAndRestore } from '../src/training/backup-and-restore.js';
import { Callback } from '../src/training/callbacks.js';

const limitAt = process.argv.indexOf('--limit');
const limit = limitAt > 0 ? Number(process.argv[limitAt + 1]) : undefined;
const dir = mkdtempSync(join(tmpdir(), 'convkit-bench-ckpt-'));

/** Times each backup the callback writes. */
class TimedBackup extends BackupAndRestore {
  readonly times: number[] = [];
  override save(...args: Parameters<BackupAndRestore['save']>): void {
    const t = performance.now();
    super.save(...args);
    this.times.push(performance.now() - t);
  }
}

async function epoch(callbacks: Callback[]): Promise<number> {
  setSeed(1);
  const { train } = await datasets.mnist.load(limit ? { limit } : {});
  const model = seedCnn();
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const t = performance.now();
  await model.fit(train.images, oneHot(train.labels, 10), { epochs: 1, batchSize: 200, validationSplit: 0.2, verbose: 0, callbacks });
  return (performance.now() - t) / 1000;
}

const every = limit ? 10 : 40;
const backup = new TimedBackup({ backupDir: join(dir, 'b'), saveFreq: every });
const plain = await epoch([]);
const withBackups = await epoch([backup]);
const times = [...backup.times].sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
console.log(
  `Checkpoint cost (seed CNN, MNIST, backend ${getBackend().name}, load average ${loadavg()[0]!.toFixed(2)} on a shared machine)`,
);
console.log(
  `  epoch without backups ${plain.toFixed(2)} s; with a backup every ${every} batches (${times.length}) ${withBackups.toFixed(2)} s`,
);
console.log(`  one backup: median ${median.toFixed(1)} ms = ${((median / 1000 / plain) * 100).toFixed(3)}% of an epoch (floor <= 5%)`);
rmSync(dir, { recursive: true, force: true });
