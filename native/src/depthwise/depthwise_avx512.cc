// AVX-512 depthwise convolution kernels: the body is depthwise_kernels.inc, instantiated here
// with 16 channels per __m512 (a channel tail masked). Compiled with -mavx512f and called only
// when AVX-512 is selected; like the other AVX translation units it includes no C++ library
// header.
#include <immintrin.h>

#include "depthwise_simd.h"

namespace ck {
namespace avx512 {
namespace {

struct Vec {
  using T = __m512;
  static constexpr int kLanes = 16;
  static constexpr int kRowPairPixels = 8;  // pixels per row of a two-row 3×3 block (0: none)
  static __mmask16 mask(int lanes) { return static_cast<__mmask16>((1u << lanes) - 1); }
  static T load(const float* p) { return _mm512_loadu_ps(p); }
  static T loadN(const float* p, int lanes) { return _mm512_maskz_loadu_ps(mask(lanes), p); }
  static void store(float* p, T v) { _mm512_storeu_ps(p, v); }
  static void storeN(float* p, T v, int lanes) { _mm512_mask_storeu_ps(p, mask(lanes), v); }
  static T fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static T add(T a, T b) { return _mm512_add_ps(a, b); }
  static T zero() { return _mm512_setzero_ps(); }
  static T max(T a, T b) { return _mm512_max_ps(a, b); }  // b when either is NaN
  static T min(T a, T b) { return _mm512_min_ps(a, b); }  // b when either is NaN
  static T splat(float v) { return _mm512_set1_ps(v); }
};

}  // namespace

#include "depthwise_kernels.inc"

}  // namespace avx512
}  // namespace ck
