// The in-place update kernels, each with its binding: the optimizers' steps (Adam, SGD, RMSprop,
// Adagrad, Adamax, Nadam), decoupled weight decay and BatchNormalization's moving averages (see
// the *Step types in src/backends/kernels.ts), plus dropout's mask drawn with the TypeScript
// generator's xoshiro128**.
//
// All but Adam repeat src/backends/ts/optim.ts operation for operation in double precision, each
// stored slot rounded to float and read back as the TypeScript does, so both backends give the
// same bits (this file is compiled without FMA contraction: baseline x86-64, -std=c++17). Adam
// keeps its float arithmetic (the seed recipe's figures were measured with it).
#include <cmath>
#include <cstring>
#include <string>

#include "bindings.h"
#include "elementwise.h"
#include "signature.h"
#include "threadpool.h"

namespace ck {
namespace {

// One update over [begin, end): w, g and up to three slots of n elements, hyper-parameters in p
// (their meaning is the body's).
struct Update {
  void (*body)(const Update&, i64 begin, i64 end);
  float* w;
  const float* g;
  float* a;
  float* b;
  float* c;
  i64 n;
  double p[7];
};

void updateThread(const Update& u, int ith, int nth) {
  i64 i0, i1;
  splitRange(u.n, ith, nth, 16, &i0, &i1);
  u.body(u, i0, i1);
}

void runUpdate(const Update& u) { run(updateThread, u, threadsFor(static_cast<double>(u.n) * 4, 32768)); }

// p = {lrT, beta1, beta2, epsilonT}: float arithmetic, as it always was.
void adamBody(const Update& u, i64 i0, i64 i1) {
  const float lrT = static_cast<float>(u.p[0]), b1 = static_cast<float>(u.p[1]), b2 = static_cast<float>(u.p[2]);
  const float epsT = static_cast<float>(u.p[3]), c1 = 1.0f - b1, c2 = 1.0f - b2;
  float* __restrict w = u.w;
  float* __restrict m = u.a;
  float* __restrict v = u.b;
  const float* __restrict g = u.g;
  for (i64 i = i0; i < i1; ++i) {
    const float gi = g[i];
    const float mi = b1 * m[i] + c1 * gi;
    const float vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] -= lrT * mi / (std::sqrt(vi) + epsT);
  }
}

// p = {lr, momentum, nesterov}; a = velocity or null.
void sgdBody(const Update& u, i64 i0, i64 i1) {
  const double lr = u.p[0], m = u.p[1];
  const bool nesterov = u.p[2] != 0;
  float* w = u.w;
  const float* g = u.g;
  float* v = u.a;
  if (v == nullptr) {
    for (i64 i = i0; i < i1; ++i) w[i] = static_cast<float>(w[i] - lr * g[i]);
    return;
  }
  for (i64 i = i0; i < i1; ++i) {
    v[i] = static_cast<float>(m * v[i] - lr * g[i]);
    w[i] = static_cast<float>(w[i] + (nesterov ? m * v[i] - lr * g[i] : static_cast<double>(v[i])));
  }
}

// p = {lr, rho, momentum, epsilon}; a = meanSquare, b = momentum or null, c = meanGrad or null.
void rmspropBody(const Update& u, i64 i0, i64 i1) {
  const double lr = u.p[0], rho = u.p[1], momentum = u.p[2], eps = u.p[3];
  float *w = u.w, *ms = u.a, *mom = u.b, *mg = u.c;
  const float* g = u.g;
  for (i64 i = i0; i < i1; ++i) {
    const double gi = g[i];
    ms[i] = static_cast<float>(rho * ms[i] + (1 - rho) * gi * gi);
    double denom = ms[i];
    if (mg != nullptr) {
      mg[i] = static_cast<float>(rho * mg[i] + (1 - rho) * gi);
      denom -= static_cast<double>(mg[i]) * mg[i];
    }
    const double step = (lr * gi) / std::sqrt(denom + eps);
    if (mom != nullptr) {
      mom[i] = static_cast<float>(momentum * mom[i] + step);
      w[i] = static_cast<float>(w[i] - static_cast<double>(mom[i]));
    } else {
      w[i] = static_cast<float>(w[i] - step);
    }
  }
}

// p = {lr, epsilon}; a = accumulator.
void adagradBody(const Update& u, i64 i0, i64 i1) {
  const double lr = u.p[0], eps = u.p[1];
  float *w = u.w, *acc = u.a;
  const float* g = u.g;
  for (i64 i = i0; i < i1; ++i) {
    const double gi = g[i];
    acc[i] = static_cast<float>(acc[i] + gi * gi);
    w[i] = static_cast<float>(w[i] - (lr * gi) / std::sqrt(acc[i] + eps));
  }
}

// Math.max: NaN if either is NaN.
double jsMax(double x, double y) { return (x != x || y != y) ? x + y : (x > y ? x : y); }

// p = {stepSize, beta1, beta2, epsilon}; a = m, b = u.
void adamaxBody(const Update& u, i64 i0, i64 i1) {
  const double stepSize = u.p[0], beta1 = u.p[1], beta2 = u.p[2], eps = u.p[3];
  float *w = u.w, *m = u.a, *inf = u.b;
  const float* g = u.g;
  for (i64 i = i0; i < i1; ++i) {
    const double gi = g[i];
    m[i] = static_cast<float>(beta1 * m[i] + (1 - beta1) * gi);
    inf[i] = static_cast<float>(jsMax(beta2 * inf[i], std::fabs(gi)));
    w[i] = static_cast<float>(w[i] - (stepSize * m[i]) / (inf[i] + eps));
  }
}

// p = {lr, beta1, beta2, epsilon, mScale, gScale, vScale}; a = m, b = v.
void nadamBody(const Update& u, i64 i0, i64 i1) {
  const double lr = u.p[0], beta1 = u.p[1], beta2 = u.p[2], eps = u.p[3];
  const double mScale = u.p[4], gScale = u.p[5], vScale = u.p[6];
  float *w = u.w, *m = u.a, *v = u.b;
  const float* g = u.g;
  for (i64 i = i0; i < i1; ++i) {
    const double gi = g[i];
    m[i] = static_cast<float>(beta1 * m[i] + (1 - beta1) * gi);
    v[i] = static_cast<float>(beta2 * v[i] + (1 - beta2) * gi * gi);
    const double mHat = mScale * m[i] + gScale * gi;
    w[i] = static_cast<float>(w[i] - (lr * mHat) / (std::sqrt(v[i] * vScale) + eps));
  }
}

// p = {rate}.
void decayBody(const Update& u, i64 i0, i64 i1) {
  const double rate = u.p[0];
  float* w = u.w;
  for (i64 i = i0; i < i1; ++i) w[i] = static_cast<float>(w[i] - rate * w[i]);
}

// p = {momentum}; w = average, g = value.
void movingAverageBody(const Update& u, i64 i0, i64 i1) {
  const double momentum = u.p[0];
  float* avg = u.w;
  const float* value = u.g;
  for (i64 i = i0; i < i1; ++i) avg[i] = static_cast<float>(avg[i] * momentum + value[i] * (1 - momentum));
}

// ---- bindings: (param, grad, slots..., step); every slot has param's length, no two share memory.

// An update over param (and grad and up to three slots, each null or param-sized): checks the
// lengths (the signature has already checked types and that the written buffers are distinct).
Update makeUpdate(const Args& args, void (*body)(const Update&, i64, i64), const View<float>& param, const View<float>& grad,
                  std::initializer_list<View<float>> slots) {
  const Count n{param.length, "param.length"};
  float* slotData[3] = {nullptr, nullptr, nullptr};
  size_t k = 0;
  for (const View<float>& slot : slots) {
    args.expect(slot, n);
    slotData[k++] = slot.data;
  }
  args.expect(grad, n);
  Update u{};
  u.body = body;
  u.w = param.data;
  u.g = grad.data;
  u.a = slotData[0];
  u.b = slotData[1];
  u.c = slotData[2];
  u.n = param.length;
  return u;
}

double field(const Args& args, const Napi::Object& step, const char* name) { return args.numberField(step, "step", name); }

// adamUpdate(param, grad, m, v, step)
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  const auto [args, param, grad, m, v, step] = readSignature(info, "adamUpdate", sig::inPlace("param"), sig::f32("grad"), sig::inPlace("m"),
                                                             sig::inPlace("v"), sig::attrs("step"));
  Update u = makeUpdate(args, adamBody, param, grad, {m, v});
  u.p[0] = field(args, step, "lrT"), u.p[1] = field(args, step, "beta1"), u.p[2] = field(args, step, "beta2");
  u.p[3] = field(args, step, "epsilonT");
  runUpdate(u);
  return info.Env().Undefined();
}

