/**
 * The list of differentiable primitives and the attributes each records on the tape. The gradient
 * table in rules.ts is typed against this list, so a primitive without a gradient rule does not
 * compile.
 */
import type { Conv2dGeometry, FloatArray, FusedActivation, Pool2dGeometry } from '../backends/kernels.js';

type None = Record<string, never>;

export interface OpAttrs {
  add: None;
  /** relu(a + b) */
  addRelu: None;
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
  erf: None;
  clipByValue: { min: number; max: number };
  /** inputs: a, b, and the bias when `hasBias` */
  matmul: { transA: boolean; transB: boolean; activation: FusedActivation };
  /** inputs: x, filter, and the bias when present */
  conv2d: { geometry: Conv2dGeometry; activation: FusedActivation };
  /** inputs: x, filter [kH, kW, inChannels, multiplier]; geometry.outChannels = inChannels·multiplier */
  depthwiseConv2d: { geometry: Conv2dGeometry };
  /**
   * inputs: x, filter [kH, kW, outChannels, inChannels]. `geometry` is that of the forward conv2d
   * whose input gradient this is: its input is this op's output and its output this op's input.
   */
  conv2dTranspose: { geometry: Conv2dGeometry };
  /** `reluInput`: x is a relu's output (see appliesInputRelu in rules.ts) */
  maxPool2d: { geometry: Pool2dGeometry; argmax: Int32Array; reluInput: boolean };
  /** inputs: x, filter, and the bias when present; argmax indexes the (unstored) conv output */
  conv2dMaxPool: { conv: Conv2dGeometry; pool: Pool2dGeometry; activation: FusedActivation; argmax: Int32Array };
  avgPool2d: { geometry: Pool2dGeometry };
  /** `axes` sorted and unique; the output keeps them as size-1 axes only when keepDims */
  sum: { axes: number[]; keepDims: boolean };
  /** as `sum`; the gradient is split evenly between tied maxima */
  max: { axes: number[]; keepDims: boolean };
  reshape: None;
  transpose: { perm: number[] };
  /** zero padding; pads non-negative */
  pad: { padsBefore: number[]; padsAfter: number[] };
  slice: { begin: number[]; size: number[] };
  /** inputs: the parts, in order */
  concat: { axis: number };
  logSoftmax: None;
  /**
   * Training-mode batch normalisation over every axis but the last, then the activation (a fused
   * relu, or none). inputs: x, then scale when
   * `hasScale`, then offset when `hasOffset`; `mean` and `variance` are the batch statistics
   * the forward pass computed (kept for the backward kernel).
   */
  fusedBatchNorm: {
    activation: FusedActivation;
    epsilon: number;
    mean: FloatArray;
    variance: FloatArray;
    hasScale: boolean;
    hasOffset: boolean;
  };
  /** inputs: x, scale [C], shift [C]; y = activation(x·scale + shift) along the last axis */
  batchNormInference: { activation: FusedActivation };
}

export type OpName = keyof OpAttrs;
