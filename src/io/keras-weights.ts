/**
 * The Keras 3 weights layout (`model.weights.h5` inside a `.keras`, and `.weights.h5` files), as
 * keras/src/saving/saving_lib.py writes it: a model's layers under `layers/<snake_case class>`,
 * counted per class (`dense`, `dense_1`, …, not by layer name), each layer's variables as
 * datasets `vars/0`, `vars/1`, … in Keras's order (trainable, then non-trainable), nested models
 * recursively, and the optimizer's variables under `optimizer/vars`.
 */
import type { FloatArray } from '../backends/kernels.js';
import type { Layer } from '../layers/layer.js';
import { Model } from '../models/model.js';
import { Tensor } from '../tensor/tensor.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { Variable } from '../tensor/variable.js';
import { FileFormatError } from './errors.js';
import type { H5Array, H5Reader, H5Writer } from './hdf5.js';

/** Keras's naming.to_snake_case: `Conv2D` → `conv2d`, `BatchNormalization` → `batch_normalization`, `ReLU` → `re_lu`. */
export function kerasSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** Each layer of `model` with its path in the weights file (depth-first, nested models included). */
export function layerPaths(model: Model, prefix = ''): { layer: Layer; path: string }[] {
  const used = new Map<string, number>();
  const out: { layer: Layer; path: string }[] = [];
  for (const layer of model.layers) {
    if (layer.className === 'InputLayer' && model.className === 'Sequential') continue;
    const base = kerasSnakeCase(layer.className === 'Functional' ? 'Functional' : layer.className);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    const path = `${prefix}layers/${n === undefined ? base : `${base}_${n + 1}`}`;
    if (layer instanceof Model) out.push(...layerPaths(layer, `${path}/`));
    else out.push({ layer, path });
  }
  return out;
}

/** The weights Keras saves for a layer, in its order. */
function layerVariables(layer: Layer): Variable[] {
  return layer.weights;
}

/** Converts a stored array to the dtype of `variable`, checking its shape. */
export function toVariableValue(array: H5Array, variable: Variable, where: string): Tensor {
  const want = variable.shape;
  if (array.shape.length !== want.length || array.shape.some((d, i) => d !== want[i])) {
    throw new FileFormatError(where, null, `shape [${want.join(', ')}] for ${variable.name}`, `[${array.shape.join(', ')}]`);
  }
  const data =
    variable.data instanceof Float64Array
      ? Float64Array.from(array.data)
      : array.data instanceof Float32Array
        ? array.data
        : Float32Array.from(array.data);
  return new Tensor(data, [...want]);
}

/** Writes every layer's variables (and the optimizer's, if given) in Keras 3's layout. */
export function writeKerasWeights(h5: H5Writer, model: Model, optimizer: Optimizer | null): void {
  h5.attr('/vars', 'name', model.name);
  for (const { layer, path } of layerPaths(model)) {
    const vars = layerVariables(layer);
    if (vars.length === 0) continue;
    h5.attr(`/${path}/vars`, 'name', layer.name);
    vars.forEach((v, i) => h5.dataset(`/${path}/vars/${i}`, v.values() as Float32Array, v.shape));
  }
  if (optimizer) writeOptimizerVariables(h5, '/optimizer/vars', optimizer, model.trainableWeights);
}

/** Loads every layer's variables from Keras 3's layout; counts and shapes must match. */
export function readKerasWeights(h5: H5Reader, model: Model): void {
  const pending: (readonly [Variable, string])[] = [];
  for (const { layer, path } of layerPaths(model)) {
    const vars = layerVariables(layer);
    const group = `/${path}/vars`;
    const stored = h5.has(group) ? h5.keys(group) : [];
    if (stored.length !== vars.length) {
      throw new FileFormatError(
        h5.where,
        null,
        `${vars.length} arrays for layer "${layer.name}" (${layer.className}) at ${group}`,
        `${stored.length}`,
      );
    }
    vars.forEach((v, i) => checkShape(h5.shapeOf(`${group}/${i}`), v, `${h5.where}: ${group}/${i}`));
    pending.push(...vars.map((v, i) => [v, `${group}/${i}`] as const));
  }
  // Every count and shape is checked before any variable changes; then each is read in place.
  for (const [v, path] of pending) v.fillWith((buffer) => h5.readInto(path, buffer as Float32Array));
}

