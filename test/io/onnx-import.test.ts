/**
 * ONNX import beyond PyTorch's files: the refusals (every unsupported operator named at once,
 * unfixed sizes), the fuzzed reader (mutated and truncated files give an error naming the file,
 * never a crash), the shape arithmetic PyTorch emits folded (checked against ONNX Runtime),
 * Convkit → ONNX → Convkit, and an imported model's config rebuilding it (its own layers included).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphBuilder, attr } from '../../src/io/onnx/graph-builder.js';
import { exportOnnx, importOnnx } from '../../src/io/onnx/index.js';
import { DataType, encodeModel, type ModelProto, type NodeProto } from '../../src/io/onnx/proto.js';
import { layerFromConfig } from '../../src/layers/registry.js';
import type { Functional } from '../../src/models/functional.js';
import { zoo } from '../../src/models/zoo.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { maxDiff, randomData, randomiseWeights, relayout, runOrt } from './onnx-helpers.js';

/** A model of `nodes` over input "x" of `dims` (null: dynamic) with output "y". */
function modelOf(g: GraphBuilder, dims: (number | null)[], output = 'y'): ModelProto {
  const type = (d: (number | null)[]) => ({
    tensor_type: { elem_type: DataType.FLOAT, shape: { dim: d.map((v) => (v === null ? { dim_param: 'N' } : { dim_value: v })) } },
  });
  return {
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: g.nodes,
      initializer: g.initializers,
      input: [{ name: 'x', type: type(dims) }],
      output: [{ name: output, type: { tensor_type: { elem_type: DataType.FLOAT } } }],
    },
  };
}

describe('ONNX import refusals', () => {
  it('lists every unsupported operator at once, with its nodes', () => {
    const g = new GraphBuilder();
    const nodes: NodeProto[] = [
      { op_type: 'LSTM', input: ['x'], output: ['a'], name: 'lstm_1' },
      { op_type: 'Relu', input: ['a'], output: ['b'], name: 'relu' },
      { op_type: 'LSTM', input: ['b'], output: ['c'], name: 'lstm_2' },
      { op_type: 'Einsum', input: ['c'], output: ['y'], name: 'mix' },
    ];
    g.nodes.push(...nodes);
    assert.throws(
      () => importOnnx(encodeModel(modelOf(g, [null, 4])), { source: 'm.onnx' }),
      /^Error: m\.onnx: unsupported ONNX operators: LSTM \(lstm_1, lstm_2\); Einsum \(mix\)\. Supported: Conv, /,
    );
  });

  it('asks for fixed sizes besides the batch', () => {
    const g = new GraphBuilder();
    g.nodes.push({ op_type: 'Relu', input: ['x'], output: ['y'], name: 'r' });
    assert.throws(
      () => importOnnx(encodeModel(modelOf(g, [null, 3, null, 8])), { source: 'dyn.onnx' }),
      /dyn\.onnx: input "x" has shape \[\?, 3, \?, 8\]; Convkit needs a batch axis and fixed sizes for the rest/,
    );
  });

  it('names the file when the bytes are not ONNX', () => {
    assert.throws(() => importOnnx(new TextEncoder().encode('{"not": "onnx"}'), { source: 'model.json' }), /^Error: model\.json: /);
  });

  it('fuzzed files: a model or an error that names the file, never a crash', () => {
    const base = exportOnnx(zoo.lenet5({ inputShape: [12, 12, 1], classes: 3 }));
    const rng = new Random(5);
    let refused = 0;
    for (let trial = 0; trial < 240; trial++) {
      let bytes = base.slice();
      if (trial % 3 === 0) for (let k = 0; k < 4; k++) bytes[rng.int(bytes.length)] = rng.int(256);
      else if (trial % 3 === 1) bytes = bytes.slice(0, rng.int(bytes.length));
      else bytes[rng.int(2000)] = rng.int(256); // the graph's structure, before the weights
      try {
        importOnnx(bytes, { source: 'fuzz.onnx' });
      } catch (e) {
        refused++;
        assert.ok(e instanceof Error && e.message.startsWith('fuzz.onnx: '), `trial ${trial}: ${String(e)}`);
      }
    }
    assert.ok(refused > 100, `only ${refused} of 240 mutations refused`);
  });
});

