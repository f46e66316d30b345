/**
 * Fusion of layer runs: the one table of runs that execute as a single op when each layer's
 * output is read by nothing but the next (Sequential and Functional ask `applyFusedRun`, which
 * tries the longest run first). Same values and gradients as the layers run apart, up to float
 * rounding; less memory traffic. Pairs (training and inference): Conv2D → MaxPooling2D,
 * BatchNormalization → relu/relu6, Add → relu. At inference only: a BatchNormalization after a
 * Conv2D or DepthwiseConv2D is folded into the convolution's filter and bias
 * (fold-batchnorm.ts), and a relu or relu6 after the convolution (or after the folded norm:
 * `applyFusedTriple`) runs in its epilogue; MobileNet's depthwise → 1×1 runs (DepthwiseConv2D →
 * BN → relu6 → Conv2D 1×1 (→ BN)) execute as one depthwisePointwiseConv2d, and whole
 * inverted-residual blocks (a Conv2D 1×1 → BN → relu6 expansion first) as one
 * expandDepthwisePointwiseConv2d, whose intermediate tensors never go to memory.
 * `setLayerFusion(false)` or CONVKIT_FUSION=0 turns it off.
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Activation } from './activation.js';
import { ReLU } from './advanced-activations.js';
import { BatchNormalization } from './batch-normalization.js';
import { Conv2D } from './conv2d.js';
import { DepthwiseConv2D } from './depthwise-conv2d.js';
import { canFold, foldBatchNorm } from './fold-batchnorm.js';
import type { CallContext, Layer } from './layer.js';
import { Add } from './merge.js';
import { MaxPooling2D } from './pooling.js';

/** The fused computation of a pair, on the first layer's inputs. */
type FusedOp = (inputs: Tensor[], ctx: CallContext) => Tensor;

/** One fusable pair: `fuse` returns the op computing `next(first(inputs))`, or null if the pair does not fit. */
interface FusedPair {
  readonly name: string;
  fuse(first: Layer, next: Layer, ctx: CallContext): FusedOp | null;
}

/** True when `layer` computes exactly max(x, 0) (an Activation('relu'), or a ReLU without options). */
function isPlainRelu(layer: Layer): boolean {
  if (layer instanceof Activation) return layer.activation === 'relu';
  return layer instanceof ReLU && layer.maxValue === null && layer.negativeSlope === 0 && layer.threshold === 0;
}

/** True when `layer` computes exactly min(max(x, 0), 6) (an Activation('relu6'), or a ReLU with maxValue 6 only). */
function isPlainRelu6(layer: Layer): boolean {
  if (layer instanceof Activation) return layer.activation === 'relu6';
  return layer instanceof ReLU && layer.maxValue === 6 && layer.negativeSlope === 0 && layer.threshold === 0;
}

/** 'relu' or 'relu6' when `layer` computes exactly that activation (see isPlainRelu, isPlainRelu6), else null. */
function plainActivation(layer: Layer): 'relu' | 'relu6' | null {
  return isPlainRelu(layer) ? 'relu' : isPlainRelu6(layer) ? 'relu6' : null;
}

/**
 * `norm(conv(x))` at inference as one convolution with the batch norm folded in (cached per
 * weights version), with `activation` in its epilogue; null unless the pair folds: not training,
 * a convolution without an activation of its own, a batch norm over its output channels.
 */
function foldedConv(conv: Layer, norm: Layer, ctx: CallContext, activation: 'linear' | 'relu' | 'relu6'): FusedOp | null {
  if (ctx.training || !(norm instanceof BatchNormalization)) return null;
  if (conv instanceof Conv2D && conv.activation === 'linear' && canFold(norm, conv.filters)) {
    return ([x]) => {
      const { filter, bias } = foldBatchNorm(conv.kernel!, conv.bias, norm);
      return ops.conv2d(x!, filter, { ...conv.convOptions(), bias, activation });
    };
  }
  if (conv instanceof DepthwiseConv2D && conv.activation === 'linear' && conv.depthwiseKernel) {
    const [, , channels = 0, multiplier = 0] = conv.depthwiseKernel.shape;
    if (!canFold(norm, channels * multiplier)) return null;
    return ([x]) => {
      const { filter, bias } = foldBatchNorm(conv.depthwiseKernel!, conv.bias, norm);
      return ops.depthwiseConv2d(x!, filter, { ...conv.depthwiseOptions(), bias, activation });
    };
  }
  return null;
}

