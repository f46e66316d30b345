/**
 * TensorFlow.js layers models: `model.json` (topology in Keras 2 form, `weightsManifest`) plus
 * binary weight shards. Reading accepts files without a `format` field, several shards per group,
 * and uint8 / uint16 / float16 quantized weights (value = q·scale + min); every size in the
 * manifest is checked against the shard bytes before anything is allocated. Optimizer state
 * (tfjs's group "optimizer") is written and restored by tfjs-optimizer.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { withWeightBudget } from '../layers/initializers.js';
import { serializeLayer } from '../layers/registry.js';
import { Model } from '../models/model.js';
import { Tensor } from '../tensor/tensor.js';
import { writeFileAtomic } from './atomic.js';
import { compileConfig, compileFromConfig } from './compile-config.js';
import { FileFormatError } from './errors.js';
import { layerFromKeras, toKeras } from './keras-config.js';
import { parseJson } from './keras-file.js';
import { limits } from './limits.js';
import { floatToHalf, halfToFloat } from './float16.js';
import { restoreTfjsOptimizer, tfjsOptimizerWeights } from './tfjs-optimizer.js';

export type Quantization = 'uint8' | 'uint16' | 'float16';

/** Options of `model.save('dir/model.json', …)`. */
export interface TfjsSaveOptions {
  /** Store weights quantized (smaller files, lossy), as tensorflowjs_converter's --quantize_* do. */
  quantize?: Quantization;
  /** Maximum bytes per shard file (default 4 MiB, as tfjs). */
  shardBytes?: number;
  /**
   * Store the optimizer's state too (default true, as Keras's `model.save`; tfjs's own default is
   * false): manifest entries of group "optimizer", which `tf.loadLayersModel` restores.
   */
  includeOptimizer?: boolean;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  group?: string;
  quantization?: { dtype: Quantization; scale?: number; min?: number; original_dtype?: string };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

/** Encodes one weight (quantized if asked) and its manifest entry. */
function encodeWeight(
  name: string,
  w: Float32Array | Float64Array,
  shape: readonly number[],
  q: Quantization | undefined,
): [WeightSpec, Uint8Array] {
  const spec: WeightSpec = { name, shape: [...shape], dtype: 'float32' };
  if (!q) return [spec, new Uint8Array(Float32Array.from(w).buffer)];
  if (q === 'float16') {
    spec.quantization = { dtype: 'float16' };
    return [spec, new Uint8Array(Uint16Array.from(w, floatToHalf).buffer)];
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of w) [min, max] = [Math.min(min, v), Math.max(max, v)];
  if (w.length === 0) [min, max] = [0, 0];
  const levels = q === 'uint8' ? 255 : 65535;
  const scale = max > min ? (max - min) / levels : 1;
  spec.quantization = { dtype: q, scale, min };
  const out = q === 'uint8' ? new Uint8Array(w.length) : new Uint16Array(w.length);
  for (let i = 0; i < w.length; i++) out[i] = Math.round((w[i]! - min) / scale);
  return [spec, new Uint8Array(out.buffer)];
}

/** model.json and its shard files (name → bytes); shard names carry a content hash. */
export function tfjsArtifacts(
  model: Model,
  options: TfjsSaveOptions = {},
): { json: Record<string, unknown>; shards: [string, Uint8Array][] } {
  const specs: WeightSpec[] = [];
  const parts: Uint8Array[] = [];
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const [spec, bytes] = encodeWeight(w.name, w.values() as Float32Array, w.shape, options.quantize);
      specs.push(spec);
      parts.push(bytes);
    }
  }
  if (options.includeOptimizer !== false) {
    for (const w of tfjsOptimizerWeights(model)) {
      specs.push({ name: w.name, shape: w.shape, dtype: w.dtype, group: 'optimizer' });
      parts.push(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength));
    }
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const shardBytes = options.shardBytes ?? 4 * 1024 * 1024;
  const count = Math.max(1, Math.ceil(total / shardBytes));
  const tag = createHash('sha256').update(all).digest('hex').slice(0, 8);
  const shards: [string, Uint8Array][] = Array.from({ length: count }, (_, i) => [
    `group1-shard${i + 1}of${count}.${tag}.bin`,
    all.subarray(i * shardBytes, Math.min(total, (i + 1) * shardBytes)),
  ]);
  const json: Record<string, unknown> = {
    format: 'layers-model',
    generatedBy: 'Convkit 0.1.0',
    convertedBy: null,
    modelTopology: { ...toKeras(serializeLayer(model), 'keras2'), keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    weightsManifest: [{ paths: shards.map(([name]) => name), weights: specs }],
  };
  const training = compileConfig(model, 'keras2');
  if (training) json['trainingConfig'] = training;
  return { json, shards };
}

