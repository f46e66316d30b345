/**
 * Saving and loading models: one table maps a file name's ending to its format (`.keras`,
 * `.weights.h5`, `.h5`, `model.json`, `.onnx`); `model.save`, `loadModel`, `model.saveWeights` and
 * `model.loadWeights` all dispatch through it. A new format is one more row.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Model, installModelFiles, type SaveOptions } from '../models/model.js';
import { writeFileAtomic } from './atomic.js';
import { readKerasArchive, readKerasWeightsFile, writeKerasArchive, writeKerasWeightsFile } from './keras-file.js';
import { readLegacyH5, readLegacyWeightsFile, writeLegacyH5 } from './legacy-h5.js';
import { loadTfjs, saveTfjs } from './tfjs.js';
import { exportOnnx, importOnnx } from './onnx/index.js';

/** One file format: what it can save and load. Absent entries are unsupported for that format. */
export interface ModelFormat {
  /** What users call it, for errors. */
  name: string;
  /** Whole model (architecture, weights, compile config, optimizer state). */
  save?(model: Model, path: string, options: SaveOptions): Promise<void>;
  load?(path: string): Promise<Model>;
  /** Weights only. */
  saveWeights?(model: Model, path: string): Promise<void>;
  loadWeights?(model: Model, path: string): Promise<void>;
}

const readBytes = (path: string): Uint8Array => {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

/**
 * File name ending → format; the first matching row wins (so `.weights.h5` precedes `.h5`).
 * @example formats.map(([suffix, f]) => `${suffix}: ${f.name}`);   // the formats Convkit reads and writes
 */
export const formats: [suffix: string, format: ModelFormat][] = [
  [
    '.keras',
    {
      name: 'Keras 3 (.keras)',
      save: async (model, path) => writeFileAtomic(path, await writeKerasArchive(model)),
      load: async (path) => readKerasArchive(readBytes(path), path),
    },
  ],
  [
    '.weights.h5',
    {
      name: 'Keras 3 weights (.weights.h5)',
      saveWeights: async (model, path) => writeFileAtomic(path, await writeKerasWeightsFile(model)),
      loadWeights: async (model, path) => {
        const bytes = readBytes(path);
        // A legacy (Keras 2) weights file under the new name loads by layer name.
        if (isLegacyLayout(bytes)) await readLegacyWeightsFile(bytes, path, model);
        else await readKerasWeightsFile(bytes, path, model);
      },
    },
  ],
  [
    '.h5',
    {
      name: 'legacy Keras HDF5 (.h5)',
      save: async (model, path) => writeFileAtomic(path, await writeLegacyH5(model)),
      load: async (path) => readLegacyH5(readBytes(path), path),
      saveWeights: async (model, path) => writeFileAtomic(path, await writeLegacyH5(model)),
      loadWeights: async (model, path) => readLegacyWeightsFile(readBytes(path), path, model),
    },
  ],
  [
    '.hdf5',
    {
      name: 'legacy Keras HDF5 (.hdf5)',
      load: async (path) => readLegacyH5(readBytes(path), path),
      loadWeights: async (model, path) => readLegacyWeightsFile(readBytes(path), path, model),
    },
  ],
  [
    '.json',
    {
      name: 'TensorFlow.js layers model (model.json)',
      save: async (model, path, options) => saveTfjs(model, path, options),
      load: async (path) => loadTfjs(path),
    },
  ],
  [
    '.onnx',
    {
      name: 'ONNX (.onnx)',
      save: async (model, path, options) => writeFileAtomic(path, [exportOnnx(model, { nchw: options.nchw ?? false })]),
      load: async (path) => importOnnx(readBytes(path), { source: path }),
    },
  ],
];

/** Whether an HDF5 file's bytes mention the legacy layout's attribute (cheap sniff before a retry). */
function isLegacyLayout(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('layer_names');
}

function formatFor(path: string, want: keyof ModelFormat, verb: string): ModelFormat {
  const lower = path.toLowerCase();
  const row = formats.find(([suffix, f]) => lower.endsWith(suffix) && f[want]);
  if (!row) {
    const options = formats.filter(([, f]) => f[want]).map(([suffix]) => suffix);
    throw new Error(`${verb}: cannot tell the format of '${path}'; expected a name ending in ${options.join(', ')}`);
  }
  return row[1];
}

/**
 * Loads a whole model: architecture, weights, and (if it was compiled) the compile config and
 * optimizer state, so `fit` continues where it stopped. Reads Keras 3 `.keras`, legacy Keras
 * `.h5`, TensorFlow.js `model.json` (with its weight shards) and ONNX `.onnx` (src/io/onnx).
 *
 * @example
 * await model.save('mnist.keras');
 * const again = await loadModel('mnist.keras');
 * const tfjsModel = await loadModel('web_model/model.json');
 */
export async function loadModel(path: string): Promise<Model> {
  const format = formatFor(path, 'load', 'loadModel');
  return naming(path, () => format.load!(resolve(path)));
}

/** Runs a reader so that every error it throws names the file (errors from layer constructors, too). */
async function naming<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    if (error.message.includes(resolve(path)) || error.message.includes(path)) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    throw new Error(`${resolve(path)}: ${error.message}`, { cause: error });
  }
}

installModelFiles({
  save: (model, path, options) => formatFor(path, 'save', 'model.save').save!(model, resolve(path), options),
  saveWeights: (model, path) => formatFor(path, 'saveWeights', 'model.saveWeights').saveWeights!(model, resolve(path)),
  loadWeights: (model, path) => {
    const format = formatFor(path, 'loadWeights', 'model.loadWeights');
    return naming(path, () => format.loadWeights!(model, resolve(path)));
  },
});

export { FileFormatError } from './errors.js';
export { loadTfjsArtifacts, tfjsArtifacts, type Quantization, type TfjsArtifacts, type TfjsSaveOptions } from './tfjs.js';
