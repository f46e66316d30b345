/**
 * The one place that checks what a user hands to fit, evaluate and predict: data given as tensors
 * or plain nested arrays, the number of inputs, each input's shape against the model's (naming a
 * missing batch axis), the targets' shape and values against the loss and metrics, and batch
 * sizes. Errors name the argument and use the user's own shapes and sample indices, never those
 * of an internal batch.
 */
import type { Shape } from '../layers/shape-types.js';
import { Tensor, type DType } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import type { Compiled, TargetKind, TrainableModel } from './types.js';

/** Plain nested arrays of numbers, as Keras accepts lists and tfjs accepts arrays. */
export type NestedNumbers = number | readonly NestedNumbers[];
/** What fit/evaluate/predict accept for one input or the targets. */
export type DataLike = Tensor | NestedNumbers | Float32Array | Float64Array | Int32Array;
/** x: one input, or an array of inputs for a model of several inputs. */
export type InputsLike = DataLike | readonly Tensor[];

/** A value as an error message names it: `a float64 tensor of shape (2, 3)`, `2.5`, `undefined`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (value instanceof Tensor) return `a ${value.dtype} tensor of shape ${formatShape(value.shape)}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return typeof value;
}

/** Shape and flat values of nested arrays, checked to be rectangular numbers. */
function fromNested(value: readonly unknown[], where: string, name: string): { shape: number[]; flat: number[] } {
  const shape: number[] = [];
  for (let v: unknown = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  const flat: number[] = [];
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw new Error(`${where}: expected ${name} to hold numbers, received ${describe(v)} at ${name}${path}`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new Error(
        `${where}: ${name} is not rectangular: ${name}${path} has ${Array.isArray(v) ? `length ${v.length}` : describe(v)}, ` +
          `expected an array of length ${shape[depth]} (as ${name}${'[0]'.repeat(depth)})`,
      );
    }
    v.forEach((item, i) => walk(item, depth + 1, `${path}[${i}]`));
  };
  walk(value, 0, '');
  return { shape, flat };
}

/**
 * `value` as a tensor of a float dtype (Keras casts inputs to the model's dtype): tensors of
 * another dtype are converted, nested arrays and typed arrays are read (typed arrays as one row
 * per element).
 *
 * @example
 * toTensor([[0, 1], [2, 3]], 'fit', 'x', 'float32').shape; // [2, 2]
 */
export function toTensor(value: unknown, where: string, name: string, dtype: DType): Tensor {
  let t: Tensor;
  if (value instanceof Tensor) t = value;
  else if (Array.isArray(value)) {
    const { shape, flat } = fromNested(value, where, name);
    t = new Tensor(dtype === 'float64' ? Float64Array.from(flat) : Float32Array.from(flat), shape);
  } else if (value instanceof Float32Array || value instanceof Float64Array || value instanceof Int32Array) {
    t = new Tensor(value, [value.length]);
  } else {
    throw new Error(`${where}: expected ${name} to be a Tensor or a nested array of numbers, received ${describe(value)}`);
  }
  if (t.rank === 0) throw new Error(`${where}: expected ${name} to have a batch axis (one row per sample), received a scalar`);
  if (t.dtype === dtype) return t;
  return new Tensor(dtype === 'float64' ? Float64Array.from(t.values()) : Float32Array.from(t.values()), t.shape);
}

/**
 * The float dtype a model computes in: float64 if its weights are, else float32.
 * @example modelDtype(model); // 'float32'
 */
export function modelDtype(model: TrainableModel): 'float32' | 'float64' {
  return model.weights.some((w) => w.dtype === 'float64') ? 'float64' : 'float32';
}

/**
 * A positive integer batch size, or an error naming the argument.
 * @example checkBatchSize(2.5, 'predict'); // throws "predict: expected batchSize to be a positive integer, received 2.5"
 */
