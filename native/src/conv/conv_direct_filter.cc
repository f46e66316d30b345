// Filter-gradient driver of the direct convolution (see conv_direct.h):
//   dW[kh,kw,c,:] = Σ_{n,oh,ow} xpad[n, oh·sH + kh·dH, ow·sW + kw·dW, c] · dy[n,oh,ow,:]
// Threads take runs of output rows (n, oh) and accumulate into their own partial filter; for
// each image, tap and block of input channels one register tile sweeps all of the thread's
// pixels of that image, so dy's rows are reread from L1/L2, never from memory. For 3-wide
// stride-1 kernels one tile covers a whole filter row (three taps), reading x and dy in place
// (no padded copies: the padding's terms are left out). The partials are summed at the end.
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
  for (i64 row = r0; row < r1;) {
    const i64 n = row / g.outH, oh0 = row % g.outH;
    const i64 oh1 = r1 - n * g.outH < g.outH ? r1 - n * g.outH : g.outH;
    // While this image computes, bring the next one's x and dy towards the cache, a part per tap.
    const i64 xFloats = g.inH * g.inW * C, dyFloats = g.outH * g.outW * O;
    const auto prefetchNext = [&](i64 part, i64 parts) {
      if (n + 1 >= g.batch || oh1 < g.outH) return;
      prefetchPart(t.in.data + (n + 1) * xFloats, xFloats, part, parts);
      prefetchPart(t.dy + (n + 1) * dyFloats, dyFloats, part, parts);
    };
    for (const Chunk& ch : *t.chunks) {
      if (slide && filterSlideRows(ch.nv) > 0) {
        // Three taps (kw = 0, 1, 2) per tile: each image broadcast feeds three FMAs. Output rows
        // whose input row (oh·sH + kh·dH − padT) is padding are left out.
        const float* xImage = t.in.data + n * xFloats;
        FilterSlideTile tile;
        tile.ar = g.sH * g.inW * C;
        tile.aq = C;
        tile.br = g.outW * O;
        tile.bq = O;
        tile.cols = g.outW;
        tile.qlo = g.padL > 0 ? g.padL : 0;
        tile.qhi = g.padL + g.inW < g.outW + 2 ? g.padL + g.inW : g.outW + 2;
        tile.C = C;
        tile.lddw = t.width;
        tile.nv = ch.nv;
        tile.lastLanes = ch.lastLanes;
        for (i64 kh = 0; kh < g.kH; ++kh) {
          prefetchNext(kh, g.kH);
          const i64 shift = kh * g.dH - g.padT;  // ih = oh·sH + shift
          i64 lo = shift >= 0 ? 0 : (-shift + g.sH - 1) / g.sH, hi = g.inH - shift > 0 ? (g.inH - shift + g.sH - 1) / g.sH : 0;
          if (lo < oh0) lo = oh0;
          if (hi > oh1) hi = oh1;
          if (hi <= lo || tile.qhi <= tile.qlo) continue;
          tile.rows = hi - lo;
          tile.b = t.dy + ((n * g.outH + lo) * g.outW) * O + ch.n0;
          i64 c0 = 0;
          for (int mr : BalancedParts(C, filterSlideRows(ch.nv))) {
            tile.a = xImage + ((lo * g.sH + shift) * g.inW + (tile.qlo - g.padL)) * C + c0;
            tile.dw = part + (kh * 3 * C + c0) * t.width + ch.n0;
            tile.mr = mr;
            filterSlide3Tile(tile);
            c0 += mr;
          }
        }
        continue;
      }
      const float* img = src.image(n);  // the padded window (made once per image)
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
          for (int mr : BalancedParts(C, filterTileRows(ch.nv))) {
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
