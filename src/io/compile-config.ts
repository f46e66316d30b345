/**
 * The compile configuration (optimizer with its hyperparameters, loss, metrics) in Keras's form,
 * so a loaded model can `fit` again where it stopped. Keras 3 writes `compile_config` in
 * config.json; Keras 2 / tf.keras write `training_config` (with `optimizer_config`) in the .h5.
 */
import type { Model } from '../models/model.js';
import { getOptimizer, scheduleFromConfig, type Optimizer } from '../optimizers/index.js';
import { camelKey, snakeKey, type KerasFlavor } from './keras-config.js';

type Json = Record<string, unknown>;

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** An optimizer as Keras serializes it. */
export function optimizerToKeras(optimizer: Optimizer, flavor: KerasFlavor): Json {
  const config: Json = {};
  for (const [k, v] of Object.entries(optimizer.getConfig())) {
    if (k === 'learningRate' && typeof v === 'object' && v !== null) {
      const s = v as { className: string; config: Json };
      const cfg = Object.fromEntries(Object.entries(s.config).map(([a, b]) => [snakeKey(a), b]));
      config['learning_rate'] =
        flavor === 'keras3'
          ? { module: 'keras.optimizers.schedules', class_name: s.className, config: cfg, registered_name: null }
          : { class_name: s.className, config: cfg };
    } else config[snakeKey(k)] = v;
  }
  return flavor === 'keras3'
    ? { module: 'keras.optimizers', class_name: optimizer.className, config, registered_name: null }
    : { class_name: optimizer.className, config };
}

/** Rebuilds an optimizer from Keras's form; options Convkit lacks must be at their defaults. */
export function optimizerFromKeras(raw: unknown, where: string): Optimizer {
  const o = raw as Json;
  if (typeof raw === 'string') return getOptimizer(raw);
  const className = o?.['class_name'];
  if (typeof className !== 'string')
    throw new Error(`${where}: expected an optimizer {class_name, config}, received ${JSON.stringify(raw)?.slice(0, 200)}`);
  const config = (o['config'] ?? {}) as Json;
  const neutral: Json = {
    use_ema: false,
    ema_momentum: 0.99,
    ema_overwrite_frequency: null,
    loss_scale_factor: null,
    gradient_accumulation_steps: null,
    amsgrad: false,
    name: null,
    is_legacy_optimizer: false,
    decay: 0,
    jit_compile: true,
  };
  const args: Json = {};
  for (const [k, v] of Object.entries(config)) {
    if (k in neutral) {
      if (k !== 'name' && k !== 'jit_compile' && k !== 'is_legacy_optimizer' && v !== neutral[k] && !(k === 'decay' && v === 0)) {
        throw new Error(
          `${where}: optimizer option '${k}' = ${JSON.stringify(v)} is not supported by Convkit (expected ${JSON.stringify(neutral[k])})`,
        );
      }
      continue;
    }
    if (v === null) continue;
    if (k === 'learning_rate' && typeof v === 'object') {
      const s = v as Json;
      const cfg = Object.fromEntries(Object.entries((s['config'] ?? {}) as Json).map(([a, b]) => [camelKey(a), b]));
      delete cfg['name'];
      args['learningRate'] = scheduleFromConfig({ className: String(s['class_name']), config: cfg });
    } else args[k === 'lr' ? 'learningRate' : camelKey(k)] = v;
  }
  const make = getOptimizer(className);
  return new (make.constructor as new (a: Json) => Optimizer)(args);
}

/** Keras 3's compile_config (or the training_config of a legacy .h5). */
export function compileConfig(model: Model, flavor: KerasFlavor): Json | null {
  const c = model.compiled;
  if (!c) return null;
  const loss = snake(c.loss.name);
  const metrics = c.metrics.map((m) => m.name);
  if (flavor === 'keras3') {
    return {
      optimizer: optimizerToKeras(c.optimizer, flavor),
      loss,
      loss_weights: null,
      metrics,
      weighted_metrics: null,
      run_eagerly: false,
      steps_per_execution: 1,
      jit_compile: false,
    };
  }
  return { loss, metrics, weighted_metrics: null, loss_weights: null, optimizer_config: optimizerToKeras(c.optimizer, flavor) };
}

/** Compiles `model` as a saved compile_config / training_config says. */
export function compileFromConfig(model: Model, raw: unknown, where: string): void {
  if (raw === null || raw === undefined) return;
  const c = raw as Json;
  if (typeof c !== 'object' || Object.keys(c).length === 0) return;
  const optimizer = optimizerFromKeras(c['optimizer'] ?? c['optimizer_config'], `${where}: optimizer`);
  const loss = c['loss'];
  if (typeof loss !== 'string') throw new Error(`${where}: expected the loss to be a name, received ${JSON.stringify(loss)}`);
  // A list, or per output a dict of lists (Keras for several outputs; tfjs writes {} for none).
  const given = c['metrics'] ?? [];
  const listed = Array.isArray(given) ? given : typeof given === 'object' ? Object.values(given as object) : [];
  const metrics = (listed as unknown[]).flat().filter((m): m is string => typeof m === 'string');
  model.compile({ optimizer, loss, metrics });
}
