// Driver of the Winograd F(2×2, 3×3) convolution (see conv_winograd.h): filter transform and
// packing, the split into rows of tiles, and per row the input transform, 16 GEMMs and the output
// transform. The image is read in place (cells outside it read as zeros): no padded copy.
//
//   G = | 1    0    0   |   U[p = 4i + j][c][o] = (G g Gᵀ)[i][j],  g[kh][kw] = filter(kh, kw, c, o)
//       | 1/2  1/2  1/2 |
//       | 1/2 −1/2  1/2 |
//       | 0    0    1   |
#include "conv_winograd.h"

#include <cstdlib>
#include <cstring>
#include <vector>

#include "conv.h"
#include "conv_direct_util.h"
#include "threadpool.h"

namespace ck {
namespace {

using namespace direct;

// CONVKIT_CONV=direct (or gemm) turns this path off, for comparisons.
const bool kWinogradAllowed = [] {
  const char* env = std::getenv("CONVKIT_CONV");
  return env == nullptr || (std::strcmp(env, "direct") != 0 && std::strcmp(env, "gemm") != 0);
}();

// U = G g Gᵀ for every (c, o), packed as the direct tiles read a filter ("taps" = positions p).
template <class Weight>
Packed transformFilter(i64 C, i64 O, Weight weight) {
  std::vector<float> u(static_cast<size_t>(16 * C * O));
  for (i64 c = 0; c < C; ++c)
    for (i64 o = 0; o < O; ++o) {
      float g[3][3], gg[4][3];
      for (int kh = 0; kh < 3; ++kh)
        for (int kw = 0; kw < 3; ++kw) g[kh][kw] = weight(kh, kw, c, o);
      for (int kw = 0; kw < 3; ++kw) {
        gg[0][kw] = g[0][kw];
        gg[1][kw] = 0.5f * (g[0][kw] + g[1][kw] + g[2][kw]);
        gg[2][kw] = 0.5f * (g[0][kw] - g[1][kw] + g[2][kw]);
        gg[3][kw] = g[2][kw];
      }
      for (int i = 0; i < 4; ++i) {
        const float row[4] = {gg[i][0], 0.5f * (gg[i][0] + gg[i][1] + gg[i][2]), 0.5f * (gg[i][0] - gg[i][1] + gg[i][2]), gg[i][2]};
        for (int j = 0; j < 4; ++j) u[((4 * i + j) * C + c) * O + o] = row[j];
      }
    }
  return pack(16, C, O, nullptr, [&](i64 p, i64 c, i64 o) { return u[(p * C + c) * O + o]; });
}

// out[n, oh, ow, :] = relu?(bias + Σ_{kh,kw,c} in[n, oh + kh − padT, ow + kw − padL, c] · g[kh][kw][c][:])
// over an outH × outW grid, `in` zero outside its H × W pixels; pixel (n, oh, ow) of the output
// lands at y + n·yImage + oh·yRow + ow·yPix.
struct Plan {
  const float* in;
  i64 batch, H, W, C, padT, padL;
  i64 outH, outW, O;
  const Packed* f;
  const float* bias;
  bool relu;
  float* y;
  i64 yImage, yRow, yPix;
  i64 tilesH, tilesW;
};

void planThread(const Plan& p, int ith, int nth) {
  i64 r0, r1;
  splitRange(p.batch * p.tilesH, ith, nth, 1, &r0, &r1);
  if (r1 <= r0) return;
  const i64 T = p.tilesW, C = p.C, O = p.O;
  float* v = scratch(6, static_cast<size_t>(16 * T * C) + 16);
  float* m = scratch(7, static_cast<size_t>(16 * T * O) + 16);
  const i64 tap0 = 0;
  const BalancedParts parts0(T, fwdTileRows(1));
  const i64 imageRow = p.W * C;
  for (i64 row = r0; row < r1; ++row) {
    const i64 n = row / p.tilesH, th = row % p.tilesH;
    // While this row's GEMMs run, the input rows the next row of tiles reads first (two new
    // rows, or the next image's first four) come towards the cache, and this row's output
    // pixels are claimed for writing, so neither the input nor the output transform waits.
    const i64 nextN = th + 1 < p.tilesH ? n : n + 1;
    const i64 nextTop = th + 1 < p.tilesH ? 2 * th + 4 - p.padT : -p.padT;
    const i64 from = nextTop < 0 ? 0 : nextTop, to = nextTop + 4 < p.H ? nextTop + 4 : p.H;
    const float* next = nextN < p.batch && to > from ? p.in + (nextN * p.H + from) * imageRow : nullptr;
    const i64 oh = 2 * th, outRows = p.outH - oh < 2 ? p.outH - oh : 2;
    float* out = p.y + n * p.yImage + oh * p.yRow;
    transformInputRow(WinoInputRow{p.in + n * p.H * p.W * C, p.H, p.W, C, 2 * th - p.padT, -p.padL, T, v, T * C});
    for (const Chunk& ch : p.f->chunks) {
      FwdTile tile;
      tile.am = C;
      tile.tapOff = &tap0;
      tile.taps = 1;
      tile.C = C;
      tile.ldb = ch.width;
      tile.ldy = O;
      tile.bias = nullptr;
      tile.relu = false;
      tile.six = false;
      tile.nv = ch.nv;
      tile.lastLanes = ch.lastLanes;
      const BalancedParts parts = ch.nv == 1 ? parts0 : BalancedParts(T, fwdTileRows(ch.nv));
      for (i64 pos = 0; pos < 16; ++pos) {
        if (ch.n0 == 0) {  // a few lines at a time, so the loads never queue up
          if (next != nullptr) prefetchPart(next, (to - from) * imageRow, pos, 16);
          if (pos / 8 < outRows) prefetchWrite(out + pos / 8 * p.yRow, p.outW * p.yPix, pos % 8, 8);
        }
        tile.b = p.f->base + ch.offset + pos * C * ch.width;
        i64 t0 = 0;
        for (int mr : parts) {
          tile.a = v + (pos * T + t0) * C;
          tile.y = m + (pos * T + t0) * O + ch.n0;
          tile.mr = mr;
          forwardTile(tile);
          t0 += mr;
        }
      }
    }
    transformOutputRow(WinoOutputRow{m, T, O, out, p.yRow, p.yPix, outRows, p.outW, p.bias, p.relu});
  }
}

void runPlan(Plan& p) {
  p.tilesH = (p.outH + 1) / 2;
  p.tilesW = (p.outW + 1) / 2;
  const double flops = 2.0 * 16 * p.batch * p.tilesH * p.tilesW * p.C * p.O;
  run(planThread, p, sharesFor(flops, kMinFlopsPerThread));
}

// Channel counts the transforms vectorise without tails; U chunks (16·C·64 floats) within L2.
bool suits(const ConvGeom& g, i64 C, i64 O) {
  return kWinogradAllowed && enabled() && g.kH == 3 && g.kW == 3 && g.sH == 1 && g.sW == 1 && g.dH == 1 && g.dW == 1 && C > 0 && O > 0 &&
         C % 16 == 0 && O % 16 == 0 && C <= kWinoMaxChannels && O <= kWinoMaxChannels && C * (O < 64 ? O : 64) <= 8192 &&
         g.batch > 0 && g.inH > 0 && g.inW > 0 && g.outH > 0 && g.outW > 0;
}

}  // namespace

bool winogradAllowed() { return kWinogradAllowed; }

// Output tiles a forward call needs before its filter transform pays: below it the direct path is
// faster (the seed model's second convolution, 36 tiles an image: 50 µs against 130 at batch 1,
// even at batch 8). CONVKIT_WINOGRAD_MIN_TILES overrides it (the parity tests set 0).
static i64 minForwardTiles() {
  static const i64 n = [] {
    const char* env = std::getenv("CONVKIT_WINOGRAD_MIN_TILES");
    return env != nullptr && *env != '\0' ? std::strtoll(env, nullptr, 10) : i64{256};
  }();
  return n;
}

bool conv2dWinograd(const ConvGeom& g, const float* x, const float* filter, const float* bias, bool relu, float* y) {
  const i64 C = g.inC, O = g.outC;
  if (!suits(g, C, O) || g.batch * ((g.outH + 1) / 2) * ((g.outW + 1) / 2) < minForwardTiles()) return false;
  const Packed f = transformFilter(C, O, [&](int kh, int kw, i64 c, i64 o) { return filter[((kh * 3 + kw) * C + c) * O + o]; });
  Plan p{x, g.batch, g.inH, g.inW, C, g.padT, g.padL, g.outH, g.outW, O, &f, bias, relu, y, g.outH * g.outW * O, g.outW * O, O, 0, 0};
  runPlan(p);
  return true;
}

bool conv2dBackpropInputWinograd(const ConvGeom& g, const float* dy, const float* filter, float* dx) {
  // dx = dy convolved with the filter flipped in space, its channel axes swapped, padded by 2 − pad.
  const i64 C = g.inC, O = g.outC;
  if (!suits(g, O, C)) return false;
  const Packed f = transformFilter(O, C, [&](int kh, int kw, i64 o, i64 c) { return filter[(((2 - kh) * 3 + (2 - kw)) * C + c) * O + o]; });
  Plan p{dy, g.batch, g.outH, g.outW, O, 2 - g.padT, 2 - g.padL, g.inH, g.inW, C, &f, nullptr, false, dx, g.inH * g.inW * C, g.inW * C, C, 0, 0};
  runPlan(p);
  return true;
}

void transformInputRow(const WinoInputRow& t) { convIsa()->winoInputRow(t); }

void transformOutputRow(const WinoOutputRow& t) { convIsa()->winoOutputRow(t); }

void transformGradRow(const WinoGradRow& t) { convIsa()->winoGradRow(t); }

}  // namespace ck
