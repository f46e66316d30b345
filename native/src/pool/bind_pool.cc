// JavaScript bindings of the pooling kernels: read the spec's signature, check every size against
// the geometry, then compute into caller-allocated outputs.
#include <string>

#include "bindings.h"
#include "pool.h"
#include "signature.h"

namespace ck {
namespace {

std::string s(i64 v) { return std::to_string(v); }

struct PoolCounts {
  Count in, out;
};

PoolCounts countsOf(const Args& a, const PoolGeom& g) {
  return {countOf(a, {g.batch, g.inH, g.inW, g.C}, "x"), countOf(a, {g.batch, g.outH, g.outW, g.C}, "y")};
}

// maxPool2d(x, geometry) → y, argmax
Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  const auto [args, x, g, y, argmax] =
      readSignature(info, "maxPool2d", sig::f32("x"), sig::pool("geometry"), sig::out("y"), sig::outI32("argmax"));
  const PoolCounts n = countsOf(args, g);
  args.expect(x, n.in);
  if (n.in.n > 2147483647LL) args.fail("x has more than 2^31 - 1 elements; argmax indices would not fit an Int32Array");
  args.expect(y, n.out), args.expect(argmax, n.out);
  maxPool2d(g, x.data, y.data, argmax.data);
  return info.Env().Undefined();
}

// maxPool2dBackward(dy, argmax, geometry) → dx
Napi::Value MaxPool2dBackward(const Napi::CallbackInfo& info) {
  const auto [args, dy, argmax, g, dx] =
      readSignature(info, "maxPool2dBackward", sig::f32("dy"), sig::i32("argmax"), sig::pool("geometry"), sig::out("dx"));
  const PoolCounts n = countsOf(args, g);
  args.expect(dy, n.out), args.expect(argmax, n.out), args.expect(dx, n.in);
  const i64 bad = maxPool2dBackward(g, dy.data, argmax.data, dx.data);
  if (bad >= 0) {
    const i64 image = g.outH * g.outW * g.C > 0 ? bad / (g.outH * g.outW * g.C) : 0;
    const i64 inImage = g.inH * g.inW * g.C;
    args.fail("argmax[" + s(bad) + "] = " + s(argmax.data[bad]) + " is not -1 and not inside image " + s(image) + " of x, [" +
              s(image * inImage) + ", " + s((image + 1) * inImage) + ")");
  }
  return info.Env().Undefined();
}

// avgPool2d(x, geometry) → y
Napi::Value AvgPool2d(const Napi::CallbackInfo& info) {
  const auto [args, x, g, y] = readSignature(info, "avgPool2d", sig::f32("x"), sig::pool("geometry"), sig::out("y"));
  const PoolCounts n = countsOf(args, g);
  args.expect(x, n.in), args.expect(y, n.out);
  avgPool2d(g, x.data, y.data);
  return info.Env().Undefined();
}

// avgPool2dBackward(dy, geometry) → dx
Napi::Value AvgPool2dBackward(const Napi::CallbackInfo& info) {
  const auto [args, dy, g, dx] = readSignature(info, "avgPool2dBackward", sig::f32("dy"), sig::pool("geometry"), sig::out("dx"));
  const PoolCounts n = countsOf(args, g);
  args.expect(dy, n.out), args.expect(dx, n.in);
  avgPool2dBackward(g, dy.data, dx.data);
  return info.Env().Undefined();
}

}  // namespace

CK_EXPORT_KERNEL("maxPool2d", MaxPool2d);
CK_EXPORT_KERNEL("maxPool2dBackward", MaxPool2dBackward);
CK_EXPORT_KERNEL("avgPool2d", AvgPool2d);
CK_EXPORT_KERNEL("avgPool2dBackward", AvgPool2dBackward);

}  // namespace ck
