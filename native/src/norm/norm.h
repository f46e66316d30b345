// Batch normalisation over x viewed as [rows, C], channels last: the training-mode forward with
// its batch statistics, its backward, and the folded inference form (see kernels.ts).
#pragma once

#include "types.h"

namespace ck {

/**
 * mean/variance[C] = batch mean and biased variance per channel (0 when rows == 0), then
 * y = (x − mean)·gamma/√(variance + eps) + beta, then max(0, y) (relu) or min(max(0, y), 6)
 * (relu6); gamma and beta may be null (1 and 0).
 */
void batchNormTrain(const float* x, const float* gamma, const float* beta, i64 rows, i64 C, double eps,
                    EpilogueActivation act, float* y, float* mean, float* variance);

/**
 * dbeta = Σ g, dgamma = Σ g·x̂, dx = gamma·rstd·(g − dbeta/rows − x̂·dgamma/rows), where g = dy,
 * or with `actOut` (the output of a fused activation `act`, [rows, C]) g = dy where its gradient
 * passes (relu: actOut > 0; relu6: 0 < actOut < 6), else 0.
 */
void batchNormBackward(const float* dy, const float* x, const float* gamma, const float* mean,
                       const float* variance, i64 rows, i64 C, double eps, EpilogueActivation act, const float* actOut,
                       float* dx, float* dgamma, float* dbeta);

/** y = x·scale[c] + shift[c], then max(0, y) when relu. */
void batchNormInference(const float* x, const float* scale, const float* shift, i64 rows, i64 C, bool relu, float* y);

}  // namespace ck
