/**
 * Importers of the layout operators (Flatten, Reshape, Transpose, Concat, Pad, Identity, Dropout)
 * and the constant folding of the shape arithmetic PyTorch emits (Shape → Gather → Unsqueeze →
 * Concat → Reshape): with the input's sizes fixed, every such value is a constant, the batch size
 * standing as null.
 */
import { Cropping2D } from '../../layers/cropping2d.js';
import { Flatten } from '../../layers/flatten.js';
import { Reshape } from '../../layers/reshape.js';
import { ZeroPadding2D } from '../../layers/zero-padding2d.js';
import type { OpHandler } from './import-conv.js';
import {
  identity,
  NCHW_LAYOUT,
  onnxDims,
  withLayout,
  type ConstValue,
  type ImportContext,
  type OnnxValue,
  type TensorValue,
} from './import-context.js';
import { OnnxConcat, OnnxConstantOp } from './onnx-layers.js';
import type { NodeProto } from './proto.js';
import { permuteData } from './tensors.js';

const constOf = (dims: number[], data: Float32Array | (number | null)[]): ConstValue => ({ kind: 'const', dims, data });
const normalize = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

export const importIdentity: OpHandler = (ctx, node) => {
  if (node.op_type === 'Dropout') {
    if (node.output!.length > 1 && node.output![1]) throw new Error(`${ctx.where(node)}: the mask output is not supported`);
    if (node.input?.[2] && ctx.ints(node, 2)?.[0]) {
      throw new Error(
        `${ctx.where(node)}: Dropout in training mode (training_mode = true) is not supported; export the model in eval mode`,
      );
    }
  }
  ctx.set(node, ctx.get(node.input![0]!, node));
};

export const importFlatten: OpHandler = (ctx, node, a) => {
  const where = ctx.where(node);
  const v = ctx.get(node.input![0]!, node);
  const axis = normalize(a.int('axis', 1), v.kind === 'tensor' ? v.layout.length : v.dims.length);
  if (v.kind === 'const') {
    const d = v.dims;
    ctx.set(node, constOf([d.slice(0, axis).reduce((p, q) => p * q, 1), d.slice(axis).reduce((p, q) => p * q, 1)], v.data));
    return;
  }
  if (axis !== 1) throw new Error(`${where}: Flatten with axis ${axis} is not supported (only 1: keep the batch)`);
  const x = withLayout(v, identity(v.layout.length), where);
  ctx.apply(node, new Flatten(), [x], [0, 1], x.nonNegative);
};

/** The target shape without the batch, resolving ONNX's 0 (copy) against the ONNX input dims. */
function reshapeTarget(
  ctx: ImportContext,
  node: NodeProto,
  shape: (number | null)[],
  inputDims: (number | null)[],
  allowZero: boolean,
): number[] {
  const where = ctx.where(node);
  const resolved = shape.map((d, i) => (d === 0 && !allowZero ? (inputDims[i] ?? null) : d));
  const [batch, ...rest] = resolved;
  const batchOk = batch === null || batch === -1 || batch === ctx.fixedBatch;
  if (!batchOk || rest.some((d) => d === null))
    throw new Error(`${where}: the target shape [${shape.join(', ')}] must keep the batch size first`);
  if (batch === -1) {
    // [-1, a, b]: the batch is inferred; the rest must then be known.
    if (rest.includes(-1)) throw new Error(`${where}: the target shape [${shape.join(', ')}] has more than one -1`);
  }
  return rest as number[];
}

export const importReshape: OpHandler = (ctx, node, a) => {
  const v = ctx.get(node.input![0]!, node);
  const shape = ctx.opset >= 5 ? ctx.ints(node, 1)! : a.ints('shape', []);
  if (v.kind === 'const') {
    const size = v.data.length;
    const known = shape.reduce<number>((p, d, i) => p * (d === -1 ? 1 : d === 0 ? v.dims[i]! : (d ?? 1)), 1);
    ctx.set(
      node,
      constOf(
        shape.map((d, i) => (d === -1 ? size / known : d === 0 ? v.dims[i]! : d!)),
        v.data,
      ),
    );
    return;
  }
  const x = withLayout(v, identity(v.layout.length), ctx.where(node));
  const target = reshapeTarget(ctx, node, shape, onnxDims(x), a.int('allowzero', 0) === 1);
  ctx.apply(node, new Reshape({ targetShape: target }), [x], identity(target.length + 1), x.nonNegative);
};

