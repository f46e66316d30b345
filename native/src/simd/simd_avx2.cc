// AVX2+FMA versions of the memory-bound kernels (see simd.h): simd_avx512.cc's loops with 8-lane
// vectors. Channels go in vectors of 8 (the last one partial, loaded and stored with AVX masks),
// up to 4 vectors held in registers across the rows; each channel sees the same float adds and
// FMAs in the same order as in the AVX-512 version, so both give the same bits.
#include <immintrin.h>

#include "simd.h"

namespace ck {
namespace avx2 {
namespace {

constexpr i64 kBlock = 32;  // rows summed in float before being added into the doubles

// Lane mask for the first `lanes` lanes (all 8 when lanes >= 8), as AVX's maskload wants it.
inline __m256i maskOf(i64 lanes) {
  const __m256i ramp = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(lanes >= 8 ? 8 : lanes)), ramp);
}

// A vector's lanes: `full` uses plain loads and stores; otherwise the masked ones.
struct Lanes {
  bool full;
  __m256i mask;
};
inline Lanes lanesOf(i64 n) { return Lanes{n >= 8, maskOf(n)}; }

inline __m256 load(const Lanes& m, const float* p) { return m.full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m.mask); }
inline __m256i loadInt(const Lanes& m, const int32_t* p) {
  return m.full ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)) : _mm256_maskload_epi32(p, m.mask);
}
inline void store(const Lanes& m, float* p, __m256 v) {
  if (m.full)
    _mm256_storeu_ps(p, v);
  else
    _mm256_maskstore_ps(p, m.mask, v);
}
inline void storeInt(const Lanes& m, int32_t* p, __m256i v) {
  if (m.full)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
  else
    _mm256_maskstore_epi32(p, m.mask, v);
}

// Adds the 8 floats of v into d[0..lanes) as doubles.
inline void addToDoubles(double* d, __m256 v, i64 lanes) {
  if (lanes >= 8) {
    _mm256_storeu_pd(d, _mm256_add_pd(_mm256_loadu_pd(d), _mm256_cvtps_pd(_mm256_castps256_ps128(v))));
    _mm256_storeu_pd(d + 4, _mm256_add_pd(_mm256_loadu_pd(d + 4), _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1))));
  } else {
    alignas(32) float f[8];
    _mm256_store_ps(f, v);
    for (i64 j = 0; j < lanes; ++j) d[j] += f[j];
  }
}

// dy at offset o, or with a fused relu's output, dy where that output is > 0 and 0 elsewhere
// (a NaN or infinite dy there included, as reluBackward).
inline __m256 maskedGradient(const Lanes& m, const float* dy, const float* relu, i64 o) {
  const __m256 g = load(m, dy + o);
  if (relu == nullptr) return g;
  return _mm256_and_ps(_mm256_cmp_ps(load(m, relu + o), _mm256_setzero_ps(), _CMP_GT_OQ), g);
}

template <int NV>
void sumsBlock(const float* x, const float* dy, const float* center, const float* relu, i64 r0, i64 r1, i64 C, i64 c0,
               i64 lastLanes, double* s1, double* s2) {
  Lanes m[NV];
  __m256 ctr[NV];
  for (int v = 0; v < NV; ++v) {
    m[v] = lanesOf(v == NV - 1 ? lastLanes : 8);
    ctr[v] = load(m[v], center + c0 + 8 * v);
  }
  for (i64 b = r0; b < r1; b += kBlock) {
    const i64 e = b + kBlock < r1 ? b + kBlock : r1;
    __m256 f1[NV], f2[NV];
    for (int v = 0; v < NV; ++v) f1[v] = f2[v] = _mm256_setzero_ps();
    for (i64 r = b; r < e; ++r) {
      const float* row = x + r * C + c0;
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        const __m256 d = _mm256_sub_ps(load(m[v], row + 8 * v), ctr[v]);
        if (dy == nullptr) {
          f1[v] = _mm256_add_ps(f1[v], d);
          f2[v] = _mm256_fmadd_ps(d, d, f2[v]);
        } else {
          const __m256 g = maskedGradient(m[v], dy, relu, r * C + c0 + 8 * v);
          f1[v] = _mm256_add_ps(f1[v], g);
          f2[v] = _mm256_fmadd_ps(g, d, f2[v]);
        }
      }
    }
    for (int v = 0; v < NV; ++v) {
      const i64 lanes = v == NV - 1 ? lastLanes : 8;
      addToDoubles(s1 + c0 + 8 * v, f1[v], lanes);
      addToDoubles(s2 + c0 + 8 * v, f2[v], lanes);
    }
  }
}

