// Run-time CPU dispatch, one idiom for every kernel family: each family has a record of function
// pointers per instruction set (GemmIsa below, ConvIsa in conv_direct.h, SimdIsa in simd.h, DepthwiseIsa in depthwise_simd.h), and
// selectIsa() picks one record per family at once; callers go through gemmIsa(), convIsa() and
// simdIsa() and never ask which ISA is in use.
//
// AVX2+FMA (and AVX-512) code lives in its own translation units compiled with -mavx2 -mfma
// (-mavx512f); everything else is compiled for the baseline (SSE2 on x86-64). The choice is made
// once at load time with __builtin_cpu_supports, so the binary never executes an instruction
// the CPU lacks. CONVKIT_NATIVE_ISA=portable|avx2|avx512 forces a path (never above the CPU).
#pragma once

#include "types.h"

#include <string>
#include <vector>

namespace ck {

/** Micro-kernel flags. */
enum : int {
  kAccumulate = 1,  // C += A·B instead of C = A·B
  kRelu = 2,        // max(0, ·) after the bias
  kSix = 4,         // with kRelu: min(6, ·) after it (relu6)
};

/** One instruction set's GEMM building blocks and its cache blocking. */
struct GemmIsa {
  const char* name;
  int mr, nr;      // register tile of the micro-kernel
  int mc, kc, nc;  // cache blocking: A block mc×kc in L2, B block kc×nc in L3
  /**
   * C[mr×nr] (row stride ldc) = (flags & kAccumulate ? C : 0) + Ap·Bp, then + bias[0..nr) when
   * bias is non-null, then relu (x < 0 ? 0 : x, so NaN propagates) when flags & kRelu, capped at 6
   * (x > 6 ? 6 : x) when flags & kSix too. Ap is one packed A panel (kc×mr), Bp one
   * packed B panel (kc×nr), both 64-byte aligned.
   */
  void (*micro)(i64 kc, const float* ap, const float* bp, float* c, i64 ldc, const float* bias,
                int flags);
  /**
   * Packs rows [r0, r0+rows) × columns [c0, c0+cols) of the view whose element (r, c) is
   * data[r*rs + c*cs] into ceil(rows/P) panels: dst[q*cols*P + c*P + r%P] holds element
   * (r0 + q*P + r%P, c0 + c); rows past the end are zero.
   */
  void (*pack)(const float* data, i64 rs, i64 cs, i64 r0, i64 rows, i64 c0, i64 cols, int P,
               float* dst);
};

struct ConvIsa;
struct SimdIsa;
struct DepthwiseIsa;

/** The GEMM routines of the selected instruction set. */
const GemmIsa& gemmIsa();

/** The direct/Winograd convolution tiles of the selected instruction set; null on portable. */
const ConvIsa* convIsa();

/** The memory-bound SIMD kernels of the selected instruction set (null entries: portable loops). */
const SimdIsa& simdIsa();

/** The depthwise convolution row kernels of the selected instruction set; null on portable. */
const DepthwiseIsa* depthwiseIsa();

/** Selects "portable", "avx2", "avx512" or "auto"; false if unknown or unsupported here. */
bool selectIsa(const std::string& name);

/** Name of the selected instruction set. */
const char* isaName();

/** Instruction-set extensions this CPU reports (those Convkit cares about). */
std::vector<std::string> cpuFeatures();

// Per-ISA entry points (defined in gemm_portable.cc, gemm_avx2.cc, gemm_avx512.cc).
namespace portable {
void micro(i64 kc, const float* ap, const float* bp, float* c, i64 ldc, const float* bias, int flags);
void pack(const float* data, i64 rs, i64 cs, i64 r0, i64 rows, i64 c0, i64 cols, int P, float* dst);
}  // namespace portable
namespace avx2 {
void micro(i64 kc, const float* ap, const float* bp, float* c, i64 ldc, const float* bias, int flags);
void pack(const float* data, i64 rs, i64 cs, i64 r0, i64 rows, i64 c0, i64 cols, int P, float* dst);
}  // namespace avx2
namespace avx512 {  // packs with avx2::pack
void micro(i64 kc, const float* ap, const float* bp, float* c, i64 ldc, const float* bias, int flags);
}  // namespace avx512

}  // namespace ck
