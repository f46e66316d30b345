/**
 * The attributes kernels take besides their buffers: convolution and pooling geometry, one record
 * per optimizer step, the image-warp options, and the names of the elementwise, reduction and
 * activation choices. Split from kernels.ts (the contract itself);
 * kernels.ts re-exports every name, so importers keep one place to import from.
 */
/**
 * Geometry of a 2-D convolution, fully resolved (padding already turned into pad amounts).
 * Output size: outHeight = floor((inHeight + padTop + padBottom - dilH*(kH-1) - 1) / strideH) + 1;
 * padBottom/padRight are whatever makes that formula give outHeight/outWidth.
 */
export interface Conv2dGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/** Geometry of a 2-D pooling window over NHWC input, channels pooled independently. */
export interface Pool2dGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  poolHeight: number;
  poolWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/** Which gradients conv2dMaxPoolBackward computes. */
export interface ConvPoolNeeds {
  input: boolean;
  filter: boolean;
  bias: boolean;
}

/** Hyper-parameters of one Adam step (Keras formulation, bias correction folded into lr). */
export interface AdamStep {
  /** learningRate * sqrt(1 - beta2^t) / (1 - beta1^t) */
  lrT: number;
  beta1: number;
  beta2: number;
  /** The epsilon added to sqrt(v) (Keras adds it unscaled). */
  epsilonT: number;
}

/** One SGD step (Keras): v = momentum·v − lr·g; w += v, or w += momentum·v − lr·g with Nesterov. */
export interface SgdStep {
  learningRate: number;
  momentum: number;
  nesterov: boolean;
}

/** One RMSprop step (Keras): ms = rho·ms + (1 − rho)·g², then w −= lr·g / √(ms − mg² + ε). */
export interface RmspropStep {
  learningRate: number;
  rho: number;
  momentum: number;
  epsilon: number;
}

/** One Adagrad step (Keras): acc += g²; w −= lr·g / √(acc + ε). */
export interface AdagradStep {
  learningRate: number;
  epsilon: number;
}

/** One Adamax step (Keras): m = β1·m + (1−β1)·g; u = max(β2·u, |g|); w −= stepSize·m / (u + ε). */
export interface AdamaxStep {
  /** learningRate / (1 − beta1^t) */
  stepSize: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/**
 * One Nadam step (Keras): m and v as Adam's, then m̂ = mScale·m + gScale·g and
 * w −= lr·m̂ / (√(v·vScale) + ε); the scales carry the momentum schedule (src/optimizers/nadam.ts).
 */
export interface NadamStep {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  mScale: number;
  gScale: number;
  vScale: number;
}

/** How an image warp fills output pixels whose source point lies outside the input (Keras's fill_mode). */
export type FillMode = 'reflect' | 'wrap' | 'constant' | 'nearest';
/** How an image warp reads the input between pixel centres. */
export type WarpInterpolation = 'bilinear' | 'nearest';
/** Resampling filters of the resize kernel (Keras's Resizing interpolations). */
export type ResizeMethod = 'bilinear' | 'nearest' | 'bicubic' | 'lanczos3';

/** Geometry of an image-to-image kernel over NHWC input: batch×inHeight×inWidth×channels → batch×outHeight×outWidth×channels. */
export interface ImageGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
}

/** Options of the affineWarp kernel. */
export interface WarpOptions {
  interpolation: WarpInterpolation;
  fillMode: FillMode;
  /** The value of outside points with fillMode 'constant'. */
  fillValue: number;
}

/** Activations a producing kernel (matmul, conv2d) can apply in its epilogue. */
export type FusedActivation = 'linear' | 'relu';

/**
 * Activations the depthwise convolution's epilogue and the training batch norm's pass apply:
 * FusedActivation's, or relu6 = min(max(x, 0), 6) (MobileNet's).
 */
export type EpilogueActivation = FusedActivation | 'relu6';

/** The depthwise convolution's epilogue activations (EpilogueActivation). */
export type DepthwiseActivation = EpilogueActivation;

/**
 * Elementwise functions of one argument. `step` is 1 where x > 0, else 0; `erf` is the error function;
 * `relu6` is min(max(x, 0), 6) in one pass (NaN propagates).
 */
export const UNARY_OPS = [
  'neg',
  'abs',
  'exp',
  'log',
  'sqrt',
  'square',
  'reciprocal',
  'relu',
  'relu6',
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
