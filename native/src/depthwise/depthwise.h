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
 * shifted down by the rows above the band, so it may be negative).
 */
void depthwiseConv2dHere(const ConvGeom& g, const float* x, const float* filter, const float* bias, EpilogueActivation act, float* y);

/**
 * y[n,oh,ow,:] = pointAct(Σ_e depthAct(depthwise(x, depthFilter) + depthBias)[n,oh,ow,e] ·
 * pointFilter[e,:] + pointBias): a depthwise convolution (multiplier 1, g.outC = g.inC) and the
 * 1×1 convolution after it (pointFilter [g.outC, outC]), computed band by band so the depthwise
 * output never leaves the cache (MobileNet's depthwise → project at inference).
 */
void depthwisePointwiseConv2d(const ConvGeom& g, const float* x, const float* depthFilter, const float* depthBias,
                              EpilogueActivation depthAct, const float* pointFilter, const float* pointBias, i64 outC,
                              EpilogueActivation pointAct, float* y);

}  // namespace ck
