/**
 * Optimizers: known first steps in Keras's formulations, and convergence on a quadratic.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { getOptimizer, optimizers, type Optimizer } from '../../src/optimizers/index.js';
import { Tensor, tensor } from '../../src/tensor/tensor.js';
import { Variable } from '../../src/tensor/variable.js';

setBackend('ts');
const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

function step(opt: Optimizer, w: Variable, g: number): void {
  opt.applyGradients([[w, tensor([g])]]);
}

describe('optimizers', () => {
  it('sgd: plain, momentum and Nesterov steps', () => {
    const w = new Variable(tensor([1]));
    const plain = optimizers.sgd({ learningRate: 0.1 });
    step(plain, w, 2);
    close(w.data[0]!, 0.8);
    const m = new Variable(tensor([1]));
    const mom = optimizers.sgd({ learningRate: 0.1, momentum: 0.9 });
    step(mom, m, 1); // v = -0.1
    step(mom, m, 1); // v = -0.09 - 0.1 = -0.19
    close(m.data[0]!, 1 - 0.1 - 0.19);
    const n = new Variable(tensor([1]));
    const nest = optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true });
    step(nest, n, 1); // v = -0.1; w += 0.9·(-0.1) - 0.1
    close(n.data[0]!, 1 - 0.19);
  });
  it('adam: the first step is lr·g/(|g| + ε/√(1 − β2)), worked by hand', () => {
    // Keras 3 adam.py, t = 1: m = 0.1g, v = 0.001g², α = lr·√0.001/0.1, step = α·m/(√v + ε)
    // = lr·|g|/(|g| + ε/√0.001)·sign(g). With ε = 1e-7: ε/√0.001 = 3.1623e-6.
    const w = new Variable(new Tensor(Float64Array.of(1, -1, 0), [3]));
    const adam = optimizers.adam({ learningRate: 0.01 });
    adam.applyGradients([[w, new Tensor(Float64Array.of(3, -0.5, 1e-5), [3])]]);
    const e = 1e-7 / Math.sqrt(0.001);
    close(w.data[0]!, 1 - (0.01 * 3) / (3 + e), 1e-15);
    close(w.data[1]!, -1 + (0.01 * 0.5) / (0.5 + e), 1e-15);
    close(w.data[2]!, -(0.01 * 1e-5) / (1e-5 + e), 1e-15); // 0.0075975…: ε visible
    assert.equal(adam.iterations, 1);
  });
  it('rmsprop: first step is lr·g/sqrt((1-rho)g² + eps)', () => {
    const w = new Variable(tensor([1]));
    step(optimizers.rmsprop({ learningRate: 0.01 }), w, 2);
    close(w.data[0]!, 1 - (0.01 * 2) / Math.sqrt(0.1 * 4 + 1e-7));
  });
  it('rmsprop by hand: epsilon inside the root at a tiny gradient, centered, momentum (Keras 3 rmsprop.py)', () => {
    // velocity = ρ·velocity + (1 − ρ)·g²; denominator = velocity (− average_g² if centered) + ε;
    // increment = lr·g/√denominator; with momentum, m = momentum·m + increment, w −= m.
    const step64 = (o: Optimizer, v: Variable, g: number) => o.applyGradients([[v, new Tensor(Float64Array.of(g), [1])]]);
    const w = new Variable(new Tensor(Float64Array.of(1), [1]));
    step64(optimizers.rmsprop({ learningRate: 0.01 }), w, 1e-4);
    close(w.data[0]!, 1 - (0.01 * 1e-4) / Math.sqrt(0.1 * 1e-8 + 1e-7), 1e-15); // ε-dominated
    const c = new Variable(new Tensor(Float64Array.of(1), [1]));
    step64(optimizers.rmsprop({ learningRate: 0.01, centered: true }), c, 2); // 0.4 − 0.2² = 0.36
    close(c.data[0]!, 1 - 0.02 / Math.sqrt(0.36 + 1e-7), 1e-15);
    const m = new Variable(new Tensor(Float64Array.of(1), [1]));
    const withMomentum = optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5 });
    step64(withMomentum, m, 2); // velocity 0.4: increment 0.02/√0.4
    step64(withMomentum, m, 2); // velocity 0.9·0.4 + 0.4 = 0.76: m = 0.5·(0.02/√0.4) + 0.02/√0.76
    const first = 0.02 / Math.sqrt(0.4 + 1e-7);
    close(m.data[0]!, 1 - first - (0.5 * first + 0.02 / Math.sqrt(0.76 + 1e-7)), 1e-15);
  });
  it('each optimizer minimises a quadratic; schedules are called with the step', () => {
    for (const opt of [
      optimizers.sgd({ learningRate: 0.1, momentum: 0.5 }),
      optimizers.adam({ learningRate: 0.1 }),
      optimizers.rmsprop({ learningRate: 0.05 }),
    ]) {
      const w = new Variable(tensor([3]));
      for (let i = 0; i < 300; i++) step(opt, w, 2 * w.data[0]!);
      assert.ok(Math.abs(w.data[0]!) < 0.05, `${opt.className}: ${w.data[0]}`);
    }
    const seen: number[] = [];
    const opt = optimizers.sgd({ learningRate: (s) => (seen.push(s), 0.1) });
    const w = new Variable(tensor([1]));
    step(opt, w, 1);
    step(opt, w, 1);
    assert.deepEqual(seen, [0, 1]);
  });
  it('names resolve; unknown ones are refused', () => {
    assert.equal(getOptimizer('Adam').className, 'Adam');
    assert.throws(() => getOptimizer('lbfgs'), /unknown optimizer 'lbfgs'/);
  });
});
