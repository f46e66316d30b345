/**
 * Transfer learning end to end on CIFAR-10, from a real pretrained network (nsfwjs's MobileNetV2):
 * cut its head, freeze the base, train a new head, unfreeze the top blocks with a small learning
 * rate and fine-tune; against the same architecture trained from scratch on the same images for
 * the same wall time.
 *
 *   npm run build && node build/examples/transfer-learning.js            # 5,000 train, 10,000 test, 96×96
 *   node build/examples/transfer-learning.js --train 500 --test 500      # a quick look
 *
 * Images (32×32) are resized inside the models (a Resizing layer). The top blocks unfrozen for
 * fine-tuning are block_11 … block_16 and Conv_1: the ones nsfwjs itself retrained on its own
 * images (its model.json marks blocks 0–10 untrainable: those kept their ImageNet training). The
 * frozen part (up to block_10) runs once per image: its outputs are kept and the head and the
 * top blocks train on them, which is what freezing buys (batch norm of a frozen layer runs in
 * inference mode, as in Keras, so those outputs do not change).
 *
 * "Same wall time": the two arms run alternately in small units in one process (a transfer unit,
 * then scratch units until the scratch arm's clock catches up), so both see the same load; the
 * transfer arm's clock includes the pretrained model's loading and the frozen part's forward
 * passes. When the transfer arm is done the scratch arm trains until its clock reaches the
 * transfer arm's. Test evaluation is outside both clocks. `--scratch-units N` replays a run with
 * a fixed number of scratch units (the accuracy then no longer depends on the machine's load).
 * The scratch arm's batch norms use momentum 0.9 rather than Keras's 0.999, which after a few
 * hundred steps leaves the moving statistics near their initial values (a first run with 0.999
 * scored 10.00%, one class for every test image, at a training loss of 1.97).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  datasets,
  input,
  layers,
  model,
  oneHot,
  optimizers,
  Random,
  setSeed,
  zoo,
  type Functional,
  type Model,
  type Tensor,
} from '../src/index.js';
import { classifierHead, joinRows, pretrainedBase, rows, splitAt, withBatchNormMomentum } from './transfer-parts.js';

export interface TransferOptions {
  /** The first N training images (default 5,000). */
  trainCount?: number;
  /** The first N test images (default 10,000: all). */
  testCount?: number;
  /** Images are resized to size×size (default 96). */
  size?: number;
  /** The last frozen layer; the blocks above it are fine-tuned (default 'block_10_project_BN'). */
  cut?: string;
  /** Epochs of the new head on the frozen base (default 10). */
  headEpochs?: number;
  /** Epochs of the unfrozen top blocks and the head, learning rate 1e-4 (default 5). */
  fineTuneEpochs?: number;
  /** Batch size of every fit and predict (default 32). */
  batchSize?: number;
  /** Images per unit of the alternation (default 500). */
  unit?: number;
  /** A fixed number of scratch units instead of the wall-time budget. */
  scratchUnits?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface TransferResult {
  /** Test accuracy of the new head on the frozen base. */
  headAccuracy: number;
  /** Test accuracy after fine-tuning the top blocks. */
  transferAccuracy: number;
  /** Test accuracy of the same architecture trained from scratch. */
  scratchAccuracy: number;
  /** Each arm's clock (seconds of wall time spent on its units). */
  transferSeconds: number;
  scratchSeconds: number;
  /** Scratch units run, and the epochs they make. */
  scratchUnits: number;
  scratchEpochs: number;
  /** Seconds spent on test evaluation (outside both clocks). */
  evalSeconds: number;
  /** The transferred model as one model: 32×32×3 images in, 10 probabilities out. */
  transferred: Functional;
}

interface Unit {
  name: string;
  run: () => Promise<void>;
  /** Evaluation: outside the clocks. */
  untimed?: boolean;
}

