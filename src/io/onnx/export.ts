/**
 * Convkit model → ONNX (opset 17, IR 8). The graph input stays NHWC by default (a Transpose to
 * NCHW follows it) or is NCHW with `{ nchw: true }`; rank-4 outputs are given back in the same
 * layout. Each layer is exported by its class's entry in one table; a layer without one is an
 * error naming it. Nested models are inlined.
 */
import { InputLayer } from '../../layers/input.js';
import type { Layer } from '../../layers/layer.js';
import type { Shape } from '../../layers/shape-types.js';
import type { SymbolicTensor } from '../../layers/symbolic.js';
import { Functional } from '../../models/functional.js';
import type { Model } from '../../models/model.js';
import { Sequential } from '../../models/sequential.js';
import { writeFileAtomic } from '../atomic.js';
import {
  exportConv2D,
  exportConv2DTranspose,
  exportDepthwiseConv2D,
  exportGlobalPooling,
  exportPooling,
  exportSeparableConv2D,
} from './export-conv.js';
import { NCHW_TO_NHWC, NHWC_TO_NCHW, type LayerExporter, type Value } from './export-context.js';
import {
  exportActivationLayer,
  exportBatchNormalization,
  exportCropping2D,
  exportDense,
  exportELU,
  exportFlatten,
  exportIdentity,
  exportLeakyReLU,
  exportMerge,
  exportPermute,
  exportReLU,
  exportRescaling,
  exportReshape,
  exportSoftmax,
  exportUpSampling2D,
  exportZeroPadding2D,
} from './export-layers.js';
import { exportOnnxActivation, exportOnnxConcat, exportOnnxConstantOp, exportOnnxPool2D } from './export-imported.js';
import { attr, GraphBuilder } from './graph-builder.js';
import { encodeModel, DataType, type ValueInfoProto } from './proto.js';

/** Every layer class the exporter maps, by Keras class name. */
const exporters: Record<string, LayerExporter> = {
  Conv2D: exportConv2D,
  DepthwiseConv2D: exportDepthwiseConv2D,
  SeparableConv2D: exportSeparableConv2D,
  Conv2DTranspose: exportConv2DTranspose,
  MaxPooling2D: exportPooling('MaxPool'),
  AveragePooling2D: exportPooling('AveragePool'),
  GlobalAveragePooling2D: exportGlobalPooling('GlobalAveragePool'),
  GlobalMaxPooling2D: exportGlobalPooling('GlobalMaxPool'),
  Dense: exportDense,
  BatchNormalization: exportBatchNormalization,
  Activation: exportActivationLayer,
  ReLU: exportReLU,
  LeakyReLU: exportLeakyReLU,
  ELU: exportELU,
  Softmax: exportSoftmax,
  Add: exportMerge('Add'),
  Subtract: exportMerge('Sub'),
  Multiply: exportMerge('Mul'),
  Average: exportMerge('Mean'),
  Maximum: exportMerge('Max'),
  Minimum: exportMerge('Min'),
  Dropout: exportIdentity,
  SpatialDropout2D: exportIdentity,
  Flatten: exportFlatten,
  Rescaling: exportRescaling,
  Reshape: exportReshape,
  Permute: exportPermute,
  ZeroPadding2D: exportZeroPadding2D,
  Cropping2D: exportCropping2D,
  UpSampling2D: exportUpSampling2D,
  // Layers of imported graphs.
  OnnxConcat: exportOnnxConcat,
  OnnxConstantOp: exportOnnxConstantOp,
  OnnxActivation: exportOnnxActivation,
  OnnxPool2D: exportOnnxPool2D,
};

export interface ExportOnnxOptions {
  /** The graph input (and rank-4 outputs) in NCHW instead of Convkit's NHWC (default false). */
  nchw?: boolean;
  /** The model's input shape without the batch, for a Sequential model whose first layer has no inputShape. */
  inputShape?: number[];
}

/** Exports one layer applied to `inputs`, inlining nested models. */
function exportLayer(g: GraphBuilder, layer: Layer, inputs: Value[], outShape: Shape): string {
  if (layer instanceof Functional || layer instanceof Sequential) return exportModelGraph(g, layer, inputs)[0]!.name;
  const exporter = exporters[layer.className];
  if (!exporter) {
    throw new Error(
      `ONNX export: layer "${layer.name}" (${layer.className}) has no ONNX mapping; the exporter handles ${Object.keys(exporters).join(', ')}`,
    );
  }
  return exporter(g, layer, inputs, outShape);
}

/** The nodes of a functional model in topological order (each after the nodes it reads). */
function functionalOrder(m: Functional): SymbolicTensor[] {
  const order: SymbolicTensor[] = [];
  const seen = new Set<SymbolicTensor>(m.inputs);
  const visit = (t: SymbolicTensor): void => {
    if (seen.has(t)) return;
    seen.add(t);
    t.node!.inputs.forEach(visit);
    order.push(t);
  };
  m.outputs.forEach(visit);
  return order;
}

