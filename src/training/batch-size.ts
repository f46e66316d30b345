/**
 * The CLI's training batch size: the default (200) unless one copy of every layer's output for
 * that batch would pass 1.75 GiB, then the largest batch that stays within it. A training step
 * holds about one such copy at its peak (the activations the backward pass reads plus a few
 * gradients; src/autograd/release.ts), and its pool keeps the step's other buffers for the next
 * step (src/tensor/buffer-pool.ts), so this bounds a default run's memory: MobileNetV2 on
 * CIFAR-10 images (3.6 M float32 layer outputs per sample) gets 130 (peak RSS 1.8 GB), the seed
 * CNN and ResNet-20 the full 200. A batch the user asks for is used as given.
 */
import { valuesPerSample } from '../models/liveness.js';

/** The CLI's default training batch. */
export const DEFAULT_TRAINING_BATCH = 200;

/** Bytes of float32 layer outputs (one copy) a default training batch may hold. */
export const TRAINING_BUDGET_BYTES = 1.75 * 2 ** 30;

/**
 * The batch size to train `model` with on samples of `inputShape` (no batch axis): `requested`
 * when given, else `DEFAULT_TRAINING_BATCH` lowered, if need be, so that one copy of the layer
 * outputs (and the input) for a batch stays within `budgetBytes`; at least 1.
 *
 * @example
 * const batchSize = trainingBatchSize(model, [32, 32, 3]);   // 130 for zoo.mobilenetV2
 */
export function trainingBatchSize(
  model: { layerOutputShapes(): readonly (readonly (number | null)[])[] },
  inputShape: readonly number[],
  requested?: number,
  { budgetBytes = TRAINING_BUDGET_BYTES, max = DEFAULT_TRAINING_BATCH } = {},
): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1)
      throw new Error(`trainingBatchSize: expected a positive integer batch size, received ${requested}`);
    return requested;
  }
  const perSample = [[null, ...inputShape], ...model.layerOutputShapes()].reduce((total, shape) => total + valuesPerSample(shape), 0);
  return Math.max(1, Math.min(max, Math.floor(budgetBytes / (4 * perSample))));
}
