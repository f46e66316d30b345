/**
 * ONNX → Convkit: turns an ONNX CNN graph (as PyTorch's torch.onnx.export writes it) into a
 * functional model in NHWC with its weights converted, which predicts, trains and saves like any
 * other. Every operator is imported by its entry in one table; a graph with operators outside it
 * is refused before any work, with one error listing all of them and their nodes.
 */
import { readFileSync } from 'node:fs';
import { input } from '../../layers/input.js';
import { Functional } from '../../models/functional.js';
import { importBatchNormalization, importConv, importConvTranspose, importGlobalPool, importPool, type OpHandler } from './import-conv.js';
import { Attrs, identity, ImportContext, NCHW_LAYOUT, withLayout, type TensorValue } from './import-context.js';
import {
  importArithmetic,
  importClip,
  importElu,
  importGemm,
  importHardSigmoid,
  importHardSwish,
  importLeakyRelu,
  importMatMul,
  importRelu,
  importSigmoid,
  importSoftmax,
  importTanh,
} from './import-dense.js';
import {
  foldArithmetic,
  importCast,
  importConcat,
  importConstant,
  importConstantOfShape,
  importFlatten,
  importGather,
  importIdentity,
  importPad,
  importReshape,
  importShape,
  importSlice,
  importSqueeze,
  importTranspose,
  importUnsqueeze,
} from './import-shape.js';
import { decodeModel, type ModelProto, type NodeProto } from './proto.js';
import { decodeTensor } from './tensors.js';

/** Arithmetic: folded when both inputs are constants, else a layer. */
function arithmetic(op: 'add' | 'sub' | 'mul' | 'div', f: (x: number, y: number) => number): OpHandler {
  const layer = importArithmetic(op);
  return (ctx, node, a) => {
    const both = node.input!.every((n) => ctx.values.get(n)?.kind === 'const');
    if (both) foldArithmetic(ctx, node, f);
    else layer(ctx, node, a);
  };
}

/** Every supported operator (default domain), by op_type. */
const handlers: Record<string, OpHandler> = {
  Conv: importConv,
  ConvTranspose: importConvTranspose,
  MaxPool: importPool('max'),
  AveragePool: importPool('avg'),
  GlobalAveragePool: importGlobalPool('avg'),
  GlobalMaxPool: importGlobalPool('max'),
  BatchNormalization: importBatchNormalization,
  Gemm: importGemm,
  MatMul: importMatMul,
  Add: arithmetic('add', (x, y) => x + y),
  Sub: arithmetic('sub', (x, y) => x - y),
  Mul: arithmetic('mul', (x, y) => x * y),
  Div: arithmetic('div', (x, y) => x / y),
  Relu: importRelu,
  Clip: importClip,
  LeakyRelu: importLeakyRelu,
  Sigmoid: importSigmoid,
  Tanh: importTanh,
  HardSigmoid: importHardSigmoid,
  HardSwish: importHardSwish,
  Elu: importElu,
  Softmax: importSoftmax,
  Flatten: importFlatten,
  Reshape: importReshape,
  Transpose: importTranspose,
  Concat: importConcat,
  Pad: importPad,
  Identity: importIdentity,
  Dropout: importIdentity,
  Constant: importConstant,
  ConstantOfShape: importConstantOfShape,
  Shape: importShape,
  Gather: importGather,
  Unsqueeze: importUnsqueeze,
  Squeeze: importSqueeze,
  Cast: importCast,
  Slice: importSlice,
};

/**
 * The operators (default ONNX domain) the importer handles.
 * @example supportedOnnxOps.includes('Conv');   // true
 */
export const supportedOnnxOps: readonly string[] = Object.keys(handlers);

/** Refuses a graph with operators outside the table, naming each with its nodes. */
function checkSupported(model: ModelProto, where: string): void {
  const missing = new Map<string, string[]>();
  for (const [i, node] of (model.graph?.node ?? []).entries()) {
    const domain = node.domain ?? '';
    const known = (domain === '' || domain === 'ai.onnx') && Object.hasOwn(handlers, node.op_type);
    if (!known) {
      const op = domain && domain !== 'ai.onnx' ? `${domain}.${node.op_type}` : node.op_type;
      missing.set(op, [...(missing.get(op) ?? []), node.name || `#${i}`]);
    }
  }
  if (missing.size > 0) {
    const list = [...missing].map(
      ([op, nodes]) => `${op} (${nodes.slice(0, 5).join(', ')}${nodes.length > 5 ? `, +${nodes.length - 5} more` : ''})`,
    );
    throw new Error(`${where}: unsupported ONNX operators: ${list.join('; ')}. Supported: ${supportedOnnxOps.join(', ')}`);
  }
}

