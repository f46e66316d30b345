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

#include "args.h"
#include "bindings.h"
#include "elementwise.h"
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

struct Slot {
  View<float> view;
  const char* name;
};

// Reads param (0), grad (1) and the slots at 2.. (nullable where asked), checks lengths and
// aliasing, and fills the update's buffers.
template <size_t N>
Update readUpdate(const Args& args, const Napi::CallbackInfo& info, void (*body)(const Update&, i64, i64),
                  const char* const (&names)[N], const bool (&nullable)[N]) {
  const View<float> param = args.f32(0, "param"), grad = args.f32(1, "grad");
  Slot slots[3] = {{{nullptr, 0}, ""}, {{nullptr, 0}, ""}, {{nullptr, 0}, ""}};
  for (size_t k = 0; k < N; ++k) {
    slots[k] = {nullable[k] ? args.f32OrNull(2 + k, names[k]) : args.f32(2 + k, names[k]), names[k]};
    const bool present = !(info[2 + k].IsNull() || info[2 + k].IsUndefined());
    if (present) args.expectLength(slots[k].view, names[k], param.length, "param.length");
  }
  args.expectLength(grad, "grad", param.length, "param.length");
  args.distinct({{param, "param"}, {slots[0].view, slots[0].name}, {slots[1].view, slots[1].name}, {slots[2].view, slots[2].name}},
                {{grad, "grad"}});
  Update u{};
  u.body = body;
  u.w = param.data;
  u.g = grad.data;
  u.a = slots[0].view.data;
  u.b = slots[1].view.data;
  u.c = slots[2].view.data;
  u.n = param.length;
  return u;
}

double field(const Args& args, const Napi::Object& step, const char* name) { return args.numberField(step, "step", name); }

// adamUpdate(param, grad, m, v, step)
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  Args args(info, "adamUpdate", 5);
  Update u = readUpdate(args, info, adamBody, {"m", "v"}, {false, false});
  const Napi::Object step = args.object(4, "step");
  u.p[0] = field(args, step, "lrT"), u.p[1] = field(args, step, "beta1"), u.p[2] = field(args, step, "beta2");
  u.p[3] = field(args, step, "epsilonT");
  runUpdate(u);
  return info.Env().Undefined();
}

// sgdUpdate(param, grad, velocity | null, step)
Napi::Value SgdUpdate(const Napi::CallbackInfo& info) {
  Args args(info, "sgdUpdate", 4);
  Update u = readUpdate(args, info, sgdBody, {"velocity"}, {true});
  const Napi::Object step = args.object(3, "step");
  const Napi::Value nesterov = step.Get("nesterov");
  if (!nesterov.IsBoolean()) args.fail("step.nesterov must be a boolean");
  u.p[0] = field(args, step, "learningRate"), u.p[1] = field(args, step, "momentum");
  u.p[2] = nesterov.As<Napi::Boolean>().Value() ? 1 : 0;
  runUpdate(u);
  return info.Env().Undefined();
}

// rmspropUpdate(param, grad, meanSquare, momentum | null, meanGrad | null, step)
Napi::Value RmspropUpdate(const Napi::CallbackInfo& info) {
  Args args(info, "rmspropUpdate", 6);
  Update u = readUpdate(args, info, rmspropBody, {"meanSquare", "momentum", "meanGrad"}, {false, true, true});
  const Napi::Object step = args.object(5, "step");
  u.p[0] = field(args, step, "learningRate"), u.p[1] = field(args, step, "rho"), u.p[2] = field(args, step, "momentum");
  u.p[3] = field(args, step, "epsilon");
  runUpdate(u);
  return info.Env().Undefined();
}

// adagradUpdate(param, grad, accumulator, step)
Napi::Value AdagradUpdate(const Napi::CallbackInfo& info) {
  Args args(info, "adagradUpdate", 4);
  Update u = readUpdate(args, info, adagradBody, {"accumulator"}, {false});
  const Napi::Object step = args.object(3, "step");
  u.p[0] = field(args, step, "learningRate"), u.p[1] = field(args, step, "epsilon");
  runUpdate(u);
  return info.Env().Undefined();
}

// adamaxUpdate(param, grad, m, u, step)
Napi::Value AdamaxUpdate(const Napi::CallbackInfo& info) {
  Args args(info, "adamaxUpdate", 5);
  Update u = readUpdate(args, info, adamaxBody, {"m", "u"}, {false, false});
  const Napi::Object step = args.object(4, "step");
  u.p[0] = field(args, step, "stepSize"), u.p[1] = field(args, step, "beta1"), u.p[2] = field(args, step, "beta2");
  u.p[3] = field(args, step, "epsilon");
  runUpdate(u);
  return info.Env().Undefined();
}

// nadamUpdate(param, grad, m, v, step)
Napi::Value NadamUpdate(const Napi::CallbackInfo& info) {
  Args args(info, "nadamUpdate", 5);
  Update u = readUpdate(args, info, nadamBody, {"m", "v"}, {false, false});
  const Napi::Object step = args.object(4, "step");
  const char* fields[7] = {"learningRate", "beta1", "beta2", "epsilon", "mScale", "gScale", "vScale"};
  for (int k = 0; k < 7; ++k) u.p[k] = field(args, step, fields[k]);
  runUpdate(u);
  return info.Env().Undefined();
}

// decayWeights(param, rate)
Napi::Value DecayWeights(const Napi::CallbackInfo& info) {
  Args args(info, "decayWeights", 2);
  const View<float> param = args.f32(0, "param");
  const double rate = args.number(1, "rate");
  Update u{};
  u.body = decayBody, u.w = param.data, u.n = param.length, u.p[0] = rate;
  runUpdate(u);
  return info.Env().Undefined();
}

// movingAverageUpdate(average, value, momentum)
Napi::Value MovingAverageUpdate(const Napi::CallbackInfo& info) {
  Args args(info, "movingAverageUpdate", 3);
  const View<float> average = args.f32(0, "average"), value = args.f32(1, "value");
  const double momentum = args.number(2, "momentum");
  args.expectLength(value, "value", average.length, "average.length");
  args.distinct({{average, "average"}}, {{value, "value"}});
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
