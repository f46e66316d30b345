/**
 * The pieces of examples/transfer-learning.ts, small enough to test on a tiny slice: the
 * pretrained base (nsfwjs's MobileNetV2 with its head cut off, rebuilt at another image size from
 * a Keras-layout weights file), a model split at a layer into a frozen bottom and a trainable top,
 * the new classifier head, and batches taken from rows of a tensor.
 */
import { input, layerFromConfig, layers, model, zoo, Functional, Tensor, type SymbolicTensor } from '../src/index.js';
import { loadNsfwjsMobileNetV2 } from './nsfwjs-model.js';

/**
 * nsfwjs's MobileNetV2 without its head, at `size`×`size`×3: the pretrained model is cut at
 * 'out_relu' with the functional API, the trunk's weights are saved in Keras's legacy .h5 layout
 * (as Keras's `…_no_top.h5` files) and loaded by layer name into `zoo.mobilenetV2` built for the
 * new size (convolution weights do not depend on the image size).
 *
 * @example const base = await pretrainedBase(96, '/tmp/mobilenet_v2_nsfwjs_no_top.h5');
 */
export async function pretrainedBase(size: number, weightsFile: string): Promise<Functional> {
  const pretrained = await loadNsfwjsMobileNetV2();
  if (!(pretrained instanceof Functional))
    throw new Error(`nsfwjs MobileNetV2: expected a functional model, received ${pretrained.className}`);
  const trunk = model({ inputs: pretrained.inputs, outputs: pretrained.getLayer('out_relu').output, name: 'nsfwjs_trunk' });
  await trunk.saveWeights(weightsFile);
  return zoo.mobilenetV2({ alpha: 1.0, includeTop: false, inputShape: [size, size, 3], weights: weightsFile });
}

/**
 * Splits `base` after the layer `cut`: `bottom` is base's graph up to that layer's output, `top`
 * is every layer above it applied again to a new input of that shape (the same layers, so the
 * same weights: training `top` trains base). Layers above the cut must read only tensors
 * computed above it (true after a block without a residual connection).
 *
 * @example const { bottom, top } = splitAt(base, 'block_13_project_BN');
 */
export function splitAt(base: Functional, cut: string): { bottom: Functional; top: Functional } {
  const cutOutput = base.getLayer(cut).output;
  const bottom = model({ inputs: base.inputs, outputs: cutOutput, name: `${base.name}_to_${cut}` });
  const x = input({ shape: cutOutput.shape.slice(1) as number[] });
  const mapped = new Map<SymbolicTensor, SymbolicTensor>([[cutOutput, x]]);
  for (const layer of base.layers) {
    const node = layer.inboundNodes[0];
    if (!node || node.inputs.length === 0 || !node.inputs.every((t) => mapped.has(t))) continue;
    mapped.set(node.output, layer.apply(node.inputs.map((t) => mapped.get(t)!)));
  }
  const output = mapped.get(base.outputs[0]!);
  if (!output) throw new Error(`splitAt: "${base.name}"'s output does not follow from layer "${cut}" alone (a connection skips the cut)`);
  return { bottom, top: model({ inputs: x, outputs: output, name: `${base.name}_after_${cut}` }) };
}

/**
 * The same architecture with every BatchNormalization's `momentum` changed, rebuilt from its
 * config (new random weights). Keras's MobileNetV2 uses 0.999: its moving statistics need
 * thousands of steps to leave their initial values, so a net trained from scratch for a few
 * hundred steps predicts one class at inference; 0.9 lets them follow within tens of steps.
 *
 * @example const scratch = withBatchNormMomentum(zoo.mobilenetV2({ alpha: 1, includeTop: false }), 0.9);
 */
export function withBatchNormMomentum(m: Functional, momentum: number): Functional {
  const config = structuredClone(m.getConfig()) as { layers: { className: string; config: Record<string, unknown> }[] };
  for (const layer of config.layers) if (layer.className === 'BatchNormalization') layer.config['momentum'] = momentum;
  const rebuilt = layerFromConfig({ className: m.className, config });
  if (!(rebuilt instanceof Functional))
    throw new Error(`withBatchNormMomentum: expected a functional model, received ${rebuilt.className}`);
  return rebuilt;
}

/**
 * The new classifier on pooled features: dropout (its own generator, seeded), then a softmax
 * dense layer (Keras's transfer learning guide's head).
 *
 * @example const head = classifierHead(1280, 10, 1);
 */
export function classifierHead(features: number, classes: number, seed: number): Functional {
  const x = input({ shape: [features] });
  const dropped = layers.dropout({ rate: 0.2, seed }).apply(x);
  const y = layers.dense({ units: classes, activation: 'softmax', name: 'new_predictions' }).apply(dropped);
  return model({ inputs: x, outputs: y, name: 'new_head' });
}

/**
 * Rows `order[start…end)` of a tensor (the first axis), as a new tensor.
 *
 * @example const batch = rows(images, [4, 0, 9], 0, 2);   // images 4 and 0
 */
export function rows(t: Tensor, order: ArrayLike<number>, start: number, end: number): Tensor {
  const size = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = t.values();
  const out = new Float32Array((end - start) * size);
  for (let i = start; i < end; i++) out.set(data.subarray(order[i]! * size, (order[i]! + 1) * size), (i - start) * size);
  return new Tensor(out, [end - start, ...t.shape.slice(1)]);
}

/** Rows of several tensors of equal row size joined along the first axis. */
export function joinRows(parts: Tensor[]): Tensor {
  const total = parts.reduce((n, p) => n + p.shape[0]!, 0);
  const out = new Float32Array(parts.reduce((n, p) => n + p.size, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p.values(), at);
    at += p.size;
  }
  return new Tensor(out, [total, ...parts[0]!.shape.slice(1)]);
}
