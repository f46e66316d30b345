/**
 * The pretrained MobileNetV2 that the `nsfwjs` package (4.4.0, MIT, Infinite Red) ships, as
 * TensorFlow.js artifacts in memory, ready for Convkit's `loadTfjsArtifacts`.
 *
 * nsfwjs does not ship model.json and .bin files: it ships browserify (UMD) modules, one whose
 * export is the model.json object ({modelTopology, weightsManifest}) and one per weight shard
 * whose export is the shard's bytes as a base64 string (uint8-quantized weights). This adapter
 * imports them through nsfwjs's own public entry (`nsfwjs/models/mobilenet_v2`, the loaders its
 * `load()` calls) and joins them exactly as nsfwjs's JSONHandler does: every group's shards
 * decoded and concatenated in manifest order, the groups' weight entries concatenated.
 *
 * It lives in examples/, not src/: it is glue for one devDependency's packaging, while the part
 * every user needs (a layers model from memory) is `loadTfjsArtifacts` in src/io/tfjs.ts.
 * Importing the modules runs nsfwjs's code (each module only returns a constant), unlike
 * `loadModel`, which never runs code from a file.
 */
import { loadTfjsArtifacts, type Model, type TfjsArtifacts } from '../src/index.js';

/** The model nsfwjs calls MobileNetV2: 224×224×3 RGB in [0, 1], 5 classes. */
export const NSFWJS_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;

interface ModelJson {
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: unknown[] }[];
}

interface NsfwjsModelEntry {
  name: string;
  numOfWeightBundles: number;
  modelJson: () => Promise<{ default: ModelJson }>;
  weightBundles: (() => Promise<{ default: string }>)[];
}

/**
 * nsfwjs's MobileNetV2 as TensorFlow.js artifacts (topology, weight entries, weight bytes).
 *
 * @example
 * const artifacts = await nsfwjsMobileNetV2Artifacts();
 * artifacts.weightSpecs.length;   // 266 (uint8-quantized)
 */
export async function nsfwjsMobileNetV2Artifacts(): Promise<TfjsArtifacts> {
  const { MobileNetV2Model } = (await import('nsfwjs/models/mobilenet_v2')) as { MobileNetV2Model: NsfwjsModelEntry };
  const json = (await MobileNetV2Model.modelJson()).default;
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  if (paths.length !== MobileNetV2Model.weightBundles.length)
    throw new Error(
      `nsfwjs MobileNetV2: expected ${paths.length} weight bundles (the manifest's shards), received ${MobileNetV2Model.weightBundles.length}`,
    );
  // nsfwjs names bundle i "group1-shard{i+1}of{n}", the manifest's paths in order.
  const shards = await Promise.all(MobileNetV2Model.weightBundles.map(async (load) => Buffer.from((await load()).default, 'base64')));
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: new Uint8Array(Buffer.concat(shards)),
  };
}

/**
 * nsfwjs's pretrained MobileNetV2 as a Convkit model (input [null, 224, 224, 3], softmax over
 * NSFWJS_CLASSES); its convolutional trunk ends at the layer 'out_relu' (Keras's names).
 *
 * @example
 * const pretrained = await loadNsfwjsMobileNetV2();
 * const trunk = model({ inputs: pretrained.inputs, outputs: pretrained.getLayer('out_relu').output });
 */
export async function loadNsfwjsMobileNetV2(): Promise<Model> {
  return loadTfjsArtifacts(await nsfwjsMobileNetV2Artifacts(), 'nsfwjs MobileNetV2');
}
