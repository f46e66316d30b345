/**
 * symmetricEigen (src/util/symmetric-eigen.ts): known eigenvalues of small matrices, and on a
 * random 12×12 covariance (the whitening stem's size) A·v = λ·v with orthonormal v to float64
 * precision; a wrong-sized matrix is refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../../src/tensor/random.js';
import { symmetricEigen } from '../../src/util/symmetric-eigen.js';

const sorted = (v: Float64Array) => [...v].sort((a, b) => a - b);

describe('symmetricEigen', () => {
  it('finds known eigenvalues and eigenvectors', () => {
    const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
    const s = sorted(values);
    assert.ok(Math.abs(s[0]! - 1) < 1e-14 && Math.abs(s[1]! - 3) < 1e-14, `${s}`);
    const j3 = values[0]! > values[1]! ? 0 : 1; // eigenvector of 3 is ±(1, 1)/√2
    assert.ok(Math.abs(Math.abs(vectors[j3]!) - Math.SQRT1_2) < 1e-14 && Math.abs(vectors[j3]! - vectors[2 + j3]!) < 1e-14);
    // diagonal: eigenvalues are the diagonal; 1×1: the number itself
    assert.deepEqual(sorted(symmetricEigen([5, 0, 0, 0, -2, 0, 0, 0, 7], 3).values), [-2, 5, 7]);
    assert.deepEqual([...symmetricEigen([4], 1).values], [4]);
  });

  it('decomposes a random 12×12 covariance: A·v = λ·v, orthonormal vectors', () => {
    const n = 12;
    const rng = new Random(5);
    const x = Array.from({ length: 40 * n }, () => rng.normal());
    const a = new Float64Array(n * n);
    for (let k = 0; k < 40; k++)
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] += (x[k * n + i]! * x[k * n + j]!) / 40;
    const { values, vectors } = symmetricEigen(a, n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a[i * n + k]! * vectors[k * n + j]!;
        assert.ok(Math.abs(av - values[j]! * vectors[i * n + j]!) < 1e-12, `row ${i} of A·v_${j}`);
      }
      for (let m = 0; m < n; m++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += vectors[k * n + j]! * vectors[k * n + m]!;
        assert.ok(Math.abs(dot - (j === m ? 1 : 0)) < 1e-12, `v_${j}·v_${m} = ${dot}`);
      }
    }
  });

  it('refuses a matrix of the wrong size', () => {
    assert.throws(() => symmetricEigen([1, 2, 3], 2), /expected an n×n matrix with n ≥ 1 \(4 numbers for n = 2\), received 3 numbers/);
    assert.throws(() => symmetricEigen([], 0), /received 0 numbers/);
  });
});
