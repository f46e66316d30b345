/**
 * AdamW, Adamax, Adagrad against PyTorch golden values (test/fixtures/optimizers.json, made by
 * make-optimizer-fixtures.py), Nadam against Keras 3's formula worked by hand, gradient clipping
 * (clipNorm, globalClipNorm, clipValue), decoupled weight decay, configs and names.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { getOptimizer, optimizers, type Optimizer } from '../../src/optimizers/index.js';
import { Tensor, tensor } from '../../src/tensor/tensor.js';
import { Variable } from '../../src/tensor/variable.js';

setBackend('ts');
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tol ${tol})`);
const f64 = (values: number[]) => new Tensor(Float64Array.from(values), [values.length]);

interface Fixture {
  w0: number[];
  grads: number[][];
  cases: Record<'adamW' | 'adamax' | 'adagrad', { args: Record<string, number>; steps: number[][] }> & {
    adamKerasEpsilon: { args: Record<string, number>; w0: number[]; grads: number[][]; steps: number[][] };
  };
}
const fixture = JSON.parse(readFileSync(new URL('../../../test/fixtures/optimizers.json', import.meta.url), 'utf8')) as Fixture;

describe('more optimizers', () => {
  for (const name of ['adamW', 'adamax', 'adagrad'] as const) {
    it(`${name}: three steps match PyTorch`, () => {
      const { args, steps } = fixture.cases[name];
      const opt = optimizers[name](args);
      const w = new Variable(f64(fixture.w0));
      fixture.grads.forEach((g, t) => {
        opt.applyGradients([[w, f64(g)]]);
        steps[t]!.forEach((expected, i) => close(w.data[i]!, expected));
      });
    });
  }

  it("adam: epsilon added to Keras's uncorrected √v, three steps with tiny gradients, against PyTorch", () => {
    // With g ≈ 1e-7 and ε = 1e-7, Keras's placement (adam.py: α·m/(√v + ε)) moves the first weight
    // by 3.07e-4, where ε on the bias-corrected √v̂ (PyTorch's and TensorFlow.js's) would move it by 5e-3.
    const { args, w0, grads, steps } = fixture.cases.adamKerasEpsilon;
    const opt = optimizers.adam(args);
    const w = new Variable(f64(w0));
    grads.forEach((g, t) => {
      opt.applyGradients([[w, f64(g)]]);
      steps[t]!.forEach((expected, i) => close(w.data[i]!, expected, 1e-15));
    });
    close(1 - steps[0]![0]!, (0.01 * Math.sqrt(0.001) * 1e-8) / 0.1 / (Math.sqrt(1e-17) + 1e-7), 1e-15);
  });

  it('adagrad: first step by hand, with the Keras epsilon inside the square root', () => {
    // a = 0.1 + 2² = 4.1;  w = 1 − 0.01·2 / √(4.1 + 1e-7)
    const w = new Variable(f64([1]));
    optimizers.adagrad({ learningRate: 0.01 }).applyGradients([[w, f64([2])]]);
    close(w.data[0]!, 1 - 0.02 / Math.sqrt(4.1 + 1e-7));
  });

  it('adamax: first step by hand, w −= lr·m / ((1 − β1)·(u + ε))', () => {
    // m = 0.1·2 = 0.2; u = |2| = 2;  w = 1 − 0.01·0.2 / (0.1·(2 + 1e-7))
    const w = new Variable(f64([1]));
    optimizers.adamax({ learningRate: 0.01 }).applyGradients([[w, f64([2])]]);
    close(w.data[0]!, 1 - 0.002 / (0.1 * (2 + 1e-7)));
  });

  it("nadam: two steps of Keras 3's formula, worked by hand", () => {
    // lr 0.01, β1 0.9, β2 0.999, ε 1e-7; g = 2 then 1; u_t = 0.9·(1 − 0.5·0.96^t).
    // t=1: u1 = 0.468, u2 = 0.48528, Π1 = 0.468; m = 0.2, v = 0.004;
    //      m̂ = 0.48528·0.2/(1 − 0.468·0.48528) + 0.532·2/(1 − 0.468) = 2.1255756066175406; v̂ = 4
    //      w = 1 − 0.01·m̂/(2 + 1e-7) = 0.9893721224983062
    // t=2: u3 = 0.5018688, Π2 = 0.22711104; m = 0.28, v = 0.004996;
    //      m̂ = 0.5018688·0.28/(1 − Π2·u3) + 0.51472·1/(1 − Π2) = 0.8245694318643318; v̂ = 2.4992496248124425
    //      w = 0.9893721224983062 − 0.01·m̂/(√v̂ + 1e-7) = 0.9841563050181493
    const w = new Variable(f64([1]));
    const opt = optimizers.nadam({ learningRate: 0.01 });
    opt.applyGradients([[w, f64([2])]]);
    close(w.data[0]!, 0.9893721224983062);
    opt.applyGradients([[w, f64([1])]]);
    close(w.data[0]!, 0.9841563050181493);
  });

  it('nadam: two variables in one step share the momentum product', () => {
    const opt = optimizers.nadam({ learningRate: 0.01 });
    const a = new Variable(f64([1]));
    const b = new Variable(f64([1]));
    opt.applyGradients([
      [a, f64([2])],
      [b, f64([2])],
    ]);
    opt.applyGradients([
      [a, f64([1])],
      [b, f64([1])],
    ]);
    close(a.data[0]!, 0.9841563050181493);
    close(b.data[0]!, 0.9841563050181493);
  });

  it('each new optimizer minimises a quadratic in float32', () => {
    for (const opt of [
      optimizers.adamW({ learningRate: 0.1 }),
      optimizers.adamax({ learningRate: 0.1 }),
      optimizers.nadam({ learningRate: 0.1 }),
      optimizers.adagrad({ learningRate: 0.5 }),
    ]) {
      const w = new Variable(tensor([3]));
      for (let i = 0; i < 300; i++) opt.applyGradients([[w, tensor([2 * w.data[0]!])]]);
      assert.ok(Math.abs(w.data[0]!) < 0.05, `${opt.className}: ${w.data[0]}`);
    }
  });

  it('weightDecay: decoupled, w −= lr·wd·w before the update, on any optimizer', () => {
    const w = new Variable(f64([2]));
    optimizers.sgd({ learningRate: 0.1, weightDecay: 0.5 }).applyGradients([[w, f64([1])]]);
    close(w.data[0]!, 2 - 0.1 * 0.5 * 2 - 0.1 * 1); // 1.8
    assert.equal(optimizers.adamW().weightDecay, 0.004, 'Keras 3 default');
    assert.throws(() => optimizers.sgd({ weightDecay: -1 }), /sgd: expected weightDecay to be a non-negative number, received -1/);
  });
});

describe('gradient clipping', () => {
  const sgd = (args: Parameters<typeof optimizers.sgd>[0]) => optimizers.sgd({ learningRate: 1, ...args });

  it('clipNorm rescales each gradient to at most that L2 norm, leaving the caller’s gradient untouched', () => {
    const w = new Variable(f64([0, 0]));
    const small = new Variable(f64([0, 0]));
    const g = f64([3, 4]); // norm 5
    sgd({ clipNorm: 1 }).applyGradients([
      [w, g],
      [small, f64([0.3, 0.4])],
    ]);
    close(w.data[0]!, -0.6);
    close(w.data[1]!, -0.8);
    close(small.data[0]!, -0.3, 1e-15); // under the norm: unchanged
    assert.deepEqual([...g.data], [3, 4]);
  });

  it('globalClipNorm scales all gradients by one factor', () => {
    const a = new Variable(f64([0]));
    const b = new Variable(f64([0]));
    sgd({ globalClipNorm: 1 }).applyGradients([
      [a, f64([3])],
      [b, f64([4])],
    ]);
    close(a.data[0]!, -0.6);
    close(b.data[0]!, -0.8);
    const c = new Variable(f64([0]));
    sgd({ globalClipNorm: 10 }).applyGradients([[c, f64([3])]]);
    close(c.data[0]!, -3);
  });

  it('clipValue clips each element', () => {
    const w = new Variable(f64([0, 0, 0]));
    sgd({ clipValue: 0.5 }).applyGradients([[w, f64([3, -0.2, -7])]]);
    assert.deepEqual([...w.data], [-0.5, 0.2, 0.5]);
  });

  it('clipping bounds the update of every optimizer', () => {
    for (const make of [optimizers.adam, optimizers.adamW, optimizers.adamax, optimizers.nadam, optimizers.adagrad, optimizers.rmsprop]) {
      const clipped = make({ learningRate: 0.1, clipValue: 1e-3 });
      const plain = make({ learningRate: 0.1 });
      const w1 = new Variable(f64([1, 1]));
      const w2 = new Variable(f64([1, 1]));
      clipped.applyGradients([[w1, f64([100, 1e-4])]]);
      plain.applyGradients([[w2, f64([1e-3, 1e-4])]]);
      assert.deepEqual([...w1.data], [...w2.data], `${clipped.className}: clipped 100 behaves as 1e-3`);
    }
  });

  it('refuses two clipping rules or a non-positive bound', () => {
    assert.throws(
      () => sgd({ clipNorm: 1, clipValue: 1 }),
      /sgd: expected at most one of clipNorm, globalClipNorm and clipValue, received clipNorm and clipValue/,
    );
    assert.throws(() => optimizers.adam({ globalClipNorm: 0 }), /adam: expected globalClipNorm to be a positive number, received 0/);
  });
});

describe('optimizer configs and names', () => {
  it('getConfig records the Keras arguments, clipping and weight decay', () => {
    assert.deepEqual(optimizers.adamW({ clipNorm: 2 }).getConfig(), {
      name: 'adamw',
      learningRate: 0.001,
      weightDecay: 0.004,
      clipNorm: 2,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
    });
    assert.deepEqual(optimizers.adagrad().getConfig(), {
      name: 'adagrad',
      learningRate: 0.001,
      initialAccumulatorValue: 0.1,
      epsilon: 1e-7,
    });
    assert.deepEqual(optimizers.nadam().getConfig(), { name: 'nadam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    assert.deepEqual(optimizers.adamax().getConfig(), { name: 'adamax', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  });

  it('names resolve in any case', () => {
    const names: [string, string][] = [
      ['adamw', 'AdamW'],
      ['AdamW', 'AdamW'],
      ['adamax', 'Adamax'],
      ['Nadam', 'Nadam'],
      ['adagrad', 'Adagrad'],
      ['rmsprop', 'RMSprop'],
    ];
    for (const [id, className] of names) assert.equal(getOptimizer(id).className, className);
    const own: Optimizer = optimizers.nadam();
    assert.equal(getOptimizer(own), own);
    assert.throws(
      () => getOptimizer('lion'),
      /unknown optimizer 'lion'; expected one of sgd, adam, adamW, adamax, nadam, adagrad, rmsprop/,
    );
  });
});
