// Unary and broadcasting binary kernels (see elementwise.h). Each op is a small functor so the
// loops are instantiated per op and vectorise; threads split the flat output range.
#include "elementwise.h"

#include <cmath>

#include "isa.h"
#include "simd.h"
#include "threadpool.h"

namespace ck {
namespace {

constexpr double kMinElementsPerThread = 32768;

// ---- unary -------------------------------------------------------------------------------

struct Neg { static float f(float x) { return -x; } };
struct Abs { static float f(float x) { return std::fabs(x); } };
struct Exp { static float f(float x) { return std::exp(x); } };
struct Log { static float f(float x) { return std::log(x); } };
struct Sqrt { static float f(float x) { return std::sqrt(x); } };
struct Square { static float f(float x) { return x * x; } };
struct Reciprocal { static float f(float x) { return 1.0f / x; } };
struct Relu { static float f(float x) { return x < 0.0f ? 0.0f : x; } };  // NaN propagates
// min(max(x, 0), 6) in one pass (MobileNet's activation); NaN propagates.
struct Relu6 { static float f(float x) { return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x); } };
struct Sigmoid {
  static float f(float x) {
    if (x >= 0.0f) return 1.0f / (1.0f + std::exp(-x));
    const float e = std::exp(x);
    return e / (1.0f + e);
  }
};
struct Tanh { static float f(float x) { return std::tanh(x); } };
struct Step { static float f(float x) { return x > 0.0f ? 1.0f : 0.0f; } };
struct Sign { static float f(float x) { return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f); } };
// In double, rounded once: the reference computes erf in double and stores it as float.
struct Erf { static float f(float x) { return static_cast<float>(std::erf(static_cast<double>(x))); } };

struct UnaryTask {
  UnaryOp op;
  const float* x;
  float* y;
  i64 n;
};

template <class F>
void unaryLoop(const float* __restrict x, float* __restrict y, i64 n) {
  for (i64 i = 0; i < n; ++i) y[i] = F::f(x[i]);
}

void unaryThread(const UnaryTask& t, int ith, int nth) {
  i64 i0, i1;
  splitRange(t.n, ith, nth, 16, &i0, &i1);
  const float* x = t.x + i0;
  float* y = t.y + i0;
  const i64 n = i1 - i0;
  switch (t.op) {
#define CK_UNARY_CASE(name, js) \
  case UnaryOp::name: return unaryLoop<name>(x, y, n);
    CK_UNARY_OPS(CK_UNARY_CASE)
#undef CK_UNARY_CASE
  }
}

struct ReluBackwardTask {
  const float* dy;
  const float* y;
  float* dx;
  i64 n;
};

void reluBackwardThread(const ReluBackwardTask& t, int ith, int nth) {
  i64 i0, i1;
  splitRange(t.n, ith, nth, 16, &i0, &i1);
  const float* __restrict dy = t.dy;
  const float* __restrict y = t.y;
  float* __restrict dx = t.dx;
  for (i64 i = i0; i < i1; ++i) {
    const float g = dy[i];  // loaded unconditionally, so the select vectorises (no branch per element)
    dx[i] = y[i] > 0.0f ? g : 0.0f;
  }
}

// relu6's gradient: dx = dy where 0 < y < 6, else 0; the selected ISA's vector loop, or this one.
void relu6BackwardThread(const ReluBackwardTask& t, int ith, int nth) {
  i64 i0, i1;
  splitRange(t.n, ith, nth, 16, &i0, &i1);
  if (const auto simd = simdIsa().relu6Backward) return simd(t.dy, t.y, t.dx, i0, i1);
  const float* __restrict dy = t.dy;
  const float* __restrict y = t.y;
  float* __restrict dx = t.dx;
  for (i64 i = i0; i < i1; ++i) {
    const float g = dy[i];
    dx[i] = y[i] > 0.0f && y[i] < 6.0f ? g : 0.0f;
  }
}

