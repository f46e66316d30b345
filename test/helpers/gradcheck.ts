/**
 * Float64 finite-difference gradient checking on the `ts` backend, shared by op and layer tests.
 */
import assert from 'node:assert/strict';
import { gradients } from '../../src/autograd/gradients.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Random } from '../../src/tensor/random.js';
import { sizeOf } from '../../src/tensor/shape.js';

/** A float64 tensor of uniform values in [lo, hi), requiring grad. */
export function randomInput(shape: number[], rng: Random, lo = -1, hi = 1): Tensor {
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rng.uniform();
  const t = new Tensor(data, shape);
  t.requiresGrad = true;
  return t;
}

/**
 * Checks analytic gradients of scalar-valued `f` against central differences at `inputs`.
 * `f` must return a scalar (or any tensor; its values are summed with fixed random weights so
 * every output element is checked).
 *
 * An element passes when |analytic − numeric| ≤ tol·max(|analytic|, |numeric|) + atol: relative
 * to the gradient's own size, so a gradient of 1e-6 is checked as closely as one of 1, with a
 * small absolute floor for the central difference's round-off (about 1e-16·|f| / eps) near zero.
 */
export function checkGradients(
  f: (inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  { eps = 1e-6, tol = 1e-5, atol = 1e-8, seed = 7 } = {},
): void {
  const probe = f(inputs);
  const rng = new Random(seed);
  const weights = new Float64Array(probe.size);
  for (let i = 0; i < weights.length; i++) weights[i] = rng.uniform() + 0.5;
  const scalarOf = (t: Tensor): number => {
    let s = 0;
    for (let i = 0; i < t.size; i++) s += t.data[i]! * weights[i]!;
    return s;
  };
  const out = f(inputs);
  const dy = new Tensor(weights.slice(), out.shape);
  const analytic = gradients(out, inputs, dy);
  inputs.forEach((input, k) => {
    const g = analytic[k];
    assert.ok(g, `input ${k}: no gradient computed`);
    const data = input.data as Float64Array;
    for (let i = 0; i < data.length; i++) {
      const orig = data[i]!;
      data[i] = orig + eps;
      const plus = scalarOf(f(inputs));
      data[i] = orig - eps;
      const minus = scalarOf(f(inputs));
      data[i] = orig;
      const numeric = (plus - minus) / (2 * eps);
      const a = g.data[i]!;
      const err = Math.abs(a - numeric);
      const bound = tol * Math.max(Math.abs(a), Math.abs(numeric)) + atol;
      assert.ok(
        err <= bound,
        `input ${k}[${i}]: analytic ${a} vs numeric ${numeric} (error ${err.toExponential(2)} > bound ${bound.toExponential(2)})`,
      );
    }
  });
}
