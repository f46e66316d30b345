// Reductions over axes, argMax along one axis, and axis permutation (transpose).
#pragma once

#include "types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ck {

enum class ReduceOp { Sum, Max, Min };

bool parseReduceOp(const std::string& name, ReduceOp* op);

/**
 * out = op over `axes` (sorted, unique, checked) of x; out has shape with those axes removed.
 * Sums accumulate in double; max/min propagate NaN; an empty reduction gives 0, -inf or +inf.
 */
void reduce(ReduceOp op, const float* x, const std::vector<i64>& shape,
            const std::vector<i64>& axes, float* out);

/** Index of the largest value along `axis` (first on ties). */
void argMax(const float* x, const std::vector<i64>& shape, i64 axis, int32_t* out);

/** out.shape[i] = shape[perm[i]] (perm checked to be a permutation). */
void transpose(const float* x, const std::vector<i64>& shape, const std::vector<i64>& perm,
               float* out);

}  // namespace ck