describe('ONNX import', () => {
  it("folds PyTorch's x.view(x.size(0), -1) shape arithmetic (dynamic batch), as ONNX Runtime computes it", async () => {
    const g = new GraphBuilder();
    const shape = g.node('Shape', ['x'], 'shape');
    const batch = g.node('Gather', [shape, g.int64s('zero', [0])], 'batch', [attr.int('axis', 0)]);
    // Gather with a 1-D index keeps a 1-D result; Unsqueeze a scalar gather like PyTorch does:
    g.initializers.push({ name: 'idx', dims: [], data_type: DataType.INT64, int64_data: [0] });
    const scalar = g.node('Gather', [shape, 'idx'], 'batch_scalar', [attr.int('axis', 0)]);
    const unsqueezed = g.node('Unsqueeze', [scalar, g.int64s('axes', [0])], 'batch_1d');
    const target = g.node('Concat', [unsqueezed, g.int64s('minus_one', [-1])], 'target', [attr.int('axis', 0)]);
    const relu = g.node('Relu', ['x'], 'relu');
    const flat = g.node('Reshape', [relu, target], 'flat');
    g.nodes.push({ op_type: 'Gemm', input: [flat, g.floats('w', randomData(48 * 5, 3), [48, 5])], output: ['y'], name: 'fc' });
    void batch;
    const bytes = encodeModel(modelOf(g, [null, 3, 4, 4]));
    const m = importOnnx(bytes);
    const x = randomData(2 * 48, 9);
    const ours = m.predict(new Tensor(relayout(x, [2, 3, 4, 4], true), [2, 4, 4, 3]));
    const reference = await runOrt(bytes, x, [2, 3, 4, 4]);
    assert.ok(maxDiff(ours.values(), reference.data) < 1e-5);
  });

  it('Convkit → ONNX → Convkit gives the same predictions', () => {
    const original = zoo.mobilenetV2({ inputShape: [16, 16, 3], classes: 4 });
    randomiseWeights(original, 3);
    const back = importOnnx(exportOnnx(original));
    const x = new Tensor(randomData(2 * 16 * 16 * 3, 4), [2, 16, 16, 3]);
    assert.ok(maxDiff(back.predict(x).values(), original.predict(x).values()) < 1e-5);
  });

  it("an imported model's config rebuilds it, its own layers (OnnxPool2D, OnnxConcat...) included", () => {
    const g = new GraphBuilder();
    const a = g.node('Conv', ['x', g.floats('w', randomData(4 * 2 * 9, 1), [4, 2, 3, 3])], 'a', [attr.ints('pads', [1, 0, 0, 1])]);
    const b = g.node('MaxPool', [a], 'b', [
      attr.ints('kernel_shape', [3, 3]),
      attr.ints('strides', [2, 2]),
      attr.ints('pads', [1, 1, 1, 1]),
      attr.int('ceil_mode', 1),
    ]);
    const c = g.node('AveragePool', [a], 'c', [
      attr.ints('kernel_shape', [3, 3]),
      attr.ints('strides', [2, 2]),
      attr.ints('pads', [1, 1, 2, 1]),
    ]);
    const d = g.node('Concat', [b, c], 'd', [attr.int('axis', 1)]);
    const e = g.node('Mul', [d, g.floats('k', [0.5], [])], 'e');
    g.nodes.push({ op_type: 'HardSigmoid', input: [e], output: ['y'], name: 'y', attribute: [attr.float('alpha', 0.3)] });
    const m = importOnnx(encodeModel(modelOf(g, [null, 2, 7, 6])));
    const classes = m.layers.map((l) => l.className);
    for (const name of ['OnnxPool2D', 'OnnxConcat', 'OnnxConstantOp', 'OnnxActivation'])
      assert.ok(classes.includes(name), `${name} in ${classes.join(', ')}`);
    const copy = layerFromConfig({ className: 'Functional', config: JSON.parse(JSON.stringify(m.getConfig())) }) as Functional;
    copy.setWeights(m.getWeights());
    const x = new Tensor(randomData(2 * 7 * 6 * 2, 2), [2, 7, 6, 2]);
    assert.ok(maxDiff(copy.predict(x).values(), m.predict(x).values()) === 0);
  });
});
