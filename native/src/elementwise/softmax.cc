// Row-wise log-softmax and its backward (see elementwise.h). Row sums are accumulated in
// double, as the reference backend does; rows are split across threads.
#include <cmath>

#include "elementwise.h"
#include "threadpool.h"

namespace ck {
namespace {

struct SoftmaxTask {
  const float* a;  // x (forward) or dy (backward)
  const float* y;  // backward only
  float* out;
  i64 rows, cols;
};

void logSoftmaxThread(const SoftmaxTask& t, int ith, int nth) {
  i64 r0, r1;
  splitRange(t.rows, ith, nth, 1, &r0, &r1);
  for (i64 r = r0; r < r1; ++r) {
    const float* x = t.a + r * t.cols;
    float* y = t.out + r * t.cols;
    float max = -INFINITY;
    bool nan = false;
    for (i64 c = 0; c < t.cols; ++c) {
      nan |= x[c] != x[c];
      max = x[c] > max ? x[c] : max;
    }
    if (nan) max = NAN;  // Math.max propagates NaN
    double sum = 0;
    for (i64 c = 0; c < t.cols; ++c) sum += std::exp(static_cast<double>(x[c]) - max);
    const double lse = max + std::log(sum);
    for (i64 c = 0; c < t.cols; ++c) y[c] = static_cast<float>(x[c] - lse);
  }
}

void logSoftmaxBackwardThread(const SoftmaxTask& t, int ith, int nth) {
  i64 r0, r1;
  splitRange(t.rows, ith, nth, 1, &r0, &r1);
  for (i64 r = r0; r < r1; ++r) {
    const float* dy = t.a + r * t.cols;
    const float* y = t.y + r * t.cols;
    float* dx = t.out + r * t.cols;
    double sum = 0;
    for (i64 c = 0; c < t.cols; ++c) sum += dy[c];
    const float s = static_cast<float>(sum);
    for (i64 c = 0; c < t.cols; ++c) dx[c] = dy[c] - std::exp(y[c]) * s;
  }
}

}  // namespace

void logSoftmax(const float* x, float* y, i64 rows, i64 cols) {
  SoftmaxTask t{x, nullptr, y, rows, cols};
  run(logSoftmaxThread, t, threadsFor(static_cast<double>(rows) * cols * 8, 32768));
}

void logSoftmaxBackward(const float* dy, const float* y, float* dx, i64 rows, i64 cols) {
  SoftmaxTask t{dy, y, dx, rows, cols};
  run(logSoftmaxBackwardThread, t, threadsFor(static_cast<double>(rows) * cols * 4, 32768));
}

}  // namespace ck