/** Throws unless a stored shape is the variable's. */
export function checkShape(shape: readonly number[], variable: Variable, where: string): void {
  const want = variable.shape;
  if (shape.length !== want.length || shape.some((d, i) => d !== want[i])) {
    throw new FileFormatError(where, null, `shape [${want.join(', ')}] for ${variable.name}`, `[${shape.join(', ')}]`);
  }
}

/**
 * The optimizer's variables in Keras 3's order: the iteration count, the learning rate (when it is
 * a number), then each trainable variable's slots (Adam: momentum, velocity), interleaved per
 * variable as Keras's add_optimizer_variables does. Before the first step there are no slots.
 */
export function writeOptimizerVariables(h5: H5Writer, group: string, optimizer: Optimizer, trainable: Variable[]): void {
  h5.attr(group, 'name', optimizer.className.toLowerCase());
  let i = 0;
  h5.dataset(`${group}/${i++}`, BigInt64Array.of(BigInt(optimizer.iterations)), []);
  if (typeof optimizer.learningRate === 'number') h5.dataset(`${group}/${i++}`, Float32Array.of(optimizer.learningRate), []);
  const slots = trainable.map((v) => optimizer.getSlots(v));
  if (slots.some((s) => s === undefined)) return;
  trainable.forEach((v, j) => {
    for (const s of slots[j]!) h5.dataset(`${group}/${i++}`, s as Float32Array, v.shape);
  });
}

/** Restores what writeOptimizerVariables wrote into `optimizer` for the model's trainable variables. */
export function readOptimizerVariables(h5: H5Reader, group: string, optimizer: Optimizer, trainable: Variable[]): void {
  if (!h5.has(group)) return;
  const count = h5.keys(group).length;
  if (count === 0) return;
  let i = 0;
  const scalar = (what: string): number => {
    const a = h5.read(`${group}/${i}`);
    if (a.data.length !== 1)
      throw new FileFormatError(h5.where, null, `a scalar ${what} at ${group}/${i}`, `shape [${a.shape.join(', ')}]`);
    i++;
    return Number(a.data[0]);
  };
  const iterations = scalar('iteration count');
  if (!Number.isSafeInteger(iterations) || iterations < 0)
    throw new FileFormatError(h5.where, null, 'a non-negative iteration count', String(iterations));
  const hasRate = typeof optimizer.learningRate === 'number' && count > 1 && h5.read(`${group}/1`).shape.length === 0;
  const rate = hasRate ? scalar('learning rate') : null;
  const rest = count - i;
  if (rest === 0) {
    optimizer.iterations = iterations;
    setRate(optimizer, rate);
    return;
  }
  if (trainable.length === 0 || rest % trainable.length !== 0) {
    // As Keras does (BaseOptimizer.load_own_variables): state of another layout is skipped, with a warning.
    console.warn(
      `${h5.where}: optimizer state skipped: expected slots for ${trainable.length} trainable variables at ${group}, found ${rest} arrays`,
    );
    return;
  }
  const perVariable = rest / trainable.length;
  const restored = trainable.map((v) =>
    Array.from({ length: perVariable }, () => {
      const value = toVariableValue(h5.read(`${group}/${i}`), v, `${h5.where}: ${group}/${i}`);
      i++;
      return value.data as FloatArray;
    }),
  );
  optimizer.iterations = iterations;
  setRate(optimizer, rate);
  trainable.forEach((v, j) => optimizer.setSlots(v, restored[j]!));
}

/** Keras stores the rate as float32: keep the config's exact number unless the stored one differs (e.g. ReduceLROnPlateau changed it). */
function setRate(optimizer: Optimizer, rate: number | null): void {
  if (rate === null || typeof optimizer.learningRate !== 'number') return;
  if (Math.fround(optimizer.learningRate) !== Math.fround(rate)) optimizer.learningRate = rate;
}
