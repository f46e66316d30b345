/**
 * ONNX export, checked against independent implementations: ONNX Runtime runs every zoo model
 * and a model per exported layer type (with several options each) within 1e-4 of Convkit's own
 * predictions, NHWC and NCHW; Debian's python3-onnx checker (full_check: the schema, the opset
 * and shape inference) accepts every exported file; a layer without a mapping is named.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { exportOnnx, saveOnnx } from '../../src/io/onnx/index.js';
import { input, layers, Layer, type Shape } from '../../src/layers/index.js';
import { model } from '../../src/models/functional.js';
import type { Model } from '../../src/models/model.js';
import { sequential } from '../../src/models/sequential.js';
import { zoo } from '../../src/models/zoo.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { debianPython, maxDiff, randomData, randomiseWeights, relayout, runOrt } from './onnx-helpers.js';

const exported = mkdtempSync(join(tmpdir(), 'convkit-onnx-export-'));
after(() => rmSync(exported, { recursive: true, force: true }));

/** Exports `m`, runs it in ONNX Runtime on a seeded batch of 2 and compares with predict. */
async function checkAgainstOrt(name: string, m: Model, sampleShape: number[], nchw = false): Promise<void> {
  randomiseWeights(m, 7);
  const dims = [2, ...sampleShape];
  const x = randomData(
    dims.reduce((a, b) => a * b, 1),
    11,
  );
  const expected = m.predict(new Tensor(x, dims));
  const bytes = exportOnnx(m, { nchw });
  writeFileSync(join(exported, `${name}${nchw ? '_nchw' : ''}.onnx`), bytes);
  const feed = nchw && dims.length === 4 ? relayout(x, dims, false) : x;
  const feedDims = nchw && dims.length === 4 ? [dims[0]!, dims[3]!, dims[1]!, dims[2]!] : dims;
  const out = await runOrt(bytes, feed, feedDims);
  const got = nchw && out.dims.length === 4 ? relayout(out.data, out.dims, true) : out.data;
  assert.deepEqual(
    nchw && out.dims.length === 4 ? [out.dims[0], out.dims[2], out.dims[3], out.dims[1]] : out.dims,
    expected.shape,
    `${name}: output shape`,
  );
  const diff = maxDiff(got, expected.values());
  assert.ok(diff <= 1e-4, `${name}: ONNX Runtime differs from Convkit by ${diff}`);
}

const one = (layer: Layer, shape: number[]) => ({
  m: sequential([layers.activation({ activation: 'linear', inputShape: shape }), layer]),
  shape,
});
const graph = (shape: number[], f: (x: ReturnType<typeof input>) => ReturnType<typeof input>) => {
  const x = input({ shape });
  return { m: model({ inputs: x, outputs: f(x) }), shape };
};

/** One or more models per exported layer class, with the options that change the mapping. */
const cases: Record<string, { m: Model; shape: number[] }> = {
  conv2d_same_stride2_odd: one(layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), [7, 9, 3]),
  conv2d_valid_dilated: one(layers.conv2d({ filters: 3, kernelSize: [3, 2], dilationRate: 2, activation: 'sigmoid' }), [9, 8, 2]),
  conv2d_same_even_kernel: one(layers.conv2d({ filters: 2, kernelSize: 4, padding: 'same', useBias: false }), [6, 5, 3]),
  depthwise_multiplier2: one(
    layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'relu6' }),
    [8, 7, 3],
  ),
  separable: one(layers.separableConv2d({ filters: 5, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'tanh' }), [6, 6, 3]),
  conv2d_transpose_valid: one(layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2 }), [4, 5, 2]),
  conv2d_transpose_same: one(
    layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    [4, 3, 3],
  ),
  conv2d_transpose_output_padding: one(layers.conv2dTranspose({ filters: 2, kernelSize: 4, strides: 3, outputPadding: 1 }), [3, 3, 2]),
  max_pool_same: one(layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), [7, 8, 2]),
  max_pool_valid: one(layers.maxPooling2d({ poolSize: [2, 3] }), [6, 9, 2]),
  avg_pool_same: one(layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }), [7, 6, 2]),
  avg_pool_valid: one(layers.averagePooling2d({ poolSize: 2, strides: 1 }), [5, 5, 3]),
  global_avg: one(layers.globalAveragePooling2d(), [5, 4, 3]),
  global_max_keepdims: one(layers.globalMaxPooling2d({ keepdims: true }), [5, 4, 3]),
  dense_rank2: one(layers.dense({ units: 4, activation: 'softmax' }), [6]),
  dense_rank4: one(layers.dense({ units: 3, activation: 'elu' }), [3, 4, 5]),
  dense_rank3_no_bias: one(layers.dense({ units: 3, useBias: false }), [4, 5]),
  batch_norm: one(layers.batchNormalization({ epsilon: 0.01 }), [4, 3, 5]),
  batch_norm_no_center_scale: one(layers.batchNormalization({ center: false, scale: false }), [6]),
  flatten_nhwc_order: one(layers.flatten(), [3, 4, 5]),
  reshape_to_rank3: one(layers.reshape({ targetShape: [12, 5] }), [3, 4, 5]),
  reshape_to_rank4: one(layers.reshape({ targetShape: [2, 3, 4] }), [24]),
  permute: one(layers.permute({ dims: [3, 1, 2] }), [3, 4, 5]),
  zero_padding: one(
    layers.zeroPadding2d({
      padding: [
        [1, 2],
        [0, 3],
      ],
    }),
    [3, 4, 2],
  ),
  cropping: one(
    layers.cropping2D({
      cropping: [
        [1, 0],
        [2, 1],
      ],
    }),
    [5, 6, 2],
  ),
  up_sampling_nearest: one(layers.upSampling2d({ size: [2, 3] }), [3, 4, 2]),
  up_sampling_bilinear: one(layers.upSampling2d({ size: 2, interpolation: 'bilinear' }), [3, 4, 2]),
  dropout: one(layers.dropout({ rate: 0.5 }), [3, 4, 2]),
  spatial_dropout: one(layers.spatialDropout2d({ rate: 0.5 }), [3, 4, 2]),
  relu_layer_max: one(layers.reLU({ maxValue: 0.3 }), [3, 4, 2]),
  relu_layer_threshold_slope: one(layers.reLU({ maxValue: 0.5, negativeSlope: 0.1, threshold: 0.2 }), [3, 4, 2]),
  leaky_relu: one(layers.leakyReLU({ alpha: 0.15 }), [7]),
  elu_layer: one(layers.elu({ alpha: 0.7 }), [7]),
  softmax_channels: one(layers.softmax(), [3, 4, 5]),
  softmax_height: one(layers.softmax({ axis: 1 }), [3, 4, 5]),
  merges: graph([3, 4, 2], (x) => {
    const [a, b, c] = [1, 2, 3].map(() => layers.conv2d({ filters: 2, kernelSize: 1 }).apply(x));
    const s = layers.add().apply([a!, b!, c!]);
    const d = layers.subtract().apply([s, a!]);
    const p = layers.multiply().apply([d, b!]);
    const avg = layers.average().apply([p, c!]);
    return layers.minimum().apply([layers.maximum().apply([avg, a!, b!]), c!]);
  }),
  nested_model: graph([16, 16, 2], (x) => layers.dense({ units: 2 }).apply(zoo.lenet5({ inputShape: [16, 16, 2], classes: 3 }).apply(x))),
};
for (const activation of [
  'relu',
  'relu6',
  'sigmoid',
  'hardSigmoid',
  'tanh',
  'softmax',
  'elu',
  'selu',
  'gelu',
  'geluNew',
  'softplus',
  'swish',
  'silu',
  'leakyRelu',
  'logSoftmax',
  'softsign',
  'exponential',
  'hardSilu',
  'hardSwish',
  'mish',
]) {
  cases[`activation_${activation}`] = one(layers.activation({ activation }), [3, 2, 4]);
}

