// JavaScript bindings of the batch-normalisation kernels: x is [rows, channels]; the spec's
// signature is read, then every length and the epsilon are checked before any work starts.
#include <cmath>
#include <string>

#include "bindings.h"
#include "norm.h"
#include "signature.h"

namespace ck {
namespace {

std::string s(i64 v) { return std::to_string(v); }

void checkEpsilon(const Args& args, double eps) {
  if (!(eps > 0) || !std::isfinite(eps)) args.fail("epsilon must be a positive finite number");
}

Count rowsTimesChannels(const Args& args, i64 rows, i64 C, const char* what) {
  return Count{args.product({rows, C}, what), "rows*channels = " + s(rows) + "*" + s(C)};
}


// batchNormTrain(x, gamma | null, beta | null, rows, channels, epsilon, activation) → y, mean, variance
Napi::Value BatchNormTrain(const Napi::CallbackInfo& info) {
  const auto [args, x, gamma, beta, rows, C, eps, act, y, mean, variance] = readSignature(
      info, "batchNormTrain", sig::f32("x"), sig::f32OrNull("gamma"), sig::f32OrNull("beta"), sig::size("rows"), sig::size("channels"),
      sig::number("epsilon"), sig::epilogueActivation(), sig::out("y"), sig::out("mean"), sig::out("variance"));
  checkEpsilon(args, eps);
  const Count n = rowsTimesChannels(args, rows, C, "x"), c{C, "channels"};
  args.expect(x, n), args.expect(gamma, c), args.expect(beta, c), args.expect(y, n), args.expect(mean, c), args.expect(variance, c);
  batchNormTrain(x.data, gamma.data, beta.data, rows, C, eps, act, y.data, mean.data, variance.data);
  return info.Env().Undefined();
}

// batchNormBackward(dy, x, gamma | null, mean, variance, rows, channels, epsilon, activation, activationOutput | null)
//   → dx, dgamma, dbeta
Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) {
  const auto [args, dy, x, gamma, mean, variance, rows, C, eps, act, actOut, dx, dgamma, dbeta] =
      readSignature(info, "batchNormBackward", sig::f32("dy"), sig::f32("x"), sig::f32OrNull("gamma"), sig::f32("mean"),
                    sig::f32("variance"), sig::size("rows"), sig::size("channels"), sig::number("epsilon"),
                    sig::epilogueActivation(), sig::f32OrNull("activationOutput"), sig::out("dx"), sig::out("dgamma"),
                    sig::out("dbeta"));
  checkEpsilon(args, eps);
  const Count n = rowsTimesChannels(args, rows, C, "x"), c{C, "channels"};
  args.expect(dy, n), args.expect(x, n), args.expect(gamma, c), args.expect(mean, c), args.expect(variance, c);
  args.expect(actOut, n), args.expect(dx, n), args.expect(dgamma, c), args.expect(dbeta, c);
  // An empty activationOutput (rows*channels = 0) may have no data pointer: nothing to mask then anyway.
  batchNormBackward(dy.data, x.data, gamma.data, mean.data, variance.data, rows, C, eps, act, actOut.present ? actOut.data : nullptr,
                    dx.data, dgamma.data, dbeta.data);
  return info.Env().Undefined();
}

// batchNormInference(x, scale, shift, rows, channels, activation) → y
Napi::Value BatchNormInference(const Napi::CallbackInfo& info) {
  const auto [args, x, scale, shift, rows, C, relu, y] =
      readSignature(info, "batchNormInference", sig::f32("x"), sig::f32("scale"), sig::f32("shift"), sig::size("rows"),
                    sig::size("channels"), sig::activation(), sig::out("y"));
  const Count n = rowsTimesChannels(args, rows, C, "x"), c{C, "channels"};
  args.expect(x, n), args.expect(scale, c), args.expect(shift, c), args.expect(y, n);
  batchNormInference(x.data, scale.data, shift.data, rows, C, relu, y.data);
  return info.Env().Undefined();
}

}  // namespace

CK_EXPORT_KERNEL("batchNormTrain", BatchNormTrain);
CK_EXPORT_KERNEL("batchNormBackward", BatchNormBackward);
CK_EXPORT_KERNEL("batchNormInference", BatchNormInference);

}  // namespace ck
