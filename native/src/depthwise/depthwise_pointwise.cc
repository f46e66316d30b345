// A depthwise convolution and the 1×1 convolution that reads it, as one kernel (see
// depthwise.h): MobileNet's depthwise → project at inference. Work goes in bands of one image's
// output rows, a few per share: the depthwise pass writes the band into per-thread scratch
// (~160 KB, so it stays in L2), and the direct convolution's register tiles read it from there.
// At [128,32,32,144] → 24 channels the depthwise output (75 MB) otherwise goes to memory and
// back. Without the direct convolution's tiles (CONVKIT_CONV=gemm, no AVX2) or with a depthwise
// multiplier, the two kernels run one after the other over a whole-batch buffer.
#include <vector>

#include "conv.h"
#include "conv_direct_util.h"
#include "depthwise.h"
#include "threadpool.h"

namespace ck {
namespace {

/** Floats of depthwise output one band holds at most (one output row at least). */
constexpr i64 kBandFloats = 40 * 1024;

struct Task {
  const ConvGeom* g;
  const float *x, *depthFilter, *depthBias;
  EpilogueActivation depthAct;
  const direct::Packed* point;
  EpilogueActivation pointAct;
  i64 outC, bandRows, bandsPerImage;
  float* y;
};

// Bands [b0, b1) of the flat (image, band) list: depthwise into scratch, then the 1×1 tiles.
void bandShare(const Task& t, int ith, int nth) {
  const ConvGeom& g = *t.g;
  const i64 E = g.outC;
  i64 b0, b1;
  splitRange(g.batch * t.bandsPerImage, ith, nth, 1, &b0, &b1);
  float* band = scratch(8, static_cast<std::size_t>(t.bandRows * g.outW * E));
  const i64 tapOff = 0;
  for (i64 b = b0; b < b1; ++b) {
    const i64 n = b / t.bandsPerImage, oh0 = b % t.bandsPerImage * t.bandRows;
    const i64 oh1 = oh0 + t.bandRows < g.outH ? oh0 + t.bandRows : g.outH;
    ConvGeom view = g;
    view.batch = 1, view.outH = oh1 - oh0, view.padT = g.padT - oh0 * g.sH;
    depthwiseConv2dHere(view, t.x + n * g.inH * g.inW * g.inC, t.depthFilter, t.depthBias, t.depthAct, band);
    const i64 pixels = (oh1 - oh0) * g.outW;
    float* yBand = t.y + (n * g.outH + oh0) * g.outW * t.outC;
    for (const direct::Chunk& ch : t.point->chunks) {
      FwdTile tile;
      tile.am = E;
      tile.tapOff = &tapOff;
      tile.taps = 1;
      tile.C = E;
      tile.b = t.point->base + ch.offset;
      tile.ldb = t.point->ldb > 0 ? t.point->ldb : ch.width;
      tile.ldy = t.outC;
      tile.bias = t.point->biasBase == nullptr ? nullptr : t.point->biasBase + ch.n0;
      tile.relu = t.pointAct != EpilogueActivation::Linear;
      tile.six = t.pointAct == EpilogueActivation::Relu6;
      tile.nv = ch.nv;
      tile.lastLanes = ch.lastLanes;
      i64 p = 0;
      for (int mr : direct::BalancedParts(pixels, direct::fwdTileRows(ch.nv))) {
        tile.a = band + p * E;
        tile.y = yBand + p * t.outC + ch.n0;
        tile.mr = mr;
        direct::forwardTile(tile);
        p += mr;
      }
    }
  }
}

}  // namespace

void depthwisePointwiseConv2d(const ConvGeom& g, const float* x, const float* depthFilter, const float* depthBias,
                              EpilogueActivation depthAct, const float* pointFilter, const float* pointBias, i64 outC,
                              EpilogueActivation pointAct, float* y) {
  const i64 E = g.outC, pixels = g.batch * g.outH * g.outW;
  if (pixels * outC == 0) return;
  ConvGeom point{g.batch, g.outH, g.outW, E, g.outH, g.outW, outC, 1, 1, 1, 1, 1, 1, 0, 0};
  if (g.inC != E || E == 0 || !direct::enabled() || !direct::packedFits(1, E, outC)) {
    std::vector<float> middle(static_cast<std::size_t>(pixels * E));
    depthwiseConv2d(g, x, depthFilter, depthBias, depthAct, middle.data());
    conv2d(point, middle.data(), pointFilter, pointBias, pointAct, y);
    return;
  }
  const direct::Packed packed = outC % 16 == 0 ? direct::inPlace(pointFilter, pointBias, outC)
                                               : direct::pack(1, E, outC, pointBias, [&](i64, i64 c, i64 o) { return pointFilter[c * outC + o]; });
  i64 bandRows = kBandFloats / (g.outW * E);
  if (bandRows < 1) bandRows = 1;
  if (bandRows > g.outH) bandRows = g.outH;
  const i64 bandsPerImage = (g.outH + bandRows - 1) / bandRows;
  const Task t{&g, x, depthFilter, depthBias, depthAct, &packed, pointAct, outC, bandRows, bandsPerImage, y};
  const double work = static_cast<double>(pixels) * E * (g.kH * g.kW + outC);
  const i64 bands = g.batch * bandsPerImage;
  const int shares = sharesFor(work, 65536);
  run(bandShare, t, shares < bands ? shares : static_cast<int>(bands));
}

}  // namespace ck