describe('ONNX export runs in ONNX Runtime as in Convkit', () => {
  for (const [name, { m, shape }] of Object.entries(cases)) {
    it(name, async () => checkAgainstOrt(name, m, shape));
  }
  it('NCHW input and output with { nchw: true }', async () => {
    await checkAgainstOrt('zeropad_nchw', one(layers.zeroPadding2d({ padding: 1 }), [3, 4, 2]).m, [3, 4, 2], true);
    await checkAgainstOrt('seedCnn', zoo.seedCnn(), [28, 28, 1], true);
  });
});

describe('every zoo model exports and runs in ONNX Runtime', () => {
  const sizes: Record<string, [number, number, number]> = { seedCnn: [28, 28, 1], seedCnnRegularized: [28, 28, 1], lenet5: [28, 28, 1] };
  for (const [name, make] of Object.entries(zoo)) {
    it(name, async () => {
      const inputShape = sizes[name] ?? [32, 32, 3];
      await checkAgainstOrt(`zoo_${name}`, make({ inputShape, classes: 10 }), inputShape);
    });
  }
});

describe('ONNX export errors', () => {
  it('names a layer without an ONNX mapping', () => {
    class Double extends Layer {
      readonly className = 'Double';
      call(x: Tensor) {
        return x;
      }
      computeOutputShape(s: Shape) {
        return s;
      }
    }
    const m = sequential([layers.dense({ units: 2, inputShape: [3] }), new Double({ name: 'twice' }, 'double')]);
    assert.throws(() => exportOnnx(m), /layer "twice" \(Double\) has no ONNX mapping; the exporter handles Conv2D, /);
  });

  it('asks for an input shape when a Sequential model has none', () => {
    assert.throws(
      () => exportOnnx(sequential([layers.dense({ units: 2 })])),
      /has no input shape; give its first layer an inputShape or pass \{ inputShape \}/,
    );
  });

  it('saveOnnx writes the same bytes exportOnnx returns', () => {
    const m = zoo.lenet5();
    const path = join(exported, 'saved.onnx.bin');
    saveOnnx(m, path);
    assert.deepEqual(new Uint8Array(readFileSync(path)), exportOnnx(m));
    rmSync(path);
  });
});

describe("Debian's onnx checker accepts every exported file", () => {
  const python = debianPython(['onnx']);
  it('onnx.checker.check_model(full_check=True)', { skip: 'skip' in python ? python.skip : false }, () => {
    const script = [
      'import glob, sys, onnx',
      'files = sorted(glob.glob(sys.argv[1] + "/*.onnx"))',
      'assert files, "no files"',
      'for f in files:',
      '    m = onnx.load(f)',
      '    onnx.checker.check_model(m, full_check=True)',
      '    assert m.ir_version == 8 and m.opset_import[0].version == 17, f',
      'print(len(files))',
    ].join('\n');
    const checked = execFileSync((python as { python: string }).python, ['-c', script, exported], { encoding: 'utf8' });
    assert.ok(Number(checked) >= Object.keys(cases).length, `checked ${checked.trim()} files`);
  });
});
