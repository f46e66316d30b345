// JavaScript bindings of the fused Conv2D → MaxPooling2D kernels: read the spec's signature, check,
// then compute into the outputs the caller allocated (see src/backends/native.ts).
#include <string>

#include "bindings.h"
#include "conv_pool.h"
#include "signature.h"

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

// conv2dMaxPool(x, filter, bias | null, conv, pool, activation) → y, argmax
Napi::Value Conv2dMaxPool(const Napi::CallbackInfo& info) {
  const auto [args, x, w, bias, g, p, relu, y, argmax] =
      readSignature(info, "conv2dMaxPool", sig::f32("x"), sig::f32("filter"), sig::f32OrNull("bias"), sig::conv("conv"), sig::pool("pool"),
                    sig::activation(), sig::out("y"), sig::outI32("argmax"));
  const Sizes z = checkGeometries(args, g, p);
  const Count xs{z.x, z.xFormula}, ws{z.filter, z.filterFormula}, pooled{z.pooled, z.pooledFormula};
  args.expect(x, xs), args.expect(w, ws), args.expect(bias, Count{g.outC, "outChannels"}), args.expect(y, pooled), args.expect(argmax, pooled);
  conv2dMaxPool(g, p, x.data, w.data, bias.data, relu, y.data, argmax.data);
  return info.Env().Undefined();
}

// conv2dMaxPoolBackward(dy, x, filter, y, argmax, conv, pool, activation, needs) → dx | null, dFilter | null, dBias | null:
// each output is present exactly when `needs` asks for it.
Napi::Value Conv2dMaxPoolBackward(const Napi::CallbackInfo& info) {
  const auto [args, dy, x, w, y, argmax, g, p, relu, needs, dx, dw, db] = readSignature(
      info, "conv2dMaxPoolBackward", sig::f32("dy"), sig::f32("x"), sig::f32("filter"), sig::f32("y"), sig::i32("argmax"), sig::conv("conv"),
      sig::pool("pool"), sig::activation(), sig::attrs("needs"), sig::outOrNull("dx"), sig::outOrNull("dFilter"), sig::outOrNull("dBias"));
  const View<float>* outs[3] = {&dx, &dw, &db};
  const char* needNames[3] = {"input", "filter", "bias"};
  for (size_t k = 0; k < 3; ++k)
    if (needs.Get(needNames[k]).ToBoolean().Value() != outs[k]->present)
      args.fail(std::string(outs[k]->name) + " must be " + (outs[k]->present ? "null" : "a Float32Array") + " when needs." + needNames[k] +
                " is " + (outs[k]->present ? "false" : "true"));
  const Sizes z = checkGeometries(args, g, p);
  const Count xs{z.x, z.xFormula}, ws{z.filter, z.filterFormula}, pooled{z.pooled, z.pooledFormula};
  args.expect(dy, pooled), args.expect(y, pooled), args.expect(argmax, pooled), args.expect(x, xs), args.expect(w, ws);
  args.expect(dx, xs), args.expect(dw, ws), args.expect(db, Count{g.outC, "outChannels"});
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
