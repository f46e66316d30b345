/**
 * Reference batch normalisation for the `ts` backend, over x viewed as [rows, channels]
 * (channels last): the training-mode forward with its batch statistics, its backward, and the
 * folded inference form y = x·scale + shift, each with an optional fused relu (relu6 too in
 * training). Sums run in JavaScript numbers (double precision).
 */
import type { EpilogueActivation, FloatArray, FusedActivation, Kernels } from '../kernels.js';
import { allocLike } from '../../tensor/buffer-pool.js';
import { activateInPlace } from './elementwise.js';

/** Per-channel mean and biased variance over the rows (0 and 0 when there are none). */
function statistics(x: FloatArray, rows: number, C: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  if (rows === 0) return { mean, variance };
  for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) mean[c] += x[r * C + c]!;
  for (let c = 0; c < C; c++) mean[c] /= rows;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < C; c++) {
      const d = x[r * C + c]! - mean[c]!;
      variance[c] += d * d;
    }
  for (let c = 0; c < C; c++) variance[c] /= rows;
  return { mean, variance };
}

export function batchNormTrain(
  x: FloatArray,
  gamma: FloatArray | null,
  beta: FloatArray | null,
  rows: number,
  C: number,
  epsilon: number,
  activation: EpilogueActivation,
): { y: FloatArray; mean: FloatArray; variance: FloatArray } {
  const s = statistics(x, rows, C);
  const mean = allocLike(x, C);
  const variance = allocLike(x, C);
  mean.set(s.mean);
  variance.set(s.variance);
  const scale = new Float64Array(C);
  for (let c = 0; c < C; c++) scale[c] = (gamma ? gamma[c]! : 1) / Math.sqrt(s.variance[c]! + epsilon);
  const y = allocLike(x, rows * C);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < C; c++) y[r * C + c] = (x[r * C + c]! - s.mean[c]!) * scale[c]! + (beta ? beta[c]! : 0);
  activateInPlace(y, activation);
  return { y, mean, variance };
}

export function batchNormBackward(
  dy: FloatArray,
  x: FloatArray,
  gamma: FloatArray | null,
  mean: FloatArray,
  variance: FloatArray,
  rows: number,
  C: number,
  epsilon: number,
  activation: EpilogueActivation,
  activationOutput: FloatArray | null,
): { dx: FloatArray; dgamma: FloatArray; dbeta: FloatArray } {
  if (activationOutput && activation !== 'linear') {
    // The fused activation's gradient first: dy only where its output is positive (and below 6).
    const cap = activation === 'relu6' ? 6 : Infinity;
    const masked = allocLike(dy, dy.length);
    for (let i = 0; i < dy.length; i++) masked[i] = activationOutput[i]! > 0 && activationOutput[i]! < cap ? dy[i]! : 0;
    dy = masked;
  }
  const rstd = new Float64Array(C);
  for (let c = 0; c < C; c++) rstd[c] = 1 / Math.sqrt(variance[c]! + epsilon);
  const sumDy = new Float64Array(C);
  const sumDyXhat = new Float64Array(C);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < C; c++) {
      const g = dy[r * C + c]!;
      sumDy[c] += g;
      sumDyXhat[c] += g * (x[r * C + c]! - mean[c]!) * rstd[c]!;
    }
  const dx = allocLike(dy, rows * C);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < C; c++) {
      const xhat = (x[r * C + c]! - mean[c]!) * rstd[c]!;
      const k = (gamma ? gamma[c]! : 1) * rstd[c]!;
      dx[r * C + c] = k * (dy[r * C + c]! - sumDy[c]! / rows - (xhat * sumDyXhat[c]!) / rows);
    }
  const dgamma = allocLike(dy, C);
  const dbeta = allocLike(dy, C);
  dgamma.set(sumDyXhat);
  dbeta.set(sumDy);
  return { dx, dgamma, dbeta };
}

export function batchNormInference(
  x: FloatArray,
  scale: FloatArray,
  shift: FloatArray,
  rows: number,
  C: number,
  activation: FusedActivation,
): FloatArray {
  const y = allocLike(x, rows * C);
  for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) y[r * C + c] = x[r * C + c]! * scale[c]! + shift[c]!;
  activateInPlace(y, activation);
  return y;
}

/** The batch-normalisation kernels of the contract. */
export const normalizationKernels = { batchNormTrain, batchNormBackward, batchNormInference } satisfies Partial<Kernels>;
