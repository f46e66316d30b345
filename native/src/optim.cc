// The Adam update, in place on param, m and v (see AdamStep in src/backends/kernels.ts).
#include <cmath>

#include "elementwise.h"
#include "threadpool.h"

namespace ck {
namespace {

struct AdamTask {
  float* param;
  const float* grad;
  float* m;
  float* v;
  i64 n;
  float lrT, beta1, beta2, epsilonT;
};

void adamThread(const AdamTask& t, int ith, int nth) {
  i64 i0, i1;
  splitRange(t.n, ith, nth, 16, &i0, &i1);
  const float b1 = t.beta1, b2 = t.beta2, c1 = 1.0f - t.beta1, c2 = 1.0f - t.beta2;
  float* __restrict param = t.param;
  float* __restrict m = t.m;
  float* __restrict v = t.v;
  const float* __restrict grad = t.grad;
  for (i64 i = i0; i < i1; ++i) {
    const float g = grad[i];
    const float mi = b1 * m[i] + c1 * g;
    const float vi = b2 * v[i] + c2 * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] -= t.lrT * mi / (std::sqrt(vi) + t.epsilonT);
  }
}

}  // namespace

void adamUpdate(float* param, const float* grad, float* m, float* v, i64 n, double lrT,
                double beta1, double beta2, double epsilonT) {
  AdamTask t{param,
             grad,
             m,
             v,
             n,
             static_cast<float>(lrT),
             static_cast<float>(beta1),
             static_cast<float>(beta2),
             static_cast<float>(epsilonT)};
  run(adamThread, t, threadsFor(static_cast<double>(n) * 4, 32768));
}

}  // namespace ck