// sgdUpdate(param, grad, velocity | null, step)
Napi::Value SgdUpdate(const Napi::CallbackInfo& info) {
  const auto [args, param, grad, velocity, step] = readSignature(info, "sgdUpdate", sig::inPlace("param"), sig::f32("grad"),
                                                                 sig::inPlaceOrNull("velocity"), sig::attrs("step"));
  Update u = makeUpdate(args, sgdBody, param, grad, {velocity});
  const Napi::Value nesterov = step.Get("nesterov");
  if (!nesterov.IsBoolean()) args.fail("step.nesterov must be a boolean");
  u.p[0] = field(args, step, "learningRate"), u.p[1] = field(args, step, "momentum");
  u.p[2] = nesterov.As<Napi::Boolean>().Value() ? 1 : 0;
  runUpdate(u);
  return info.Env().Undefined();
}

// rmspropUpdate(param, grad, meanSquare, momentum | null, meanGrad | null, step)
Napi::Value RmspropUpdate(const Napi::CallbackInfo& info) {
  const auto [args, param, grad, meanSquare, momentum, meanGrad, step] =
      readSignature(info, "rmspropUpdate", sig::inPlace("param"), sig::f32("grad"), sig::inPlace("meanSquare"), sig::inPlaceOrNull("momentum"),
                    sig::inPlaceOrNull("meanGrad"), sig::attrs("step"));
  Update u = makeUpdate(args, rmspropBody, param, grad, {meanSquare, momentum, meanGrad});
  u.p[0] = field(args, step, "learningRate"), u.p[1] = field(args, step, "rho"), u.p[2] = field(args, step, "momentum");
  u.p[3] = field(args, step, "epsilon");
  runUpdate(u);
  return info.Env().Undefined();
}

