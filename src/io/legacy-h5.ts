/**
 * The legacy Keras HDF5 format (`.h5`), as tf.keras 2.x and Keras 3's legacy writer
 * (keras/src/legacy/saving/legacy_h5_format.py) lay it out: root attributes `model_config` and
 * `training_config` (JSON, Keras 2 configs), group `model_weights` with attribute `layer_names`
 * (split into `layer_names0`, `layer_names1`, … when longer than HDF5's 64 KiB header limit),
 * one group per layer with `weight_names` (`dense/kernel:0` in tf.keras, `dense/kernel` in
 * Keras 3), and `optimizer_weights`.
 */
import { withWeightBudget } from '../layers/initializers.js';
import type { Layer } from '../layers/layer.js';
import { serializeLayer } from '../layers/registry.js';
import { Model } from '../models/model.js';
import { compileConfig, compileFromConfig } from './compile-config.js';
import { FileFormatError } from './errors.js';
import { H5Reader, H5Writer } from './hdf5.js';
import { layerFromKeras, toKeras } from './keras-config.js';
import { parseJson, weightBytes } from './keras-file.js';
import { checkShape, readOptimizerVariables, writeOptimizerVariables } from './keras-weights.js';

/** HDF5's object-header limit that makes Keras split long attributes. */
const HEADER_LIMIT = 64512;

/** The layers whose weights live in the file: nested models' layers are flattened as Keras 2 does not; we keep nesting by name. */
function weightLayers(model: Model): Layer[] {
  return model.layers.filter((l) => l.weights.length > 0);
}

/** A layer's weights in Keras 2's legacy order: trainable, then non-trainable (across a nested model's layers too). */
function legacyWeights(layer: Layer) {
  return [...layer.trainableWeights, ...layer.nonTrainableWeights];
}

/** Writes a list attribute, split into `name0`, `name1`, … as Keras does when it is too long. */
function writeListAttr(h5: H5Writer, path: string, name: string, values: string[]): void {
  const bytes = values.reduce((n, v) => n + new TextEncoder().encode(v).length + 8, 0);
  if (bytes <= HEADER_LIMIT) return h5.attr(path, name, values);
  const chunks = Math.ceil(bytes / HEADER_LIMIT) + 1;
  const per = Math.ceil(values.length / chunks);
  for (let i = 0; i * per < values.length; i++) h5.attr(path, `${name}${i}`, values.slice(i * per, (i + 1) * per));
}

/** Reads a list attribute, whole or split into `name0`, `name1`, …. */
export function readListAttr(h5: H5Reader, path: string, name: string): string[] {
  const whole = h5.attr(path, name);
  if (whole !== null) return Array.isArray(whole) ? whole : [String(whole)];
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const part = h5.attr(path, `${name}${i}`);
    if (part === null) return out;
    out.push(...(Array.isArray(part) ? part : [String(part)]));
  }
}

