/**
 * The list of differentiable primitives and the attributes each records on the tape. The gradient
 * table in rules.ts is typed against this list, so a primitive without a gradient rule does not
 * compile.
 */
import type { Conv2dGeometry, FusedActivation, Pool2dGeometry } from '../backends/kernels.js';

type None = Record<string, never>;

export interface OpAttrs {
  add: None;
  sub: None;
  mul: None;
  div: None;
  maximum: None;
  minimum: None;
  pow: None;
  neg: None;
  abs: None;
  exp: None;
  log: None;
  sqrt: None;
  square: None;
  relu: None;
  sigmoid: None;
  tanh: None;
  clipByValue: { min: number; max: number };
  /** inputs: a, b, and the bias when `hasBias` */
  matmul: { transA: boolean; transB: boolean; activation: FusedActivation };
  /** inputs: x, filter, and the bias when present */
  conv2d: { geometry: Conv2dGeometry; activation: FusedActivation };
  maxPool2d: { geometry: Pool2dGeometry; argmax: Int32Array };
  avgPool2d: { geometry: Pool2dGeometry };
  /** `axes` sorted and unique; the output keeps them as size-1 axes only when keepDims */
  sum: { axes: number[]; keepDims: boolean };
  reshape: None;
  transpose: { perm: number[] };
  logSoftmax: None;
}

export type OpName = keyof OpAttrs;
