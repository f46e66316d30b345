/**
 * Exporters of the layers only imported graphs contain (src/io/onnx/onnx-layers.ts), so that a
 * model brought from PyTorch, fine-tuned in Convkit, goes back to ONNX.
 */
import { exportActivation } from './export-activations.js';
import { onnxAxis, type LayerExporter } from './export-context.js';
import { attr } from './graph-builder.js';
import type { OnnxActivation, OnnxConcat, OnnxConstantOp, OnnxPool2D } from './onnx-layers.js';
import { permuteData } from './tensors.js';

export const exportOnnxConcat: LayerExporter<OnnxConcat> = (g, layer, inputs) =>
  g.node(
    'Concat',
    inputs.map((v) => v.name),
    layer.name,
    [attr.int('axis', onnxAxis(layer.axis, inputs[0]!.shape.length))],
  );

export const exportOnnxConstantOp: LayerExporter<OnnxConstantOp> = (g, layer, [x]) => {
  const c = layer.constant;
  const rank = x!.shape.length;
  // The constant is in Convkit's axis order; a rank-4 one goes to NCHW like the activation.
  const dims = [...new Array<number>(rank - c.shape.length).fill(1), ...c.shape];
  const nchw = rank === 4;
  const data = nchw ? permuteData(Float32Array.from(c.values()), dims, [0, 3, 1, 2]) : Float32Array.from(c.values());
  const name = g.floats(`${layer.name}_constant`, data, nchw ? [dims[0]!, dims[3]!, dims[1]!, dims[2]!] : dims);
  const op = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div' }[layer.op];
  return g.node(op, layer.constantFirst ? [name, x!.name] : [x!.name, name], layer.name);
};

export const exportOnnxActivation: LayerExporter<OnnxActivation> = (g, layer, [x]) => {
  const { fn, min, max, alpha, beta } = layer.args;
  if (fn === 'hardSwish') return g.node('HardSwish', [x!.name], layer.name);
  if (fn === 'hardSigmoid') return g.node('HardSigmoid', [x!.name], layer.name, [attr.float('alpha', alpha!), attr.float('beta', beta!)]);
  const bound = (name: string, v: number | undefined) =>
    v === undefined || !Number.isFinite(v) ? '' : g.floats(`${layer.name}_${name}`, [v], []);
  const inputs = [x!.name, bound('min', min), bound('max', max)];
  while (inputs[inputs.length - 1] === '') inputs.pop();
  return inputs.length === 1 ? exportActivation(g, 'linear', x!.name, 4, layer.name) : g.node('Clip', inputs, layer.name);
};

export const exportOnnxPool2D: LayerExporter<OnnxPool2D> = (g, layer, [x]) => {
  const { kind, poolSize, strides, pads, ceilExtra, countIncludePad } = layer.args;
  const attributes = [
    attr.ints('kernel_shape', poolSize),
    attr.ints('strides', strides),
    attr.ints('pads', [pads[0][0], pads[1][0], pads[0][1] - ceilExtra[0], pads[1][1] - ceilExtra[1]]),
    attr.int('ceil_mode', ceilExtra[0] > 0 || ceilExtra[1] > 0 ? 1 : 0),
    ...(kind === 'avg' ? [attr.int('count_include_pad', countIncludePad ? 1 : 0)] : []),
  ];
  return g.node(kind === 'max' ? 'MaxPool' : 'AveragePool', [x!.name], layer.name, attributes);
};
