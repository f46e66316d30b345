/**
 * The `native` backend: every kernel of the contract in a C++17 N-API addon
 * (native/build/Release/convkit.node, sources in native/src/), with run-time AVX-512 / AVX2+FMA /
 * portable dispatch and a persistent thread pool.
 *
 * Calling convention (the addon's signatures are in native-addon.ts): this file allocates each
 * output as an unzeroed Float32Array (recycled inside a training step; see `alloc`) and passes
 * it last; the addon checks every length, shape and geometry field against it, throws a
 * JavaScript Error naming the kernel and argument on a mismatch, and otherwise fills it in place.
 * Kernels given any Float64Array (gradient checks) run on the TypeScript reference backend.
 */
import type { Backend, FloatArray, FusedActivation, Kernels } from './kernels.js';
import type { Addon } from './native-addon.js';
import { allocFloat32, allocInt32 as allocInt32Buffer } from '../tensor/buffer-pool.js';
import { tsKernels } from './ts/index.js';

const validLength = (n: number): boolean => Number.isSafeInteger(n) && n >= 0 && n < 2 ** 32;

/** CONVKIT_NATIVE_POISON=1 (tests) fills outputs with NaN so an element a kernel skips shows. */
let poison = false;

/**
 * An output buffer for the addon to fill. Every native kernel writes all of its output, so the
 * memory is not zeroed first (for a 17 MB conv output, zeroing costs more than the convolution);
 * inside a training step it is a recycled buffer (src/tensor/buffer-pool.ts). A size the addon
 * will reject gets an empty array; the addon then throws its own clear message.
 */
function alloc(n: number): Float32Array {
  if (!validLength(n) || n === 0) return new Float32Array(0);
  const out = allocFloat32(n, false);
  if (poison) out.fill(NaN);
  return out;
}

function allocInt32(n: number): Int32Array {
  if (!validLength(n) || n === 0) return new Int32Array(0);
  const out = allocInt32Buffer(n, false);
  if (poison) out.fill(-2);
  return out;
}

function product(values: readonly number[]): number {
  let p = 1;
  for (const v of values) p *= v;
  return p;
}

const isF32OrNull = (x: FloatArray | null): x is Float32Array | null => x === null || x instanceof Float32Array;

