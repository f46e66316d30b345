// Filter gradient of 3×3 stride-1 convolutions by Winograd F(2×2, 3×3) (see conv_winograd.h):
//   dU[p][c][o] = Σ_tiles V[p][tile][c] · E[p][tile][o],   dW[kh][kw][c][o] = (Gᵀ dU G)[kh][kw]
// Each share takes a run of tile rows (n, th), transforms a block of them (about 4K floats of
// V and E per position, so both stay in L2 next to the share's dU), and adds the block's 16
// products into its own dU with the direct path's filter tiles (reduction over tiles). The shares'
// dU are summed in share order, then transformed back: the result does not depend on which thread
// ran which share. 16 multiply-adds per tile and channel pair against the direct path's 36.
//
//   Gᵀ = | 1  1/2  1/2  0 |
//        | 0  1/2 −1/2  0 |
//        | 0  1/2  1/2  1 |
#include <vector>

#include "conv.h"
#include "conv_direct_util.h"
#include "conv_winograd.h"
#include "threadpool.h"

namespace ck {
namespace {

using namespace direct;

struct FilterPlan {
  const ConvGeom* g;
  const float* x;
  const float* dy;
  i64 tilesH, tilesW;
  i64 blockRows;    // tile rows transformed per block
  float* partials;  // shares × 16·C·O
};

void filterShare(const FilterPlan& p, int ith, int nth) {
  const ConvGeom& g = *p.g;
  const i64 C = g.inC, O = g.outC, T = p.tilesW;
  i64 r0, r1;
  splitRange(g.batch * p.tilesH, ith, nth, 1, &r0, &r1);
  if (r1 <= r0) return;
  float* du = p.partials + ith * 16 * C * O;
  // Positions one cache line more than a block apart: 16 rows 4 KB apart would share one L1 set.
  const i64 vPos = p.blockRows * T * C + 16, ePos = p.blockRows * T * O + 16;
  float* v = scratch(6, static_cast<size_t>(16 * vPos));
  float* e = scratch(7, static_cast<size_t>(16 * ePos));
  const std::vector<Chunk> chunks = chunksOf(O, 0);
  for (i64 row = r0; row < r1; row += p.blockRows) {
    const i64 rows = r1 - row < p.blockRows ? r1 - row : p.blockRows, tiles = rows * T;
    for (i64 j = 0; j < rows; ++j) {
      const i64 n = (row + j) / p.tilesH, th = (row + j) % p.tilesH;
      transformInputRow(WinoInputRow{p.x + n * g.inH * g.inW * C, g.inH, g.inW, C, 2 * th - g.padT, -g.padL, T, v + j * T * C, vPos});
      transformGradRow(WinoGradRow{p.dy + n * g.outH * g.outW * O, g.outH, g.outW, O, 2 * th, T, e + j * T * O, ePos});
    }
    // While this block's GEMMs run, the next block's x and dy rows come towards the cache.
    const i64 next = row + rows, nextEnd = next + p.blockRows < r1 ? next + p.blockRows : r1;
    i64 xFrom = 0, xTo = 0, dyFrom = 0, dyTo = 0;
    if (next < nextEnd) {
      const auto clamp = [](i64 v, i64 hi) { return v < 0 ? 0 : v > hi ? hi : v; };
      const i64 na = next / p.tilesH, ta = next % p.tilesH, nb = (nextEnd - 1) / p.tilesH, tb = (nextEnd - 1) % p.tilesH;
      xFrom = (na * g.inH + clamp(2 * ta - g.padT, g.inH)) * g.inW * C;
      xTo = (nb * g.inH + clamp(2 * tb - g.padT + 4, g.inH)) * g.inW * C;
      dyFrom = (na * g.outH + 2 * ta) * g.outW * O;
      dyTo = (nb * g.outH + clamp(2 * tb + 2, g.outH)) * g.outW * O;
    }
    for (const Chunk& ch : chunks) {
      FilterTile tile;
      tile.ar = 0;
      tile.aq = C;
      tile.br = 0;
      tile.bq = O;
      tile.rows = 1;
      tile.cols = tiles;
      tile.lddw = O;
      tile.nv = ch.nv;
      tile.lastLanes = ch.lastLanes;
      const BalancedParts parts(C, filterTileRows(ch.nv));
      for (i64 pos = 0; pos < 16; ++pos) {
        if (ch.n0 == 0) {  // a few lines at a time, so the loads never queue up
          if (xTo > xFrom) prefetchPart(p.x + xFrom, xTo - xFrom, pos, 16);
          if (dyTo > dyFrom) prefetchPart(p.dy + dyFrom, dyTo - dyFrom, pos, 16);
        }
        tile.b = e + pos * ePos + ch.n0;
        i64 c0 = 0;
        for (int mr : parts) {
          tile.a = v + pos * vPos + c0;
          tile.dw = du + (pos * C + c0) * O + ch.n0;
          tile.mr = mr;
          filterTile(tile);
          c0 += mr;
        }
      }
    }
  }
}

// dW = Gᵀ dU G for every (c, o), from the sum of the shares' dU (in share order).
void inverseTransform(const float* partials, int shares, i64 C, i64 O, float* dfilter) {
  const i64 size = 16 * C * O;
  std::vector<float> du(partials, partials + size);
  for (int s = 1; s < shares; ++s)
    for (i64 k = 0; k < size; ++k) du[k] += partials[s * size + k];
  std::vector<float> h(static_cast<size_t>(12 * O));  // (Gᵀ dU)[kh][j] for one c: 3 × 4 rows of O
  for (i64 c = 0; c < C; ++c) {
    const float* d[16];
    for (int pos = 0; pos < 16; ++pos) d[pos] = du.data() + (pos * C + c) * O;
    for (int j = 0; j < 4; ++j) {
      float* h0 = h.data() + j * O;
      float* h1 = h.data() + (4 + j) * O;
      float* h2 = h.data() + (8 + j) * O;
      for (i64 o = 0; o < O; ++o) {
        const float a = d[j][o], b = d[4 + j][o], q = d[8 + j][o], r = d[12 + j][o];
        h0[o] = a + 0.5f * (b + q);
        h1[o] = 0.5f * (b - q);
        h2[o] = 0.5f * (b + q) + r;
      }
    }
    for (int kh = 0; kh < 3; ++kh) {
      const float* a = h.data() + (4 * kh) * O;
      float* out = dfilter + (kh * 3 * C + c) * O;
      for (i64 o = 0; o < O; ++o) {
        const float h0 = a[o], h1 = a[O + o], h2 = a[2 * O + o], h3 = a[3 * O + o];
        out[o] = h0 + 0.5f * (h1 + h2);
        out[C * O + o] = 0.5f * (h1 - h2);
        out[2 * C * O + o] = 0.5f * (h1 + h2) + h3;
      }
    }
  }
}

// Channel counts the transforms vectorise without tails; dU (16·C·O floats) within L2.
bool suits(const ConvGeom& g) {
  const i64 C = g.inC, O = g.outC;
  return winogradAllowed() && enabled() && g.kH == 3 && g.kW == 3 && g.sH == 1 && g.sW == 1 && g.dH == 1 && g.dW == 1 && C > 0 && O > 0 &&
         C % 16 == 0 && O % 16 == 0 && C <= kWinoMaxChannels && O <= kWinoMaxChannels && C * O <= 64 * 64 && g.batch > 0 && g.inH > 0 &&
         g.inW > 0 && g.outH > 0 && g.outW > 0;
}

}  // namespace

bool conv2dBackpropFilterWinograd(const ConvGeom& g, const float* x, const float* dy, float* dfilter) {
  if (!suits(g)) return false;
  const i64 C = g.inC, O = g.outC;
  FilterPlan p{&g, x, dy, (g.outH + 1) / 2, (g.outW + 1) / 2, 1, nullptr};
  const i64 perRow = p.tilesW * (C + O);  // floats of V and E per position and tile row
  p.blockRows = perRow < 4096 ? 4096 / perRow : 1;
  const double flops = 2.0 * 16 * g.batch * p.tilesH * p.tilesW * C * O;
  const int nth = threadsFor(flops, kMinFlopsPerThread);
  std::vector<float> partials(static_cast<size_t>(nth * 16 * C * O), 0.0f);
  p.partials = partials.data();
  run(filterShare, p, nth);
  inverseTransform(partials.data(), nth, C, O, dfilter);
  return true;
}

}  // namespace ck