// ---- binary ------------------------------------------------------------------------------

struct Add { static float f(float a, float b) { return a + b; } };
struct AddRelu {
  static float f(float a, float b) {
    const float s = a + b;
    return s < 0.0f ? 0.0f : s;  // NaN propagates
  }
};
struct Sub { static float f(float a, float b) { return a - b; } };
struct Mul { static float f(float a, float b) { return a * b; } };
struct Div { static float f(float a, float b) { return a / b; } };
struct Maximum {
  static float f(float a, float b) { return a != a || b != b ? NAN : (a > b ? a : b); }
};
struct Minimum {
  static float f(float a, float b) { return a != a || b != b ? NAN : (a < b ? a : b); }
};
// Math.pow's double result rounded to float, as the reference backend stores it.
struct Pow { static float f(float a, float b) { return static_cast<float>(std::pow(double(a), double(b))); } };
struct Greater { static float f(float a, float b) { return a > b ? 1.0f : 0.0f; } };
struct GreaterEqual { static float f(float a, float b) { return a >= b ? 1.0f : 0.0f; } };
struct Equal { static float f(float a, float b) { return a == b ? 1.0f : 0.0f; } };

// Broadcast layout after dropping size-1 output dims and merging dims contiguous in a, b
// and out alike. The innermost dim has strides sa, sb of 0 or 1.
struct Layout {
  std::vector<i64> dims, sa, sb;
};

Layout collapse(const std::vector<i64>& aShape, const std::vector<i64>& bShape,
                const std::vector<i64>& outShape) {
  const size_t rank = outShape.size();
  std::vector<i64> sa(rank, 0), sb(rank, 0);
  i64 stA = 1, stB = 1;
  for (size_t k = 0; k < rank; ++k) {
    const size_t d = rank - 1 - k;
    if (k < aShape.size()) {
      const i64 ad = aShape[aShape.size() - 1 - k];
      sa[d] = ad == 1 ? 0 : stA;
      stA *= ad;
    }
    if (k < bShape.size()) {
      const i64 bd = bShape[bShape.size() - 1 - k];
      sb[d] = bd == 1 ? 0 : stB;
      stB *= bd;
    }
  }
  Layout l;
  for (size_t d = 0; d < rank; ++d) {
    if (outShape[d] == 1) continue;
    if (!l.dims.empty()) {
      const i64 inner = outShape[d];
      // Merge with the previous (outer) dim when both operands step through it contiguously.
      if (l.sa.back() == sa[d] * inner && l.sb.back() == sb[d] * inner) {
        l.dims.back() *= inner;
        l.sa.back() = sa[d];
        l.sb.back() = sb[d];
        continue;
      }
    }
    l.dims.push_back(outShape[d]);
    l.sa.push_back(sa[d]);
    l.sb.push_back(sb[d]);
  }
  if (l.dims.empty()) {
    l.dims.push_back(1);
    l.sa.push_back(0);
    l.sb.push_back(0);
  }
  return l;
}

struct BinaryTask {
  BinaryOp op;
  const float* a;
  const float* b;
  float* out;
  const Layout* layout;
  i64 total;
};

template <class F>
void binaryInner(const float* __restrict a, i64 sa, const float* __restrict b, i64 sb,
                 float* __restrict out, i64 n) {
  if (sa == 1 && sb == 1)
    for (i64 i = 0; i < n; ++i) out[i] = F::f(a[i], b[i]);
  else if (sa == 1)
    for (i64 i = 0; i < n; ++i) out[i] = F::f(a[i], b[0]);
  else if (sb == 1)
    for (i64 i = 0; i < n; ++i) out[i] = F::f(a[0], b[i]);
  else
    for (i64 i = 0; i < n; ++i) out[i] = F::f(a[0], b[0]);
}

