/**
 * The backend contract: one typed list of kernels, each given once by its spec.
 *
 * `KERNEL_SPECS` names every kernel with its arguments (name and type, in call order), its
 * outputs (name and element type) and the rule giving each output's element count from the
 * arguments. From this one record come the `Kernels` type every backend must implement (a
 * missing kernel or a wrong signature is a build error, never a run-time lookup failure), the
 * native backend's calls (native.ts allocates the outputs the spec names and passes them to the
 * addon after the arguments) and the test that the addon exports exactly these names.
 *
 * Kernels see flat buffers, shapes and attributes only: no tensors, layers or graphs. They never
 * mutate their inputs except the in-place kernels (optimizer updates, dropout's mask). Output
 * buffers are freshly allocated with the same float type as the first float input.
 * Layout conventions: images are NHWC, convolution filters are HWIO
 * `[kernelHeight, kernelWidth, inChannels, outChannels]`, matrices are row-major.
 * Argument checks (shapes agree, sizes match) happen once in `src/ops/`; a backend may trust
 * them, except the native addon, which re-checks every length it is handed.
 */
import type {
  AdagradStep,
  AdamaxStep,
  AdamStep,
  BinaryOp,
  Conv2dGeometry,
  ConvPoolNeeds,
  DepthwiseActivation,
  EpilogueActivation,
  FusedActivation,
  ImageGeometry,
  NadamStep,
  Pool2dGeometry,
  ReduceOp,
  ResizeMethod,
  RmspropStep,
  SgdStep,
  UnaryOp,
  WarpOptions,
} from './kernel-attrs.js';
import {
  attrs,
  boolean,
  float,
  floatOrNull,
  floats,
  inPlace,
  int32,
  kernel,
  number,
  one,
  oneOf,
  record,
  shape,
  shapes,
  size,
  type KernelOf,
} from './kernel-signature.js';
import type { FloatArray } from '../tensor/dtype.js';
/** Float buffers the kernels compute on (float32 in models, float64 for gradient checks): tensor/dtype.ts's. */
export type { FloatArray };

