/**
 * Importers of ONNX's windowed operators: Conv (group 1, or depthwise), ConvTranspose, MaxPool
 * and AveragePool (explicit and auto pads, ceil_mode, count_include_pad), the global pools and
 * BatchNormalization. Weights go from OIHW to HWIO; pads that are TensorFlow's 'same' become
 * 'same', other pads a ZeroPadding2D in front of a 'valid' layer.
 */
import { BatchNormalization } from '../../layers/batch-normalization.js';
import { Conv2D } from '../../layers/conv2d.js';
import { Conv2DTranspose } from '../../layers/conv2d-transpose.js';
import { Cropping2D } from '../../layers/cropping2d.js';
import { DepthwiseConv2D } from '../../layers/depthwise-conv2d.js';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from '../../layers/global-pooling.js';
import type { Layer } from '../../layers/layer.js';
import { AveragePooling2D, MaxPooling2D } from '../../layers/pooling.js';
import { ZeroPadding2D } from '../../layers/zero-padding2d.js';
import { outputSize } from '../../ops/geometry.js';
import { Tensor } from '../../tensor/tensor.js';
import { NCHW_LAYOUT, withLayout, type Attrs, type ImportContext, type TensorValue } from './import-context.js';
import { OnnxActivation, OnnxPool2D } from './onnx-layers.js';
import type { NodeProto } from './proto.js';
import { permuteData, toFloats } from './tensors.js';

export type OpHandler = (ctx: ImportContext, node: NodeProto, a: Attrs) => void;
type Pads = [[number, number], [number, number]];
type Pair = [number, number];

const OIHW_TO_HWIO = [2, 3, 1, 0];

/** Sets a freshly applied layer's weights from float arrays and their shapes. */
function setWeights(layer: Layer, arrays: [Float32Array, readonly number[]][]): void {
  layer.setWeights(arrays.map(([data, shape]) => new Tensor(data, shape)));
}

/** The input's known height and width, or a clear error. */
function spatial(ctx: ImportContext, node: NodeProto, x: TensorValue): Pair {
  const [h, w] = [x.t.shape[1], x.t.shape[2]];
  if (typeof h !== 'number' || typeof w !== 'number')
    throw new Error(`${ctx.where(node)}: needs a known height and width; give the model's input fixed spatial sizes`);
  return [h, w];
}

/** TensorFlow's 'same' pads [before, after] on one axis. */
function samePads(size: number, k: number, s: number, d: number): Pair {
  const { out, padBefore } = outputSize(size, k, s, d, 'same');
  const total = Math.max(0, (out - 1) * s + (k - 1) * d + 1 - size);
  return [padBefore, total - padBefore];
}

/** The node's pads as [[top, bottom], [left, right]], from `pads` or `auto_pad`. */
function resolvePads(ctx: ImportContext, node: NodeProto, a: Attrs, size: Pair, k: Pair, s: Pair, d: Pair): Pads {
  const autoPad = a.string('auto_pad', 'NOTSET');
  if (autoPad === 'VALID')
    return [
      [0, 0],
      [0, 0],
    ];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    return [0, 1].map((i) => {
      const [before, after] = samePads(size[i]!, k[i]!, s[i]!, d[i]!);
      return autoPad === 'SAME_UPPER' ? [before, after] : [after, before];
    }) as Pads;
  }
  if (autoPad !== 'NOTSET') throw new Error(`${ctx.where(node)}: unknown auto_pad '${autoPad}'`);
  const p = a.ints('pads', [0, 0, 0, 0]);
  if (p.length !== 4) throw new Error(`${ctx.where(node)}: expected 4 pads for a 2-D window, received ${JSON.stringify(p)}`);
  return [
    [p[0]!, p[2]!],
    [p[1]!, p[3]!],
  ];
}

