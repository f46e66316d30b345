// Depthwise 2-D convolution, NHWC input, filter [kH, kW, inC, M]: output channel c·M + m sees
// only input channel c (see kernels.ts). Geometry as ConvGeom with outC = inC·M.
#pragma once

#include "conv.h"

namespace ck {

/** y = depthwise(x, filter) (+ bias[outC] when not null), then the activation; NaN propagates. */
void depthwiseConv2d(const ConvGeom& g, const float* x, const float* filter, const float* bias, EpilogueActivation act, float* y);
void depthwiseConv2dBackpropInput(const ConvGeom& g, const float* dy, const float* filter, float* dx);
void depthwiseConv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dfilter);

}  // namespace ck
