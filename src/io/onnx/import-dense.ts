/**
 * Importers of the matrix and elementwise operators: Gemm and MatMul (+ Add) as Dense, Add, Sub,
 * Mul and Div between activations (merge layers) or with a constant, and the activations.
 */
import { Activation } from '../../layers/activation.js';
import { ELU, LeakyReLU, ReLU, Softmax } from '../../layers/advanced-activations.js';
import { Dense } from '../../layers/dense.js';
import { Add, Multiply, Subtract } from '../../layers/merge.js';
import { Tensor } from '../../tensor/tensor.js';
import type { OpHandler } from './import-conv.js';
import { identity, withLayout, type ConstValue, type ImportContext, type TensorValue } from './import-context.js';
import { OnnxActivation, OnnxConstantOp, type ConstantOp } from './onnx-layers.js';
import type { NodeProto } from './proto.js';
import { permuteData, toFloats } from './tensors.js';

/** Makes a Dense layer on `x`'s last axis with kernel [in, units] and an optional bias. */
function dense(
  ctx: ImportContext,
  node: NodeProto,
  x: TensorValue,
  kernel: Float32Array,
  inDim: number,
  units: number,
  bias: Float32Array | null,
): void {
  const layer = new Dense({ units, useBias: bias !== null, kernelInitializer: 'zeros' }); // zeros: no random draws for weights about to be set
  ctx.apply(node, layer, [withLayout(x, identity(x.layout.length), ctx.where(node))], identity(x.layout.length));
  layer.setWeights([new Tensor(kernel, [inDim, units]), ...(bias ? [new Tensor(bias, [units])] : [])]);
}

/** A bias of `units` values from a constant broadcast to [units] (a scalar, [units] or [1, units]). */
function biasVector(c: ConstValue | null, units: number, scale: number, where: string): Float32Array | null {
  if (!c) return null;
  const data = toFloats(c.data, scale);
  if (data.length === units) return data;
  if (data.length === 1) return new Float32Array(units).fill(data[0]!);
  throw new Error(`${where}: a bias of shape [${c.dims.join(', ')}] does not broadcast to ${units} units per sample`);
}

export const importGemm: OpHandler = (ctx, node, a) => {
  const where = ctx.where(node);
  if (a.int('transA', 0)) throw new Error(`${where}: transA = 1 is not supported (the first input is the batch of activations)`);
  const x = ctx.tensor(node);
  const b = ctx.constant(node, 1)!;
  const alpha = a.float('alpha', 1);
  let kernel = toFloats(b.data, alpha);
  let [inDim, units] = b.dims as [number, number];
  if (a.int('transB', 0)) {
    kernel = permuteData(kernel, b.dims, [1, 0]);
    [inDim, units] = [units, inDim];
  }
  dense(ctx, node, x, kernel, inDim, units, biasVector(ctx.constant(node, 2), units, a.float('beta', 1), where));
};

/** MatMul by a constant matrix; a following Add of a constant vector (its only reader) becomes the bias. */
export const importMatMul: OpHandler = (ctx, node) => {
  const x = ctx.tensor(node);
  const b = ctx.constant(node, 1)!;
  if (b.dims.length !== 2)
    throw new Error(`${ctx.where(node)}: MatMul needs a constant 2-D right operand, received shape [${b.dims.join(', ')}]`);
  const [inDim, units] = b.dims as [number, number];
  const readers = ctx.readers.get(node.output![0]!) ?? [];
  const add = readers.length === 1 && readers[0]!.op_type === 'Add' ? readers[0]! : null;
  const other = add?.input?.find((n) => n !== node.output![0]);
  const biasConst = other ? ctx.values.get(other) : undefined;
  if (add && biasConst?.kind === 'const' && biasConst.data.length === units) {
    dense(ctx, add, x, toFloats(b.data), inDim, units, biasVector(biasConst, units, 1, ctx.where(add)));
    ctx.fusedAway.add(add);
    ctx.values.set(node.output![0]!, ctx.values.get(add.output![0]!)!);
  } else {
    dense(ctx, node, x, toFloats(b.data), inDim, units, null);
  }
};

