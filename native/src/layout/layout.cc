// pad, slice and concat (see layout.h). Each reduces its shapes to rows of one contiguous run:
// trailing axes that are copied whole merge into the run, so e.g. padding H and W of NHWC copies
// runs of W·C floats. Rows are split across threads.
#include "layout.h"

#include <cstring>

#include "threadpool.h"

namespace ck {
namespace {

constexpr double kMinPerThread = 65536;

i64 product(const std::vector<i64>& v, size_t from, size_t to) {
  i64 p = 1;
  for (size_t d = from; d < to; ++d) p *= v[d];
  return p;
}

// Row r of a grid with dims[0..k): its index along each axis, innermost last.
void unravel(i64 r, const std::vector<i64>& dims, size_t k, i64* idx) {
  for (size_t d = k; d-- > 0;) {
    idx[d] = r % dims[d];
    r /= dims[d];
  }
}

// A box copy reduced to rows: out row r (over outDims[0..k)) reads src at srcOffset(r) + srcRun0
// and writes runLen floats at dst offset r*outRowLen + dstRun0; rows outside the box (pad only)
// and the margins around the run are zeroed.
struct RowsTask {
  const float* x;
  float* out;
  std::vector<i64> outDims, srcStride, begin, extent;  // leading axes: box = [begin, begin+extent)
  i64 outRowLen, dstRun0, runLen, srcRun0;
  bool zeroOutside;
};

void rowsThread(const RowsTask& t, int ith, int nth) {
  const size_t k = t.outDims.size();
  const i64 rows = product(t.outDims, 0, k);
  i64 r0, r1;
  splitRange(rows, ith, nth, 1, &r0, &r1);
  std::vector<i64> idx(k > 0 ? k : 1, 0);
  for (i64 r = r0; r < r1; ++r) {
    unravel(r, t.outDims, k, idx.data());
    float* dst = t.out + r * t.outRowLen;
    bool inside = true;
    i64 src = t.srcRun0;
    for (size_t d = 0; d < k; ++d) {
      const i64 i = idx[d] - t.begin[d];
      if (i < 0 || i >= t.extent[d]) inside = false;
      src += i * t.srcStride[d];
    }
    if (!inside) {
      std::memset(dst, 0, sizeof(float) * t.outRowLen);
      continue;
    }
    if (t.zeroOutside) {
      std::memset(dst, 0, sizeof(float) * t.dstRun0);
      const i64 tail = t.outRowLen - t.dstRun0 - t.runLen;
      std::memset(dst + t.dstRun0 + t.runLen, 0, sizeof(float) * tail);
    }
    std::memcpy(dst + t.dstRun0, t.x + src, sizeof(float) * t.runLen);
  }
}

// Index of the innermost axis with a non-trivial box (axes after it are copied whole).
size_t runAxis(const std::vector<i64>& shape, const std::vector<i64>& lo, const std::vector<i64>& hi) {
  size_t k = shape.size();
  while (k > 0 && lo[k - 1] == 0 && hi[k - 1] == 0) --k;
  return k;  // axes [k, rank) are whole; the run is along axis k-1 (or everything when k == 0)
}

}  // namespace

void pad(const float* x, const std::vector<i64>& shape, const std::vector<i64>& before,
         const std::vector<i64>& after, float* out) {
  const size_t rank = shape.size();
  std::vector<i64> outShape(rank);
  for (size_t d = 0; d < rank; ++d) outShape[d] = shape[d] + before[d] + after[d];
  const i64 total = product(outShape, 0, rank);
  if (total == 0) return;
  const size_t k = runAxis(shape, before, after);
  if (k == 0) {
    std::memcpy(out, x, sizeof(float) * total);
    return;
  }
  const i64 inner = product(shape, k, rank);
  RowsTask t;
  t.x = x;
  t.out = out;
  t.outDims.assign(outShape.begin(), outShape.begin() + (k - 1));
  t.begin.assign(before.begin(), before.begin() + (k - 1));
  t.extent.assign(shape.begin(), shape.begin() + (k - 1));
  t.srcStride.resize(k - 1);
  for (size_t d = 0; d + 1 < k; ++d) t.srcStride[d] = product(shape, d + 1, rank);
  t.outRowLen = outShape[k - 1] * inner;
  t.dstRun0 = before[k - 1] * inner;
  t.runLen = shape[k - 1] * inner;
  t.srcRun0 = 0;
  t.zeroOutside = true;
  run(rowsThread, t, threadsFor(static_cast<double>(total), kMinPerThread));
}

void slice(const float* x, const std::vector<i64>& shape, const std::vector<i64>& begin,
           const std::vector<i64>& size, float* out) {
  const size_t rank = shape.size();
  const i64 total = product(size, 0, rank);
  if (total == 0) return;
  std::vector<i64> rest(rank);
  for (size_t d = 0; d < rank; ++d) rest[d] = shape[d] - begin[d] - size[d];
  const size_t k = runAxis(shape, begin, rest);
  if (k == 0) {
    std::memcpy(out, x, sizeof(float) * total);
    return;
  }
  const i64 inner = product(shape, k, rank);
  RowsTask t;
  t.x = x;
  t.out = out;
  t.outDims.assign(size.begin(), size.begin() + (k - 1));
  t.begin.assign(k - 1, 0);
  t.extent = t.outDims;
  t.srcStride.resize(k - 1);
  i64 src0 = begin[k - 1] * inner;
  for (size_t d = 0; d + 1 < k; ++d) {
    t.srcStride[d] = product(shape, d + 1, rank);
    src0 += begin[d] * t.srcStride[d];
  }
  t.outRowLen = size[k - 1] * inner;
  t.dstRun0 = 0;
  t.runLen = t.outRowLen;
  t.srcRun0 = src0;
  t.zeroOutside = false;
  run(rowsThread, t, threadsFor(static_cast<double>(total), kMinPerThread));
}

namespace {

struct ConcatTask {
  const std::vector<const float*>* xs;
  float* out;
  std::vector<i64> partLen, partOffset;  // per part: floats per outer index, offset in an out row
  i64 outer, outLen;
};

void concatThread(const ConcatTask& t, int ith, int nth) {
  const i64 parts = static_cast<i64>(t.partLen.size());
  i64 u0, u1;  // units are (outer index, part) pairs
  splitRange(t.outer * parts, ith, nth, 1, &u0, &u1);
  for (i64 u = u0; u < u1; ++u) {
    const i64 o = u / parts, p = u % parts;
    const i64 len = t.partLen[p];
    if (len > 0) std::memcpy(t.out + o * t.outLen + t.partOffset[p], (*t.xs)[p] + o * len, sizeof(float) * len);
  }
}

}  // namespace

void concat(const std::vector<const float*>& xs, const std::vector<std::vector<i64>>& shapes, i64 axis,
            float* out) {
  const std::vector<i64>& first = shapes[0];
  const size_t rank = first.size();
  ConcatTask t;
  t.xs = &xs;
  t.out = out;
  t.outer = product(first, 0, static_cast<size_t>(axis));
  const i64 inner = product(first, static_cast<size_t>(axis) + 1, rank);
  t.outLen = 0;
  for (const std::vector<i64>& s : shapes) {
    t.partOffset.push_back(t.outLen);
    t.partLen.push_back(s[axis] * inner);
    t.outLen += s[axis] * inner;
  }
  const i64 total = t.outer * t.outLen;
  if (total == 0) return;
  run(concatThread, t, threadsFor(static_cast<double>(total), kMinPerThread));
}

}  // namespace ck
