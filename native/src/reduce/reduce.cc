// Reductions, argMax and transpose (see reduce.h).
//
// reduce collapses the shape into alternating kept/reduced groups. Fast paths: [R, K] → [K]
// (bias gradients: all leading axes), [K, R] → [K] (row sums) and [A, R, K] → [A, K] (global
// pooling over H·W, channels last); anything else walks the reduced groups with an odometer for
// each output row.
#include "reduce.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "isa.h"
#include "simd.h"
#include "threadpool.h"

namespace ck {
namespace {

// ---- reduce ------------------------------------------------------------------------------

struct Group {
  i64 size;
  i64 stride;  // in x
  bool reduced;
};

// Accumulators: sum in double, max/min in float with NaN sticking (as the reference does).
template <ReduceOp OP>
struct Acc {
  static double init() { return OP == ReduceOp::Sum ? 0.0 : (OP == ReduceOp::Max ? -INFINITY : INFINITY); }
  static double step(double acc, float v) {
    if (OP == ReduceOp::Sum) return acc + v;
    if (OP == ReduceOp::Max) return v > acc || v != v ? v : acc;
    return v < acc || v != v ? v : acc;
  }
  static double merge(double a, double b) {
    if (OP == ReduceOp::Sum) return a + b;
    if (a != a) return a;
    return step(a, static_cast<float>(b));
  }
};

struct ReduceTask {
  const float* x;
  float* out;
  std::vector<Group> groups;  // outer to inner
  i64 rows, cols;            // fast paths: [rows, cols]
  double* partials;           // [R, K] fast path split by rows: nth × cols
};

// [R, K] → [K]: thread ith sums its rows into partials[ith*K..], merged afterwards.
template <ReduceOp OP>
void leadingThread(const ReduceTask& t, int ith, int nth) {
  i64 r0, r1;
  splitRange(t.rows, ith, nth, 1, &r0, &r1);
  double* acc = t.partials + ith * t.cols;
  for (i64 c = 0; c < t.cols; ++c) acc[c] = Acc<OP>::init();
  if (OP == ReduceOp::Sum && simdIsa().columnSums) return simdIsa().columnSums(t.x, r0, r1, t.cols, acc);
  for (i64 r = r0; r < r1; ++r) {
    const float* row = t.x + r * t.cols;
    for (i64 c = 0; c < t.cols; ++c) acc[c] = Acc<OP>::step(acc[c], row[c]);
  }
}

// [K, R] → [K]: each output is one contiguous row.
template <ReduceOp OP>
void trailingThread(const ReduceTask& t, int ith, int nth) {
  i64 r0, r1;
  splitRange(t.rows, ith, nth, 1, &r0, &r1);
  for (i64 r = r0; r < r1; ++r) {
    const float* row = t.x + r * t.cols;
    double acc = Acc<OP>::init();
    for (i64 c = 0; c < t.cols; ++c) acc = Acc<OP>::step(acc, row[c]);
    t.out[r] = static_cast<float>(acc);
  }
}

// General: output elements in order; for each, walk every reduced group with an odometer.
template <ReduceOp OP>
void generalThread(const ReduceTask& t, int ith, int nth) {
  std::vector<const Group*> kept, red;
  for (const Group& g : t.groups) (g.reduced ? red : kept).push_back(&g);
  i64 outTotal = 1, redTotal = 1;
  for (const Group* g : kept) outTotal *= g->size;
  for (const Group* g : red) redTotal *= g->size;
  i64 o0, o1;
  splitRange(outTotal, ith, nth, 1, &o0, &o1);
  std::vector<i64> idx(red.size(), 0);
  for (i64 o = o0; o < o1; ++o) {
    i64 base = 0, rem = o;
    for (size_t d = kept.size(); d-- > 0;) {
      base += (rem % kept[d]->size) * kept[d]->stride;
      rem /= kept[d]->size;
    }
    double acc = Acc<OP>::init();
    std::fill(idx.begin(), idx.end(), 0);
    i64 off = 0;
    for (i64 r = 0; r < redTotal; ++r) {
      acc = Acc<OP>::step(acc, t.x[base + off]);
      for (size_t d = red.size(); d-- > 0;) {
        off += red[d]->stride;
        if (++idx[d] < red[d]->size) break;
        off -= idx[d] * red[d]->stride;
        idx[d] = 0;
      }
    }
    t.out[o] = static_cast<float>(acc);
  }
}

// [A, R, K] → [A, K] (a middle group, e.g. global average pooling's H·W): for each outer a, the
// column sums of its [R, K] block; threads split the outer index.
template <ReduceOp OP>
void middleThread(const ReduceTask& t, int ith, int nth) {
  const i64 A = t.groups[0].size, R = t.groups[1].size, K = t.groups[2].size;
  i64 a0, a1;
  splitRange(A, ith, nth, 1, &a0, &a1);
  std::vector<double> acc(static_cast<size_t>(K));
  for (i64 a = a0; a < a1; ++a) {
    const float* block = t.x + a * R * K;
    std::fill(acc.begin(), acc.end(), Acc<OP>::init());
    if (OP == ReduceOp::Sum && simdIsa().columnSums) {
      simdIsa().columnSums(block, 0, R, K, acc.data());
    } else {
      for (i64 r = 0; r < R; ++r)
        for (i64 c = 0; c < K; ++c) acc[c] = Acc<OP>::step(acc[c], block[r * K + c]);
    }
    for (i64 c = 0; c < K; ++c) t.out[a * K + c] = static_cast<float>(acc[c]);
  }
}

template <ReduceOp OP>
void reduceT(ReduceTask& t, i64 total) {
  const std::vector<Group>& g = t.groups;
  const bool all = g.size() == 1;  // everything reduced: [R] is [R, 1]
  if (all || (g.size() == 2 && g[0].reduced && !g[1].reduced)) {
    t.rows = g[0].size;
    t.cols = all ? 1 : g[1].size;
    const int nth = threadsFor(static_cast<double>(total), 65536);
    t.partials = reinterpret_cast<double*>(scratch(6, static_cast<size_t>(nth) * t.cols * 2 + 16));
    run(leadingThread<OP>, t, nth);
    for (i64 c = 0; c < t.cols; ++c) {
      double acc = t.partials[c];
      for (int q = 1; q < nth; ++q) acc = Acc<OP>::merge(acc, t.partials[q * t.cols + c]);
      t.out[c] = static_cast<float>(acc);
    }
  } else if (g.size() == 2 && !g[0].reduced && g[1].reduced) {
    t.rows = g[0].size;
    t.cols = g[1].size;
    run(trailingThread<OP>, t, threadsFor(static_cast<double>(total), 65536));
  } else if (g.size() == 3 && !g[0].reduced && g[1].reduced && !g[2].reduced) {
    const int nth = threadsFor(static_cast<double>(total), 65536);
    run(middleThread<OP>, t, static_cast<int>(std::min<i64>(nth, g[0].size)));
  } else {
    run(generalThread<OP>, t, threadsFor(static_cast<double>(total) * 2, 65536));
  }
}

// ---- argMax and transpose ----------------------------------------------------------------

struct ArgMaxTask {
  const float* x;
  int32_t* out;
  i64 outer, n, inner;
};

void argMaxThread(const ArgMaxTask& t, int ith, int nth) {
  i64 o0, o1;
  splitRange(t.outer, ith, nth, 1, &o0, &o1);
  for (i64 o = o0; o < o1; ++o)
    for (i64 i = 0; i < t.inner; ++i) {
      const float* x = t.x + o * t.n * t.inner + i;
      int32_t best = 0;
      float bestV = t.n > 0 ? x[0] : 0.0f;
      for (i64 j = 1; j < t.n; ++j)
        if (x[j * t.inner] > bestV) {
          bestV = x[j * t.inner];
          best = static_cast<int32_t>(j);
        }
      t.out[o * t.inner + i] = best;
    }
}

struct TransposeTask {
  const float* x;
  float* out;
  std::vector<i64> dims, strides;  // output dims and the matching input strides (collapsed)
  i64 total;
};

void transposeThread(const TransposeTask& t, int ith, int nth) {
  const int rank = static_cast<int>(t.dims.size());
  i64 e0, e1;
  splitRange(t.total, ith, nth, 64, &e0, &e1);
  if (e1 <= e0) return;
  std::vector<i64> idx(rank, 0);
  i64 rem = e0, src = 0;
  for (int d = rank - 1; d >= 0; --d) {
    idx[d] = rem % t.dims[d];
    rem /= t.dims[d];
    src += idx[d] * t.strides[d];
  }
  const i64 inner = t.dims[rank - 1], s = t.strides[rank - 1];
  i64 e = e0;
  while (e < e1) {
    const i64 run = inner - idx[rank - 1] < e1 - e ? inner - idx[rank - 1] : e1 - e;
    float* dst = t.out + e;
    const float* from = t.x + src;
    if (s == 1)
      std::memcpy(dst, from, sizeof(float) * run);
    else
      for (i64 j = 0; j < run; ++j) dst[j] = from[j * s];
    e += run;
    src += run * s;
    idx[rank - 1] += run;
    for (int d = rank - 1; d > 0 && idx[d] == t.dims[d]; --d) {
      src += t.strides[d - 1] - idx[d] * t.strides[d];
      idx[d] = 0;
      ++idx[d - 1];
    }
  }
}

}  // namespace

bool parseReduceOp(const std::string& s, ReduceOp* op) {
  if (s == "sum") *op = ReduceOp::Sum;
  else if (s == "max") *op = ReduceOp::Max;
  else if (s == "min") *op = ReduceOp::Min;
  else return false;
  return true;
}

void reduce(ReduceOp op, const float* x, const std::vector<i64>& shape,
            const std::vector<i64>& axes, float* out) {
  i64 total = 1, outTotal = 1;
  std::vector<bool> isReduced(shape.size(), false);
  for (i64 a : axes) isReduced[a] = true;
  for (size_t d = 0; d < shape.size(); ++d) {
    total *= shape[d];
    if (!isReduced[d]) outTotal *= shape[d];
  }
  if (outTotal == 0) return;
  if (total == 0) {  // empty reduction
    const float init = op == ReduceOp::Sum ? 0.0f : (op == ReduceOp::Max ? -INFINITY : INFINITY);
    for (i64 i = 0; i < outTotal; ++i) out[i] = init;
    return;
  }
  ReduceTask t{x, out, {}, 0, 0, nullptr};
  i64 stride = 1;
  for (size_t k = shape.size(); k-- > 0;) {  // inner to outer, merging like neighbours
    const i64 size = shape[k];
    if (size != 1) {
      if (!t.groups.empty() && t.groups.front().reduced == isReduced[k] &&
          t.groups.front().stride * t.groups.front().size == stride) {
        t.groups.front().size *= size;
      } else {
        t.groups.insert(t.groups.begin(), Group{size, stride, isReduced[k]});
      }
    }
    stride *= size;
  }
  if (t.groups.empty() || (t.groups.size() == 1 && !t.groups[0].reduced)) {
    std::memcpy(out, x, sizeof(float) * total);  // nothing (of size > 1) is reduced
    return;
  }
  switch (op) {
    case ReduceOp::Sum: return reduceT<ReduceOp::Sum>(t, total);
    case ReduceOp::Max: return reduceT<ReduceOp::Max>(t, total);
    case ReduceOp::Min: return reduceT<ReduceOp::Min>(t, total);
  }
}

void argMax(const float* x, const std::vector<i64>& shape, i64 axis, int32_t* out) {
  ArgMaxTask t{x, out, 1, shape[axis], 1};
  for (i64 d = 0; d < axis; ++d) t.outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d) t.inner *= shape[d];
  if (t.outer * t.inner == 0) return;
  run(argMaxThread, t, threadsFor(static_cast<double>(t.outer) * t.n * t.inner, 65536));
}

void transpose(const float* x, const std::vector<i64>& shape, const std::vector<i64>& perm,
               float* out) {
  const size_t rank = shape.size();
  std::vector<i64> inStrides(rank, 1);
  for (size_t d = rank; d-- > 1;) inStrides[d - 1] = inStrides[d] * shape[d];
  TransposeTask t{x, out, {}, {}, 1};
  for (size_t i = 0; i < rank; ++i) {
    const i64 size = shape[perm[i]], s = inStrides[perm[i]];
    t.total *= size;
    if (size == 1) continue;
    if (!t.dims.empty() && t.strides.back() == s * size) {  // still contiguous: merge
      t.dims.back() *= size;
      t.strides.back() = s;
    } else {
      t.dims.push_back(size);
      t.strides.push_back(s);
    }
  }
  if (t.total == 0) return;
  if (t.dims.empty()) {
    t.dims.push_back(1);
    t.strides.push_back(1);
  }
  run(transposeThread, t, threadsFor(static_cast<double>(t.total), 65536));
}

}  // namespace ck
