// Geometry readers (see geom_args.h).
#include "geom_args.h"

namespace ck {

ConvGeom readConvGeom(const Args& args, size_t i, const char* name) {
  const Napi::Object o = args.object(i, name);
  const char* g = name;
  ConvGeom c;
  c.batch = args.field(o, g, "batch", 0);
  c.inH = args.field(o, g, "inHeight", 0);
  c.inW = args.field(o, g, "inWidth", 0);
  c.inC = args.field(o, g, "inChannels", 0);
  c.outH = args.field(o, g, "outHeight", 0);
  c.outW = args.field(o, g, "outWidth", 0);
  c.outC = args.field(o, g, "outChannels", 0);
  c.kH = args.field(o, g, "kernelHeight", 1);
  c.kW = args.field(o, g, "kernelWidth", 1);
  c.sH = args.field(o, g, "strideHeight", 1);
  c.sW = args.field(o, g, "strideWidth", 1);
  c.dH = args.field(o, g, "dilationHeight", 1);
  c.dW = args.field(o, g, "dilationWidth", 1);
  c.padT = args.field(o, g, "padTop", 0);
  c.padL = args.field(o, g, "padLeft", 0);
  args.product({c.batch, c.outH, c.outW, c.kH, c.kW, c.inC}, "the im2col matrix (batch*outHeight*outWidth*kernelHeight*kernelWidth*inChannels)");
  return c;
}

PoolGeom readPoolGeom(const Args& args, size_t i, const char* name) {
  const Napi::Object o = args.object(i, name);
  const char* g = name;
  PoolGeom p;
  p.batch = args.field(o, g, "batch", 0);
  p.inH = args.field(o, g, "inHeight", 0);
  p.inW = args.field(o, g, "inWidth", 0);
  p.C = args.field(o, g, "channels", 0);
  p.outH = args.field(o, g, "outHeight", 0);
  p.outW = args.field(o, g, "outWidth", 0);
  p.pH = args.field(o, g, "poolHeight", 1);
  p.pW = args.field(o, g, "poolWidth", 1);
  p.sH = args.field(o, g, "strideHeight", 1);
  p.sW = args.field(o, g, "strideWidth", 1);
  p.padT = args.field(o, g, "padTop", 0);
  p.padL = args.field(o, g, "padLeft", 0);
  return p;
}

}  // namespace ck
