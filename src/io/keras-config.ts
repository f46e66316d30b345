/**
 * Convkit layer configs (camelCase, `{className, config}`) ↔ Keras configs (snake_case,
 * `{module, class_name, config, registered_name}`), for Keras 3 (`.keras`: DTypePolicy dtypes,
 * InputLayer `batch_shape`, `__keras_tensor__` inbound nodes) and Keras 2 / TensorFlow.js
 * (`.h5`, model.json: `batch_input_shape`, nested-list inbound nodes). Reading accepts both.
 * Classes come only from the layer registry (built-ins plus registered custom layers): a file
 * cannot name code to run.
 */
import { layerFromConfig, registeredLayerClasses, type SerializedLayer } from '../layers/registry.js';
import type { Layer, LayerConfig } from '../layers/layer.js';

export type KerasFlavor = 'keras3' | 'keras2';
type Json = Record<string, unknown>;
type NodeRef = [string, number, number];

const SNAKE_SPECIAL: Record<string, string> = {
  beta1: 'beta_1',
  beta2: 'beta_2',
  clipNorm: 'clipnorm',
  globalClipNorm: 'global_clipnorm',
  clipValue: 'clipvalue',
};
const CAMEL_SPECIAL = Object.fromEntries(Object.entries(SNAKE_SPECIAL).map(([k, v]) => [v, k]));

/** `kernelSize` → `kernel_size` (Keras's spelling of an option). */
export function snakeKey(key: string): string {
  return SNAKE_SPECIAL[key] ?? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
/** `kernel_size` → `kernelSize`. */
export function camelKey(key: string): string {
  return CAMEL_SPECIAL[key] ?? key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const MODULES: Record<string, string> = { initializer: 'keras.initializers', regularizer: 'keras.regularizers' };

/** Options a Keras file may carry that Convkit lacks, harmless at these values (anything else is an error). */
const NEUTRAL: Record<string, unknown[]> = {
  groups: [1],
  activity_regularizer: [null],
  kernel_constraint: [null],
  bias_constraint: [null],
  depthwise_constraint: [null],
  pointwise_constraint: [null],
  beta_constraint: [null],
  gamma_constraint: [null],
  beta_regularizer: [null],
  gamma_regularizer: [null],
  depthwise_regularizer: [null],
  pointwise_regularizer: [null],
  lora_rank: [null],
  lora_alpha: [null],
  quantization_config: [null],
  synchronized: [false],
  renorm: [false],
  renorm_clipping: [null],
  renorm_momentum: [0.99],
  fused: [null, true, false],
  virtual_batch_size: [null],
  adjustment: [null],
  sparse: [false],
  ragged: [false],
  optional: [false],
  input_dtype: ['float32'],
  autocast: [true],
  output_padding: [null],
};

function kerasActivation(name: unknown): unknown {
  return typeof name === 'string' ? name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : name;
}

function isObjectSpec(v: unknown): v is { className: string; config: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Json)['className'] === 'string';
}

/** A nested `{className, config}` (initializer, regularizer, schedule) in Keras's form. */
function kerasObject(spec: { className: string; config: Json }, module: string, flavor: KerasFlavor): Json {
  const config = Object.fromEntries(Object.entries(spec.config).map(([k, v]) => [snakeKey(k), v]));
  return flavor === 'keras3'
    ? { module, class_name: spec.className, config, registered_name: null }
    : { class_name: spec.className, config };
}

function dtypePolicy(dtype: unknown, flavor: KerasFlavor): unknown {
  if (flavor === 'keras2' || typeof dtype !== 'string') return dtype;
  return { module: 'keras', class_name: 'DTypePolicy', config: { name: dtype }, registered_name: null };
}

/** Convkit's config of one (non-model) layer → Keras's `config` dict. */
function kerasLayerConfig(className: string, config: LayerConfig, flavor: KerasFlavor): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === 'batchInputShape' && flavor === 'keras3') continue;
    let k = snakeKey(key);
    let v: unknown = value;
    if (key === 'dtype')
      v = className === 'InputLayer' ? value : dtypePolicy(value, flavor); // Keras writes InputLayer's dtype as a string
    else if (key === 'activation') v = kerasActivation(value);
    else if (key === 'dataFormat') v = 'channels_last';
    else if (isObjectSpec(value)) v = kerasObject(value, MODULES[key.endsWith('Regularizer') ? 'regularizer' : 'initializer']!, flavor);
    if (className === 'LeakyReLU' && key === 'alpha' && flavor === 'keras3') k = 'negative_slope';
    if (className === 'InputLayer' && key === 'batchShape' && flavor === 'keras2') k = 'batch_input_shape';
    out[k] = v;
  }
  return out;
}

