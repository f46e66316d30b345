// AVX2+FMA GEMM micro-kernel (6×16, 12 ymm accumulators) and packing routines.
//
// Compiled with -mavx2 -mfma and called only after __builtin_cpu_supports said yes (isa.cc).
// This file includes no C++ library header: an inline library function instantiated here
// would be AVX2 code that the linker could pick for callers in portable files too.
#include <immintrin.h>

#include "types.h"

namespace ck {
namespace avx2 {
namespace {

constexpr int MR = 6;
constexpr int NR = 16;

inline void transpose8(__m256 r[8]) {
  __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// Stores the first `lanes` floats of v at dst.
inline void storeLanes(float* dst, __m256 v, int lanes) {
  if (lanes == 8) {
    _mm256_storeu_ps(dst, v);
  } else if (lanes == 4) {
    _mm_storeu_ps(dst, _mm256_castps256_ps128(v));
  } else if (lanes == 6) {
    _mm_storeu_ps(dst, _mm256_castps256_ps128(v));
    _mm_storel_pi(reinterpret_cast<__m64*>(dst + 4), _mm256_extractf128_ps(v, 1));
  } else {
    alignas(32) float t[8];
    _mm256_store_ps(t, v);
    for (int j = 0; j < lanes; ++j) dst[j] = t[j];
  }
}

// Element (r, c) contiguous along c (cs == 1): transposes 8×8 blocks into the panel layout.
void packTranspose(const float* data, i64 rs, i64 r0, i64 rows, i64 c0, i64 cols, int P,
                   float* dst) {
  for (i64 q = 0; q * P < rows; ++q) {
    const i64 rq = rows - q * P < P ? rows - q * P : P;
    float* panel = dst + q * cols * P;
    for (int rg = 0; rg < P; rg += 8) {
      const int lanes = P - rg < 8 ? P - rg : 8;
      const i64 left = rq - rg;
      const int valid = left <= 0 ? 0 : (left < lanes ? static_cast<int>(left) : lanes);
      const float* src[8];
      for (int j = 0; j < valid; ++j) src[j] = data + (r0 + q * P + rg + j) * rs + c0;
      i64 c = 0;
      for (; c + 8 <= cols; c += 8) {
        __m256 r[8];
        for (int j = 0; j < 8; ++j) r[j] = j < valid ? _mm256_loadu_ps(src[j] + c) : _mm256_setzero_ps();
        transpose8(r);
        for (int t = 0; t < 8; ++t) storeLanes(panel + (c + t) * P + rg, r[t], lanes);
      }
      for (; c < cols; ++c)
        for (int j = 0; j < lanes; ++j) panel[c * P + rg + j] = j < valid ? src[j][c] : 0.0f;
    }
  }
}

// Element (r, c) contiguous along r (rs == 1): each panel column is one contiguous run.
void packCopy(const float* data, i64 cs, i64 r0, i64 rows, i64 c0, i64 cols, int P, float* dst) {
  for (i64 q = 0; q * P < rows; ++q) {
    const i64 rq = rows - q * P < P ? rows - q * P : P;
    float* panel = dst + q * cols * P;
    const float* base = data + c0 * cs + r0 + q * P;
    if (rq == P && P == 6) {
      for (i64 c = 0; c < cols; ++c) {
        const float* s = base + c * cs;
        _mm_storeu_ps(panel + c * 6, _mm_loadu_ps(s));
        __m128 hi = _mm_loadl_pi(_mm_setzero_ps(), reinterpret_cast<const __m64*>(s + 4));
        _mm_storel_pi(reinterpret_cast<__m64*>(panel + c * 6 + 4), hi);
      }
    } else if (rq == P && P % 4 == 0) {  // 12 (AVX-512 MR), 16, 32: 8- and 4-float moves
      for (i64 c = 0; c < cols; ++c) {
        const float* s = base + c * cs;
        float* d = panel + c * P;
        int j = 0;
        for (; j + 8 <= P; j += 8) _mm256_storeu_ps(d + j, _mm256_loadu_ps(s + j));
        if (j < P) _mm_storeu_ps(d + j, _mm_loadu_ps(s + j));
      }
    } else {
      for (i64 c = 0; c < cols; ++c)
        for (int j = 0; j < P; ++j) panel[c * P + j] = j < rq ? base[c * cs + j] : 0.0f;
    }
  }
}

}  // namespace

void pack(const float* data, i64 rs, i64 cs, i64 r0, i64 rows, i64 c0, i64 cols, int P,
          float* dst) {
  if (cs == 1 && cols >= 8) {
    packTranspose(data, rs, r0, rows, c0, cols, P, dst);
  } else if (rs == 1) {
    packCopy(data, cs, r0, rows, c0, cols, P, dst);
  } else {
    for (i64 q = 0; q * P < rows; ++q)
      for (i64 c = 0; c < cols; ++c)
        for (int j = 0; j < P; ++j) {
          const i64 r = q * P + j;
          dst[(q * cols + c) * P + j] = r < rows ? data[(r0 + r) * rs + (c0 + c) * cs] : 0.0f;
        }
  }
}

void micro(i64 kc, const float* __restrict ap, const float* __restrict bp, float* __restrict c,
           i64 ldc, const float* bias, int flags) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int i = 0; i < MR; ++i) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
#pragma GCC unroll 4
  for (i64 p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_load_ps(bp);
    const __m256 b1 = _mm256_load_ps(bp + 8);
    __m256 a = _mm256_broadcast_ss(ap);
    c00 = _mm256_fmadd_ps(a, b0, c00);
    c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(ap + 1);
    c10 = _mm256_fmadd_ps(a, b0, c10);
    c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(ap + 2);
    c20 = _mm256_fmadd_ps(a, b0, c20);
    c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(ap + 3);
    c30 = _mm256_fmadd_ps(a, b0, c30);
    c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(ap + 4);
    c40 = _mm256_fmadd_ps(a, b0, c40);
    c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(ap + 5);
    c50 = _mm256_fmadd_ps(a, b0, c50);
    c51 = _mm256_fmadd_ps(a, b1, c51);
    ap += MR;
    bp += NR;
  }
  __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  const __m256 zero = _mm256_setzero_ps();
  __m256 bias0 = zero, bias1 = zero;
  if (bias != nullptr) {
    bias0 = _mm256_loadu_ps(bias);
    bias1 = _mm256_loadu_ps(bias + 8);
  }
  for (int i = 0; i < MR; ++i) {
    float* row = c + i * ldc;
    __m256 v0 = acc[i][0], v1 = acc[i][1];
    if (flags & 1) {  // kAccumulate
      v0 = _mm256_add_ps(v0, _mm256_loadu_ps(row));
      v1 = _mm256_add_ps(v1, _mm256_loadu_ps(row + 8));
    }
    if (bias != nullptr) {
      v0 = _mm256_add_ps(v0, bias0);
      v1 = _mm256_add_ps(v1, bias1);
    }
    if (flags & 2) {  // kRelu: max_ps returns its second operand for NaN, so NaN propagates
      v0 = _mm256_max_ps(zero, v0);
      v1 = _mm256_max_ps(zero, v1);
    }
    if (flags & 4) {  // kSix (relu6): min_ps returns its second operand for NaN too
      v0 = _mm256_min_ps(_mm256_set1_ps(6.0f), v0);
      v1 = _mm256_min_ps(_mm256_set1_ps(6.0f), v1);
    }
    _mm256_storeu_ps(row, v0);
    _mm256_storeu_ps(row + 8, v1);
  }
}

}  // namespace avx2
}  // namespace ck
