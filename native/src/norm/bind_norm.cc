// JavaScript bindings of the batch-normalisation kernels: x is [rows, channels]; every length
// and the epsilon are checked before any work starts.
#include <cmath>
#include <string>

#include "args.h"
#include "bindings.h"
#include "norm.h"

namespace ck {
namespace {

std::string s(i64 v) { return std::to_string(v); }

double epsilonArg(const Args& args, size_t i) {
  const double eps = args.number(i, "epsilon");
  if (!(eps > 0) || !std::isfinite(eps)) args.fail("epsilon must be a positive finite number");
  return eps;
}

// A [channels] vector, or null when `nullable` and the argument is null.
View<float> channelVector(const Args& args, const Napi::CallbackInfo& info, size_t i, const char* name, i64 C,
                          bool nullable) {
  if (nullable && (info[i].IsNull() || info[i].IsUndefined())) return View<float>{nullptr, 0};
  const View<float> v = args.f32(i, name);
  args.expectLength(v, name, C, "channels");
  return v;
}

// batchNormTrain(x, gamma | null, beta | null, rows, channels, epsilon, activation, y, mean, variance)
Napi::Value BatchNormTrain(const Napi::CallbackInfo& info) {
  Args args(info, "batchNormTrain", 10);
  const View<float> x = args.f32(0, "x");
  const i64 rows = args.size(3, "rows"), C = args.size(4, "channels");
  const double eps = epsilonArg(args, 5);
  const i64 n = args.product({rows, C}, "x");
  const std::string formula = "rows*channels = " + s(rows) + "*" + s(C);
  args.expectLength(x, "x", n, formula);
  const View<float> gamma = channelVector(args, info, 1, "gamma", C, true);
  const View<float> beta = channelVector(args, info, 2, "beta", C, true);
  const bool relu = args.activation(6);
  const View<float> y = args.f32(7, "y");
  const View<float> mean = channelVector(args, info, 8, "mean", C, false);
  const View<float> variance = channelVector(args, info, 9, "variance", C, false);
  args.expectLength(y, "y", n, formula);
  args.distinct({{y, "y"}, {mean, "mean"}, {variance, "variance"}}, {{x, "x"}, {gamma, "gamma"}, {beta, "beta"}});
  batchNormTrain(x.data, gamma.data, beta.data, rows, C, eps, relu, y.data, mean.data, variance.data);
  return info.Env().Undefined();
}

// batchNormBackward(dy, x, gamma | null, mean, variance, rows, channels, epsilon, reluOutput | null, dx, dgamma, dbeta)
Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) {
  Args args(info, "batchNormBackward", 12);
  const View<float> dy = args.f32(0, "dy"), x = args.f32(1, "x");
  const i64 rows = args.size(5, "rows"), C = args.size(6, "channels");
  const double eps = epsilonArg(args, 7);
  const i64 n = args.product({rows, C}, "x");
  const std::string formula = "rows*channels = " + s(rows) + "*" + s(C);
  args.expectLength(dy, "dy", n, formula);
  args.expectLength(x, "x", n, formula);
  const View<float> gamma = channelVector(args, info, 2, "gamma", C, true);
  const View<float> mean = channelVector(args, info, 3, "mean", C, false);
  const View<float> variance = channelVector(args, info, 4, "variance", C, false);
  const View<float> relu = args.f32OrNull(8, "reluOutput");
  const bool masked = !info[8].IsNull() && !info[8].IsUndefined();
  if (masked) args.expectLength(relu, "reluOutput", n, formula);
  const View<float> dx = args.f32(9, "dx");
  const View<float> dgamma = channelVector(args, info, 10, "dgamma", C, false);
  const View<float> dbeta = channelVector(args, info, 11, "dbeta", C, false);
  args.expectLength(dx, "dx", n, formula);
  args.distinct({{dx, "dx"}, {dgamma, "dgamma"}, {dbeta, "dbeta"}},
                {{dy, "dy"}, {x, "x"}, {gamma, "gamma"}, {mean, "mean"}, {variance, "variance"}, {relu, "reluOutput"}});
  // An empty reluOutput (rows*channels = 0) may have no data pointer: nothing to mask then anyway.
  batchNormBackward(dy.data, x.data, gamma.data, mean.data, variance.data, rows, C, eps, masked ? relu.data : nullptr, dx.data,
                    dgamma.data, dbeta.data);
  return info.Env().Undefined();
}

// batchNormInference(x, scale, shift, rows, channels, activation, y)
Napi::Value BatchNormInference(const Napi::CallbackInfo& info) {
  Args args(info, "batchNormInference", 7);
  const View<float> x = args.f32(0, "x");
  const i64 rows = args.size(3, "rows"), C = args.size(4, "channels");
  const i64 n = args.product({rows, C}, "x");
  const std::string formula = "rows*channels = " + s(rows) + "*" + s(C);
  args.expectLength(x, "x", n, formula);
  const View<float> scale = channelVector(args, info, 1, "scale", C, false);
  const View<float> shift = channelVector(args, info, 2, "shift", C, false);
  const bool relu = args.activation(5);
  const View<float> y = args.f32(6, "y");
  args.expectLength(y, "y", n, formula);
  args.distinct({{y, "y"}}, {{x, "x"}, {scale, "scale"}, {shift, "shift"}});
  batchNormInference(x.data, scale.data, shift.data, rows, C, relu, y.data);
  return info.Env().Undefined();
}

}  // namespace

CK_EXPORT_KERNEL("batchNormTrain", BatchNormTrain);
CK_EXPORT_KERNEL("batchNormBackward", BatchNormBackward);
CK_EXPORT_KERNEL("batchNormInference", BatchNormInference);

}  // namespace ck
