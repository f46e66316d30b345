/**
 * TensorFlow.js (@tensorflow/tfjs) loading a model.json from disk as tfjs-node's file:// handler
 * does, through tfjs's own manifest parser: the oracle side of the model.json tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** tfjs's `loadLayersModel` on `path` (model.json) and its shards, read from the same folder. */
export async function tfjsLoad(path: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const folder = path.slice(0, path.lastIndexOf('/'));
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const buffers = manifest.flatMap((g) => g.paths.map((p) => new Uint8Array(readFileSync(join(folder, p))).buffer as ArrayBuffer));
    return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(buffers)];
  });
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}
