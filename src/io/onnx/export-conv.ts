/**
 * Exporters of the windowed layers: Conv2D (TensorFlow's 'same' as explicit pads), DepthwiseConv2D
 * and SeparableConv2D as grouped Conv, Conv2DTranspose as ConvTranspose, pooling and global pooling.
 * Weights go from HWIO to OIHW.
 */
import type { Conv2D } from '../../layers/conv2d.js';
import type { Conv2DTranspose } from '../../layers/conv2d-transpose.js';
import type { DepthwiseConv2D } from '../../layers/depthwise-conv2d.js';
import type { GlobalAveragePooling2D } from '../../layers/global-pooling.js';
import type { AveragePooling2D } from '../../layers/pooling.js';
import type { SeparableConv2D } from '../../layers/separable-conv2d.js';
import type { Shape } from '../../layers/shape-types.js';
import { outputSize, type Padding } from '../../ops/geometry.js';
import { exportActivation } from './export-activations.js';
import { weightData, type LayerExporter } from './export-context.js';
import { attr, type GraphBuilder } from './graph-builder.js';
import type { AttributeProto } from './proto.js';
import { permuteData } from './tensors.js';

const HWIO_TO_OIHW = [3, 2, 0, 1];

/** pads [top, left, bottom, right] of a window over `shape`'s H and W, or auto_pad when a size is unknown. */
function padAttributes(
  shape: Shape,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number],
  padding: Padding,
): AttributeProto[] {
  if (padding === 'valid') return [];
  const [h, w] = [shape[1], shape[2]];
  if (typeof h !== 'number' || typeof w !== 'number') return [attr.string('auto_pad', 'SAME_UPPER')];
  const axis = (size: number, i: 0 | 1): [number, number] => {
    const { out, padBefore } = outputSize(size, kernel[i], strides[i], dilations[i], 'same');
    const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size);
    return [padBefore, total - padBefore];
  };
  const [[top, bottom], [left, right]] = [axis(h, 0), axis(w, 1)];
  return [attr.ints('pads', [top, left, bottom, right])];
}

/** A Conv node; `kernel` is HWIO [kH, kW, inPerGroup, out]. */
function conv(
  g: GraphBuilder,
  base: string,
  x: string,
  inShape: Shape,
  kernel: { data: Float32Array; shape: readonly number[] },
  bias: Float32Array | null,
  window: { strides: [number, number]; dilationRate: [number, number]; padding: Padding; kernelSize: [number, number] },
  group: number,
): string {
  const w = g.floats(
    `${base}_W`,
    permuteData(kernel.data, kernel.shape, HWIO_TO_OIHW),
    HWIO_TO_OIHW.map((p) => kernel.shape[p]!),
  );
  const inputs = [x, w, ...(bias ? [g.floats(`${base}_B`, bias, [bias.length])] : [])];
  return g.node('Conv', inputs, base, [
    attr.ints('kernel_shape', window.kernelSize),
    attr.ints('strides', window.strides),
    attr.ints('dilations', window.dilationRate),
    attr.int('group', group),
    ...padAttributes(inShape, window.kernelSize, window.strides, window.dilationRate, window.padding),
  ]);
}

export const exportConv2D: LayerExporter<Conv2D> = (g, layer, [x]) => {
  const kernel = { data: weightData(layer.kernel, `Conv2D "${layer.name}"`), shape: layer.kernel!.shape };
  const y = conv(g, layer.name, x!.name, x!.shape, kernel, layer.bias ? weightData(layer.bias, layer.name) : null, layer, 1);
  return exportActivation(g, layer.activation, y, 4, `${layer.name}_act`);
};

/** A depthwise kernel [kH, kW, C, m] as the HWIO kernel [kH, kW, 1, C·m] of a Conv with group C. */
function depthwiseAsGrouped(data: Float32Array, shape: readonly number[]): { data: Float32Array; shape: number[] } {
  const [kh, kw, c, m] = shape as [number, number, number, number];
  return { data, shape: [kh, kw, 1, c * m] }; // output channel c·m + j is already the row-major order
}

export const exportDepthwiseConv2D: LayerExporter<DepthwiseConv2D> = (g, layer, [x]) => {
  const k = layer.depthwiseKernel!;
  const kernel = depthwiseAsGrouped(weightData(k, `DepthwiseConv2D "${layer.name}"`), k.shape);
  const y = conv(g, layer.name, x!.name, x!.shape, kernel, layer.bias ? weightData(layer.bias, layer.name) : null, layer, k.shape[2]!);
  return exportActivation(g, layer.activation, y, 4, `${layer.name}_act`);
};