/** Saves model.json and its shards: shards first, model.json last (each atomically), then old shards go. */
export function saveTfjs(model: Model, path: string, options: TfjsSaveOptions = {}): void {
  const dir = dirname(path);
  const old = existsSync(path) ? shardPaths(path) : [];
  const { json, shards } = tfjsArtifacts(model, options);
  for (const [name, bytes] of shards) writeFileAtomic(join(dir, name), [bytes]);
  writeFileAtomic(path, [new TextEncoder().encode(JSON.stringify(json))]);
  const kept = new Set(shards.map(([name]) => join(dir, name)));
  for (const p of old) if (!kept.has(p)) rmSync(p, { force: true });
}

function shardPaths(path: string): string[] {
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { weightsManifest?: { paths?: string[] }[] };
    return (json.weightsManifest ?? [])
      .flatMap((g) => g.paths ?? [])
      .filter((p) => basename(p) === p)
      .map((p) => join(dirname(path), p));
  } catch {
    return [];
  }
}

function fail(where: string, expected: string, received: unknown): never {
  throw new FileFormatError(
    where,
    null,
    expected,
    typeof received === 'string' ? received : (JSON.stringify(received)?.slice(0, 200) ?? String(received)),
  );
}

/** Decodes one manifest entry's bytes to float32 values. */
function decodeWeight(spec: WeightSpec, bytes: Uint8Array, where: string): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const q = spec.quantization;
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!q) {
    if (spec.dtype === 'int32') for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
    else for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  if (q.dtype === 'float16') {
    for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
    return out;
  }
  const { scale, min } = q;
  if (typeof scale !== 'number' || typeof min !== 'number' || !Number.isFinite(scale) || !Number.isFinite(min))
    fail(where, `numeric scale and min for ${q.dtype} weight ${spec.name}`, q);
  for (let i = 0; i < n; i++) out[i] = (q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true)) * scale + min;
  return out;
}

function checkSpec(raw: unknown, where: string): WeightSpec {
  const s = raw as WeightSpec;
  if (typeof s !== 'object' || s === null || typeof s.name !== 'string') fail(where, 'a weight entry {name, shape, dtype}', raw);
  if (!Array.isArray(s.shape) || s.shape.some((d) => !Number.isSafeInteger(d) || d < 0))
    fail(`${where} "${s.name}"`, 'a shape of non-negative integers', s.shape);
  if (s.dtype !== 'float32' && s.dtype !== 'int32') fail(`${where} "${s.name}"`, "dtype 'float32' or 'int32'", s.dtype);
  if (s.quantization !== undefined && !['uint8', 'uint16', 'float16'].includes(s.quantization?.dtype))
    fail(`${where} "${s.name}"`, 'quantization dtype uint8, uint16 or float16', s.quantization);
  return s;
}

/**
 * A TensorFlow.js layers model in memory, with the field names of tfjs's `ModelArtifacts` (what
 * `tf.io.fromMemory` takes): the topology, the manifest's weight entries in order, and their bytes
 * concatenated in that order (every group's shards, one after the other).
 */
export interface TfjsArtifacts {
  /** model.json's `modelTopology` (Keras 2 form; a `model_config` wrapper is unwrapped). */
  modelTopology: Record<string, unknown>;
  /** The weight entries of every manifest group, in order. */
  weightSpecs: unknown[];
  /** The weights' bytes (quantized as their specs say). */
  weightData: ArrayBuffer | Uint8Array;
  /** model.json's `trainingConfig`, if any: the model is compiled with it. */
  trainingConfig?: unknown;
}

/**
 * Builds a model from TensorFlow.js artifacts held in memory (a model.json's parts, e.g. from a
 * package that ships them inside JS modules), with the checks `loadModel('model.json')` makes.
 *
 * @example
 * const json = JSON.parse(readFileSync('web/model.json', 'utf8'));
 * const weightData = readFileSync('web/group1-shard1of1.bin');
 * const m = loadTfjsArtifacts({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData });
 */
export function loadTfjsArtifacts(artifacts: TfjsArtifacts, where = 'TensorFlow.js artifacts'): Model {
  if (typeof artifacts !== 'object' || artifacts === null) fail(where, '{modelTopology, weightSpecs, weightData}', artifacts);
  const { modelTopology, weightSpecs, weightData, trainingConfig } = artifacts;
  if (!Array.isArray(weightSpecs)) fail(`${where}: weightSpecs`, 'a list of weight entries', weightSpecs);
  if (!(weightData instanceof ArrayBuffer) && !(weightData instanceof Uint8Array))
    fail(`${where}: weightData`, 'an ArrayBuffer or Uint8Array', Object.prototype.toString.call(weightData));
  const bytes = weightData instanceof Uint8Array ? weightData : new Uint8Array(weightData);
  const specs = weightSpecs.map((w, i) => checkSpec(w, `${where}: weightSpecs[${i}]`));
  return buildModel(modelTopology, specs, bytes, trainingConfig, where, `${where}: weightData`);
}