template <int NV>
void columnBlock(const float* x, i64 r0, i64 r1, i64 C, i64 c0, i64 lastLanes, double* s) {
  Lanes m[NV];
  for (int v = 0; v < NV; ++v) m[v] = lanesOf(v == NV - 1 ? lastLanes : 8);
  for (i64 b = r0; b < r1; b += kBlock) {
    const i64 e = b + kBlock < r1 ? b + kBlock : r1;
    __m256 f[NV];
    for (int v = 0; v < NV; ++v) f[v] = _mm256_setzero_ps();
    for (i64 r = b; r < e; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) f[v] = _mm256_add_ps(f[v], load(m[v], x + r * C + c0 + 8 * v));
    for (int v = 0; v < NV; ++v) addToDoubles(s + c0 + 8 * v, f[v], v == NV - 1 ? lastLanes : 8);
  }
}

template <int NV>
void applyBlock(const float* x, const float* dy, const float* center, const float* k, const float* a, const float* b,
                const float* relu, bool reluOut, float* out, i64 r0, i64 r1, i64 C, i64 c0, i64 lastLanes) {
  Lanes m[NV];
  __m256 ctr[NV], kv[NV], av[NV], bv[NV];
  for (int v = 0; v < NV; ++v) {
    m[v] = lanesOf(v == NV - 1 ? lastLanes : 8);
    ctr[v] = load(m[v], center + c0 + 8 * v);
    kv[v] = load(m[v], k + c0 + 8 * v);
    av[v] = load(m[v], a + c0 + 8 * v);
    bv[v] = b != nullptr ? load(m[v], b + c0 + 8 * v) : _mm256_setzero_ps();
  }
  for (i64 r = r0; r < r1; ++r) {
    const i64 o = r * C + c0;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const __m256 d = _mm256_sub_ps(load(m[v], x + o + 8 * v), ctr[v]);
      __m256 y;
      if (dy == nullptr) {
        y = _mm256_fmadd_ps(d, kv[v], av[v]);
        // max(0, y) that keeps a NaN y (as the AVX-512 version's max(0, ·)): y where y is NaN.
        if (reluOut) y = _mm256_max_ps(_mm256_setzero_ps(), y);
      } else {
        const __m256 g = _mm256_sub_ps(maskedGradient(m[v], dy, relu, o + 8 * v), av[v]);
        y = _mm256_mul_ps(kv[v], _mm256_fnmadd_ps(d, bv[v], g));
      }
      store(m[v], out + o + 8 * v, y);
    }
  }
}

// Calls F<NV>::run(…, c0, lastLanes) over the channels in groups of up to 4 vectors of 8.
template <template <int> class F, class... Args>
void overChannels(i64 C, Args... args) {
  for (i64 c0 = 0; c0 < C; c0 += 32) {
    const i64 width = C - c0 < 32 ? C - c0 : 32;
    const int nv = static_cast<int>((width + 7) / 8);
    const i64 lastLanes = width - 8 * (nv - 1);
    switch (nv) {
      case 1: F<1>::run(args..., c0, lastLanes); break;
      case 2: F<2>::run(args..., c0, lastLanes); break;
      case 3: F<3>::run(args..., c0, lastLanes); break;
      default: F<4>::run(args..., c0, lastLanes); break;
    }
  }
}

template <int NV>
struct Sums {
  static void run(const float* x, const float* dy, const float* center, const float* relu, i64 r0, i64 r1, i64 C,
                  double* s1, double* s2, i64 c0, i64 lastLanes) {
    sumsBlock<NV>(x, dy, center, relu, r0, r1, C, c0, lastLanes, s1, s2);
  }
};

