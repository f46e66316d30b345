/**
 * Every activation by value, against PyTorch (test/fixtures/values.json) at points on both sides
 * of each kink (0, ±3, 6) and at ±40, ±1000, in float64 (the `ts` kernels) and float32 (the
 * backend in use). The definitions are Keras 3's (keras/src/activations/activations.py):
 * hard_sigmoid = clip(x/6 + 0.5, 0, 1) (not Keras 2's 0.2x + 0.5), leaky_relu's slope 0.2,
 * selu = 1.0507009873554805·elu(x, 1.6732632423543772), softplus = log(exp(x) + 1),
 * swish = silu = x·sigmoid(x), softsign = x/(|x| + 1), mish = x·tanh(softplus(x)),
 * hard_silu = hard_swish = x·hard_sigmoid(x), gelu exact 0.5x(1 + erf(x/√2)) and approximate
 * 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). The layers with options (ReLU, LeakyReLU, ELU, Softmax)
 * follow their Keras 3 layer docs, worked by hand below.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getBackend } from '../../src/backends/index.js';
import '../../src/backends/native-loader.js'; // float32 runs on the addon when it is built
import { activations } from '../../src/layers/activations.js';
import { layers } from '../../src/layers/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { valueFixtures } from '../helpers/fixtures.js';

const { points } = valueFixtures;

const DTYPES = [
  // [dtype, relative tolerance, absolute floor]. float64: erf's tail (gelu at −6.5 is −2.6e-10,
  // from 1 + erf(−4.6) ≈ 8e-11) leaves ~1e-6 relative, inside the floor.
  ['float64', 1e-9, 1e-15],
  // float32: softplus is log(1 + e^−|x|) + relu(x) without a log1p, so near x = −6.5 it carries
  // ~6e-8 absolute error (float32's ulp at 1), which mish multiplies by |x|.
  ['float32', 2e-6, 5e-7],
] as const;

function input(values: number[], dtype: 'float32' | 'float64', shape = [values.length]): Tensor {
  return new Tensor(dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values), shape);
}

function assertValues(actual: ArrayLike<number>, expected: number[], rel: number, abs: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  expected.forEach((e, i) => {
    const a = actual[i]!;
    const ok = Number.isFinite(e) ? Math.abs(a - e) <= rel * Math.abs(e) + abs : Object.is(a, e);
    assert.ok(ok, `${what} at x = ${points[i] ?? i}: ${a}, expected ${e}`);
  });
}

for (const [dtype, rel, abs] of DTYPES) {
  const where = dtype === 'float64' ? 'ts' : getBackend().name;
  describe(`activations by value (${dtype}, ${where} backend)`, () => {
    it('every activation Convkit has is in the fixture', () => {
      const rowwise = ['softmax', 'logSoftmax'];
      const missing = Object.keys(activations).filter((n) => !rowwise.includes(n) && !(n in valueFixtures.activations));
      assert.deepEqual(missing, [], 'add these to test/fixtures/make_value_fixtures.py');
    });
    for (const [name, expected] of Object.entries(valueFixtures.activations)) {
      it(name, () => {
        const fn = activations[name as keyof typeof activations];
        assert.ok(fn, `activation ${name} is gone from activations.ts`);
        assertValues(fn(input(points, dtype)).data, expected.map(Number), rel, abs, name);
      });
    }
    it('softmax and logSoftmax: rows of PyTorch values, one with ±1000 logits', () => {
      const rows = valueFixtures.softmax.x;
      const y = activations.softmax(input(rows.flat(), dtype, [rows.length, rows[0]!.length]));
      assertValues(y.data, valueFixtures.softmax.y.flat(), rel, abs, 'softmax');
      const logp = activations.logSoftmax(input(rows.flat(), dtype, [rows.length, rows[0]!.length]));
      assertValues(logp.data, valueFixtures.softmax.logSoftmax.flat(), rel, abs, 'logSoftmax');
    });

    it('LeakyReLU layer: default alpha 0.3 (the layer; the activation is 0.2); ELU layer with alpha 0.5', () => {
      assertValues(
        layers.leakyReLU({ dtype }).apply(input(points, dtype)).data,
        valueFixtures.layers['leakyReLUDefault']!,
        rel,
        abs,
        'LeakyReLU',
      );
      assertValues(layers.elu({ alpha: 0.5, dtype }).apply(input(points, dtype)).data, valueFixtures.layers['eluAlpha']!, rel, abs, 'ELU');
    });

    it('ReLU layer with maxValue, negativeSlope and threshold (Keras 3 ReLU layer docs)', () => {
      // keras/src/layers/activations/relu.py: f(x) = max_value for x >= max_value;
      // x for threshold <= x < max_value; negative_slope·(x − threshold) otherwise.
      // Points avoid x = threshold itself, where Keras's code and docs disagree (see report).
      const xs = [-1000, -3, -0.5, 0, 0.25, 0.75, 2, 5.9, 6, 7, 1000];
      const relu = layers.reLU({ maxValue: 6, negativeSlope: 0.1, threshold: 0.5, dtype });
      // By hand: 0.1·(x − 0.5) below 0.5, x up to 6, then 6.
      const expected = [-100.05, -0.35, -0.1, -0.05, -0.025, 0.75, 2, 5.9, 6, 6, 6];
      assertValues(relu.apply(input(xs, dtype)).data, expected, rel, abs, 'ReLU(6, 0.1, 0.5)');
      const relu6 = layers.reLU({ maxValue: 6, dtype });
      assertValues(relu6.apply(input(xs, dtype)).data, [0, 0, 0, 0, 0.25, 0.75, 2, 5.9, 6, 6, 6], rel, abs, 'ReLU(maxValue 6)');
      const leaky = layers.reLU({ negativeSlope: 0.5, dtype });
      assertValues(leaky.apply(input(xs, dtype)).data, [-500, -1.5, -0.25, 0, 0.25, 0.75, 2, 5.9, 6, 7, 1000], rel, abs, 'ReLU(slope 0.5)');
    });

    it('Softmax layer along axis 1 of [2, 3, 2]', () => {
      // Each (batch, column) pair over axis 1: values 0, ln 2, ln 5 give 1/8, 2/8, 5/8.
      const l2 = Math.LN2;
      const l5 = Math.log(5);
      const x = input([0, l5, l2, l2, l5, 0, l5, 0, 0, l2, l2, l5], dtype, [2, 3, 2]);
      const y = layers.softmax({ axis: 1, dtype }).apply(x);
      assertValues(
        y.data,
        [1, 5, 2, 2, 5, 1, 5, 1, 1, 2, 2, 5].map((v) => v / 8),
        rel,
        abs,
        'Softmax(axis 1)',
      );
    });
  });
}
