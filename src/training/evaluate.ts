/**
 * Evaluation and prediction: batched forward passes without gradient recording, so memory
 * stays bounded by one batch. Used by `evaluate`, `predict` and fit's validation. Each is one
 * generator of batches, run straight through (predict) or with event-loop turns (the async ones).
 */
import { noGrad } from '../autograd/tape.js';
import * as ops from '../ops/index.js';
import type { FloatArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { withBufferScope } from '../tensor/buffer-pool.js';
import { sliceRows } from './batches.js';
import type { Logs } from './callbacks.js';
import { EventLoopTurns } from './event-loop.js';
import type { Compiled, TrainableModel } from './types.js';

/** The model's input for samples [start, end) of each input. */
export function inputRows(xs: readonly Tensor[], start: number, end: number): Tensor | Tensor[] {
  return xs.length === 1 ? sliceRows(xs[0]!, start, end) : xs.map((x) => sliceRows(x, start, end));
}

/** Runs a generator of batches to the end, giving the event loop a turn every ~100 ms. */
export async function runWithTurns(steps: Generator<void>): Promise<void> {
  const loop = new EventLoopTurns();
  for (let r = steps.next(); !r.done; r = steps.next()) await loop.maybeYield();
}

function* evaluateSteps(
  model: TrainableModel,
  compiled: Compiled,
  xs: Tensor[],
  y: Tensor,
  batchSize: number,
  totals: Float64Array,
): Generator<void> {
  const n = y.shape[0]!;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    noGrad(() =>
      withBufferScope(() => {
        const pred = model.apply(inputRows(xs, start, end), { training: false });
        const yb = sliceRows(y, start, end);
        totals[0] += ops.sum(compiled.loss.fn(yb, pred)).item();
        compiled.metrics.forEach((m, i) => (totals[i + 1] += ops.sum(m.fn(yb, pred)).item()));
      }),
    );
    yield;
  }
}

/**
 * Mean loss and metrics over (xs, y), in batches; keys are 'loss' and the metric names
 * (prefixed, e.g. 'val_'). Inputs are already checked (see validate.ts).
 */
export async function evaluateLogs(
  model: TrainableModel,
  compiled: Compiled,
  xs: Tensor[],
  y: Tensor,
  batchSize: number,
  prefix = '',
): Promise<Logs> {
  const n = y.shape[0]!;
  const totals = new Float64Array(1 + compiled.metrics.length);
  await runWithTurns(evaluateSteps(model, compiled, xs, y, batchSize, totals));
  // As Keras 3: the reported loss includes the weight penalties (constant during evaluation).
  const penalty = noGrad(() => model.regularizationLosses().reduce((total, p) => total + p.item(), 0));
  const logs: Logs = { [`${prefix}loss`]: totals[0]! / n + penalty };
  compiled.metrics.forEach((m, i) => (logs[`${prefix}${m.name}`] = totals[i + 1]! / n));
  return logs;
}

/** The batches of a prediction, written into `result.out` (allocated from the first batch). */
export function* predictSteps(model: TrainableModel, xs: Tensor[], batchSize: number, result: { out: Tensor | null }): Generator<void> {
  const n = xs[0]!.shape[0]!;
  let rows: FloatArray | null = null;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    // Each batch's intermediates are recycled; its output is copied out first.
    noGrad(() =>
      withBufferScope(() => {
        const part = model.apply(inputRows(xs, start, end), { training: false });
        const row = part.size / (end - start);
        rows ??= part.dtype === 'float64' ? new Float64Array(n * row) : new Float32Array(n * row);
        result.out ??= new Tensor(rows, [n, ...part.shape.slice(1)]);
        rows.set(part.values(), start * row);
      }),
    );
    yield;
  }
}

/** The model's outputs for every sample, computed `batchSize` at a time, in one go. */
export function predictBatched(model: TrainableModel, xs: Tensor[], batchSize: number): Tensor {
  const result: { out: Tensor | null } = { out: null };
  for (const _ of predictSteps(model, xs, batchSize, result));
  return result.out!;
}
