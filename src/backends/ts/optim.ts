/**
 * The optimizers' update steps and BatchNormalization's moving averages, in place, as plain loops:
 * the spec of the native kernels in native/src/elementwise/optim.cc. Every formula is Keras 3's (the
 * optimizer files in src/optimizers/ say which); arithmetic is in float64 with each stored slot
 * rounded to the buffer's type and read back, which the native kernels repeat exactly.
 */
import type { AdagradStep, AdamaxStep, AdamStep, FloatArray, Kernels, NadamStep, RmspropStep, SgdStep } from '../kernels.js';

function adamUpdate(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, s: AdamStep): void {
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]!;
    const mi = (m[i] = s.beta1 * m[i]! + (1 - s.beta1) * g);
    const vi = (v[i] = s.beta2 * v[i]! + (1 - s.beta2) * g * g);
    param[i] -= (s.lrT * mi) / (Math.sqrt(vi) + s.epsilonT);
  }
}

function sgdUpdate(w: FloatArray, g: FloatArray, velocity: FloatArray | null, s: SgdStep): void {
  const lr = s.learningRate;
  if (velocity === null) {
    for (let i = 0; i < w.length; i++) w[i] -= lr * g[i]!;
    return;
  }
  const m = s.momentum;
  for (let i = 0; i < w.length; i++) {
    velocity[i] = m * velocity[i]! - lr * g[i]!;
    w[i] += s.nesterov ? m * velocity[i]! - lr * g[i]! : velocity[i]!;
  }
}

function rmspropUpdate(w: FloatArray, g: FloatArray, ms: FloatArray, mom: FloatArray | null, mg: FloatArray | null, s: RmspropStep): void {
  const { learningRate: lr, rho, epsilon } = s;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    ms[i] = rho * ms[i]! + (1 - rho) * gi * gi;
    let denom = ms[i]!;
    if (mg) {
      mg[i] = rho * mg[i]! + (1 - rho) * gi;
      denom -= mg[i]! * mg[i]!;
    }
    const step = (lr * gi) / Math.sqrt(denom + epsilon);
    if (mom) {
      mom[i] = s.momentum * mom[i]! + step;
      w[i] -= mom[i]!;
    } else {
      w[i] -= step;
    }
  }
}

function adagradUpdate(w: FloatArray, g: FloatArray, acc: FloatArray, s: AdagradStep): void {
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    acc[i] += gi * gi;
    w[i] -= (s.learningRate * gi) / Math.sqrt(acc[i]! + s.epsilon);
  }
}

function adamaxUpdate(w: FloatArray, g: FloatArray, m: FloatArray, u: FloatArray, s: AdamaxStep): void {
  const { beta1, beta2, epsilon, stepSize } = s;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    m[i] = beta1 * m[i]! + (1 - beta1) * gi;
    u[i] = Math.max(beta2 * u[i]!, Math.abs(gi));
    w[i] -= (stepSize * m[i]!) / (u[i]! + epsilon);
  }
}

function nadamUpdate(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, s: NadamStep): void {
  const { beta1, beta2, epsilon, learningRate: lr, mScale, gScale, vScale } = s;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    m[i] = beta1 * m[i]! + (1 - beta1) * gi;
    v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
    const mHat = mScale * m[i]! + gScale * gi;
    w[i] -= (lr * mHat) / (Math.sqrt(v[i]! * vScale) + epsilon);
  }
}

function decayWeights(w: FloatArray, rate: number): void {
  for (let j = 0; j < w.length; j++) w[j] -= rate * w[j]!;
}

function movingAverageUpdate(average: FloatArray, value: FloatArray, momentum: number): void {
  for (let i = 0; i < average.length; i++) average[i] = average[i]! * momentum + value[i]! * (1 - momentum);
}

/** The in-place update kernels of the contract. */
export const optimKernels = {
  adamUpdate,
  sgdUpdate,
  rmspropUpdate,
  adagradUpdate,
  adamaxUpdate,
  nadamUpdate,
  decayWeights,
  movingAverageUpdate,
} satisfies Partial<Kernels>;