/** Transpose relabels the layout (no data moves) as long as the batch stays first; folded on constants. */
export const importTranspose: OpHandler = (ctx, node, a) => {
  const v = ctx.get(node.input![0]!, node);
  const rank = v.kind === 'tensor' ? v.layout.length : v.dims.length;
  const perm = a.ints('perm', identity(rank).reverse());
  if (v.kind === 'const') {
    const data = v.data instanceof Float32Array ? permuteData(v.data, v.dims, perm) : permuteData(v.data as number[], v.dims, perm);
    ctx.set(
      node,
      constOf(
        perm.map((p) => v.dims[p]!),
        data,
      ),
    );
    return;
  }
  if (perm[0] !== 0) throw new Error(`${ctx.where(node)}: perm ${JSON.stringify(perm)} moves the batch axis, which Convkit keeps first`);
  ctx.set(node, { ...v, layout: perm.map((p) => v.layout[p]!) });
};

export const importConcat: OpHandler = (ctx, node, a) => {
  const where = ctx.where(node);
  const inputs = node.input!.map((n) => ctx.get(n, node));
  if (inputs.every((v) => v.kind === 'const')) {
    const consts = inputs as ConstValue[];
    if (consts.some((c) => c.dims.length !== 1))
      throw new Error(`${where}: folding a Concat of constants of rank other than 1 is not supported`);
    ctx.set(
      node,
      constOf(
        [consts.reduce((n, c) => n + c.dims[0]!, 0)],
        consts.flatMap((c) => Array.from(c.data as ArrayLike<number | null>)),
      ),
    );
    return;
  }
  if (inputs.some((v) => v.kind === 'const')) throw new Error(`${where}: concatenating an activation with a constant is not supported`);
  const first = inputs[0] as Extract<OnnxValue, { kind: 'tensor' }>;
  const axis = normalize(a.int('axis', 1), first.layout.length);
  if (axis === 0) throw new Error(`${where}: concatenating along the batch axis is not supported`);
  const tensors = inputs.map((v) => withLayout(v as typeof first, first.layout, where));
  ctx.apply(
    node,
    new OnnxConcat({ axis: first.layout[axis]! }),
    tensors,
    first.layout,
    tensors.every((t) => t.nonNegative),
  );
};

/** Pad: zero constant padding of H and W (ZeroPadding2D), negative pads as Cropping2D. */
export const importPad: OpHandler = (ctx, node, a) => {
  const where = ctx.where(node);
  const mode = a.string('mode', 'constant');
  const pads = ctx.opset >= 11 ? (ctx.ints(node, 1) as number[]) : a.ints('pads', []);
  const value = ctx.opset >= 11 ? (ctx.floats(node, 2)?.[0] ?? 0) : a.float('value', 0);
  if (node.input?.[3]) throw new Error(`${where}: the axes input is not supported`);
  const x = withLayout(ctx.tensor(node), NCHW_LAYOUT, where);
  if (x.layout.length !== 4 || pads.length !== 8) throw new Error(`${where}: only padding of 4-D [N, C, H, W] inputs is supported`);
  if (mode !== 'constant') throw new Error(`${where}: only constant padding is supported, received mode '${mode}'`);
  if (pads[0] || pads[1] || pads[4] || pads[5])
    throw new Error(`${where}: only padding of height and width is supported, received pads ${JSON.stringify(pads)}`);
  const [top, left, bottom, right] = [pads[2]!, pads[3]!, pads[6]!, pads[7]!];
  const grow = [top, bottom, left, right].map((p) => Math.max(p, 0));
  const shrink = [top, bottom, left, right].map((p) => Math.max(-p, 0));
  let y = x;
  if (grow.some((p) => p > 0)) {
    // Padding with a value v: shift by −v, pad with zeros, shift back.
    const shift = (op: 'add' | 'sub', v: TensorValue) =>
      ctx.apply(node, new OnnxConstantOp({ op, values: [value], shape: [] }), [v], NCHW_LAYOUT);
    if (value !== 0) y = shift('sub', y);
    const padding: [[number, number], [number, number]] = [
      [grow[0]!, grow[1]!],
      [grow[2]!, grow[3]!],
    ];
    y = ctx.apply(node, new ZeroPadding2D({ padding }), [y], NCHW_LAYOUT, value === 0 && x.nonNegative);
    if (value !== 0) y = shift('add', y);
  }
  if (shrink.some((p) => p > 0))
    y = ctx.apply(
      node,
      new Cropping2D({
        cropping: [
          [shrink[0]!, shrink[1]!],
          [shrink[2]!, shrink[3]!],
        ],
      }),
      [y],
      NCHW_LAYOUT,
    );
  if (y === x) ctx.set(node, x);
};

