// Conv2D → MaxPooling2D in one pass (see conv_pool.h). The batch is cut into chunks whose
// convolution output fits in one core's L2, one chunk per thread at a time: each is convolved
// (by the ordinary kernels, run on that thread) into the thread's scratch and pooled from there,
// so the full convolution output (17 MB for the seed model's first layer at batch 200) never
// travels to memory and back. The backward pass does the same in reverse: it routes the pooled gradient to
// the winners in scratch and runs both convolution gradients chunk by chunk, each chunk's filter
// and bias gradients summed in chunk order afterwards.
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

// Chunks of the batch: each chunk's convolution output about kChunkBytes, and a multiple of the
// thread count of them, so the threads' shares come out even.
i64 chunkCount(const ConvGeom& g) {
  if (g.batch <= 0) return 0;
  const i64 perImage = std::max<i64>(g.outH * g.outW * g.outC * static_cast<i64>(sizeof(float)), 1);
  const i64 images = std::max<i64>(1, std::min<i64>(g.batch, kChunkBytes / perImage));
  const i64 threads = poolThreads();
  const i64 chunks = (g.batch + images - 1) / images;
  return std::min<i64>(g.batch, (chunks + threads - 1) / threads * threads);
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

namespace {

// One call's operands and the chunking (chunk c: images [b0, b1) of splitRange(batch, c, chunks)).
struct Job {
  const ConvGeom* g;
  const PoolGeom* p;
  const float* x;
  const float* filter;
  const float* bias;
  const float* dy;
  const float* y;
  bool relu;
  float* yOut;
  int32_t* argmax;  // written by the forward pass, read by the backward
  float* dx;
  float* dfilterParts;  // one filter-sized block per chunk (backward), or null
  float* dbiasParts;    // one [C] block per chunk (backward), or null
  i64* bad;             // one per chunk (backward): -1 or a bad argmax index
  i64 chunks;
  i64 xImage, convImage, yImage;
};

// Convolves chunk c into this thread's scratch and pools it into y and argmax.
void forwardChunk(const Job& j, i64 c) {
  i64 b0, b1;
  splitRange(j.g->batch, static_cast<int>(c), static_cast<int>(j.chunks), 1, &b0, &b1);
  ConvGeom gc = *j.g;
  PoolGeom pc = *j.p;
  gc.batch = pc.batch = b1 - b0;
  float* conv = scratch(kConvSlot, static_cast<std::size_t>(gc.batch * j.convImage));
  conv2d(gc, j.x + b0 * j.xImage, j.filter, j.bias, j.relu ? EpilogueActivation::Relu : EpilogueActivation::Linear, conv);
  maxPool2d(pc, conv, j.yOut + b0 * j.yImage, j.argmax + b0 * j.yImage);
  if (b0 > 0) {
    const OffsetTask t{j.argmax + b0 * j.yImage, gc.batch * j.yImage, b0 * j.convImage};
    run(offsetThread, t, threadsFor(static_cast<double>(t.count), 1 << 16));
  }
}

// Routes chunk c's pooled gradient into this thread's scratch, then through the convolution:
// its filter and bias gradients into the chunk's blocks, its input gradient into dx.
void backwardChunk(const Job& j, i64 c) {
  const i64 C = j.g->outC;
  i64 b0, b1;
  splitRange(j.g->batch, static_cast<int>(c), static_cast<int>(j.chunks), 1, &b0, &b1);
  ConvGeom gc = *j.g;
  PoolGeom pc = *j.p;
  gc.batch = pc.batch = b1 - b0;
  const i64 pixels = gc.batch * pc.outH * pc.outW;
  float* dconv = scratch(kConvSlot, static_cast<std::size_t>(gc.batch * j.convImage));
  float* masked = scratch(kMaskSlot, static_cast<std::size_t>(pixels * C));
  static thread_local std::vector<int32_t> relative;
  relative.resize(static_cast<std::size_t>(pixels * C));
  const int nth = threadsFor(static_cast<double>(pixels * C), 1 << 15);
  std::vector<float> biasParts(j.dbiasParts ? static_cast<std::size_t>(nth * C) : 0);
  const MaskTask t{j.dy + b0 * j.yImage, j.y + b0 * j.yImage, j.argmax + b0 * j.yImage, pixels, C, b0 * j.convImage, j.relu,
                   masked, relative.data(), j.dbiasParts ? biasParts.data() : nullptr};
  run(maskThread, t, nth);
  if (j.dbiasParts) {
    float* db = j.dbiasParts + c * C;
    std::fill(db, db + C, 0.0f);
    for (int sh = 0; sh < nth; ++sh)
      for (i64 k = 0; k < C; ++k) db[k] += biasParts[sh * C + k];
  }
  const i64 bad = maxPool2dBackward(pc, masked, relative.data(), dconv);
  j.bad[c] = bad >= 0 ? b0 * j.yImage + bad : -1;
  if (bad >= 0) return;
  const i64 filterSize = gc.kH * gc.kW * gc.inC * gc.outC;
  if (j.dfilterParts) conv2dBackpropFilter(gc, j.x + b0 * j.xImage, dconv, j.dfilterParts + c * filterSize);
  if (j.dx) conv2dBackpropInput(gc, dconv, j.filter, j.dx + b0 * j.xImage);
}

// Chunks are shares: each thread takes whole chunks, and the kernels it calls for one run on
// that thread alone (nested parallelRun calls run inline), in its own L2-sized scratch.
void forwardShare(const Job& j, int ith, int nth) {
  for (i64 c = ith; c < j.chunks; c += nth) forwardChunk(j, c);
}
void backwardShare(const Job& j, int ith, int nth) {
  for (i64 c = ith; c < j.chunks; c += nth) backwardChunk(j, c);
}

Job jobFor(const ConvGeom& g, const PoolGeom& p) {
  Job j{};
  j.g = &g;
  j.p = &p;
  j.chunks = std::min<i64>(chunkCount(g), kMaxShares);
  j.xImage = g.inH * g.inW * g.inC;
  j.convImage = g.outH * g.outW * g.outC;
  j.yImage = p.outH * p.outW * p.C;
  return j;
}

// One chunk: the kernels thread themselves; several: one chunk per share.
template <void (*Share)(const Job&, int, int)>
void runChunks(const Job& j) {
  if (j.chunks == 1) return Share(j, 0, 1);
  run(Share, j, static_cast<int>(j.chunks));
}

}  // namespace

void conv2dMaxPool(const ConvGeom& g, const PoolGeom& p, const float* x, const float* filter,
                   const float* bias, bool relu, float* y, int32_t* argmax) {
  Job j = jobFor(g, p);
  if (j.chunks == 0 || j.yImage == 0) return;
  j.x = x;
  j.filter = filter;
  j.bias = bias;
  j.relu = relu;
  j.yOut = y;
  j.argmax = argmax;
  runChunks<forwardShare>(j);
}

i64 conv2dMaxPoolBackward(const ConvGeom& g, const PoolGeom& p, const float* dy, const float* x,
                          const float* filter, const float* y, const int32_t* argmax, bool relu,
                          float* dx, float* dfilter, float* dbias) {
  Job j = jobFor(g, p);
  const i64 C = g.outC, filterSize = g.kH * g.kW * g.inC * g.outC;
  if (dbias) std::fill(dbias, dbias + C, 0.0f);
  if (dfilter) std::fill(dfilter, dfilter + filterSize, 0.0f);
  if (j.chunks == 0 || j.convImage == 0) {
    if (dx) std::fill(dx, dx + g.batch * j.xImage, 0.0f);  // no output, so no gradient reaches x
    return -1;
  }
  std::vector<float> filterParts(dfilter ? static_cast<std::size_t>(j.chunks * filterSize) : 0);
  std::vector<float> biasParts(dbias ? static_cast<std::size_t>(j.chunks * C) : 0);
  std::vector<i64> bad(static_cast<std::size_t>(j.chunks), -1);
  j.x = x;
  j.filter = filter;
  j.dy = dy;
  j.y = y;
  j.relu = relu;
  j.argmax = const_cast<int32_t*>(argmax);  // only read by the backward pass
  j.dx = dx;
  j.dfilterParts = dfilter ? filterParts.data() : nullptr;
  j.dbiasParts = dbias ? biasParts.data() : nullptr;
  j.bad = bad.data();
  runChunks<backwardShare>(j);
  // Partial sums added in chunk order: the result does not depend on which thread ran a chunk.
  for (i64 c = 0; c < j.chunks; ++c) {
    if (bad[c] >= 0) return bad[c];
    if (dfilter)
      for (i64 i = 0; i < filterSize; ++i) dfilter[i] += filterParts[c * filterSize + i];
    if (dbias)
      for (i64 k = 0; k < C; ++k) dbias[k] += biasParts[c * C + k];
  }
  return -1;
}

}  // namespace ck
