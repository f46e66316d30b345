/**
 * The backend contract: one typed list of kernels.
 *
 * A backend is a record of type {@link Kernels}; the compiler checks that it is complete, so a
 * missing kernel is a build error, never a run-time lookup failure. Kernels see flat buffers,
 * shapes and attributes only: no tensors, layers or graphs. They never mutate their inputs
 * except the optimizer updates, which are documented as in-place.
 *
 * Layout conventions: images are NHWC, convolution filters are HWIO
 * `[kernelHeight, kernelWidth, inChannels, outChannels]`, matrices are row-major.
 * Argument checks (shapes agree, sizes match) happen once in `src/ops/`; a backend may trust
 * them, except the native addon, which re-checks every length it is handed.
 */

import type {
  Conv2dGeometry,
  Pool2dGeometry,
  ConvPoolNeeds,
  AdamStep,
  SgdStep,
  RmspropStep,
  AdagradStep,
  AdamaxStep,
  NadamStep,
  ResizeMethod,
  ImageGeometry,
  WarpOptions,
} from './kernel-attrs.js';
import type { FloatArray } from '../tensor/dtype.js';
/** Float buffers the kernels compute on (float32 in models, float64 for gradient checks): tensor/dtype.ts's. */
export type { FloatArray };

/** Activations a producing kernel (matmul, conv2d) can apply in its epilogue. */
export type FusedActivation = 'linear' | 'relu';

