/**
 * Evaluation and prediction: batched forward passes without gradient recording, so memory
 * stays bounded by one batch. Used by `evaluate`, `predict` and fit's validation.
 */
import { noGrad } from '../autograd/tape.js';
import * as ops from '../ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import { withBufferScope } from '../tensor/buffer-pool.js';
import { formatShape } from '../tensor/shape.js';
import { sliceRows } from './batches.js';
import type { Logs } from './callbacks.js';
import type { Compiled, TrainableModel } from './types.js';

/** Throws unless x and y hold the same number of samples. */
export function checkSameLength(x: Tensor, y: Tensor, where: string): void {
  if (x.rank === 0 || y.rank === 0 || x.shape[0] !== y.shape[0]) {
    throw new Error(
      `${where}: x and y must hold the same number of samples, received x ${formatShape(x.shape)} and y ${formatShape(y.shape)}`,
    );
  }
}

/**
 * Mean loss and metrics over (x, y), in batches; keys are 'loss' and the metric names
 * (prefixed, e.g. 'val_').
 */
export function evaluateLogs(model: TrainableModel, compiled: Compiled, x: Tensor, y: Tensor, batchSize: number, prefix = ''): Logs {
  const n = x.shape[0]!;
  const totals = new Float64Array(1 + compiled.metrics.length);
  noGrad(() => {
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      withBufferScope(() => {
        const xb = sliceRows(x, start, end);
        const yb = sliceRows(y, start, end);
        const pred = model.apply(xb, { training: false });
        totals[0] += ops.sum(compiled.loss.fn(yb, pred)).item();
        compiled.metrics.forEach((m, i) => (totals[i + 1] += ops.sum(m.fn(yb, pred)).item()));
      });
    }
  });
  // As Keras 3: the reported loss includes the weight penalties (constant during evaluation).
  const penalty = noGrad(() => model.regularizationLosses().reduce((total, p) => total + p.item(), 0));
  const logs: Logs = { [`${prefix}loss`]: totals[0]! / n + penalty };
  compiled.metrics.forEach((m, i) => (logs[`${prefix}${m.name}`] = totals[i + 1]! / n));
  return logs;
}

/** The model's outputs for every sample of x, computed `batchSize` at a time. */
export function predictBatched(model: TrainableModel, x: Tensor, batchSize: number): Tensor {
  model.checkInput([batchSize, ...x.shape.slice(1)]);
  const n = x.shape[0]!;
  let out: Tensor | null = null;
  noGrad(() => {
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      // Each batch's intermediates are recycled; its output is copied out first.
      withBufferScope(() => {
        const part = model.apply(sliceRows(x, start, end), { training: false });
        const row = part.size / (end - start);
        if (!out)
          out = new Tensor(part.dtype === 'float64' ? new Float64Array(n * row) : new Float32Array(n * row), [n, ...part.shape.slice(1)]);
        out.data.set(part.data, start * row);
      });
    }
  });
  if (!out) throw new Error('predict: x holds no samples');
  return out;
}
