/**
 * MobileNetV2 (zoo.mobilenetV2, CIFAR-shaped 32×32×3, 10 classes) at batch 128 on one backend:
 * training samples/s (median step: shuffled gather, forward, loss, gradients, Adam, in a buffer
 * scope, as `fit` runs it) and inference images/s (`predict` on one batch, median), as
 * bench/peers/pytorch_mobile.py `mobilenet-speed` measures its PyTorch copy.
 *
 * Run on its own: `node build/bench/mobilenet.js [--steps 5]`.
 */
import { pathToFileURL } from 'node:url';
import { setBackend } from '../src/backends/index.js';
import '../src/backends/native-loader.js'; // makes the native backend available (the Node entry does this)
import { mobilenetV2 } from '../src/models/zoo.js';
import { Random, setSeed } from '../src/tensor/random.js';
import { median, syntheticImages, timeTrainingSteps } from './train-steps.js';

export interface MobilenetFigures {
  batch: number;
  trainSamplesPerS: number;
  trainStepMsMedian: number;
  inferenceImagesPerS: number;
}

/** Times `steps` training steps (after 2 warm-up steps) and `steps` inference batches. */
export function benchMobilenet(backend: 'native' | 'ts', { batch = 128, steps = 5 } = {}): MobilenetFigures {
  setBackend(backend);
  setSeed(0);
  const rng = new Random(0);
  const model = mobilenetV2({ inputShape: [32, 32, 3], classes: 10 });
  const { stepMs } = timeTrainingSteps(model, [32, 32, 3], batch, 2, steps, rng);
  const step = median(stepMs);
  const x = syntheticImages(batch, [32, 32, 3], rng);
  model.predict(x, { batchSize: batch });
  const inference: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    model.predict(x, { batchSize: batch });
    inference.push(performance.now() - t0);
  }
  return {
    batch,
    trainSamplesPerS: Math.round((batch * 1000) / step),
    trainStepMsMedian: Number(step.toFixed(1)),
    inferenceImagesPerS: Math.round((batch * 1000) / median(inference)),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--steps');
  console.log(JSON.stringify(benchMobilenet('native', { steps: i > 0 ? Number(process.argv[i + 1]) : 5 })));
}
