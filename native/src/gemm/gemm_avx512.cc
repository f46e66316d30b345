// AVX-512F GEMM micro-kernel (12×32, 24 zmm accumulators). Packing reuses the AVX2 routines.
//
// Compiled with -mavx512f and called only after __builtin_cpu_supports("avx512f") (isa.cc).
// Like gemm_avx2.cc it includes no C++ library header, so no AVX-512 code can leak into
// portable callers through a shared inline function.
#include <immintrin.h>

#include "types.h"

namespace ck {
namespace avx512 {

namespace {
constexpr int MR = 12;
constexpr int NR = 32;
}  // namespace

// One k step of row i: two FMAs against the two B vectors, A broadcast from memory.
#define CK_ROW(i)                                       \
  {                                                     \
    const __m512 a = _mm512_set1_ps(ap[i]);             \
    c##i##0 = _mm512_fmadd_ps(a, b0, c##i##0);          \
    c##i##1 = _mm512_fmadd_ps(a, b1, c##i##1);          \
  }

#define CK_STORE(i)                                                   \
  {                                                                   \
    float* row = c + (i) * ldc;                                       \
    __m512 v0 = c##i##0, v1 = c##i##1;                                \
    if (flags & 1) {                                                  \
      v0 = _mm512_add_ps(v0, _mm512_loadu_ps(row));                   \
      v1 = _mm512_add_ps(v1, _mm512_loadu_ps(row + 16));              \
    }                                                                 \
    v0 = _mm512_add_ps(v0, bias0);                                    \
    v1 = _mm512_add_ps(v1, bias1);                                    \
    if (flags & 2) {                                                  \
      v0 = _mm512_max_ps(zero, v0); /* NaN (2nd operand) propagates */ \
      v1 = _mm512_max_ps(zero, v1);                                   \
    }                                                                 \
    if (flags & 4) {                                                  \
      v0 = _mm512_min_ps(six, v0); /* kSix: relu6 */                  \
      v1 = _mm512_min_ps(six, v1);                                    \
    }                                                                 \
    _mm512_storeu_ps(row, v0);                                        \
    _mm512_storeu_ps(row + 16, v1);                                   \
  }

void micro(i64 kc, const float* __restrict ap, const float* __restrict bp, float* __restrict c,
           i64 ldc, const float* bias, int flags) {
  const __m512 zero = _mm512_setzero_ps();
  __m512 c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero;
  __m512 c30 = zero, c31 = zero, c40 = zero, c41 = zero, c50 = zero, c51 = zero;
  __m512 c60 = zero, c61 = zero, c70 = zero, c71 = zero, c80 = zero, c81 = zero;
  __m512 c90 = zero, c91 = zero, c100 = zero, c101 = zero, c110 = zero, c111 = zero;
  for (int i = 0; i < MR; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 31), _MM_HINT_T0);
  }
#pragma GCC unroll 2
  for (i64 p = 0; p < kc; ++p) {
    const __m512 b0 = _mm512_load_ps(bp);
    const __m512 b1 = _mm512_load_ps(bp + 16);
    CK_ROW(0) CK_ROW(1) CK_ROW(2) CK_ROW(3) CK_ROW(4) CK_ROW(5)
    CK_ROW(6) CK_ROW(7) CK_ROW(8) CK_ROW(9) CK_ROW(10) CK_ROW(11)
    ap += MR;
    bp += NR;
  }
  const __m512 six = _mm512_set1_ps(6.0f);  // made after the k loop: all 32 registers are busy in it
  __m512 bias0 = zero, bias1 = zero;
  if (bias != nullptr) {
    bias0 = _mm512_loadu_ps(bias);
    bias1 = _mm512_loadu_ps(bias + 16);
  }
  CK_STORE(0) CK_STORE(1) CK_STORE(2) CK_STORE(3) CK_STORE(4) CK_STORE(5)
  CK_STORE(6) CK_STORE(7) CK_STORE(8) CK_STORE(9) CK_STORE(10) CK_STORE(11)
}

#undef CK_ROW
#undef CK_STORE

}  // namespace avx512
}  // namespace ck
