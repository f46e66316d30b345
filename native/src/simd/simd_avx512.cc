// AVX-512F versions of the memory-bound kernels (see simd.h): simd_kernels.inc with 16-lane
// vectors. Lane sets are __mmask16: a partial last vector is loaded and stored masked, a per-lane
// choice is a compare mask applied with masked moves.
#include <immintrin.h>

#include "simd.h"

namespace ck {
namespace avx512 {
namespace {

struct Simd {
  using F = __m512;
  using I = __m512i;
  static constexpr i64 kLanes = 16;
  using M = __mmask16;  // the lanes a vector covers
  using T = __mmask16;  // lanes chosen by a compare
  using E = __mmask16;  // lanes found equal

  static M lanesOf(i64 n) { return n >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n) - 1); }
  // Masked loads and stores are slow on some AMD cores even with every lane set: use plain ones
  // for full vectors.
  static F load(M m, const float* p) { return m == 0xFFFF ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(m, p); }
  static I loadInt(M m, const int32_t* p) { return m == 0xFFFF ? _mm512_loadu_si512(p) : _mm512_maskz_loadu_epi32(m, p); }
  static void store(M m, float* p, F v) {
    if (m == 0xFFFF)
      _mm512_storeu_ps(p, v);
    else
      _mm512_mask_storeu_ps(p, m, v);
  }
  static void storeInt(M m, int32_t* p, I v) {
    if (m == 0xFFFF)
      _mm512_storeu_si512(p, v);
    else
      _mm512_mask_storeu_epi32(p, m, v);
  }
  // Adds the 16 floats of v into d[0..lanes) as doubles.
  static void addToDoubles(double* d, F v, i64 lanes) {
    alignas(64) float f[16];
    _mm512_store_ps(f, v);
    if (lanes >= 16) {
      __m512d lo = _mm512_add_pd(_mm512_loadu_pd(d), _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
      __m512d hi = _mm512_add_pd(_mm512_loadu_pd(d + 8),
                                 _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
      _mm512_storeu_pd(d, lo);
      _mm512_storeu_pd(d + 8, hi);
    } else {
      for (i64 j = 0; j < lanes; ++j) d[j] += f[j];
    }
  }
  static F zero() { return _mm512_setzero_ps(); }
  static I splatInt(int v) { return _mm512_set1_epi32(v); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F fmadd(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F fnmadd(F a, F b, F c) { return _mm512_fnmadd_ps(a, b, c); }
  static F max(F a, F b) { return _mm512_max_ps(a, b); }  // returns b for NaN
  static F minSix(F v) { return _mm512_min_ps(_mm512_set1_ps(6.0f), v); }  // min(6, v); returns v for NaN
  // v where r > 0, else 0 (a NaN r gives 0).
  static F whereGreaterThanZero(F r, F v) { return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r, _mm512_setzero_ps(), _CMP_GT_OQ), v); }
  // v where 0 < r < 6, else 0 (a NaN r gives 0): relu6's gradient mask.
  static F whereBelowSix(F r, F v) {
    const __mmask16 inside = _mm512_cmp_ps_mask(r, _mm512_setzero_ps(), _CMP_GT_OQ) & _mm512_cmp_ps_mask(r, _mm512_set1_ps(6.0f), _CMP_LT_OQ);
    return _mm512_maskz_mov_ps(inside, v);
  }
  // base + lane for each lane. (No namespace-scope AVX-512 constant: its initialiser would run
  // at load time, on CPUs without AVX-512 too.)
  static I indices(i64 base) {
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    return _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(base)), lanes);
  }
  // The lanes where v wins over cur: a larger value, or a first NaN.
  static T takes(F v, F cur) {
    return _mm512_cmp_ps_mask(v, cur, _CMP_GT_OQ) | (_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q) & _mm512_cmp_ps_mask(cur, cur, _CMP_ORD_Q));
  }
  static F select(F a, F b, T take) { return _mm512_mask_mov_ps(a, take, b); }
  static I selectInt(I a, I b, T take) { return _mm512_mask_mov_epi32(a, take, b); }
  static E noMatch() { return 0; }
  static E matches(M m, I a, I b) { return _mm512_mask_cmpeq_epi32_mask(m, a, b); }
  static E either(E a, E b) { return a | b; }
  static F keepWhere(E e, F v) { return _mm512_maskz_mov_ps(e, v); }
  // Whether the matched lanes differ from the lanes of m whose argmax a is not `none`.
  static bool anyMismatch(E matched, M m, I a, I none) {
    const __mmask16 expected = m & static_cast<__mmask16>(~_mm512_cmpeq_epi32_mask(a, none));
    return matched != expected;
  }
};

}  // namespace

#include "simd_kernels.inc"

}  // namespace avx512
}  // namespace ck
