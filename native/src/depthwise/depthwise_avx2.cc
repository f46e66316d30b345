// AVX2+FMA depthwise convolution kernels: the body is depthwise_kernels.inc, instantiated here
// with 8 channels per __m256 (a channel tail through maskload/maskstore). Compiled with -mavx2
// -mfma and called only when AVX2 or AVX-512 is selected; it includes no C++ library header.
#include <immintrin.h>

#include "depthwise_simd.h"

namespace ck {
namespace avx2 {
namespace {

struct Vec {
  using T = __m256;
  static constexpr int kLanes = 8;
  static constexpr int kRowPairPixels = 0;  // pixels per row of a two-row 3×3 block (0: none)
  static __m256i mask(int lanes) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
  static T load(const float* p) { return _mm256_loadu_ps(p); }
  static T loadN(const float* p, int lanes) { return _mm256_maskload_ps(p, mask(lanes)); }
  static void store(float* p, T v) { _mm256_storeu_ps(p, v); }
  static void storeN(float* p, T v, int lanes) { _mm256_maskstore_ps(p, mask(lanes), v); }
  static T fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static T add(T a, T b) { return _mm256_add_ps(a, b); }
  static T zero() { return _mm256_setzero_ps(); }
  static T max(T a, T b) { return _mm256_max_ps(a, b); }  // b when either is NaN
  static T min(T a, T b) { return _mm256_min_ps(a, b); }  // b when either is NaN
  static T splat(float v) { return _mm256_set1_ps(v); }
};

}  // namespace

#include "depthwise_kernels.inc"

}  // namespace avx2
}  // namespace ck
