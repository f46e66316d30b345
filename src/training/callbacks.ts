/**
 * Callbacks with Keras's hook names (camelCase, as in TensorFlow.js), the list that dispatches
 * them, and History, which every `fit` returns.
 */
import type { TrainableModel } from './types.js';

/** Numbers logged per batch or epoch: loss, metrics, val_ variants. */
export type Logs = Record<string, number>;

/** What `fit` tells callbacks before training. */
export interface FitParams {
  epochs: number;
  steps: number;
  samples: number;
  batchSize: number;
  verbose: 0 | 1 | 2;
  metrics: string[];
}

/**
 * Base class: override the hooks you need. Hooks may be async.
 *
 * @example
 * class PrintLoss extends Callback {
 *   override onEpochEnd(epoch: number, logs: Logs) { console.log(epoch, logs['loss']); }
 * }
 * await model.fit(x, y, { callbacks: [new PrintLoss()] });
 */
export class Callback {
  model: TrainableModel | null = null;
  params: FitParams | null = null;
  setModel(model: TrainableModel): void {
    this.model = model;
  }
  setParams(params: FitParams): void {
    this.params = params;
  }
  onTrainBegin(_logs: Logs): void | Promise<void> {}
  onTrainEnd(_logs: Logs): void | Promise<void> {}
  onEpochBegin(_epoch: number, _logs: Logs): void | Promise<void> {}
  onEpochEnd(_epoch: number, _logs: Logs): void | Promise<void> {}
  onTrainBatchBegin(_batch: number, _logs: Logs): void | Promise<void> {}
  onTrainBatchEnd(_batch: number, _logs: Logs): void | Promise<void> {}
  onTestBegin(_logs: Logs): void | Promise<void> {}
  onTestEnd(_logs: Logs): void | Promise<void> {}
}

type Hook = 'onTrainBegin' | 'onTrainEnd' | 'onTestBegin' | 'onTestEnd';
type IndexedHook = 'onEpochBegin' | 'onEpochEnd' | 'onTrainBatchBegin' | 'onTrainBatchEnd';

/** Calls every callback's hook in order. */
export class CallbackList {
  constructor(readonly callbacks: Callback[]) {}
  setup(model: TrainableModel, params: FitParams): void {
    for (const c of this.callbacks) {
      c.setModel(model);
      c.setParams(params);
    }
  }
  async call(hook: Hook, logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c[hook](logs);
  }
  async callIndexed(hook: IndexedHook, index: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c[hook](index, logs);
  }
}

/**
 * Per-epoch logs of a `fit` run: `history.history.loss[i]` is epoch i's mean training loss.
 *
 * @example
 * const h = await model.fit(x, y, { epochs: 3 });
 * h.history['val_accuracy'];   // three numbers when validating
 */
export class History extends Callback {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};
  override onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}
