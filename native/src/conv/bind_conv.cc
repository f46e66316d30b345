// JavaScript bindings of the dense convolution kernels: read the spec's signature, check every
// size against the geometry, then compute into the output arrays the caller allocated (see
// src/backends/native.ts).
#include "bindings.h"
#include "conv.h"
#include "signature.h"

namespace ck {
namespace {

struct ConvCounts {
  Count x, y, filter, bias;
};

ConvCounts countsOf(const Args& a, const ConvGeom& g) {
  return {countOf(a, {g.batch, g.inH, g.inW, g.inC}, "x"), countOf(a, {g.batch, g.outH, g.outW, g.outC}, "y"),
          countOf(a, {g.kH, g.kW, g.inC, g.outC}, "filter"), Count{g.outC, "outChannels"}};
}

// conv2d(x, filter, bias | null, geometry, activation) → y
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  const auto [args, x, w, bias, g, act, y] =
      readSignature(info, "conv2d", sig::f32("x"), sig::f32("filter"), sig::f32OrNull("bias"), sig::conv("geometry"),
                    sig::epilogueActivation(), sig::out("y"));
  const ConvCounts n = countsOf(args, g);
  args.expect(x, n.x), args.expect(w, n.filter), args.expect(bias, n.bias), args.expect(y, n.y);
  conv2d(g, x.data, w.data, bias.data, act, y.data);
  return info.Env().Undefined();
}

// conv2dBackpropInput(dy, filter, geometry) → dx
Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  const auto [args, dy, w, g, dx] =
      readSignature(info, "conv2dBackpropInput", sig::f32("dy"), sig::f32("filter"), sig::conv("geometry"), sig::out("dx"));
  const ConvCounts n = countsOf(args, g);
  args.expect(dy, n.y), args.expect(w, n.filter), args.expect(dx, n.x);
  conv2dBackpropInput(g, dy.data, w.data, dx.data);
  return info.Env().Undefined();
}

// conv2dBackpropFilter(x, dy, geometry) → dfilter
Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  const auto [args, x, dy, g, dw] =
      readSignature(info, "conv2dBackpropFilter", sig::f32("x"), sig::f32("dy"), sig::conv("geometry"), sig::out("dfilter"));
  const ConvCounts n = countsOf(args, g);
  args.expect(x, n.x), args.expect(dy, n.y), args.expect(dw, n.filter);
  conv2dBackpropFilter(g, x.data, dy.data, dw.data);
  return info.Env().Undefined();
}

}  // namespace

CK_EXPORT_KERNEL("conv2d", Conv2d);
CK_EXPORT_KERNEL("conv2dBackpropInput", Conv2dBackpropInput);
CK_EXPORT_KERNEL("conv2dBackpropFilter", Conv2dBackpropFilter);

}  // namespace ck