/**
 * A serialized Convkit layer or model → the Keras object (`{module, class_name, config,
 * registered_name}` for Keras 3, `{class_name, config}` for Keras 2).
 *
 * @example
 * toKeras(serializeLayer(model), 'keras3').class_name;   // 'Sequential'
 */
export function toKeras(layer: SerializedLayer, flavor: KerasFlavor): Json {
  const { className, config } = layer;
  const wrap = (module: string, cfg: Json): Json =>
    flavor === 'keras3' ? { module, class_name: className, config: cfg, registered_name: null } : { class_name: className, config: cfg };
  if (className === 'Sequential') {
    const layers = (config['layers'] as SerializedLayer[]).map((l) => toKeras(l, flavor));
    const first = (config['layers'] as SerializedLayer[])[0];
    const batchShape = first?.config['batchInputShape'] as (number | null)[] | undefined;
    if (flavor === 'keras3' && batchShape) {
      layers.unshift({
        module: 'keras.layers',
        class_name: 'InputLayer',
        config: { batch_shape: batchShape, dtype: first!.config['dtype'] ?? 'float32', sparse: false, name: `${config['name']}_input` },
        registered_name: null,
      });
    }
    const cfg: Json = { name: config['name'], trainable: true, dtype: dtypePolicy('float32', flavor), layers };
    if (batchShape && flavor === 'keras3') cfg['build_input_shape'] = batchShape;
    const out = wrap('keras', cfg);
    if (batchShape && flavor === 'keras3') out['build_config'] = { input_shape: batchShape };
    return out;
  }
  if (className === 'Functional') {
    type Entry = SerializedLayer & { name: string; inboundNodes: NodeRef[][] };
    const entries = config['layers'] as Entry[];
    const shapes = new Map<string, (number | null)[]>();
    const layers = entries.map((entry) => {
      const obj = toKeras(entry, flavor);
      obj['name'] = entry.name;
      if (flavor === 'keras3') {
        obj['inbound_nodes'] = entry.inboundNodes.map((refs) => {
          const tensors = refs.map(([name, node, index]) => ({
            class_name: '__keras_tensor__',
            config: { shape: shapes.get(`${name}/${node}`) ?? null, dtype: 'float32', keras_history: [name, node, index] },
          }));
          return { args: tensors.length === 1 ? tensors : [tensors], kwargs: {} };
        });
      } else {
        obj['inbound_nodes'] = entry.inboundNodes.map((refs) => refs.map(([name, node, index]) => [name, node, index, {}]));
      }
      return obj;
    });
    const cfg: Json = {
      name: config['name'],
      trainable: true,
      layers,
      input_layers: config['inputLayers'],
      output_layers: config['outputLayers'],
    };
    return wrap(flavor === 'keras3' ? 'keras.src.models.functional' : 'keras', cfg);
  }
  return wrap('keras.layers', kerasLayerConfig(className, config, flavor));
}

/** Layer output shapes by `name/nodeIndex`, to fill `__keras_tensor__` shapes (optional). */
export function withTensorShapes(keras: Json, shapes: Map<string, (number | null)[]>): Json {
  const layers = (keras['config'] as Json)['layers'] as Json[];
  for (const l of layers) {
    for (const node of (l['inbound_nodes'] as Json[] | undefined) ?? []) {
      const args = node['args'] as unknown[];
      const tensors = (Array.isArray(args[0]) ? args[0] : args) as Json[];
      for (const t of tensors) {
        const c = t['config'] as Json;
        const [name, idx] = c['keras_history'] as NodeRef;
        c['shape'] = shapes.get(`${name}/${idx}`) ?? c['shape'];
      }
    }
  }
  return keras;
}

// ---------------------------------------------------------------------------------------------
// Reading

function fail(where: string, expected: string, received: unknown): never {
  const text = typeof received === 'string' ? received : JSON.stringify(received)?.slice(0, 200);
  throw new Error(`${where}: expected ${expected}, received ${text}`);
}

