/**
 * Exporters of the non-windowed layers: Dense as Gemm (MatMul + Add on rank > 2), batch norm with
 * its epsilon, activation layers, Rescaling, merge layers, and the layout layers (Flatten, Reshape, Permute,
 * ZeroPadding2D, Cropping2D, UpSampling2D), which see the value in Convkit's NHWC order.
 */
import type { Activation } from '../../layers/activation.js';
import type { ELU, LeakyReLU, ReLU, Softmax } from '../../layers/advanced-activations.js';
import type { BatchNormalization } from '../../layers/batch-normalization.js';
import type { Cropping2D } from '../../layers/cropping2d.js';
import type { Dense } from '../../layers/dense.js';
import type { Permute } from '../../layers/permute.js';
import type { Rescaling } from '../../layers/preprocessing/rescaling.js';
import type { Reshape } from '../../layers/reshape.js';
import type { UpSampling2D } from '../../layers/up-sampling2d.js';
import type { ZeroPadding2D } from '../../layers/zero-padding2d.js';
import type { Layer } from '../../layers/layer.js';
import { exportActivation } from './export-activations.js';
import { asNhwc, fromNhwc, onnxAxis, weightData, type LayerExporter } from './export-context.js';
import { attr } from './graph-builder.js';

export const exportDense: LayerExporter<Dense> = (g, layer, [x], outShape) => {
  const kernel = layer.kernel!;
  const w = g.floats(`${layer.name}_W`, weightData(kernel, `Dense "${layer.name}"`), kernel.shape);
  const b = layer.bias ? g.floats(`${layer.name}_B`, weightData(layer.bias, layer.name), [layer.units]) : null;
  let y: string;
  if (x!.shape.length === 2) {
    y = g.node('Gemm', [x!.name, w, ...(b ? [b] : [])], layer.name);
  } else {
    // Dense acts on the last Convkit axis: MatMul in NHWC order, then back to the graph's layout.
    const product = g.node('MatMul', [asNhwc(g, x!, layer.name), w], b ? `${layer.name}_matmul` : `${layer.name}_nhwc_out`);
    y = fromNhwc(g, b ? g.node('Add', [product, b], `${layer.name}_nhwc_out`) : product, outShape, layer.name);
  }
  return exportActivation(g, layer.activation, y, outShape.length, `${layer.name}_act`);
};

export const exportBatchNormalization: LayerExporter<BatchNormalization> = (g, layer, [x]) => {
  const rank = x!.shape.length;
  if (onnxAxis(layer.axis, rank) !== 1) {
    throw new Error(
      `ONNX export: BatchNormalization "${layer.name}" normalises axis ${layer.axis} of a rank-${rank} input; ONNX's BatchNormalization needs the channel axis (-1)`,
    );
  }
  const features = layer.movingMean!.shape[0]!;
  const param = (name: string, w: typeof layer.gamma, fallback: number) =>
    g.floats(`${layer.name}_${name}`, w ? weightData(w, layer.name) : new Float32Array(features).fill(fallback), [features]);
  return g.node(
    'BatchNormalization',
    [
      x!.name,
      param('scale', layer.gamma, 1),
      param('B', layer.beta, 0),
      param('mean', layer.movingMean, 0),
      param('var', layer.movingVariance, 1),
    ],
    layer.name,
    [attr.float('epsilon', layer.epsilon)],
  );
};

export const exportActivationLayer: LayerExporter<Activation> = (g, layer, [x]) =>
  exportActivation(g, layer.activation, x!.name, x!.shape.length, layer.name);

export const exportReLU: LayerExporter<ReLU> = (g, layer, [x]) => {
  const scalar = (name: string, v: number) => g.floats(`${layer.name}_${name}`, [v], []);
  const { maxValue, negativeSlope, threshold } = layer;
  if (negativeSlope === 0 && threshold === 0) {
    return maxValue === null
      ? g.node('Relu', [x!.name], layer.name)
      : g.node('Clip', [x!.name, scalar('min', 0), scalar('max', maxValue)], layer.name);
  }
  // Keras: min(x, maxValue) where x ≥ threshold, else negativeSlope·(x − threshold).
  const t = scalar('threshold', threshold);
  const above = g.node('GreaterOrEqual', [x!.name, t], `${layer.name}_above`);
  const upper = maxValue === null ? x!.name : g.node('Min', [x!.name, scalar('max', maxValue)], `${layer.name}_upper`);
  const lower = g.node('Mul', [g.node('Sub', [x!.name, t], `${layer.name}_shift`), scalar('slope', negativeSlope)], `${layer.name}_lower`);
  return g.node('Where', [above, upper, lower], layer.name);
};

