// JavaScript bindings of the pooling kernels: check, then compute into caller-allocated outputs.
#include <string>

#include "args.h"
#include "bindings.h"
#include "geom_args.h"
#include "pool.h"

namespace ck {
namespace {

std::string s(i64 v) { return std::to_string(v); }

struct Sizes {
  i64 in, out;
  std::string inFormula, outFormula;
};

Sizes sizesOf(const Args& args, const PoolGeom& g) {
  return Sizes{args.product({g.batch, g.inH, g.inW, g.C}, "x"),
               args.product({g.batch, g.outH, g.outW, g.C}, "y"),
               s(g.batch) + "*" + s(g.inH) + "*" + s(g.inW) + "*" + s(g.C),
               s(g.batch) + "*" + s(g.outH) + "*" + s(g.outW) + "*" + s(g.C)};
}

// maxPool2d(x, geometry, y, argmax)
Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  Args args(info, "maxPool2d", 4);
  const View<float> x = args.f32(0, "x");
  const PoolGeom g = readPoolGeom(args, 1);
  const View<float> y = args.f32(2, "y");
  const View<int32_t> argmax = args.i32(3, "argmax");
  const Sizes z = sizesOf(args, g);
  args.expectLength(x, "x", z.in, z.inFormula);
  if (z.in > 2147483647LL) args.fail("x has more than 2^31 - 1 elements; argmax indices would not fit an Int32Array");
  args.expectLength(y, "y", z.out, z.outFormula);
  args.expectLength(argmax, "argmax", z.out, z.outFormula);
  args.distinct({{y, "y"}}, {{x, "x"}});
  maxPool2d(g, x.data, y.data, argmax.data);
  return info.Env().Undefined();
}

// maxPool2dBackward(dy, argmax, geometry, dx)
Napi::Value MaxPool2dBackward(const Napi::CallbackInfo& info) {
  Args args(info, "maxPool2dBackward", 4);
  const View<float> dy = args.f32(0, "dy");
  const View<int32_t> argmax = args.i32(1, "argmax");
  const PoolGeom g = readPoolGeom(args, 2);
  const View<float> dx = args.f32(3, "dx");
  const Sizes z = sizesOf(args, g);
  args.expectLength(dy, "dy", z.out, z.outFormula);
  args.expectLength(argmax, "argmax", z.out, z.outFormula);
  args.expectLength(dx, "dx", z.in, z.inFormula);
  args.distinct({{dx, "dx"}}, {{dy, "dy"}, {argmax, "argmax"}});
  const i64 bad = maxPool2dBackward(g, dy.data, argmax.data, dx.data);
  if (bad >= 0) {
    const i64 image = g.outH * g.outW * g.C > 0 ? bad / (g.outH * g.outW * g.C) : 0;
    const i64 inImage = g.inH * g.inW * g.C;
    args.fail("argmax[" + s(bad) + "] = " + s(argmax.data[bad]) + " is not -1 and not inside image " +
              s(image) + " of x, [" + s(image * inImage) + ", " + s((image + 1) * inImage) + ")");
  }
  return info.Env().Undefined();
}

// avgPool2d(x, geometry, y)
Napi::Value AvgPool2d(const Napi::CallbackInfo& info) {
  Args args(info, "avgPool2d", 3);
  const View<float> x = args.f32(0, "x");
  const PoolGeom g = readPoolGeom(args, 1);
  const View<float> y = args.f32(2, "y");
  const Sizes z = sizesOf(args, g);
  args.expectLength(x, "x", z.in, z.inFormula);
  args.expectLength(y, "y", z.out, z.outFormula);
  args.distinct({{y, "y"}}, {{x, "x"}});
  avgPool2d(g, x.data, y.data);
  return info.Env().Undefined();
}

// avgPool2dBackward(dy, geometry, dx)
Napi::Value AvgPool2dBackward(const Napi::CallbackInfo& info) {
  Args args(info, "avgPool2dBackward", 3);
  const View<float> dy = args.f32(0, "dy");
  const PoolGeom g = readPoolGeom(args, 1);
  const View<float> dx = args.f32(2, "dx");
  const Sizes z = sizesOf(args, g);
  args.expectLength(dy, "dy", z.out, z.outFormula);
  args.expectLength(dx, "dx", z.in, z.inFormula);
  args.distinct({{dx, "dx"}}, {{dy, "dy"}});
  avgPool2dBackward(g, dy.data, dx.data);
  return info.Env().Undefined();
}

}  // namespace

CK_EXPORT_KERNEL("maxPool2d", MaxPool2d);
CK_EXPORT_KERNEL("maxPool2dBackward", MaxPool2dBackward);
CK_EXPORT_KERNEL("avgPool2d", AvgPool2d);
CK_EXPORT_KERNEL("avgPool2dBackward", AvgPool2dBackward);

}  // namespace ck