// ---- constant folding ----

export const importConstant: OpHandler = (ctx, node, a) => {
  const t = a.tensor('value');
  if (t) ctx.set(node, constOf(t.dims, t.data));
  else if (a.has('value_float')) ctx.set(node, constOf([], Float32Array.of(a.float('value_float', 0))));
  else if (a.has('value_floats')) {
    const floats = a.floats('value_floats', []);
    ctx.set(node, constOf([floats.length], Float32Array.from(floats)));
  } else if (a.has('value_int')) ctx.set(node, constOf([], [a.int('value_int', 0)]));
  else if (a.has('value_ints')) {
    const ints = a.ints('value_ints', []);
    ctx.set(node, constOf([ints.length], ints));
  } else throw new Error(`${ctx.where(node)}: only tensor, float and int constants are supported`);
};

export const importShape: OpHandler = (ctx, node, a) => {
  const v = ctx.get(node.input![0]!, node);
  const dims = v.kind === 'tensor' ? onnxDims(v) : v.dims;
  const rank = dims.length;
  const start = normalize(a.int('start', 0), rank);
  const end = a.has('end') ? normalize(a.int('end', rank), rank) : rank;
  const out = dims.slice(start, end);
  ctx.set(node, constOf([out.length], out));
};

/** A constant input, or a clear error naming the node: folding needs constants. */
function folded(ctx: ImportContext, node: NodeProto, i: number): ConstValue {
  const v = ctx.get(node.input![i]!, node);
  if (v.kind !== 'const')
    throw new Error(`${ctx.where(node)}: only supported on constants and shapes (folded at import), but input ${i} is an activation`);
  return v;
}

export const importGather: OpHandler = (ctx, node, a) => {
  const data = folded(ctx, node, 0);
  const indices = folded(ctx, node, 1);
  const axis = normalize(a.int('axis', 0), data.dims.length);
  if (axis !== 0 || data.dims.length !== 1) throw new Error(`${ctx.where(node)}: folding Gather is supported on 1-D constants only`);
  const picked = Array.from(indices.data as ArrayLike<number | null>).map((i) => data.data[normalize(i!, data.dims[0]!)]!);
  ctx.set(node, constOf(indices.dims, data.data instanceof Float32Array ? Float32Array.from(picked as number[]) : picked));
};

/** The axes of Unsqueeze/Squeeze: an input from opset 13, an attribute before. */
function axesOf(ctx: ImportContext, node: NodeProto, a: Parameters<OpHandler>[2]): number[] | null {
  if (ctx.opset >= 13) return node.input?.[1] ? (ctx.ints(node, 1) as number[]) : null;
  return a.has('axes') ? a.ints('axes', []) : null;
}

/** Unsqueeze/Squeeze of an activation: a Reshape that keeps the batch first. */
function reshapeTo(ctx: ImportContext, node: NodeProto, v: Extract<OnnxValue, { kind: 'tensor' }>, dims: (number | null)[]): void {
  if (dims[0] !== null && dims[0] !== ctx.fixedBatch) throw new Error(`${ctx.where(node)}: the batch axis must stay first`);
  const x = withLayout(v, identity(v.layout.length), ctx.where(node));
  ctx.apply(node, new Reshape({ targetShape: dims.slice(1) as number[] }), [x], identity(dims.length), x.nonNegative);
}

export const importUnsqueeze: OpHandler = (ctx, node, a) => {
  const v = ctx.get(node.input![0]!, node);
  const dims: (number | null)[] = v.kind === 'tensor' ? onnxDims(v) : [...v.dims];
  const axes = axesOf(ctx, node, a) ?? [];
  const rank = dims.length + axes.length;
  for (const axis of axes.map((x) => normalize(x, rank)).sort((p, q) => p - q)) dims.splice(axis, 0, 1);
  if (v.kind === 'tensor') reshapeTo(ctx, node, v, dims);
  else ctx.set(node, constOf(dims as number[], v.data));
};

