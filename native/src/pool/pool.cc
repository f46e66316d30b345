// Pooling kernels (see pool.h). Forward passes split output rows across threads; backward
// passes scatter, so they split whole images: no two threads ever add into the same dx cell.
#include "pool.h"

#include <atomic>
#include <cstring>

#include "isa.h"
#include "simd.h"
#include "threadpool.h"

namespace ck {
namespace {

struct Window {
  i64 y0, y1, x0, x1;
};

inline Window windowAt(const PoolGeom& g, i64 oh, i64 ow) {
  const i64 ys = oh * g.sH - g.padT, xs = ow * g.sW - g.padL;
  Window w;
  w.y0 = ys > 0 ? ys : 0;
  w.y1 = ys + g.pH < g.inH ? ys + g.pH : g.inH;
  w.x0 = xs > 0 ? xs : 0;
  w.x1 = xs + g.pW < g.inW ? xs + g.pW : g.inW;
  return w;
}

struct PoolTask {
  const PoolGeom* g;
  const float* in;
  float* out;
  int32_t* argmax;
  const int32_t* argmaxIn;
  std::atomic<i64>* badIndex;
};

int poolThreadsFor(const PoolGeom& g, i64 units) {
  return threadsFor(static_cast<double>(units) * g.pH * g.pW * g.C, 65536);
}

// One window cell into the running max of every channel: a larger value or a first NaN wins
// (NaN then sticks). Written branch-free so it vectorises.
inline void maxStep(const float* __restrict x, int32_t base, float* __restrict y,
                    int32_t* __restrict arg, int C) {
  for (int c = 0; c < C; ++c) {
    const float v = x[c], cur = y[c];
    const bool take = (v > cur) | ((v != v) & (cur == cur));
    y[c] = take ? v : cur;
    arg[c] = take ? base + c : arg[c];
  }
}

void maxPoolThread(const PoolTask& t, int ith, int nth) {
  const PoolGeom& g = *t.g;
  const i64 C = g.C;
  i64 r0, r1;
  splitRange(g.batch * g.outH, ith, nth, 1, &r0, &r1);
  if (const auto simd = simdIsa().maxPoolRows) return simd(g, t.in, t.out, t.argmax, r0, r1);
  for (i64 row = r0; row < r1; ++row) {
    const i64 n = row / g.outH, oh = row % g.outH;
    for (i64 ow = 0; ow < g.outW; ++ow) {
      const Window w = windowAt(g, oh, ow);
      float* y = t.out + ((n * g.outH + oh) * g.outW + ow) * C;
      int32_t* arg = t.argmax + ((n * g.outH + oh) * g.outW + ow) * C;
      if (w.y1 <= w.y0 || w.x1 <= w.x0) {
        for (i64 c = 0; c < C; ++c) {
          y[c] = 0.0f;
          arg[c] = -1;
        }
        continue;
      }
      const i64 first = ((n * g.inH + w.y0) * g.inW + w.x0) * C;
      for (i64 c = 0; c < C; ++c) {
        y[c] = t.in[first + c];
        arg[c] = static_cast<int32_t>(first + c);
      }
      for (i64 iy = w.y0; iy < w.y1; ++iy)
        for (i64 ix = w.x0; ix < w.x1; ++ix) {
          const i64 base = ((n * g.inH + iy) * g.inW + ix) * C;
          if (base != first) maxStep(t.in + base, static_cast<int32_t>(base), y, arg, static_cast<int>(C));
        }
    }
  }
}

void maxPoolBackwardThread(const PoolTask& t, int ith, int nth) {
  const PoolGeom& g = *t.g;
  const i64 inImage = g.inH * g.inW * g.C, outImage = g.outH * g.outW * g.C;
  i64 n0, n1;
  splitRange(g.batch, ith, nth, 1, &n0, &n1);
  // Windows that tile the input without overlap: the SIMD kernel writes each image in one pass.
  const bool tiled = simdIsa().maxPoolBackwardImage != nullptr && g.sH == g.pH && g.sW == g.pW && g.padT == 0 && g.padL == 0;
  for (i64 n = n0; n < n1; ++n) {
    if (tiled && simdIsa().maxPoolBackwardImage(g, t.in, t.argmaxIn, t.out, n)) continue;
    const i64 lo = n * inImage, hi = lo + inImage;
    std::memset(t.out + lo, 0, sizeof(float) * inImage);
    for (i64 i = n * outImage; i < (n + 1) * outImage; ++i) {
      const i64 j = t.argmaxIn[i];
      if (j >= lo && j < hi) {
        t.out[j] += t.in[i];
      } else if (j != -1) {
        i64 expected = -1;
        t.badIndex->compare_exchange_strong(expected, i);
      }
    }
  }
}

void avgPoolThread(const PoolTask& t, int ith, int nth) {
  const PoolGeom& g = *t.g;
  const i64 C = g.C;
  i64 r0, r1;
  splitRange(g.batch * g.outH, ith, nth, 1, &r0, &r1);
  for (i64 row = r0; row < r1; ++row) {
    const i64 n = row / g.outH, oh = row % g.outH;
    for (i64 ow = 0; ow < g.outW; ++ow) {
      const Window w = windowAt(g, oh, ow);
      float* y = t.out + ((n * g.outH + oh) * g.outW + ow) * C;
      for (i64 c = 0; c < C; ++c) y[c] = 0.0f;
      const i64 count = (w.y1 - w.y0) * (w.x1 - w.x0);
      if (w.y1 <= w.y0 || w.x1 <= w.x0) continue;
      for (i64 iy = w.y0; iy < w.y1; ++iy)
        for (i64 ix = w.x0; ix < w.x1; ++ix) {
          const float* x = t.in + ((n * g.inH + iy) * g.inW + ix) * C;
          for (i64 c = 0; c < C; ++c) y[c] += x[c];
        }
      const float inv = static_cast<float>(count);
      for (i64 c = 0; c < C; ++c) y[c] /= inv;
    }
  }
}

void avgPoolBackwardThread(const PoolTask& t, int ith, int nth) {
  const PoolGeom& g = *t.g;
  const i64 C = g.C, inImage = g.inH * g.inW * C;
  i64 n0, n1;
  splitRange(g.batch, ith, nth, 1, &n0, &n1);
  std::memset(t.out + n0 * inImage, 0, sizeof(float) * (n1 - n0) * inImage);
  for (i64 n = n0; n < n1; ++n)
    for (i64 oh = 0; oh < g.outH; ++oh)
      for (i64 ow = 0; ow < g.outW; ++ow) {
        const Window w = windowAt(g, oh, ow);
        if (w.y1 <= w.y0 || w.x1 <= w.x0) continue;
        const float count = static_cast<float>((w.y1 - w.y0) * (w.x1 - w.x0));
        const float* dy = t.in + ((n * g.outH + oh) * g.outW + ow) * C;
        for (i64 iy = w.y0; iy < w.y1; ++iy)
          for (i64 ix = w.x0; ix < w.x1; ++ix) {
            float* dx = t.out + ((n * g.inH + iy) * g.inW + ix) * C;
            for (i64 c = 0; c < C; ++c) dx[c] += dy[c] / count;
          }
      }
}

}  // namespace

void maxPool2d(const PoolGeom& g, const float* x, float* y, int32_t* argmax) {
  PoolTask t{&g, x, y, argmax, nullptr, nullptr};
  const int shares = 4 * poolThreadsFor(g, g.batch * g.outH * g.outW);
  run(maxPoolThread, t, shares > 4 ? shares : 1);
}

i64 maxPool2dBackward(const PoolGeom& g, const float* dy, const int32_t* argmax, float* dx) {
  std::atomic<i64> bad{-1};
  PoolTask t{&g, dy, dx, nullptr, argmax, &bad};
  const int nth = sharesFor(static_cast<double>(g.batch) * g.inH * g.inW * g.C, 65536);
  run(maxPoolBackwardThread, t, nth < g.batch ? nth : static_cast<int>(g.batch > 0 ? g.batch : 1));
  return bad.load();
}

void avgPool2d(const PoolGeom& g, const float* x, float* y) {
  PoolTask t{&g, x, y, nullptr, nullptr, nullptr};
  run(avgPoolThread, t, poolThreadsFor(g, g.batch * g.outH * g.outW));
}

void avgPool2dBackward(const PoolGeom& g, const float* dy, float* dx) {
  PoolTask t{&g, dy, dx, nullptr, nullptr, nullptr};
  const int nth = poolThreadsFor(g, g.batch * g.outH * g.outW);
  run(avgPoolBackwardThread, t, nth < g.batch ? nth : static_cast<int>(g.batch > 0 ? g.batch : 1));
}

}  // namespace ck