function asObject(v: unknown, where: string, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, what, v);
  return v as Json;
}

function fromKerasObject(v: unknown, where: string): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = v as Json;
  if (typeof o['class_name'] !== 'string') return v;
  const config = asObject(o['config'] ?? {}, where, 'an object config');
  return { className: o['class_name'], config: Object.fromEntries(Object.entries(config).map(([k, x]) => [camelKey(k), x])) };
}

/** Keras's VarianceScaling forms (tfjs writes these) → the named initializer they equal. */
function namedVarianceScaling(spec: { className: string; config: Json }, where: string): unknown {
  if (spec.className !== 'VarianceScaling') return spec;
  const { scale, mode, distribution } = spec.config as { scale: number; mode: string; distribution: string };
  const normal = distribution === 'normal' || distribution === 'truncated_normal';
  const table: Record<string, string> = {
    '1/fan_avg/u': 'GlorotUniform',
    '1/fan_avg/n': 'GlorotNormal',
    '2/fan_in/n': 'HeNormal',
    '2/fan_in/u': 'HeUniform',
    '1/fan_in/n': 'LecunNormal',
    '1/fan_in/u': 'LecunUniform',
  };
  const className = table[`${scale}/${mode}/${normal ? 'n' : distribution === 'uniform' ? 'u' : '?'}`];
  if (!className) fail(where, 'a VarianceScaling initializer equal to a Glorot, He or Lecun one', spec.config);
  return { className, config: {} };
}

function dtypeName(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  const o = asObject(v, where, 'a dtype or DTypePolicy');
  const name = (o['config'] as Json | undefined)?.['name'];
  if (typeof name !== 'string') fail(where, 'a DTypePolicy with a name', v);
  return name;
}

/** Keras's `config` of one layer → Convkit's, refusing options Convkit would silently ignore. */
function convkitLayerConfig(className: string, raw: Json, where: string): LayerConfig {
  const out: LayerConfig = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key in NEUTRAL) {
      if (!NEUTRAL[key]!.some((n) => JSON.stringify(n) === JSON.stringify(value))) {
        fail(
          `${where}: option '${key}'`,
          `${NEUTRAL[key]!.map((n) => JSON.stringify(n)).join(' or ')} (Convkit does not support other values)`,
          value,
        );
      }
      continue;
    }
    let k = camelKey(key);
    let v = value;
    if (key === 'dtype') {
      v = dtypeName(value, `${where}: dtype`);
      if (v !== 'float32' && v !== 'float64') fail(`${where}: dtype`, 'float32 or float64', v);
    } else if (key === 'data_format') {
      if (value !== 'channels_last') fail(`${where}: data_format`, "'channels_last' (NHWC)", value);
      v = 'channelsLast';
    } else if (key === 'activation' && typeof value === 'object' && value !== null) {
      v = (value as Json)['config'];
    } else if (key.endsWith('_initializer') || key.endsWith('_regularizer')) {
      v = fromKerasObject(value, `${where}: ${key}`);
      if (isObjectSpec(v)) v = namedVarianceScaling(v, `${where}: ${key}`);
    } else if (key === 'batch_input_shape' && className === 'InputLayer') {
      k = 'batchShape';
    } else if (key === 'negative_slope' && className === 'LeakyReLU') {
      k = 'alpha';
    }
    out[k] = v;
  }
  return out;
}

/** The class a Keras object names, checked against the registry's allow-list. */
function className(obj: Json, where: string): string {
  const name = obj['class_name'];
  if (typeof name !== 'string') fail(where, 'an object with a class_name', obj);
  return name === 'Model' ? 'Functional' : name;
}

/**
 * A Keras object (Keras 3 or 2, or TensorFlow.js's topology) → Convkit's serialized form.
 *
 * @example
 * const serialized = fromKeras(JSON.parse(configJson), 'm.keras: config.json');
 */
