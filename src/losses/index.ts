/**
 * Losses with Keras names. Each maps (yTrue, yPred) to one loss per sample; `compile` averages
 * them over the batch. Cross-entropy on a softmax output uses the softmax's logits and a stable
 * log-softmax, and binary cross-entropy on a sigmoid output uses the sigmoid's logits, as
 * Keras's TensorFlow backend does; otherwise probabilities are clipped to [1e-7, 1 − 1e-7].
 */
import { sigmoidLogits } from '../layers/activations.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import type { TargetKind } from '../training/types.js';

const EPSILON = 1e-7;

/** A loss: per-sample values of shape [batch]. */
export type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

function checkSameShape(name: string, yTrue: Tensor, yPred: Tensor, hint = ''): void {
  const ok = yTrue.rank === yPred.rank && yTrue.shape.every((d, i) => d === yPred.shape[i]);
  if (!ok) {
    throw new Error(
      `${name}: expected targets of shape ${formatShape(yPred.shape)} (the model's output), received ${formatShape(yTrue.shape)}${hint}`,
    );
  }
}

function crossEntropy(yTrue: Tensor, yPred: Tensor): Tensor {
  const logits = ops.softmaxLogits(yPred);
  const logp = logits ? ops.logSoftmax(logits) : ops.log(ops.clipByValue(ops.div(yPred, ops.sum(yPred, -1, true)), EPSILON, 1 - EPSILON));
  return ops.neg(ops.sum(ops.mul(yTrue, logp), -1));
}

/**
 * Cross-entropy against one-hot targets.
 * @example losses.categoricalCrossentropy(oneHot(labels, 10), probabilities)
 */
export function categoricalCrossentropy(yTrue: Tensor, yPred: Tensor): Tensor {
  const classes = yPred.shape[yPred.rank - 1];
  checkSameShape(
    'categoricalCrossentropy',
    yTrue,
    yPred,
    yTrue.rank === 1 ? `: integer labels need sparseCategoricalCrossentropy, or oneHot(labels, ${classes})` : '',
  );
  return crossEntropy(yTrue, yPred);
}

/**
 * Cross-entropy against integer class labels ([batch] or [batch, 1]).
 * @example losses.sparseCategoricalCrossentropy(labels, probabilities)
 */
export function sparseCategoricalCrossentropy(yTrue: Tensor, yPred: Tensor): Tensor {
  const classes = yPred.shape[yPred.rank - 1]!;
  const expected = yPred.shape.slice(0, -1);
  const labelsOk =
    yTrue.size === expected.reduce((a, d) => a * d, 1) && (yTrue.rank === expected.length || yTrue.shape[yTrue.rank - 1] === 1);
  if (!labelsOk) {
    throw new Error(
      `sparseCategoricalCrossentropy: expected integer labels of shape ${formatShape(expected)}, received ${formatShape(yTrue.shape)}`,
    );
  }
  const labels = ops.oneHot(ops.reshape(yTrue, [yTrue.size]), classes, {
    dtype: yPred.dtype === 'float64' ? 'float64' : 'float32',
    where: 'sparseCategoricalCrossentropy',
  });
  return crossEntropy(labels, yPred);
}

/**
 * Binary cross-entropy, averaged over the last axis.
 * @example losses.binaryCrossentropy(targets, sigmoidOutputs)
 */
export function binaryCrossentropy(yTrue: Tensor, yPred: Tensor): Tensor {
  checkSameShape('binaryCrossentropy', yTrue, yPred);
  const logits = sigmoidLogits(yPred);
  if (logits) {
    // tf.nn.sigmoid_cross_entropy_with_logits: max(z, 0) − z·y + log(1 + e^−|z|), exact for any z.
    const softplusNegAbs = ops.log(ops.add(ops.exp(ops.neg(ops.abs(logits))), 1));
    return ops.mean(ops.add(ops.sub(ops.relu(logits), ops.mul(logits, yTrue)), softplusNegAbs), -1);
  }
  const p = ops.clipByValue(yPred, EPSILON, 1 - EPSILON);
  const ll = ops.add(ops.mul(yTrue, ops.log(p)), ops.mul(ops.sub(1, yTrue), ops.log(ops.sub(1, p))));
  return ops.neg(ops.mean(ll, -1));
}

/**
 * Mean squared error over the last axis.
 * @example losses.meanSquaredError(targets, outputs)
 */
export function meanSquaredError(yTrue: Tensor, yPred: Tensor): Tensor {
  checkSameShape('meanSquaredError', yTrue, yPred);
  return ops.mean(ops.square(ops.sub(yPred, yTrue)), -1);
}

/** The losses by name. @example model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam' }) */
export const losses = { categoricalCrossentropy, sparseCategoricalCrossentropy, binaryCrossentropy, meanSquaredError };
export type LossName = keyof typeof losses;

/** What each loss reads as targets (checked against y once, before training). */
const TARGETS: Record<LossName, TargetKind> = {
  categoricalCrossentropy: 'dense',
  sparseCategoricalCrossentropy: 'sparse',
  binaryCrossentropy: 'dense',
  meanSquaredError: 'dense',
};

const ALIASES: Record<string, LossName> = {
  categorical_crossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mse: 'meanSquaredError',
};

/**
 * Resolves a loss name (camelCase, snake_case or 'mse') to its function and target kind.
 *
 * @example
 * getLoss('categorical_crossentropy').name; // 'categoricalCrossentropy'
 */
export function getLoss(id: LossName | string | LossFn): { name: string; fn: LossFn; targets?: TargetKind } {
  if (typeof id === 'function') return { name: id.name || 'customLoss', fn: id };
  if (typeof id !== 'string') {
    throw new Error(
      `compile: expected loss to be a name such as 'categoricalCrossentropy' or a function (yTrue, yPred) => Tensor, received ${id === undefined ? 'undefined' : JSON.stringify(id)}`,
    );
  }
  const name = (Object.hasOwn(losses, id) ? id : ALIASES[id]) as LossName | undefined;
  if (!name) throw new Error(`compile: unknown loss '${id}'; expected one of ${Object.keys(losses).join(', ')}`);
  return { name, fn: losses[name], targets: TARGETS[name] };
}