export const exportSeparableConv2D: LayerExporter<SeparableConv2D> = (g, layer, [x]) => {
  const dk = layer.depthwiseKernel!;
  const depthwise = depthwiseAsGrouped(weightData(dk, `SeparableConv2D "${layer.name}"`), dk.shape);
  const mid = conv(g, `${layer.name}_depthwise`, x!.name, x!.shape, depthwise, null, layer, dk.shape[2]!);
  const pk = layer.pointwiseKernel!;
  const one = {
    kernelSize: [1, 1] as [number, number],
    strides: [1, 1] as [number, number],
    dilationRate: [1, 1] as [number, number],
    padding: 'valid' as const,
  };
  const y = conv(
    g,
    layer.name,
    mid,
    x!.shape,
    { data: weightData(pk, layer.name), shape: pk.shape },
    layer.bias ? weightData(layer.bias, layer.name) : null,
    one,
    1,
  );
  return exportActivation(g, layer.activation, y, 4, `${layer.name}_act`);
};

export const exportConv2DTranspose: LayerExporter<Conv2DTranspose> = (g, layer, [x], outShape) => {
  const k = layer.kernel!; // [kH, kW, filters, inChannels] → ONNX [inChannels, filters, kH, kW]
  const w = g.floats(`${layer.name}_W`, permuteData(weightData(k, `Conv2DTranspose "${layer.name}"`), k.shape, [3, 2, 0, 1]), [
    k.shape[3]!,
    k.shape[2]!,
    k.shape[0]!,
    k.shape[1]!,
  ]);
  const bias = layer.bias ? [g.floats(`${layer.name}_B`, weightData(layer.bias, layer.name), [layer.filters])] : [];
  // Full output (n − 1)·s + k, cropped to Convkit's length; a negative crop is output padding.
  const crop = [0, 1].map((i) => {
    const [n, out] = [x!.shape[i + 1], outShape[i + 1]];
    if (typeof n !== 'number' || typeof out !== 'number')
      throw new Error(
        `ONNX export: Conv2DTranspose "${layer.name}" needs known input height and width, received ${JSON.stringify(x!.shape)}`,
      );
    const total = (n - 1) * layer.strides[i]! + layer.kernelSize[i]! - out;
    const before = total > 0 ? Math.floor(total / 2) : 0;
    return { before, after: Math.max(total, 0) - before, extra: Math.max(-total, 0) };
  });
  const y = g.node('ConvTranspose', [x!.name, w, ...bias], layer.name, [
    attr.ints('kernel_shape', layer.kernelSize),
    attr.ints('strides', layer.strides),
    attr.ints('dilations', layer.dilationRate),
    attr.ints('pads', [crop[0]!.before, crop[1]!.before, crop[0]!.after, crop[1]!.after]),
    attr.ints('output_padding', [crop[0]!.extra, crop[1]!.extra]),
  ]);
  return exportActivation(g, layer.activation, y, 4, `${layer.name}_act`);
};

/** MaxPooling2D and AveragePooling2D ('same' average pooling excludes the padding, as ONNX's default). */
export function exportPooling(op: 'MaxPool' | 'AveragePool'): LayerExporter<AveragePooling2D> {
  return (g, layer, [x]) =>
    g.node(op, [x!.name], layer.name, [
      attr.ints('kernel_shape', layer.poolSize),
      attr.ints('strides', layer.strides),
      ...padAttributes(x!.shape, layer.poolSize, layer.strides, [1, 1], layer.padding),
    ]);
}

/** GlobalAveragePool/GlobalMaxPool give [N, C, 1, 1]: flattened to [N, C] unless keepdims. */
export function exportGlobalPooling(op: 'GlobalAveragePool' | 'GlobalMaxPool'): LayerExporter<GlobalAveragePooling2D> {
  return (g, layer, [x]) => {
    const pooled = g.node(op, [x!.name], layer.keepdims ? layer.name : `${layer.name}_pool`);
    return layer.keepdims ? pooled : g.node('Flatten', [pooled], layer.name, [attr.int('axis', 1)]);
  };
}