const isTranspose = (node: NodeProto, perm: number[]) =>
  node.op_type === 'Transpose' &&
  JSON.stringify((node.attribute ?? []).find((a) => a.name === 'perm')?.ints?.map(Number)) === JSON.stringify(perm);

/** A rank-4 input that every reader first transposes NHWC → NCHW is NHWC (Convkit's own exports). */
function readsAsNhwc(nodes: NodeProto[], name: string): boolean {
  const readers = nodes.filter((n) => n.input?.includes(name));
  return readers.length > 0 && readers.every((n) => isTranspose(n, [0, 3, 1, 2]));
}

/** A rank-4 output made by an NCHW → NHWC Transpose is NHWC already. */
function writtenAsNhwc(nodes: NodeProto[], name: string): boolean {
  const producer = nodes.find((n) => n.output?.includes(name));
  return producer !== undefined && isTranspose(producer, [0, 2, 3, 1]);
}

export interface ImportOnnxOptions {
  /** Names the source in errors (a file name); default 'ONNX model'. */
  source?: string;
}

/**
 * Builds a Convkit functional model from ONNX bytes. Inputs [N, C, H, W] become NHWC inputs
 * [N, H, W, C] (and rank-4 outputs NHWC); other ranks keep their axes. A file Convkit exported
 * (NHWC input transposed inside the graph) imports with the same NHWC input.
 *
 * @example
 * const m = importOnnx(readFileSync('resnet18.onnx'));   // PyTorch's [1, 3, 224, 224] → [1, 224, 224, 3]
 * const probabilities = m.predict(images);
 */
export function importOnnx(bytes: Uint8Array, opts: ImportOnnxOptions = {}): Functional {
  const where = opts.source ?? 'ONNX model';
  const model = decodeModel(bytes, where);
  const graph = model.graph;
  if (!graph) throw new Error(`${where}: the file holds no graph`);
  checkSupported(model, where);
  const opset = (model.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 1;
  const ctx = new ImportContext(where, opset);
  for (const t of graph.initializer ?? []) {
    const { dims, data } = decodeTensor(t, where);
    ctx.values.set(t.name!, { kind: 'const', dims, data });
  }
  for (const node of graph.node ?? []) for (const name of node.input ?? []) ctx.readers.set(name, [...(ctx.readers.get(name) ?? []), node]);
  const inputs: TensorValue[] = [];
  for (const info of graph.input ?? []) {
    if (ctx.values.has(info.name)) continue; // an initializer listed as an input (IR < 4)
    const dims = (info.type?.tensor_type?.shape?.dim ?? []).map((d) => (d.dim_value ? Number(d.dim_value) : null));
    if (dims.length < 2 || dims.slice(1).some((d) => d === null)) {
      throw new Error(
        `${where}: input "${info.name}" has shape [${dims.map((d) => d ?? '?').join(', ')}]; Convkit needs a batch axis and fixed sizes for the rest`,
      );
    }
    ctx.fixedBatch = dims[0] ?? null;
    const layout = dims.length === 4 && !readsAsNhwc(graph.node ?? [], info.name) ? NCHW_LAYOUT : identity(dims.length);
    const shape = layout.map((_, convkitAxis) => dims[layout.indexOf(convkitAxis)]!).slice(1);
    const value: TensorValue = { kind: 'tensor', t: input({ shape, name: info.name }), layout };
    ctx.values.set(info.name, value);
    inputs.push(value);
  }
  for (const node of graph.node ?? []) {
    if (ctx.fusedAway.has(node)) continue;
    try {
      handlers[node.op_type]!(ctx, node, new Attrs(node, ctx.where(node)));
    } catch (e) {
      const message = (e as Error).message;
      throw message.startsWith(where) ? e : new Error(`${ctx.where(node)}: ${message}`);
    }
  }
  const outputs = (graph.output ?? []).map((info) => {
    const v = ctx.values.get(info.name);
    if (!v || v.kind !== 'tensor')
      throw new Error(
        `${where}: output "${info.name}" is ${v ? 'a constant' : 'not computed by any node'}; Convkit needs outputs computed from the input`,
      );
    const nchw = v.layout.length === 4 && !writtenAsNhwc(graph.node ?? [], info.name);
    return withLayout(v, nchw ? NCHW_LAYOUT : identity(v.layout.length), `${where}: output "${info.name}"`).t;
  });
  return new Functional({ inputs: inputs.map((v) => v.t), outputs, name: graph.name || 'onnx_model' });
}

/**
 * Reads an .onnx file into a Convkit functional model (see importOnnx).
 *
 * @example
 * const m = loadOnnx('resnet18.onnx');
 * m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
 */
export function loadOnnx(path: string): Functional {
  return importOnnx(readFileSync(path), { source: path });
}
