// Entry points of the AVX-512 versions of memory-bound kernels (simd_avx512.cc, compiled with
// -mavx512f and called only when isa.cc selected AVX-512; see useAvx512()). No C++ library
// header with inline functions here or there (pool.h brings only <cstdint>'s types), as for
// the GEMM kernels. Each works on a row range of one thread's share.
#pragma once

#include "pool.h"
#include "types.h"

namespace ck {

/** True when the AVX-512 kernels may run (the AVX-512 GEMM is selected). */
bool useAvx512();

/** True when the AVX2+FMA kernels may run (the AVX2 or the AVX-512 GEMM is selected). */
bool useAvx2();

namespace avx512 {

/** s[c] += Σ over rows [r0, r1) of x[r, c] (x is [rows, C]): bias gradients, leading-axis sums. */
void columnSums(const float* x, i64 r0, i64 r1, i64 C, double* s);

/**
 * Batch-norm channel sums over rows [r0, r1) of x [rows, C]: with dy null, s1 += Σ (x − center)
 * and s2 += Σ (x − center)²; with dy, s1 += Σ g and s2 += Σ g·(x − center), g = dy, or with
 * `relu` (a fused relu's output, [rows, C]) g = dy where relu > 0, else 0. s1, s2: C doubles.
 */
void bnSums(const float* x, const float* dy, const float* center, const float* relu, i64 r0, i64 r1, i64 C, double* s1,
            double* s2);

/**
 * Batch-norm elementwise pass over rows [r0, r1): out = (x − center)·k + a (then max(0, ·) when
 * reluOut), or with dy, out = k·(g − a − (x − center)·b), g as in bnSums; vectors per channel.
 */
void bnApply(const float* x, const float* dy, const float* center, const float* k, const float* a, const float* b,
             const float* relu, bool reluOut, float* out, i64 r0, i64 r1, i64 C);

/** maxPool2d for output rows [row0, row1) of batch·outH (same results as pool.cc's loop). */
void maxPoolRows(const PoolGeom& g, const float* x, float* y, int32_t* argmax, i64 row0, i64 row1);

/**
 * maxPool2dBackward of image n when windows tile the input without overlap (stride = pool,
 * no padding): writes dx for the whole image, dy at each argmax and 0 elsewhere. Returns false,
 * leaving the image half-written, if some argmax is neither -1 nor inside its own window (the
 * caller then redoes the image with the general scatter, which also reports bad indices).
 */
bool maxPoolBackwardImage(const PoolGeom& g, const float* dy, const int32_t* argmax, float* dx, i64 n);

}  // namespace avx512
}  // namespace ck
