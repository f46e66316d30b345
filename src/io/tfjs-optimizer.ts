/**
 * Optimizer state in TensorFlow.js model.json files: the manifest entries of group "optimizer"
 * that tfjs's `model.save(…, {includeOptimizer: true})` writes and `tf.loadLayersModel` restores.
 * tfjs names them after the variable they belong to (`dense/kernel/m`), after an int32 scalar
 * `iter`, and lists each kind of slot for all variables before the next kind (all `m`, then all
 * `v`): tfjs-core's optimizers' getWeights. Only optimizers whose slots mean the same in tfjs and
 * Keras are mapped; for the others (SGD's momentum is scaled by the learning rate in Keras, not in
 * tfjs; Adamax and Nadam have no tfjs state) only the iteration count is stored.
 */
import type { Model } from '../models/model.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { FloatArray } from '../tensor/dtype.js';
import type { Variable } from '../tensor/variable.js';
import { FileFormatError } from './errors.js';

/** tfjs's slot-name suffixes per optimizer class, in Convkit's slot order. */
const SLOT_NAMES: Record<string, string[]> = {
  Adam: ['m', 'v'],
  AdamW: ['m', 'v'],
  RMSprop: ['rms', 'momentum', 'mg'],
  Adagrad: ['accumulator'],
};

/** One optimizer array, named as tfjs names it. */
export interface OptimizerWeight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

/**
 * The optimizer state of a compiled model as tfjs lays it out (empty for an uncompiled model).
 * @example const weights = tfjsOptimizerWeights(model); // [{ name: 'iter', … }, { name: 'dense/kernel/m', … }, …]
 */
export function tfjsOptimizerWeights(model: Model): OptimizerWeight[] {
  const optimizer = model.compiled?.optimizer;
  if (!optimizer) return [];
  const out: OptimizerWeight[] = [{ name: 'iter', shape: [], dtype: 'int32', values: Int32Array.of(optimizer.iterations) }];
  const names = SLOT_NAMES[optimizer.className];
  const trainable = model.trainableWeights;
  const slots = trainable.map((v) => optimizer.getSlots(v));
  if (!names || slots.some((s) => s === undefined || s.length < names.length)) return out;
  names.forEach((suffix, k) => {
    if (suffix === 'mg' && !(optimizer as Optimizer & { centered?: boolean }).centered) return;
    trainable.forEach((v, j) => {
      out.push({ name: `${v.name}/${suffix}`, shape: [...v.shape], dtype: 'float32', values: Float32Array.from(slots[j]![k]!) });
    });
  });
  return out;
}

/**
 * Restores what tfjsOptimizerWeights (or tfjs itself) wrote: the iteration count and, when every
 * trainable variable's slots are there, the slots. A partial set is an error naming what is missing.
 * @example restoreTfjsOptimizer(model, new Map([['iter', Int32Array.of(12)]]), 'model.json');
 */
export function restoreTfjsOptimizer(model: Model, stored: Map<string, Float32Array | Int32Array>, where: string): void {
  const optimizer = model.compiled?.optimizer;
  if (!optimizer || stored.size === 0) return;
  const iter = stored.get('iter');
  if (iter) {
    const n = iter[0];
    if (iter.length !== 1 || n === undefined || !Number.isSafeInteger(n) || n < 0)
      throw new FileFormatError(where, null, 'optimizer weight "iter": one non-negative integer', `[${[...iter].slice(0, 4).join(', ')}]`);
    optimizer.iterations = n;
  }
  const names = SLOT_NAMES[optimizer.className];
  if (!names) return;
  const trainable = model.trainableWeights;
  const wanted = trainable.flatMap((v) => names.filter((s) => s !== 'mg').map((s) => `${v.name}/${s}`));
  const present = wanted.filter((n) => stored.has(n));
  if (present.length === 0) return;
  if (present.length !== wanted.length) {
    const missing = wanted.filter((n) => !stored.has(n));
    throw new FileFormatError(
      where,
      null,
      `${optimizer.className} state for every trainable variable (${wanted.length} arrays)`,
      `${present.length}; missing ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
    );
  }
  for (const v of trainable)
    optimizer.setSlots(
      v,
      names.map((s) => slotValue(stored.get(`${v.name}/${s}`), v, s, where)),
    );
}

/** One slot in the variable's precision, checked against its size (zeros for an absent `mg`). */
function slotValue(values: Float32Array | Int32Array | undefined, v: Variable, suffix: string, where: string): FloatArray {
  const make = (n: number) => (v.data instanceof Float64Array ? new Float64Array(n) : new Float32Array(n));
  if (values === undefined) return make(v.size);
  if (values.length !== v.size)
    throw new FileFormatError(where, null, `${v.size} values for optimizer weight "${v.name}/${suffix}"`, `${values.length}`);
  const out = make(v.size);
  out.set(values);
  return out;
}
