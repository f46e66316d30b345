/**
 * An experiment towards a faster CIFAR-10 recipe, not a recipe yet: an airbench-style net (Keller
 * Jordan's airbench94, https://github.com/KellerJordan/cifar10-airbench) written with Convkit's
 * layers, which on a GPU reaches ResNet-20's accuracy in far fewer epochs:
 *
 *   2×2 conv 24 'valid', frozen, initialised to whiten 2×2 patches (PCA of the training images,
 *   ±each eigenvector / sqrt(eigenvalue)) → gelu → three groups of [3×3 conv (no bias) → maxpool 2
 *   → batch norm (no scale) → gelu → 3×3 conv → batch norm → gelu] of 64, 256, 256 filters →
 *   maxpool 3 → dense 10 (no bias) on the features scaled by 1/9 → softmax.
 *
 * 32×32 → 31 → 15 → 7 → 3 → 1; about 1.97 M parameters and ~120 M multiply-adds per image
 * (ResNet-20: 0.27 M and ~41 M). Left out from airbench: lookahead, the 64× learning rate of the
 * biases, dirac initialisation and the translated test-time views. Measured on the native
 * backend (bench/recipe-cifar-speed.ts, README "Recipes"), it trains several times fewer images
 * per second than ResNet-20, more than its 2.9× multiply-adds: the first group's 31×31×64
 * activations, and gelu (composed of elementwise ops, not fused as relu is), dominate.
 */
import { layers } from '../src/layers/index.js';
import type { Layer } from '../src/layers/layer.js';
import type { Model } from '../src/models/model.js';
import { sequential } from '../src/models/sequential.js';
import { Tensor } from '../src/tensor/tensor.js';

/** Conv → maxpool → batch norm → gelu → conv → batch norm → gelu. */
function convGroup(filters: number, activation: string): Layer[] {
  const bn = () => layers.batchNormalization({ scale: false, momentum: 0.4, epsilon: 1e-5 });
  return [
    layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false }),
    layers.maxPooling2d({ poolSize: 2 }),
    bn(),
    layers.activation({ activation }),
    layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false }),
    bn(),
    layers.activation({ activation }),
  ];
}

/**
 * The airbench-style net; call `whiten(model, images)` before training.
 * @example const model = cifarFastNet([32, 32, 3], 10); whiten(model, train.images);
 */
export function cifarFastNet(
  inputShape: [number, number, number],
  classes: number,
  { widths = [64, 256, 256], activation = 'gelu' }: { widths?: number[]; activation?: string } = {},
): Model {
  return sequential([
    layers.conv2d({ filters: 2 * 2 * 2 * inputShape[2], kernelSize: 2, useBias: false, inputShape, trainable: false, name: 'whiten' }),
    layers.activation({ activation }),
    ...widths.flatMap((w) => convGroup(w, activation)),
    layers.maxPooling2d({ poolSize: 3 }),
    layers.flatten(),
    layers.rescaling({ scale: 1 / 9 }),
    layers.dense({ units: classes, useBias: false, activation: 'softmax' }),
  ]);
}

/** Eigen-decomposition of a symmetric matrix (cyclic Jacobi): eigenvalues and column eigenvectors. */
function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p]!;
          const mkq = m[k * n + q]!;
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k]!;
          const mqk = m[q * n + k]!;
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => m[i * n + i]!), vectors: v };
}

/**
 * Sets the frozen first layer to whiten 2×2 patches of `images` ([n, h, w, c], as the model sees
 * them): its kernel [2, 2, c, 2·4c] holds each eigenvector of the patch covariance divided by
 * sqrt(eigenvalue + 5e-4), and its negative. Uses at most the first 5,000 images.
 */
export function whiten(model: Model, images: Tensor, eps = 5e-4): void {
  const [n0, h, w, c] = images.shape as [number, number, number, number];
  const n = Math.min(n0, 5000);
  const x = images.values();
  const d = 4 * c;
  const cov = new Float64Array(d * d);
  const patch = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y + 1 < h; y++) {
      for (let xx = 0; xx + 1 < w; xx++) {
        let k = 0;
        for (let dy = 0; dy < 2; dy++)
          for (let dx = 0; dx < 2; dx++) for (let ch = 0; ch < c; ch++) patch[k++] = x[((i * h + y + dy) * w + xx + dx) * c + ch]!;
        for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[a * d + b] += patch[a]! * patch[b]!;
      }
    }
  }
  const count = n * (h - 1) * (w - 1);
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[b * d + a] = cov[a * d + b] = cov[a * d + b]! / count;
  const { values, vectors } = symmetricEigen(cov, d);
  const kernel = new Float32Array(d * 2 * d); // [2, 2, c, 2d]: row = patch index, column = filter
  for (let j = 0; j < d; j++) {
    const scale = 1 / Math.sqrt(Math.max(0, values[j]!) + eps);
    for (let r = 0; r < d; r++) {
      kernel[r * 2 * d + j] = vectors[r * d + j]! * scale;
      kernel[r * 2 * d + d + j] = -vectors[r * d + j]! * scale;
    }
  }
  const first = model.layers[0]!;
  first.setWeights([new Tensor(kernel, [2, 2, c, 2 * d])]);
}