export function fromKeras(raw: unknown, where: string): SerializedLayer {
  const obj = asObject(raw, where, 'a Keras object {class_name, config}');
  const cls = className(obj, where);
  // Keras 1 and early TensorFlow.js wrote a Sequential's config as the bare list of layers.
  const rawConfig = cls === 'Sequential' && Array.isArray(obj['config']) ? { layers: obj['config'] } : obj['config'];
  const config = asObject(rawConfig, `${where}: ${cls}`, 'a config object');
  const here = `${where}: ${cls} "${String(config['name'] ?? '?')}"`;
  if (cls === 'Sequential') {
    const list = config['layers'];
    if (!Array.isArray(list)) fail(here, 'a list of layers', list);
    const layers = list.map((l, i) => fromKeras(l, `${here} layer ${i}`));
    const first = layers[0];
    if (first?.className === 'InputLayer') {
      layers.shift();
      const next = layers[0];
      if (next) next.config['batchInputShape'] = first.config['batchShape'] ?? first.config['batchInputShape'];
    } else if (first && !first.config['batchInputShape'] && Array.isArray(config['build_input_shape'])) {
      first.config['batchInputShape'] = config['build_input_shape'];
    }
    return { className: 'Sequential', config: { name: config['name'], layers } };
  }
  if (cls === 'Functional') return { className: 'Functional', config: functionalConfig(config, here) };
  const known = registeredLayerClasses();
  if (!known.includes(cls)) {
    throw new Error(
      `${where}: unknown layer class '${cls}' (Convkit loads only its own layers and registered custom ones: ${known.join(', ')}; ` +
        `a custom layer loads once registered: registerLayer('${cls}', (config) => new MyLayer(config)))`,
    );
  }
  return { className: cls, config: convkitLayerConfig(cls, config, here) };
}

function nodeRef(v: unknown, where: string): NodeRef {
  if (!Array.isArray(v) || typeof v[0] !== 'string' || !Number.isInteger(v[1]) || !Number.isInteger(v[2])) {
    fail(where, '[layerName, nodeIndex, tensorIndex]', v);
  }
  return [v[0], v[1], v[2]];
}

function refList(v: unknown, where: string): NodeRef[] {
  if (!Array.isArray(v)) fail(where, 'a list of [layerName, nodeIndex, tensorIndex]', v);
  return typeof v[0] === 'string' ? [nodeRef(v, where)] : v.map((r) => nodeRef(r, where));
}

/** One inbound node, Keras 3 (`{args, kwargs}` with `__keras_tensor__`) or Keras 2 (a list). */
function inboundNode(node: unknown, where: string): NodeRef[] {
  if (Array.isArray(node)) return node.map((r) => nodeRef(Array.isArray(r) ? r.slice(0, 3) : r, where));
  const o = asObject(node, where, 'an inbound node {args, kwargs}');
  const args = o['args'];
  if (!Array.isArray(args)) fail(where, 'inbound node args (a list)', args);
  const tensors = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as unknown[];
  return tensors.map((t) => {
    const tc = asObject(asObject(t, where, 'a __keras_tensor__')['config'], where, 'a __keras_tensor__ config');
    return nodeRef(tc['keras_history'], `${where}: keras_history`);
  });
}

function functionalConfig(config: Json, where: string): LayerConfig {
  const list = config['layers'];
  if (!Array.isArray(list)) fail(where, 'a list of layers', list);
  const layers = list.map((l, i) => {
    const entry = asObject(l, `${where} layer ${i}`, 'a layer object');
    const serialized = fromKeras(entry, `${where} layer ${i}`);
    const name = entry['name'] ?? (entry['config'] as Json)['name'];
    if (typeof name !== 'string') fail(`${where} layer ${i}`, 'a layer name', name);
    const nodes = entry['inbound_nodes'] ?? [];
    if (!Array.isArray(nodes)) fail(`${where} layer "${name}"`, 'a list of inbound nodes', nodes);
    return { ...serialized, name, inboundNodes: nodes.map((n) => inboundNode(n, `${where} layer "${name}"`)) };
  });
  return {
    name: config['name'],
    layers,
    inputLayers: refList(config['input_layers'], `${where}: input_layers`),
    outputLayers: refList(config['output_layers'], `${where}: output_layers`),
  };
}

/**
 * Builds the model a Keras object describes. Unknown classes name themselves and how to
 * register them (`registerLayer`); nothing in a file can run code.
 *
 * @example
 * const model = layerFromKeras(JSON.parse(configJson), 'm.keras: config.json');
 */
export function layerFromKeras(raw: unknown, where: string): Layer {
  return layerFromConfig(fromKeras(raw, where));
}