/** 'valid', 'same', or explicit pads to put in front as ZeroPadding2D. */
function paddingMode(pads: Pads, size: Pair, k: Pair, s: Pair, d: Pair): 'valid' | 'same' | 'explicit' {
  if (pads.flat().every((p) => p === 0)) return 'valid';
  const same = [0, 1].every((i) => {
    const [b, e] = samePads(size[i]!, k[i]!, s[i]!, d[i]!);
    return pads[i]![0] === b && pads[i]![1] === e;
  });
  return same ? 'same' : 'explicit';
}

/** The 2-D window attributes (kernel from the attribute or the weight's dims). */
function window(ctx: ImportContext, node: NodeProto, a: Attrs, kernelFromWeight?: readonly number[]): { k: Pair; s: Pair; d: Pair } {
  const k = a.ints('kernel_shape', kernelFromWeight ? [...kernelFromWeight] : []);
  const s = a.ints('strides', [1, 1]);
  const d = a.ints('dilations', [1, 1]);
  if (k.length !== 2 || s.length !== 2 || d.length !== 2) {
    throw new Error(`${ctx.where(node)}: only 2-D windows (input [N, C, H, W]) are supported, received kernel_shape ${JSON.stringify(k)}`);
  }
  return { k: k as Pair, s: s as Pair, d: d as Pair };
}

/** Input 0 as an NHWC activation, or a clear error for 1-D and 3-D windows. */
function spatialInput(ctx: ImportContext, node: NodeProto): TensorValue {
  const v = ctx.tensor(node);
  if (v.layout.length !== 4)
    throw new Error(
      `${ctx.where(node)}: only 2-D windows (input [N, C, H, W]) are supported, received an input of rank ${v.layout.length}`,
    );
  return withLayout(v, NCHW_LAYOUT, ctx.where(node));
}

/** ZeroPadding2D in front when the pads are not 'valid' or 'same'. */
function padFirst(x: TensorValue, pads: Pads, mode: string): TensorValue {
  if (mode !== 'explicit') return x;
  return { ...x, t: new ZeroPadding2D({ padding: pads }).apply(x.t) };
}

export const importConv: OpHandler = (ctx, node, a) => {
  const where = ctx.where(node);
  const x = spatialInput(ctx, node);
  const w = ctx.constant(node, 1)!;
  if (w.dims.length !== 4)
    throw new Error(`${where}: only 2-D convolutions are supported, received a weight of shape [${w.dims.join(', ')}]`);
  const [m, perGroup] = w.dims as [number, number];
  const channels = x.t.shape[3] as number;
  const group = a.int('group', 1);
  const { k, s, d } = window(ctx, node, a, w.dims.slice(2));
  const size = spatial(ctx, node, x);
  const pads = resolvePads(ctx, node, a, size, k, s, d);
  const mode = paddingMode(pads, size, k, s, d);
  const bias = ctx.floats(node, 2);
  const kernel = permuteData(toFloats(w.data), w.dims, OIHW_TO_HWIO);
  const common = {
    kernelSize: k,
    strides: s,
    dilationRate: d,
    padding: mode === 'same' ? ('same' as const) : ('valid' as const),
    useBias: bias !== null,
  };
  let layer: Layer;
  let kernelShape: number[];
  const relu = group === 1 ? soleRelu(ctx, node) : null;
  if (group === 1) {
    layer = new Conv2D({ filters: m, kernelInitializer: 'zeros', activation: relu ? 'relu' : 'linear', ...common });
    kernelShape = [k[0], k[1], perGroup, m];
  } else if (group === channels && perGroup === 1) {
    layer = new DepthwiseConv2D({ depthMultiplier: m / channels, depthwiseInitializer: 'zeros', ...common });
    kernelShape = [k[0], k[1], channels, m / channels];
  } else {
    throw new Error(
      `${where}: grouped convolution with group ${group} over ${channels} channels is not supported (only group 1 and depthwise, group = channels)`,
    );
  }
  const y = ctx.apply(node, layer, [padFirst(x, pads, mode)], NCHW_LAYOUT, relu !== null);
  setWeights(layer, [[kernel, kernelShape], ...(bias ? [[bias, [m]] as [Float32Array, number[]]] : [])]);
  if (relu) {
    ctx.fusedAway.add(relu.node);
    if (relu.max === Infinity) ctx.set(relu.node, y);
    else ctx.apply(relu.node, new OnnxActivation({ fn: 'clip', max: relu.max }), [y], NCHW_LAYOUT, true);
  }
};

