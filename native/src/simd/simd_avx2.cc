// AVX2+FMA versions of the memory-bound kernels (see simd.h): simd_kernels.inc with 8-lane
// vectors. A partial last vector is loaded and stored with AVX's masked moves, whose mask is a
// vector; a per-lane choice is a compare result vector, applied with blends.
#include <immintrin.h>

#include "simd.h"

namespace ck {
namespace avx2 {
namespace {

struct Simd {
  using F = __m256;
  using I = __m256i;
  static constexpr i64 kLanes = 8;

  // A vector's lanes: `full` uses plain loads and stores; otherwise the masked ones.
  struct M {
    bool full;
    __m256i mask;
  };
  using T = __m256;   // lanes chosen by a compare (all ones) or not (zero)
  using E = __m256i;  // lanes found equal (all ones)

  // Lane mask for the first `lanes` lanes (all 8 when lanes >= 8), as AVX's maskload wants it.
  static M lanesOf(i64 n) {
    const __m256i ramp = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return M{n >= 8, _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n >= 8 ? 8 : n)), ramp)};
  }
  static F load(const M& m, const float* p) { return m.full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m.mask); }
  static I loadInt(const M& m, const int32_t* p) {
    return m.full ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)) : _mm256_maskload_epi32(p, m.mask);
  }
  static void store(const M& m, float* p, F v) {
    if (m.full)
      _mm256_storeu_ps(p, v);
    else
      _mm256_maskstore_ps(p, m.mask, v);
  }
  static void storeInt(const M& m, int32_t* p, I v) {
    if (m.full)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
    else
      _mm256_maskstore_epi32(p, m.mask, v);
  }
  // Adds the 8 floats of v into d[0..lanes) as doubles.
  static void addToDoubles(double* d, F v, i64 lanes) {
    if (lanes >= 8) {
      _mm256_storeu_pd(d, _mm256_add_pd(_mm256_loadu_pd(d), _mm256_cvtps_pd(_mm256_castps256_ps128(v))));
      _mm256_storeu_pd(d + 4, _mm256_add_pd(_mm256_loadu_pd(d + 4), _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1))));
    } else {
      alignas(32) float f[8];
      _mm256_store_ps(f, v);
      for (i64 j = 0; j < lanes; ++j) d[j] += f[j];
    }
  }
  static F zero() { return _mm256_setzero_ps(); }
  static I splatInt(int v) { return _mm256_set1_epi32(v); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F fmadd(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F fnmadd(F a, F b, F c) { return _mm256_fnmadd_ps(a, b, c); }
  static F max(F a, F b) { return _mm256_max_ps(a, b); }  // returns b for NaN
  static F minSix(F v) { return _mm256_min_ps(_mm256_set1_ps(6.0f), v); }  // min(6, v); returns v for NaN
  // v where r > 0, else 0 (a NaN r gives 0).
  static F whereGreaterThanZero(F r, F v) { return _mm256_and_ps(_mm256_cmp_ps(r, _mm256_setzero_ps(), _CMP_GT_OQ), v); }
  // v where 0 < r < 6, else 0 (a NaN r gives 0): relu6's gradient mask.
  static F whereBelowSix(F r, F v) {
    const __m256 inside = _mm256_and_ps(_mm256_cmp_ps(r, _mm256_setzero_ps(), _CMP_GT_OQ), _mm256_cmp_ps(r, _mm256_set1_ps(6.0f), _CMP_LT_OQ));
    return _mm256_and_ps(inside, v);
  }
  // base + lane for each lane.
  static I indices(i64 base) {
    return _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(base)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  // The lanes where v wins over cur: a larger value, or a first NaN.
  static T takes(F v, F cur) {
    return _mm256_or_ps(_mm256_cmp_ps(v, cur, _CMP_GT_OQ),
                        _mm256_and_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q), _mm256_cmp_ps(cur, cur, _CMP_ORD_Q)));
  }
  static F select(F a, F b, T take) { return _mm256_blendv_ps(a, b, take); }
  static I selectInt(I a, I b, T take) {
    return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), take));
  }
  static E noMatch() { return _mm256_setzero_si256(); }
  static E matches(const M& m, I a, I b) { return _mm256_and_si256(m.mask, _mm256_cmpeq_epi32(a, b)); }
  static E either(E a, E b) { return _mm256_or_si256(a, b); }
  static F keepWhere(E e, F v) { return _mm256_and_ps(_mm256_castsi256_ps(e), v); }
  // Whether the matched lanes differ from the lanes of m whose argmax a is not `none`.
  static bool anyMismatch(E matched, const M& m, I a, I none) {
    const __m256i expected = _mm256_andnot_si256(_mm256_cmpeq_epi32(a, none), m.mask);
    return _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_xor_si256(matched, expected))) != 0;
  }
};

}  // namespace

#include "simd_kernels.inc"

}  // namespace avx2
}  // namespace ck
