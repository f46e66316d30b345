/**
 * Initializer and activation names in every spelling a Keras 3, Keras 2 or TensorFlow.js config
 * carries, and the initializers they add: VarianceScaling (scale/mode/distribution, of which
 * Glorot, He and LeCun are special cases), TruncatedNormal, Constant, Orthogonal, Identity.
 * Semantics from keras/src/initializers/random_initializers.py and constant_initializers.py.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { activations, layerFromConfig, layers, serializeLayer } from '../../src/layers/index.js';
import { getInitializer, initializers, serializeInitializer } from '../../src/layers/initializers.js';
import { getActivation } from '../../src/layers/activations.js';
import { Random } from '../../src/tensor/random.js';
import { tensor } from '../../src/tensor/tensor.js';

setBackend('ts');

const draw = (id: Parameters<typeof getInitializer>[0], shape: number[], seed = 9) =>
  Array.from(getInitializer(id, 'test').init(shape, new Random(seed)).data);

function moments(values: number[]): { mean: number; variance: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, variance: values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length };
}

describe('initializer names and configs', () => {
  const spellings: [string[], string][] = [
    [['glorot_uniform', 'GlorotUniform', 'glorotUniform'], 'GlorotUniform'],
    [['glorot_normal', 'GlorotNormal', 'glorotNormal'], 'GlorotNormal'],
    [['he_normal', 'HeNormal', 'heNormal'], 'HeNormal'],
    [['he_uniform', 'HeUniform', 'heUniform'], 'HeUniform'],
    [['lecun_normal', 'LecunNormal', 'lecunNormal', 'leCunNormal', 'LeCunNormal'], 'LecunNormal'],
    [['lecun_uniform', 'LecunUniform', 'leCunUniform'], 'LecunUniform'],
    [['truncated_normal', 'TruncatedNormal', 'truncatedNormal'], 'TruncatedNormal'],
    [['random_normal', 'RandomNormal', 'randomNormal'], 'RandomNormal'],
    [['random_uniform', 'RandomUniform', 'randomUniform'], 'RandomUniform'],
    [['variance_scaling', 'VarianceScaling', 'varianceScaling'], 'VarianceScaling'],
    [['orthogonal', 'Orthogonal'], 'Orthogonal'],
    [['identity', 'Identity'], 'Identity'],
    [['constant', 'Constant'], 'Constant'],
    [['zeros', 'Zeros'], 'Zeros'],
    [['ones', 'Ones'], 'Ones'],
  ];
  for (const [names, className] of spellings) {
    it(`${names.join(', ')} → ${className}, drawing the same values`, () => {
      const reference = draw(names[0]!, [4, 3]);
      for (const name of names) {
        assert.equal(getInitializer(name, 'test').className, className, name);
        assert.deepEqual(draw(name, [4, 3]), reference, name);
        // Keras 2 / Keras 3 configs ({class_name, config}) and tfjs configs ({className, config}).
        assert.deepEqual(draw({ class_name: name, config: { seed: null } }, [4, 3]), reference, `class_name ${name}`);
        assert.deepEqual(draw({ className: name, config: {} }, [4, 3]), reference, `className ${name}`);
      }
    });
  }

  it('VarianceScaling: scale / mode / distribution in Keras and tfjs spellings; Glorot and He are its special cases', () => {
    const shape = [3, 3, 4, 8]; // fanIn 36, fanOut 72
    assert.deepEqual(
      draw({ class_name: 'VarianceScaling', config: { scale: 2.0, mode: 'fan_in', distribution: 'truncated_normal' } }, shape),
      draw('he_normal', shape),
    );
    assert.deepEqual(
      draw({ className: 'VarianceScaling', config: { scale: 1, mode: 'fanAvg', distribution: 'uniform' } }, shape),
      draw('glorotUniform', shape),
    );
    // Keras 2's distribution 'normal' is truncated_normal (random_initializers.py: `if distribution == "normal"`).
    assert.deepEqual(
      draw({ class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_in', distribution: 'normal' } }, shape),
      draw('lecunNormal', shape),
    );
    // Variance scale / n for every mode and distribution (n = fanIn, fanOut or their mean).
    const big = [64, 128];
    for (const [mode, n] of [
      ['fan_in', 64],
      ['fan_out', 128],
      ['fan_avg', 96],
    ] as const) {
      for (const distribution of ['truncated_normal', 'untruncated_normal', 'uniform']) {
        const { mean, variance } = moments(draw({ class_name: 'VarianceScaling', config: { scale: 3, mode, distribution } }, big, 2));
        assert.ok(Math.abs(mean) < 0.01, `${mode} ${distribution} mean ${mean}`);
        assert.ok(Math.abs(variance / (3 / n) - 1) < 0.06, `${mode} ${distribution}: variance ${variance}, expected ${3 / n}`);
      }
    }
    const uniform = draw({ class_name: 'VarianceScaling', config: { scale: 3, mode: 'fan_in', distribution: 'uniform' } }, big);
    assert.ok(Math.max(...uniform.map(Math.abs)) <= Math.sqrt((3 * 3) / 64), 'uniform within sqrt(3 * scale / n)');
    const round = serializeInitializer(initializers.varianceScaling({ scale: 0.5, mode: 'fan_out', distribution: 'untruncated_normal' }));
    assert.deepEqual(round, {
      className: 'VarianceScaling',
      config: { scale: 0.5, mode: 'fanOut', distribution: 'untruncatedNormal', seed: null },
    });
    assert.deepEqual(
      draw(round, shape),
      draw({ class_name: 'VarianceScaling', config: { scale: 0.5, mode: 'fan_out', distribution: 'untruncated_normal' } }, shape),
    );
    assert.throws(
      () => getInitializer({ class_name: 'VarianceScaling', config: { mode: 'fan_sideways' } }, 'Dense "d" kernelInitializer'),
      /Dense "d" kernelInitializer: .*expected mode one of fanIn, fanOut, fanAvg, received "fan_sideways"/,
    );
    assert.throws(() => initializers.varianceScaling({ scale: 0 }), /expected scale to be a positive number, received 0/);
  });

  it('TruncatedNormal: mean and stddev, values within two standard deviations', () => {
    const values = draw({ class_name: 'TruncatedNormal', config: { mean: 1, stddev: 0.5 } }, [100, 100]);
    assert.ok(values.every((v) => Math.abs(v - 1) <= 1 + 1e-6));
    const { mean, variance } = moments(values);
    assert.ok(Math.abs(mean - 1) < 0.01);
    // A unit normal truncated at ±2 has stddev 0.8796.
    assert.ok(Math.abs(Math.sqrt(variance) - 0.5 * 0.8796) < 0.01, `stddev ${Math.sqrt(variance)}`);
  });

  it('Constant, Orthogonal (rows or columns orthonormal, times gain) and Identity', () => {
    assert.deepEqual(draw({ class_name: 'Constant', config: { value: 0.25 } }, [2, 2]), [0.25, 0.25, 0.25, 0.25]);
    for (const shape of [
      [6, 4],
      [4, 6],
      [3, 3, 2, 5],
    ]) {
      const w = draw({ class_name: 'Orthogonal', config: { gain: 2 } }, shape);
      const cols = shape[shape.length - 1]!;
      const rows = w.length / cols;
      const [k, along] = rows >= cols ? [cols, 'columns'] : [rows, 'rows'];
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          let dot = 0;
          for (let i = 0; i < (rows >= cols ? rows : cols); i++) {
            dot += rows >= cols ? w[i * cols + a]! * w[i * cols + b]! : w[a * cols + i]! * w[b * cols + i]!;
          }
          assert.ok(Math.abs(dot - (a === b ? 4 : 0)) < 1e-5, `${shape}: ${along} ${a}·${b} = ${dot}`);
        }
      }
    }
    assert.deepEqual(draw({ class_name: 'Identity', config: { gain: 3 } }, [2, 3]), [3, 0, 0, 0, 3, 0]);
    assert.throws(() => draw('identity', [3, 3, 1, 1]), /Identity: expected a 2-D weight .*received shape \(3, 3, 1, 1\)/);
    assert.throws(() => draw('orthogonal', [5]), /Orthogonal: expected a weight of rank 2 or more/);
  });

  it('layer options take any spelling and serialize with the class name; unknown names are refused with the list', () => {
    const dense = layers.dense({
      units: 3,
      inputShape: [2],
      kernelInitializer: 'he_uniform',
      biasInitializer: { class_name: 'Constant', config: { value: 0.5 } },
    });
    dense.apply(tensor([[1, 2]]));
    assert.deepEqual(Array.from(dense.getWeights()[1]!.data), [0.5, 0.5, 0.5]);
    const copy = layerFromConfig(serializeLayer(dense));
    assert.deepEqual(copy.getConfig(), dense.getConfig());
    assert.throws(
      () => layers.dense({ units: 3, kernelInitializer: 'glorot_uniformm' }),
      /unknown initializer 'glorot_uniformm'; expected one of glorotUniform/,
    );
  });
});

describe('activation names', () => {
  const spellings: [string[], string][] = [
    [['hard_sigmoid', 'hardSigmoid', 'HardSigmoid'], 'hardSigmoid'],
    [['leaky_relu', 'leakyRelu', 'LeakyRelu'], 'leakyRelu'],
    [['gelu_new', 'geluNew'], 'geluNew'],
    [['log_softmax', 'logSoftmax'], 'logSoftmax'],
    [['hard_silu', 'hardSilu'], 'hardSilu'],
    [['softsign', 'Softsign'], 'softsign'],
    [['relu', 'ReLU', 'Relu'], 'relu'],
  ];
  for (const [names, canonical] of spellings) {
    it(`${names.join(', ')} → ${canonical}`, () => {
      for (const name of names) assert.equal(getActivation(name, 'test').name, canonical, name);
      const d = layers.dense({ units: 2, activation: names[0]! });
      assert.equal(d.getConfig()['activation'], canonical);
    });
  }

  it('known values of the added activations (Keras 3 definitions)', () => {
    const x = tensor([-2, 0, 1.5]);
    const at = (name: keyof typeof activations) => Array.from(activations[name](x).data);
    const near = (a: number[], b: number[]) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-6, `${a} vs ${b}`));
    near(at('softsign'), [-2 / 3, 0, 1.5 / 2.5]);
    near(at('exponential'), [Math.exp(-2), 1, Math.exp(1.5)]);
    near(at('hardSilu'), [-2 * (1 / 6), 0, 1.5 * (4.5 / 6)]);
    const softplus = (v: number) => Math.log1p(Math.exp(v));
    near(at('mish'), [-2 * Math.tanh(softplus(-2)), 0, 1.5 * Math.tanh(softplus(1.5))]);
    assert.throws(() => getActivation('relu7', 'Dense "d"'), /Dense "d": unknown activation 'relu7'; expected one of linear, relu/);
    assert.throws(
      () => getActivation(7 as never, 'Dense "d"'),
      /Dense "d": expected activation to be a name such as 'relu', received number 7/,
    );
  });
});