const clock = () => performance.now() / 1000;
const compiled = <M extends Model>(m: M, learningRate = 1e-3): M => {
  m.compile({ optimizer: optimizers.adam({ learningRate }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
};

/** Runs both arms; returns their test accuracies and clocks. */
export async function transferLearning(options: TransferOptions = {}): Promise<TransferResult> {
  const { trainCount = 5000, testCount = 10000, size = 96, cut = 'block_10_project_BN', headEpochs = 10 } = options;
  const { fineTuneEpochs = 5, batchSize = 32, unit = 500, seed = 1, log = console.log } = options;
  setSeed(seed);
  const { train } = await datasets.cifar10.load({ limit: trainCount });
  const { test } = await datasets.cifar10.load({ limit: testCount });
  const yTrain = oneHot(train.labels, 10);
  const yTest = oneHot(test.labels, 10);
  const n = train.images.shape[0]!;
  const inOrder = Array.from({ length: n }, (_, i) => i);
  const resized = (inner: Model, name: string): Functional => {
    const x = input({ shape: [32, 32, 3] });
    return model({ inputs: x, outputs: inner.apply(layers.resizing({ height: size, width: size }).apply(x)), name });
  };
  const pooledBy = (m: Functional, head: Model): Functional => {
    const f = input({ shape: m.inputs[0]!.shape.slice(1) as number[] });
    return model({ inputs: f, outputs: head.apply(layers.globalAveragePooling2d().apply(m.apply(f))) });
  };

  // The transfer arm: a fixed list of units.
  const dir = mkdtempSync(join(tmpdir(), 'convkit-transfer-'));
  let base!: Functional, bottom!: Functional, top!: Functional, head!: Functional, topAndHead!: Functional;
  const parts: Tensor[] = [];
  let features!: Tensor,
    pooled!: Tensor,
    testFeatures: Tensor | null = null;
  const testAccuracy = async () => {
    testFeatures ??= resized(bottom, 'frozen_bottom').predict(test.images, { batchSize });
    return (await compiled(pooledBy(top, head)).evaluate(testFeatures, yTest, { batchSize }))[1]!;
  };
  let headAccuracy = NaN;
  let transferAccuracy = NaN;
  const units: Unit[] = [
    {
      name: 'load nsfwjs MobileNetV2, cut its head, rebuild the trunk at the new size',
      run: async () => {
        base = await pretrainedBase(size, join(dir, 'mobilenet_v2_nsfwjs_no_top.h5'));
        ({ bottom, top } = splitAt(base, cut));
        base.trainable = false; // freeze the base
        head = compiled(classifierHead(top.outputShape[3] as number, 10, seed));
      },
    },
  ];
  for (let s = 0; s < n; s += unit) {
    const e = Math.min(n, s + unit);
    units.push({
      name: `frozen base up to ${cut} on images ${s}–${e}`,
      run: async () => void parts.push(resized(bottom, 'frozen_bottom').predict(rows(train.images, inOrder, s, e), { batchSize })),
    });
  }
  units.push({
    name: 'frozen top blocks, pooled',
    run: async () => {
      features = joinRows(parts);
      const f = input({ shape: top.inputs[0]!.shape.slice(1) as number[] });
      pooled = model({ inputs: f, outputs: layers.globalAveragePooling2d().apply(top.apply(f)) }).predict(features, { batchSize });
    },
  });
  for (let e = 1; e <= headEpochs; e++)
    units.push({
      name: `new head, epoch ${e}/${headEpochs}`,
      run: async () => void (await head.fit(pooled, yTrain, { epochs: 1, batchSize, verbose: 0 })),
    });
  units.push({ name: 'test accuracy, new head', untimed: true, run: async () => void (headAccuracy = await testAccuracy()) });
  for (let e = 1; e <= fineTuneEpochs; e++)
    units.push({
      name: `fine-tune the top blocks, epoch ${e}/${fineTuneEpochs}`,
      run: async () => {
        if (e === 1) {
          // Unfreeze the top blocks' convolutions, small learning rate; their batch norms stay frozen
          // (inference mode), as Keras's fine-tuning guide advises.
          for (const layer of top.layers) layer.trainable = layer.className === 'Conv2D' || layer.className === 'DepthwiseConv2D';
          topAndHead = compiled(pooledBy(top, head), 1e-4);
        }
        await topAndHead.fit(features, yTrain, { epochs: 1, batchSize, verbose: 0 });
      },
    });
  units.push({ name: 'test accuracy, fine-tuned', untimed: true, run: async () => void (transferAccuracy = await testAccuracy()) });

  // The scratch arm: the same architecture (MobileNetV2 1.0 trunk, the same head), random weights,
  // all trainable; batch-norm momentum 0.9 instead of Keras's 0.999 (see withBatchNormMomentum:
  // with 0.999 a few hundred steps leave the moving statistics near their initial values).
  const scratchBase = withBatchNormMomentum(zoo.mobilenetV2({ alpha: 1.0, includeTop: false, inputShape: [size, size, 3] }), 0.9);
  const scratch = compiled(resized(pooledBy(scratchBase, classifierHead(scratchBase.outputShape[3] as number, 10, seed + 1)), 'scratch'));
  const random = new Random(seed + 2);
  let order = inOrder;
  let scratchUnits = 0;
  let tTransfer = 0;
  let tScratch = 0;
  const scratchStep = async () => {
    const s = (scratchUnits * unit) % n;
    if (s === 0) order = shuffled(n, random);
    const e = Math.min(n, s + unit);
    const t1 = clock();
    const [x, y] = [rows(train.images, order, s, e), rows(yTrain, order, s, e)];
    const h = await scratch.fit(x, y, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
    tScratch += clock() - t1;
    scratchUnits++;
    const loss = h.history['loss']?.at(-1) ?? NaN;
    log(
      `scratch   ${tScratch.toFixed(1).padStart(7)} s  images ${s}–${e} (epoch ${Math.floor(((scratchUnits - 1) * unit) / n) + 1}), loss ${loss.toFixed(4)}`,
    );
  };
  // Alternate: after each transfer unit, scratch units until the scratch arm's clock catches up.
  // Replaying (`scratchUnits`), the transfer arm runs first, then that many scratch units: the
  // arms draw from separate generators (seeded dropout, own shuffles), so the order changes nothing.
  const fixed = options.scratchUnits;
  let evalSeconds = 0;
  for (const u of units) {
    const t0 = clock();
    await u.run();
    const dt = clock() - t0;
    if (u.untimed) evalSeconds += dt;
    else tTransfer += dt;
    log(`${u.untimed ? 'eval     ' : 'transfer '} ${(u.untimed ? dt : tTransfer).toFixed(1).padStart(7)} s  ${u.name}`);
    while (fixed === undefined && !u.untimed && tScratch < tTransfer) await scratchStep();
  }
  while (fixed === undefined ? tScratch < tTransfer : scratchUnits < fixed) await scratchStep();
  rmSync(dir, { recursive: true, force: true });

  const t0 = clock();
  const scratchAccuracy = (await scratch.evaluate(test.images, yTest, { batchSize }))[1]!;
  evalSeconds += clock() - t0;
  log(`eval      ${(clock() - t0).toFixed(1).padStart(7)} s  test accuracy, scratch`);
  const transferred = resized(pooledBy(base, head), 'transferred');
  return {
    headAccuracy,
    transferAccuracy,
    scratchAccuracy,
    transferSeconds: tTransfer,
    scratchSeconds: tScratch,
    scratchUnits,
    scratchEpochs: (scratchUnits * unit) / n,
    evalSeconds,
    transferred,
  };
}

/** A seeded permutation of 0…n-1 (Fisher–Yates). */
function shuffled(n: number, random: Random): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await transferLearning({
    trainCount: flag('train'),
    testCount: flag('test'),
    size: flag('size'),
    cut: process.argv.includes('--cut') ? process.argv[process.argv.indexOf('--cut') + 1] : undefined,
    headEpochs: flag('head-epochs'),
    fineTuneEpochs: flag('fine-tune-epochs'),
    scratchUnits: flag('scratch-units'),
  });
  const pct = (a: number) => `${(100 * a).toFixed(2)}%`;
  console.log(`\nTransferred (new head only): ${pct(r.headAccuracy)} test accuracy`);
  console.log(`Transferred (fine-tuned):    ${pct(r.transferAccuracy)} test accuracy, ${r.transferSeconds.toFixed(0)} s`);
  console.log(
    `From scratch:                ${pct(r.scratchAccuracy)} test accuracy, ${r.scratchSeconds.toFixed(0)} s (${r.scratchUnits} units, ${r.scratchEpochs.toFixed(1)} epochs)`,
  );
  console.log(
    `Difference: ${(100 * (r.transferAccuracy - r.scratchAccuracy)).toFixed(1)} points; test evaluation took ${r.evalSeconds.toFixed(0)} s`,
  );
}
