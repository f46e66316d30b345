// 2-D convolution, NHWC input, HWIO filter, forward and both backward passes.
#pragma once

#include "types.h"

namespace ck {

/** Fully resolved geometry (mirrors Conv2dGeometry in src/backends/kernels.ts). */
struct ConvGeom {
  i64 batch, inH, inW, inC;
  i64 outH, outW, outC;
  i64 kH, kW;
  i64 sH, sW;
  i64 dH, dW;
  i64 padT, padL;
};

/** y[batch,outH,outW,outC] = conv(x, filter) (+ bias[outC]) (then the activation). */
void conv2d(const ConvGeom& g, const float* x, const float* filter, const float* bias, EpilogueActivation act,
            float* y);

/** dx[batch,inH,inW,inC] from dy[batch,outH,outW,outC] and the filter. */
void conv2dBackpropInput(const ConvGeom& g, const float* dy, const float* filter, float* dx);

/** dfilter[kH,kW,inC,outC] from x and dy. */
void conv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dfilter);

}  // namespace ck
