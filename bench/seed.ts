/**
 * The seed recipe's speed on one backend, measured as the PyTorch peer measures it: steady-state
 * training samples/s on synthetic MNIST-shaped batches of 200 (after warm-up; each step gathers
 * a shuffled batch and runs in a buffer scope, as `fit` does), the 12,000-image
 * validation pass, the seconds per epoch they imply, inference images/s on 10,000 images at batch
 * 1000, and single-image latency. Values do not change speed, so no dataset is needed.
 */
import { setBackend } from '../src/backends/index.js';
import '../src/backends/native-loader.js'; // makes the native backend available (the Node entry does this)
import { noGrad } from '../src/autograd/tape.js';
import { seedCnn } from '../src/models/zoo.js';
import { Random, setSeed } from '../src/tensor/random.js';
import { median, syntheticImages, timeTrainingSteps } from './train-steps.js';
import { Tensor } from '../src/tensor/tensor.js';

export interface SeedFigures {
  backend: string;
  trainBatches: number;
  samplesPerS: number;
  batchMsMedian: number;
  valS: number;
  epochS: number;
  inferenceImagesPerS: number;
  latencyMsMedian: number;
}

const BATCH = 200;

/** Measures the seed recipe on `backend`; `trainBatches` timed steps after `warmup`. */
export function benchSeed(backend: 'ts' | 'native', { trainBatches = 60, warmup = 5, quick = false } = {}): SeedFigures {
  setBackend(backend);
  setSeed(0);
  const rng = new Random(0);
  const model = seedCnn();
  const { seconds: trainS, stepMs: times } = timeTrainingSteps(model, [28, 28, 1], BATCH, warmup, trainBatches, rng);
  const samplesPerS = (trainBatches * BATCH) / trainS;

  const valImages = syntheticImages(quick ? 2000 : 12000, [28, 28, 1], rng);
  const v0 = performance.now();
  noGrad(() => model.predict(valImages, { batchSize: BATCH }));
  const valS = ((performance.now() - v0) / 1000) * (12000 / valImages.shape[0]!);

  const testImages = syntheticImages(quick ? 2000 : 10000, [28, 28, 1], rng);
  model.predict(testImages.shape[0]! > 1000 ? new Tensor(testImages.data.subarray(0, 1000 * 784), [1000, 28, 28, 1]) : testImages, {
    batchSize: 1000,
  });
  const i0 = performance.now();
  model.predict(testImages, { batchSize: 1000 });
  const inferenceImagesPerS = testImages.shape[0]! / ((performance.now() - i0) / 1000);

  const one = new Tensor(testImages.data.subarray(0, 784), [1, 28, 28, 1]);
  for (let i = 0; i < 20; i++) model.predict(one, { batchSize: 1 });
  const lat: number[] = [];
  for (let i = 0; i < (quick ? 50 : 200); i++) {
    const s = performance.now();
    model.predict(one, { batchSize: 1 });
    lat.push(performance.now() - s);
  }
  return {
    backend,
    trainBatches,
    samplesPerS: Math.round(samplesPerS),
    batchMsMedian: Number(median(times).toFixed(2)),
    valS: Number(valS.toFixed(3)),
    epochS: Number((48000 / samplesPerS + valS).toFixed(2)),
    inferenceImagesPerS: Math.round(inferenceImagesPerS),
    latencyMsMedian: Number(median(lat).toFixed(4)),
  };
}
