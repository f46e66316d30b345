/**
 * References for the fused depthwise → 1×1 convolution kernels (with or without the 1×1
 * expansion before): the `ts` kernels run one after the other (the native kernels compute the
 * same in bands that stay in cache).
 */
import type { Conv2dGeometry, DepthwiseActivation, EpilogueActivation, FloatArray } from '../kernels.js';
import { conv2d } from './conv.js';
import { depthwiseConv2d } from './depthwise.js';

/** The 1×1 convolution geometry over [batch, height, width, inChannels] images, writing `outChannels`. */
function pointwiseGeometry(batch: number, height: number, width: number, inChannels: number, outChannels: number): Conv2dGeometry {
  return {
    batch,
    inHeight: height,
    inWidth: width,
    inChannels,
    outHeight: height,
    outWidth: width,
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
  return conv2d(
    middle,
    pointFilter,
    pointBias,
    pointwiseGeometry(g.batch, g.outHeight, g.outWidth, g.outChannels, outChannels),
    pointActivation,
  );
}

/** y = depthwisePointwiseConv2d(expandActivation(x · expandFilter + expandBias), ...). */
export function expandDepthwisePointwiseConv2d(
  x: FloatArray,
  inChannels: number,
  expandFilter: FloatArray,
  expandBias: FloatArray | null,
  expandActivation: EpilogueActivation,
  depthFilter: FloatArray,
  depthBias: FloatArray | null,
  g: Conv2dGeometry,
  depthActivation: DepthwiseActivation,
  pointFilter: FloatArray,
  pointBias: FloatArray | null,
  outChannels: number,
  pointActivation: EpilogueActivation,
): FloatArray {
  const expand = pointwiseGeometry(g.batch, g.inHeight, g.inWidth, inChannels, g.inChannels);
  const expanded = conv2d(x, expandFilter, expandBias, expand, expandActivation);
  return depthwisePointwiseConv2d(
    expanded,
    depthFilter,
    depthBias,
    g,
    depthActivation,
    pointFilter,
    pointBias,
    outChannels,
    pointActivation,
  );
}
