/**
 * What the training benchmarks share: synthetic data (speed does not depend on the values) and
 * timing of training steps run as `fit` runs them (a shuffled gather from a pool of four batches,
 * then fit's own step: forward, loss, gradients and an Adam update in a buffer scope, with the
 * release of what the backward pass does not read; src/training/fit-step.ts).
 */
import { gradients } from '../src/autograd/gradients.js';
import { categoricalCrossentropy } from '../src/losses/index.js';
import type { Model } from '../src/models/model.js';
import * as ops from '../src/ops/index.js';
import { Adam } from '../src/optimizers/adam.js';
import { withBufferScope } from '../src/tensor/buffer-pool.js';
import type { Random } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { takeRows } from '../src/training/batches.js';
import { trainStep } from '../src/training/fit-step.js';
import type { Compiled } from '../src/training/types.js';

/** Median of a list of numbers. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** n uniform random images of `shape` (one sample). */
export function syntheticImages(n: number, shape: readonly number[], rng: Random): Tensor {
  const data = new Float32Array(n * shape.reduce((a, d) => a * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform();
  return new Tensor(data, [n, ...shape]);
}

/** n random one-hot rows of `classes` columns. */
export function syntheticOneHot(n: number, classes: number, rng: Random): Tensor {
  const y = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) y[i * classes + rng.int(classes)] = 1;
  return new Tensor(y, [n, classes]);
}

/**
 * A training step that keeps every intermediate until it ends (fit's step before the release of
 * what the backward pass does not read): `--keep-all` in bench/memory.ts, for the comparison.
 */
function keepAllStep(model: Model, compiled: Compiled, batch: () => readonly [readonly Tensor[], Tensor]): void {
  withBufferScope(() => {
    const [[xb], yb] = batch();
    const weights = model.trainableWeights;
    const loss = ops.mean(compiled.loss.fn(yb, model.apply(xb!, { training: true })));
    loss.item();
    const grads = gradients(loss, weights);
    compiled.optimizer.applyGradients(weights.map((w, j) => [w, grads[j]!] as const));
  });
}

/**
 * Runs `warmup` untimed then `steps` timed training steps of `model` on batches of `batch`
 * samples of `sampleShape`; returns the total seconds and the per-step milliseconds. With
 * `keepAll`, each step keeps every intermediate until it ends (no release), as fit did before.
 *
 * @example
 * const { seconds, stepMs } = timeTrainingSteps(seedCnn(), [28, 28, 1], 200, 5, 60, new Random(0));
 */
export function timeTrainingSteps(
  model: Model,
  sampleShape: readonly number[],
  batch: number,
  warmup: number,
  steps: number,
  rng: Random,
  { keepAll = false } = {},
): { seconds: number; stepMs: number[] } {
  const compiled: Compiled = {
    optimizer: new Adam(),
    loss: { name: 'categorical_crossentropy', fn: categoricalCrossentropy },
    metrics: [],
  };
  const x = syntheticImages(batch * 4, sampleShape, rng);
  const y = syntheticOneHot(batch * 4, 10, rng);
  const order = rng.permutation(batch * 4);
  const step = (i: number): void => {
    const start = (i % 4) * batch;
    const take = () => [[takeRows(x, order, start, start + batch)], takeRows(y, order, start, start + batch)] as const;
    if (keepAll) keepAllStep(model, compiled, take);
    else trainStep(model, compiled, take);
  };
  for (let i = 0; i < warmup; i++) step(i);
  const stepMs: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const s = performance.now();
    step(i);
    stepMs.push(performance.now() - s);
  }
  return { seconds: (performance.now() - t0) / 1000, stepMs };
}
