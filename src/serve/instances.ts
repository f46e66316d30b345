/**
 * The JSON side of `:predict`, as TensorFlow Serving's REST API defines it: the row format
 * `{"instances": [x0, x1, ...]}` (answered with `{"predictions": [...]}`) and the columnar format
 * `{"inputs": [x0, x1, ...]}` (answered with `{"outputs": [...]}`). Each instance is a nested array
 * of the model's input shape without the batch axis, or `{"b64": "<PNG or JPEG bytes>"}`.
 * Every refusal names the instance index and the shape expected and received.
 */
import { HttpError } from './http-error.js';

/** One parsed instance: its values, or the bytes of an image still to decode. */
export type Instance = Float32Array | { image: Buffer };

export interface PredictRequest {
  instances: Instance[];
  /** Which key held them: the answer uses `predictions` for `instances`, `outputs` for `inputs`. */
  format: 'instances' | 'inputs';
}

const showShape = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** The shape of a nested array as far as its first elements go (for error messages). */
function shapeOf(value: unknown): number[] {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  return shape;
}

/** Copies `value` (nested arrays of `shape`) into `out` at `offset`; returns false on any mismatch. */
function fill(value: unknown, shape: readonly number[], dim: number, out: Float32Array, offset: number): boolean {
  if (!Array.isArray(value) || value.length !== shape[dim]) return false;
  if (dim === shape.length - 1) {
    for (let i = 0; i < value.length; i++) {
      const x = value[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) return false;
      out[offset + i] = x;
    }
    return true;
  }
  const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < value.length; i++) if (!fill(value[i], shape, dim + 1, out, offset + i * stride)) return false;
  return true;
}

/** Explains why `value` did not fit `shape` (the slow path, taken only after fill failed). */
function mismatch(value: unknown, shape: readonly number[], where: string): string {
  const received = shapeOf(value);
  const same = received.length === shape.length && received.every((d, i) => d === shape[i]);
  if (!same) return `${where}: expected shape ${showShape(shape)}, received ${Array.isArray(value) ? showShape(received) : typeof value}`;
  // Right outer shape: find the first ragged row or non-number.
  const walk = (v: unknown, dim: number, path: string): string => {
    if (dim === shape.length)
      return typeof v === 'number' && Number.isFinite(v)
        ? ''
        : `${where}${path}: expected a finite number, received ${JSON.stringify(v) ?? typeof v}`;
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      return `${where}${path}: expected ${shape[dim]} values (input shape ${showShape(shape)}), received ${Array.isArray(v) ? v.length : JSON.stringify(v)}`;
    }
    for (let i = 0; i < v.length; i++) {
      const problem = walk(v[i], dim + 1, `${path}[${i}]`);
      if (problem) return problem;
    }
    return '';
  };
  return walk(value, 0, '') || `${where}: does not fit ${showShape(shape)}`;
}

/**
 * Parses a `:predict` JSON body for a model whose one input has `shape` (without the batch axis).
 *
 * @example
 * parsePredictBody({ instances: [[[0], [1]]] }, [2, 1]);   // { format: 'instances', instances: [Float32Array [0, 1]] }
 */
export function parsePredictBody(body: unknown, shape: readonly number[], maxInstances: number): PredictRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(
      400,
      `expected a JSON object {"instances": [...]} or {"inputs": [...]}, received ${Array.isArray(body) ? 'an array' : typeof body}`,
    );
  }
  const record = body as Record<string, unknown>;
  const keys = ['instances', 'inputs'].filter((k) => k in record);
  if (keys.length !== 1) {
    throw new HttpError(400, `expected exactly one of "instances" or "inputs", received keys ${JSON.stringify(Object.keys(record))}`);
  }
  const format = keys[0] as 'instances' | 'inputs';
  const list = record[format];
  if (!Array.isArray(list)) throw new HttpError(400, `"${format}": expected a list of inputs, received ${typeof list}`);
  if (list.length === 0) throw new HttpError(400, `"${format}": expected at least one input, received an empty list`);
  if (list.length > maxInstances)
    throw new HttpError(413, `"${format}": ${list.length} inputs in one request, the limit is ${maxInstances}`);
  const size = shape.reduce((a, b) => a * b, 1);
  const instances = list.map((value, i): Instance => {
    const where = `${format}[${i}]`;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const b64 = (value as Record<string, unknown>)['b64'];
      if (typeof b64 !== 'string')
        throw new HttpError(400, `${where}: expected a nested array or {"b64": "<image bytes>"}, received an object without "b64"`);
      return { image: Buffer.from(b64, 'base64') };
    }
    const out = new Float32Array(size);
    if (!fill(value, shape, 0, out, 0)) throw new HttpError(400, mismatch(value, shape, where));
    return out;
  });
  return { instances, format };
}