/** Decodes the weights (bytes in spec order), builds the topology, compiles if asked, assigns by name. */
function buildModel(
  topologyIn: unknown,
  specs: WeightSpec[],
  bytes: Uint8Array,
  trainingConfig: unknown,
  where: string,
  bytesWhere: string,
): Model {
  let topology = topologyIn as Record<string, unknown>;
  if (typeof topology !== 'object' || topology === null) fail(where, 'a modelTopology object', topology);
  if ('model_config' in topology) topology = topology['model_config'] as Record<string, unknown>;
  const needed = specs.reduce((n, s) => n + byteLength(s), 0);
  if (needed !== bytes.length) fail(bytesWhere, `${needed} bytes (the weight entries' sizes)`, `${bytes.length} bytes`);
  if (needed > limits.maxArrayBytes) fail(bytesWhere, `at most ${limits.maxArrayBytes} bytes of weights`, `${needed}`);
  const values = new Map<string, { spec: WeightSpec; data: Float32Array }>();
  const optimizerValues = new Map<string, Float32Array | Int32Array>();
  let offset = 0;
  for (const spec of specs) {
    const len = byteLength(spec);
    const chunk = bytes.subarray(offset, offset + len);
    if (spec.group !== 'optimizer') values.set(spec.name, { spec, data: decodeWeight(spec, chunk, bytesWhere) });
    else if (spec.dtype === 'int32' && !spec.quantization) optimizerValues.set(spec.name, new Int32Array(chunk.slice().buffer));
    else optimizerValues.set(spec.name, decodeWeight(spec, chunk, bytesWhere));
    offset += len;
  }
  const stored = [...values.values()].reduce((n, v) => n + v.data.length, 0);
  const model = withWeightBudget(stored, `${where}: modelTopology`, () => layerFromKeras(topology, `${where}: modelTopology`));
  if (!(model instanceof Model)) fail(where, 'a Sequential or Functional model', model.className);
  if (trainingConfig) compileFromConfig(model, trainingConfig, `${where}: trainingConfig`);
  for (const layer of model.layers) {
    const updates = layer.weights.map((w) => {
      const found = values.get(w.name);
      if (!found) fail(where, `a weight "${w.name}" in the manifest`, `only ${[...values.keys()].slice(0, 20).join(', ')}`);
      if (found.spec.shape.length !== w.shape.length || found.spec.shape.some((d, i) => d !== w.shape[i])) {
        fail(where, `shape [${w.shape.join(', ')}] for "${found.spec.name}"`, `[${found.spec.shape.join(', ')}]`);
      }
      const data = w.data instanceof Float64Array ? Float64Array.from(found.data) : found.data;
      return [w, new Tensor(data, [...w.shape])] as const;
    });
    for (const [w, t] of updates) w.assign(t);
  }
  restoreTfjsOptimizer(model, optimizerValues, where);
  return model;
}

const byteLength = (s: WeightSpec): number => s.shape.reduce((a, b) => a * b, 1) * BYTES[s.quantization?.dtype ?? s.dtype]!;

/**
 * Reads model.json and its shards into a model. Shard paths must stay inside the model's folder.
 */
export function loadTfjs(path: string): Model {
  const file = resolve(path);
  const json = parseJson(readFileSync(file), file) as Record<string, unknown>;
  if (typeof json !== 'object' || json === null) fail(file, 'a JSON object', json);
  if (json['format'] !== undefined && json['format'] !== 'layers-model')
    fail(file, "format 'layers-model' (a graph model cannot be loaded as layers)", json['format']);
  const manifest = json['weightsManifest'];
  if (!Array.isArray(manifest)) fail(file, 'a weightsManifest list', manifest);
  const allSpecs: WeightSpec[] = [];
  const groups: Uint8Array[] = [];
  const dir = dirname(file);
  manifest.forEach((group: { paths?: unknown; weights?: unknown }, g) => {
    const where = `${file}: weightsManifest[${g}]`;
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) fail(where, '{paths: [...], weights: [...]}', group);
    const paths = group.paths.map((p) => {
      const full = resolve(dir, String(p));
      if (!full.startsWith(dir + sep)) fail(where, 'shard paths inside the model folder', p);
      return full;
    });
    const sizes = paths.map((p) => {
      try {
        return statSync(p).size;
      } catch {
        return fail(where, `shard file ${p}`, 'no such file');
      }
    });
    const total = sizes.reduce((a, b) => a + b, 0);
    const specs = group.weights.map((w, i) => checkSpec(w, `${where}.weights[${i}]`));
    const needed = specs.reduce((n, s) => n + byteLength(s), 0);
    if (needed !== total)
      fail(where, `shards totalling ${needed} bytes (the manifest's weights)`, `${total} bytes in ${paths.length} file(s)`);
    if (needed > limits.maxArrayBytes) fail(where, `at most ${limits.maxArrayBytes} bytes of weights`, `${needed}`);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const p of paths) {
      const chunk = readFileSync(p);
      bytes.set(chunk.subarray(0, total - at), at);
      at += chunk.length;
    }
    allSpecs.push(...specs);
    groups.push(bytes);
  });
  const bytes = groups.length === 1 ? groups[0]! : concat(groups);
  return buildModel(json['modelTopology'], allSpecs, bytes, json['trainingConfig'], file, `${file}: weightsManifest`);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
