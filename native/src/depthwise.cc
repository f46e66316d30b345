// Depthwise convolution kernels (see depthwise.h). Every output pixel visits its in-image taps;
// the channel loop is innermost and contiguous in x, y and the filter, so it vectorises. The
// forward pass splits output rows across threads, the input gradient (a scatter) whole images,
// and the filter gradient sums per-thread partial filters.
#include "depthwise.h"

#include <cstring>
#include <vector>

#include "threadpool.h"

namespace ck {
namespace {

struct DwTask {
  const ConvGeom* g;
  const float* a;  // x (forward, filter gradient) or dy (input gradient)
  const float* b;  // filter, or dy (filter gradient)
  float* out;
  float* partials;  // filter gradient: nth × kH·kW·outC
};

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
  forTaps(g, r0, r1, [&](i64 in, i64 out, i64 tap) {
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

}  // namespace

void depthwiseConv2d(const ConvGeom& g, const float* x, const float* filter, float* y) {
  if (g.batch * g.outH * g.outW * g.outC == 0) return;
  DwTask t{&g, x, filter, y, nullptr};
  run(forwardThread, t, threadsFor(work(g), 65536));
}

void depthwiseConv2dBackpropInput(const ConvGeom& g, const float* dy, const float* filter, float* dx) {
  if (g.batch * g.inH * g.inW * g.inC == 0) return;
  DwTask t{&g, dy, filter, dx, nullptr};
  const int nth = threadsFor(work(g), 65536);
  run(inputThread, t, nth < g.batch ? nth : static_cast<int>(g.batch));
}

void depthwiseConv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dfilter) {
  const i64 size = g.kH * g.kW * g.outC;
  if (size == 0) return;
  const int nth = threadsFor(work(g), 65536);
  std::vector<float> partials(static_cast<size_t>(size * nth));
  DwTask t{&g, x, dy, nullptr, partials.data()};
  run(filterThread, t, nth);
  for (i64 i = 0; i < size; ++i) {
    float s = 0;
    for (int q = 0; q < nth; ++q) s += partials[q * size + i];
    dfilter[i] = s;
  }
}

}  // namespace ck