/** Writes a legacy `.h5` of the model (config, weights, optimizer). */
export async function writeLegacyH5(model: Model): Promise<Uint8Array[]> {
  const h5 = await H5Writer.create(weightBytes(model));
  h5.attr('/', 'keras_version', '2.15.0');
  h5.attr('/', 'backend', 'tensorflow');
  h5.attr('/', 'model_config', JSON.stringify(toKeras(serializeLayer(model), 'keras2')));
  const training = compileConfig(model, 'keras2');
  if (training) h5.attr('/', 'training_config', JSON.stringify(training));
  h5.group('/model_weights');
  writeListAttr(
    h5,
    '/model_weights',
    'layer_names',
    model.layers.map((l) => l.name),
  );
  h5.attr('/model_weights', 'backend', 'tensorflow');
  h5.attr('/model_weights', 'keras_version', '2.15.0');
  for (const layer of [...model.layers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const group = `/model_weights/${layer.name}`;
    h5.group(group);
    const weights = legacyWeights(layer);
    const names = weights.map((w) => `${w.name}:0`);
    writeListAttr(h5, group, 'weight_names', names);
    weights.forEach((w, i) => h5.dataset(`${group}/${names[i]}`, w.values() as Float32Array, w.shape));
  }
  const optimizer = model.compiled?.optimizer;
  if (optimizer) {
    const group = '/optimizer_weights/vars';
    writeOptimizerVariables(h5, group, optimizer, model.trainableWeights);
  }
  return [h5.finish()];
}

/**
 * Loads a legacy `.h5`'s weights into `model`: by order (Keras's load_model rule: the layers
 * that have weights, in order), or by layer name (`byName`, for published weight files).
 */
export function readLegacyWeights(h5: H5Reader, model: Model, byName: boolean): void {
  const root = h5.has('/model_weights') ? '/model_weights' : '/';
  const stored = readListAttr(h5, root, 'layer_names').filter((name) => readListAttr(h5, `${root}/${name}`, 'weight_names').length > 0);
  const layers = weightLayers(model);
  if (!byName && stored.length !== layers.length) {
    throw new FileFormatError(
      h5.where,
      null,
      `weights for ${layers.length} layers (${layers.map((l) => l.name).join(', ')})`,
      `${stored.length} (${stored.join(', ')})`,
    );
  }
  const pairs: [Layer, string][] = byName
    ? layers.filter((l) => stored.includes(l.name)).map((l) => [l, l.name])
    : layers.map((l, i) => [l, stored[i]!]);
  if (byName && pairs.length === 0)
    throw new FileFormatError(
      h5.where,
      null,
      `weights for some of the layers ${layers.map((l) => l.name).join(', ')}`,
      `layers ${stored.join(', ')}`,
    );
  const updates = pairs.map(([layer, name]) => {
    const group = `${root === '/' ? '' : root}/${name}`;
    const names = readListAttr(h5, group, 'weight_names');
    const weights = legacyWeights(layer);
    if (names.length !== weights.length) {
      throw new FileFormatError(h5.where, null, `${weights.length} weights for layer "${layer.name}"`, `${names.length} in ${group}`);
    }
    return weights.map((w, i) => {
      const path = `${group}/${names[i]}`;
      checkShape(h5.shapeOf(path), w, `${h5.where}: ${path}`);
      return [w, path] as const;
    });
  });
  // Every count and shape is checked before any variable changes; then each is read in place.
  for (const list of updates) for (const [w, path] of list) w.fillWith((buffer) => h5.readInto(path, buffer as Float32Array));
}

/** Builds, compiles and fills a model from a legacy `.h5`. */
export async function readLegacyH5(bytes: Uint8Array, file: string): Promise<Model> {
  const h5 = await H5Reader.open(bytes, file);
  try {
    const configText = h5.attr('/', 'model_config');
    if (typeof configText !== 'string')
      throw new FileFormatError(
        file,
        null,
        'a model_config attribute (a whole model saved with model.save)',
        configText === null ? 'none (a weights-only file: use model.loadWeights)' : typeof configText,
      );
    const config = parseJson(new TextEncoder().encode(configText), `${file}: model_config`);
    const model = withWeightBudget(h5.storedElements, `${file}: model_config`, () => layerFromKeras(config, `${file}: model_config`));
    if (!(model instanceof Model)) throw new FileFormatError(file, null, 'a Sequential or Functional model', `a ${model.className} layer`);
    const training = h5.attr('/', 'training_config');
    if (typeof training === 'string')
      compileFromConfig(model, parseJson(new TextEncoder().encode(training), `${file}: training_config`), `${file}: training_config`);
    readLegacyWeights(h5, model, false);
    if (model.compiled && h5.has('/optimizer_weights/vars'))
      readOptimizerVariables(h5, '/optimizer_weights/vars', model.compiled.optimizer, model.trainableWeights);
    return model;
  } finally {
    h5.close();
  }
}

/** Loads a legacy `.h5` (whole model or weights only) into `model` by layer name. */
export async function readLegacyWeightsFile(bytes: Uint8Array, file: string, model: Model): Promise<void> {
  const h5 = await H5Reader.open(bytes, file);
  try {
    readLegacyWeights(h5, model, true);
  } finally {
    h5.close();
  }
}
