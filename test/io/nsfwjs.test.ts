/**
 * A real pretrained network from npm: nsfwjs 4.4.0's MobileNetV2 (a TensorFlow.js layers model,
 * uint8-quantized, shipped inside JS modules) loaded by Convkit through examples/nsfwjs-model.ts
 * and `loadTfjsArtifacts`, against @tensorflow/tfjs (pure JS, the oracle) loading the same
 * artifacts with `tf.loadLayersModel(tf.io.fromMemory(…))`.
 *
 * Tolerances: the dequantized weights must be identical (both compute q·scale + min and round
 * to float32). Outputs then differ only by float32 rounding in a different summation order
 * through 52 convolutions: measured 3e-7 on the probabilities and 2.3e-5 on the 'out_relu'
 * features (values up to 6, on a machine with AVX-512; other instruction sets and thread counts
 * change the rounding); the test allows 1e-4 and 1e-3, over 40 times those.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadTfjsArtifacts, model, Tensor, Functional } from '../../src/index.js';
import { NSFWJS_CLASSES, nsfwjsMobileNetV2Artifacts } from '../../examples/nsfwjs-model.js';

/** Three deterministic 224×224 RGB images in [0, 1] with different content (waves, a gradient, checks). */
function images(): Float32Array {
  const out = new Float32Array(3 * 224 * 224 * 3);
  for (let y = 0; y < 224; y++)
    for (let x = 0; x < 224; x++)
      for (let c = 0; c < 3; c++) {
        const at = (y * 224 + x) * 3 + c;
        out[at] = 0.5 + 0.5 * Math.sin(x * 0.05 * (c + 1) + y * 0.03);
        out[224 * 224 * 3 + at] = ((x + y) / 446) * (c === 1 ? 0.5 : 1);
        out[2 * 224 * 224 * 3 + at] = ((x >> 4) + (y >> 4)) % 2 === 0 ? 0.9 - 0.2 * c : 0.1 + 0.3 * c;
      }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('nsfwjs 4.4.0 MobileNetV2 against TensorFlow.js', () => {
  it('the same weights, predictions and out_relu features within float32 rounding', async () => {
    const artifacts = await nsfwjsMobileNetV2Artifacts();
    const ours = loadTfjsArtifacts(artifacts);
    assert.ok(ours instanceof Functional);
    const theirs = await tf.loadLayersModel(
      tf.io.fromMemory(
        artifacts.modelTopology,
        artifacts.weightSpecs as tf.io.WeightsManifestEntry[],
        (artifacts.weightData as Uint8Array).slice().buffer,
      ),
    );
    assert.equal(ours.countParams(), theirs.countParams());

    // Every dequantized weight, by name, bit for bit.
    const tfWeights = new Map(theirs.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
    let compared = 0;
    for (const layer of ours.layers)
      for (const w of layer.weights) {
        const expected = tfWeights.get(w.name);
        assert.ok(expected, `tfjs has a weight "${w.name}"`);
        assert.deepEqual(w.values(), expected, w.name);
        compared++;
      }
    assert.equal(compared, 266);

    const x = images();
    const probs = ours.predict(new Tensor(x, [3, 224, 224, 3])).values();
    const tfProbs = (theirs.predict(tf.tensor4d(x, [3, 224, 224, 3])) as tf.Tensor).dataSync();
    assert.ok(maxDiff(probs, tfProbs) < 1e-4, `probabilities differ by ${maxDiff(probs, tfProbs)}`);
    // The three images get different predictions (the comparison is not between constant outputs).
    const top = [0, 1, 2].map(
      (i) => NSFWJS_CLASSES[[...probs.subarray(5 * i, 5 * i + 5)].indexOf(Math.max(...probs.subarray(5 * i, 5 * i + 5)))],
    );
    assert.ok(new Set([...probs].map((p) => p.toFixed(3))).size > 5, `distinct probabilities, received ${[...probs]} (${top})`);

    // The convolutional trunk, cut with the functional API at Keras's layer name.
    const trunk = model({ inputs: ours.inputs, outputs: ours.getLayer('out_relu').output });
    const tfTrunk = tf.model({ inputs: theirs.inputs, outputs: theirs.getLayer('out_relu').output as tf.SymbolicTensor });
    const features = trunk.predict(new Tensor(x.subarray(0, 224 * 224 * 3), [1, 224, 224, 3])).values();
    const tfFeatures = (tfTrunk.predict(tf.tensor4d(x.subarray(0, 224 * 224 * 3), [1, 224, 224, 3])) as tf.Tensor).dataSync();
    assert.deepEqual(trunk.outputShape, [null, 7, 7, 1280]);
    assert.ok(maxDiff(features, tfFeatures) < 1e-3, `features differ by ${maxDiff(features, tfFeatures)}`);
    console.log(
      `nsfwjs: probabilities within ${maxDiff(probs, tfProbs)}, features within ${maxDiff(features, tfFeatures)}; top classes ${top}`,
    );
  });

  it('refuses artifacts whose bytes do not match the weight entries, naming both sizes', async () => {
    const artifacts = await nsfwjsMobileNetV2Artifacts();
    const short = { ...artifacts, weightData: (artifacts.weightData as Uint8Array).subarray(1) };
    assert.throws(() => loadTfjsArtifacts(short, 'nsfwjs'), /nsfwjs: weightData.*expected \d+ bytes.*received \d+ bytes/s);
  });
});
