// Convolution as GEMM over the im2col view, without materialising im2col whole.
//
// With M = batch*outH*outW pixels and K = kH*kW*inC taps, the HWIO filter is already a K×outC
// row-major matrix and NHWC y is M×outC, so
//   forward         y[M,outC]  = im2col(x)[M,K] · filter[K,outC]      (+bias, relu fused)
//   backprop filter dW[K,outC] = im2col(x)ᵀ[K,M] · dy[M,outC]
//   backprop input  dcol[M,K]  = dy[M,outC] · filterᵀ[outC,K], then col2im scatter-add into dx.
// The GEMM asks for im2col one mc×kc (or kc×nc) block at a time; packIm2col copies that block's
// rows (runs of inC contiguous floats, or zeros in the padding) into a small buffer and hands it
// to the ISA's packer, so the block never leaves L2.
#include "conv.h"

#include <cstring>
#include <vector>

#include "conv_direct.h"
#include "conv_winograd.h"
#include "elementwise.h"
#include "gemm.h"
#include "isa.h"
#include "threadpool.h"

namespace ck {
namespace {

struct Im2col {
  const ConvGeom* g;
  const float* x;
};

// One run of im2col columns [dst, dst + len) that come from tap (kh, kw), channels [ci, ci+len).
struct Segment {
  i64 dst, len;
  i64 kh, kw, ci;
  i64 srcOff;  // offset in x from the pixel's receptive-field origin (ih0, iw0)
};

// The segments of the column range [p0, p0 + plen): `exact` one per tap, `merged` joining
// neighbours contiguous in x (dilation 1 along a filter row), valid when no tap is in padding.
void segmentsOf(const ConvGeom& g, i64 p0, i64 plen, std::vector<Segment>* exact,
                std::vector<Segment>* merged) {
  exact->clear();
  merged->clear();
  i64 p = p0;
  const i64 pEnd = p0 + plen;
  while (p < pEnd) {
    const i64 tap = p / g.inC, ci = p % g.inC;
    const i64 kh = tap / g.kW, kw = tap % g.kW;
    const i64 len = g.inC - ci < pEnd - p ? g.inC - ci : pEnd - p;
    const Segment seg{p - p0, len, kh, kw, ci, (kh * g.dH * g.inW + kw * g.dW) * g.inC + ci};
    exact->push_back(seg);
    if (!merged->empty() && merged->back().srcOff + merged->back().len == seg.srcOff)
      merged->back().len += len;
    else
      merged->push_back(seg);
    p += len;
  }
}

inline void copyRun(float* dst, const float* src, i64 n) {
  if (n >= 16)
    std::memcpy(dst, src, sizeof(float) * n);
  else
    for (i64 t = 0; t < n; ++t) dst[t] = src[t];
}

// out[r*ld + (p - p0)] = im2col(x)[i0 + r][p] for r < rows, p in [p0, p0 + plen). Pixels are
// walked incrementally (no division per row); rows whose receptive field lies inside the image
// copy the merged runs without bounds checks.
void im2colBlock(const ConvGeom& g, const float* x, i64 i0, i64 rows, i64 p0, i64 plen,
                 float* out, i64 ld) {
  thread_local std::vector<Segment> exact, merged;
  segmentsOf(g, p0, plen, &exact, &merged);
  const i64 pixels = g.outH * g.outW;
  const i64 spanH = (g.kH - 1) * g.dH, spanW = (g.kW - 1) * g.dW;
  i64 n = i0 / pixels, oh = (i0 % pixels) / g.outW, ow = i0 % g.outW;
  for (i64 r = 0; r < rows; ++r) {
    const i64 ih0 = oh * g.sH - g.padT, iw0 = ow * g.sW - g.padL;
    const float* image = x + n * g.inH * g.inW * g.inC;
    float* dst = out + r * ld;
    if (ih0 >= 0 && ih0 + spanH < g.inH && iw0 >= 0 && iw0 + spanW < g.inW) {
      const float* origin = image + (ih0 * g.inW + iw0) * g.inC;
      for (const Segment& s : merged) copyRun(dst + s.dst, origin + s.srcOff, s.len);
    } else {
      for (const Segment& s : exact) {
        const i64 ih = ih0 + s.kh * g.dH, iw = iw0 + s.kw * g.dW;
        if (ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW) {
          for (i64 t = 0; t < s.len; ++t) dst[s.dst + t] = 0.0f;
        } else {
          copyRun(dst + s.dst, image + (ih * g.inW + iw) * g.inC + s.ci, s.len);
        }
      }
    }
    if (++ow == g.outW) {
      ow = 0;
      if (++oh == g.outH) {
        oh = 0;
        ++n;
      }
    }
  }
}

// MatView packer for im2col(x) (rows = pixels, cols = taps): GEMM operand A of the forward pass.
void packIm2col(const void* ctx, i64 r0, i64 rows, i64 c0, i64 cols, int P, float* dst) {
  const Im2col& v = *static_cast<const Im2col*>(ctx);
  float* block = scratch(4, static_cast<std::size_t>(rows) * cols + 16);
  im2colBlock(*v.g, v.x, r0, rows, c0, cols, block, cols);
  gemmIsa().pack(block, cols, 1, 0, rows, 0, cols, P, dst);
}

// MatView packer for im2col(x)ᵀ (rows = taps, cols = pixels): operand A of the filter gradient.
void packIm2colT(const void* ctx, i64 r0, i64 rows, i64 c0, i64 cols, int P, float* dst) {
  const Im2col& v = *static_cast<const Im2col*>(ctx);
  float* block = scratch(4, static_cast<std::size_t>(rows) * cols + 16);
  im2colBlock(*v.g, v.x, c0, cols, r0, rows, block, rows);  // pixel-major: block[c*rows + r]
  gemmIsa().pack(block, 1, rows, 0, rows, 0, cols, P, dst);
}

// dx += col2im(dcol) for pixels [i0, i0 + rows); dcol is rows×K.
void col2imAdd(const ConvGeom& g, const float* dcol, i64 i0, i64 rows, float* dx) {
  const i64 pixels = g.outH * g.outW;
  const i64 K = g.kH * g.kW * g.inC;
  for (i64 r = 0; r < rows; ++r) {
    const i64 i = i0 + r;
    const i64 n = i / pixels, oh = (i % pixels) / g.outW, ow = i % g.outW;
    const i64 ih0 = oh * g.sH - g.padT, iw0 = ow * g.sW - g.padL;
    float* image = dx + n * g.inH * g.inW * g.inC;
    const float* src = dcol + r * K;
    for (i64 kh = 0; kh < g.kH; ++kh) {
      const i64 ih = ih0 + kh * g.dH;
      if (ih < 0 || ih >= g.inH) continue;
      for (i64 kw = 0; kw < g.kW; ++kw) {
        const i64 iw = iw0 + kw * g.dW;
        if (iw < 0 || iw >= g.inW) continue;
        float* d = image + (ih * g.inW + iw) * g.inC;
        const float* s = src + (kh * g.kW + kw) * g.inC;
        for (i64 c = 0; c < g.inC; ++c) d[c] += s[c];
      }
    }
  }
}

// Backprop input for images [n0, n1) on one thread: zero dx, then GEMM + col2im chunk by chunk.
struct BackpropInputTask {
  const ConvGeom* g;
  const float* dy;
  const float* filter;
  float* dx;
  i64 chunkRows;  // pixels per chunk
};

void backpropInputChunks(const BackpropInputTask& t, i64 n0, i64 n1, bool threadedGemm) {
  const ConvGeom& g = *t.g;
  const i64 pixels = g.outH * g.outW;
  const i64 K = g.kH * g.kW * g.inC;
  const i64 imageSize = g.inH * g.inW * g.inC;
  std::memset(t.dx + n0 * imageSize, 0, sizeof(float) * (n1 - n0) * imageSize);
  if (K == 0 || g.outC == 0) return;
  const i64 iEnd = n1 * pixels;
  float* dcol = scratch(2, t.chunkRows * K + 16);
  for (i64 i0 = n0 * pixels; i0 < iEnd; i0 += t.chunkRows) {
    const i64 rows = t.chunkRows < iEnd - i0 ? t.chunkRows : iEnd - i0;
    GemmParams p;
    p.m = rows;
    p.n = K;
    p.k = g.outC;
    p.a = matrixView(t.dy + i0 * g.outC, rows, g.outC, false);
    p.bt = matrixView(t.filter, K, g.outC, false);
    p.c = dcol;
    p.ldc = K;
    if (threadedGemm)
      gemm(p);
    else
      gemmSingle(p);
    col2imAdd(g, dcol, i0, rows, t.dx);
  }
}

void backpropInputThread(const BackpropInputTask& t, int ith, int nth) {
  i64 n0, n1;
  splitRange(t.g->batch, ith, nth, 1, &n0, &n1);
  if (n1 > n0) backpropInputChunks(t, n0, n1, false);
}

}  // namespace

void conv2d(const ConvGeom& g, const float* x, const float* filter, const float* bias, EpilogueActivation act,
            float* y) {
  const bool relu = act != EpilogueActivation::Linear, six = act == EpilogueActivation::Relu6;
  if (conv2dWinograd(g, x, filter, bias, relu, y)) {
    // Winograd's epilogue stops at relu: the cap at 6 is one more pass.
    if (six) unary(UnaryOp::Relu6, y, y, g.batch * g.outH * g.outW * g.outC);
    return;
  }
  if (conv2dDirect(g, x, filter, bias, act, y)) return;
  const i64 M = g.batch * g.outH * g.outW;
  const i64 K = g.kH * g.kW * g.inC;
  Im2col view{&g, x};
  GemmParams p;
  p.m = M;
  p.n = g.outC;
  p.k = K;
  p.a.pack = packIm2col;
  p.a.ctx = &view;
  p.a.packCost = 24;
  p.bt = matrixView(filter, g.outC, K, true);
  p.c = y;
  p.ldc = g.outC;
  p.bias = bias;
  p.relu = relu;
  p.relu6 = six;
  gemm(p);
}

void conv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dfilter) {
  if (conv2dBackpropFilterWinograd(g, x, dy, dfilter) || conv2dBackpropFilterDirect(g, x, dy, dfilter)) return;
  const i64 M = g.batch * g.outH * g.outW;
  const i64 K = g.kH * g.kW * g.inC;
  Im2col view{&g, x};
  GemmParams p;
  p.m = K;
  p.n = g.outC;
  p.k = M;
  p.a.pack = packIm2colT;
  p.a.ctx = &view;
  p.a.packCost = 24;
  p.bt = matrixView(dy, g.outC, M, true);
  p.c = dfilter;
  p.ldc = g.outC;
  gemm(p);
}