export const importSqueeze: OpHandler = (ctx, node, a) => {
  const v = ctx.get(node.input![0]!, node);
  const dims: (number | null)[] = v.kind === 'tensor' ? onnxDims(v) : [...v.dims];
  const axes = (axesOf(ctx, node, a) ?? dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((x) => normalize(x, dims.length));
  const kept = dims.filter((_, i) => !axes.includes(i));
  if (v.kind === 'tensor') reshapeTo(ctx, node, v, kept);
  else ctx.set(node, constOf(kept as number[], v.data));
};

export const importCast: OpHandler = (ctx, node, a) => {
  const to = a.int('to', 1);
  const v = ctx.get(node.input![0]!, node);
  if (v.kind === 'tensor') {
    // Convkit's activations are float32: a cast to float or double changes nothing.
    if (to !== 1 && to !== 11)
      throw new Error(`${ctx.where(node)}: casting an activation to data type ${to} is not supported (only float and double)`);
    ctx.set(node, v);
    return;
  }
  const c = v;
  const toFloat = to === 1 || to === 11 || to === 10;
  ctx.set(
    node,
    constOf(
      c.dims,
      toFloat
        ? Float32Array.from(c.data, (v) => v ?? NaN)
        : Array.from(c.data as ArrayLike<number | null>, (v) => (v === null ? null : Math.trunc(v))),
    ),
  );
};

export const importSlice: OpHandler = (ctx, node) => {
  const c = folded(ctx, node, 0);
  const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => ctx.ints(node, i));
  if ((axes && axes.length !== 1) || starts!.length !== 1 || (axes && normalize(axes[0]!, c.dims.length) !== 0)) {
    throw new Error(`${ctx.where(node)}: folding Slice supports slicing the first axis only`);
  }
  const n = c.dims[0]!;
  const row = c.dims.slice(1).reduce((p, q) => p * q, 1);
  const step = steps?.[0] ?? 1;
  // ONNX's clamping: [0, n] for a positive step, [-1, n - 1] for a negative one.
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  const [lo, hi] = step > 0 ? [0, n] : [-1, n - 1];
  const [start, end] = [clamp(starts![0]!, lo, hi), clamp(ends![0]!, lo, hi)];
  const picked: (number | null)[] = [];
  for (let i = start; step > 0 ? i < end : i > end; i += step) for (let j = 0; j < row; j++) picked.push(c.data[i * row + j] ?? null);
  ctx.set(
    node,
    constOf([picked.length / row, ...c.dims.slice(1)], c.data instanceof Float32Array ? Float32Array.from(picked as number[]) : picked),
  );
};

export const importConstantOfShape: OpHandler = (ctx, node, a) => {
  const dims = (ctx.ints(node, 0) ?? []).map((d) => {
    if (d === null) throw new Error(`${ctx.where(node)}: a constant the size of the batch is not supported`);
    return d;
  });
  const value = a.tensor('value') ?? { data: Float32Array.of(0), dims: [1], dataType: 1 };
  const size = dims.reduce((p, q) => p * q, 1);
  const fill = value.data[0] ?? 0;
  ctx.set(node, constOf(dims, value.data instanceof Float32Array ? new Float32Array(size).fill(fill) : new Array<number>(size).fill(fill)));
};

/** Elementwise arithmetic on two constants, NumPy broadcasting; null (the batch) stays null. */
export function foldArithmetic(ctx: ImportContext, node: NodeProto, f: (x: number, y: number) => number): void {
  const [x, y] = [folded(ctx, node, 0), folded(ctx, node, 1)];
  const rank = Math.max(x.dims.length, y.dims.length);
  const pad = (d: number[]) => [...new Array<number>(rank - d.length).fill(1), ...d];
  const [dx, dy] = [pad(x.dims), pad(y.dims)];
  const dims = dx.map((d, i) => Math.max(d, dy[i]!));
  const size = dims.reduce((p, q) => p * q, 1);
  const at = (c: ConstValue, cd: number[], flat: number) => {
    let index = 0;
    let rest = flat;
    let stride = 1;
    for (let i = rank - 1; i >= 0; i--) {
      const coord = rest % dims[i]!;
      rest = Math.floor(rest / dims[i]!);
      index += (cd[i] === 1 ? 0 : coord) * stride;
      stride *= cd[i]!;
    }
    return c.data[index] ?? null;
  };
  const values = Array.from({ length: size }, (_, i) => {
    const [p, q] = [at(x, dx, i), at(y, dy, i)];
    return p === null || q === null ? null : f(p, q);
  });
  const isFloat = x.data instanceof Float32Array || y.data instanceof Float32Array;
  ctx.set(
    node,
    constOf(dims, isFloat ? Float32Array.from(values, (v) => v ?? NaN) : values.map((v) => (v === null ? null : Math.trunc(v)))),
  );
}