template <int NV>
struct Apply {
  static void run(const float* x, const float* dy, const float* center, const float* k, const float* a,
                  const float* b, const float* relu, bool reluOut, float* out, i64 r0, i64 r1, i64 C, i64 c0,
                  i64 lastLanes) {
    applyBlock<NV>(x, dy, center, k, a, b, relu, reluOut, out, r0, r1, C, c0, lastLanes);
  }
};

template <int NV>
struct Columns {
  static void run(const float* x, i64 r0, i64 r1, i64 C, double* s, i64 c0, i64 lastLanes) {
    columnBlock<NV>(x, r0, r1, C, c0, lastLanes, s);
  }
};

// base + lane for each lane.
inline __m256i indices(i64 base) {
  return _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(base)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// The lanes where v wins over cur: a larger value, or a first NaN (which then sticks); ties keep
// the first.
inline __m256 takes(__m256 v, __m256 cur) {
  return _mm256_or_ps(_mm256_cmp_ps(v, cur, _CMP_GT_OQ),
                      _mm256_and_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q), _mm256_cmp_ps(cur, cur, _CMP_ORD_Q)));
}

inline void keep(__m256& cur, __m256i& best, __m256 v, i64 base) {
  const __m256 take = takes(v, cur);
  cur = _mm256_blendv_ps(cur, v, take);
  best = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(best), _mm256_castsi256_ps(indices(base)), take));
}

// 2×2 windows with stride 2 and no padding: cells compared in order (row 0 left, right, row 1
// left, right).
void maxPool2x2Rows(const PoolGeom& g, const float* x, float* y, int32_t* argmax, i64 row0, i64 row1) {
  const i64 C = g.C, rowLen = g.inW * C;
  for (i64 row = row0; row < row1; ++row) {
    const i64 n = row / g.outH, oh = row % g.outH;
    const i64 top = (n * g.inH + 2 * oh) * rowLen;
    float* yo = y + row * g.outW * C;
    int32_t* ao = argmax + row * g.outW * C;
    for (i64 ow = 0; ow < g.outW; ++ow) {
      const i64 cell[4] = {top + 2 * ow * C, top + (2 * ow + 1) * C, top + rowLen + 2 * ow * C, top + rowLen + (2 * ow + 1) * C};
      for (i64 c0 = 0; c0 < C; c0 += 8) {
        const Lanes m = lanesOf(C - c0);
        __m256 cur = load(m, x + cell[0] + c0);
        __m256i best = indices(cell[0] + c0);
#pragma GCC unroll 3
        for (int k = 1; k < 4; ++k) keep(cur, best, load(m, x + cell[k] + c0), cell[k] + c0);
        store(m, yo + ow * C + c0, cur);
        storeInt(m, ao + ow * C + c0, best);
      }
    }
  }
}

}  // namespace

void columnSums(const float* x, i64 r0, i64 r1, i64 C, double* s) { overChannels<Columns>(C, x, r0, r1, C, s); }

void bnSums(const float* x, const float* dy, const float* center, const float* relu, i64 r0, i64 r1, i64 C, double* s1,
            double* s2) {
  overChannels<Sums>(C, x, dy, center, relu, r0, r1, C, s1, s2);
}

void bnApply(const float* x, const float* dy, const float* center, const float* k, const float* a, const float* b,
             const float* relu, bool reluOut, float* out, i64 r0, i64 r1, i64 C) {
  overChannels<Apply>(C, x, dy, center, k, a, b, relu, reluOut, out, r0, r1, C);
}