/** The kernel record over a loaded addon. */
function makeKernels(addon: Addon): Kernels {
  const relu = (activation: FusedActivation): boolean => activation === 'relu';
  return {
    matmul(a, b, m, k, n, transA, transB, bias, activation) {
      if (!(a instanceof Float32Array && b instanceof Float32Array && isF32OrNull(bias)))
        return tsKernels.matmul(a, b, m, k, n, transA, transB, bias, activation);
      const out = alloc(m * n);
      addon.matmul(a, b, m, k, n, transA, transB, bias, relu(activation), out);
      return out;
    },
    conv2d(x, filter, bias, g, activation) {
      if (!(x instanceof Float32Array && filter instanceof Float32Array && isF32OrNull(bias)))
        return tsKernels.conv2d(x, filter, bias, g, activation);
      const y = alloc(g.batch * g.outHeight * g.outWidth * g.outChannels);
      addon.conv2d(x, filter, bias, g, relu(activation), y);
      return y;
    },
    conv2dBackpropInput(dy, filter, g) {
      if (!(dy instanceof Float32Array && filter instanceof Float32Array)) return tsKernels.conv2dBackpropInput(dy, filter, g);
      const dx = alloc(g.batch * g.inHeight * g.inWidth * g.inChannels);
      addon.conv2dBackpropInput(dy, filter, g, dx);
      return dx;
    },
    conv2dBackpropFilter(x, dy, g) {
      if (!(x instanceof Float32Array && dy instanceof Float32Array)) return tsKernels.conv2dBackpropFilter(x, dy, g);
      const dw = alloc(g.kernelHeight * g.kernelWidth * g.inChannels * g.outChannels);
      addon.conv2dBackpropFilter(x, dy, g, dw);
      return dw;
    },
    maxPool2d(x, g) {
      if (!(x instanceof Float32Array)) return tsKernels.maxPool2d(x, g);
      const n = g.batch * g.outHeight * g.outWidth * g.channels;
      const y = alloc(n);
      const argmax = allocInt32(y.length);
      addon.maxPool2d(x, g, y, argmax);
      return { y, argmax };
    },
    maxPool2dBackward(dy, argmax, g) {
      if (!(dy instanceof Float32Array)) return tsKernels.maxPool2dBackward(dy, argmax, g);
      const dx = alloc(g.batch * g.inHeight * g.inWidth * g.channels);
      addon.maxPool2dBackward(dy, argmax, g, dx);
      return dx;
    },
    conv2dMaxPool(x, filter, bias, conv, pool, activation) {
      if (!(x instanceof Float32Array && filter instanceof Float32Array && isF32OrNull(bias)))
        return tsKernels.conv2dMaxPool(x, filter, bias, conv, pool, activation);
      const y = alloc(pool.batch * pool.outHeight * pool.outWidth * pool.channels);
      const argmax = allocInt32(y.length);
      addon.conv2dMaxPool(x, filter, bias, conv, pool, relu(activation), y, argmax);
      return { y, argmax };
    },
    conv2dMaxPoolBackward(dy, x, filter, y, argmax, conv, pool, activation, needs) {
      if (!(dy instanceof Float32Array && x instanceof Float32Array && filter instanceof Float32Array && y instanceof Float32Array))
        return tsKernels.conv2dMaxPoolBackward(dy, x, filter, y, argmax, conv, pool, activation, needs);
      const dx = needs.input ? alloc(conv.batch * conv.inHeight * conv.inWidth * conv.inChannels) : null;
      const dFilter = needs.filter ? alloc(conv.kernelHeight * conv.kernelWidth * conv.inChannels * conv.outChannels) : null;
      const dBias = needs.bias ? alloc(conv.outChannels) : null;
      addon.conv2dMaxPoolBackward(dy, x, filter, y, argmax, conv, pool, relu(activation), dx, dFilter, dBias);
      return { dx, dFilter, dBias };
    },
    avgPool2d(x, g) {
      if (!(x instanceof Float32Array)) return tsKernels.avgPool2d(x, g);
      const y = alloc(g.batch * g.outHeight * g.outWidth * g.channels);
      addon.avgPool2d(x, g, y);
      return y;
    },
    avgPool2dBackward(dy, g) {
      if (!(dy instanceof Float32Array)) return tsKernels.avgPool2dBackward(dy, g);
      const dx = alloc(g.batch * g.inHeight * g.inWidth * g.channels);
      addon.avgPool2dBackward(dy, g, dx);
      return dx;
    },
    unary(op, x) {
      if (!(x instanceof Float32Array)) return tsKernels.unary(op, x);
      const out = alloc(x.length);
      addon.unary(op, x, out);
      return out;
    },
    reluBackward(dy, y) {
      if (!(dy instanceof Float32Array && y instanceof Float32Array)) return tsKernels.reluBackward(dy, y);
      const dx = alloc(dy.length);
      addon.reluBackward(dy, y, dx);
      return dx;
    },
    binary(op, a, aShape, b, bShape, outShape) {
      if (!(a instanceof Float32Array && b instanceof Float32Array)) return tsKernels.binary(op, a, aShape, b, bShape, outShape);
      const out = alloc(product(outShape));
      addon.binary(op, a, aShape, b, bShape, outShape, out);
      return out;
    },
    reduce(op, x, shape, axes) {
      if (!(x instanceof Float32Array)) return tsKernels.reduce(op, x, shape, axes);
      const out = alloc(product(shape.filter((_, i) => !axes.includes(i))));
      addon.reduce(op, x, shape, axes, out);
      return out;
    },
    argMax(x, shape, axis) {
      if (!(x instanceof Float32Array)) return tsKernels.argMax(x, shape, axis);
      const n = product(shape.filter((_, i) => i !== axis));
      const out = allocInt32(n);
      addon.argMax(x, shape, axis, out);
      return out;
    },
    transpose(x, shape, perm) {
      if (!(x instanceof Float32Array)) return tsKernels.transpose(x, shape, perm);
      const out = alloc(x.length);
      addon.transpose(x, shape, perm, out);
      return out;
    },
    logSoftmax(x, rows, cols) {
      if (!(x instanceof Float32Array)) return tsKernels.logSoftmax(x, rows, cols);
      const out = alloc(rows * cols);
      addon.logSoftmax(x, rows, cols, out);
      return out;
    },
    logSoftmaxBackward(dy, y, rows, cols) {
      if (!(dy instanceof Float32Array && y instanceof Float32Array)) return tsKernels.logSoftmaxBackward(dy, y, rows, cols);
      const out = alloc(rows * cols);
      addon.logSoftmaxBackward(dy, y, rows, cols, out);
      return out;
    },
    adamUpdate(param, grad, m, v, step) {
      if (!(param instanceof Float32Array && grad instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array)) {
        tsKernels.adamUpdate(param, grad, m, v, step);
        return;
      }
      addon.adamUpdate(param, grad, m, v, step);
    },
    dropoutMask(out, state, rate, keep) {
      if (!(out instanceof Float32Array)) return tsKernels.dropoutMask(out, state, rate, keep);
      addon.dropoutMask(out, state, rate, keep);
    },
    depthwiseConv2d(x, filter, g) {
      if (!(x instanceof Float32Array && filter instanceof Float32Array)) return tsKernels.depthwiseConv2d(x, filter, g);
      const y = alloc(g.batch * g.outHeight * g.outWidth * g.outChannels);
      addon.depthwiseConv2d(x, filter, g, y);
      return y;
    },
    depthwiseConv2dBackpropInput(dy, filter, g) {
      if (!(dy instanceof Float32Array && filter instanceof Float32Array)) return tsKernels.depthwiseConv2dBackpropInput(dy, filter, g);
      const dx = alloc(g.batch * g.inHeight * g.inWidth * g.inChannels);
      addon.depthwiseConv2dBackpropInput(dy, filter, g, dx);
      return dx;
    },
    depthwiseConv2dBackpropFilter(x, dy, g) {
      if (!(x instanceof Float32Array && dy instanceof Float32Array)) return tsKernels.depthwiseConv2dBackpropFilter(x, dy, g);
      const df = alloc(g.kernelHeight * g.kernelWidth * g.outChannels);
      addon.depthwiseConv2dBackpropFilter(x, dy, g, df);
      return df;
    },
    pad(x, shape, padsBefore, padsAfter) {
      if (!(x instanceof Float32Array)) return tsKernels.pad(x, shape, padsBefore, padsAfter);
      const out = alloc(product(shape.map((d, i) => d + (padsBefore[i] ?? 0) + (padsAfter[i] ?? 0))));
      addon.pad(x, shape, padsBefore, padsAfter, out);
      return out;
    },
    slice(x, shape, begin, size) {
      if (!(x instanceof Float32Array)) return tsKernels.slice(x, shape, begin, size);
      const out = alloc(product(size));
      addon.slice(x, shape, begin, size, out);
      return out;
    },
    concat(xs, shapes, axis) {
      if (!xs.every((x): x is Float32Array => x instanceof Float32Array)) return tsKernels.concat(xs, shapes, axis);
      const total = shapes.reduce((n, s) => n + (s[axis] ?? 0), 0);
      const out = alloc(shapes.length > 0 ? product(shapes[0]!.map((d, i) => (i === axis ? total : d))) : 0);
      addon.concat(xs, shapes, axis, out);
      return out;
    },
    batchNormTrain(x, gamma, beta, rows, channels, epsilon, activation) {
      if (!(x instanceof Float32Array && isF32OrNull(gamma) && isF32OrNull(beta)))
        return tsKernels.batchNormTrain(x, gamma, beta, rows, channels, epsilon, activation);
      const y = alloc(rows * channels);
      const mean = alloc(channels);
      const variance = alloc(channels);
      addon.batchNormTrain(x, gamma, beta, rows, channels, epsilon, relu(activation), y, mean, variance);
      return { y, mean, variance };
    },
    batchNormBackward(dy, x, gamma, mean, variance, rows, channels, epsilon, reluOutput) {
      if (!(
        dy instanceof Float32Array &&
        x instanceof Float32Array &&
        isF32OrNull(gamma) &&
        mean instanceof Float32Array &&
        variance instanceof Float32Array &&
        isF32OrNull(reluOutput)
      ))
        return tsKernels.batchNormBackward(dy, x, gamma, mean, variance, rows, channels, epsilon, reluOutput);
      const dx = alloc(rows * channels);
      const dgamma = alloc(channels);
      const dbeta = alloc(channels);
      addon.batchNormBackward(dy, x, gamma, mean, variance, rows, channels, epsilon, reluOutput, dx, dgamma, dbeta);
      return { dx, dgamma, dbeta };
    },
    batchNormInference(x, scale, shift, rows, channels, activation) {
      if (!(x instanceof Float32Array && scale instanceof Float32Array && shift instanceof Float32Array))
        return tsKernels.batchNormInference(x, scale, shift, rows, channels, activation);
      const y = alloc(rows * channels);
      addon.batchNormInference(x, scale, shift, rows, channels, relu(activation), y);
      return y;
    },
  };
}

/**
 * The `native` backend over a loaded addon (src/backends/native-loader.ts finds and loads it).
 * With `poison` (CONVKIT_NATIVE_POISON=1, tests), outputs are NaN-filled before each kernel.
 *
 * @example
 * const backend = nativeBackend(addon, { poison: false });
 */
export function nativeBackend(addon: Addon, options: { poison: boolean }): Backend {
  poison = options.poison;
  return { name: 'native', kernels: makeKernels(addon) };
}
