/**
 * The airbench network for CIFAR-sized images (Keller Jordan, "94% on CIFAR-10 in 3.29 seconds on
 * a single GPU", https://github.com/KellerJordan/cifar10-airbench), in Convkit's layers, and the
 * data-dependent initialisation of its stem. Training it (augmentation, lookahead, schedule) is the
 * `cifar10-airbench` recipe in src/cli/recipes.ts.
 *
 *   2×2 conv, 8·channels filters, 'valid', frozen: whitens 2×2 patches (eigenvectors of their
 *   covariance, each scaled by 1/√(eigenvalue + ε), and their negatives) → activation →
 *   three groups of [3×3 conv (no bias; its first filters start as the identity) → maxpool 2 → batch norm (no scale) → activation →
 *   3×3 conv (no bias) → batch norm (no scale) → activation] → maxpool 3 → dense (no bias) of
 *   the features scaled by 1/9 → softmax.
 *
 * 32×32 → 31 → 15 → 7 → 3 → 1. Widths 64/128/128 (the default): 0.57 M parameters and ~54 M
 * multiply-adds per image; 64/128/256 (the cifar10-airbench recipe's): 1.16 M and ~66 M;
 * airbench94's 64/256/256: 1.97 M and ~118 M; ResNet-20: 0.27 M and ~41 M.
 */
import { layers } from '../layers/index.js';
import type { Layer } from '../layers/layer.js';
import { Tensor } from '../tensor/tensor.js';
import { symmetricEigen } from '../util/symmetric-eigen.js';
import type { Model } from './model.js';
import { sequential, type Sequential } from './sequential.js';
import type { ZooArgs } from './zoo.js';

export interface AirbenchArgs extends ZooArgs {
  /** Filters of the three conv groups (default [64, 128, 128]; airbench94's are [64, 256, 256]). */
  widths?: [number, number, number];
  /** Activation after the stem and each batch norm (default 'relu'; airbench94 uses 'gelu'). */
  activation?: string;
}

/** Conv → maxpool → batch norm → activation → conv → batch norm → activation. */
function convGroup(filters: number, activation: string): Layer[] {
  // airbench's PyTorch momentum 1 − 0.6 (moving = 0.6·moving + 0.4·batch) is Keras's 0.6; no
  // scale (gamma), as airbench freezes it at 1.
  const bn = () => layers.batchNormalization({ scale: false, momentum: 0.6, epsilon: 1e-5 });
  const conv = () => layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false });
  return [
    conv(),
    layers.maxPooling2d({ poolSize: 2 }),
    bn(),
    layers.activation({ activation }),
    conv(),
    bn(),
    layers.activation({ activation }),
  ];
}

/**
 * The airbench network; call `initWhitening(model, images)` on (standardised) training images
 * before training, or its frozen stem stays at its random initial values.
 *
 * @example
 * const model = zoo.airbench({ inputShape: [32, 32, 3], classes: 10 });
 * initWhitening(model, standardisedTrainImages);
 */
export function airbench({
  inputShape = [32, 32, 3],
  classes = 10,
  widths = [64, 128, 128],
  activation = 'relu',
}: AirbenchArgs = {}): Sequential {
  if (inputShape[0] < 24 || inputShape[1] < 24) {
    throw new Error(`airbench: expected images of at least 24×24 (three 2× poolings then a 3× pooling), received ${inputShape.join('×')}`);
  }
  const net = sequential({
    name: 'airbench',
    layers: [
      layers.conv2d({ filters: 8 * inputShape[2], kernelSize: 2, useBias: false, inputShape, trainable: false, name: 'whiten' }),
      layers.activation({ activation }),
      ...widths.flatMap((w) => convGroup(w, activation)),
      layers.maxPooling2d({ poolSize: 3 }),
      layers.flatten(),
      layers.rescaling({ scale: 1 / 9 }),
      layers.dense({ units: classes, useBias: false, activation: 'softmax' }),
    ],
  });
  for (const layer of net.layers.slice(1)) if (layer.className === 'Conv2D') diracInit(layer);
  return net;
}

