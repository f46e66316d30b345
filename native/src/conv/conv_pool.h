// Conv2D → MaxPooling2D as one kernel pair (see conv2dMaxPool in src/backends/kernels.ts).
#pragma once

#include <cstdint>

#include "conv.h"
#include "pool.h"
#include "types.h"

namespace ck {

/**
 * y = maxPool(relu?(conv(x, filter) + bias)); argmax[i] = the flat index, into the whole batch's
 * (never stored) convolution output, of pooled value i's winner, as maxPool2d picks it. The
 * caller has checked that `p` pools the output of `g` (same batch, outH/outW/outC = inH/inW/C).
 */
void conv2dMaxPool(const ConvGeom& g, const PoolGeom& p, const float* x, const float* filter,
                   const float* bias, bool relu, float* y, int32_t* argmax);

/**
 * The gradients of conv2dMaxPool: dy routed to each winner (zero where relu and y <= 0), then
 * through the convolution. Any of dx, dfilter, dbias may be null (not computed). Returns -1, or
 * an index i whose argmax[i] is neither -1 nor inside its own image of the convolution output
 * (nothing is written for such an entry; the caller reports it).
 */
i64 conv2dMaxPoolBackward(const ConvGeom& g, const PoolGeom& p, const float* dy, const float* x,
                          const float* filter, const float* y, const int32_t* argmax, bool relu,
                          float* dx, float* dfilter, float* dbias);

}  // namespace ck
