/**
 * The fused Conv2D → MaxPooling2D pair for the `ts` backend, written as the composition it
 * stands for (convolution, pooling; backward: route to the winners, mask, convolution
 * gradients), so it is the reference the native one-pass kernel is checked against.
 */
import type { Conv2dGeometry, ConvPoolNeeds, FloatArray, FusedActivation, Kernels, Pool2dGeometry } from '../kernels.js';
import { allocLike } from '../../tensor/buffer-pool.js';
import { conv2d, conv2dBackpropFilter, conv2dBackpropInput } from './conv.js';
import { maxPool2d, maxPool2dBackward } from './pool.js';

export function conv2dMaxPool(
  x: FloatArray,
  filter: FloatArray,
  bias: FloatArray | null,
  conv: Conv2dGeometry,
  pool: Pool2dGeometry,
  activation: FusedActivation,
): { y: FloatArray; argmax: Int32Array } {
  return maxPool2d(conv2d(x, filter, bias, conv, activation), pool);
}

export function conv2dMaxPoolBackward(
  dy: FloatArray,
  x: FloatArray,
  filter: FloatArray,
  y: FloatArray,
  argmax: Int32Array,
  conv: Conv2dGeometry,
  pool: Pool2dGeometry,
  activation: FusedActivation,
  needs: ConvPoolNeeds,
): { dx: FloatArray | null; dFilter: FloatArray | null; dBias: FloatArray | null } {
  // A window's winner is the relu output the mask tests: where the pooled value is not
  // positive, the relu blocked the gradient.
  const masked = allocLike(dy, dy.length);
  for (let i = 0; i < dy.length; i++) masked[i] = activation === 'relu' && !(y[i]! > 0) ? 0 : dy[i]!;
  const dConv = maxPool2dBackward(masked, argmax, pool);
  let dBias: FloatArray | null = null;
  if (needs.bias) {
    const C = conv.outChannels;
    dBias = allocLike(dy, C);
    for (let i = 0; i < dConv.length; i++) dBias[i % C] += dConv[i]!;
  }
  return {
    dx: needs.input ? conv2dBackpropInput(dConv, filter, conv) : null,
    dFilter: needs.filter ? conv2dBackpropFilter(x, dConv, conv) : null,
    dBias,
  };
}

/** The fused convolution + max pooling kernels of the contract. */
export const convPoolKernels = { conv2dMaxPool, conv2dMaxPoolBackward } satisfies Partial<Kernels>;
