// 2-D max and average pooling over NHWC input, channels pooled independently.
#pragma once

#include "types.h"

#include <cstdint>

namespace ck {

/** Mirrors Pool2dGeometry in src/backends/kernels.ts. */
struct PoolGeom {
  i64 batch, inH, inW, C;
  i64 outH, outW;
  i64 pH, pW;
  i64 sH, sW;
  i64 padT, padL;
};

/**
 * y = max over each window; argmax = flat index into x of the winner (first on ties, NaN
 * sticks), -1 and y = 0 for a window that is all padding.
 */
void maxPool2d(const PoolGeom& g, const float* x, float* y, int32_t* argmax);

/**
 * dx = 0, then dx[argmax[i]] += dy[i]. Returns -1 on success, else an i whose argmax lies
 * outside its own image (those entries are skipped, never written out of bounds).
 */
i64 maxPool2dBackward(const PoolGeom& g, const float* dy, const int32_t* argmax, float* dx);

/** Mean over each window's in-image cells (padding not counted); 0 if there are none. */
void avgPool2d(const PoolGeom& g, const float* x, float* y);

/** dx = the adjoint of avgPool2d applied to dy. */
void avgPool2dBackward(const PoolGeom& g, const float* dy, float* dx);

}  // namespace ck
