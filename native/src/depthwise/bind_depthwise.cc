// JavaScript bindings of the depthwise convolution kernels: check, then compute into the output
// arrays the caller allocated (see src/backends/native.ts).
#include <string>

#include "args.h"
#include "bindings.h"
#include "depthwise.h"
#include "geom_args.h"

namespace ck {
namespace {

std::string s(i64 v) { return std::to_string(v); }

i64 xSize(const Args& a, const ConvGeom& g) { return a.product({g.batch, g.inH, g.inW, g.inC}, "x"); }
i64 ySize(const Args& a, const ConvGeom& g) { return a.product({g.batch, g.outH, g.outW, g.outC}, "y"); }
std::string xFormula(const ConvGeom& g) { return s(g.batch) + "*" + s(g.inH) + "*" + s(g.inW) + "*" + s(g.inC); }
std::string yFormula(const ConvGeom& g) { return s(g.batch) + "*" + s(g.outH) + "*" + s(g.outW) + "*" + s(g.outC); }

// The depthwise geometry: outChannels must be inChannels times the multiplier.
ConvGeom readDepthwiseGeom(const Args& args, size_t i) {
  const ConvGeom g = readConvGeom(args, i);
  if (g.inC == 0 ? g.outC != 0 : g.outC % g.inC != 0)
    args.fail("geometry.outChannels (" + s(g.outC) + ") must be a multiple of geometry.inChannels (" + s(g.inC) + ")");
  return g;
}

i64 dwSize(const Args& a, const ConvGeom& g) { return a.product({g.kH, g.kW, g.outC}, "filter"); }
std::string dwFormula(const ConvGeom& g) {
  return s(g.kH) + "*" + s(g.kW) + "*" + s(g.inC) + "*" + s(g.inC > 0 ? g.outC / g.inC : 0);
}

// depthwiseConv2d(x, filter, geometry, y)
Napi::Value DepthwiseConv2d(const Napi::CallbackInfo& info) {
  Args args(info, "depthwiseConv2d", 4);
  const View<float> x = args.f32(0, "x"), w = args.f32(1, "filter");
  const ConvGeom g = readDepthwiseGeom(args, 2);
  const View<float> y = args.f32(3, "y");
  args.expectLength(x, "x", xSize(args, g), xFormula(g));
  args.expectLength(w, "filter", dwSize(args, g), dwFormula(g));
  args.expectLength(y, "y", ySize(args, g), yFormula(g));
  args.expectDistinct(y, "y", x, "x");
  args.expectDistinct(y, "y", w, "filter");
  depthwiseConv2d(g, x.data, w.data, y.data);
  return info.Env().Undefined();
}

// depthwiseConv2dBackpropInput(dy, filter, geometry, dx)
Napi::Value DepthwiseConv2dBackpropInput(const Napi::CallbackInfo& info) {
  Args args(info, "depthwiseConv2dBackpropInput", 4);
  const View<float> dy = args.f32(0, "dy"), w = args.f32(1, "filter");
  const ConvGeom g = readDepthwiseGeom(args, 2);
  const View<float> dx = args.f32(3, "dx");
  args.expectLength(dy, "dy", ySize(args, g), yFormula(g));
  args.expectLength(w, "filter", dwSize(args, g), dwFormula(g));
  args.expectLength(dx, "dx", xSize(args, g), xFormula(g));
  args.expectDistinct(dx, "dx", dy, "dy");
  args.expectDistinct(dx, "dx", w, "filter");
  depthwiseConv2dBackpropInput(g, dy.data, w.data, dx.data);
  return info.Env().Undefined();
}

// depthwiseConv2dBackpropFilter(x, dy, geometry, dfilter)
Napi::Value DepthwiseConv2dBackpropFilter(const Napi::CallbackInfo& info) {
  Args args(info, "depthwiseConv2dBackpropFilter", 4);
  const View<float> x = args.f32(0, "x"), dy = args.f32(1, "dy");
  const ConvGeom g = readDepthwiseGeom(args, 2);
  const View<float> dw = args.f32(3, "dfilter");
  args.expectLength(x, "x", xSize(args, g), xFormula(g));
  args.expectLength(dy, "dy", ySize(args, g), yFormula(g));
  args.expectLength(dw, "dfilter", dwSize(args, g), dwFormula(g));
  args.expectDistinct(dw, "dfilter", x, "x");
  args.expectDistinct(dw, "dfilter", dy, "dy");
  depthwiseConv2dBackpropFilter(g, x.data, dy.data, dw.data);
  return info.Env().Undefined();
}

}  // namespace

CK_EXPORT_KERNEL("depthwiseConv2d", DepthwiseConv2d);
CK_EXPORT_KERNEL("depthwiseConv2dBackpropInput", DepthwiseConv2dBackpropInput);
CK_EXPORT_KERNEL("depthwiseConv2dBackpropFilter", DepthwiseConv2dBackpropFilter);

}  // namespace ck