// adagradUpdate(param, grad, accumulator, step)
Napi::Value AdagradUpdate(const Napi::CallbackInfo& info) {
  const auto [args, param, grad, accumulator, step] = readSignature(info, "adagradUpdate", sig::inPlace("param"), sig::f32("grad"),
                                                                    sig::inPlace("accumulator"), sig::attrs("step"));
  Update u = makeUpdate(args, adagradBody, param, grad, {accumulator});
  u.p[0] = field(args, step, "learningRate"), u.p[1] = field(args, step, "epsilon");
  runUpdate(u);
  return info.Env().Undefined();
}

// adamaxUpdate(param, grad, m, u, step)
Napi::Value AdamaxUpdate(const Napi::CallbackInfo& info) {
  const auto [args, param, grad, m, inf, step] = readSignature(info, "adamaxUpdate", sig::inPlace("param"), sig::f32("grad"),
                                                               sig::inPlace("m"), sig::inPlace("u"), sig::attrs("step"));
  Update u = makeUpdate(args, adamaxBody, param, grad, {m, inf});
  u.p[0] = field(args, step, "stepSize"), u.p[1] = field(args, step, "beta1"), u.p[2] = field(args, step, "beta2");
  u.p[3] = field(args, step, "epsilon");
  runUpdate(u);
  return info.Env().Undefined();
}

// nadamUpdate(param, grad, m, v, step)
Napi::Value NadamUpdate(const Napi::CallbackInfo& info) {
  const auto [args, param, grad, m, v, step] = readSignature(info, "nadamUpdate", sig::inPlace("param"), sig::f32("grad"), sig::inPlace("m"),
                                                             sig::inPlace("v"), sig::attrs("step"));
  Update u = makeUpdate(args, nadamBody, param, grad, {m, v});
  const char* fields[7] = {"learningRate", "beta1", "beta2", "epsilon", "mScale", "gScale", "vScale"};
  for (int k = 0; k < 7; ++k) u.p[k] = field(args, step, fields[k]);
  runUpdate(u);
  return info.Env().Undefined();
}

// decayWeights(param, rate)
Napi::Value DecayWeights(const Napi::CallbackInfo& info) {
  const auto [args, param, rate] = readSignature(info, "decayWeights", sig::inPlace("param"), sig::number("rate"));
  Update u{};
  u.body = decayBody, u.w = param.data, u.n = param.length, u.p[0] = rate;
  runUpdate(u);
  return info.Env().Undefined();
}

// movingAverageUpdate(average, value, momentum)
Napi::Value MovingAverageUpdate(const Napi::CallbackInfo& info) {
  const auto [args, average, value, momentum] =
      readSignature(info, "movingAverageUpdate", sig::inPlace("average"), sig::f32("value"), sig::number("momentum"));
  args.expect(value, Count{average.length, "average.length"});
  Update u{};
  u.body = movingAverageBody, u.w = average.data, u.g = value.data, u.n = average.length, u.p[0] = momentum;
  runUpdate(u);
  return info.Env().Undefined();
}

}  // namespace

CK_EXPORT_KERNEL("adamUpdate", AdamUpdate);
CK_EXPORT_KERNEL("sgdUpdate", SgdUpdate);
CK_EXPORT_KERNEL("rmspropUpdate", RmspropUpdate);
CK_EXPORT_KERNEL("adagradUpdate", AdagradUpdate);
CK_EXPORT_KERNEL("adamaxUpdate", AdamaxUpdate);
CK_EXPORT_KERNEL("nadamUpdate", NadamUpdate);
CK_EXPORT_KERNEL("decayWeights", DecayWeights);
CK_EXPORT_KERNEL("movingAverageUpdate", MovingAverageUpdate);

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
