/**
 * The backward kernels as tensor functions, next to the gradient rules (rules.ts), the only
 * code that calls them; they run with recording off, so they never appear on the tape.
 */
import type {
  Conv2dGeometry,
  ConvPoolNeeds,
  EpilogueActivation,
  FloatArray,
  FusedActivation,
  Pool2dGeometry,
} from '../backends/kernels.js';
import { kernels } from '../backends/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { allocFloat32 } from '../tensor/buffer-pool.js';
import { sizeOf } from '../tensor/shape.js';
import { floatsOf, wrap } from '../ops/util.js';

/** dL/dx of conv2d. */
export function conv2dBackpropInput(dy: Tensor, filter: Tensor, g: Conv2dGeometry): Tensor {
  const data = kernels().conv2dBackpropInput(
    floatsOf(dy, 'conv2dBackpropInput', 'dy'),
    floatsOf(filter, 'conv2dBackpropInput', 'filter'),
    g,
  );
  return wrap(data, [g.batch, g.inHeight, g.inWidth, g.inChannels]);
}

/** dL/dfilter of conv2d. */
export function conv2dBackpropFilter(x: Tensor, dy: Tensor, g: Conv2dGeometry): Tensor {
  const data = kernels().conv2dBackpropFilter(floatsOf(x, 'conv2dBackpropFilter', 'x'), floatsOf(dy, 'conv2dBackpropFilter', 'dy'), g);
  return wrap(data, [g.kernelHeight, g.kernelWidth, g.inChannels, g.outChannels]);
}

/** conv2d with a resolved geometry and no bias: dL/dx of conv2dTranspose. */
export function conv2dForward(x: Tensor, filter: Tensor, g: Conv2dGeometry): Tensor {
  const data = kernels().conv2d(floatsOf(x, 'conv2d', 'x'), floatsOf(filter, 'conv2d', 'filter'), null, g, 'linear');
  return wrap(data, [g.batch, g.outHeight, g.outWidth, g.outChannels]);
}

/** dL/dx of depthwiseConv2d. */
export function depthwiseConv2dBackpropInput(dy: Tensor, filter: Tensor, g: Conv2dGeometry): Tensor {
  const where = 'depthwiseConv2dBackpropInput';
  const data = kernels().depthwiseConv2dBackpropInput(floatsOf(dy, where, 'dy'), floatsOf(filter, where, 'filter'), g);
  return wrap(data, [g.batch, g.inHeight, g.inWidth, g.inChannels]);
}

/** dL/dfilter of depthwiseConv2d: [kH, kW, inChannels, multiplier]. */
export function depthwiseConv2dBackpropFilter(x: Tensor, dy: Tensor, g: Conv2dGeometry): Tensor {
  const where = 'depthwiseConv2dBackpropFilter';
  const data = kernels().depthwiseConv2dBackpropFilter(floatsOf(x, where, 'x'), floatsOf(dy, where, 'dy'), g);
  return wrap(data, [g.kernelHeight, g.kernelWidth, g.inChannels, g.outChannels / g.inChannels]);
}

/** dL/dx of maxPool2d. */
export function maxPool2dBackward(dy: Tensor, argmax: Int32Array, g: Pool2dGeometry): Tensor {
  const data = kernels().maxPool2dBackward(floatsOf(dy, 'maxPool2dBackward', 'dy'), argmax, g);
  return wrap(data, [g.batch, g.inHeight, g.inWidth, g.channels]);
}

