// AVX-512F transforms of the Winograd F(2×2, 3×3) convolution: the body is
// conv_winograd_transforms.inc, instantiated here with 16 channels per __m512. Compiled with
// -mavx512f and called only when these kernels are selected; like the direct convolution's
// micro-kernels it includes no C++ library header.
#include <immintrin.h>

#include "conv_winograd.h"

namespace ck {
namespace avx512 {
namespace {

struct Vec {
  using T = __m512;
  static constexpr int kLanes = 16;
  static T load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, T v) { _mm512_storeu_ps(p, v); }
  static T add(T a, T b) { return _mm512_add_ps(a, b); }
  static T sub(T a, T b) { return _mm512_sub_ps(a, b); }
  static T max(T a, T b) { return _mm512_max_ps(a, b); }  // returns b for NaN: NaN propagates
  static T zero() { return _mm512_setzero_ps(); }
};

}  // namespace

#include "conv_winograd_transforms.inc"

}  // namespace avx512
}  // namespace ck