void conv2dBackpropInput(const ConvGeom& g, const float* dy, const float* filter, float* dx) {
  if (conv2dBackpropInputWinograd(g, dy, filter, dx) || conv2dBackpropInputDirect(g, dy, filter, dx)) return;
  const i64 pixels = g.outH * g.outW;
  const i64 K = g.kH * g.kW * g.inC;
  // Chunks of whole output rows, about 64K floats of dcol each (L2-resident).
  i64 rowsPerChunk = K > 0 ? 65536 / (K * (g.outW > 0 ? g.outW : 1)) : 1;
  if (rowsPerChunk < 1) rowsPerChunk = 1;
  if (rowsPerChunk > g.outH) rowsPerChunk = g.outH;
  i64 chunk = rowsPerChunk * g.outW;
  if (chunk < 1) chunk = 1;
  if (chunk > pixels && pixels > 0) chunk = pixels;
  BackpropInputTask t{&g, dy, filter, dx, chunk};
  const double flops = 2.0 * g.batch * pixels * K * g.outC;
  const int nth = threadsFor(flops, 4e6);
  if (g.batch >= nth) {
    run(backpropInputThread, t, nth);  // images are independent: no overlapping scatters
  } else {
    backpropInputChunks(t, 0, g.batch, true);  // few images: parallelise inside each GEMM
  }
}

}  // namespace ck
