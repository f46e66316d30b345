// Elementwise kernels: unary functions, binary functions with NumPy broadcasting, dropout's
// mask, and the row-wise log-softmax pair. (The optimizer updates live in optim.cc.)
#pragma once

#include "types.h"

#include <string>
#include <vector>

namespace ck {

// The one list of each op family: (enum name = functor name in elementwise.cc, JavaScript name as
// in UNARY_OPS / BINARY_OPS of src/backends/kernels.ts). The enums, the name parsers and the
// dispatch switches are all generated from these; the parity tests send every TypeScript name.
#define CK_UNARY_OPS(X)                                                                        \
  X(Neg, "neg") X(Abs, "abs") X(Exp, "exp") X(Log, "log") X(Sqrt, "sqrt") X(Square, "square") \
  X(Reciprocal, "reciprocal") X(Relu, "relu") X(Relu6, "relu6") X(Sigmoid, "sigmoid")          \
  X(Tanh, "tanh") X(Step, "step") X(Sign, "sign") X(Erf, "erf")
#define CK_BINARY_OPS(X)                                                                          \
  X(Add, "add") X(Sub, "sub") X(Mul, "mul") X(Div, "div") X(Maximum, "maximum") X(Minimum, "minimum") \
  X(Pow, "pow") X(Greater, "greater") X(GreaterEqual, "greaterEqual") X(Equal, "equal") X(AddRelu, "addRelu")

#define CK_ENUM_ENTRY(name, js) name,
enum class UnaryOp { CK_UNARY_OPS(CK_ENUM_ENTRY) };
enum class BinaryOp { CK_BINARY_OPS(CK_ENUM_ENTRY) };
#undef CK_ENUM_ENTRY

/** Parses the names used in src/backends/kernels.ts (UNARY_OPS, BINARY_OPS). */
bool parseUnaryOp(const std::string& name, UnaryOp* op);
bool parseBinaryOp(const std::string& name, BinaryOp* op);

/** y[i] = op(x[i]) for i < n. */
void unary(UnaryOp op, const float* x, float* y, i64 n);

/** dx[i] = y[i] > 0 ? dy[i] : 0 (NaN in y gives 0) for i < n. */
void reluBackward(const float* dy, const float* y, float* dx, i64 n);

/** dx[i] = 0 < y[i] < 6 ? dy[i] : 0 (NaN in y gives 0) for i < n: relu6's gradient from its output. */
void relu6Backward(const float* dy, const float* y, float* dx, i64 n);

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
