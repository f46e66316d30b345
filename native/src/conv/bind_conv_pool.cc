// JavaScript bindings of the fused Conv2D → MaxPooling2D kernels: check, then compute into the
// outputs the caller allocated (see src/backends/native.ts).
#include <string>

#include "args.h"
#include "bindings.h"
#include "conv_pool.h"
#include "geom_args.h"

namespace ck {
namespace {

std::string s(i64 v) { return std::to_string(v); }

struct Sizes {
  i64 x, filter, conv, pooled;
  std::string xFormula, filterFormula, pooledFormula;
};

// Both geometries, checked against each other: the pooling must pool the convolution's output.
Sizes checkGeometries(const Args& args, const ConvGeom& g, const PoolGeom& p) {
  if (p.batch != g.batch || p.inH != g.outH || p.inW != g.outW || p.C != g.outC)
    args.fail("pool (batch " + s(p.batch) + ", inHeight " + s(p.inH) + ", inWidth " + s(p.inW) + ", channels " + s(p.C) +
              ") must pool the convolution's output (batch " + s(g.batch) + ", outHeight " + s(g.outH) + ", outWidth " +
              s(g.outW) + ", outChannels " + s(g.outC) + ")");
  args.product({g.batch, g.outH, g.outW, g.kH, g.kW, g.inC}, "the im2col matrix (batch*outHeight*outWidth*kernelHeight*kernelWidth*inChannels)");
  Sizes z;
  z.x = args.product({g.batch, g.inH, g.inW, g.inC}, "x");
  z.filter = args.product({g.kH, g.kW, g.inC, g.outC}, "filter");
  z.conv = args.product({g.batch, g.outH, g.outW, g.outC}, "the convolution output");
  z.pooled = args.product({p.batch, p.outH, p.outW, p.C}, "y");
  if (z.conv > 2147483647LL)
    args.fail("the convolution output has " + s(z.conv) + " elements, more than 2^31 - 1; argmax indices would not fit an Int32Array");
  z.xFormula = s(g.batch) + "*" + s(g.inH) + "*" + s(g.inW) + "*" + s(g.inC);
  z.filterFormula = s(g.kH) + "*" + s(g.kW) + "*" + s(g.inC) + "*" + s(g.outC);
  z.pooledFormula = s(p.batch) + "*" + s(p.outH) + "*" + s(p.outW) + "*" + s(p.C);
  return z;
}

bool isNull(const Napi::CallbackInfo& info, size_t i) { return info[i].IsNull() || info[i].IsUndefined(); }

// conv2dMaxPool(x, filter, bias | null, conv, pool, activation, y, argmax)
Napi::Value Conv2dMaxPool(const Napi::CallbackInfo& info) {
  Args args(info, "conv2dMaxPool", 8);
  const View<float> x = args.f32(0, "x"), w = args.f32(1, "filter");
  const View<float> bias = args.f32OrNull(2, "bias");
  const ConvGeom g = readConvGeom(args, 3, "conv");
  const PoolGeom p = readPoolGeom(args, 4, "pool");
  const bool relu = args.activation(5);
  const View<float> y = args.f32(6, "y");
  const View<int32_t> argmax = args.i32(7, "argmax");
  const Sizes z = checkGeometries(args, g, p);
  args.expectLength(x, "x", z.x, z.xFormula);
  args.expectLength(w, "filter", z.filter, z.filterFormula);
  if (!isNull(info, 2)) args.expectLength(bias, "bias", g.outC, "outChannels");
  args.expectLength(y, "y", z.pooled, z.pooledFormula);
  args.expectLength(argmax, "argmax", z.pooled, z.pooledFormula);
  args.distinct({{y, "y"}, {argmax, "argmax"}}, {{x, "x"}, {w, "filter"}, {bias, "bias"}});
  conv2dMaxPool(g, p, x.data, w.data, bias.data, relu, y.data, argmax.data);
  return info.Env().Undefined();
}

// conv2dMaxPoolBackward(dy, x, filter, y, argmax, conv, pool, activation, needs, dx | null, dFilter | null, dBias | null):
// each output is present exactly when `needs` asks for it.
Napi::Value Conv2dMaxPoolBackward(const Napi::CallbackInfo& info) {
  Args args(info, "conv2dMaxPoolBackward", 12);
  const View<float> dy = args.f32(0, "dy"), x = args.f32(1, "x"), w = args.f32(2, "filter"), y = args.f32(3, "y");
  const View<int32_t> argmax = args.i32(4, "argmax");
  const ConvGeom g = readConvGeom(args, 5, "conv");
  const PoolGeom p = readPoolGeom(args, 6, "pool");
  const bool relu = args.activation(7);
  const Napi::Object needs = args.object(8, "needs");
  const char* outNames[3] = {"dx", "dFilter", "dBias"};
  const char* needNames[3] = {"input", "filter", "bias"};
  for (size_t k = 0; k < 3; ++k)
    if (needs.Get(needNames[k]).ToBoolean().Value() == isNull(info, 9 + k))
      args.fail(std::string(outNames[k]) + " must be " + (isNull(info, 9 + k) ? "a Float32Array" : "null") +
                " when needs." + needNames[k] + " is " + (isNull(info, 9 + k) ? "true" : "false"));
  const View<float> dx = args.f32OrNull(9, "dx"), dw = args.f32OrNull(10, "dFilter"), db = args.f32OrNull(11, "dBias");
  const Sizes z = checkGeometries(args, g, p);
  args.lengths({{dy, "dy"}, {y, "y"}, {argmax, "argmax"}}, z.pooled, z.pooledFormula);
  args.expectLength(x, "x", z.x, z.xFormula);
  args.expectLength(w, "filter", z.filter, z.filterFormula);
  if (!isNull(info, 9)) args.expectLength(dx, "dx", z.x, z.xFormula);
  if (!isNull(info, 10)) args.expectLength(dw, "dFilter", z.filter, z.filterFormula);
  if (!isNull(info, 11)) args.expectLength(db, "dBias", g.outC, "outChannels");
  args.distinct({{dx, "dx"}, {dw, "dFilter"}, {db, "dBias"}}, {{dy, "dy"}, {x, "x"}, {w, "filter"}, {y, "y"}, {argmax, "argmax"}});
  const i64 bad = conv2dMaxPoolBackward(g, p, dy.data, x.data, w.data, y.data, argmax.data, relu, dx.data, dw.data, db.data);
  if (bad >= 0) {
    const i64 pooledImage = p.outH * p.outW * p.C, convImage = g.outH * g.outW * g.outC;
    const i64 image = pooledImage > 0 ? bad / pooledImage : 0;
    args.fail("argmax[" + s(bad) + "] = " + s(argmax.data[bad]) + " is not -1 and not inside image " + s(image) +
              " of the convolution output, [" + s(image * convImage) + ", " + s((image + 1) * convImage) + ")");
  }
  return info.Env().Undefined();
}

}  // namespace

CK_EXPORT_KERNEL("conv2dMaxPool", Conv2dMaxPool);
CK_EXPORT_KERNEL("conv2dMaxPoolBackward", Conv2dMaxPoolBackward);

}  // namespace ck
