// Conv2D → MaxPooling2D in one pass (see conv_pool.h). The batch is cut into chunks whose
// convolution output fits in the L2 caches: each chunk is convolved into scratch and pooled from
// there, so the full convolution output (17 MB for the seed model's first layer at batch 200)
// never travels to memory and back. The backward pass does the same in reverse: it routes the
// pooled gradient to the winners in scratch and runs both convolution gradients chunk by chunk.
#include "conv_pool.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "threadpool.h"

namespace ck {
namespace {

// Scratch budget for one chunk's convolution output: about one core's L2.
constexpr i64 kChunkBytes = i64{1} << 20;
constexpr int kConvSlot = 8;  // see threadpool.h
constexpr int kMaskSlot = 9;

// Chunks pay where the convolution is memory-bound: few multiply-adds per output value (the seed
// model's first layer: 9). With many (its second: 288) the output's round trip is a small part
// of the cost, and the convolution kernels run best on the whole batch at once.
constexpr i64 kMaxChunkedTaps = 64;

i64 chunkImages(const ConvGeom& g) {
  if (g.kH * g.kW * g.inC > kMaxChunkedTaps) return std::max<i64>(g.batch, 1);
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

// Prepares one chunk's pooled gradient for maxPool2dBackward: masked by the relu (zero where the
// pooled output is not positive) and with argmax made relative to the chunk. Shares split whole
// pooled pixels; each share sums its bias partials into its own row of `biasParts`.
struct MaskTask {
  const float* dy;
  const float* y;
  const int32_t* argmax;
  i64 pixels, C, base;
  bool relu;
  float* masked;
  int32_t* relative;
  float* biasParts;
};

void maskThread(const MaskTask& t, int ith, int nth) {
  i64 p0, p1;
  splitRange(t.pixels, ith, nth, 1, &p0, &p1);
  const i64 b = p0 * t.C, e = p1 * t.C;
  const float* __restrict dy = t.dy;
  const float* __restrict y = t.y;
  const int32_t* __restrict a = t.argmax;
  float* __restrict m = t.masked;
  int32_t* __restrict r = t.relative;
  // Flat loops without branches on the flags inside, so they vectorise. A window without a
  // winner (argmax -1) passes nothing back, as in maxPool2dBackward.
  if (t.relu) {
    for (i64 i = b; i < e; ++i) {
      const float g = dy[i];  // loaded unconditionally, so the select vectorises (no branch per element)
      m[i] = (y[i] > 0.0f) & (a[i] != -1) ? g : 0.0f;
    }
  } else {
    for (i64 i = b; i < e; ++i) {
      const float g = dy[i];
      m[i] = a[i] != -1 ? g : 0.0f;
    }
  }
  // -1 stays -1; anything else moves by the chunk's offset (maxPool2dBackward then checks it).
  const uint32_t base = static_cast<uint32_t>(t.base);
  for (i64 i = b; i < e; ++i) r[i] = a[i] == -1 ? -1 : static_cast<int32_t>(static_cast<uint32_t>(a[i]) - base);
  if (!t.biasParts) return;
  float* __restrict bias = t.biasParts + ith * t.C;
  std::memset(bias, 0, sizeof(float) * t.C);
  for (i64 q = b; q < e; q += t.C)
    for (i64 c = 0; c < t.C; ++c) bias[c] += m[q + c];
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
  float* masked = scratch(kMaskSlot, static_cast<std::size_t>(nb * yImage));
  static thread_local std::vector<int32_t> relative;
  relative.resize(static_cast<std::size_t>(nb * yImage));
  std::vector<float> partFilter(dfilter ? static_cast<std::size_t>(filterSize) : 0);
  std::vector<float> biasParts;
  for (i64 b0 = 0; b0 < g.batch; b0 += nb) {
    ConvGeom gc = g;
    PoolGeom pc = p;
    gc.batch = pc.batch = std::min(nb, g.batch - b0);
    const i64 pixels = gc.batch * p.outH * p.outW;
    const int nth = threadsFor(static_cast<double>(pixels * C), 1 << 15);
    if (dbias) biasParts.assign(static_cast<std::size_t>(nth * C), 0.0f);
    const MaskTask t{dy + b0 * yImage, y + b0 * yImage, argmax + b0 * yImage, pixels, C, b0 * convImage, relu,
                     masked, relative.data(), dbias ? biasParts.data() : nullptr};
    run(maskThread, t, nth);
    if (dbias)
      for (int sh = 0; sh < nth; ++sh)
        for (i64 c = 0; c < C; ++c) dbias[c] += biasParts[sh * C + c];
    const i64 bad = maxPool2dBackward(pc, masked, relative.data(), dconv);
    if (bad >= 0) return b0 * yImage + bad;
    if (dfilter) {
      conv2dBackpropFilter(gc, x + b0 * xImage, dconv, partFilter.data());
      for (i64 i = 0; i < filterSize; ++i) dfilter[i] += partFilter[i];
    }
    if (dx) conv2dBackpropInput(gc, dconv, filter, dx + b0 * xImage);
  }
  return -1;
}

}  // namespace ck