/**
 * The Relu, or Clip(0, max), that alone reads a Conv's output: Conv2D then fuses the relu into its
 * kernel (and a Clip's upper bound costs one more pass, not two).
 */
function soleRelu(ctx: ImportContext, node: NodeProto): { node: NodeProto; max: number } | null {
  const readers = ctx.readers.get(node.output![0]!) ?? [];
  const next = readers.length === 1 ? readers[0]! : null;
  if (next?.op_type === 'Relu') return { node: next, max: Infinity };
  if (next?.op_type !== 'Clip' || ctx.opset < 11) return null;
  const bound = (i: number) => {
    const name = next.input?.[i];
    const v = name ? ctx.values.get(name) : undefined;
    return v?.kind === 'const' && v.data.length === 1 ? Number(v.data[0]) : name ? NaN : undefined;
  };
  const [min, max] = [bound(1), bound(2) ?? Infinity];
  return min === 0 && max > 0 ? { node: next, max } : null;
}

export const importConvTranspose: OpHandler = (ctx, node, a) => {
  const where = ctx.where(node);
  const x = spatialInput(ctx, node);
  const w = ctx.constant(node, 1)!;
  if (w.dims.length !== 4)
    throw new Error(`${where}: only 2-D transposed convolutions are supported, received a weight of shape [${w.dims.join(', ')}]`);
  if (a.int('group', 1) !== 1) throw new Error(`${where}: group ${a.int('group', 1)} is not supported (only 1)`);
  const { k, s, d } = window(ctx, node, a, w.dims.slice(2));
  if (d[0] !== 1 || d[1] !== 1) throw new Error(`${where}: dilations ${JSON.stringify(d)} are not supported (only 1)`);
  const size = spatial(ctx, node, x);
  let outPad = a.ints('output_padding', [0, 0]) as Pair;
  const full = [0, 1].map((i) => (size[i]! - 1) * s[i]! + k[i]! + outPad[i]!);
  outPad = [...outPad];
  let pads: Pads;
  const outputShape = a.ints('output_shape', []);
  const autoPad = a.string('auto_pad', 'NOTSET');
  if (outputShape.length > 0 || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const target = outputShape.length > 0 ? outputShape.slice(-2) : [size[0] * s[0], size[1] * s[1]];
    pads = [0, 1].map((i) => {
      const total = full[i]! - target[i]!;
      if (total < 0) {
        outPad[i] += -total; // a larger output than the full one: trailing output padding
        return [0, 0];
      }
      const half = Math.floor(total / 2);
      return autoPad === 'SAME_UPPER' ? [half, total - half] : [total - half, half];
    }) as Pads;
  } else {
    pads = resolvePads(ctx, node, a, size, k, s, d);
  }
  if (pads.flat().some((p) => p < 0)) throw new Error(`${where}: the requested output is larger than the full transposed convolution`);
  const bias = ctx.floats(node, 2);
  const filters = w.dims[1]!;
  const layer = new Conv2DTranspose({
    filters,
    kernelInitializer: 'zeros',
    kernelSize: k,
    strides: s,
    padding: 'valid',
    outputPadding: outPad,
    useBias: bias !== null,
  });
  const y = ctx.apply(node, layer, [x], NCHW_LAYOUT);
  setWeights(layer, [
    [permuteData(toFloats(w.data), w.dims, [2, 3, 1, 0]), [k[0], k[1], filters, w.dims[0]!]],
    ...(bias ? [[bias, [filters]] as [Float32Array, number[]]] : []),
  ]);
  if (pads.flat().some((p) => p > 0)) ctx.apply(node, new Cropping2D({ cropping: pads }), [y], NCHW_LAYOUT);
};

