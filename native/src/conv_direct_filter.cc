// Filter-gradient driver of the direct convolution (see conv_direct.h):
//   dW[kh,kw,c,:] = Σ_{n,oh,ow} xpad[n, oh·sH + kh·dH, ow·sW + kw·dW, c] · dy[n,oh,ow,:]
// Threads take runs of output rows (n, oh) and accumulate into their own partial filter; for
// each image, tap and block of input channels one register tile sweeps all of the thread's
// pixels of that image, so dy's rows are reread from L1/L2, never from memory. For 3-wide
// stride-1 kernels one tile covers a whole filter row (three taps), reading dy through a copy
// with two zero pixels around each row. The partials are summed at the end.
#include <cstring>
#include <vector>

#include "conv.h"
#include "conv_direct_util.h"
#include "threadpool.h"

namespace ck {
namespace {

using namespace direct;

struct FilterTask {
  const ConvGeom* g;
  Window in;
  const float* dy;
  const std::vector<Chunk>* chunks;
  i64 width;        // padded output channels of one partial row
  float* partials;  // nth × taps·C·width
};

void filterThread(const FilterTask& t, int ith, int nth) {
  const ConvGeom& g = *t.g;
  const i64 C = g.inC, taps = g.kH * g.kW;
  float* part = t.partials + ith * taps * C * t.width;
  i64 r0, r1;
  splitRange(g.batch * g.outH, ith, nth, 1, &r0, &r1);
  ImageSource src(t.in);
  const i64 rs = t.in.rowStride(), O = g.outC;
  const bool slide = g.kW == 3 && g.sW == 1 && g.dW == 1;
  const i64 padRow = (g.outW + 4) * O;  // a dy row with two zero pixels on each side
  float* dyPad = slide ? scratch(7, static_cast<std::size_t>(g.outH * padRow) + 32) : nullptr;
  for (i64 row = r0; row < r1;) {
    const i64 n = row / g.outH, oh0 = row % g.outH;
    const i64 oh1 = r1 - n * g.outH < g.outH ? r1 - n * g.outH : g.outH;
    const float* img = src.image(n);
    // While this image computes, bring the next one's x and dy towards the cache, a part per tap.
    const i64 xFloats = g.inH * g.inW * C, dyFloats = g.outH * g.outW * O;
    const auto prefetchNext = [&](i64 part, i64 parts) {
      if (n + 1 >= g.batch || oh1 < g.outH) return;
      prefetchPart(t.in.data + (n + 1) * xFloats, xFloats, part, parts);
      prefetchPart(t.dy + (n + 1) * dyFloats, dyFloats, part, parts);
    };
    if (slide)
      for (i64 oh = oh0; oh < oh1; ++oh) {
        float* dst = dyPad + (oh - oh0) * padRow;
        std::memset(dst, 0, sizeof(float) * 2 * O);
        std::memcpy(dst + 2 * O, t.dy + (n * g.outH + oh) * g.outW * O, sizeof(float) * g.outW * O);
        std::memset(dst + (g.outW + 2) * O, 0, sizeof(float) * 2 * O);
      }
    for (const Chunk& ch : *t.chunks) {
      if (slide && ch.nv <= 2) {
        // Three taps (kw = 0, 1, 2) per tile: each image broadcast feeds three FMAs.
        FilterSlideTile tile;
        tile.ar = g.sH * rs;
        tile.aq = C;
        tile.b = dyPad + 2 * O + ch.n0;
        tile.br = padRow;
        tile.bq = O;
        tile.rows = oh1 - oh0;
        tile.cols = g.outW;
        tile.C = C;
        tile.lddw = t.width;
        tile.nv = ch.nv;
        for (i64 kh = 0; kh < g.kH; ++kh) {
          prefetchNext(kh, g.kH);
          i64 c0 = 0;
          for (int mr : balancedParts(C, filterSlideRows(ch.nv))) {
            tile.a = img + (oh0 * g.sH + kh * g.dH) * rs + c0;
            tile.dw = part + (kh * 3 * C + c0) * t.width + ch.n0;
            tile.mr = mr;
            filterSlide3Tile(tile);
            c0 += mr;
          }
        }
        continue;
      }
      FilterTile tile;
      tile.ar = g.sH * rs;
      tile.aq = g.sW * C;
      tile.b = t.dy + ((n * g.outH + oh0) * g.outW) * g.outC + ch.n0;
      tile.br = g.outW * g.outC;
      tile.bq = g.outC;
      tile.rows = oh1 - oh0;
      tile.cols = g.outW;
      tile.lddw = t.width;
      tile.nv = ch.nv;
      tile.lastLanes = ch.lastLanes;
      for (i64 kh = 0; kh < g.kH; ++kh)
        for (i64 kw = 0; kw < g.kW; ++kw) {
          const i64 tap = kh * g.kW + kw;
          prefetchNext(tap, taps);
          i64 c0 = 0;
          for (int mr : balancedParts(C, filterTileRows(ch.nv))) {
            tile.a = img + (oh0 * g.sH + kh * g.dH) * rs + kw * g.dW * C + c0;
            tile.dw = part + (tap * C + c0) * t.width + ch.n0;
            tile.mr = mr;
            filterTile(tile);
            c0 += mr;
          }
        }
    }
    row += oh1 - oh0;
  }
}

}  // namespace

bool conv2dBackpropFilterDirect(const ConvGeom& g, const float* x, const float* dy, float* dfilter) {
  const i64 taps = g.kH * g.kW, C = g.inC, O = g.outC;
  if (!enabled() || C == 0 || O == 0 || g.outW < 3 || g.batch == 0 || !packedFits(taps, C, O)) return false;
  const std::vector<Chunk> chunks = chunksOf(O, 0);
  const i64 width = roundUp(O, 16);
  const double flops = 2.0 * g.batch * g.outH * g.outW * O * taps * C;
  const int nth = threadsFor(flops, kMinFlopsPerThread);
  std::vector<float> partials(static_cast<size_t>(nth * taps * C * width), 0.0f);
  const Window in{x, g.inH, g.inW, C, g.padT, g.padL, (g.outH - 1) * g.sH + (g.kH - 1) * g.dH + 1,
                  (g.outW - 1) * g.sW + (g.kW - 1) * g.dW + 1};
  FilterTask t{&g, in, dy, &chunks, width, partials.data()};
  run(filterThread, t, nth);
  for (i64 k = 0; k < taps * C; ++k)
    for (i64 o = 0; o < O; ++o) {
      float s = 0;
      for (int q = 0; q < nth; ++q) s += partials[(q * taps * C + k) * width + o];
      dfilter[k * O + o] = s;
    }
  return true;
}

}  // namespace ck
