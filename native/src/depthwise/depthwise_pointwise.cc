// A depthwise convolution and the 1×1 convolution that reads it, as one kernel, optionally with
// the 1×1 convolution that feeds it (see depthwise.h): MobileNet's (expand →) depthwise → project
// at inference. Work goes in bands of one image's output rows, a few per share. With an
// expansion, the band's input rows are expanded by the direct convolution's 1×1 register tiles
// into a zero-padded per-thread block (rows the padding adds stay zero: the padding is of the
// expanded tensor); the depthwise pass then reads that block in place, or else stages the input
// rows itself, and writes the band into per-thread scratch (up to 320 KB, within L2); the 1×1
// tiles read it from there. At [128,32,32,144] the expanded tensor and the depthwise output (75 MB
// each) otherwise go to memory and back. Without the direct convolution's tiles (CONVKIT_CONV=gemm,
// no AVX2) or with a depthwise multiplier, the kernels run one after the other over whole-batch
// buffers.
#include <cstring>
#include <vector>

#include "conv.h"
#include "conv_direct_util.h"
#include "depthwise.h"
#include "threadpool.h"

namespace ck {
namespace {

/** Floats of depthwise output one band holds at most (one output row at least): fewer, larger bands
 * recompute fewer expanded rows (20K, 40K, 80K, 160K floats: 43.5, 41.5, 41.1, 40.1 ms per
 * MobileNetV2 batch of 128). */
constexpr i64 kBandFloats = 80 * 1024;

/** One 1×1 convolution as the register tiles read it: packed filter, epilogue. */
struct Pointwise {
  const direct::Packed* packed;
  EpilogueActivation act;
};

struct Task {
  const ConvGeom* g;  // the depthwise geometry (inC = outC = the expanded channels)
  const float* x;
  i64 inC;                // channels of x: g->inC without an expansion
  const Pointwise* expand;  // or null
  const float *depthFilter, *depthBias;
  EpilogueActivation depthAct;
  Pointwise point;
  i64 outC, bandRows, bandsPerImage;
  float* y;
};

// y[p, :] = act(Σ_c a[p, c] · filter[c, :] + bias) for `pixels` pixels of `C` channels, rows of y
// `ldy` floats apart: the direct convolution's 1×1 tiles, chunk by chunk.
void pointwiseRows(const Pointwise& pw, const float* a, i64 pixels, i64 C, float* y, i64 ldy) {
  const i64 tapOff = 0;
  for (const direct::Chunk& ch : pw.packed->chunks) {
    FwdTile tile;
    tile.am = C;
    tile.tapOff = &tapOff;
    tile.taps = 1;
    tile.C = C;
    tile.b = pw.packed->base + ch.offset;
    tile.ldb = pw.packed->ldb > 0 ? pw.packed->ldb : ch.width;
    tile.ldy = ldy;
    tile.bias = pw.packed->biasBase == nullptr ? nullptr : pw.packed->biasBase + ch.n0;
    tile.relu = pw.act != EpilogueActivation::Linear;
    tile.six = pw.act == EpilogueActivation::Relu6;
    tile.nv = ch.nv;
    tile.lastLanes = ch.lastLanes;
    i64 p = 0;
    for (int mr : direct::BalancedParts(pixels, direct::fwdTileRows(ch.nv))) {
      tile.a = a + p * C;
      tile.y = y + p * ldy + ch.n0;
      tile.mr = mr;
      direct::forwardTile(tile);
      p += mr;
    }
  }
}

// The expanded input rows output rows [oh0, oh1) of image n read, zero-padded, into `block`
// (rows × Wp × E); returns the depthwise geometry that reads the block in place.
ConvGeom expandBand(const Task& t, i64 n, i64 oh0, i64 oh1, float* block) {
  const ConvGeom& g = *t.g;
  const i64 E = g.inC;
  const i64 Hp = (oh1 - oh0 - 1) * g.sH + (g.kH - 1) * g.dH + 1, Wp = (g.outW - 1) * g.sW + (g.kW - 1) * g.dW + 1;
  // Block column q holds input column q − padL: those in [cLo, cHi) exist.
  const i64 cLo = g.padL > 0 ? (g.padL < Wp ? g.padL : Wp) : 0;
  const i64 cHi = g.inW + g.padL < Wp ? g.inW + g.padL : Wp;
  for (i64 r = 0; r < Hp; ++r) {
    const i64 ih = oh0 * g.sH - g.padT + r;
    float* row = block + r * Wp * E;
    if (ih < 0 || ih >= g.inH || cHi <= cLo) {
      std::memset(row, 0, sizeof(float) * Wp * E);
      continue;
    }
    std::memset(row, 0, sizeof(float) * cLo * E);
    std::memset(row + cHi * E, 0, sizeof(float) * (Wp - cHi) * E);
    const float* src = t.x + ((n * g.inH + ih) * g.inW + (cLo - g.padL)) * t.inC;
    pointwiseRows(*t.expand, src, cHi - cLo, t.inC, row + cLo * E, E);
  }
  ConvGeom view = g;
  view.batch = 1, view.inH = Hp, view.inW = Wp, view.outH = oh1 - oh0, view.padT = 0, view.padL = 0;
  return view;
}

// Bands [b0, b1) of the flat (image, band) list: (expand,) depthwise into scratch, then the 1×1 tiles.
void bandShare(const Task& t, int ith, int nth) {
  const ConvGeom& g = *t.g;
  const i64 E = g.outC;
  i64 b0, b1;
  splitRange(g.batch * t.bandsPerImage, ith, nth, 1, &b0, &b1);
  float* band = scratch(8, static_cast<std::size_t>(t.bandRows * g.outW * E));
  const i64 blockFloats = ((t.bandRows - 1) * g.sH + (g.kH - 1) * g.dH + 1) * ((g.outW - 1) * g.sW + (g.kW - 1) * g.dW + 1) * E;
  float* block = t.expand ? scratch(9, static_cast<std::size_t>(blockFloats)) : nullptr;
  for (i64 b = b0; b < b1; ++b) {
    const i64 n = b / t.bandsPerImage, oh0 = b % t.bandsPerImage * t.bandRows;
    const i64 oh1 = oh0 + t.bandRows < g.outH ? oh0 + t.bandRows : g.outH;
    if (t.expand) {
      const ConvGeom view = expandBand(t, n, oh0, oh1, block);
      depthwiseConv2dHere(view, block, t.depthFilter, t.depthBias, t.depthAct, band, true);
    } else {
      ConvGeom view = g;
      view.batch = 1, view.outH = oh1 - oh0, view.padT = g.padT - oh0 * g.sH;
      depthwiseConv2dHere(view, t.x + n * g.inH * g.inW * g.inC, t.depthFilter, t.depthBias, t.depthAct, band);
    }
    pointwiseRows(t.point, band, (oh1 - oh0) * g.outW, E, t.y + (n * g.outH + oh0) * g.outW * t.outC, t.outC);
  }
}

/** A 1×1 filter [C, N] as the tiles read it: in place when N is a multiple of 16, else packed. */
direct::Packed packPointwise(const float* filter, const float* bias, i64 C, i64 N) {
  if (N % 16 == 0) return direct::inPlace(filter, bias, N);
  return direct::pack(1, C, N, bias, [&](i64, i64 c, i64 o) { return filter[c * N + o]; });
}

/** True when the band kernel applies: multiplier 1 and the direct tiles available for each 1×1. */
bool bandsSuit(const ConvGeom& g, i64 inC, i64 outC, bool expand) {
  return g.inC == g.outC && g.inC > 0 && direct::enabled() && direct::packedFits(1, g.inC, outC) &&
         (!expand || direct::packedFits(1, inC, g.inC));
}

void runBands(Task t) {
  const ConvGeom& g = *t.g;
  const i64 E = g.outC;
  i64 bandRows = kBandFloats / (g.outW * E);
  if (bandRows < 1) bandRows = 1;
  if (bandRows > g.outH) bandRows = g.outH;
  t.bandRows = bandRows;
  t.bandsPerImage = (g.outH + bandRows - 1) / bandRows;
  const i64 pixels = g.batch * g.outH * g.outW;
  const double work = static_cast<double>(pixels) * E * (g.kH * g.kW + t.outC + (t.expand ? t.inC : 0));
  const i64 bands = g.batch * t.bandsPerImage;
  const int shares = sharesFor(work, 65536);
  run(bandShare, t, shares < bands ? shares : static_cast<int>(bands));
}

ConvGeom pointwiseGeom(i64 batch, i64 h, i64 w, i64 inC, i64 outC) { return {batch, h, w, inC, h, w, outC, 1, 1, 1, 1, 1, 1, 0, 0}; }

}  // namespace

void depthwisePointwiseConv2d(const ConvGeom& g, const float* x, const float* depthFilter, const float* depthBias,
                              EpilogueActivation depthAct, const float* pointFilter, const float* pointBias, i64 outC,
                              EpilogueActivation pointAct, float* y) {
  const i64 E = g.outC, pixels = g.batch * g.outH * g.outW;
  if (pixels * outC == 0) return;
  if (!bandsSuit(g, g.inC, outC, false)) {
    std::vector<float> middle(static_cast<std::size_t>(pixels * E));
    depthwiseConv2d(g, x, depthFilter, depthBias, depthAct, middle.data());
    conv2d(pointwiseGeom(g.batch, g.outH, g.outW, E, outC), middle.data(), pointFilter, pointBias, pointAct, y);
    return;
  }
  const direct::Packed point = packPointwise(pointFilter, pointBias, E, outC);
  runBands(Task{&g, x, g.inC, nullptr, depthFilter, depthBias, depthAct, {&point, pointAct}, outC, 0, 0, y});
}

void expandDepthwisePointwiseConv2d(const ConvGeom& g, const float* x, i64 inC, const float* expandFilter, const float* expandBias,
                                    EpilogueActivation expandAct, const float* depthFilter, const float* depthBias,
                                    EpilogueActivation depthAct, const float* pointFilter, const float* pointBias, i64 outC,
                                    EpilogueActivation pointAct, float* y) {
  const i64 E = g.inC;
  if (g.batch * g.outH * g.outW * outC == 0) return;
  if (!bandsSuit(g, inC, outC, true) || inC == 0) {
    std::vector<float> expanded(static_cast<std::size_t>(g.batch * g.inH * g.inW * E));
    conv2d(pointwiseGeom(g.batch, g.inH, g.inW, inC, E), x, expandFilter, expandBias, expandAct, expanded.data());
    depthwisePointwiseConv2d(g, expanded.data(), depthFilter, depthBias, depthAct, pointFilter, pointBias, outC, pointAct, y);
    return;
  }
  const direct::Packed expand = packPointwise(expandFilter, expandBias, inC, E);
  const direct::Packed point = packPointwise(pointFilter, pointBias, E, outC);
  const Pointwise expandTiles{&expand, expandAct};
  runBands(Task{&g, x, inC, &expandTiles, depthFilter, depthBias, depthAct, {&point, pointAct}, outC, 0, 0, y});
}

}  // namespace ck