/** MaxPool and AveragePool. */
export function importPool(kind: 'max' | 'avg'): OpHandler {
  return (ctx, node, a) => {
    const where = ctx.where(node);
    if (node.output!.length > 1 && node.output![1]) throw new Error(`${where}: the Indices output is not supported`);
    const x = spatialInput(ctx, node);
    const { k, s, d } = window(ctx, node, a);
    if (d[0] !== 1 || d[1] !== 1) throw new Error(`${where}: dilations ${JSON.stringify(d)} are not supported (only 1)`);
    const size = spatial(ctx, node, x);
    const pads = resolvePads(ctx, node, a, size, k, s, d);
    // ceil_mode: extra trailing pad so the last partial window counts, unless it would start in the padding.
    const extra = [0, 1].map((i) => {
      if (!a.int('ceil_mode', 0)) return 0;
      const span = size[i]! + pads[i]![0] + pads[i]![1] - k[i]!;
      let out = Math.ceil(span / s[i]!) + 1;
      if ((out - 1) * s[i]! >= size[i]! + pads[i]![0]) out--;
      return (out - 1) * s[i]! - span;
    }) as Pair;
    const total: Pads = [
      [pads[0][0], pads[0][1] + extra[0]],
      [pads[1][0], pads[1][1] + extra[1]],
    ];
    const mode = paddingMode(total, size, k, s, d);
    const includePad = a.int('count_include_pad', 0) === 1;
    let layer: Layer;
    let input = x;
    if (mode === 'valid')
      layer = kind === 'max' ? new MaxPooling2D({ poolSize: k, strides: s }) : new AveragePooling2D({ poolSize: k, strides: s });
    else if (kind === 'max' && mode === 'same') layer = new MaxPooling2D({ poolSize: k, strides: s, padding: 'same' });
    else if (kind === 'avg' && mode === 'same' && !includePad) layer = new AveragePooling2D({ poolSize: k, strides: s, padding: 'same' });
    else if (kind === 'max' && x.nonNegative) {
      input = padFirst(x, total, 'explicit'); // a zero pad never beats a relu's output
      layer = new MaxPooling2D({ poolSize: k, strides: s });
    } else layer = new OnnxPool2D({ kind, poolSize: k, strides: s, pads: total, ceilExtra: extra, countIncludePad: includePad });
    ctx.apply(node, layer, [input], NCHW_LAYOUT, x.nonNegative);
  };
}

/** GlobalAveragePool / GlobalMaxPool: [N, C, 1, 1], kept as NHWC [N, 1, 1, C]. */
export function importGlobalPool(kind: 'avg' | 'max'): OpHandler {
  return (ctx, node) => {
    const x = spatialInput(ctx, node);
    const layer = kind === 'avg' ? new GlobalAveragePooling2D({ keepdims: true }) : new GlobalMaxPooling2D({ keepdims: true });
    ctx.apply(node, layer, [x], NCHW_LAYOUT, x.nonNegative);
  };
}

export const importBatchNormalization: OpHandler = (ctx, node, a) => {
  const where = ctx.where(node);
  if ((node.output ?? []).slice(1).some((o) => o))
    throw new Error(`${where}: training-mode outputs (running mean and variance) are not supported`);
  const x = ctx.tensor(node);
  const params = [1, 2, 3, 4].map((i) => ctx.floats(node, i)!);
  const layer = new BatchNormalization({ axis: x.layout[1]!, epsilon: a.float('epsilon', 1e-5), momentum: a.float('momentum', 0.9) });
  ctx.apply(node, layer, [x], x.layout);
  setWeights(
    layer,
    params.map((p) => [p, [p.length]] as [Float32Array, number[]]),
  );
};
