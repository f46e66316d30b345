/**
 * Callbacks with Keras's hook names (camelCase, as in TensorFlow.js), the list that dispatches
 * them, and History, which every `fit` returns.
 */
import type { FitState } from './fit-state.js';
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
  /** Where the run stands (fit sets it; checkpointing callbacks read it and may set resumeFrom). */
  state?: FitState;
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

/** TensorFlow.js-style hooks given as a plain object (`{ onEpochEnd: (epoch, logs) => ... }`). */
export interface CallbackHooks {
  onTrainBegin?: (logs: Logs) => void | Promise<void>;
  onTrainEnd?: (logs: Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>;
  /** tfjs's name for onTrainBatchBegin. */
  onBatchBegin?: (batch: number, logs: Logs) => void | Promise<void>;
  /** tfjs's name for onTrainBatchEnd. */
  onBatchEnd?: (batch: number, logs: Logs) => void | Promise<void>;
  onTrainBatchBegin?: (batch: number, logs: Logs) => void | Promise<void>;
  onTrainBatchEnd?: (batch: number, logs: Logs) => void | Promise<void>;
}

/** What `fit` accepts as a callback: a Callback, or an object of hooks as in TensorFlow.js. */
export type CallbackLike = Callback | CallbackHooks;

const HOOKS: Record<keyof CallbackHooks, keyof Callback> = {
  onTrainBegin: 'onTrainBegin',
  onTrainEnd: 'onTrainEnd',
  onEpochBegin: 'onEpochBegin',
  onEpochEnd: 'onEpochEnd',
  onBatchBegin: 'onTrainBatchBegin',
  onBatchEnd: 'onTrainBatchEnd',
  onTrainBatchBegin: 'onTrainBatchBegin',
  onTrainBatchEnd: 'onTrainBatchEnd',
};

/**
 * A Callback made of plain hook functions (tfjs's CustomCallback).
 *
 * @example
 * await model.fit(x, y, { callbacks: new CustomCallback({ onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss) }) });
 */
export class CustomCallback extends Callback {
  constructor(hooks: CallbackHooks, where = 'CustomCallback') {
    super();
    for (const [key, fn] of Object.entries(hooks)) {
      const hook = HOOKS[key as keyof CallbackHooks];
      if (!hook) throw new Error(`${where}: unknown callback hook '${key}'; expected one of ${Object.keys(HOOKS).join(', ')}`);
      if (typeof fn !== 'function') throw new Error(`${where}: expected hook ${key} to be a function, received ${typeof fn}`);
      (this as unknown as Record<string, unknown>)[hook] = fn;
    }
  }
}

/**
 * fit's `callbacks` option as a list of Callbacks: a Callback, a hooks object, or a list of
 * either; anything else is an error naming the entry.
 *
 * @example
 * toCallbacks({ onEpochEnd: () => {} }, 'fit'); // [CustomCallback]
 */
export function toCallbacks(value: unknown, where: string): Callback[] {
  if (value === undefined || value === null) return [];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.map((c, i) => {
    const name = Array.isArray(value) ? `callbacks[${i}]` : 'callbacks';
    if (c instanceof Callback) return c;
    if (typeof c === 'object' && c !== null && !Array.isArray(c)) return new CustomCallback(c as CallbackHooks, `${where}: ${name}`);
    throw new Error(
      `${where}: expected ${name} to be a Callback or an object of hooks such as { onEpochEnd(epoch, logs) {} }, received ${typeof c}`,
    );
  });
}
