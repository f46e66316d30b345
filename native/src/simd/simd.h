// The SIMD versions of the memory-bound kernels: batch-norm passes, column sums, max pooling
// (simd_avx512.cc compiled with -mavx512f, simd_avx2.cc with -mavx2 -mfma), reached through the
// SimdIsa record isa.cc chooses once with the GEMM kernels (simdIsa() in isa.h; null entries:
// the portable loops). No C++ library header with inline functions here or there (pool.h brings
// only <cstdint>'s types), as for the GEMM kernels. Each works on a row range of one thread's
// share, and both ISAs give the same bits (same per-channel order of float adds and FMAs).
#pragma once

#include "pool.h"
#include "types.h"

namespace ck {

// The entry points each ISA namespace (avx512::, avx2::) defines.
#define CK_SIMD_ENTRY_POINTS                                                                                       \
  void columnSums(const float* x, i64 r0, i64 r1, i64 C, double* s);                                              \
  void bnSums(const float* x, const float* dy, const float* center, const float* relu, bool six, i64 r0, i64 r1,  \
              i64 C, double* s1, double* s2);                                                                      \
  void bnApply(const float* x, const float* dy, const float* center, const float* k, const float* a, const float* b, \
               const float* relu, bool reluOut, bool six, float* out, i64 r0, i64 r1, i64 C);                      \
  void maxPoolRows(const PoolGeom& g, const float* x, float* y, int32_t* argmax, i64 row0, i64 row1);             \
  bool maxPoolBackwardImage(const PoolGeom& g, const float* dy, const int32_t* argmax, float* dx, i64 n);          \
  void relu6Backward(const float* dy, const float* y, float* dx, i64 i0, i64 i1);

/** One instruction set's memory-bound kernels (documented below); null: the portable loop. */
struct SimdIsa {
  void (*columnSums)(const float* x, i64 r0, i64 r1, i64 C, double* s);
  void (*bnSums)(const float* x, const float* dy, const float* center, const float* relu, bool six, i64 r0, i64 r1,
                 i64 C, double* s1, double* s2);
  void (*bnApply)(const float* x, const float* dy, const float* center, const float* k, const float* a,
                  const float* b, const float* relu, bool reluOut, bool six, float* out, i64 r0, i64 r1, i64 C);
  void (*maxPoolRows)(const PoolGeom& g, const float* x, float* y, int32_t* argmax, i64 row0, i64 row1);
  bool (*maxPoolBackwardImage)(const PoolGeom& g, const float* dy, const int32_t* argmax, float* dx, i64 n);
  void (*relu6Backward)(const float* dy, const float* y, float* dx, i64 i0, i64 i1);
};

namespace avx2 {
CK_SIMD_ENTRY_POINTS
}  // namespace avx2

namespace avx512 {

/** s[c] += Σ over rows [r0, r1) of x[r, c] (x is [rows, C]): bias gradients, leading-axis sums. */
void columnSums(const float* x, i64 r0, i64 r1, i64 C, double* s);

/**
 * Batch-norm channel sums over rows [r0, r1) of x [rows, C]: with dy null, s1 += Σ (x − center)
 * and s2 += Σ (x − center)²; with dy, s1 += Σ g and s2 += Σ g·(x − center), g = dy, or with
 * `relu` (a fused relu's output, [rows, C]) g = dy where relu > 0 (with `six`, a fused relu6's:
 * where 0 < relu < 6), else 0. s1, s2: C doubles.
 */
void bnSums(const float* x, const float* dy, const float* center, const float* relu, bool six, i64 r0, i64 r1, i64 C,
            double* s1, double* s2);

/**
 * Batch-norm elementwise pass over rows [r0, r1): out = (x − center)·k + a (then max(0, ·) when
 * reluOut, and min(6, ·) when six too), or with dy, out = k·(g − a − (x − center)·b), g as in
 * bnSums; vectors per channel.
 */
void bnApply(const float* x, const float* dy, const float* center, const float* k, const float* a, const float* b,
             const float* relu, bool reluOut, bool six, float* out, i64 r0, i64 r1, i64 C);

/** maxPool2d for output rows [row0, row1) of batch·outH (same results as pool.cc's loop). */
void maxPoolRows(const PoolGeom& g, const float* x, float* y, int32_t* argmax, i64 row0, i64 row1);

/**
 * maxPool2dBackward of image n when windows tile the input without overlap (stride = pool,
 * no padding): writes dx for the whole image, dy at each argmax and 0 elsewhere. Returns false,
 * leaving the image half-written, if some argmax is neither -1 nor inside its own window (the
 * caller then redoes the image with the general scatter, which also reports bad indices).
 */
bool maxPoolBackwardImage(const PoolGeom& g, const float* dy, const int32_t* argmax, float* dx, i64 n);

/** relu6's gradient over [i0, i1): dx = dy where 0 < y < 6, else 0 (a NaN y gives 0, as does any dy there). */
void relu6Backward(const float* dy, const float* y, float* dx, i64 i0, i64 i1);

}  // namespace avx512
}  // namespace ck
