/**
 * Softmax along the last axis. logSoftmax is the primitive (stable: max subtracted); softmax is
 * exp(logSoftmax(x)) and remembers its logits so cross-entropy can skip the round trip through
 * probabilities, as Keras does for a softmax output layer.
 */
import { kernels } from '../backends/index.js';
import { record } from '../autograd/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { exp } from './elementwise.js';
import { floatsOf, wrap } from './util.js';

/**
 * log(softmax(x)) along the last axis, computed stably.
 * @example const logp = logSoftmax(logits);
 */
export function logSoftmax(x: Tensor): Tensor {
  if (x.rank < 1) throw new Error('logSoftmax: expected a tensor of rank >= 1, received a scalar');
  const cols = x.shape[x.rank - 1]!;
  const rows = x.size / Math.max(cols, 1);
  const data = kernels().logSoftmax(floatsOf(x, 'logSoftmax', 'x'), rows, cols);
  return record('logSoftmax', [x], wrap(data, x.shape), {});
}

/** Each softmax output's logits (held weakly: they go when the output does). */
const logitsOf = new WeakMap<Tensor, Tensor>();

/**
 * Softmax along the last axis.
 * @example const p = softmax(logits);   // rows sum to 1
 */
export function softmax(x: Tensor): Tensor {
  const p = exp(logSoftmax(x));
  logitsOf.set(p, x);
  return p;
}

/**
 * The logits `p` was computed from when `p` is a softmax output, else null: cross-entropy then
 * uses a stable log-softmax instead of log(softmax), as Keras does for a softmax output layer.
 *
 * @example
 * softmaxLogits(softmax(logits)) === logits;   // true
 */
export function softmaxLogits(p: Tensor): Tensor | null {
  return logitsOf.get(p) ?? null;
}
