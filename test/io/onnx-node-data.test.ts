/**
 * ONNX's own operator tests (Debian's libonnx-testdata, data/node/test_*): every test whose
 * graph uses only operators the importer supports is imported and run on its test_data_set_0
 * inputs, and must give the expected outputs within 1e-4 + 1e-3·|expected| (the tolerance of
 * ONNX's own backend tests is rtol 1e-3) — except the tests listed in `exceptions` below (and
 * the README), each with the reason, which must fail so that the list stays true.
 *
 * Convkit's models take one batch of activations: the first graph input stays the model's input
 * and the other inputs (weights, shapes, pads, second operands) are bound as constants from the
 * test data, as an exporter would have stored them (Concat keeps all its inputs as inputs).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { importOnnx, supportedOnnxOps } from '../../src/io/onnx/index.js';
import { decodeModel, decodeTensorProto, encodeModel, type ModelProto, type TensorProto } from '../../src/io/onnx/proto.js';
import { decodeTensor } from '../../src/io/onnx/tensors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { relayout } from './onnx-helpers.js';

const root = '/usr/share/libonnx-testdata/data/node';

/** Tests of supported operators that Convkit does not pass, by reason (README: "ONNX import"). */
const exceptionGroups: [string, string[]][] = [
  [
    "the model's input has no batch axis (rank 0 or 1); Convkit models take a batch",
    [
      'clip_default_inbounds',
      'clip_default_int8_inbounds',
      'clip_example',
      'clip_inbounds',
      'clip_outbounds',
      'clip_splitbounds',
      'concat_1d_axis_0',
      'concat_1d_axis_negative_1',
      'constantofshape_float_ones',
      'constantofshape_int_shape_zero',
      'constantofshape_int_zeros',
      'div_example',
      'dropout_default_old',
      'elu_example',
      'gather_negative_indices',
      'hardsigmoid_example',
      'identity_opt',
      'identity_sequence',
      'leakyrelu_example',
      'mul_example',
      'sigmoid_example',
      'sub_example',
      'tanh_example',
    ],
  ],
  [
    'integer inputs; Convkit models take float inputs',
    [
      'add_uint8',
      'castlike_DOUBLE_to_FLOAT16_expanded',
      'castlike_FLOAT_to_BFLOAT16_expanded',
      'castlike_FLOAT_to_FLOAT16_expanded',
      'castlike_FLOAT_to_STRING_expanded',
      'clip_default_int8_max',
      'clip_default_int8_min',
      'div_uint8',
      'maxpool_2d_uint8',
      'mul_uint8',
      'sub_uint8',
    ],
  ],
  [
    "1-D and 3-D windows; Convkit's layers are 2-D (NHWC)",
    [
      'averagepool_1d_default',
      'averagepool_3d_default',
      'convtranspose_1d',
      'convtranspose_3d',
      'maxpool_1d_default',
      'maxpool_3d_default',
    ],
  ],
  ['dilated pooling and dilated transposed convolution: no Convkit layer has them', ['convtranspose_dilations', 'maxpool_2d_dilations']],
  [
    'training-mode outputs (BatchNormalization statistics, Dropout masks, training_mode = true): Convkit imports inference graphs',
    [
      'batchnorm_epsilon_training_mode',
      'batchnorm_example_training_mode',
      'dropout_default_mask',
      'dropout_default_mask_ratio',
      'maxpool_with_argmax_2d_precomputed_pads',
      'maxpool_with_argmax_2d_precomputed_strides',
      'training_dropout',
      'training_dropout_default',
      'training_dropout_default_mask',
      'training_dropout_mask',
      'training_dropout_zero_ratio',
      'training_dropout_zero_ratio_mask',
    ],
  ],
  [
    'the operation moves, merges or slices the batch axis (Concat/Transpose/Flatten/Reshape/Squeeze/Unsqueeze over axis 0), which Convkit keeps first',
    [
      'concat_2d_axis_0',
      'concat_2d_axis_negative_2',
      'concat_3d_axis_0',
      'concat_3d_axis_negative_3',
      'flatten_axis0',
      'flatten_axis2',
      'flatten_axis3',
      'flatten_negative_axis1',
      'flatten_negative_axis2',
      'flatten_negative_axis4',
      'reshape_allowzero_reordered',
      'reshape_negative_extended_dims',
      'reshape_one_dim',
      'reshape_reordered_all_dims',
      'squeeze',
      'transpose_all_permutations_2',
      'transpose_all_permutations_3',
      'transpose_all_permutations_4',
      'transpose_all_permutations_5',
      'transpose_default',
      'unsqueeze_axis_0',
    ],
  ],
  [
    'Gather and Slice of activations (folded only on constants and shapes, the arithmetic PyTorch emits), and casts of activations to other types than float and double (Convkit computes in float32; float16 and string inputs are not read)',
    [
      'cast_BFLOAT16_to_FLOAT',
      'cast_DOUBLE_to_FLOAT16',
      'cast_FLOAT16_to_DOUBLE',
      'cast_FLOAT16_to_FLOAT',
      'cast_FLOAT_to_BFLOAT16',
      'cast_FLOAT_to_FLOAT16',
      'cast_FLOAT_to_STRING',
      'cast_STRING_to_FLOAT',
      'castlike_BFLOAT16_to_FLOAT_expanded',
      'castlike_FLOAT16_to_DOUBLE_expanded',
      'castlike_FLOAT16_to_FLOAT_expanded',
      'castlike_STRING_to_FLOAT_expanded',
      'gather_0',
      'gather_1',
      'gather_2d_indices',
      'slice',
      'slice_default_axes',
      'slice_default_steps',
      'slice_end_out_of_bounds',
      'slice_neg',
      'slice_neg_steps',
      'slice_negative_axes',
      'slice_start_out_of_bounds',
    ],
  ],
  [
    "the graph's output is a constant (Shape, Constant alone): a Convkit model computes its outputs from its input",
    [
      'constant',
      'shape',
      'shape_clip_end',
      'shape_clip_start',
      'shape_end_1',
      'shape_end_negative_1',
      'shape_example',
      'shape_start_1',
      'shape_start_1_end_2',
      'shape_start_1_end_negative_1',
      'shape_start_negative_1',
    ],
  ],
  ['Pad in edge or reflect mode: only constant padding is composed (ZeroPadding2D)', ['edge_pad', 'reflect_pad']],
  [
    'Gemm with transA, or a bias that varies per sample; MatMul by a batched (3-D or 4-D) operand: Dense has one kernel and one bias',
    ['gemm_all_attributes', 'gemm_default_matrix_bias', 'gemm_transposeA', 'matmul_3d', 'matmul_4d'],
  ],
];
const exceptions: Record<string, string> = Object.fromEntries(
  exceptionGroups.flatMap(([reason, names]) => names.map((n) => [`test_${n}`, reason])),
);

