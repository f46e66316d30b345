// Elementwise kernels: unary functions, binary functions with NumPy broadcasting, dropout's
// mask, and the row-wise log-softmax pair. (The optimizer updates live in optim.cc.)
#pragma once

#include "types.h"

#include <string>
#include <vector>

namespace ck {

enum class UnaryOp { Neg, Abs, Exp, Log, Sqrt, Square, Reciprocal, Relu, Sigmoid, Tanh, Step, Sign, Erf };
enum class BinaryOp { Add, Sub, Mul, Div, Maximum, Minimum, Pow, Greater, GreaterEqual, Equal, AddRelu };

/** Parses the names used in src/backends/kernels.ts (UNARY_OPS, BINARY_OPS). */
bool parseUnaryOp(const std::string& name, UnaryOp* op);
bool parseBinaryOp(const std::string& name, BinaryOp* op);

/** y[i] = op(x[i]) for i < n. */
void unary(UnaryOp op, const float* x, float* y, i64 n);

/** dx[i] = y[i] > 0 ? dy[i] : 0 (NaN in y gives 0) for i < n. */
void reluBackward(const float* dy, const float* y, float* dx, i64 n);

/**
 * out = op(a, b) with NumPy broadcasting. Shapes must already be checked: each of aShape and
 * bShape, right-aligned to outShape, has every dim equal to the output's or 1.
 */
void binary(BinaryOp op, const float* a, const std::vector<i64>& aShape, const float* b,
            const std::vector<i64>& bShape, const std::vector<i64>& outShape, float* out);

/**
 * Inverted dropout's mask: out[i] = keep where the i-th xoshiro128** draw from `state` (advanced
 * in place) divided by 2^32 is >= rate, else 0; the same sequence as the TypeScript generator.
 */
void dropoutMask(float* out, i64 n, uint32_t state[4], double rate, float keep);

/** Row-wise y = x - logsumexp(x) of a rows×cols matrix. */
void logSoftmax(const float* x, float* y, i64 rows, i64 cols);

/** dx = dy - exp(y) * rowSum(dy). */
void logSoftmaxBackward(const float* dy, const float* y, float* dx, i64 rows, i64 cols);

}  // namespace ck