/** A folded 1×1 Conv2D (stride 1) for a fused run: its filter and bias (norm folded in, if any), and its activation. */
interface PointwisePart {
  weights: () => { filter: Tensor; bias: Tensor | null };
  activation: 'linear' | 'relu' | 'relu6';
}

/**
 * `conv` as the 1×1 stride-1 convolution of a fused run reading `channels`: its own activation
 * (linear, relu or relu6), or with `norm` given, a linear convolution with the norm folded in and
 * `activation` after it (none: linear). Null unless it fits.
 */
function pointwisePart(conv: Layer, channels: number, norm?: Layer, activation?: Layer): PointwisePart | null {
  if (!(conv instanceof Conv2D) || !conv.kernel || conv.kernel.shape[2] !== channels) return null;
  if (!conv.kernelSize.every((k) => k === 1) || !conv.strides.every((s) => s === 1)) return null;
  if (!norm) {
    const own = conv.activation;
    if (own !== 'linear' && own !== 'relu' && own !== 'relu6') return null;
    return { weights: () => ({ filter: conv.kernel!, bias: conv.bias }), activation: own };
  }
  if (conv.activation !== 'linear' || !(norm instanceof BatchNormalization) || !canFold(norm, conv.filters)) return null;
  const act = activation ? plainActivation(activation) : 'linear';
  return act ? { weights: () => foldBatchNorm(conv.kernel!, conv.bias, norm), activation: act } : null;
}

/** The depthwise → 1×1 end of a fused run: its folded filters and the op's options, computed when it runs. */
type DepthwiseTail = () => { depthFilter: Tensor; pointFilter: Tensor; options: ops.DepthwisePointwiseOptions };

/**
 * `point(act(norm(depthwise(x))))` (then `pointNorm` if given) at inference: the depthwise
 * convolution with its batch norm folded and a relu or relu6 after, then a 1×1 pointwise part.
 */
function depthwisePointwiseParts(layers: readonly Layer[], ctx: CallContext): DepthwiseTail | null {
  const [depthwise, norm, act, point, pointNorm] = layers;
  if (ctx.training || !depthwise || !norm || !act || !point) return null;
  const depthActivation = plainActivation(act);
  if (!depthActivation || !(depthwise instanceof DepthwiseConv2D) || depthwise.activation !== 'linear' || !depthwise.depthwiseKernel)
    return null;
  const [, , channels = 0, multiplier = 0] = depthwise.depthwiseKernel.shape;
  if (!(norm instanceof BatchNormalization) || !canFold(norm, channels * multiplier)) return null;
  const pointwise = pointwisePart(point, channels * multiplier, pointNorm);
  if (!pointwise) return null;
  return () => {
    const depth = foldBatchNorm(depthwise.depthwiseKernel!, depthwise.bias, norm);
    const point = pointwise.weights();
    const { strides, padding, dilationRate } = depthwise.depthwiseOptions();
    const options = {
      strides,
      padding,
      dilationRate,
      depthBias: depth.bias,
      depthActivation,
      pointBias: point.bias,
      pointActivation: pointwise.activation,
    };
    return { depthFilter: depth.filter, pointFilter: point.filter, options };
  };
}

/**
 * The fused op of a run at inference: [expand 1×1, norm, relu/relu6,] depthwise, norm,
 * relu/relu6, 1×1 [, norm] (8, 7, 5 or 4 layers), every batch norm folded. Null unless it fits.
 */