// Output elements [e0, e1): odometer over the outer dims, contiguous runs along the inner one.
template <class F>
void binaryRange(const BinaryTask& t, i64 e0, i64 e1) {
  const Layout& l = *t.layout;
  const int rank = static_cast<int>(l.dims.size());
  const i64 inner = l.dims[rank - 1];
  std::vector<i64> idx(rank, 0);
  i64 rem = e0, offA = 0, offB = 0;
  for (int d = rank - 1; d >= 0; --d) {
    idx[d] = rem % l.dims[d];
    rem /= l.dims[d];
    offA += idx[d] * l.sa[d];
    offB += idx[d] * l.sb[d];
  }
  i64 e = e0;
  while (e < e1) {
    const i64 run = inner - idx[rank - 1] < e1 - e ? inner - idx[rank - 1] : e1 - e;
    binaryInner<F>(t.a + offA, l.sa[rank - 1], t.b + offB, l.sb[rank - 1], t.out + e, run);
    e += run;
    offA += run * l.sa[rank - 1];
    offB += run * l.sb[rank - 1];
    idx[rank - 1] += run;
    for (int d = rank - 1; d > 0 && idx[d] == l.dims[d]; --d) {
      offA += l.sa[d - 1] - idx[d] * l.sa[d];
      offB += l.sb[d - 1] - idx[d] * l.sb[d];
      idx[d] = 0;
      ++idx[d - 1];
    }
  }
}

void binaryThread(const BinaryTask& t, int ith, int nth) {
  i64 e0, e1;
  splitRange(t.total, ith, nth, 16, &e0, &e1);
  if (e1 <= e0) return;
  switch (t.op) {
#define CK_BINARY_CASE(name, js) \
  case BinaryOp::name: return binaryRange<name>(t, e0, e1);
    CK_BINARY_OPS(CK_BINARY_CASE)
#undef CK_BINARY_CASE
  }
}

}  // namespace

bool parseUnaryOp(const std::string& s, UnaryOp* op) {
#define CK_PARSE(name, js) \
  if (s == js) return *op = UnaryOp::name, true;
  CK_UNARY_OPS(CK_PARSE)
#undef CK_PARSE
  return false;
}

bool parseBinaryOp(const std::string& s, BinaryOp* op) {
#define CK_PARSE(name, js) \
  if (s == js) return *op = BinaryOp::name, true;
  CK_BINARY_OPS(CK_PARSE)
#undef CK_PARSE
  return false;
}

void unary(UnaryOp op, const float* x, float* y, i64 n) {
  UnaryTask t{op, x, y, n};
  const bool costly = op == UnaryOp::Exp || op == UnaryOp::Log || op == UnaryOp::Sigmoid ||
                      op == UnaryOp::Tanh || op == UnaryOp::Erf;
  run(unaryThread, t, sharesFor(static_cast<double>(n) * (costly ? 8 : 1), kMinElementsPerThread));
}

void reluBackward(const float* dy, const float* y, float* dx, i64 n) {
  ReluBackwardTask t{dy, y, dx, n};
  run(reluBackwardThread, t, sharesFor(static_cast<double>(n), kMinElementsPerThread));
}

void relu6Backward(const float* dy, const float* y, float* dx, i64 n) {
  ReluBackwardTask t{dy, y, dx, n};
  run(relu6BackwardThread, t, sharesFor(static_cast<double>(n), kMinElementsPerThread));
}

void binary(BinaryOp op, const float* a, const std::vector<i64>& aShape, const float* b,
            const std::vector<i64>& bShape, const std::vector<i64>& outShape, float* out) {
  i64 total = 1;
  for (i64 d : outShape) total *= d;
  if (total == 0) return;
  const Layout layout = collapse(aShape, bShape, outShape);
  BinaryTask t{op, a, b, out, &layout, total};
  const double cost = op == BinaryOp::Pow ? 8.0 * total : static_cast<double>(total);
  run(binaryThread, t, sharesFor(cost, kMinElementsPerThread));
}

}  // namespace ck