/** The gradients of conv2dMaxPool that `needs` asks for (null for the others). */
export function conv2dMaxPoolBackward(
  dy: Tensor,
  x: Tensor,
  filter: Tensor,
  y: Tensor,
  argmax: Int32Array,
  conv: Conv2dGeometry,
  pool: Pool2dGeometry,
  activation: FusedActivation,
  needs: ConvPoolNeeds,
): { dx: Tensor | null; dFilter: Tensor | null; dBias: Tensor | null } {
  const where = 'conv2dMaxPoolBackward';
  const r = kernels().conv2dMaxPoolBackward(
    floatsOf(dy, where, 'dy'),
    floatsOf(x, where, 'x'),
    floatsOf(filter, where, 'filter'),
    floatsOf(y, where, 'y'),
    argmax,
    conv,
    pool,
    activation,
    needs,
  );
  return {
    dx: r.dx && wrap(r.dx, x.shape),
    dFilter: r.dFilter && wrap(r.dFilter, filter.shape),
    dBias: r.dBias && wrap(r.dBias, [conv.outChannels]),
  };
}

/** dL/dx of avgPool2d. */
export function avgPool2dBackward(dy: Tensor, g: Pool2dGeometry): Tensor {
  const data = kernels().avgPool2dBackward(floatsOf(dy, 'avgPool2dBackward', 'dy'), g);
  return wrap(data, [g.batch, g.inHeight, g.inWidth, g.channels]);
}

/** dL/dx of logSoftmax given its output y. */
export function logSoftmaxBackward(dy: Tensor, y: Tensor): Tensor {
  const cols = y.shape[y.rank - 1]!;
  const data = kernels().logSoftmaxBackward(
    floatsOf(dy, 'logSoftmaxBackward', 'dy'),
    floatsOf(y, 'logSoftmaxBackward', 'y'),
    y.size / cols,
    cols,
  );
  return wrap(data, y.shape);
}

/** dL/dx of relu (or of a fused relu epilogue) from dL/dy and relu's output y. */
export function reluBackward(dy: Tensor, y: Tensor): Tensor {
  return wrap(kernels().reluBackward(floatsOf(dy, 'reluBackward', 'dy'), floatsOf(y, 'reluBackward', 'y')), dy.shape);
}

/** dL/dx of relu6 (or of a fused relu6 epilogue) from dL/dy and relu6's output y. */
export function relu6Backward(dy: Tensor, y: Tensor): Tensor {
  return wrap(kernels().relu6Backward(floatsOf(dy, 'relu6Backward', 'dy'), floatsOf(y, 'relu6Backward', 'y')), dy.shape);
}

/**
 * dL/dx, dL/dscale and dL/doffset of fusedBatchNorm, from dL/dy, the input x, the scale (or
 * null) and the batch statistics the forward pass used; with `activationOutput` (the output of a
 * fused relu or relu6, `activation`), through that activation first.
 */
export function batchNormBackward(
  dy: Tensor,
  x: Tensor,
  scale: Tensor | null,
  mean: FloatArray,
  variance: FloatArray,
  epsilon: number,
  activation: EpilogueActivation = 'linear',
  activationOutput: Tensor | null = null,
): { dx: Tensor; dscale: Tensor; doffset: Tensor } {
  const where = 'batchNormBackward';
  const C = x.shape[x.rank - 1]!;
  const r = kernels().batchNormBackward(
    floatsOf(dy, where, 'dy'),
    floatsOf(x, where, 'x'),
    scale ? floatsOf(scale, where, 'scale') : null,
    mean,
    variance,
    x.size / C,
    C,
    epsilon,
    activation,
    activationOutput ? floatsOf(activationOutput, where, 'activationOutput') : null,
  );
  return { dx: wrap(r.dx, x.shape), dscale: wrap(r.dgamma, [C]), doffset: wrap(r.dbeta, [C]) };
}

/** Repeats x along broadcast axes to `shape` (x's shape must broadcast to it). */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  // Zeros to broadcast against; recycled inside a training step's buffer scope.
  const zeros = x.dtype === 'float64' ? new Float64Array(sizeOf(shape)) : allocFloat32(sizeOf(shape));
  return wrap(kernels().binary('add', floatsOf(x, 'broadcastTo', 'x'), x.shape, zeros, shape, shape), shape);
}