function foldedDepthwiseRun(layers: readonly Layer[], ctx: CallContext): FusedOp | null {
  const tail = depthwisePointwiseParts(layers.length >= 7 ? layers.slice(3) : layers, ctx);
  if (!tail) return null;
  if (layers.length < 7)
    return ([x]) => {
      const { depthFilter, pointFilter, options } = tail();
      return ops.depthwisePointwiseConv2d(x!, depthFilter, pointFilter, options);
    };
  const [expand, norm, act, depthwise] = layers as [Layer, Layer, Layer, DepthwiseConv2D];
  if (!(expand instanceof Conv2D) || !expand.kernel || expand.filters !== depthwise.depthwiseKernel!.shape[2]) return null;
  const expandPart = pointwisePart(expand, expand.kernel.shape[2]!, norm, act);
  if (!expandPart) return null;
  return ([x]) => {
    const { filter, bias } = expandPart.weights();
    const { depthFilter, pointFilter, options } = tail();
    return ops.expandDepthwisePointwiseConv2d(x!, filter, depthFilter, pointFilter, {
      ...options,
      expandBias: bias,
      expandActivation: expandPart.activation,
    });
  };
}

/** The fused pairs. */
const FUSED_PAIRS: readonly FusedPair[] = [
  {
    // At inference: the batch norm folded into the convolution's filter and bias.
    name: 'Conv2D / DepthwiseConv2D → BatchNormalization (inference)',
    fuse: (conv, norm, ctx) => foldedConv(conv, norm, ctx, 'linear'),
  },
  {
    // At inference: a relu or relu6 layer after a convolution without an activation of its own
    // runs in the convolution's epilogue (models imported from ONNX, or with Activation layers).
    name: 'Conv2D / DepthwiseConv2D → relu / relu6 (inference)',
    fuse: (conv, act, ctx) => {
      const activation = plainActivation(act);
      if (ctx.training || !activation) return null;
      if (conv instanceof Conv2D && conv.activation === 'linear' && conv.kernel)
        return ([x]) => ops.conv2d(x!, conv.kernel!, { ...conv.convOptions(), activation });
      if (conv instanceof DepthwiseConv2D && conv.activation === 'linear' && conv.depthwiseKernel)
        return ([x]) => ops.depthwiseConv2d(x!, conv.depthwiseKernel!, { ...conv.depthwiseOptions(), activation });
      return null;
    },
  },
  {
    // One conv2dMaxPool op: the convolution output is never stored (with a relu or no activation
    // only: the pool must see what the kernel's epilogue computes).
    name: 'Conv2D → MaxPooling2D',
    fuse: (conv, pool) =>
      conv instanceof Conv2D && pool instanceof MaxPooling2D && (conv.activation === 'relu' || conv.activation === 'linear')
        ? ([x]) =>
            ops.conv2dMaxPool(x!, conv.kernel!, conv.convOptions(), {
              poolSize: pool.poolSize,
              strides: pool.strides,
              padding: pool.padding,
            })
        : null,
  },
  {
    // The relu inside the batch-norm passes (training and inference), and its mask in the
    // backward; relu6 (MobileNet's) the same in training.
    name: 'BatchNormalization → relu / relu6',
    fuse: (norm, relu) => {
      const activation = plainActivation(relu);
      return norm instanceof BatchNormalization && activation ? ([x], ctx) => norm.callWithActivation(x!, ctx, activation) : null;
    },
  },
  {
    // A residual block's output: the last sum and the relu in one pass.
    name: 'Add → relu',
    fuse: (sum, relu) =>
      sum instanceof Add && isPlainRelu(relu)
        ? (inputs) =>
            ops.addRelu(
              inputs.slice(0, -1).reduce((a, b) => ops.add(a, b)),
              inputs[inputs.length - 1]!,
            )
        : null,
  },
];

let fusionEnabled = typeof process === 'undefined' || process.env?.['CONVKIT_FUSION'] !== '0';

/**
 * Turns the fusion of layer pairs (Conv2D → MaxPooling2D, BatchNormalization → relu or relu6, Add → relu,
 * and at inference a batch norm folded into the convolution before it) on or off
 * for every model; on by default (CONVKIT_FUSION=0 starts with it off). Results are the same
 * either way, up to float rounding; fusion saves memory traffic.
 *
 * @example
 * setLayerFusion(false);   // e.g. to time the unfused layers
 */