void maxPoolRows(const PoolGeom& g, const float* x, float* y, int32_t* argmax, i64 row0, i64 row1) {
  if (g.pH == 2 && g.pW == 2 && g.sH == 2 && g.sW == 2 && g.padT == 0 && g.padL == 0 && 2 * g.outH <= g.inH &&
      2 * g.outW <= g.inW)
    return maxPool2x2Rows(g, x, y, argmax, row0, row1);
  const i64 C = g.C;
  for (i64 row = row0; row < row1; ++row) {
    const i64 n = row / g.outH, oh = row % g.outH;
    const i64 ys = oh * g.sH - g.padT;
    const i64 iy0 = ys > 0 ? ys : 0, iy1 = ys + g.pH < g.inH ? ys + g.pH : g.inH;
    for (i64 ow = 0; ow < g.outW; ++ow) {
      const i64 xs = ow * g.sW - g.padL;
      const i64 ix0 = xs > 0 ? xs : 0, ix1 = xs + g.pW < g.inW ? xs + g.pW : g.inW;
      const i64 out = ((n * g.outH + oh) * g.outW + ow) * C;
      const bool empty = iy1 <= iy0 || ix1 <= ix0;
      const i64 first = ((n * g.inH + iy0) * g.inW + ix0) * C;
      for (i64 c0 = 0; c0 < C; c0 += 8) {
        const Lanes m = lanesOf(C - c0);
        if (empty) {
          store(m, y + out + c0, _mm256_setzero_ps());
          storeInt(m, argmax + out + c0, _mm256_set1_epi32(-1));
          continue;
        }
        __m256 cur = load(m, x + first + c0);
        __m256i best = indices(first + c0);
        for (i64 iy = iy0; iy < iy1; ++iy)
          for (i64 ix = ix0; ix < ix1; ++ix) {
            const i64 base = ((n * g.inH + iy) * g.inW + ix) * C + c0;
            if (base != first + c0) keep(cur, best, load(m, x + base), base);
          }
        store(m, y + out + c0, cur);
        storeInt(m, argmax + out + c0, best);
      }
    }
  }
}

bool maxPoolBackwardImage(const PoolGeom& g, const float* dy, const int32_t* argmax, float* dx, i64 n) {
  const i64 C = g.C, rowLen = g.inW * C;
  float* image = dx + n * g.inH * rowLen;
  // Cells no window covers (the bottom rows and right columns the last window stops short of).
  const i64 coveredH = g.outH * g.pH < g.inH ? g.outH * g.pH : g.inH;
  const i64 coveredW = g.outW * g.pW < g.inW ? g.outW * g.pW : g.inW;
  for (i64 iy = 0; iy < g.inH; ++iy) {
    const i64 from = iy < coveredH ? coveredW * C : 0;
    for (i64 j = from; j < rowLen; ++j) image[iy * rowLen + j] = 0.0f;
  }
  const __m256i none = _mm256_set1_epi32(-1);
  for (i64 oh = 0; oh < g.outH; ++oh)
    for (i64 ow = 0; ow < g.outW; ++ow) {
      const i64 out = ((n * g.outH + oh) * g.outW + ow) * C;
      for (i64 c0 = 0; c0 < C; c0 += 8) {
        const Lanes m = lanesOf(C - c0);
        const __m256 d = load(m, dy + out + c0);
        const __m256i a = loadInt(m, argmax + out + c0);
        __m256i matched = _mm256_setzero_si256();
        for (i64 py = 0; py < g.pH; ++py) {
          const i64 iy = oh * g.pH + py;
          if (iy >= g.inH) break;
          for (i64 px = 0; px < g.pW; ++px) {
            const i64 ix = ow * g.pW + px;
            if (ix >= g.inW) break;
            const i64 base = ((n * g.inH + iy) * g.inW + ix) * C + c0;
            const __m256i eq = _mm256_and_si256(m.mask, _mm256_cmpeq_epi32(a, indices(base)));
            matched = _mm256_or_si256(matched, eq);
            store(m, dx + base, _mm256_and_ps(_mm256_castsi256_ps(eq), d));
          }
        }
        // Every lane whose argmax is not -1 must have matched a cell of its window.
        const __m256i expected = _mm256_andnot_si256(_mm256_cmpeq_epi32(a, none), m.mask);
        if (_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_xor_si256(matched, expected))) != 0) return false;
      }
    }
  return true;
}

}  // namespace avx2
}  // namespace ck