export const exportLeakyReLU: LayerExporter<LeakyReLU> = (g, layer, [x]) =>
  g.node('LeakyRelu', [x!.name], layer.name, [attr.float('alpha', layer.alpha)]);
export const exportELU: LayerExporter<ELU> = (g, layer, [x]) => g.node('Elu', [x!.name], layer.name, [attr.float('alpha', layer.alpha)]);
export const exportSoftmax: LayerExporter<Softmax> = (g, layer, [x]) =>
  g.node('Softmax', [x!.name], layer.name, [attr.int('axis', onnxAxis(layer.axis, x!.shape.length))]);

/** Merge layers: binary ops chained left to right, variadic ops in one node. */
export function exportMerge(op: 'Add' | 'Sub' | 'Mul' | 'Mean' | 'Max' | 'Min'): LayerExporter {
  return (g, layer, inputs) => {
    if (op === 'Mean' || op === 'Max' || op === 'Min')
      return g.node(
        op,
        inputs.map((v) => v.name),
        layer.name,
      );
    return inputs
      .slice(1)
      .reduce((acc, v, i) => g.node(op, [acc, v.name], i === inputs.length - 2 ? layer.name : `${layer.name}_${i}`), inputs[0]!.name);
  };
}

/** Rescaling: x·scale + offset, scalars broadcast in any layout. */
export const exportRescaling: LayerExporter<Rescaling> = (g, layer, [x]) => {
  const scaled =
    layer.scale === 1
      ? x!.name
      : g.node(
          'Mul',
          [x!.name, g.floats(`${layer.name}_scale`, [layer.scale], [])],
          layer.offset === 0 ? layer.name : `${layer.name}_scaled`,
        );
  if (layer.offset === 0) return layer.scale === 1 ? g.node('Identity', [scaled], layer.name) : scaled;
  return g.node('Add', [scaled, g.floats(`${layer.name}_offset`, [layer.offset], [])], layer.name);
};

/** Dropout and SpatialDropout2D do nothing at inference. */
export const exportIdentity: LayerExporter = (_g, _layer, [x]) => x!.name;

export const exportFlatten: LayerExporter = (g, layer, [x]) =>
  g.node('Flatten', [asNhwc(g, x!, layer.name)], layer.name, [attr.int('axis', 1)]);

export const exportReshape: LayerExporter<Reshape> = (g, layer, [x], outShape) => {
  const shape = g.int64s(`${layer.name}_shape`, [0, ...layer.targetShape]); // 0 keeps the batch size
  return fromNhwc(g, g.node('Reshape', [asNhwc(g, x!, layer.name), shape], `${layer.name}_nhwc_out`), outShape, layer.name);
};

export const exportPermute: LayerExporter<Permute> = (g, layer, [x], outShape) => {
  const permuted = g.node('Transpose', [asNhwc(g, x!, layer.name)], `${layer.name}_nhwc_out`, [attr.ints('perm', [0, ...layer.dims])]);
  return fromNhwc(g, permuted, outShape, layer.name);
};

export const exportZeroPadding2D: LayerExporter<ZeroPadding2D> = (g, layer, [x]) => {
  const [[top, bottom], [left, right]] = layer.padding;
  return g.node('Pad', [x!.name, g.int64s(`${layer.name}_pads`, [0, 0, top, left, 0, 0, bottom, right])], layer.name);
};

export const exportCropping2D: LayerExporter<Cropping2D> = (g, layer, [x]) => {
  const [[top, bottom], [left, right]] = layer.cropping;
  const end = (crop: number) => (crop === 0 ? Number.MAX_SAFE_INTEGER : -crop);
  const inputs = [
    x!.name,
    g.int64s(`${layer.name}_starts`, [top, left]),
    g.int64s(`${layer.name}_ends`, [end(bottom), end(right)]),
    g.int64s(`${layer.name}_axes`, [2, 3]),
  ];
  return g.node('Slice', inputs, layer.name);
};

export const exportUpSampling2D: LayerExporter<UpSampling2D> = (g, layer, [x]) => {
  const scales = g.floats(`${layer.name}_scales`, [1, 1, ...layer.size], [4]);
  const attributes =
    layer.interpolation === 'nearest'
      ? [attr.string('mode', 'nearest'), attr.string('coordinate_transformation_mode', 'asymmetric'), attr.string('nearest_mode', 'floor')]
      : [attr.string('mode', 'linear'), attr.string('coordinate_transformation_mode', 'half_pixel')];
  return g.node('Resize', [x!.name, '', scales], layer.name, attributes);
};

/** Layers handled by className. */
export type ExporterTable = Record<string, LayerExporter<Layer>>;