/**
 * airbench's "implicit residual": the first `inChannels` filters of a 3×3 conv start as the
 * identity (tap (1, 1) of filter i reads channel i with weight 1, all else 0); the rest keep their
 * random initial values.
 */
function diracInit(conv: Layer): void {
  const kernel = conv.getWeights()[0]!;
  const [kh, kw, inChannels, filters] = kernel.shape as [number, number, number, number];
  const k = Float32Array.from(kernel.values());
  const identity = Math.min(inChannels, filters);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < inChannels; i++)
        for (let o = 0; o < identity; o++)
          k[((y * kw + x) * inChannels + i) * filters + o] = y === kh >> 1 && x === kw >> 1 && i === o ? 1 : 0;
  conv.setWeights([new Tensor(k, kernel.shape)]);
}

/**
 * Sets the model's first layer (a 2×2 conv with 8·channels filters and no bias, as `airbench`
 * builds) to whiten 2×2 patches of `images` ([n, h, w, c], as the model will see them): filter j
 * is eigenvector j of the patches' (uncentred) covariance divided by √(eigenvalue_j + eps), and
 * filter j + 4c its negative. Reads at most the first `maxImages` images.
 *
 * @example initWhitening(model, standardisedTrainImages);   // before compile/fit
 */
export function initWhitening(model: Model, images: Tensor, { eps = 5e-4, maxImages = 5000 } = {}): void {
  const stem = model.layers[0];
  const [n0, h, w, c] = images.shape as [number, number, number, number];
  const d = 4 * c;
  const kernel = stem?.weights[0];
  if (!stem || stem.weights.length !== 1 || kernel?.shape.join() !== [2, 2, c, 2 * d].join()) {
    throw new Error(
      `initWhitening: expected the model's first layer to be a 2×2 conv without bias of kernel shape [2,2,${c},${2 * d}] ` +
        `(airbench's stem, for ${c}-channel images), received ${stem ? `'${stem.name}' with weights ${stem.weights.map((v) => `[${v.shape}]`).join(', ') || 'none'}` : 'no layers'}`,
    );
  }
  if (images.shape.length !== 4 || n0 < 1)
    throw new Error(`initWhitening: expected images [n ≥ 1, h, w, ${c}], received [${images.shape}]`);
  const cov = patchCovariance(images.values(), Math.min(n0, maxImages), h, w, c);
  const { values, vectors } = symmetricEigen(cov, d);
  const filters = new Float32Array(d * 2 * d); // [2, 2, c, 2d]: row = position in the patch, column = filter
  for (let j = 0; j < d; j++) {
    const s = 1 / Math.sqrt(Math.max(0, values[j]!) + eps);
    for (let r = 0; r < d; r++) {
      filters[r * 2 * d + j] = vectors[r * d + j]! * s;
      filters[r * 2 * d + d + j] = -vectors[r * d + j]! * s;
    }
  }
  stem.setWeights([new Tensor(filters, [2, 2, c, 2 * d])]);
}

/** Mean outer product of the 2×2 patches (flattened row, column, channel) of n NHWC images. */
function patchCovariance(x: ArrayLike<number>, n: number, h: number, w: number, c: number): Float64Array {
  const d = 4 * c;
  const cov = new Float64Array(d * d);
  const patch = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y + 1 < h; y++) {
      for (let xx = 0; xx + 1 < w; xx++) {
        let k = 0;
        for (let dy = 0; dy < 2; dy++)
          for (let dx = 0; dx < 2; dx++) for (let ch = 0; ch < c; ch++) patch[k++] = x[((i * h + y + dy) * w + xx + dx) * c + ch]!;
        for (let a = 0; a < d; a++) {
          const pa = patch[a]!;
          for (let b = a; b < d; b++) cov[a * d + b] += pa * patch[b]!;
        }
      }
    }
  }
  const count = n * (h - 1) * (w - 1);
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[b * d + a] = cov[a * d + b] = cov[a * d + b]! / count;
  return cov;
}
