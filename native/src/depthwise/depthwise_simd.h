// The vectorised depthwise convolution (multiplier 1): one output row at a time, channels in
// vectors (NHWC makes them contiguous), output pixels in register blocks. The body is
// depthwise_kernels.inc, instantiated per instruction set in depthwise_avx2.cc and
// depthwise_avx512.cc; depthwise.cc splits rows across threads and picks the set. Includes only
// depthwise.h and conv.h (types), so the AVX translation units stay free of C++ library inline functions.
#pragma once

#include "depthwise.h"

namespace ck {

/** Largest filter height the vectorised kernels take (the driver falls back beyond it). */
constexpr i64 kDwMaxKernel = 64;
/** Largest kH·kW the strided input gradient takes. */
constexpr i64 kDwMaxTaps = 256;

/** One depthwise pass over rows: x [batch, inH, inW, C] ⊛ filter [kH, kW, C] → y [batch, outH, outW, C]. */
struct DwRows {
  const ConvGeom* g;  // inC == outC == C
  const float* x;
  const float* filter;
  float* y;  // forward output, or the input gradient; dy for the filter gradient (read only)
  const float* bias = nullptr;            // forward only: added per channel before the activation
  EpilogueActivation act = EpilogueActivation::Linear;  // forward only: the epilogue's activation
};

#define CK_DW_ENTRY_POINTS                                                                     \
  /* y rows [r0, r1) (flat n·outH + oh) = act(depthwise(x, filter) + bias). */                    \
  void depthwiseForwardRows(const DwRows& t, i64 r0, i64 r1);                                  \
  /* dx rows [r0, r1) (flat n·inH + ih) from dy (t.x) and the filter, any stride, gathered. */ \
  void depthwiseInputRows(const DwRows& t, i64 r0, i64 r1);                                    \
  /* df [kH, kW, C] += Σ over output rows [r0, r1) of x (t.x) · dy (t.y, read only). */        \
  void depthwiseFilterRows(const DwRows& t, i64 r0, i64 r1, float* df);

namespace avx2 {
CK_DW_ENTRY_POINTS
}  // namespace avx2
namespace avx512 {
CK_DW_ENTRY_POINTS
}  // namespace avx512

#undef CK_DW_ENTRY_POINTS

/** One instruction set's depthwise row kernels (depthwiseIsa() in isa.h; null there: portable loops). */
struct DepthwiseIsa {
  void (*forwardRows)(const DwRows& t, i64 r0, i64 r1);
  void (*inputRows)(const DwRows& t, i64 r0, i64 r1);
  void (*filterRows)(const DwRows& t, i64 r0, i64 r1, float* df);
};

}  // namespace ck