export function setLayerFusion(enabled: boolean): void {
  fusionEnabled = enabled;
}

/**
 * Runs `op` in place of the layers of `run`, with the checks their `apply` calls would make: the
 * first builds for (and checks) the inputs, each later one checks the shape before it.
 */
function runChecked(run: readonly Layer[], op: FusedOp, x: Tensor | Tensor[], ctx: CallContext): Tensor {
  const inputs = Array.isArray(x) ? x : [x];
  const [first, ...rest] = run;
  first!.prepareInputs(inputs);
  let shape = first!.computeOutputShapeForInputs(inputs.map((t) => [...t.shape]));
  for (const layer of rest) {
    layer.checkInputs([shape.map((d) => d ?? -1)]);
    shape = layer.computeOutputShape(shape);
  }
  return op(inputs, ctx);
}

/**
 * Runs `first` and then `next` as one fused op, with the same checks as two `apply` calls, or
 * returns null (and runs nothing) when the pair is not in the table, `next` is not built yet, or
 * fusion is off. The caller guarantees that nothing else reads `first`'s output.
 *
 * @example
 * const y = applyFused(conv, pool, x, { training: true }) ?? pool.apply(conv.apply(x));
 */
export function applyFused(first: Layer, next: Layer, x: Tensor | Tensor[], ctx: CallContext = { training: false }): Tensor | null {
  if (!fusionEnabled || !next.built) return null;
  let op: FusedOp | null = null;
  for (const pair of FUSED_PAIRS) if ((op = pair.fuse(first, next, ctx))) break;
  return op ? runChecked([first, next], op, x, ctx) : null;
}

/**
 * Runs `first`, `next` and `after` as one op when they are a convolution (Conv2D or
 * DepthwiseConv2D), a BatchNormalization and a relu or relu6 at inference: the folded
 * convolution with the activation in its epilogue. Returns null (and runs nothing) otherwise, or when fusion is
 * off. The caller guarantees that nothing else reads `first`'s or `next`'s output.
 *
 * @example
 * const y = applyFusedTriple(depthwise, norm, relu6, x, { training: false }) ?? relu6.apply(norm.apply(depthwise.apply(x)));
 */
export function applyFusedTriple(first: Layer, next: Layer, after: Layer, x: Tensor | Tensor[], ctx: CallContext): Tensor | null {
  if (!fusionEnabled || !next.built || !after.built) return null;
  const activation = plainActivation(after);
  const op = activation ? foldedConv(first, next, ctx, activation) : null;
  return op ? runChecked([first, next, after], op, x, ctx) : null;
}

/**
 * Runs the longest fused run that starts `chain` (each layer the sole reader of the one before
 * it): a depthwise → batch norm → relu6 → 1×1 convolution (→ batch norm) at inference, else a
 * convolution → batch norm → relu triple, else a pair. Returns the output and how many layers of
 * the chain it covered, or null (and runs nothing).
 *
 * @example
 * const run = applyFusedRun([dw, norm, relu6, project, projectNorm], x, { training: false });
 * const y = run ? run.y : dw.apply(x);   // run.layers: 5
 */
export function applyFusedRun(chain: readonly Layer[], x: Tensor | Tensor[], ctx: CallContext): { y: Tensor; layers: number } | null {
  const [first, next, after] = chain;
  if (!fusionEnabled || !first) return null;
  for (const length of [8, 7, 5, 4]) {
    const run = chain.slice(0, length);
    if (run.length < length || !run.slice(1).every((l) => l.built)) continue;
    const op = foldedDepthwiseRun(run, ctx);
    if (op) return { y: runChecked(run, op, x, ctx), layers: length };
  }
  const triple = next && after ? applyFusedTriple(first, next, after, x, ctx) : null;
  if (triple) return { y: triple, layers: 3 };
  const pair = next ? applyFused(first, next, x, ctx) : null;
  return pair ? { y: pair, layers: 2 } : null;
}