/** Elementwise functions of one argument. `step` is 1 where x > 0, else 0; `erf` is the error function. */
export const UNARY_OPS = [
  'neg',
  'abs',
  'exp',
  'log',
  'sqrt',
  'square',
  'reciprocal',
  'relu',
  'sigmoid',
  'tanh',
  'step',
  'sign',
  'erf',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/**
 * Elementwise functions of two arguments with NumPy broadcasting. Comparisons give 1 or 0;
 * addRelu is max(a + b, 0) (an Add layer feeding a relu, as one pass; NaN propagates).
 */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow', 'greater', 'greaterEqual', 'equal', 'addRelu'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Reductions over a set of axes. */
export const REDUCE_OPS = ['sum', 'max', 'min'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

export type {
  Conv2dGeometry,
  Pool2dGeometry,
  ConvPoolNeeds,
  AdamStep,
  SgdStep,
  RmspropStep,
  AdagradStep,
  AdamaxStep,
  NadamStep,
  FillMode,
  WarpInterpolation,
  ResizeMethod,
  ImageGeometry,
  WarpOptions,
} from './kernel-attrs.js';

/**
 * The complete list of kernels every backend implements.
 *
 * Output buffers are freshly allocated with the same float type as the first float input.
 */
export interface Kernels {
  /** out[m×n] = opA(a)[m×k] · opB(b)[k×n] (+ bias[n]) then activation. a is m×k (or k×m when transA). */
  matmul(
    a: FloatArray,
    b: FloatArray,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    bias: FloatArray | null,
    activation: FusedActivation,
  ): FloatArray;

  /** NHWC x, HWIO filter → NHWC y (+ bias[outChannels]) then activation. */
  conv2d(x: FloatArray, filter: FloatArray, bias: FloatArray | null, g: Conv2dGeometry, activation: FusedActivation): FloatArray;
  /** dL/dx from dL/dy (NHWC, outHeight×outWidth×outChannels) and the filter. */
  conv2dBackpropInput(dy: FloatArray, filter: FloatArray, g: Conv2dGeometry): FloatArray;
  /** dL/dfilter (HWIO) from the input x and dL/dy. */
  conv2dBackpropFilter(x: FloatArray, dy: FloatArray, g: Conv2dGeometry): FloatArray;

  /**
   * Depthwise convolution: NHWC x, filter [kH, kW, inChannels, multiplier] → NHWC y whose channel
   * c·multiplier + m is input channel c convolved with filter[:, :, c, m]. In the geometry,
   * outChannels = inChannels · multiplier.
   */
  depthwiseConv2d(x: FloatArray, filter: FloatArray, g: Conv2dGeometry): FloatArray;
  /** dL/dx of depthwiseConv2d from dL/dy and the filter. */
  depthwiseConv2dBackpropInput(dy: FloatArray, filter: FloatArray, g: Conv2dGeometry): FloatArray;
  /** dL/dfilter ([kH, kW, inChannels, multiplier]) of depthwiseConv2d from x and dL/dy. */
  depthwiseConv2dBackpropFilter(x: FloatArray, dy: FloatArray, g: Conv2dGeometry): FloatArray;

  /**
   * Max pooling. `argmax[i]` is the flat index into x of the element that won output i
   * (padding never wins; -1 if a window is all padding).
   */
  maxPool2d(x: FloatArray, g: Pool2dGeometry): { y: FloatArray; argmax: Int32Array };
  /** Scatters dy into a zero dx (x-sized) at argmax, adding where windows overlap. */
  maxPool2dBackward(dy: FloatArray, argmax: Int32Array, g: Pool2dGeometry): FloatArray;
  /**
   * conv2d (+ bias, then activation) followed by max pooling of its output, as one kernel that
   * never holds the whole convolution output (a Conv2D → MaxPooling2D pair). `pool` pools the
   * convolution's output (pool.inHeight = conv.outHeight, ..., pool.channels = conv.outChannels).
   * `argmax[i]` is the flat index, into that (virtual) convolution output, of the value that won
   * pooled output i: the same winner maxPool2d would pick (first on ties; -1 for a window that is
   * all padding).
   */
  conv2dMaxPool(
    x: FloatArray,
    filter: FloatArray,
    bias: FloatArray | null,
    conv: Conv2dGeometry,
    pool: Pool2dGeometry,
    activation: FusedActivation,
  ): { y: FloatArray; argmax: Int32Array };
  /**
   * The gradients of conv2dMaxPool: dy (pooled) goes to each window's winner, masked where the
   * pooled output y is not positive when the activation is relu, then back through the
   * convolution. Computes only the gradients `needs` asks for; the others are null.
   */
  conv2dMaxPoolBackward(
    dy: FloatArray,
    x: FloatArray,
    filter: FloatArray,
    y: FloatArray,
    argmax: Int32Array,
    conv: Conv2dGeometry,
    pool: Pool2dGeometry,
    activation: FusedActivation,
    needs: ConvPoolNeeds,
  ): { dx: FloatArray | null; dFilter: FloatArray | null; dBias: FloatArray | null };
  /** Average pooling; padded cells are not counted in the divisor (Keras 'same' behaviour). */
  avgPool2d(x: FloatArray, g: Pool2dGeometry): FloatArray;
  avgPool2dBackward(dy: FloatArray, g: Pool2dGeometry): FloatArray;

  /** y = op(x) elementwise. */
  unary(op: UnaryOp, x: FloatArray): FloatArray;
  /**
   * The relu gradient in one pass: dx = dy where y > 0, else 0 (y is relu's output, same length
   * as dy). A NaN in y gives 0, as PyTorch's threshold_backward does for y <= 0 and as
   * dy·step(y) does for finite dy; a NaN or infinite dy where y <= 0 does not leak into dx.
   */
  reluBackward(dy: FloatArray, y: FloatArray): FloatArray;
  /** out = op(a, b) with NumPy broadcasting; outShape is the broadcast shape. */
  binary(
    op: BinaryOp,
    a: FloatArray,
    aShape: readonly number[],
    b: FloatArray,
    bShape: readonly number[],
    outShape: readonly number[],
  ): FloatArray;
  /** Reduces over `axes` (sorted, unique); the result has shape with those axes removed. */
  reduce(op: ReduceOp, x: FloatArray, shape: readonly number[], axes: readonly number[]): FloatArray;
  /**
   * Zero padding of an N-d tensor: out.shape[i] = shape[i] + padsBefore[i] + padsAfter[i]
   * (pads are non-negative), with x placed at offset padsBefore.
   */
  pad(x: FloatArray, shape: readonly number[], padsBefore: readonly number[], padsAfter: readonly number[]): FloatArray;
  /** The box begin[i] ≤ index < begin[i] + size[i] of an N-d tensor (the adjoint of pad); out.shape = size. */
  slice(x: FloatArray, shape: readonly number[], begin: readonly number[], size: readonly number[]): FloatArray;
  /** Joins one or more tensors along `axis`; their shapes agree on every other axis. */
  concat(xs: readonly FloatArray[], shapes: readonly (readonly number[])[], axis: number): FloatArray;
  /** Index of the largest value along `axis`; ties go to the first. */
  argMax(x: FloatArray, shape: readonly number[], axis: number): Int32Array;
  /** Permutes axes: out.shape[i] = shape[perm[i]]. */
  transpose(x: FloatArray, shape: readonly number[], perm: readonly number[]): FloatArray;
  /** Row-wise log-softmax of a rows×cols matrix, computed stably (max subtracted). */
  logSoftmax(x: FloatArray, rows: number, cols: number): FloatArray;
  /** Gradient of logSoftmax: dx = dy - softmax(x) * rowSum(dy), given y = logSoftmax(x). */
  logSoftmaxBackward(dy: FloatArray, y: FloatArray, rows: number, cols: number): FloatArray;
  /**
   * Training-mode batch normalisation of x viewed as [rows, channels] (channels last): per
   * channel, the batch mean and biased variance over the rows, then
   * y = (x − mean) / √(variance + epsilon) · gamma + beta (gamma 1 and beta 0 when null), then
   * the activation (relu: a BatchNormalization → ReLU pair in one pass). Returns y and the
   * statistics ([channels] each) so the caller can move its running averages.
   */
  batchNormTrain(
    x: FloatArray,
    gamma: FloatArray | null,
    beta: FloatArray | null,
    rows: number,
    channels: number,
    epsilon: number,
    activation: FusedActivation,
  ): { y: FloatArray; mean: FloatArray; variance: FloatArray };
  /**
   * Gradients of batchNormTrain (statistics included) from dy, the input x and the batch
   * statistics it used: dbeta = Σ dy, dgamma = Σ dy·x̂, and
   * dx = gamma/√(variance + epsilon) · (dy − dbeta/rows − x̂·dgamma/rows), x̂ the normalised x.
   * With `reluOutput` (the y of a batchNormTrain with a fused relu), dy counts only where
   * reluOutput > 0: the relu's gradient, in the same passes.
   */
  batchNormBackward(
    dy: FloatArray,
    x: FloatArray,
    gamma: FloatArray | null,
    mean: FloatArray,
    variance: FloatArray,
    rows: number,
    channels: number,
    epsilon: number,
    reluOutput: FloatArray | null,
  ): { dx: FloatArray; dgamma: FloatArray; dbeta: FloatArray };
  /**
   * Inference-mode batch normalisation, folded: y = x·scale + shift per channel of x viewed as
   * [rows, channels], then the activation.
   */
  batchNormInference(
    x: FloatArray,
    scale: FloatArray,
    shift: FloatArray,
    rows: number,
    channels: number,
    activation: FusedActivation,
  ): FloatArray;
  /**
   * Nearest-neighbour upsampling of NHWC x of `shape` [batch, height, width, channels] by integer
   * factors: out[n, i, j, c] = x[n, ⌊i/scaleHeight⌋, ⌊j/scaleWidth⌋, c], out of shape
   * [batch, height·scaleHeight, width·scaleWidth, channels].
   */
  upSample2d(x: FloatArray, shape: readonly number[], scaleHeight: number, scaleWidth: number): FloatArray;
  /**
   * upSample2d's input gradient: dx[n, i, j, c] = the sum of dy over the scaleHeight×scaleWidth
   * block of output pixels x[n, i, j, c] was copied to (rows outer, summed in double); `shape` is x's.
   */
  upSample2dBackward(dy: FloatArray, shape: readonly number[], scaleHeight: number, scaleWidth: number): FloatArray;
  /** One Adam step, in place on param, m and v. */
  adamUpdate(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, step: AdamStep): void;
  /** One SGD step, in place on param and velocity (null when momentum is 0: w −= lr·g). */
  sgdUpdate(param: FloatArray, grad: FloatArray, velocity: FloatArray | null, step: SgdStep): void;
  /**
   * One RMSprop step, in place on param and its slots: `momentum` is null when step.momentum is 0,
   * `meanGrad` is null unless centered.
   */
  rmspropUpdate(
    param: FloatArray,
    grad: FloatArray,
    meanSquare: FloatArray,
    momentum: FloatArray | null,
    meanGrad: FloatArray | null,
    step: RmspropStep,
  ): void;
  /** One Adagrad step, in place on param and accumulator. */
  adagradUpdate(param: FloatArray, grad: FloatArray, accumulator: FloatArray, step: AdagradStep): void;
  /** One Adamax step, in place on param, m and u. */
  adamaxUpdate(param: FloatArray, grad: FloatArray, m: FloatArray, u: FloatArray, step: AdamaxStep): void;
  /** One Nadam step, in place on param, m and v. */
  nadamUpdate(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, step: NadamStep): void;
  /** Decoupled weight decay, in place: param −= rate·param (rate = learningRate·weightDecay). */
  decayWeights(param: FloatArray, rate: number): void;
  /**
   * A moving average, in place: average = average·momentum + value·(1 − momentum)
   * (BatchNormalization's moving statistics).
   */
  movingAverageUpdate(average: FloatArray, value: FloatArray, momentum: number): void;
  /**
   * Inverted dropout's mask: out[i] = keep where the i-th xoshiro128** draw (from `state`, four
   * int32 words, advanced in place) divided by 2^32 is >= rate, else 0. Every backend draws the
   * same sequence as `Random`, so masks do not depend on the backend.
   */
  dropoutMask(out: FloatArray, state: Int32Array, rate: number, keep: number): void;
  /**
   * Projective image warp (TensorFlow's ImageProjectiveTransformV3, which Keras's RandomRotation,
   * RandomZoom and RandomTranslation call): with image b's row [a0, a1, a2, b0, b1, b2, c0, c1]
   * of `transforms` (batch×8), output pixel (x, y) samples the input at
   * ((a0·x + a1·y + a2) / k, (b0·x + b1·y + b2) / k), k = c0·x + c1·y + 1 (k = 0 gives fillValue).
   * The source point is first mapped into the image by `fillMode` (reflect: d c b a | a b c d |
   * d c b a; wrap: a b c d | a b c d; nearest: clamp; constant: unchanged), then read with
   * `interpolation` (nearest rounds half away from zero), any neighbour outside the input
   * reading fillValue. Coordinates are computed in float64.
   */
  affineWarp(x: FloatArray, g: ImageGeometry, transforms: FloatArray, options: WarpOptions): FloatArray;
  /**
   * Separable resampling, as Keras's image.resize (JAX's scale_and_translate with half-pixel
   * centres): along each axis, output i reads input j with weight kernel(|(i + ½)·in/out − ½ − j|)
   * (triangle for bilinear, Keys cubic a = −½ for bicubic, Lanczos radius 3), weights normalised
   * per output and zero where that point lies outside [−½, in − ½]; with `antialias` and a
   * downscale the kernel is widened by in/out. 'nearest' takes input floor((i + ½)·in/out).
   */
  resize(x: FloatArray, g: ImageGeometry, method: ResizeMethod, antialias: boolean): FloatArray;
}

/**
 * A backend: a name plus the complete kernel record. A backend whose buffers are not host memory
 * (a GPU, a WASM heap) hands out handles and gives `read`, which returns a buffer's values in host
 * memory (a copy; `Tensor.values()` goes through it), `store`, which makes a handle holding a copy
 * of host values (a variable's storage), and `write`, which copies host values into a handle (a
 * variable's `assign`). Host-memory backends leave them out.
 */
export interface Backend {
  readonly name: BackendName | (string & {});
  readonly kernels: Kernels;
  readonly read?: (buffer: FloatArray | Int32Array) => FloatArray | Int32Array;
  readonly store?: (values: FloatArray | Int32Array) => FloatArray | Int32Array;
  readonly write?: (target: FloatArray | Int32Array, values: FloatArray | Int32Array) => void;
}

/** The backends Convkit ships. */
export type BackendName = 'ts' | 'native';
