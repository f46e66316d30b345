// Forward and input-gradient drivers of the direct convolution (see conv_direct.h), and the
// helpers of conv_direct_util.h. Both passes run one "plan": a grid of output pixels per image,
// each the sum over taps of a padded input window times a packed filter.
//
//   forward         y[n,oh,ow,:] = Σ_taps Σ_c xpad[n, oh·sH + kh·dH, ow·sW + kw·dW, c] · W[kh,kw,c,:]
//   input gradient  stride 1: the forward pass over dy with W flipped in space, channels swapped;
//                   stride s: one stride-1 plan per phase (ih mod sH, iw mod sW) of dx, each with
//                   the taps that reach that phase, writing every s-th pixel (no scatter, no zeroing)
//
// Work is split by output rows (n, oh); a thread pads each image it reaches once, into its own
// scratch, unless the window never leaves the image, in which case tiles read it in place.
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "conv.h"
#include "conv_direct_util.h"
#include "threadpool.h"

namespace ck {
namespace direct {

// CONVKIT_CONV=gemm turns the direct path off (for comparisons and tuning).
const bool kDirectAllowed = [] {
  const char* env = std::getenv("CONVKIT_CONV");
  return env == nullptr || std::strcmp(env, "gemm") != 0;
}();

bool enabled() { return kDirectAllowed && convIsa() != nullptr; }

const TileRows& tileRows() { return convIsa()->tileRows; }

std::vector<Chunk> chunksOf(i64 N, i64 K) {
  std::vector<Chunk> out;
  i64 offset = 0;
  for (i64 n0 = 0; n0 < N; n0 += kChunk) {
    Chunk c;
    c.n0 = n0;
    c.len = N - n0 < kChunk ? N - n0 : kChunk;
    c.width = roundUp(c.len, 16);
    c.nv = static_cast<int>(c.width / 16);
    c.lastLanes = static_cast<int>(c.len - (c.nv - 1) * 16);
    c.offset = offset;
    offset += K * c.width;
    out.push_back(c);
  }
  return out;
}

const float* ImageSource::image(i64 n) {
  const Window& w = w_;
  const i64 C = w.C;
  const float* src = w.data + n * w.inH * w.inW * C;
  if (w.inPlace()) return src;
  if (buf_ == nullptr) buf_ = scratch(5, static_cast<std::size_t>(w.Hp * w.Wp * C) + 16);
  if (n == cached_) return buf_;
  cached_ = n;
  i64 q0 = w.padL > 0 ? w.padL : 0;
  if (q0 > w.Wp) q0 = w.Wp;
  i64 q1 = w.padL + w.inW < w.Wp ? w.padL + w.inW : w.Wp;
  if (q1 < q0) q1 = q0;
  for (i64 r = 0; r < w.Hp; ++r) {
    float* dst = buf_ + r * w.Wp * C;
    const i64 ih = r - w.padT;
    if (ih < 0 || ih >= w.inH) {
      std::memset(dst, 0, sizeof(float) * w.Wp * C);
      continue;
    }
    std::memset(dst, 0, sizeof(float) * q0 * C);
    std::memcpy(dst + q0 * C, src + (ih * w.inW + (q0 - w.padL)) * C, sizeof(float) * (q1 - q0) * C);
    std::memset(dst + q1 * C, 0, sizeof(float) * (w.Wp - q1) * C);
  }
  return buf_;
}

void forwardTile(const FwdTile& t) { convIsa()->forwardTile(t); }

void slide3Tile(const FwdTile& t) { convIsa()->forwardSlide3(t); }

void filterTile(const FilterTile& t) { convIsa()->filterTile(t); }

void filterSlide3Tile(const FilterSlideTile& t) { convIsa()->filterSlide3(t); }

namespace {

// Output pixel (n, oh, ow) of the grid = Σ_t window(n)[oh·sH + tapRow[t], ow·sW + tapCol[t], :] ·
// packed[t]; it lands at y + n·yImage + oh·yRow + ow·yPix (channels contiguous).
struct Plan {
  Window in;
  i64 batch, outH, outW, sH, sW;
  std::vector<i64> tapRow, tapCol;
  bool slide3;  // taps come in rows of three consecutive columns, stride 1: the sliding kernel
  const Packed* f;
  bool relu;
  bool six = false;
  float* y;
  i64 yImage, yRow, yPix;
};

void planThread(const Plan& p, int ith, int nth) {
  i64 r0, r1;
  splitRange(p.batch * p.outH, ith, nth, 1, &r0, &r1);
  ImageSource src(p.in);
  const i64 rs = p.in.rowStride(), C = p.in.C, taps = static_cast<i64>(p.tapRow.size());
  std::vector<i64> tapOff(taps);
  for (i64 t = 0; t < taps; ++t) tapOff[t] = p.tapRow[t] * rs + p.tapCol[t] * C;
  const i64 imageFloats = p.in.inH * p.in.inW * C;
  for (i64 row = r0; row < r1; ++row) {
    const i64 n = row / p.outH, oh = row % p.outH;
    const float* img = src.image(n);
    if (n + 1 < p.batch) prefetchPart(p.in.data + (n + 1) * imageFloats, imageFloats, oh, p.outH);
    for (const Chunk& ch : p.f->chunks) {
      FwdTile tile;
      tile.am = p.sW * C;
      tile.tapOff = tapOff.data();
      tile.taps = taps;
      tile.C = C;
      tile.b = p.f->base + ch.offset;
      tile.ldb = p.f->ldb > 0 ? p.f->ldb : ch.width;
      tile.ldy = p.yPix;
      tile.bias = p.f->biasBase == nullptr ? nullptr : p.f->biasBase + ch.n0;
      tile.relu = p.relu;
      tile.six = p.six;
      tile.nv = ch.nv;
      tile.lastLanes = ch.lastLanes;
      const bool slide = p.slide3 && slide3TileRows(ch.nv) > 0;
      i64 ow = 0;
      for (int mr : BalancedParts(p.outW, slide ? slide3TileRows(ch.nv) : fwdTileRows(ch.nv))) {
        tile.a = img + oh * p.sH * rs + ow * p.sW * C;
        tile.y = p.y + n * p.yImage + oh * p.yRow + ow * p.yPix + ch.n0;
        tile.mr = mr;
        (slide ? slide3Tile : forwardTile)(tile);
        ow += mr;
      }
    }
  }
}

void runPlan(const Plan& p) {
  const i64 C = p.in.C, N = p.f->chunks.back().n0 + p.f->chunks.back().len;
  const double flops = 2.0 * p.batch * p.outH * p.outW * N * C * static_cast<double>(p.tapRow.size());
  run(planThread, p, sharesFor(flops > 0 ? flops : 1, kMinFlopsPerThread));
}

// Direct convolution pays when the filter chunk stays in L2 and rows are a few pixels wide.
bool suits(i64 taps, i64 inC, i64 outC, i64 outW, i64 batch) {
  return enabled() && inC > 0 && outC > 0 && outW >= 3 && batch > 0 && packedFits(taps, inC, outC);
}

// Taps (t0 + k·step for k < count) whose offset (base − k·step) lands on a multiple of s, as
// (tap index, offset / s) pairs: the taps one phase of a strided input gradient receives.
std::vector<std::pair<i64, i64>> phaseTaps(i64 base, i64 count, i64 step, i64 s) {
  std::vector<std::pair<i64, i64>> out;
  for (i64 k = 0; k < count; ++k) {
    const i64 off = base - k * step;
    const i64 q = off >= 0 ? off / s : -((-off + s - 1) / s);
    if (q * s == off) out.push_back({k, q});
  }
  return out;
}

// dx for the pixels ih ≡ ph (mod sH), iw ≡ pw (mod sW): a stride-1 plan over dy.
void inputPhase(const ConvGeom& g, const float* dy, const float* filter, float* dx, i64 ph, i64 pw) {
  const i64 U = (g.inH - ph + g.sH - 1) / g.sH, V = (g.inW - pw + g.sW - 1) / g.sW;
  if (U <= 0 || V <= 0) return;
  const auto rows = phaseTaps(ph + g.padT, g.kH, g.dH, g.sH);
  const auto cols = phaseTaps(pw + g.padL, g.kW, g.dW, g.sW);
  float* y = dx + (ph * g.inW + pw) * g.inC;
  const i64 yRow = g.sH * g.inW * g.inC, yPix = g.sW * g.inC;
  if (rows.empty() || cols.empty()) return;  // no tap reaches these pixels: the caller zeroed dx
  const i64 minR = rows.back().second, maxR = rows.front().second;  // offsets fall as k grows
  const i64 minQ = cols.back().second, maxQ = cols.front().second;
  Plan p;
  p.in = Window{dy, g.outH, g.outW, g.outC, -minR, -minQ, U + maxR - minR, V + maxQ - minQ};
  p.batch = g.batch;
  p.outH = U;
  p.outW = V;
  p.sH = p.sW = 1;
  std::vector<std::pair<i64, i64>> taps;  // (kh, kw)
  for (const auto& [kh, r] : rows)
    for (const auto& [kw, q] : cols) {
      taps.push_back({kh, kw});
      p.tapRow.push_back(r - minR);
      p.tapCol.push_back(q - minQ);
    }
  p.slide3 = false;
  const i64 C = g.inC, O = g.outC, kW = g.kW;
  const Packed f = pack(static_cast<i64>(taps.size()), O, C, nullptr, [&](i64 t, i64 o, i64 c) {
    return filter[((taps[t].first * kW + taps[t].second) * C + c) * O + o];
  });
  p.f = &f;
  p.relu = false;
  p.y = y;
  p.yImage = g.inH * g.inW * g.inC;
  p.yRow = yRow;
  p.yPix = yPix;
  runPlan(p);
}

}  // namespace
}  // namespace direct

bool conv2dDirect(const ConvGeom& g, const float* x, const float* filter, const float* bias, EpilogueActivation act,
                  float* y) {
  using namespace direct;
  if (!suits(g.kH * g.kW, g.inC, g.outC, g.outW, g.batch)) return false;
  const i64 C = g.inC, N = g.outC;
  // HWIO is already [taps][C][N]: with N a multiple of 16 the tiles read it as it is.
  const Packed f = N % 16 == 0 ? inPlace(filter, bias, N)
                               : pack(g.kH * g.kW, C, N, bias, [&](i64 t, i64 c, i64 n) { return filter[(t * C + c) * N + n]; });
  Plan p;
  p.in = Window{x, g.inH, g.inW, C, g.padT, g.padL, (g.outH - 1) * g.sH + (g.kH - 1) * g.dH + 1,
                (g.outW - 1) * g.sW + (g.kW - 1) * g.dW + 1};
  p.batch = g.batch;
  p.outH = g.outH;
  p.outW = g.outW;
  p.sH = g.sH;
  p.sW = g.sW;
  for (i64 kh = 0; kh < g.kH; ++kh)
    for (i64 kw = 0; kw < g.kW; ++kw) {
      p.tapRow.push_back(kh * g.dH);
      p.tapCol.push_back(kw * g.dW);
    }
  p.slide3 = g.kW == 3 && g.dW == 1 && g.sW == 1;
  p.f = &f;
  p.relu = act != EpilogueActivation::Linear;
  p.six = act == EpilogueActivation::Relu6;
  p.y = y;
  p.yImage = g.outH * g.outW * N;
  p.yRow = g.outW * N;
  p.yPix = N;
  runPlan(p);
  return true;
}

bool conv2dBackpropInputDirect(const ConvGeom& g, const float* dy, const float* filter, float* dx) {
  using namespace direct;
  const i64 phaseW = (g.inW + g.sW - 1) / g.sW;
  if (!suits(g.kH * g.kW, g.outC, g.inC, phaseW, g.batch)) return false;
  if (g.sH > 1 || g.sW > 1) {
    // Pixels no tap reaches (e.g. 3 of 4 for a 1×1 kernel with stride 2) get zeros: one memset
    // of dx first when there are any, instead of a store per pixel.
    bool unreached = false;
    for (i64 ph = 0; ph < g.sH && ph < g.inH; ++ph) unreached |= phaseTaps(ph + g.padT, g.kH, g.dH, g.sH).empty();
    for (i64 pw = 0; pw < g.sW && pw < g.inW; ++pw) unreached |= phaseTaps(pw + g.padL, g.kW, g.dW, g.sW).empty();
    if (unreached) std::memset(dx, 0, sizeof(float) * g.batch * g.inH * g.inW * g.inC);
    for (i64 ph = 0; ph < g.sH; ++ph)
      for (i64 pw = 0; pw < g.sW; ++pw) inputPhase(g, dy, filter, dx, ph, pw);
    return true;
  }
  // Stride 1: dx is the convolution of dy (channels outC) with W flipped in space, channels swapped.
  const i64 kH = g.kH, kW = g.kW, C = g.inC, O = g.outC;
  const Packed f = pack(kH * kW, O, C, nullptr, [&](i64 tap, i64 o, i64 c) {
    const i64 kh = kH - 1 - tap / kW, kw = kW - 1 - tap % kW;
    return filter[((kh * kW + kw) * C + c) * O + o];
  });
  Plan p;
  const i64 padT = (kH - 1) * g.dH - g.padT, padL = (kW - 1) * g.dW - g.padL;
  p.in = Window{dy, g.outH, g.outW, O, padT, padL, (g.inH - 1) + (kH - 1) * g.dH + 1, (g.inW - 1) + (kW - 1) * g.dW + 1};
  p.batch = g.batch;
  p.outH = g.inH;
  p.outW = g.inW;
  p.sH = p.sW = 1;
  for (i64 kh = 0; kh < kH; ++kh)
    for (i64 kw = 0; kw < kW; ++kw) {
      p.tapRow.push_back(kh * g.dH);
      p.tapCol.push_back(kw * g.dW);
    }
  p.slide3 = kW == 3 && g.dW == 1;
  p.f = &f;
  p.relu = false;
  p.y = dx;
  p.yImage = g.inH * g.inW * C;
  p.yRow = g.inW * C;
  p.yPix = C;
  runPlan(p);
  return true;
}

}  // namespace ck
