/**
 * One training step as fit and fitDataset run it: forward, loss, gradients, optimizer update,
 * metric sums, in a buffer scope of its own, with the release session on (src/autograd/release.ts):
 * the forward pass drops activations no gradient rule reads, the backward pass drops each
 * saved activation and gradient once its last reader has run. What is read after the backward
 * pass (the weights, the batch, the model's output and the loss) is kept until the step ends.
 */
import { gradients } from '../autograd/gradients.js';
import { withStepRelease } from '../autograd/release.js';
import { noGrad } from '../autograd/tape.js';
import { sigmoidLogits } from '../layers/activations.js';
import * as ops from '../ops/index.js';
import { softmaxLogits } from '../ops/softmax.js';
import { withBufferScope } from '../tensor/buffer-pool.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Compiled, TrainableModel } from './types.js';

/** What one step reports: the loss (before the update) and each metric summed over the batch. */
export interface StepResult {
  lossValue: number;
  metricSums: number[];
}

/**
 * Runs one training step of `model` on the batch `batch()` gives (one x per model input, and y;
 * made inside the step's buffer scope, so a gathered batch is recycled too). `checkLoss` sees
 * the loss value before any gradient is computed and may throw; a non-finite loss is not
 * applied (the metrics are still summed). All the step's buffers are recycled when it returns,
 * and kept for the next step (a repeating buffer scope: the steps map no fresh memory).
 *
 * @example
 * const { lossValue } = trainStep(model, model.compiled!, () => [[x], y]);
 */
export function trainStep(
  model: TrainableModel,
  compiled: Compiled,
  batch: () => readonly [readonly Tensor[], Tensor],
  checkLoss: (value: number) => void = () => {},
): StepResult {
  return withBufferScope(
    () =>
      withStepRelease(() => {
        const [xb, yb] = batch();
        const weights = model.trainableWeights;
        const pred = model.apply(xb.length === 1 ? xb[0]! : [...xb], { training: true });
        const loss = model.regularizationLosses().reduce((total, penalty) => ops.add(total, penalty), ops.mean(compiled.loss.fn(yb, pred)));
        const value = loss.item();
        checkLoss(value);
        if (Number.isFinite(value)) {
          // The metrics read the output (and a softmax or sigmoid output's logits) and the targets afterwards.
          const logits = [softmaxLogits(pred), sigmoidLogits(pred)].filter((t): t is Tensor => t !== null);
          const kept = [...xb, yb, pred, ...logits, ...model.weights];
          const grads = gradients(loss, weights, { releaseExcept: kept });
          compiled.optimizer.applyGradients(weights.flatMap((w, i) => (grads[i] ? [[w, grads[i]!] as const] : [])));
        }
        const metricSums = noGrad(() => compiled.metrics.map((m) => ops.sum(m.fn(yb, pred)).item()));
        return { lossValue: value, metricSums };
      }),
    { repeating: true },
  );
}
