// Depthwise 2-D convolution, NHWC input, filter [kH, kW, inC, M]: output channel c·M + m sees
// only input channel c (see kernels.ts). Geometry as ConvGeom with outC = inC·M.
#pragma once

#include "conv.h"

namespace ck {

/** y = depthwise(x, filter) (+ bias[outC] when not null), then the activation; NaN propagates. */
void depthwiseConv2d(const ConvGeom& g, const float* x, const float* filter, const float* bias, EpilogueActivation act, float* y);
void depthwiseConv2dBackpropInput(const ConvGeom& g, const float* dy, const float* filter, float* dx);
void depthwiseConv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dfilter);

/**
 * depthwiseConv2d on the calling thread only, for a kernel that has already split its work (a
 * share of depthwisePointwiseConv2d): the geometry may be a band of one image's rows (padT
 * shifted down by the rows above the band, so it may be negative). inPlace: x is already a
 * zero-padded, cache-resident block (no padding in g), read as it is instead of staged.
 */
void depthwiseConv2dHere(const ConvGeom& g, const float* x, const float* filter, const float* bias, EpilogueActivation act, float* y,
                         bool inPlace = false);

/**
 * y[n,oh,ow,:] = pointAct(Σ_e depthAct(depthwise(x, depthFilter) + depthBias)[n,oh,ow,e] ·
 * pointFilter[e,:] + pointBias): a depthwise convolution (multiplier 1, g.outC = g.inC) and the
 * 1×1 convolution after it (pointFilter [g.outC, outC]), computed band by band so the depthwise
 * output never leaves the cache (MobileNet's depthwise → project at inference).
 */
void depthwisePointwiseConv2d(const ConvGeom& g, const float* x, const float* depthFilter, const float* depthBias,
                              EpilogueActivation depthAct, const float* pointFilter, const float* pointBias, i64 outC,
                              EpilogueActivation pointAct, float* y);

/**
 * A 1×1 convolution (expandFilter [inC, g.inC], + expandBias, expandAct) whose output feeds
 * depthwisePointwiseConv2d: y = point(depthwise(expand(x))), x [g.batch, g.inH, g.inW, inC].
 * MobileNetV2's inverted-residual block at inference (its residual add apart): each band
 * computes the expanded rows it reads into a zero-padded per-thread block, so neither the
 * expanded tensor nor the depthwise output goes to memory.
 */
void expandDepthwisePointwiseConv2d(const ConvGeom& g, const float* x, i64 inC, const float* expandFilter, const float* expandBias,
                                    EpilogueActivation expandAct, const float* depthFilter, const float* depthBias,
                                    EpilogueActivation depthAct, const float* pointFilter, const float* pointBias, i64 outC,
                                    EpilogueActivation pointAct, float* y);

}  // namespace ck
