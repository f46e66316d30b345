// GEMM driver: blocking loops, edge tiles, the epilogue and the thread split (see gemm.h).
//
// Threads split C into a pm×pn grid of blocks (rows aligned to MR, columns to NR) and each
// packs its own operands, so there is no barrier inside the product; when C is too small for
// that (e.g. a 9×32 filter gradient over 135,200 pixels) the k range is split instead and the
// partial products summed.
#include "gemm.h"

#include <cstring>

#include "isa.h"
#include "threadpool.h"

namespace ck {
namespace {

constexpr int kMaxTile = 16 * 32;  // largest MR*NR of any ISA

i64 roundUp(i64 x, i64 to) { return (x + to - 1) / to * to; }

void packView(const GemmIsa& isa, const MatView& v, i64 r0, i64 rows, i64 c0, i64 cols, int P,
              float* dst) {
  if (v.pack != nullptr)
    v.pack(v.ctx, r0, rows, c0, cols, P, dst);
  else
    isa.pack(v.data, v.rs, v.cs, r0, rows, c0, cols, P, dst);
}

// The activation of the epilogue on one value: relu (NaN propagates), capped at 6 for relu6.
inline float activate(const GemmParams& p, float v, bool on) {
  if (!on || !p.relu) return v;
  if (v < 0.0f) v = 0.0f;
  return p.relu6 && v > 6.0f ? 6.0f : v;
}

// Epilogue of a tile computed into tmp (row stride nrMax): merge into C, add bias, relu (relu6).
void mergeTile(const float* tmp, int nrMax, float* c, i64 ldc, int mr, int nr, const float* bias,
               int flags) {
  for (int i = 0; i < mr; ++i) {
    float* row = c + i * ldc;
    const float* t = tmp + i * nrMax;
    for (int j = 0; j < nr; ++j) {
      float v = t[j];
      if (flags & kAccumulate) v += row[j];
      if (bias != nullptr) v += bias[j];
      if ((flags & kRelu) && v < 0.0f) v = 0.0f;  // NaN propagates, like max_ps(0, v)
      if ((flags & kSix) && v > 6.0f) v = 6.0f;
      row[j] = v;
    }
  }
}

// C(m0:m1, n0:n1) over the k range [k0, k1) on this thread. c points at element (m0, n0).
void gemmBlock(const GemmParams& p, i64 m0, i64 m1, i64 n0, i64 n1, i64 k0, i64 k1, float* c,
               i64 ldc, bool epilogue) {
  const GemmIsa& isa = gemmIsa();
  const int MR = isa.mr, NR = isa.nr;
  const i64 mlen = m1 - m0, nlen = n1 - n0, klen = k1 - k0;
  if (mlen <= 0 || nlen <= 0) return;
  const float* bias = epilogue ? p.bias : nullptr;
  const int relu = epilogue && p.relu ? kRelu | (p.relu6 ? kSix : 0) : 0;
  if (klen <= 0) {
    for (i64 i = 0; i < mlen; ++i)
      for (i64 j = 0; j < nlen; ++j) c[i * ldc + j] = activate(p, bias != nullptr ? bias[n0 + j] : 0.0f, relu != 0);
    return;
  }
  // Even k blocks: 300 becomes 2×150 rather than 256 + 44.
  const i64 kBlocks = (klen + isa.kc - 1) / isa.kc;
  const i64 KC = roundUp((klen + kBlocks - 1) / kBlocks, 4);
  const i64 MC = isa.mc < mlen ? isa.mc : roundUp(mlen, MR);
  const i64 NC = isa.nc < nlen ? isa.nc : roundUp(nlen, NR);
  float* abuf = scratch(0, MC * KC + 64);
  float* bbuf = scratch(1, NC * KC + 64);
  alignas(64) float tmp[kMaxTile];

  for (i64 jc = n0; jc < n1; jc += NC) {
    const i64 nc = NC < n1 - jc ? NC : n1 - jc;
    for (i64 pc = k0; pc < k1; pc += KC) {
      const i64 kc = KC < k1 - pc ? KC : k1 - pc;
      const bool first = pc == k0, last = pc + kc == k1;
      packView(isa, p.bt, jc, nc, pc, kc, NR, bbuf);
      const int flags = (first ? 0 : kAccumulate) | (last ? relu : 0);
      for (i64 ic = m0; ic < m1; ic += MC) {
        const i64 mc = MC < m1 - ic ? MC : m1 - ic;
        packView(isa, p.a, ic, mc, pc, kc, MR, abuf);
        for (i64 jr = 0; jr < nc; jr += NR) {
          const int nr = static_cast<int>(NR < nc - jr ? NR : nc - jr);
          const float* bp = bbuf + jr * kc;
          const float* tileBias = last && bias != nullptr ? bias + jc + jr : nullptr;
          for (i64 ir = 0; ir < mc; ir += MR) {
            const int mr = static_cast<int>(MR < mc - ir ? MR : mc - ir);
            float* cp = c + (ic - m0 + ir) * ldc + (jc - n0 + jr);
            if (mr == MR && nr == NR) {
              isa.micro(kc, abuf + ir * kc, bp, cp, ldc, tileBias, flags);
            } else {
              isa.micro(kc, abuf + ir * kc, bp, tmp, NR, nullptr, 0);
              mergeTile(tmp, NR, cp, ldc, mr, nr, tileBias, flags);
            }
          }
        }
      }
    }
  }
}

struct GemmTask {
  const GemmParams* p;
  int pm, pn;       // thread grid over C, pm*pn = nth (unless splitK)
  bool splitK;
  float* partials;  // splitK: (nth-1) m×n partial products
};

void gemmThread(const GemmTask& t, int ith, int nth) {
  const GemmParams& p = *t.p;
  const GemmIsa& isa = gemmIsa();
  if (t.splitK) {
    i64 k0, k1;
    splitRange(p.k, ith, nth, 64, &k0, &k1);
    if (ith == 0)
      gemmBlock(p, 0, p.m, 0, p.n, k0, k1, p.c, p.ldc, false);
    else if (k1 > k0)
      gemmBlock(p, 0, p.m, 0, p.n, k0, k1, t.partials + (ith - 1) * p.m * p.n, p.n, false);
    else
      std::memset(t.partials + (ith - 1) * p.m * p.n, 0, sizeof(float) * p.m * p.n);
    return;
  }
  i64 m0, m1, n0, n1;
  splitRange(p.m, ith / t.pn, t.pm, isa.mr, &m0, &m1);
  splitRange(p.n, ith % t.pn, t.pn, isa.nr, &n0, &n1);
  gemmBlock(p, m0, m1, n0, n1, 0, p.k, p.c + m0 * p.ldc + n0, p.ldc, true);
}

// Sums the split-K partials into C and applies the epilogue, rows split across threads.
struct ReduceTask {
  const GemmParams* p;
  const float* partials;
  int parts;
};

void reducePartials(const ReduceTask& t, int ith, int nth) {
  const GemmParams& p = *t.p;
  i64 r0, r1;
  splitRange(p.m, ith, nth, 1, &r0, &r1);
  for (i64 i = r0; i < r1; ++i) {
    float* row = p.c + i * p.ldc;
    for (int q = 0; q < t.parts; ++q) {
      const float* src = t.partials + (q * p.m + i) * p.n;
      for (i64 j = 0; j < p.n; ++j) row[j] += src[j];
    }
    if (p.bias != nullptr)
      for (i64 j = 0; j < p.n; ++j) row[j] += p.bias[j];
    if (p.relu)
      for (i64 j = 0; j < p.n; ++j) row[j] = activate(p, row[j], true);
  }
}

// A few rows of C when B's rows are contiguous (bt.rs == 1: B row-major, as a dense layer's
// kernel): c[i, :] = Σ_k a(i, k)·B[k, :], streaming B once per row without packing it. For
// batch-1 inference, packing a 1600×128 kernel would cost far more than this product.
void gemvRows(const GemmParams& p) {
  for (i64 i = 0; i < p.m; ++i) {
    float* __restrict c = p.c + i * p.ldc;
    for (i64 j = 0; j < p.n; ++j) c[j] = p.bias != nullptr ? p.bias[j] : 0.0f;
    for (i64 k = 0; k < p.k; ++k) {
      const float a = p.a.data[i * p.a.rs + k * p.a.cs];
      const float* __restrict b = p.bt.data + k * p.bt.cs;
      for (i64 j = 0; j < p.n; ++j) c[j] += a * b[j];
    }
    if (p.relu)
      for (i64 j = 0; j < p.n; ++j) c[j] = activate(p, c[j], true);  // NaN propagates
  }
}

}  // namespace

MatView matrixView(const float* data, i64 rows, i64 cols, bool transposed) {
  MatView v;
  v.data = data;
  // Logical element (r, c): row-major storage at r*cols + c; transposed storage at c*rows + r.
  v.rs = transposed ? 1 : cols;
  v.cs = transposed ? rows : 1;
  return v;
}

void gemmSingle(const GemmParams& p) { gemmBlock(p, 0, p.m, 0, p.n, 0, p.k, p.c, p.ldc, true); }

void gemm(const GemmParams& p) {
  if (p.m <= 0 || p.n <= 0) return;
  if (p.m <= 2 && p.a.pack == nullptr && p.bt.pack == nullptr && p.bt.rs == 1 && p.n >= 16) {
    gemvRows(p);
    return;
  }
  const double flops = 2.0 * p.m * p.n * (p.k > 0 ? p.k : 1);
  int nth = threadsFor(flops, 4e6);
  if (nth <= 1) {
    gemmSingle(p);
    return;
  }
  const GemmIsa& isa = gemmIsa();
  const i64 tm = (p.m + isa.mr - 1) / isa.mr, tn = (p.n + isa.nr - 1) / isa.nr;
  // Cost of a pm×pn grid: the slowest thread's padded tile area times k, plus its packing
  // (a strided element costs about 8 multiply-adds, an im2col one more).
  const double ca = p.a.packCost, cb = p.bt.packCost;
  double bestCost = 0;
  int bestPm = 1;
  for (int pm = 1; pm <= nth; ++pm) {
    if (nth % pm != 0) continue;
    const int pn = nth / pm;
    const double rows = static_cast<double>((tm + pm - 1) / pm) * isa.mr;
    const double cols = static_cast<double>((tn + pn - 1) / pn) * isa.nr;
    const double cost = rows * cols * p.k + (ca * rows + cb * cols) * p.k;
    if (pm == 1 || cost < bestCost) {
      bestCost = cost;
      bestPm = pm;
    }
  }
  GemmTask task{&p, bestPm, nth / bestPm, false, nullptr};
  const double splitKCost = static_cast<double>(tm * isa.mr) * (tn * isa.nr) * p.k / nth +
                            (ca * tm * isa.mr + cb * tn * isa.nr) * p.k / nth + 4.0 * p.m * p.n * nth;
  if (p.k >= 512 && splitKCost < 0.8 * bestCost) {
    task.splitK = true;
    task.partials = scratch(3, static_cast<std::size_t>(nth - 1) * p.m * p.n + 16);
  }
  run(gemmThread, task, nth);
  if (task.splitK) {
    ReduceTask r{&p, task.partials, nth - 1};
    run(reducePartials, r, threadsFor(static_cast<double>(p.m) * p.n * nth, 65536));
  }
}

}  // namespace ck
