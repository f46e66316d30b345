// Depthwise convolution kernels (see depthwise.h). With AVX2 or AVX-512 selected and multiplier
// 1 (MobileNet's case), the vectorised row kernels of depthwise_kernels.inc run: the forward pass
// and the filter gradient split output rows across threads (the filter gradient into per-share
// partial filters summed in share order), and the input gradient is gathered per input row:
// for stride 1 it is the forward kernel run over dy with the filter flipped and the padding
// mirrored, for larger strides a per-pixel gather. Otherwise (portable, multipliers above 1)
// every output pixel visits its in-image taps with the channel loop innermost, one output row at
// a time, then the row takes the epilogue (bias, relu or relu6) while it is in cache; the input
// gradient is then a scatter split by image.
#include "depthwise.h"

#include <cstddef>
#include <cstring>
#include <vector>

#include "depthwise_simd.h"
#include "isa.h"
#include "threadpool.h"

namespace ck {
namespace {

struct DwTask {
  const ConvGeom* g;
  const float* a;  // x (forward, filter gradient) or dy (input gradient)
  const float* b;  // filter, or dy (filter gradient)
  float* out;
  float* partials;  // filter gradient: nth × kH·kW·outC
  const float* bias = nullptr;              // forward: per output channel, or null
  EpilogueActivation act = EpilogueActivation::Linear;  // forward: the epilogue's activation
};

// The portable epilogue over n pixels of CM channels: + bias, then relu or relu6 (NaN propagates).
void epilogueRows(float* __restrict y, i64 n, i64 CM, const float* __restrict bias, EpilogueActivation act) {
  if (!bias && act == EpilogueActivation::Linear) return;
  const float hi = act == EpilogueActivation::Relu6 ? 6.0f : 0.0f;
  for (i64 p = 0; p < n; ++p, y += CM) {
    for (i64 c = 0; c < CM; ++c) {
      float v = bias ? y[c] + bias[c] : y[c];
      if (act != EpilogueActivation::Linear && v < 0.0f) v = 0.0f;
      if (act == EpilogueActivation::Relu6 && v > hi) v = hi;
      y[c] = v;
    }
  }
}

// Calls visit(inPixel, outPixel, tap) for every in-image tap of output rows [r0, r1), where the
// pixels are flat indices (n·H + h)·W + w of x and y, and tap is kh·kW + kw.
template <class Visit>
void forTaps(const ConvGeom& g, i64 r0, i64 r1, Visit visit) {
  for (i64 row = r0; row < r1; ++row) {
    const i64 n = row / g.outH, oh = row % g.outH;
    for (i64 ow = 0; ow < g.outW; ++ow) {
      const i64 outPixel = row * g.outW + ow;
      for (i64 kh = 0; kh < g.kH; ++kh) {
        const i64 ih = oh * g.sH - g.padT + kh * g.dH;
        if (ih < 0 || ih >= g.inH) continue;
        for (i64 kw = 0; kw < g.kW; ++kw) {
          const i64 iw = ow * g.sW - g.padL + kw * g.dW;
          if (iw < 0 || iw >= g.inW) continue;
          visit((n * g.inH + ih) * g.inW + iw, outPixel, kh * g.kW + kw);
        }
      }
    }
  }
}

void forwardThread(const DwTask& t, int ith, int nth) {
  const ConvGeom& g = *t.g;
  const i64 C = g.inC, CM = g.outC, M = CM / C;
  i64 r0, r1;
  splitRange(g.batch * g.outH, ith, nth, 1, &r0, &r1);
  std::memset(t.out + r0 * g.outW * CM, 0, sizeof(float) * (r1 - r0) * g.outW * CM);
  for (i64 row = r0; row < r1; ++row) {
    forTaps(g, row, row + 1, [&](i64 in, i64 out, i64 tap) {
      const float* __restrict x = t.a + in * C;
      const float* __restrict f = t.b + tap * CM;
      float* __restrict y = t.out + out * CM;
      if (M == 1) {
        for (i64 c = 0; c < C; ++c) y[c] += x[c] * f[c];
      } else {
        for (i64 c = 0; c < C; ++c)
          for (i64 m = 0; m < M; ++m) y[c * M + m] += x[c] * f[c * M + m];
      }
    });
    epilogueRows(t.out + row * g.outW * CM, g.outW, CM, t.bias, t.act);
  }
}

void inputThread(const DwTask& t, int ith, int nth) {
  const ConvGeom& g = *t.g;
  const i64 C = g.inC, CM = g.outC, M = CM / C;
  i64 n0, n1;
  splitRange(g.batch, ith, nth, 1, &n0, &n1);
  const i64 image = g.inH * g.inW * C;
  std::memset(t.out + n0 * image, 0, sizeof(float) * (n1 - n0) * image);
  forTaps(g, n0 * g.outH, n1 * g.outH, [&](i64 in, i64 out, i64 tap) {
    const float* __restrict dy = t.a + out * CM;
    const float* __restrict f = t.b + tap * CM;
    float* __restrict dx = t.out + in * C;
    if (M == 1) {
      for (i64 c = 0; c < C; ++c) dx[c] += dy[c] * f[c];
    } else {
      for (i64 c = 0; c < C; ++c) {
        float s = 0;
        for (i64 m = 0; m < M; ++m) s += dy[c * M + m] * f[c * M + m];
        dx[c] += s;
      }
    }
  });
}

void filterThread(const DwTask& t, int ith, int nth) {
  const ConvGeom& g = *t.g;
  const i64 C = g.inC, CM = g.outC, M = CM / C;
  const i64 size = g.kH * g.kW * CM;
  float* df = t.partials + ith * size;
  std::memset(df, 0, sizeof(float) * size);
  i64 r0, r1;
  splitRange(g.batch * g.outH, ith, nth, 1, &r0, &r1);
  forTaps(g, r0, r1, [&](i64 in, i64 out, i64 tap) {
    const float* __restrict x = t.a + in * C;
    const float* __restrict dy = t.b + out * CM;
    float* __restrict d = df + tap * CM;
    if (M == 1) {
      for (i64 c = 0; c < C; ++c) d[c] += x[c] * dy[c];
    } else {
      for (i64 c = 0; c < C; ++c)
        for (i64 m = 0; m < M; ++m) d[c * M + m] += x[c] * dy[c * M + m];
    }
  });
}

double work(const ConvGeom& g) { return static_cast<double>(g.batch) * g.outH * g.outW * g.kH * g.kW * g.outC; }

// The vectorised row kernels apply: an AVX2 or AVX-512 record is selected, multiplier 1, and the
// filter fits the kernels' fixed-size tap lists.
bool vectorised(const ConvGeom& g) {
  return depthwiseIsa() != nullptr && g.inC == g.outC && g.kH <= kDwMaxKernel && g.kH * g.kW <= kDwMaxTaps;
}

// Shares for `work` multiply-adds split by rows: sharesFor's count, at most one per row.
int sharesUpTo(double work, i64 rows) {
  const int n = sharesFor(work, 65536);
  return n < rows ? n : static_cast<int>(rows);
}

struct RowsTask {
  DwRows rows;
  i64 count;        // rows to split
  float* partials;  // filter gradient: one kH·kW·C filter per share
};

// Calls rows(view, 0, k) for the output rows [r0, r1) of t, one image at a time, where view
// reads a zero-padded copy of the input rows they need (thread scratch slot 5, which no kernel
// running inside a depthwise call uses): the row kernels then see no padding, so every output
// column is in their register-blocked interior path. Strided and without padding, rows runs on t
// directly.
template <class Rows>
void onPaddedRows(const DwRows& t, i64 r0, i64 r1, Rows rows) {
  const ConvGeom& g = *t.g;
  const i64 C = g.inC;
  const i64 Wp = (g.outW - 1) * g.sW + (g.kW - 1) * g.dW + 1;  // columns the windows span
  const bool padded = g.padT > 0 || g.padL > 0 || Wp - g.padL > g.inW || (g.outH - 1) * g.sH + (g.kH - 1) * g.dH + 1 - g.padT > g.inH;
  // Stride 1 reads the staged copy faster even without padding (an L2-resident block, not three
  // strided streams from memory: [128,32,32,144] 'valid' 7.9 → 5.9 ms); stride 2 reads x faster.
  if (!padded && (g.sH > 1 || g.sW > 1)) {
    rows(t, r0, r1);
    return;
  }
  for (i64 row = r0; row < r1;) {
    const i64 n = row / g.outH, oh0 = row % g.outH;
    const i64 oh1 = g.outH < oh0 + (r1 - row) ? g.outH : oh0 + (r1 - row);
    const i64 ihStart = oh0 * g.sH - g.padT;
    const i64 Hp = (oh1 - 1 - oh0) * g.sH + (g.kH - 1) * g.dH + 1;
    float* buf = scratch(5, static_cast<std::size_t>(Hp * Wp * C));
    // Padded column c holds input column c − padL: those in [cLo, cHi) exist.
    const i64 cLo = g.padL > 0 ? g.padL : 0;
    const i64 cHi = g.inW + g.padL < Wp ? g.inW + g.padL : Wp;
    for (i64 r = 0; r < Hp; ++r) {
      const i64 ih = ihStart + r;
      float* dst = buf + r * Wp * C;
      if (ih < 0 || ih >= g.inH || cHi <= cLo) {
        std::memset(dst, 0, sizeof(float) * Wp * C);
        continue;
      }
      std::memset(dst, 0, sizeof(float) * cLo * C);
      std::memcpy(dst + cLo * C, t.x + ((n * g.inH + ih) * g.inW + cLo - g.padL) * C, sizeof(float) * (cHi - cLo) * C);
      std::memset(dst + cHi * C, 0, sizeof(float) * (Wp - cHi) * C);
    }
    ConvGeom view = g;
    view.batch = 1, view.inH = Hp, view.inW = Wp, view.outH = oh1 - oh0, view.padT = 0, view.padL = 0;
    DwRows part = t;
    part.g = &view;
    part.x = buf;
    part.y = t.y + (n * g.outH + oh0) * g.outW * g.outC;
    rows(part, 0, oh1 - oh0);
    row += oh1 - oh0;
  }
}

void forwardShare(const RowsTask& t, int ith, int nth) {
  i64 r0, r1;
  splitRange(t.count, ith, nth, 1, &r0, &r1);
  onPaddedRows(t.rows, r0, r1, [](const DwRows& v, i64 a, i64 b) { depthwiseIsa()->forwardRows(v, a, b); });
}

void inputShare(const RowsTask& t, int ith, int nth) {
  i64 r0, r1;
  splitRange(t.count, ith, nth, 1, &r0, &r1);
  depthwiseIsa()->inputRows(t.rows, r0, r1);
}

void filterShare(const RowsTask& t, int ith, int nth) {
  const ConvGeom& g = *t.rows.g;
  const i64 size = g.kH * g.kW * g.outC;
  float* df = t.partials + ith * size;
  std::memset(df, 0, sizeof(float) * size);
  i64 r0, r1;
  splitRange(t.count, ith, nth, 1, &r0, &r1);
  onPaddedRows(t.rows, r0, r1, [df](const DwRows& v, i64 a, i64 b) { depthwiseIsa()->filterRows(v, a, b, df); });
}

}  // namespace

void depthwiseConv2d(const ConvGeom& g, const float* x, const float* filter, const float* bias, EpilogueActivation act, float* y) {
  const i64 rows = g.batch * g.outH;
  if (rows * g.outW * g.outC == 0) return;
  if (vectorised(g)) {
    RowsTask t{{&g, x, filter, y, bias, act}, rows, nullptr};
    run(forwardShare, t, sharesUpTo(work(g), rows));
    return;
  }
  DwTask t{&g, x, filter, y, nullptr, bias, act};
  run(forwardThread, t, threadsFor(work(g), 65536));
}

void depthwiseConv2dHere(const ConvGeom& g, const float* x, const float* filter, const float* bias, EpilogueActivation act, float* y,
                         bool inPlace) {
  const i64 rows = g.batch * g.outH;
  if (rows * g.outW * g.outC == 0) return;
  if (vectorised(g)) {
    const DwRows t{&g, x, filter, y, bias, act};
    if (inPlace) depthwiseIsa()->forwardRows(t, 0, rows);
    else onPaddedRows(t, 0, rows, [](const DwRows& v, i64 a, i64 b) { depthwiseIsa()->forwardRows(v, a, b); });
    return;
  }
  forwardThread(DwTask{&g, x, filter, y, nullptr, bias, act}, 0, 1);
}

void depthwiseConv2dBackpropInput(const ConvGeom& g, const float* dy, const float* filter, float* dx) {
  if (g.batch * g.inH * g.inW * g.inC == 0) return;
  if (vectorised(g)) {
    const i64 rows = g.batch * g.inH;
    const int shares = sharesUpTo(work(g), rows);
    if (g.sH == 1 && g.sW == 1) {
      // dx = the forward pass over dy with the filter flipped and the padding mirrored.
      ConvGeom t = g;
      t.inH = g.outH, t.inW = g.outW, t.outH = g.inH, t.outW = g.inW;
      t.padT = (g.kH - 1) * g.dH - g.padT, t.padL = (g.kW - 1) * g.dW - g.padL;
      const i64 taps = g.kH * g.kW, C = g.inC;
      std::vector<float> flipped(static_cast<size_t>(taps * C));
      for (i64 k = 0; k < taps; ++k) std::memcpy(&flipped[(taps - 1 - k) * C], filter + k * C, sizeof(float) * C);
      RowsTask task{{&t, dy, flipped.data(), dx}, rows, nullptr};
      run(forwardShare, task, shares);
    } else {
      RowsTask task{{&g, dy, filter, dx}, rows, nullptr};
      run(inputShare, task, shares);
    }
    return;
  }
  DwTask t{&g, dy, filter, dx, nullptr};
  const int nth = threadsFor(work(g), 65536);
  run(inputThread, t, nth < g.batch ? nth : static_cast<int>(g.batch));
}

void depthwiseConv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dfilter) {
  const i64 size = g.kH * g.kW * g.outC;
  if (size == 0) return;
  const int nth = threadsFor(work(g), 65536);
  std::vector<float> partials(static_cast<size_t>(size * nth));
  if (vectorised(g)) {
    RowsTask t{{&g, x, nullptr, const_cast<float*>(dy)}, g.batch * g.outH, partials.data()};
    run(filterShare, t, nth);
  } else {
    DwTask t{&g, x, dy, nullptr, partials.data()};
    run(filterThread, t, nth);
  }
  for (i64 i = 0; i < size; ++i) {
    float s = 0;
    for (int q = 0; q < nth; ++q) s += partials[q * size + i];
    dfilter[i] = s;
  }
}

}  // namespace ck
