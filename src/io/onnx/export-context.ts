/**
 * What a layer exporter is handed: the graph under construction, its inputs as ONNX values, and
 * the layout rule of the whole exporter: rank-4 values are NCHW inside the ONNX graph (the
 * layout ONNX operators expect), every other rank is stored as Convkit holds it.
 */
import type { Layer } from '../../layers/layer.js';
import type { Shape } from '../../layers/shape-types.js';
import type { Tensor } from '../../tensor/tensor.js';
import { attr, type GraphBuilder } from './graph-builder.js';

/** A value of the graph: its ONNX name and its shape as Convkit sees it (NHWC, null batch). */
export interface Value {
  name: string;
  shape: Shape;
}

/** Exports one layer applied to `inputs`; returns the ONNX name of its output. */
export type LayerExporter<L extends Layer = Layer> = {
  // Method syntax: a table of exporters for different layer classes type-checks (bivariance).
  exportLayer(g: GraphBuilder, layer: L, inputs: Value[], outShape: Shape): string;
}['exportLayer'];

export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const NCHW_TO_NHWC = [0, 2, 3, 1];

/** The value as Convkit lays it out (a Transpose for rank 4). */
export function asNhwc(g: GraphBuilder, v: Value, base: string): string {
  return v.shape.length === 4 ? g.node('Transpose', [v.name], `${base}_nhwc`, [attr.ints('perm', NCHW_TO_NHWC)]) : v.name;
}

/** A value laid out as Convkit does, stored as the exporter's layout (a Transpose for rank 4). */
export function fromNhwc(g: GraphBuilder, name: string, shape: Shape, base: string): string {
  return shape.length === 4 ? g.node('Transpose', [name], base, [attr.ints('perm', NHWC_TO_NCHW)]) : name;
}

/** The ONNX axis of Convkit axis `axis` (negative counts from the end) in a value of `rank`. */
export function onnxAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  return rank === 4 ? [0, 2, 3, 1][a]! : a;
}

/** The layer's weights as float arrays. */
export function weightData(w: Tensor | null, where: string): Float32Array {
  if (!w) throw new Error(`ONNX export: ${where} is not built (no weights); call the model once or give it an inputShape`);
  const values = w.values();
  return values instanceof Float32Array ? values : Float32Array.from(values);
}
