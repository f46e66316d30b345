// Portable GEMM micro-kernel (6×8) and packing: plain loops the compiler vectorises for the
// baseline ISA (SSE2 on x86-64, NEON on arm64). Used on CPUs without AVX2 and when
// CONVKIT_NATIVE_ISA=portable.
#include <cstring>

#include "isa.h"

namespace ck {
namespace portable {

namespace {
constexpr int MR = 6;
constexpr int NR = 8;
}  // namespace

void pack(const float* data, i64 rs, i64 cs, i64 r0, i64 rows, i64 c0, i64 cols, int P,
          float* dst) {
  for (i64 q = 0; q * P < rows; ++q) {
    const i64 rq = rows - q * P < P ? rows - q * P : P;
    float* panel = dst + q * cols * P;
    if (rq < P) std::memset(panel, 0, sizeof(float) * cols * P);
    for (i64 j = 0; j < rq; ++j) {
      const float* src = data + (r0 + q * P + j) * rs + c0 * cs;
      for (i64 c = 0; c < cols; ++c) panel[c * P + j] = src[c * cs];
    }
  }
}

void micro(i64 kc, const float* __restrict ap, const float* __restrict bp, float* __restrict c,
           i64 ldc, const float* bias, int flags) {
  float acc[MR][NR] = {};
  for (i64 p = 0; p < kc; ++p) {
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += ap[i] * bp[j];
    ap += MR;
    bp += NR;
  }
  for (int i = 0; i < MR; ++i) {
    float* row = c + i * ldc;
    for (int j = 0; j < NR; ++j) {
      float v = acc[i][j];
      if (flags & kAccumulate) v += row[j];
      if (bias != nullptr) v += bias[j];
      if ((flags & kRelu) && v < 0.0f) v = 0.0f;  // NaN propagates
      if ((flags & kSix) && v > 6.0f) v = 6.0f;
      row[j] = v;
    }
  }
}

}  // namespace portable
}  // namespace ck