/** A constant broadcast against `x`, laid out in x's Convkit axis order. */
function constantFor(x: TensorValue, c: ConstValue): { values: number[]; shape: number[] } {
  const rank = x.layout.length;
  if (c.dims.length > rank) throw new Error(`a constant of rank ${c.dims.length} against an activation of rank ${rank}`);
  const dims = [...new Array<number>(rank - c.dims.length).fill(1), ...c.dims];
  const inverse = new Array<number>(rank);
  x.layout.forEach((convkitAxis, onnxAxis) => (inverse[convkitAxis] = onnxAxis));
  const data = permuteData(toFloats(c.data), dims, inverse);
  return { values: Array.from(data), shape: inverse.map((i) => dims[i]!) };
}

/** Add, Sub, Mul, Div: merge layers between activations, OnnxConstantOp with a constant. */
export function importArithmetic(op: ConstantOp): OpHandler {
  return (ctx, node) => {
    const where = ctx.where(node);
    const [a, b] = [ctx.get(node.input![0]!, node), ctx.get(node.input![1]!, node)];
    if (a.kind === 'tensor' && b.kind === 'tensor') {
      if (op === 'div') throw new Error(`${where}: dividing one activation by another is not supported`);
      const layer = op === 'add' ? new Add() : op === 'sub' ? new Subtract() : new Multiply();
      if (a.layout.length !== b.layout.length)
        throw new Error(`${where}: broadcasting between activations of rank ${a.layout.length} and ${b.layout.length} is not supported`);
      ctx.apply(node, layer, [a, withLayout(b, a.layout, where)], a.layout);
      return;
    }
    const x = (a.kind === 'tensor' ? a : b) as TensorValue;
    const c = (a.kind === 'const' ? a : b) as ConstValue;
    try {
      ctx.apply(node, new OnnxConstantOp({ op, ...constantFor(x, c), constantFirst: a.kind === 'const' }), [x], x.layout);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
  };
}

/** Elementwise activations whose output keeps the input's layout. */
function unary(
  make: (ctx: ImportContext, node: NodeProto, a: Parameters<OpHandler>[2]) => import('../../layers/layer.js').Layer,
  nonNegative = false,
): OpHandler {
  return (ctx, node, a) => {
    const x = ctx.tensor(node);
    ctx.apply(node, make(ctx, node, a), [x], x.layout, nonNegative);
  };
}

export const importRelu = unary(() => new Activation({ activation: 'relu' }), true);
export const importSigmoid = unary(() => new Activation({ activation: 'sigmoid' }), true);
export const importTanh = unary(() => new Activation({ activation: 'tanh' }));
export const importLeakyRelu = unary((_c, _n, a) => new LeakyReLU({ alpha: a.float('alpha', 0.01) }));
export const importElu = unary((_c, _n, a) => new ELU({ alpha: a.float('alpha', 1) }));
export const importHardSigmoid = unary(
  (_c, _n, a) => new OnnxActivation({ fn: 'hardSigmoid', alpha: a.float('alpha', 0.2), beta: a.float('beta', 0.5) }),
  true,
);
export const importHardSwish = unary(() => new OnnxActivation({ fn: 'hardSwish' }));

/** Clip: bounds from inputs (opset 11+) or attributes; relu, relu6 and ReLU(maxValue) where they fit. */
export const importClip: OpHandler = (ctx, node, a) => {
  const x = ctx.tensor(node);
  const bound = (i: number, attr: string, fallback: number) =>
    ctx.opset >= 11 ? (ctx.floats(node, i)?.[0] ?? fallback) : a.float(attr, fallback);
  const [min, max] = [bound(1, 'min', -Infinity), bound(2, 'max', Infinity)];
  let layer;
  if (min === 0 && max === 6) layer = new Activation({ activation: 'relu6' });
  else if (min === 0) layer = Number.isFinite(max) ? new ReLU({ maxValue: max }) : new Activation({ activation: 'relu' });
  else layer = new OnnxActivation({ fn: 'clip', min, max });
  ctx.apply(node, layer, [x], x.layout, min >= 0);
};

/** Softmax over one axis (opset 13+; earlier opsets' flattening only where it is the same). */
export const importSoftmax: OpHandler = (ctx, node, a) => {
  const x = ctx.tensor(node);
  const rank = x.layout.length;
  const fallback = ctx.opset >= 13 ? -1 : 1;
  let axis = a.int('axis', fallback);
  if (axis < 0) axis += rank;
  if (ctx.opset < 13 && axis !== rank - 1)
    throw new Error(
      `${ctx.where(node)}: opset-${ctx.opset} Softmax over axes ${axis}..${rank - 1} together is not supported (only the last axis)`,
    );
  ctx.apply(node, new Softmax({ axis: x.layout[axis]! }), [x], x.layout, true);
};
