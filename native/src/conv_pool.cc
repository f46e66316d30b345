// Conv2D → MaxPooling2D in one pass (see conv_pool.h). The batch is cut into chunks whose
// convolution output fits in the L2 caches: each chunk is convolved into scratch and pooled from
// there, so the full convolution output (17 MB for the seed model's first layer at batch 200)
// never travels to memory and back. The backward pass does the same in reverse: it routes the
// pooled gradient to the winners in scratch and runs both convolution gradients chunk by chunk.
#include "conv_pool.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "threadpool.h"

namespace ck {
namespace {

// Scratch budget for one chunk's convolution output: about one core's L2.
constexpr i64 kChunkBytes = i64{1} << 20;
constexpr int kConvSlot = 8;  // see threadpool.h

i64 chunkImages(const ConvGeom& g) {
  const i64 perImage = std::max<i64>(g.outH * g.outW * g.outC * static_cast<i64>(sizeof(float)), 1);
  return std::max<i64>(1, std::min<i64>(g.batch, kChunkBytes / perImage));
}

struct OffsetTask {
  int32_t* argmax;
  i64 count;
  i64 base;
};

void offsetThread(const OffsetTask& t, int ith, int nth) {
  i64 b, e;
  splitRange(t.count, ith, nth, 16, &b, &e);
  const int32_t base = static_cast<int32_t>(t.base);
  for (i64 i = b; i < e; ++i) t.argmax[i] = t.argmax[i] >= 0 ? t.argmax[i] + base : -1;
}

// Routes one chunk's pooled gradient into its (zeroed) convolution-output gradient; shares
// split whole images, so no two threads add into the same cell. Bias partials go to one row of
// `biasParts` per share.
struct RouteTask {
  const float* dy;
  const float* y;
  const int32_t* argmax;
  i64 images, pooledImage, convImage, C, base;
  bool relu;
  float* dconv;
  float* biasParts;
  std::atomic<i64>* bad;
  i64 firstIndex;  // index of dy[0] in the whole batch, for the error
};

void routeThread(const RouteTask& t, int ith, int nth) {
  i64 i0, i1;
  splitRange(t.images, ith, nth, 1, &i0, &i1);
  float* bias = t.biasParts ? t.biasParts + ith * t.C : nullptr;
  if (bias) std::memset(bias, 0, sizeof(float) * t.C);
  if (i1 <= i0) return;
  std::memset(t.dconv + i0 * t.convImage, 0, sizeof(float) * (i1 - i0) * t.convImage);
  for (i64 img = i0; img < i1; ++img) {
    const i64 lo = t.base + img * t.convImage, hi = lo + t.convImage;
    for (i64 j = img * t.pooledImage; j < (img + 1) * t.pooledImage; ++j) {
      const i64 a = t.argmax[j];
      if (a == -1) continue;  // a window of padding only: no winner
      if (a < lo || a >= hi) {
        i64 expected = -1;
        t.bad->compare_exchange_strong(expected, t.firstIndex + j);
        continue;
      }
      const float d = t.relu && !(t.y[j] > 0.0f) ? 0.0f : t.dy[j];
      t.dconv[a - t.base] += d;
      if (bias) bias[j % t.C] += d;
    }
  }
}

}  // namespace

void conv2dMaxPool(const ConvGeom& g, const PoolGeom& p, const float* x, const float* filter,
                   const float* bias, bool relu, float* y, int32_t* argmax) {
  const i64 nb = chunkImages(g);
  const i64 xImage = g.inH * g.inW * g.inC, convImage = g.outH * g.outW * g.outC;
  const i64 yImage = p.outH * p.outW * p.C;
  if (g.batch == 0 || yImage == 0) return;
  float* conv = scratch(kConvSlot, static_cast<std::size_t>(nb * convImage));
  for (i64 b0 = 0; b0 < g.batch; b0 += nb) {
    ConvGeom gc = g;
    PoolGeom pc = p;
    gc.batch = pc.batch = std::min(nb, g.batch - b0);
    conv2d(gc, x + b0 * xImage, filter, bias, relu, conv);
    maxPool2d(pc, conv, y + b0 * yImage, argmax + b0 * yImage);
    if (b0 > 0) {
      const OffsetTask t{argmax + b0 * yImage, gc.batch * yImage, b0 * convImage};
      run(offsetThread, t, threadsFor(static_cast<double>(t.count), 1 << 16));
    }
  }
}

i64 conv2dMaxPoolBackward(const ConvGeom& g, const PoolGeom& p, const float* dy, const float* x,
                          const float* filter, const float* y, const int32_t* argmax, bool relu,
                          float* dx, float* dfilter, float* dbias) {
  const i64 nb = chunkImages(g);
  const i64 xImage = g.inH * g.inW * g.inC, convImage = g.outH * g.outW * g.outC;
  const i64 yImage = p.outH * p.outW * p.C, C = g.outC;
  const i64 filterSize = g.kH * g.kW * g.inC * g.outC;
  if (dbias) std::fill(dbias, dbias + C, 0.0f);
  if (dfilter) std::fill(dfilter, dfilter + filterSize, 0.0f);
  if (g.batch == 0 || convImage == 0) {
    if (dx) std::fill(dx, dx + g.batch * xImage, 0.0f);  // no output, so no gradient reaches x
    return -1;
  }
  float* dconv = scratch(kConvSlot, static_cast<std::size_t>(nb * convImage));
  std::vector<float> partFilter(dfilter ? static_cast<std::size_t>(filterSize) : 0);
  std::vector<float> biasParts;
  std::atomic<i64> bad{-1};
  for (i64 b0 = 0; b0 < g.batch; b0 += nb) {
    ConvGeom gc = g;
    gc.batch = std::min(nb, g.batch - b0);
    const int nth = std::max(1, std::min<int>(static_cast<int>(gc.batch), threadsFor(static_cast<double>(gc.batch * convImage), 1 << 15)));
    if (dbias) biasParts.assign(static_cast<std::size_t>(nth * C), 0.0f);
    const RouteTask t{dy + b0 * yImage, y + b0 * yImage, argmax + b0 * yImage, gc.batch, yImage, convImage, C,
                      b0 * convImage, relu, dconv, dbias ? biasParts.data() : nullptr, &bad, b0 * yImage};
    run(routeThread, t, nth);
    if (dbias)
      for (int s = 0; s < nth; ++s)
        for (i64 c = 0; c < C; ++c) dbias[c] += biasParts[s * C + c];
    if (dfilter) {
      conv2dBackpropFilter(gc, x + b0 * xImage, dconv, partFilter.data());
      for (i64 i = 0; i < filterSize; ++i) dfilter[i] += partFilter[i];
    }
    if (dx) conv2dBackpropInput(gc, dconv, filter, dx + b0 * xImage);
  }
  return bad.load();
}

}  // namespace ck
