// Batch normalisation over x viewed as [rows, C], channels last: the training-mode forward with
// its batch statistics, its backward, and the folded inference form (see kernels.ts).
#pragma once

#include "types.h"

namespace ck {

/**
 * mean/variance[C] = batch mean and biased variance per channel (0 when rows == 0), then
 * y = (x − mean)·gamma/√(variance + eps) + beta; gamma and beta may be null (1 and 0).
 */
void batchNormTrain(const float* x, const float* gamma, const float* beta, i64 rows, i64 C, double eps,
                    float* y, float* mean, float* variance);

/** dbeta = Σ dy, dgamma = Σ dy·x̂, dx = gamma·rstd·(dy − dbeta/rows − x̂·dgamma/rows). */
void batchNormBackward(const float* dy, const float* x, const float* gamma, const float* mean,
                       const float* variance, i64 rows, i64 C, double eps, float* dx, float* dgamma,
                       float* dbeta);

/** y = x·scale[c] + shift[c]. */
void batchNormInference(const float* x, const float* scale, const float* shift, i64 rows, i64 C, float* y);

}  // namespace ck
