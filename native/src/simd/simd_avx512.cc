// AVX-512F versions of the batch-norm passes (see simd.h): channels go in vectors of 16 (the
// last one masked), up to 4 vectors held in registers across the rows, so a [rows, 16] tensor
// costs one load, a few FMAs and (for the elementwise pass) one store per row.
#include <immintrin.h>

#include "simd.h"

namespace ck {
namespace avx512 {
namespace {

constexpr i64 kBlock = 32;  // rows summed in float before being added into the doubles

inline __mmask16 maskOf(i64 lanes) {
  return lanes >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << lanes) - 1);
}

// Masked loads and stores are slow on some AMD cores even with every lane set: use plain ones
// for full vectors.
inline __m512 load(__mmask16 m, const float* p) { return m == 0xFFFF ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(m, p); }
inline __m512i loadInt(__mmask16 m, const int32_t* p) {
  return m == 0xFFFF ? _mm512_loadu_si512(p) : _mm512_maskz_loadu_epi32(m, p);
}
inline void store(__mmask16 m, float* p, __m512 v) {
  if (m == 0xFFFF)
    _mm512_storeu_ps(p, v);
  else
    _mm512_mask_storeu_ps(p, m, v);
}
inline void storeInt(__mmask16 m, int32_t* p, __m512i v) {
  if (m == 0xFFFF)
    _mm512_storeu_si512(p, v);
  else
    _mm512_mask_storeu_epi32(p, m, v);
}

// Adds the 16 floats of v into d[0..lanes) as doubles.
inline void addToDoubles(double* d, __m512 v, i64 lanes) {
  alignas(64) float f[16];
  _mm512_store_ps(f, v);
  if (lanes >= 16) {
    __m512d lo = _mm512_add_pd(_mm512_loadu_pd(d), _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
    __m512d hi = _mm512_add_pd(_mm512_loadu_pd(d + 8),
                               _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
    _mm512_storeu_pd(d, lo);
    _mm512_storeu_pd(d + 8, hi);
  } else {
    for (i64 j = 0; j < lanes; ++j) d[j] += f[j];
  }
}

// Channels [c0, c0 + 16·NV) (the last vector `lastLanes` wide) of rows [r0, r1).
// dy at offset o (lanes in m), or, with a fused relu's output, dy where that output is > 0 and 0
// elsewhere (a NaN or infinite dy there included, as reluBackward).
inline __m512 maskedGradient(__mmask16 m, const float* dy, const float* relu, i64 o) {
  const __m512 g = load(m, dy + o);
  if (relu == nullptr) return g;
  return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(load(m, relu + o), _mm512_setzero_ps(), _CMP_GT_OQ), g);
}

template <int NV>
void sumsBlock(const float* x, const float* dy, const float* center, const float* relu, i64 r0, i64 r1, i64 C, i64 c0,
               i64 lastLanes, double* s1, double* s2) {
  __mmask16 m[NV];
  __m512 ctr[NV];
  for (int v = 0; v < NV; ++v) {
    m[v] = v == NV - 1 ? maskOf(lastLanes) : static_cast<__mmask16>(0xFFFF);
    ctr[v] = load(m[v], center + c0 + 16 * v);
  }
  for (i64 b = r0; b < r1; b += kBlock) {
    const i64 e = b + kBlock < r1 ? b + kBlock : r1;
    __m512 f1[NV], f2[NV];
    for (int v = 0; v < NV; ++v) f1[v] = f2[v] = _mm512_setzero_ps();
    for (i64 r = b; r < e; ++r) {
      const float* row = x + r * C + c0;
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        const __m512 d = _mm512_sub_ps(load(m[v], row + 16 * v), ctr[v]);
        if (dy == nullptr) {
          f1[v] = _mm512_add_ps(f1[v], d);
          f2[v] = _mm512_fmadd_ps(d, d, f2[v]);
        } else {
          const __m512 g = maskedGradient(m[v], dy, relu, r * C + c0 + 16 * v);
          f1[v] = _mm512_add_ps(f1[v], g);
          f2[v] = _mm512_fmadd_ps(g, d, f2[v]);
        }
      }
    }
    for (int v = 0; v < NV; ++v) {
      const i64 lanes = v == NV - 1 ? lastLanes : 16;
      addToDoubles(s1 + c0 + 16 * v, f1[v], lanes);
      addToDoubles(s2 + c0 + 16 * v, f2[v], lanes);
    }
  }
}

// Σ over rows [r0, r1) of x[r, c0 + ·] into s (doubles), for column sums of a [rows, C] matrix.
template <int NV>
void columnBlock(const float* x, i64 r0, i64 r1, i64 C, i64 c0, i64 lastLanes, double* s) {
  __mmask16 m[NV];
  for (int v = 0; v < NV; ++v) m[v] = v == NV - 1 ? maskOf(lastLanes) : static_cast<__mmask16>(0xFFFF);
  for (i64 b = r0; b < r1; b += kBlock) {
    const i64 e = b + kBlock < r1 ? b + kBlock : r1;
    __m512 f[NV];
    for (int v = 0; v < NV; ++v) f[v] = _mm512_setzero_ps();
    for (i64 r = b; r < e; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) f[v] = _mm512_add_ps(f[v], load(m[v], x + r * C + c0 + 16 * v));
    for (int v = 0; v < NV; ++v) addToDoubles(s + c0 + 16 * v, f[v], v == NV - 1 ? lastLanes : 16);
  }
}

template <int NV>
void applyBlock(const float* x, const float* dy, const float* center, const float* k, const float* a, const float* b,
                const float* relu, bool reluOut, float* out, i64 r0, i64 r1, i64 C, i64 c0, i64 lastLanes) {
  __mmask16 m[NV];
  __m512 ctr[NV], kv[NV], av[NV], bv[NV];
  for (int v = 0; v < NV; ++v) {
    m[v] = v == NV - 1 ? maskOf(lastLanes) : static_cast<__mmask16>(0xFFFF);
    ctr[v] = load(m[v], center + c0 + 16 * v);
    kv[v] = load(m[v], k + c0 + 16 * v);
    av[v] = load(m[v], a + c0 + 16 * v);
    bv[v] = b != nullptr ? load(m[v], b + c0 + 16 * v) : _mm512_setzero_ps();
  }
  for (i64 r = r0; r < r1; ++r) {
    const i64 o = r * C + c0;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const __m512 d = _mm512_sub_ps(load(m[v], x + o + 16 * v), ctr[v]);
      __m512 y;
      if (dy == nullptr) {
        y = _mm512_fmadd_ps(d, kv[v], av[v]);
        if (reluOut) y = _mm512_max_ps(_mm512_setzero_ps(), y);  // max(0, NaN) is NaN: NaN propagates
      } else {
        const __m512 g = _mm512_sub_ps(maskedGradient(m[v], dy, relu, o + 16 * v), av[v]);
        y = _mm512_mul_ps(kv[v], _mm512_fnmadd_ps(d, bv[v], g));
      }
      store(m[v], out + o + 16 * v, y);
    }
  }
}

