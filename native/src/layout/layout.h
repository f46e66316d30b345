// Layout kernels over N-d row-major tensors: zero padding, slicing (its adjoint) and
// concatenation. Every output element is written exactly once; threads split output rows.
#pragma once

#include "types.h"

#include <vector>

namespace ck {

/** out.shape[d] = shape[d] + before[d] + after[d]; x placed at `before`, zeros elsewhere. */
void pad(const float* x, const std::vector<i64>& shape, const std::vector<i64>& before,
         const std::vector<i64>& after, float* out);

/** out (shape `size`) = the box of x at `begin` (begin[d] + size[d] <= shape[d], checked). */
void slice(const float* x, const std::vector<i64>& shape, const std::vector<i64>& begin,
           const std::vector<i64>& size, float* out);

/** The parts joined along `axis`; their shapes agree on every other axis (checked). */
void concat(const std::vector<const float*>& xs, const std::vector<std::vector<i64>>& shapes, i64 axis,
            float* out);

}  // namespace ck
