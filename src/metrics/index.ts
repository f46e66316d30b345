/**
 * Metrics with Keras names. Each maps (yTrue, yPred) to per-sample values of shape [batch];
 * training averages them over the epoch. 'accuracy' is resolved from the loss as Keras does.
 */
import * as ops from '../ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/tape.js';

/** A metric: per-sample values. */
export type MetricFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

function equalRows(a: Tensor, b: Tensor): Tensor {
  const out = new Float32Array(a.size);
  const [x, y] = [a.values(), b.values()];
  for (let i = 0; i < a.size; i++) out[i] = x[i] === y[i] ? 1 : 0;
  return new Tensor(out, a.shape);
}

/**
 * 1 where argmax of the one-hot target equals argmax of the prediction.
 * @example metrics.categoricalAccuracy(yTrue, yPred)
 */
export function categoricalAccuracy(yTrue: Tensor, yPred: Tensor): Tensor {
  return noGrad(() => equalRows(ops.argMax(yTrue), ops.argMax(yPred)));
}

/**
 * 1 where the integer label equals argmax of the prediction.
 * @example metrics.sparseCategoricalAccuracy(labels, yPred)
 */
export function sparseCategoricalAccuracy(yTrue: Tensor, yPred: Tensor): Tensor {
  return noGrad(() => {
    const predicted = ops.argMax(yPred);
    return equalRows(new Tensor(Int32Array.from(yTrue.values()), predicted.shape), predicted);
  });
}

/**
 * Fraction of outputs on the right side of 0.5, per sample.
 * @example metrics.binaryAccuracy(yTrue, yPred)
 */
export function binaryAccuracy(yTrue: Tensor, yPred: Tensor): Tensor {
  return noGrad(() => ops.mean(ops.equal(ops.greater(yPred, 0.5), yTrue), -1));
}

/** The metrics by name. */
export const metrics = { categoricalAccuracy, sparseCategoricalAccuracy, binaryAccuracy };
export type MetricName = keyof typeof metrics | 'accuracy' | 'acc';

/**
 * Resolves a metric name. 'accuracy' (or 'acc') becomes the variant matching the loss and the
 * output shape, as in Keras; the logged name stays the one the user wrote.
 */
export function getMetric(id: MetricName | string, lossName: string, outputUnits: number | null): { name: string; fn: MetricFn } {
  if (id === 'accuracy' || id === 'acc') {
    if (lossName === 'sparseCategoricalCrossentropy') return { name: id, fn: sparseCategoricalAccuracy };
    if (lossName === 'binaryCrossentropy' || outputUnits === 1) return { name: id, fn: binaryAccuracy };
    return { name: id, fn: categoricalAccuracy };
  }
  const camel = id.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  if (!(camel in metrics))
    throw new Error(`compile: unknown metric '${id}'; expected 'accuracy' or one of ${Object.keys(metrics).join(', ')}`);
  return { name: id, fn: metrics[camel as keyof typeof metrics] };
}