export { UNARY_OPS, BINARY_OPS, REDUCE_OPS } from './kernel-attrs.js';
export type {
  FusedActivation,
  EpilogueActivation,
  DepthwiseActivation,
  UnaryOp,
  BinaryOp,
  ReduceOp,
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

const product = (values: readonly number[]): number => values.reduce((p, v) => p * v, 1);
const convIn = (g: Conv2dGeometry): number => g.batch * g.inHeight * g.inWidth * g.inChannels;
const convOut = (g: Conv2dGeometry): number => g.batch * g.outHeight * g.outWidth * g.outChannels;
const poolIn = (g: Pool2dGeometry): number => g.batch * g.inHeight * g.inWidth * g.channels;
const poolOut = (g: Pool2dGeometry): number => g.batch * g.outHeight * g.outWidth * g.channels;
const imageOut = (g: ImageGeometry): number => g.batch * g.outHeight * g.outWidth * g.channels;
const activation = oneOf<FusedActivation>('activation');
const epilogueActivation = oneOf<EpilogueActivation>('activation');
const conv = attrs<Conv2dGeometry>('geometry');
/** The depthwise → 1×1 kernels' arguments after their input (and expansion): the depthwise part, then the 1×1 part. */
const depthwisePointwise = [
  float('depthFilter'),
  floatOrNull('depthBias'),
  conv,
  oneOf<DepthwiseActivation>('depthActivation'),
  float('pointFilter'),
  floatOrNull('pointBias'),
  size('outChannels'),
  oneOf<EpilogueActivation>('pointActivation'),
] as const;
const pool = attrs<Pool2dGeometry>('geometry');
const image = attrs<ImageGeometry>('geometry');

/**
 * Every kernel: `kernel(arguments, outputs, sizes)` or `inPlace(arguments)`.
 *
 * @example
 * KERNEL_SPECS.matmul.sizes(a, b, 2, 3, 4, false, false, null, 'linear'); // 8: out is 2×4
 * KERNEL_SPECS.maxPool2d.outputs; // { record: { y: 'float', argmax: 'int32' } }
 */
export const KERNEL_SPECS = {
  /** out[m×n] = opA(a)[m×k] · opB(b)[k×n] (+ bias[n]) then activation. a is m×k (or k×m when transA). */
  matmul: kernel(
    [float('a'), float('b'), size('m'), size('k'), size('n'), boolean('transA'), boolean('transB'), floatOrNull('bias'), activation],
    one('out'),
    (_a, _b, m, _k, n) => m * n,
  ),

  /** NHWC x, HWIO filter → NHWC y (+ bias[outChannels]) then activation. */
  conv2d: kernel([float('x'), float('filter'), floatOrNull('bias'), conv, epilogueActivation], one('y'), (_x, _f, _b, g) => convOut(g)),
  /** dL/dx from dL/dy (NHWC, outHeight×outWidth×outChannels) and the filter. */
  conv2dBackpropInput: kernel([float('dy'), float('filter'), conv], one('dx'), (_dy, _f, g) => convIn(g)),
  /** dL/dfilter (HWIO) from the input x and dL/dy. */
  conv2dBackpropFilter: kernel(
    [float('x'), float('dy'), conv],
    one('dfilter'),
    (_x, _dy, g) => g.kernelHeight * g.kernelWidth * g.inChannels * g.outChannels,
  ),

  /**
   * Depthwise convolution: NHWC x, filter [kH, kW, inChannels, multiplier] → NHWC y whose channel
   * c·multiplier + m is input channel c convolved with filter[:, :, c, m] (+ bias[outChannels]),
   * then the activation (relu6 included: MobileNet's depthwise → relu6 in one pass). In the
   * geometry, outChannels = inChannels · multiplier.
   */
  depthwiseConv2d: kernel(
    [float('x'), float('filter'), floatOrNull('bias'), conv, oneOf<DepthwiseActivation>('activation')],
    one('y'),
    (_x, _f, _b, g) => convOut(g),
  ),
  /**
   * A depthwise convolution (multiplier 1 or more) and the 1×1 convolution that reads it, as one
   * kernel: y = pointActivation(depthActivation(depthwiseConv2d(x, depthFilter) + depthBias) ·
   * pointFilter + pointBias), pointFilter [geometry.outChannels, outChannels] (a 1×1 HWIO filter).
   * MobileNet's depthwise → project at inference, in bands that keep the depthwise output in cache.
   */
  depthwisePointwiseConv2d: kernel(
    [float('x'), ...depthwisePointwise],
    one('y'),
    (_x, _df, _db, g, _da, _pf, _pb, outChannels) => g.batch * g.outHeight * g.outWidth * outChannels,
  ),
  /**
   * A 1×1 convolution and the depthwise → 1×1 pair it feeds, as one kernel: y =
   * depthwisePointwiseConv2d(expandActivation(x · expandFilter + expandBias), ...), x
   * [batch, inHeight, inWidth, inChannels], expandFilter [inChannels, geometry.inChannels].
   * MobileNetV2's inverted-residual block at inference (without its residual add), in bands that
   * keep the expanded tensor and the depthwise output in cache.
   */
  expandDepthwisePointwiseConv2d: kernel(
    [
      float('x'),
      size('inChannels'),
      float('expandFilter'),
      floatOrNull('expandBias'),
      oneOf<EpilogueActivation>('expandActivation'),
      ...depthwisePointwise,
    ],
    one('y'),
    (_x, _c, _ef, _eb, _ea, _df, _db, g, _da, _pf, _pb, outChannels) => g.batch * g.outHeight * g.outWidth * outChannels,
  ),
  /** dL/dx of depthwiseConv2d from dL/dy and the filter. */
  depthwiseConv2dBackpropInput: kernel([float('dy'), float('filter'), conv], one('dx'), (_dy, _f, g) => convIn(g)),
  /** dL/dfilter ([kH, kW, inChannels, multiplier]) of depthwiseConv2d from x and dL/dy. */
  depthwiseConv2dBackpropFilter: kernel(
    [float('x'), float('dy'), conv],
    one('dfilter'),
    (_x, _dy, g) => g.kernelHeight * g.kernelWidth * g.outChannels,
  ),

  /**
   * Max pooling. `argmax[i]` is the flat index into x of the element that won output i
   * (padding never wins; -1 if a window is all padding).
   */
  maxPool2d: kernel([float('x'), pool], record({ y: 'float', argmax: 'int32' }), (_x, g) => ({ y: poolOut(g), argmax: poolOut(g) })),
  /** Scatters dy into a zero dx (x-sized) at argmax, adding where windows overlap. */
  maxPool2dBackward: kernel([float('dy'), int32('argmax'), pool], one('dx'), (_dy, _argmax, g) => poolIn(g)),
  /**
   * conv2d (+ bias, then activation) followed by max pooling of its output, as one kernel that
   * never holds the whole convolution output (a Conv2D → MaxPooling2D pair). `pool` pools the
   * convolution's output (pool.inHeight = conv.outHeight, ..., pool.channels = conv.outChannels).
   * `argmax[i]` is the flat index, into that (virtual) convolution output, of the value that won
   * pooled output i: the same winner maxPool2d would pick (first on ties; -1 for a window that is
   * all padding).
   */
  conv2dMaxPool: kernel(
    [float('x'), float('filter'), floatOrNull('bias'), attrs<Conv2dGeometry>('conv'), attrs<Pool2dGeometry>('pool'), activation],
    record({ y: 'float', argmax: 'int32' }),
    (_x, _f, _b, _conv, p) => ({ y: poolOut(p), argmax: poolOut(p) }),
  ),
  /**
   * The gradients of conv2dMaxPool: dy (pooled) goes to each window's winner, masked where the
   * pooled output y is not positive when the activation is relu, then back through the
   * convolution. Computes only the gradients `needs` asks for; the others are null.
   */
  conv2dMaxPoolBackward: kernel(
    [
      float('dy'),
      float('x'),
      float('filter'),
      float('y'),
      int32('argmax'),
      attrs<Conv2dGeometry>('conv'),
      attrs<Pool2dGeometry>('pool'),
      activation,
      attrs<ConvPoolNeeds>('needs'),
    ],
    record({ dx: 'floatOrNull', dFilter: 'floatOrNull', dBias: 'floatOrNull' }),
    (_dy, _x, filter, _y, _argmax, c, _p, _activation, needs) => ({
      dx: needs.input ? convIn(c) : null,
      dFilter: needs.filter ? filter.length : null,
      dBias: needs.bias ? c.outChannels : null,
    }),
  ),
  /** Average pooling; padded cells are not counted in the divisor (Keras 'same' behaviour). */
  avgPool2d: kernel([float('x'), pool], one('y'), (_x, g) => poolOut(g)),
  avgPool2dBackward: kernel([float('dy'), pool], one('dx'), (_dy, g) => poolIn(g)),

  /** y = op(x) elementwise. */
  unary: kernel([oneOf<UnaryOp>('op'), float('x')], one('out'), (_op, x) => x.length),
  /**
   * The relu gradient in one pass: dx = dy where y > 0, else 0 (y is relu's output, same length
   * as dy). A NaN in y gives 0, as PyTorch's threshold_backward does for y <= 0 and as
   * dy·step(y) does for finite dy; a NaN or infinite dy where y <= 0 does not leak into dx.
   */
  reluBackward: kernel([float('dy'), float('y')], one('dx'), (dy) => dy.length),
  /**
   * The relu6 gradient in one pass: dx = dy where 0 < y < 6, else 0 (y is relu6's output, same
   * length as dy; a NaN y gives 0, and a NaN or infinite dy outside (0, 6) does not leak into dx,
   * as reluBackward and PyTorch's hardtanh_backward).
   */
  relu6Backward: kernel([float('dy'), float('y')], one('dx'), (dy) => dy.length),
  /** out = op(a, b) with NumPy broadcasting; outShape is the broadcast shape. */
  binary: kernel(
    [oneOf<BinaryOp>('op'), float('a'), shape('aShape'), float('b'), shape('bShape'), shape('outShape')],
    one('out'),
    (_op, _a, _aShape, _b, _bShape, outShape) => product(outShape),
  ),
  /** Reduces over `axes` (sorted, unique); the result has shape with those axes removed. */
  reduce: kernel([oneOf<ReduceOp>('op'), float('x'), shape('shape'), shape('axes')], one('out'), (_op, _x, s, axes) =>
    product(s.filter((_, i) => !axes.includes(i))),
  ),
  /**
   * Zero padding of an N-d tensor: out.shape[i] = shape[i] + padsBefore[i] + padsAfter[i]
   * (pads are non-negative), with x placed at offset padsBefore.
   */
  pad: kernel([float('x'), shape('shape'), shape('padsBefore'), shape('padsAfter')], one('out'), (_x, s, before, after) =>
    product(s.map((d, i) => d + (before[i] ?? 0) + (after[i] ?? 0))),
  ),
  /** The box begin[i] ≤ index < begin[i] + size[i] of an N-d tensor (the adjoint of pad); out.shape = size. */
  slice: kernel([float('x'), shape('shape'), shape('begin'), shape('size')], one('out'), (_x, _s, _begin, sizes) => product(sizes)),
  /** Joins one or more tensors along `axis`; their shapes agree on every other axis. */
  concat: kernel([floats('xs'), shapes('shapes'), size('axis')], one('out'), (_xs, s, axis) => {
    const total = s.reduce((n, d) => n + (d[axis] ?? 0), 0);
    return s.length > 0 ? product(s[0]!.map((d, i) => (i === axis ? total : d))) : 0;
  }),
  /** Index of the largest value along `axis`; ties go to the first. */
  argMax: kernel([float('x'), shape('shape'), size('axis')], one('out', 'int32'), (_x, s, axis) => product(s.filter((_, i) => i !== axis))),
  /** Permutes axes: out.shape[i] = shape[perm[i]]. */
  transpose: kernel([float('x'), shape('shape'), shape('perm')], one('out'), (x) => x.length),
  /** Row-wise log-softmax of a rows×cols matrix, computed stably (max subtracted). */
  logSoftmax: kernel([float('x'), size('rows'), size('cols')], one('out'), (_x, rows, cols) => rows * cols),
  /** Gradient of logSoftmax: dx = dy - softmax(x) * rowSum(dy), given y = logSoftmax(x). */
  logSoftmaxBackward: kernel([float('dy'), float('y'), size('rows'), size('cols')], one('out'), (_dy, _y, rows, cols) => rows * cols),
  /**
   * Training-mode batch normalisation of x viewed as [rows, channels] (channels last): per
   * channel, the batch mean and biased variance over the rows, then
   * y = (x − mean) / √(variance + epsilon) · gamma + beta (gamma 1 and beta 0 when null), then
   * the activation (relu or relu6: a BatchNormalization → ReLU pair in one pass). Returns y and
   * the statistics ([channels] each) so the caller can move its running averages.
   */
  batchNormTrain: kernel(
    [float('x'), floatOrNull('gamma'), floatOrNull('beta'), size('rows'), size('channels'), number('epsilon'), epilogueActivation],
    record({ y: 'float', mean: 'float', variance: 'float' }),
    (_x, _gamma, _beta, rows, channels) => ({ y: rows * channels, mean: channels, variance: channels }),
  ),
  /**
   * Gradients of batchNormTrain (statistics included) from dy, the input x and the batch
   * statistics it used: dbeta = Σ dy, dgamma = Σ dy·x̂, and
   * dx = gamma/√(variance + epsilon) · (dy − dbeta/rows − x̂·dgamma/rows), x̂ the normalised x.
   * With `activationOutput` (the y of a batchNormTrain with the fused `activation`), dy counts
   * only where that activation passes gradient — relu: activationOutput > 0; relu6:
   * 0 < activationOutput < 6 — its gradient in the same passes; null (or 'linear'): dy as given.
   */
  batchNormBackward: kernel(
    [
      float('dy'),
      float('x'),
      floatOrNull('gamma'),
      float('mean'),
      float('variance'),
      size('rows'),
      size('channels'),
      number('epsilon'),
      epilogueActivation,
      floatOrNull('activationOutput'),
    ],
    record({ dx: 'float', dgamma: 'float', dbeta: 'float' }),
    (_dy, _x, _gamma, _mean, _variance, rows, channels) => ({ dx: rows * channels, dgamma: channels, dbeta: channels }),
  ),
  /**
   * Inference-mode batch normalisation, folded: y = x·scale + shift per channel of x viewed as
   * [rows, channels], then the activation.
   */
  batchNormInference: kernel(
    [float('x'), float('scale'), float('shift'), size('rows'), size('channels'), activation],
    one('y'),
    (_x, _scale, _shift, rows, channels) => rows * channels,
  ),
  /**
   * Nearest-neighbour upsampling of NHWC x of `shape` [batch, height, width, channels] by integer
   * factors: out[n, i, j, c] = x[n, ⌊i/scaleHeight⌋, ⌊j/scaleWidth⌋, c], out of shape
   * [batch, height·scaleHeight, width·scaleWidth, channels].
   */
  upSample2d: kernel(
    [float('x'), shape('shape'), size('scaleHeight'), size('scaleWidth')],
    one('out'),
    (_x, s, sh, sw) => product(s) * sh * sw,
  ),
  /**
   * upSample2d's input gradient: dx[n, i, j, c] = the sum of dy over the scaleHeight×scaleWidth
   * block of output pixels x[n, i, j, c] was copied to (rows outer, summed in double); `shape` is x's.
   */
  upSample2dBackward: kernel([float('dy'), shape('shape'), size('scaleHeight'), size('scaleWidth')], one('out'), (_dy, s) => product(s)),
  /** One Adam step, in place on param, m and v. */
  adamUpdate: inPlace([float('param'), float('grad'), float('m'), float('v'), attrs<AdamStep>('step')]),
  /** One SGD step, in place on param and velocity (null when momentum is 0: w −= lr·g). */
  sgdUpdate: inPlace([float('param'), float('grad'), floatOrNull('velocity'), attrs<SgdStep>('step')]),
  /**
   * One RMSprop step, in place on param and its slots: `momentum` is null when step.momentum is 0,
   * `meanGrad` is null unless centered.
   */
  rmspropUpdate: inPlace([
    float('param'),
    float('grad'),
    float('meanSquare'),
    floatOrNull('momentum'),
    floatOrNull('meanGrad'),
    attrs<RmspropStep>('step'),
  ]),
  /** One Adagrad step, in place on param and accumulator. */
  adagradUpdate: inPlace([float('param'), float('grad'), float('accumulator'), attrs<AdagradStep>('step')]),
  /** One Adamax step, in place on param, m and u. */
  adamaxUpdate: inPlace([float('param'), float('grad'), float('m'), float('u'), attrs<AdamaxStep>('step')]),
  /** One Nadam step, in place on param, m and v. */
  nadamUpdate: inPlace([float('param'), float('grad'), float('m'), float('v'), attrs<NadamStep>('step')]),
  /** Decoupled weight decay, in place: param −= rate·param (rate = learningRate·weightDecay). */
  decayWeights: inPlace([float('param'), number('rate')]),
  /**
   * A moving average, in place: average = average·momentum + value·(1 − momentum)
   * (BatchNormalization's moving statistics).
   */
  movingAverageUpdate: inPlace([float('average'), float('value'), number('momentum')]),
  /**
   * Inverted dropout's mask: out[i] = keep where the i-th xoshiro128** draw (from `state`, four
   * int32 words, advanced in place) divided by 2^32 is >= rate, else 0. Every backend draws the
   * same sequence as `Random`, so masks do not depend on the backend.
   */
  dropoutMask: inPlace([float('out'), int32('state'), number('rate'), number('keep')]),
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
  affineWarp: kernel([float('x'), image, float('transforms'), attrs<WarpOptions>('options')], one('y'), (_x, g) => imageOut(g)),
  /**
   * Separable resampling, as Keras's image.resize (JAX's scale_and_translate with half-pixel
   * centres): along each axis, output i reads input j with weight kernel(|(i + ½)·in/out − ½ − j|)
   * (triangle for bilinear, Keys cubic a = −½ for bicubic, Lanczos radius 3), weights normalised
   * per output and zero where that point lies outside [−½, in − ½]; with `antialias` and a
   * downscale the kernel is widened by in/out. 'nearest' takes input floor((i + ½)·in/out).
   */
  resize: kernel([float('x'), image, oneOf<ResizeMethod>('method'), boolean('antialias')], one('y'), (_x, g) => imageOut(g)),
};

/** A kernel's name. */
export type KernelName = keyof typeof KERNEL_SPECS;

/** The kernel names, in the spec's order. */
export const KERNEL_NAMES = Object.keys(KERNEL_SPECS) as KernelName[];

/** The complete list of kernels every backend implements: the spec's signatures (derived, so the two cannot disagree). */
export type Kernels = { readonly [K in KernelName]: KernelOf<(typeof KERNEL_SPECS)[K]> };

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
