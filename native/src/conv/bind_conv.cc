// JavaScript bindings of the dense convolution kernels: check, then compute into the
// output arrays the caller allocated (see src/backends/native.ts).
#include <string>

#include "args.h"
#include "bindings.h"
#include "conv.h"
#include "geom_args.h"

namespace ck {
namespace {

std::string s(i64 v) { return std::to_string(v); }

i64 xSize(const Args& a, const ConvGeom& g) { return a.product({g.batch, g.inH, g.inW, g.inC}, "x"); }
i64 ySize(const Args& a, const ConvGeom& g) { return a.product({g.batch, g.outH, g.outW, g.outC}, "y"); }
i64 wSize(const Args& a, const ConvGeom& g) { return a.product({g.kH, g.kW, g.inC, g.outC}, "filter"); }
std::string xFormula(const ConvGeom& g) { return s(g.batch) + "*" + s(g.inH) + "*" + s(g.inW) + "*" + s(g.inC); }
std::string yFormula(const ConvGeom& g) { return s(g.batch) + "*" + s(g.outH) + "*" + s(g.outW) + "*" + s(g.outC); }
std::string wFormula(const ConvGeom& g) { return s(g.kH) + "*" + s(g.kW) + "*" + s(g.inC) + "*" + s(g.outC); }

// conv2d(x, filter, bias | null, geometry, activation, y)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  Args args(info, "conv2d", 6);
  const View<float> x = args.f32(0, "x"), w = args.f32(1, "filter");
  const View<float> bias = args.f32OrNull(2, "bias");
  const ConvGeom g = readConvGeom(args, 3);
  const bool relu = args.activation(4);
  const View<float> y = args.f32(5, "y");
  args.expectLength(x, "x", xSize(args, g), xFormula(g));
  args.expectLength(w, "filter", wSize(args, g), wFormula(g));
  if (!info[2].IsNull() && !info[2].IsUndefined()) args.expectLength(bias, "bias", g.outC, "outChannels");
  args.expectLength(y, "y", ySize(args, g), yFormula(g));
  args.distinct({{y, "y"}}, {{x, "x"}, {w, "filter"}, {bias, "bias"}});
  conv2d(g, x.data, w.data, bias.data, relu, y.data);
  return info.Env().Undefined();
}

// conv2dBackpropInput(dy, filter, geometry, dx)
Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  Args args(info, "conv2dBackpropInput", 4);
  const View<float> dy = args.f32(0, "dy"), w = args.f32(1, "filter");
  const ConvGeom g = readConvGeom(args, 2);
  const View<float> dx = args.f32(3, "dx");
  args.expectLength(dy, "dy", ySize(args, g), yFormula(g));
  args.expectLength(w, "filter", wSize(args, g), wFormula(g));
  args.expectLength(dx, "dx", xSize(args, g), xFormula(g));
  args.distinct({{dx, "dx"}}, {{dy, "dy"}, {w, "filter"}});
  conv2dBackpropInput(g, dy.data, w.data, dx.data);
  return info.Env().Undefined();
}

// conv2dBackpropFilter(x, dy, geometry, dfilter)
Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  Args args(info, "conv2dBackpropFilter", 4);
  const View<float> x = args.f32(0, "x"), dy = args.f32(1, "dy");
  const ConvGeom g = readConvGeom(args, 2);
  const View<float> dw = args.f32(3, "dfilter");
  args.expectLength(x, "x", xSize(args, g), xFormula(g));
  args.expectLength(dy, "dy", ySize(args, g), yFormula(g));
  args.expectLength(dw, "dfilter", wSize(args, g), wFormula(g));
  args.distinct({{dw, "dfilter"}}, {{x, "x"}, {dy, "dy"}});
  conv2dBackpropFilter(g, x.data, dy.data, dw.data);
  return info.Env().Undefined();
}

}  // namespace

CK_EXPORT_KERNEL("conv2d", Conv2d);
CK_EXPORT_KERNEL("conv2dBackpropInput", Conv2dBackpropInput);
CK_EXPORT_KERNEL("conv2dBackpropFilter", Conv2dBackpropFilter);

}  // namespace ck
