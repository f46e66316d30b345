/**
 * The output rule of every kernel: which buffers a call returns and how many elements each holds,
 * computed from the call's arguments. With the signatures in kernels.ts this is the one spec of a
 * kernel; the native boundary is derived from it (native.ts allocates these outputs and passes
 * them to the addon after the arguments, in this order), and a test checks that the addon exports
 * exactly these names. The record is a mapped type over `Kernels`, so a kernel without a rule, or a
 * rule naming the wrong outputs, fails the type-check.
 */
import type { Conv2dGeometry, FloatArray, ImageGeometry, Kernels, Pool2dGeometry } from './kernels.js';

/** A kernel's name. */
export type KernelName = keyof Kernels;

/** One output: a float buffer of n elements, an int32 buffer ({ int32: n }), or null (not computed). */
export type OutputSize = number | { int32: number } | null;

/**
 * The outputs of a kernel returning R: one size for a single buffer, one per field for a record,
 * 'inPlace' for kernels that update their arguments and return nothing.
 */
export type OutputRule<R> = [R] extends [void]
  ? 'inPlace'
  : [R] extends [FloatArray | Int32Array]
    ? OutputSize
    : { readonly [P in keyof R]-?: OutputSize };

/** Every kernel's output rule, keyed by kernel name. */
export type KernelSpecs = { readonly [K in KernelName]: (...args: Parameters<Kernels[K]>) => OutputRule<ReturnType<Kernels[K]>> };

const product = (values: readonly number[]): number => values.reduce((p, v) => p * v, 1);
const convIn = (g: Conv2dGeometry): number => g.batch * g.inHeight * g.inWidth * g.inChannels;
const convOut = (g: Conv2dGeometry): number => g.batch * g.outHeight * g.outWidth * g.outChannels;
const poolIn = (g: Pool2dGeometry): number => g.batch * g.inHeight * g.inWidth * g.channels;
const poolOut = (g: Pool2dGeometry): number => g.batch * g.outHeight * g.outWidth * g.channels;
const inPlace = (): 'inPlace' => 'inPlace';
const imageOut = (g: ImageGeometry): number => g.batch * g.outHeight * g.outWidth * g.channels;

/**
 * The output rules.
 *
 * @example
 * KERNEL_SPECS.matmul(a, b, 2, 3, 4, false, false, null, 'linear'); // 8: out is 2×4
 * KERNEL_SPECS.maxPool2d(x, g); // { y: …, argmax: { int32: … } }
 */
export const KERNEL_SPECS: KernelSpecs = {
  matmul: (_a, _b, m, _k, n) => m * n,
  conv2d: (_x, _f, _b, g) => convOut(g),
  conv2dBackpropInput: (_dy, _f, g) => convIn(g),
  conv2dBackpropFilter: (_x, _dy, g) => g.kernelHeight * g.kernelWidth * g.inChannels * g.outChannels,
  depthwiseConv2d: (_x, _f, g) => convOut(g),
  depthwiseConv2dBackpropInput: (_dy, _f, g) => convIn(g),
  depthwiseConv2dBackpropFilter: (_x, _dy, g) => g.kernelHeight * g.kernelWidth * g.outChannels,
  maxPool2d: (_x, g) => ({ y: poolOut(g), argmax: { int32: poolOut(g) } }),
  maxPool2dBackward: (_dy, _argmax, g) => poolIn(g),
  conv2dMaxPool: (_x, _f, _b, _conv, pool) => ({ y: poolOut(pool), argmax: { int32: poolOut(pool) } }),
  conv2dMaxPoolBackward: (_dy, _x, filter, _y, _argmax, conv, _pool, _activation, needs) => ({
    dx: needs.input ? convIn(conv) : null,
    dFilter: needs.filter ? filter.length : null,
    dBias: needs.bias ? conv.outChannels : null,
  }),
  avgPool2d: (_x, g) => poolOut(g),
  avgPool2dBackward: (_dy, g) => poolIn(g),
  unary: (_op, x) => x.length,
  reluBackward: (dy) => dy.length,
  binary: (_op, _a, _aShape, _b, _bShape, outShape) => product(outShape),
  reduce: (_op, _x, shape, axes) => product(shape.filter((_, i) => !axes.includes(i))),
  pad: (_x, shape, before, after) => product(shape.map((d, i) => d + (before[i] ?? 0) + (after[i] ?? 0))),
  slice: (_x, _shape, _begin, size) => product(size),
  concat: (_xs, shapes, axis) => {
    const total = shapes.reduce((n, s) => n + (s[axis] ?? 0), 0);
    return shapes.length > 0 ? product(shapes[0]!.map((d, i) => (i === axis ? total : d))) : 0;
  },
  argMax: (_x, shape, axis) => ({ int32: product(shape.filter((_, i) => i !== axis)) }),
  transpose: (x) => x.length,
  logSoftmax: (_x, rows, cols) => rows * cols,
  logSoftmaxBackward: (_dy, _y, rows, cols) => rows * cols,
  batchNormTrain: (_x, _gamma, _beta, rows, channels) => ({ y: rows * channels, mean: channels, variance: channels }),
  batchNormBackward: (_dy, _x, _gamma, _mean, _variance, rows, channels) => ({ dx: rows * channels, dgamma: channels, dbeta: channels }),
  batchNormInference: (_x, _scale, _shift, rows, channels) => rows * channels,
  affineWarp: (_x, g) => imageOut(g),
  resize: (_x, g) => imageOut(g),
  upSample2d: (_x, shape, scaleHeight, scaleWidth) => product(shape) * scaleHeight * scaleWidth,
  upSample2dBackward: (_dy, shape) => product(shape),
  adamUpdate: inPlace,
  sgdUpdate: inPlace,
  rmspropUpdate: inPlace,
  adagradUpdate: inPlace,
  adamaxUpdate: inPlace,
  nadamUpdate: inPlace,
  decayWeights: inPlace,
  movingAverageUpdate: inPlace,
  dropoutMask: inPlace,
};

/** The kernel names, in the spec's order. */
export const KERNEL_NAMES = Object.keys(KERNEL_SPECS) as KernelName[];