export function checkBatchSize(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${where}: expected batchSize to be a positive integer, received ${describe(value)}`);
  }
  return value;
}

/**
 * x as one tensor per model input, each checked against the input shape the model expects (in
 * the user's shape, with a hint when only the batch axis is missing); every input holds the
 * same number of samples, at least one.
 *
 * @example
 * checkInputs(mnistModel, zeros([28, 28, 1]), 'predict', 'float32');
 * // throws "predict: x has shape (28, 28, 1), one sample without a batch axis; add a batch axis: shape [1, 28, 28, 1] …"
 */
export function checkInputs(model: TrainableModel, x: unknown, where: string, dtype: DType): Tensor[] {
  const expected = model.inputShapes;
  const count = expected?.length ?? 1;
  const several = Array.isArray(x) && x.length > 0 && x.every((v) => v instanceof Tensor);
  if (count > 1 && !several) {
    throw new Error(
      `${where}: model "${model.name}" has ${count} inputs; expected x as an array of ${count} tensors, received ${describe(x)}`,
    );
  }
  const list = several ? (x as Tensor[]) : [x];
  if (list.length !== count) {
    throw new Error(`${where}: model "${model.name}" has ${count} input(s); expected x as ${count} tensor(s), received ${list.length}`);
  }
  const xs = list.map((v, i) => toTensor(v, where, count > 1 ? `x[${i}]` : 'x', dtype));
  xs.forEach((t, i) => {
    const want = expected?.[i];
    if (want) checkShape(t, want, where, count > 1 ? `x[${i}]` : 'x', count > 1 ? `input ${i}` : 'input', model.name);
  });
  const n = xs[0]!.shape[0]!;
  xs.forEach((t, i) => {
    if (t.shape[0] !== n) {
      throw new Error(
        `${where}: every input needs the same number of samples: x[0] has ${n}, x[${i}] has ${t.shape[0]} (shape ${formatShape(t.shape)})`,
      );
    }
  });
  if (n === 0) throw new Error(`${where}: x holds no samples (shape ${formatShape(xs[0]!.shape)}); expected at least one`);
  return xs;
}

function checkShape(t: Tensor, want: Shape, where: string, name: string, what: string, model: string): void {
  const fits = t.rank === want.length && want.every((d, j) => j === 0 || d === null || d === t.shape[j]);
  if (fits) return;
  const sample = want.slice(1);
  if (t.rank === sample.length && sample.every((d, j) => d === null || d === t.shape[j])) {
    throw new Error(
      `${where}: ${name} has shape ${formatShape(t.shape)}, one sample without a batch axis; ` +
        `add a batch axis: shape [1, ${t.shape.join(', ')}] (expected ${formatShape(want)})`,
    );
  }
  throw new Error(
    `${where}: expected ${name} of shape ${formatShape(want)} (the ${what} of model "${model}"), received ${formatShape(t.shape)}`,
  );
}

/** What a loss or metric of a target kind expects for a model output of shape `out` and n samples. */
function expectedTargets(kind: TargetKind, out: Shape, n: number): { shapes: number[][]; text: string } {
  const rest = out.slice(1).map((d) => d ?? -1);
  if (kind === 'dense') return { shapes: [[n, ...rest]], text: formatShape([n, ...rest]) };
  const labels = [n, ...rest.slice(0, -1)];
  return { shapes: [labels, [...labels, 1]], text: `${formatShape(labels)} or ${formatShape([...labels, 1])} (integer class indices)` };
}

const fitsShape = (actual: readonly number[], want: number[]): boolean =>
  actual.length === want.length && want.every((d, i) => d === -1 || d === actual[i]);

/**
 * y checked against the loss and every metric before any step: its shape (in the user's terms)
 * and, for integer labels, that each is a class index the output has, naming the sample.
 * Returns y, given a trailing axis of 1 when the output has one and y lacks it (Keras 3's
 * squeeze_or_expand_to_same_rank: labels of shape (n,) for a one-unit sigmoid output).
 *
 * @example
 * const y = checkTargets(model, model.compiled!, labels, images, 'fit'); // throws "fit: y[300] is 15, …" for a bad label
 */
export function checkTargets(model: TrainableModel, compiled: Compiled, yIn: Tensor, x: Tensor, where: string): Tensor {
  const samples = x.shape[0]!;
  const out = model.outputShape;
  const y = yIn.rank === out.length - 1 && out[out.length - 1] === 1 ? new Tensor(yIn.data, [...yIn.shape, 1]) : yIn;
  if (y.shape[0] !== samples) {
    throw new Error(
      `${where}: x and y must hold the same number of samples, received x ${formatShape(x.shape)} and y ${formatShape(y.shape)}`,
    );
  }
  const users = [
    { kind: compiled.loss.targets, label: `loss '${compiled.loss.name}'` },
    ...compiled.metrics.map((m) => ({ kind: m.targets, label: `metric '${m.name}'` })),
  ];
  for (const { kind, label } of users) {
    if (!kind) continue;
    const { shapes, text } = expectedTargets(kind, out, samples);
    if (!shapes.some((s) => fitsShape(y.shape, s))) {
      const hint =
        kind === 'dense' && y.rank === out.length - 1
          ? `; integer labels need 'sparseCategoricalCrossentropy' (or oneHot(labels, ${out[out.length - 1]}))`
          : kind === 'sparse' && fitsShape(y.shape, [samples, ...out.slice(1).map((d) => d ?? -1)])
            ? "; one-hot targets need 'categoricalCrossentropy' / 'categoricalAccuracy'"
            : '';
      throw new Error(
        `${where}: ${label} expects y of shape ${text} for the model's output ${formatShape(out)}, received ${formatShape(y.shape)}${hint}`,
      );
    }
    if (kind === 'sparse') checkLabels(y, out[out.length - 1] ?? 0, where);
  }
  return y;
}

/** Every label an integer in [0, classes), else an error naming the sample in the user's array. */
function checkLabels(y: Tensor, classes: number, where: string): void {
  const perSample = y.size / Math.max(1, y.shape[0]!);
  const labels = y.values();
  for (let i = 0; i < y.size; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      const sample = Math.floor(i / perSample);
      const at = perSample === 1 ? `y[${sample}]` : `y[${sample}] (value ${i - sample * perSample} of that sample)`;
      throw new Error(`${where}: ${at} is ${c}, expected a class index in [0, ${classes - 1}] (the model's output has ${classes} classes)`);
    }
  }
}
