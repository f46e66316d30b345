/**
 * Reference for the fused depthwise → 1×1 convolution kernel: the two `ts` kernels run one after
 * the other (the native kernel computes the same in bands that stay in cache).
 */
import type { Conv2dGeometry, DepthwiseActivation, EpilogueActivation, FloatArray } from '../kernels.js';
import { conv2d } from './conv.js';
import { depthwiseConv2d } from './depthwise.js';

/** The 1×1 convolution geometry that reads the depthwise output of `g` and writes `outChannels`. */
export function pointwiseGeometry(g: Conv2dGeometry, outChannels: number): Conv2dGeometry {
  return {
    batch: g.batch,
    inHeight: g.outHeight,
    inWidth: g.outWidth,
    inChannels: g.outChannels,
    outHeight: g.outHeight,
    outWidth: g.outWidth,
    outChannels,
    kernelHeight: 1,
    kernelWidth: 1,
    strideHeight: 1,
    strideWidth: 1,
    dilationHeight: 1,
    dilationWidth: 1,
    padTop: 0,
    padLeft: 0,
  };
}

/** y = pointActivation(depthActivation(depthwise(x) + depthBias) · pointFilter + pointBias). */
export function depthwisePointwiseConv2d(
  x: FloatArray,
  depthFilter: FloatArray,
  depthBias: FloatArray | null,
  g: Conv2dGeometry,
  depthActivation: DepthwiseActivation,
  pointFilter: FloatArray,
  pointBias: FloatArray | null,
  outChannels: number,
  pointActivation: EpilogueActivation,
): FloatArray {
  const middle = depthwiseConv2d(x, depthFilter, depthBias, g, depthActivation);
  return conv2d(middle, pointFilter, pointBias, pointwiseGeometry(g, outChannels), pointActivation);
}
