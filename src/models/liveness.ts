/**
 * Inference that holds only live activations. A model's forward pass at inference (no gradient
 * recording, `training: false`) runs each layer in its own buffer scope, so the layer's
 * temporaries go back to the pool as soon as it returns, and hands an activation's buffer back as
 * soon as its last reader has run; the next layer's output then reuses it. Peak memory is the few
 * activations alive at once instead of the whole pass (MobileNetV2 at batch 1000: ~1 GB, not
 * 14 GB). While gradients are recorded, only inside a training step's release session
 * (src/autograd/release.ts, which fit opens): there the same runs keep whatever a recorded
 * gradient rule will read, and release the rest (MobileNetV2's batch-norm outputs, the relu6 and
 * add inputs nothing differentiates with, each layer's temporaries). Outside a session, while
 * recording, nothing is released: the backward pass may read any of it.
 *
 * Aliasing is safe: a layer may return its input or a view of it (Flatten, Reshape, Dropout at
 * inference), and a softmax or sigmoid output carries its logits; a buffer goes back only when no live
 * value holds it. Sequential and Functional call `stepScope`, `releaseUnheld` and `LiveValues`.
 */
import { isSavedForBackward, releaseData, savedMark, savedSince, stepReleaseActive } from '../autograd/release.js';
import { isRecording } from '../autograd/tape.js';
import { sigmoidLogits } from '../layers/activations.js';
import type { CallContext } from '../layers/layer.js';
import { softmaxLogits } from '../ops/softmax.js';
import { withBufferScopeKeeping } from '../tensor/buffer-pool.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * True when activations may be dropped as soon as they are dead: at inference (nothing
 * recorded), or while recording inside a training step's release session.
 *
 * @example
 * const live = freesActivations({ training: true });   // true inside fit's steps
 */
export function freesActivations(ctx: CallContext): boolean {
  return isRecording() ? stepReleaseActive() : !ctx.training;
}

/** The typed arrays a value holds: its data, and a softmax or sigmoid output's logits (the loss reads them). */
function buffersOf(t: Tensor): ArrayBufferView[] {
  const logits = [softmaxLogits(t), sigmoidLogits(t)].filter((l): l is Tensor => l !== null);
  return [t.data, ...logits.map((l) => l.data)];
}

/**
 * Runs one step (a layer, or a fused pair) in its own buffer scope: everything it allocated
 * except what its output holds (and, in a training step, what its recorded gradient rules will
 * read) is recycled when it returns.
 *
 * @example
 * const y = stepScope(() => layer.apply(x, ctx));
 */
export function stepScope(step: () => Tensor): Tensor {
  const mark = savedMark();
  return withBufferScopeKeeping(step, (y) => [...buffersOf(y), ...savedSince(mark)]);
}

/**
 * The values of one forward pass, keyed by K (a layer index, a symbolic tensor), each with the
 * number of reads left. `read` counts one read done; a value whose reads reach zero is dropped,
 * and its buffers go back to the pool unless a value still alive (or `keep`) holds them.
 *
 * @example
 * const live = new LiveValues<number>();
 * live.set(0, y0, 1);           // read once, by the next layer
 * const y1 = stepScope(() => layer.apply(live.get(0), ctx));
 * live.set(1, y1, Infinity);    // the model output: never released
 * live.read(0);                 // y0's buffer goes back unless y1 aliases it
 */
export class LiveValues<K> {
  private readonly values = new Map<K, { tensor: Tensor; reads: number }>();

  /** Registers `tensor` as the value of `key`, to be read `reads` times (Infinity: kept). */
  set(key: K, tensor: Tensor, reads: number): void {
    this.values.set(key, { tensor, reads });
  }

  /** The live value of `key`; throws if it was never set or is already dropped. */
  get(key: K): Tensor {
    const v = this.values.get(key);
    if (!v) throw new Error('liveness: a value was read after its last reader ran (or before it was computed)');
    return v.tensor;
  }

  /** Counts one read of each key (a key listed twice, twice); drops the values read for the last time. */
  read(keys: Iterable<K>): void {
    const dead: Tensor[] = [];
    for (const key of keys) {
      const v = this.values.get(key);
      if (!v || --v.reads > 0) continue;
      this.values.delete(key);
      dead.push(v.tensor);
    }
    if (dead.length > 0)
      releaseUnheld(
        dead,
        [...this.values.values()].map((v) => v.tensor),
      );
  }
}

/**
 * Hands back to the pool the buffers of `dead` values that none of `alive` holds and no recorded
 * gradient rule reads.
 *
 * @example
 * releaseUnheld([input], [output]);   // output = flatten(input) shares input's buffer: kept
 */
export function releaseUnheld(dead: readonly Tensor[], alive: readonly Tensor[]): void {
  const held = new Set<ArrayBufferLike>();
  for (const t of alive) for (const b of buffersOf(t)) held.add(b.buffer);
  for (const t of dead) for (const b of buffersOf(t)) if (!held.has(b.buffer) && !isSavedForBackward(b)) releaseData(b);
}

/**
 * Values one sample occupies in a layer output of `shape` (batch axis first, null or any
 * number: it is skipped).
 *
 * @example
 * valuesPerSample([null, 32, 32, 96]);   // 98304
 */
export function valuesPerSample(shape: readonly (number | null)[]): number {
  return shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
}

/** Bytes of float32 activations a batch may hold at inference, by default (`inferenceBatchSize`). */
export const INFERENCE_BUDGET_BYTES = 256 * 2 ** 20;

/**
 * The largest batch size (at most `max`) whose inference fits `budgetBytes`, for callers that
 * choose one (the CLI's final evaluate). A layer step holds about three activations of the
 * widest layer at once (its input, its output and one temporary), so that is the estimate per
 * sample; MobileNetV2 on 32×32 images gets ~145, the seed model the full 1000.
 *
 * @example
 * await model.evaluate(x, y, { batchSize: inferenceBatchSize(model) });
 */
export function inferenceBatchSize(
  model: { layerOutputShapes(): readonly (readonly (number | null)[])[] },
  { budgetBytes = INFERENCE_BUDGET_BYTES, max = 1000 } = {},
): number {
  const widest = Math.max(1, ...model.layerOutputShapes().map(valuesPerSample));
  return Math.max(1, Math.min(max, Math.floor(budgetBytes / (3 * 4 * widest))));
}
