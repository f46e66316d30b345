/**
 * The native addon's JavaScript surface (native/src/bind_*.cc), as src/backends/native.ts calls
 * it: every kernel takes its outputs last, allocated by the caller, and fills them in place.
 */
import type { AdamStep, BinaryOp, Conv2dGeometry, Pool2dGeometry, ReduceOp, UnaryOp } from './kernels.js';

/** What the addon reports about itself. */
export interface NativeInfo {
  /** Instruction set of the GEMM kernels in use: 'avx512', 'avx2' or 'portable'. */
  isa: string;
  /** Threads of the pool (hardware concurrency, or CONVKIT_NUM_THREADS). */
  threads: number;
  /** CPU extensions detected at load time. */
  cpuFeatures: string[];
}

/** The addon's exports (native/src/bind_*.cc); outputs come last and are filled in place. */
export interface Addon {
  matmul(
    a: Float32Array,
    b: Float32Array,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    bias: Float32Array | null,
    relu: boolean,
    out: Float32Array,
  ): void;
  conv2d(x: Float32Array, filter: Float32Array, bias: Float32Array | null, g: Conv2dGeometry, relu: boolean, y: Float32Array): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, g: Conv2dGeometry, dx: Float32Array): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, g: Conv2dGeometry, dfilter: Float32Array): void;
  maxPool2d(x: Float32Array, g: Pool2dGeometry, y: Float32Array, argmax: Int32Array): void;
  maxPool2dBackward(dy: Float32Array, argmax: Int32Array, g: Pool2dGeometry, dx: Float32Array): void;
  conv2dMaxPool(
    x: Float32Array,
    filter: Float32Array,
    bias: Float32Array | null,
    conv: Conv2dGeometry,
    pool: Pool2dGeometry,
    relu: boolean,
    y: Float32Array,
    argmax: Int32Array,
  ): void;
  /** Fills each of dx, dFilter, dBias that is not null. */
  conv2dMaxPoolBackward(
    dy: Float32Array,
    x: Float32Array,
    filter: Float32Array,
    y: Float32Array,
    argmax: Int32Array,
    conv: Conv2dGeometry,
    pool: Pool2dGeometry,
    relu: boolean,
    dx: Float32Array | null,
    dFilter: Float32Array | null,
    dBias: Float32Array | null,
  ): void;
  avgPool2d(x: Float32Array, g: Pool2dGeometry, y: Float32Array): void;
  avgPool2dBackward(dy: Float32Array, g: Pool2dGeometry, dx: Float32Array): void;
  unary(op: UnaryOp, x: Float32Array, out: Float32Array): void;
  binary(
    op: BinaryOp,
    a: Float32Array,
    aShape: readonly number[],
    b: Float32Array,
    bShape: readonly number[],
    outShape: readonly number[],
    out: Float32Array,
  ): void;
  reduce(op: ReduceOp, x: Float32Array, shape: readonly number[], axes: readonly number[], out: Float32Array): void;
  argMax(x: Float32Array, shape: readonly number[], axis: number, out: Int32Array): void;
  transpose(x: Float32Array, shape: readonly number[], perm: readonly number[], out: Float32Array): void;
  logSoftmax(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  logSoftmaxBackward(dy: Float32Array, y: Float32Array, rows: number, cols: number, out: Float32Array): void;
  adamUpdate(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, step: AdamStep): void;
  dropoutMask(out: Float32Array, state: Int32Array, rate: number, keep: number): void;
  reluBackward(dy: Float32Array, y: Float32Array, dx: Float32Array): void;
  depthwiseConv2d(x: Float32Array, filter: Float32Array, g: Conv2dGeometry, y: Float32Array): void;
  depthwiseConv2dBackpropInput(dy: Float32Array, filter: Float32Array, g: Conv2dGeometry, dx: Float32Array): void;
  depthwiseConv2dBackpropFilter(x: Float32Array, dy: Float32Array, g: Conv2dGeometry, dfilter: Float32Array): void;
  pad(x: Float32Array, shape: readonly number[], padsBefore: readonly number[], padsAfter: readonly number[], out: Float32Array): void;
  slice(x: Float32Array, shape: readonly number[], begin: readonly number[], size: readonly number[], out: Float32Array): void;
  concat(xs: readonly Float32Array[], shapes: readonly (readonly number[])[], axis: number, out: Float32Array): void;
  batchNormTrain(
    x: Float32Array,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    rows: number,
    channels: number,
    epsilon: number,
    relu: boolean,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
  ): void;
  batchNormBackward(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array | null,
    mean: Float32Array,
    variance: Float32Array,
    rows: number,
    channels: number,
    epsilon: number,
    reluOutput: Float32Array | null,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
  ): void;
  batchNormInference(
    x: Float32Array,
    scale: Float32Array,
    shift: Float32Array,
    rows: number,
    channels: number,
    relu: boolean,
    y: Float32Array,
  ): void;
  info(): NativeInfo;
  setIsa(name: string): boolean;
}
