// JavaScript bindings of the depthwise convolution kernels: read the spec's signature, check every
// size against the geometry, then compute into the output arrays the caller allocated (see
// src/backends/native.ts).
#include <string>

#include "bindings.h"
#include "depthwise.h"
#include "signature.h"

namespace ck {
namespace {

// The depthwise geometry: outChannels must be inChannels times the multiplier.
ConvGeom readDepthwiseGeom(const Args& args, size_t i, const char* name) {
  const ConvGeom g = readConvGeom(args, i, name);
  if (g.inC == 0 ? g.outC != 0 : g.outC % g.inC != 0)
    args.fail(std::string(name) + ".outChannels (" + std::to_string(g.outC) + ") must be a multiple of " + name +
              ".inChannels (" + std::to_string(g.inC) + ")");
  return g;
}

struct DepthwiseCounts {
  Count x, y, filter;
};

DepthwiseCounts countsOf(const Args& a, const ConvGeom& g) {
  return {countOf(a, {g.batch, g.inH, g.inW, g.inC}, "x"), countOf(a, {g.batch, g.outH, g.outW, g.outC}, "y"),
          countOf(a, {g.kH, g.kW, g.inC, g.inC > 0 ? g.outC / g.inC : 0}, "filter")};  // [kH, kW, inC, multiplier], as Keras
}

// depthwiseConv2d(x, filter, bias | null, geometry, activation) → y
Napi::Value DepthwiseConv2d(const Napi::CallbackInfo& info) {
  const auto [args, x, w, bias, g, act, y] =
      readSignature(info, "depthwiseConv2d", sig::f32("x"), sig::f32("filter"), sig::f32OrNull("bias"),
                    sig::attrs("geometry", readDepthwiseGeom), sig::epilogueActivation(), sig::out("y"));
  const DepthwiseCounts n = countsOf(args, g);
  args.expect(x, n.x), args.expect(w, n.filter), args.expect(y, n.y);
  args.expect(bias, Count{g.outC, "geometry.outChannels"});
  depthwiseConv2d(g, x.data, w.data, bias.present ? bias.data : nullptr, act, y.data);
  return info.Env().Undefined();
}

// depthwiseConv2dBackpropInput(dy, filter, geometry) → dx
Napi::Value DepthwiseConv2dBackpropInput(const Napi::CallbackInfo& info) {
  const auto [args, dy, w, g, dx] = readSignature(info, "depthwiseConv2dBackpropInput", sig::f32("dy"), sig::f32("filter"),
                                                  sig::attrs("geometry", readDepthwiseGeom), sig::out("dx"));
  const DepthwiseCounts n = countsOf(args, g);
  args.expect(dy, n.y), args.expect(w, n.filter), args.expect(dx, n.x);
  depthwiseConv2dBackpropInput(g, dy.data, w.data, dx.data);
  return info.Env().Undefined();
}

// depthwiseConv2dBackpropFilter(x, dy, geometry) → dfilter
Napi::Value DepthwiseConv2dBackpropFilter(const Napi::CallbackInfo& info) {
  const auto [args, x, dy, g, dw] = readSignature(info, "depthwiseConv2dBackpropFilter", sig::f32("x"), sig::f32("dy"),
                                                  sig::attrs("geometry", readDepthwiseGeom), sig::out("dfilter"));
  const DepthwiseCounts n = countsOf(args, g);
  args.expect(x, n.x), args.expect(dy, n.y), args.expect(dw, n.filter);
  depthwiseConv2dBackpropFilter(g, x.data, dy.data, dw.data);
  return info.Env().Undefined();
}

// depthwisePointwiseConv2d(x, depthFilter, depthBias | null, geometry, depthActivation,
//                          pointFilter, pointBias | null, outChannels, pointActivation) → y
Napi::Value DepthwisePointwiseConv2d(const Napi::CallbackInfo& info) {
  const auto [args, x, dw, db, g, dAct, pw, pb, outC, pAct, y] = readSignature(
      info, "depthwisePointwiseConv2d", sig::f32("x"), sig::f32("depthFilter"), sig::f32OrNull("depthBias"),
      sig::attrs("geometry", readDepthwiseGeom), sig::epilogueActivation("depthActivation"), sig::f32("pointFilter"),
      sig::f32OrNull("pointBias"), sig::size("outChannels"), sig::epilogueActivation("pointActivation"), sig::out("y"));
  const DepthwiseCounts n = countsOf(args, g);
  args.expect(x, n.x), args.expect(dw, n.filter);
  args.expect(db, Count{g.outC, "geometry.outChannels"});
  args.expect(pw, countOf(args, {g.outC, outC}, "pointFilter"));
  args.expect(pb, Count{outC, "outChannels"});
  args.expect(y, countOf(args, {g.batch, g.outH, g.outW, outC}, "y"));
  depthwisePointwiseConv2d(g, x.data, dw.data, db.present ? db.data : nullptr, dAct, pw.data, pb.present ? pb.data : nullptr,
                           outC, pAct, y.data);
  return info.Env().Undefined();
}

// expandDepthwisePointwiseConv2d(x, inChannels, expandFilter, expandBias | null, expandActivation,
//   depthFilter, depthBias | null, geometry, depthActivation, pointFilter, pointBias | null,
//   outChannels, pointActivation) → y
Napi::Value ExpandDepthwisePointwiseConv2d(const Napi::CallbackInfo& info) {
  const auto [args, x, inC, ef, eb, eAct, dw, db, g, dAct, pw, pb, outC, pAct, y] = readSignature(
      info, "expandDepthwisePointwiseConv2d", sig::f32("x"), sig::size("inChannels"), sig::f32("expandFilter"),
      sig::f32OrNull("expandBias"), sig::epilogueActivation("expandActivation"), sig::f32("depthFilter"), sig::f32OrNull("depthBias"),
      sig::attrs("geometry", readDepthwiseGeom), sig::epilogueActivation("depthActivation"), sig::f32("pointFilter"),
      sig::f32OrNull("pointBias"), sig::size("outChannels"), sig::epilogueActivation("pointActivation"), sig::out("y"));
  const DepthwiseCounts n = countsOf(args, g);
  args.expect(x, countOf(args, {g.batch, g.inH, g.inW, inC}, "x"));
  args.expect(ef, countOf(args, {inC, g.inC}, "expandFilter"));
  args.expect(eb, Count{g.inC, "geometry.inChannels"});
  args.expect(dw, n.filter);
  args.expect(db, Count{g.outC, "geometry.outChannels"});
  args.expect(pw, countOf(args, {g.outC, outC}, "pointFilter"));
  args.expect(pb, Count{outC, "outChannels"});
  args.expect(y, countOf(args, {g.batch, g.outH, g.outW, outC}, "y"));
  expandDepthwisePointwiseConv2d(g, x.data, inC, ef.data, eb.present ? eb.data : nullptr, eAct, dw.data, db.present ? db.data : nullptr,
                                 dAct, pw.data, pb.present ? pb.data : nullptr, outC, pAct, y.data);
  return info.Env().Undefined();
}

}  // namespace

CK_EXPORT_KERNEL("depthwiseConv2d", DepthwiseConv2d);
CK_EXPORT_KERNEL("expandDepthwisePointwiseConv2d", ExpandDepthwisePointwiseConv2d);
CK_EXPORT_KERNEL("depthwisePointwiseConv2d", DepthwisePointwiseConv2d);
CK_EXPORT_KERNEL("depthwiseConv2dBackpropInput", DepthwiseConv2dBackpropInput);
CK_EXPORT_KERNEL("depthwiseConv2dBackpropFilter", DepthwiseConv2dBackpropFilter);

}  // namespace ck