/** The graph with all inputs but the kept ones moved into the initializers. */
function bindInputs(model: ModelProto, inputs: TensorProto[], keep: number): ModelProto {
  const graph = model.graph!;
  const names = (graph.input ?? []).map((v) => v.name);
  const bound = inputs.slice(keep).map((t, i) => ({ ...t, name: names[keep + i]! }));
  return {
    ...model,
    graph: { ...graph, input: (graph.input ?? []).slice(0, keep), initializer: [...(graph.initializer ?? []), ...bound] },
  };
}

/** Runs one node test; returns null when it passes, else what went wrong. */
function runNodeTest(dir: string): string | null {
  const model = decodeModel(readFileSync(join(dir, 'model.onnx')), dir);
  const data = join(dir, 'test_data_set_0');
  const files = readdirSync(data);
  const read = (prefix: string) =>
    files
      .filter((f) => f.startsWith(prefix))
      .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]))
      .map((f) => decodeTensorProto(readFileSync(join(data, f)), f));
  const inputs = read('input_');
  const outputs = read('output_');
  const allInputs = (model.graph?.node ?? []).length === 1 && model.graph!.node![0]!.op_type === 'Concat';
  const keep = allInputs ? inputs.length : 1;
  try {
    const m = importOnnx(encodeModel(bindInputs(model, inputs, keep)), { source: dir });
    const feeds = inputs.slice(0, keep).map((t) => {
      const { dims, data } = decodeTensor(t, dir);
      if (!(data instanceof Float32Array)) throw new Error(`input of type ${t.data_type} (Convkit's inputs are float)`);
      return dims.length === 4 ? new Tensor(relayout(data, dims, true), [dims[0]!, dims[2]!, dims[3]!, dims[1]!]) : new Tensor(data, dims);
    });
    const results = m.run(feeds, { training: false });
    for (const [i, expectedProto] of outputs.entries()) {
      const expected = decodeTensor(expectedProto, dir);
      const got = results[i]!;
      const gotData = got.shape.length === 4 ? relayout(Float32Array.from(got.values()), got.shape, false) : got.values();
      const gotDims = got.shape.length === 4 ? [got.shape[0], got.shape[3], got.shape[1], got.shape[2]] : [...got.shape];
      if (JSON.stringify(gotDims) !== JSON.stringify(expected.dims))
        return `output ${i} has shape [${gotDims.join(', ')}], expected [${expected.dims.join(', ')}]`;
      for (let j = 0; j < gotData.length; j++) {
        const want = expected.data[j] as number;
        if (!(Math.abs(gotData[j]! - want) <= 1e-4 + 1e-3 * Math.abs(want))) return `output ${i}[${j}] is ${gotData[j]}, expected ${want}`;
      }
    }
    return null;
  } catch (e) {
    return (e as Error).message.replace(`${dir}: `, '');
  }
}

/** The node tests whose graphs use only supported operators. */
function supportedTests(): string[] {
  const supported = new Set(supportedOnnxOps);
  return readdirSync(root)
    .filter((name) => name.startsWith('test_') && existsSync(join(root, name, 'test_data_set_0')))
    .filter((name) => {
      const model = decodeModel(readFileSync(join(root, name, 'model.onnx')), name);
      const nodes = model.graph?.node ?? [];
      return nodes.length > 0 && nodes.every((n) => (!n.domain || n.domain === 'ai.onnx') && supported.has(n.op_type));
    });
}

describe(
  "ONNX's node tests for every supported operator",
  { skip: existsSync(root) ? false : `${root} is missing (apt-get install libonnx-testdata)` },
  () => {
    const tests = existsSync(root) ? supportedTests() : [];
    it('covers every supported operator except the folding-only ones', () => {
      const covered = new Set(
        tests.flatMap((name) => decodeModel(readFileSync(join(root, name, 'model.onnx')), name).graph!.node!.map((n) => n.op_type)),
      );
      const missing = supportedOnnxOps.filter((op) => !covered.has(op));
      assert.deepEqual(missing, [], `operators without a node test: ${missing.join(', ')}`);
    });
    for (const name of tests) {
      it(name, () => {
        const failure = runNodeTest(join(root, name));
        if (process.env['CONVKIT_ONNX_SURVEY']) console.log(`SURVEY ${name}: ${failure ?? 'pass'}`);
        if (name in exceptions) assert.notEqual(failure, null, `${name} now passes: remove it from the exceptions`);
        else assert.equal(failure, null, `${name}: ${failure}`);
      });
    }
  },
);
