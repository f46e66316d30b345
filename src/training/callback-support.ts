/**
 * What the monitoring callbacks (EarlyStopping, ReduceLROnPlateau) and the learning-rate callbacks
 * share: which way a monitored quantity should go, a warning for a quantity missing from the
 * logs, and checked access to the optimizer's learning rate.
 */
import type { Optimizer } from '../optimizers/index.js';
import type { Logs } from './callbacks.js';
import type { TrainableModel } from './types.js';

/** 'min': lower is better; 'max': higher is better; 'auto': decided from the name. */
export type MonitorMode = 'auto' | 'min' | 'max';

/**
 * The direction of `monitor`: a loss ('loss', 'val_loss', '…crossentropy', '…error') goes down,
 * an accuracy ('accuracy', 'val_acc', …) goes up; anything else needs an explicit mode.
 *
 * @example
 * monitorDirection('val_accuracy', 'auto', 'EarlyStopping'); // 'max'
 */
export function monitorDirection(monitor: string, mode: MonitorMode, where: string): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  if (mode !== 'auto') throw new Error(`${where}: expected mode 'auto', 'min' or 'max', received '${String(mode)}'`);
  const name = monitor.replace(/^val_/, '').toLowerCase();
  if (name === 'loss' || /crossentropy|error|loss/.test(name)) return 'min';
  if (name.includes('acc')) return 'max';
  throw new Error(
    `${where}: cannot tell whether monitor '${monitor}' should be minimised or maximised; ` +
      "pass mode: 'min' (lower is better) or mode: 'max' (higher is better)",
  );
}

/**
 * Reads `monitor` from the logs; warns once per training run (through `warned`) when it is missing.
 *
 * @example
 * const current = monitorValue(logs, 'val_loss', 'EarlyStopping', state);
 */
export function monitorValue(logs: Logs, monitor: string, where: string, warned: { done: boolean }): number | null {
  const value = logs[monitor];
  if (value !== undefined) return value;
  if (!warned.done) {
    warned.done = true;
    const text =
      `${where} is conditioned on '${monitor}', which is not in the logs; available: ${Object.keys(logs).join(', ') || 'none'}` +
      (monitor.startsWith('val_') ? ' (pass validationData or validationSplit to fit)' : '');
    if (typeof process !== 'undefined') process.emitWarning(text);
    else console.warn(text); // a browser
  }
  return null;
}

/**
 * The optimizer of a compiled model, checked to have a settable (numeric) learning rate.
 *
 * @example
 * const opt = settableOptimizer(this.model, 'ReduceLROnPlateau');
 * opt.learningRate = 0.01;
 */
export function settableOptimizer(model: TrainableModel | null, where: string): Optimizer & { learningRate: number } {
  const optimizer = model?.compiled?.optimizer;
  if (!optimizer) throw new Error(`${where}: expected a compiled model with an optimizer; call model.compile({ optimizer, loss }) first`);
  if (typeof optimizer.learningRate !== 'number') {
    throw new Error(
      `${where}: the optimizer's learning rate is a schedule, so a callback cannot set it; ` +
        'expected a number as learningRate (use either a schedule or this callback, not both)',
    );
  }
  return optimizer as Optimizer & { learningRate: number };
}
