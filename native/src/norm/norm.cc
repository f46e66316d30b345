// Batch normalisation kernels (see norm.h). Each is one or two passes over the rows, split
// across threads: per-channel sums go into per-thread partials (float over blocks of rows, then
// double), merged on the calling thread; the elementwise pass then needs no synchronisation.
// The variance is summed about a shift (the first row), so a large mean costs no precision.
#include "norm.h"

#include <cmath>
#include <vector>

#include "isa.h"
#include "simd.h"
#include "threadpool.h"

namespace ck {
namespace {

constexpr i64 kBlock = 32;  // rows summed in float before being added into the double partials

// dy where a fused relu's output passes gradient (> 0; with six, a relu6's: 0 < · < 6), else 0;
// without a fused activation (relu null), dy.
inline float maskedGradient(float dy, const float* relu, bool six, i64 c) {
  return relu && !(relu[c] > 0.0f && (!six || relu[c] < 6.0f)) ? 0.0f : dy;
}
constexpr double kMinPerThread = 32768;

// Per channel c over rows [r0, r1): s1 += Σ a·u, s2 += Σ a·v, where for the statistics pass
// a = 1, u = x − shift, v = (x − shift)², and for the backward pass u = dy, v = dy·(x − mean).
struct SumsTask {
  const float* x;
  const float* dy;      // null: statistics of x
  const float* center;  // shift (statistics) or mean (backward)
  const float* relu;    // a fused relu's output (dy counts where it is > 0), or null
  bool six;             // relu is a fused relu6's output (dy counts where 0 < it < 6)
  i64 rows, C;
  double* partials;  // nth × 2C
};

void sumsThread(const SumsTask& t, int ith, int nth) {
  const i64 C = t.C;
  i64 r0, r1;
  splitRange(t.rows, ith, nth, 1, &r0, &r1);
  double* s1 = t.partials + 2 * C * ith;
  double* s2 = s1 + C;
  for (i64 c = 0; c < 2 * C; ++c) s1[c] = 0;
  if (const auto simd = simdIsa().bnSums) return simd(t.x, t.dy, t.center, t.relu, t.six, r0, r1, C, s1, s2);
  std::vector<float> block(2 * C);
  float* __restrict f1 = block.data();
  float* __restrict f2 = f1 + C;
  const float* __restrict center = t.center;
  for (i64 b = r0; b < r1; b += kBlock) {
    const i64 e = b + kBlock < r1 ? b + kBlock : r1;
    for (i64 c = 0; c < 2 * C; ++c) f1[c] = 0;
    if (t.dy == nullptr) {
      for (i64 r = b; r < e; ++r) {
        const float* __restrict row = t.x + r * C;
        for (i64 c = 0; c < C; ++c) {
          const float d = row[c] - center[c];
          f1[c] += d;
          f2[c] += d * d;
        }
      }
    } else {
      for (i64 r = b; r < e; ++r) {
        const float* __restrict row = t.x + r * C;
        const float* __restrict dy = t.dy + r * C;
        const float* __restrict relu = t.relu ? t.relu + r * C : nullptr;
        for (i64 c = 0; c < C; ++c) {
          const float g = maskedGradient(dy[c], relu, t.six, c);
          f1[c] += g;
          f2[c] += g * (row[c] - center[c]);
        }
      }
    }
    for (i64 c = 0; c < C; ++c) {
      s1[c] += f1[c];
      s2[c] += f2[c];
    }
  }
}

// Runs sumsThread over all rows and merges the partials into s (2C doubles).
void channelSums(const float* x, const float* dy, const float* center, const float* relu, bool six, i64 rows, i64 C,
                 double* s) {
  const int nth = threadsFor(static_cast<double>(rows) * C * (dy ? 2 : 1), kMinPerThread);
  std::vector<double> partials(static_cast<size_t>(2 * C * nth));
  SumsTask t{x, dy, center, relu, six, rows, C, partials.data()};
  run(sumsThread, t, nth);
  for (i64 c = 0; c < 2 * C; ++c) {
    double v = 0;
    for (int q = 0; q < nth; ++q) v += partials[2 * C * q + c];
    s[c] = v;
  }
}

// out[r, c] = (x[r, c] − center[c])·k[c] + a[c] (then relu when reluOut, and the cap at 6 when
// six), or with dy: k[c]·(g − a[c] − (x − center)·b[c]), g = dy, masked by a fused relu's (six:
// relu6's) output when `relu`.
struct ApplyTask {
  const float* x;
  const float* dy;
  const float* center;
  const float* k;
  const float* a;
  const float* b;
  const float* relu;
  bool reluOut;
  bool six;
  float* out;
  i64 rows, C;
};

void applyThread(const ApplyTask& t, int ith, int nth) {
  const i64 C = t.C;
  i64 r0, r1;
  splitRange(t.rows, ith, nth, 1, &r0, &r1);
  if (const auto simd = simdIsa().bnApply)
    return simd(t.x, t.dy, t.center, t.k, t.a, t.b, t.relu, t.reluOut, t.six, t.out, r0, r1, C);
  const float* __restrict center = t.center;
  const float* __restrict k = t.k;
  const float* __restrict a = t.a;
  const float* __restrict b = t.b;
  for (i64 r = r0; r < r1; ++r) {
    const float* __restrict x = t.x + r * C;
    float* __restrict out = t.out + r * C;
    if (t.dy == nullptr) {
      for (i64 c = 0; c < C; ++c) out[c] = (x[c] - center[c]) * k[c] + a[c];
      if (t.reluOut)
        for (i64 c = 0; c < C; ++c) out[c] = out[c] < 0.0f ? 0.0f : out[c];  // NaN propagates
      if (t.six)
        for (i64 c = 0; c < C; ++c) out[c] = out[c] > 6.0f ? 6.0f : out[c];
    } else {
      const float* __restrict dy = t.dy + r * C;
      const float* __restrict relu = t.relu ? t.relu + r * C : nullptr;
      for (i64 c = 0; c < C; ++c) {
        const float g = maskedGradient(dy[c], relu, t.six, c);
        out[c] = k[c] * (g - a[c] - (x[c] - center[c]) * b[c]);
      }
    }
  }
}

void apply(const ApplyTask& t) { run(applyThread, t, sharesFor(static_cast<double>(t.rows) * t.C, kMinPerThread)); }

}  // namespace

void batchNormTrain(const float* x, const float* gamma, const float* beta, i64 rows, i64 C, double eps,
                    EpilogueActivation act, float* y, float* mean, float* variance) {
  if (C == 0) return;
  if (rows == 0) {
    for (i64 c = 0; c < C; ++c) mean[c] = variance[c] = 0.0f;
    return;
  }
  std::vector<float> shift(x, x + C), scale(C), beta0(C), meanF(C);
  std::vector<double> s(2 * C);
  channelSums(x, nullptr, shift.data(), nullptr, false, rows, C, s.data());
  for (i64 c = 0; c < C; ++c) {
    const double d = s[c] / rows;
    const double var = std::fmax(s[C + c] / rows - d * d, 0.0);
    mean[c] = meanF[c] = static_cast<float>(shift[c] + d);
    variance[c] = static_cast<float>(var);
    scale[c] = static_cast<float>((gamma ? gamma[c] : 1.0) / std::sqrt(var + eps));
    beta0[c] = beta ? beta[c] : 0.0f;
  }
  const bool six = act == EpilogueActivation::Relu6;
  apply(ApplyTask{x, nullptr, meanF.data(), scale.data(), beta0.data(), nullptr, nullptr, act != EpilogueActivation::Linear, six, y,
                  rows, C});
}

void batchNormBackward(const float* dy, const float* x, const float* gamma, const float* mean,
                       const float* variance, i64 rows, i64 C, double eps, EpilogueActivation act, const float* actOut,
                       float* dx, float* dgamma, float* dbeta) {
  if (C == 0) return;
  const float* relu = act == EpilogueActivation::Linear ? nullptr : actOut;
  const bool six = relu != nullptr && act == EpilogueActivation::Relu6;
  std::vector<double> s(2 * C);
  channelSums(x, dy, mean, relu, six, rows, C, s.data());
  std::vector<float> k(C), a(C), b(C);
  for (i64 c = 0; c < C; ++c) {
    const double rstd = 1.0 / std::sqrt(static_cast<double>(variance[c]) + eps);
    dbeta[c] = static_cast<float>(s[c]);
    dgamma[c] = static_cast<float>(s[C + c] * rstd);
    k[c] = static_cast<float>((gamma ? gamma[c] : 1.0) * rstd);
    a[c] = rows > 0 ? static_cast<float>(s[c] / rows) : 0.0f;
    b[c] = rows > 0 ? static_cast<float>(s[C + c] * rstd * rstd / rows) : 0.0f;
  }
  apply(ApplyTask{x, dy, mean, k.data(), a.data(), b.data(), relu, false, six, dx, rows, C});
}

void batchNormInference(const float* x, const float* scale, const float* shift, i64 rows, i64 C, bool relu, float* y) {
  if (C == 0) return;
  const std::vector<float> zero(C, 0.0f);
  apply(ApplyTask{x, nullptr, zero.data(), scale, shift, nullptr, nullptr, relu, false, y, rows, C});
}

}  // namespace ck