/** Adds `m`'s computation on `inputs`; returns its outputs. */
function exportModelGraph(g: GraphBuilder, m: Model, inputs: Value[]): Value[] {
  if (m instanceof Sequential) {
    return [
      m.layers.reduce((x, layer) => {
        if (layer instanceof InputLayer) return x;
        const shape = layer.computeOutputShape(x.shape);
        return { name: exportLayer(g, layer, [x], shape), shape };
      }, inputs[0]!),
    ];
  }
  if (!(m instanceof Functional)) throw new Error(`ONNX export: model "${m.name}" (${m.className}) is neither Sequential nor functional`);
  const values = new Map<SymbolicTensor, Value>(m.inputs.map((t, i) => [t, inputs[i]!]));
  for (const t of functionalOrder(m)) {
    const node = t.node!;
    values.set(t, {
      name: exportLayer(
        g,
        node.layer,
        node.inputs.map((s) => values.get(s)!),
        t.shape,
      ),
      shape: t.shape,
    });
  }
  return m.outputs.map((t) => values.get(t)!);
}

/** The model's input shapes (null batch). */
function inputShapes(m: Model, opts: ExportOnnxOptions): Shape[] {
  if (m instanceof Functional) return m.inputs.map((t) => t.shape);
  const first = m.layers[0];
  const shape = opts.inputShape ? [null, ...opts.inputShape] : first?.batchInputShape;
  if (!shape)
    throw new Error(`ONNX export: Sequential "${m.name}" has no input shape; give its first layer an inputShape or pass { inputShape }`);
  return [shape];
}

/** A tensor type for the graph's inputs and outputs; null dimensions become the symbol 'batch'. */
function valueInfo(name: string, shape: Shape): ValueInfoProto {
  const dim = shape.map((d, i) => (d === null ? { dim_param: i === 0 ? 'batch' : `d${i}` } : { dim_value: d }));
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim } } } };
}

const reorder = (shape: Shape, perm: number[]): Shape => perm.map((p) => shape[p]!);

/**
 * The model as ONNX bytes (opset 17, IR 8), ready for ONNX Runtime.
 *
 * @example
 * const bytes = exportOnnx(zoo.resnet20());                 // input [batch, 32, 32, 3]
 * const nchw = exportOnnx(zoo.resnet20(), { nchw: true });  // input [batch, 3, 32, 32]
 */
export function exportOnnx(m: Model, opts: ExportOnnxOptions = {}): Uint8Array {
  const g = new GraphBuilder();
  const shapes = inputShapes(m, opts);
  const graphInputs: ValueInfoProto[] = [];
  const inputs = shapes.map((shape, i) => {
    const name = g.unique(shapes.length === 1 ? 'input' : `input_${i}`);
    const layoutChange = shape.length === 4 && !opts.nchw;
    graphInputs.push(valueInfo(name, shape.length === 4 && opts.nchw ? reorder(shape, NHWC_TO_NCHW) : shape));
    return { name: layoutChange ? g.node('Transpose', [name], `${name}_nchw`, [attr.ints('perm', NHWC_TO_NCHW)]) : name, shape };
  });
  const outputs = exportModelGraph(g, m, inputs);
  const graphOutputs = outputs.map((v, i) => {
    const name = g.unique(outputs.length === 1 ? 'output' : `output_${i}`);
    const toNhwc = v.shape.length === 4 && !opts.nchw;
    g.nodes.push(
      toNhwc
        ? { op_type: 'Transpose', input: [v.name], output: [name], name, attribute: [attr.ints('perm', NCHW_TO_NHWC)] }
        : { op_type: 'Identity', input: [v.name], output: [name], name },
    );
    return valueInfo(name, v.shape.length === 4 && opts.nchw ? reorder(v.shape, NHWC_TO_NCHW) : v.shape);
  });
  return encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: 'convkit',
    producer_version: '0.1.0',
    graph: { name: m.name, node: g.nodes, initializer: g.initializers, input: graphInputs, output: graphOutputs },
  });
}

/**
 * Writes the model to an .onnx file, atomically (`model.save('m.onnx')` does the same).
 *
 * @example
 * saveOnnx(model, 'model.onnx');                  // NHWC input, as Convkit takes it
 * saveOnnx(model, 'model.onnx', { nchw: true });  // NCHW input, as PyTorch callers pass it
 */
export function saveOnnx(m: Model, path: string, opts: ExportOnnxOptions = {}): void {
  writeFileAtomic(path, [exportOnnx(m, opts)]);
}
