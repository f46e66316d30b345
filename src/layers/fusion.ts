/**
 * Fusion of layer pairs: the one table of pairs that run as a single op when the first layer's
 * output is read by nothing but the second (Sequential and Functional ask `applyFused` for each
 * such pair). Same values and gradients as the two layers run apart, up to float rounding; less
 * memory traffic. `setLayerFusion(false)` or CONVKIT_FUSION=0 turns it off.
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Activation } from './activation.js';
import { ReLU } from './advanced-activations.js';
import { BatchNormalization } from './batch-normalization.js';
import { Conv2D } from './conv2d.js';
import type { CallContext, Layer } from './layer.js';
import { Add } from './merge.js';
import { MaxPooling2D } from './pooling.js';

/** The fused computation of a pair, on the first layer's inputs. */
type FusedOp = (inputs: Tensor[], ctx: CallContext) => Tensor;

/** One fusable pair: `fuse` returns the op computing `next(first(inputs))`, or null if the pair does not fit. */
interface FusedPair {
  readonly name: string;
  fuse(first: Layer, next: Layer): FusedOp | null;
}

/** True when `layer` computes exactly max(x, 0) (an Activation('relu'), or a ReLU without options). */
function isPlainRelu(layer: Layer): boolean {
  if (layer instanceof Activation) return layer.activation === 'relu';
  return layer instanceof ReLU && layer.maxValue === null && layer.negativeSlope === 0 && layer.threshold === 0;
}

/** The fused pairs. */
const FUSED_PAIRS: readonly FusedPair[] = [
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
    // The relu inside the batch-norm passes (training and inference), and its mask in the backward.
    name: 'BatchNormalization → relu',
    fuse: (norm, relu) =>
      norm instanceof BatchNormalization && isPlainRelu(relu) ? ([x], ctx) => norm.callWithActivation(x!, ctx, 'relu') : null,
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
 * Turns the fusion of layer pairs (Conv2D → MaxPooling2D, BatchNormalization → relu, Add → relu) on or off
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
  for (const pair of FUSED_PAIRS) if ((op = pair.fuse(first, next))) break;
  if (!op) return null;
  const inputs = Array.isArray(x) ? x : [x];
  first.prepareInputs(inputs);
  const middle = first.computeOutputShapeForInputs(inputs.map((t) => [...t.shape]));
  next.checkInputs([middle.map((d) => d ?? -1)]);
  return op(inputs, ctx);
}
