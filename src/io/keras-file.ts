/**
 * The Keras 3 `.keras` format: a zip of `metadata.json`, `config.json` (the model object with
 * its `compile_config`) and `model.weights.h5` (keras-weights.ts), members stored, as
 * keras/src/saving/saving_lib.py writes and reads it. Also the weights-only `.weights.h5`.
 */
import { withWeightBudget } from '../layers/initializers.js';
import { Model } from '../models/model.js';
import { compileConfig, compileFromConfig } from './compile-config.js';
import { FileFormatError } from './errors.js';
import { H5Reader, H5Writer } from './hdf5.js';
import { layerFromKeras, toKeras, withTensorShapes } from './keras-config.js';
import { readKerasWeights, readOptimizerVariables, writeKerasWeights } from './keras-weights.js';
import { limits } from './limits.js';
import { serializeLayer } from '../layers/registry.js';
import { writeZip, readZip } from './zip.js';
import { Functional } from '../models/functional.js';
import { modelTensorShapes } from './shapes.js';

/** The version Convkit writes into metadata.json (the Keras format version it follows). */
export const KERAS_VERSION = '3.13.0';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Bytes of the model's weights (and optimizer slots, at most twice as many): the HDF5 file's expected size. */
export function weightBytes(model: Model): number {
  const weights = model.weights.reduce((n, w) => n + w.size * 4, 0);
  return model.compiled ? 3 * weights : weights;
}

/** Parses a JSON member, with the file and member in any error. */
export function parseJson(bytes: Uint8Array | undefined, where: string): unknown {
  if (!bytes) throw new FileFormatError(where, null, 'this member to exist', 'nothing');
  if (bytes.length > limits.maxJsonBytes)
    throw new FileFormatError(where, null, `JSON of at most ${limits.maxJsonBytes} bytes`, `${bytes.length}`);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new FileFormatError(where, null, 'valid UTF-8 JSON', (e as Error).message);
  }
}

/** The model's Keras 3 config.json object. */
export function kerasModelConfig(model: Model): Record<string, unknown> {
  let obj = toKeras(serializeLayer(model), 'keras3');
  if (model instanceof Functional) obj = withTensorShapes(obj, modelTensorShapes(model));
  obj['compile_config'] = compileConfig(model, 'keras3');
  return obj;
}

/** The `.keras` archive's bytes. */
export async function writeKerasArchive(model: Model): Promise<Uint8Array[]> {
  const h5 = await H5Writer.create(weightBytes(model));
  writeKerasWeights(h5, model, model.compiled?.optimizer ?? null);
  const weights = h5.finish();
  const metadata = { keras_version: KERAS_VERSION, date_saved: new Date().toISOString().slice(0, 19).replace('T', '@'), convkit: true };
  return writeZip([
    ['metadata.json', utf8(JSON.stringify(metadata))],
    ['config.json', utf8(JSON.stringify(kerasModelConfig(model)))],
    ['model.weights.h5', weights],
  ]);
}

/** Builds, compiles (if the file says how) and fills a model from a `.keras` archive. */
export async function readKerasArchive(bytes: Uint8Array, file: string): Promise<Model> {
  const members = readZip(bytes, file);
  const config = parseJson(members.get('config.json'), `${file}: config.json`) as Record<string, unknown>;
  const weights = members.get('model.weights.h5');
  if (!weights) throw new FileFormatError(file, null, 'a member model.weights.h5', `only ${[...members.keys()].join(', ')}`);
  const h5 = await H5Reader.open(weights, `${file}: model.weights.h5`);
  try {
    const model = withWeightBudget(h5.storedElements, `${file}: config.json`, () => layerFromKeras(config, `${file}: config.json`));
    if (!(model instanceof Model))
      throw new FileFormatError(`${file}: config.json`, null, 'a Sequential or Functional model', `a ${model.className} layer`);
    compileFromConfig(model, config['compile_config'], `${file}: config.json compile_config`);
    readKerasWeights(h5, model);
    if (model.compiled) readOptimizerVariables(h5, '/optimizer/vars', model.compiled.optimizer, model.trainableWeights);
    return model;
  } finally {
    h5.close();
  }
}

/** A `.weights.h5` file (Keras 3 layout, no optimizer). */
export async function writeKerasWeightsFile(model: Model): Promise<Uint8Array[]> {
  const h5 = await H5Writer.create(weightBytes(model));
  writeKerasWeights(h5, model, null);
  return [h5.finish()];
}

/** Loads a `.weights.h5` (Keras 3 layout) into `model`. */
export async function readKerasWeightsFile(bytes: Uint8Array, file: string, model: Model): Promise<void> {
  const h5 = await H5Reader.open(bytes, file);
  try {
    readKerasWeights(h5, model);
  } finally {
    h5.close();
  }
}