// Calls block<NV>(…, c0, lastLanes) over the channels in groups of up to 4 vectors.
template <template <int> class F, class... Args>
void overChannels(i64 C, Args... args) {
  for (i64 c0 = 0; c0 < C; c0 += 64) {
    const i64 width = C - c0 < 64 ? C - c0 : 64;
    const int nv = static_cast<int>((width + 15) / 16);
    const i64 lastLanes = width - 16 * (nv - 1);
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

namespace {

// base + lane for each lane. (No namespace-scope AVX-512 constant: its initialiser would run
// at load time, on CPUs without AVX-512 too.)
inline __m512i indices(i64 base) {
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  return _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(base)), lanes);
}

}  // namespace

namespace {

// 2×2 windows with stride 2 and no padding (the common case): the four cells are two pairs of
// neighbouring pixels in two rows, compared in order (row 0 left, right, row 1 left, right).
void maxPool2x2Rows(const PoolGeom& g, const float* x, float* y, int32_t* argmax, i64 row0, i64 row1) {
  const i64 C = g.C, rowLen = g.inW * C;
  for (i64 row = row0; row < row1; ++row) {
    const i64 n = row / g.outH, oh = row % g.outH;
    const i64 top = (n * g.inH + 2 * oh) * rowLen;
    float* yo = y + row * g.outW * C;
    int32_t* ao = argmax + row * g.outW * C;
    for (i64 ow = 0; ow < g.outW; ++ow) {
      const i64 cell[4] = {top + 2 * ow * C, top + (2 * ow + 1) * C, top + rowLen + 2 * ow * C, top + rowLen + (2 * ow + 1) * C};
      for (i64 c0 = 0; c0 < C; c0 += 16) {
        const __mmask16 m = maskOf(C - c0);
        __m512 cur = load(m, x + cell[0] + c0);
        __m512i best = indices(cell[0] + c0);
#pragma GCC unroll 3
        for (int k = 1; k < 4; ++k) {
          const __m512 v = load(m, x + cell[k] + c0);
          const __mmask16 take = _mm512_cmp_ps_mask(v, cur, _CMP_GT_OQ) |
                                 (_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q) & _mm512_cmp_ps_mask(cur, cur, _CMP_ORD_Q));
          cur = _mm512_mask_mov_ps(cur, take, v);
          best = _mm512_mask_mov_epi32(best, take, indices(cell[k] + c0));
        }
        store(m, yo + ow * C + c0, cur);
        storeInt(m, ao + ow * C + c0, best);
      }
    }
  }
}

}  // namespace

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
      for (i64 c0 = 0; c0 < C; c0 += 16) {
        const __mmask16 m = maskOf(C - c0);
        if (empty) {
          store(m, y + out + c0, _mm512_setzero_ps());
          storeInt(m, argmax + out + c0, _mm512_set1_epi32(-1));
          continue;
        }
        __m512 cur = load(m, x + first + c0);
        __m512i best = indices(first + c0);
        for (i64 iy = iy0; iy < iy1; ++iy)
          for (i64 ix = ix0; ix < ix1; ++ix) {
            const i64 base = ((n * g.inH + iy) * g.inW + ix) * C + c0;
            if (base == first + c0) continue;
            const __m512 v = load(m, x + base);
            // A larger value, or a first NaN (which then sticks), wins; ties keep the first.
            const __mmask16 take = _mm512_cmp_ps_mask(v, cur, _CMP_GT_OQ) |
                                   (_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q) & _mm512_cmp_ps_mask(cur, cur, _CMP_ORD_Q));
            cur = _mm512_mask_mov_ps(cur, take, v);
            best = _mm512_mask_mov_epi32(best, take, indices(base));
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
  const __m512i none = _mm512_set1_epi32(-1);
  for (i64 oh = 0; oh < g.outH; ++oh)
    for (i64 ow = 0; ow < g.outW; ++ow) {
      const i64 out = ((n * g.outH + oh) * g.outW + ow) * C;
      for (i64 c0 = 0; c0 < C; c0 += 16) {
        const __mmask16 m = maskOf(C - c0);
        const __m512 d = load(m, dy + out + c0);
        const __m512i a = loadInt(m, argmax + out + c0);
        __mmask16 matched = 0;
        for (i64 py = 0; py < g.pH; ++py) {
          const i64 iy = oh * g.pH + py;
          if (iy >= g.inH) break;
          for (i64 px = 0; px < g.pW; ++px) {
            const i64 ix = ow * g.pW + px;
            if (ix >= g.inW) break;
            const i64 base = ((n * g.inH + iy) * g.inW + ix) * C + c0;
            const __mmask16 eq = _mm512_mask_cmpeq_epi32_mask(m, a, indices(base));
            matched |= eq;
            store(m, dx + base, _mm512_maskz_mov_ps(eq, d));
          }
        }
        const __mmask16 expected = m & static_cast<__mmask16>(~_mm512_cmpeq_epi32_mask(a, none));
        if (matched != expected) return false;
      }
    }
  return true;
}

}  // namespace avx512
}  // namespace ck
