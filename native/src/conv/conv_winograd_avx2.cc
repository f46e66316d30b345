// AVX2 transforms of the Winograd F(2×2, 3×3) convolution: the body is
// conv_winograd_transforms.inc, instantiated here with 8 channels per __m256. Compiled with
// -mavx2 -mfma and called only when these kernels are selected; like the direct convolution's
// micro-kernels it includes no C++ library header.
#include <immintrin.h>

#include "conv_winograd.h"

namespace ck {
namespace avx2 {
namespace {

struct Vec {
  using T = __m256;
  static constexpr int kLanes = 8;
  static T load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, T v) { _mm256_storeu_ps(p, v); }
  static T add(T a, T b) { return _mm256_add_ps(a, b); }
  static T sub(T a, T b) { return _mm256_sub_ps(a, b); }
  static T max(T a, T b) { return _mm256_max_ps(a, b); }  // returns b for NaN: NaN propagates
  static T zero() { return _mm256_setzero_ps(); }
};

}  // namespace

#include "conv_winograd_transforms.inc"

}  // namespace avx2
}  // namespace ck
