// The optimizers' in-place Adam update (see AdamStep in src/backends/kernels.ts) and dropout's mask
// drawn with the TypeScript generator's xoshiro128**.
#include <cmath>
#include <cstring>

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

// Serial by nature (each draw needs the previous state): one thread, ~1 ns a draw, branch-free
// (the keep/drop choice is random, so a branch would mispredict a quarter of the time at rate
// 0.25). u >= rate · 2^32 for an integer u is u >= ceil(rate · 2^32): the TypeScript comparison.
void dropoutMask(float* out, i64 n, uint32_t state[4], double rate, float keep) {
  const uint64_t threshold = static_cast<uint64_t>(std::ceil(rate * 4294967296.0));
  uint32_t keepBits;
  std::memcpy(&keepBits, &keep, sizeof keepBits);
  uint32_t s0 = state[0], s1 = state[1], s2 = state[2], s3 = state[3];
  for (i64 i = 0; i < n; ++i) {
    const uint32_t m = s1 * 5u;
    const uint32_t u = ((m << 7) | (m >> 25)) * 9u;
    const uint32_t t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >> 21);
    const uint32_t bits = keepBits & (0u - static_cast<uint32_t>(static_cast<uint64_t>(u) >= threshold));
    std::memcpy(out + i, &bits, sizeof bits);
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

}  // namespace ck
