// Packed SGEMM in the BLIS layering: five loops around a register-blocked micro-kernel.
//
//   for jc (nc columns of C)      B block kc×nc packed into NR-column panels  (L3)
//    for pc (kc of the k range)
//     for ic (mc rows of C)       A block mc×kc packed into MR-row panels     (L2)
//      for jr, ir                 micro-kernel on one MR×NR tile, B panel in L1
//
// Operands are views: a strided matrix, or a custom packer that builds panels straight from
// another layout (the convolution's im2col view), so conv never materialises im2col whole.
#pragma once

#include "types.h"

namespace ck {

/**
 * A read-only rows×cols operand. Element (r, c) is data[r*rs + c*cs], unless `pack` is set, in
 * which case it produces the packed panels (same contract as GemmIsa::pack) from `ctx`.
 */
struct MatView {
  const float* data = nullptr;
  i64 rs = 0, cs = 0;
  void (*pack)(const void* ctx, i64 r0, i64 rows, i64 c0, i64 cols, int P, float* dst) = nullptr;
  const void* ctx = nullptr;
  double packCost = 8;  // cost of packing one element, in multiply-adds (for the thread split)
};

/** C[m×n] = A[m×k] · B[k×n] (+ bias[n]) (then relu, or relu6). B is given transposed, as bt[n×k]. */
struct GemmParams {
  i64 m = 0, n = 0, k = 0;
  MatView a;   // m×k
  MatView bt;  // n×k
  float* c = nullptr;
  i64 ldc = 0;
  const float* bias = nullptr;
  bool relu = false;
  bool relu6 = false;  // with relu: min(6, ·) after it
};

/** Strided view of a row-major rows×cols matrix, or of its transpose when `transposed`. */
MatView matrixView(const float* data, i64 rows, i64 cols, bool transposed);

/** Runs the whole product on the thread pool (single-threaded when small). */
void gemm(const GemmParams& p);

/** Same, on the calling thread only (for kernels that parallelise at a coarser level). */
void gemmSingle(const GemmParams& p);

}  // namespace ck
