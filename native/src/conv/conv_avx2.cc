// AVX2+FMA micro-kernels of the direct convolution (see conv_direct.h): the drivers' vectors of
// 16 output channels are two __m256 halves here, and the register tiles are sized for AVX2's 16
// ymm registers (heights in avx2::kTileRows): 6, 3 or 2 pixels (or channels) × 1, 2 or 3
// vectors, 12 accumulators each; a 4-vector chunk runs in passes over its ymm (forward: 4 pixels
// × 3 + 3 + 2 ymm; filter: two 2-vector halves), and the sliding kW = 3 kernels take one vector
// at a time. Partial last vectors use maskload / maskstore.
//
// Compiled with -mavx2 -mfma and called only when an AVX2 or AVX-512 GEMM is selected (isa.cc);
// like gemm_avx2.cc it includes no C++ library header, so no AVX2 code can leak into portable
// callers through a shared inline function.
#include <immintrin.h>

#include "conv_direct.h"

namespace ck {
namespace avx2 {
namespace {

// kMaskBits + 8 − n: the first n of 8 lanes set.
alignas(32) const int kMaskBits[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

// Lanes of ymm h of a row holding `lanes` lanes from its start: 0..8.
inline int halfLanes(int lanes, int h) {
  const int n = lanes - 8 * h;
  return n < 0 ? 0 : n > 8 ? 8 : n;
}

inline __m256i halfMask(int lanes) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMaskBits + 8 - lanes)); }

// The masks of the last vector's two halves (all lanes for a full vector).
struct LastMask {
  __m256i m[2];
  bool partial;
  explicit LastMask(int lanes) : m{halfMask(halfLanes(lanes, 0)), halfMask(halfLanes(lanes, 1))}, partial(lanes < 16) {}
};

// The forward epilogue: relu, then rows of H ymm at y, of which the first `lanes` lanes are
// stored (ymm h: whole, masked, or not at all; maskstore is slow on some AMD cores, so only
// for a partial one).
template <int MR, int H>
inline void storeTile(__m256 (&acc)[MR][H], const FwdTile& t, float* y, int lanes) {
  const __m256 zero = _mm256_setzero_ps();
  int n[H];
  __m256i mask[H];
#pragma GCC unroll 8
  for (int h = 0; h < H; ++h) {
    n[h] = halfLanes(lanes, h);
    mask[h] = halfMask(n[h]);
  }
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i) {
    float* row = y + i * t.ldy;
#pragma GCC unroll 8
    for (int h = 0; h < H; ++h) {
      __m256 val = acc[i][h];
      if (t.relu) val = _mm256_max_ps(zero, val);  // max_ps returns its 2nd operand for NaN: NaN propagates
      if (t.six) val = _mm256_min_ps(_mm256_set1_ps(6.0f), val);  // relu6; min_ps keeps a NaN 2nd operand too
      if (n[h] == 8)
        _mm256_storeu_ps(row + 8 * h, val);
      else if (n[h] > 0)
        _mm256_maskstore_ps(row + 8 * h, mask[h], val);
    }
  }
}

// One FMA step of an MR × H tile: acc[i][h] += a(i) · b[8h..8h+8). The order keeps the live
// registers within 16: all of b first when there are fewer halves than rows, else all of a.
template <int MR, int H, class A>
inline void fmaStep(__m256 (&acc)[MR][H], A a, const float* b) {
  if constexpr (MR > H) {
    __m256 bv[H];
#pragma GCC unroll 6
    for (int h = 0; h < H; ++h) bv[h] = _mm256_loadu_ps(b + 8 * h);
#pragma GCC unroll 6
    for (int i = 0; i < MR; ++i) {
      const __m256 av = _mm256_broadcast_ss(a(i));
#pragma GCC unroll 6
      for (int h = 0; h < H; ++h) acc[i][h] = _mm256_fmadd_ps(av, bv[h], acc[i][h]);
    }
  } else {
    __m256 av[MR];
#pragma GCC unroll 6
    for (int i = 0; i < MR; ++i) av[i] = _mm256_broadcast_ss(a(i));
#pragma GCC unroll 6
    for (int h = 0; h < H; ++h) {
      const __m256 bv = _mm256_loadu_ps(b + 8 * h);
#pragma GCC unroll 6
      for (int i = 0; i < MR; ++i) acc[i][h] = _mm256_fmadd_ps(av[i], bv, acc[i][h]);
    }
  }
}

// MR pixels × H ymm of the chunk's output channels, starting at ymm g0 (channel 8·g0).
template <int MR, int H>
void forwardPass(const FwdTile& t, int g0) {
  __m256 acc[MR][H];
  const float* bias = t.bias != nullptr ? t.bias + 8 * g0 : nullptr;
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
    for (int h = 0; h < H; ++h) acc[i][h] = bias != nullptr ? _mm256_loadu_ps(bias + 8 * h) : _mm256_setzero_ps();
  const i64 am = t.am, C = t.C, ldb = t.ldb;
  const float* b = t.b + 8 * g0;
  for (i64 tap = 0; tap < t.taps; ++tap) {
    const float* a = t.a + t.tapOff[tap];
    for (i64 c = 0; c < C; ++c) {
      fmaStep<MR, H>(acc, [&](int i) { return a + i * am + c; }, b);
      b += ldb;
    }
  }
  storeTile<MR, H>(acc, t, t.y + 8 * g0, (t.nv - 1) * 16 + t.lastLanes - 8 * g0);
}

template <int MR, int NV>
void forwardTile(const FwdTile& t) {
  forwardPass<MR, 2 * NV>(t, 0);
}

// Four vectors (8 ymm): 4 pixels in passes of 3, 3 and 2 ymm (12, 12 and 8 accumulators), so a
// row of 4 Winograd tiles (8-pixel images) is one tile, not two of 2; fewer pixels in two halves.
template <int MR>
void forwardTile4(const FwdTile& t) {
  if constexpr (MR == 4) {
    forwardPass<4, 3>(t, 0);
    forwardPass<4, 3>(t, 3);
    forwardPass<4, 2>(t, 6);
  } else {
    forwardPass<MR, 4>(t, 0);
    forwardPass<MR, 4>(t, 4);
  }
}

// Stride 1, dilation 1, kW = 3, one vector (16 lanes at b, y, bias + 16v) per pass: input pixel
// j of the row span feeds output pixels j − kw for kw = 0, 1, 2, so each broadcast serves up to
// three taps. 8 accumulators, 6 weight halves and a broadcast: 15 registers.
template <int MR>
void slide3Vector(const FwdTile& t, int v) {
  __m256 acc[MR][2];
  const float* bias = t.bias != nullptr ? t.bias + 16 * v : nullptr;
#pragma GCC unroll 4
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) acc[i][h] = bias != nullptr ? _mm256_loadu_ps(bias + 8 * h) : _mm256_setzero_ps();
  const i64 am = t.am, C = t.C, ldb = t.ldb;
  for (i64 kh = 0; kh < t.taps / 3; ++kh) {
    const float* a = t.a + t.tapOff[3 * kh];
    const float* b = t.b + 3 * kh * C * ldb + 16 * v;
    for (i64 c = 0; c < C; ++c) {
      __m256 w[3][2];
#pragma GCC unroll 3
      for (int kw = 0; kw < 3; ++kw)
#pragma GCC unroll 2
        for (int h = 0; h < 2; ++h) w[kw][h] = _mm256_loadu_ps(b + (kw * C + c) * ldb + 8 * h);
#pragma GCC unroll 6
      for (int j = 0; j < MR + 2; ++j) {
        const __m256 av = _mm256_broadcast_ss(a + j * am + c);
#pragma GCC unroll 3
        for (int kw = 0; kw < 3; ++kw) {
          const int i = j - kw;
          if (i < 0 || i >= MR) continue;
#pragma GCC unroll 2
          for (int h = 0; h < 2; ++h) acc[i][h] = _mm256_fmadd_ps(av, w[kw][h], acc[i][h]);
        }
      }
    }
  }
  storeTile<MR, 2>(acc, t, t.y + 16 * v, v == t.nv - 1 ? t.lastLanes : 16);
}

template <int MR>
void slide3Tile(const FwdTile& t) {
  for (int v = 0; v < t.nv; ++v) slide3Vector<MR>(t, v);
}

template <int MR, int NV>
void filterTile(const FilterTile& t) {
  constexpr int H = 2 * NV;
  __m256 acc[MR][H];
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 6
    for (int h = 0; h < H; ++h) acc[i][h] = _mm256_setzero_ps();
  const LastMask last(t.lastLanes);
  for (i64 r = 0; r < t.rows; ++r) {
    const float* a = t.a + r * t.ar;
    const float* b = t.b + r * t.br;
    for (i64 q = 0; q < t.cols; ++q) {
      if (last.partial) {  // lanes of b past lastLanes are never read: load them masked
        __m256 bv[H];
#pragma GCC unroll 6
        for (int h = 0; h < H; ++h) bv[h] = h >= H - 2 ? _mm256_maskload_ps(b + 8 * h, last.m[h - (H - 2)]) : _mm256_loadu_ps(b + 8 * h);
#pragma GCC unroll 6
        for (int i = 0; i < MR; ++i) {
          const __m256 av = _mm256_broadcast_ss(a + i);
#pragma GCC unroll 6
          for (int h = 0; h < H; ++h) acc[i][h] = _mm256_fmadd_ps(av, bv[h], acc[i][h]);
        }
      } else {
        fmaStep<MR, H>(acc, [&](int i) { return a + i; }, b);
      }
      a += t.aq;
      b += t.bq;
    }
  }
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i) {
    float* row = t.dw + i * t.lddw;
#pragma GCC unroll 6
    for (int h = 0; h < H; ++h) _mm256_storeu_ps(row + 8 * h, _mm256_add_ps(_mm256_loadu_ps(row + 8 * h), acc[i][h]));
  }
}

// One column q of the sliding filter tile (one vector), for the taps KLO..KHI whose dy pixel
// q − kw exists: MR broadcasts, then each b half feeds the MR channels.
template <int MR, int KLO, int KHI>
inline void filterSlideColumn(__m256 (&acc)[MR][3][2], const float* a, const float* b, i64 q, i64 bq, const LastMask& last) {
  __m256 av[MR];
#pragma GCC unroll 2
  for (int i = 0; i < MR; ++i) av[i] = _mm256_broadcast_ss(a + i);
#pragma GCC unroll 3
  for (int k = KLO; k <= KHI; ++k)
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      const float* src = b + (q - k) * bq + 8 * h;
      const __m256 bv = last.partial ? _mm256_maskload_ps(src, last.m[h]) : _mm256_loadu_ps(src);
#pragma GCC unroll 2
      for (int i = 0; i < MR; ++i) acc[i][k][h] = _mm256_fmadd_ps(av[i], bv, acc[i][k][h]);
    }
}

// filterSlide3 for the vector at b + 16v, dw + 16v: 12 accumulators (MR = 2 channels × 3 taps
// × 2 halves), two broadcasts and one b half.
template <int MR>
void filterSlideVector(const FilterSlideTile& t, int v) {
  __m256 acc[MR][3][2];
#pragma GCC unroll 2
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 3
    for (int k = 0; k < 3; ++k)
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) acc[i][k][h] = _mm256_setzero_ps();
  const LastMask last(v == t.nv - 1 ? t.lastLanes : 16);
  const i64 aq = t.aq, bq = t.bq, cols = t.cols, qlo = t.qlo, qhi = t.qhi;
  const i64 bodyLo = qlo > 2 ? qlo : 2, bodyHi = qhi < cols ? qhi : cols;  // all three taps
  for (i64 r = 0; r < t.rows; ++r) {
    const float* a = t.a + r * t.ar;  // padded column q at a + (q − qlo)·aq
    const float* b = t.b + r * t.br + 16 * v;
    if (qlo <= 0 && 0 < qhi) filterSlideColumn<MR, 0, 0>(acc, a - qlo * aq, b, 0, bq, last);
    if (qlo <= 1 && 1 < qhi) filterSlideColumn<MR, 0, 1>(acc, a + (1 - qlo) * aq, b, 1, bq, last);
    for (i64 q = bodyLo; q < bodyHi; ++q) filterSlideColumn<MR, 0, 2>(acc, a + (q - qlo) * aq, b, q, bq, last);
    if (qlo <= cols && cols < qhi) filterSlideColumn<MR, 1, 2>(acc, a + (cols - qlo) * aq, b, cols, bq, last);
    if (qlo <= cols + 1 && cols + 1 < qhi) filterSlideColumn<MR, 2, 2>(acc, a + (cols + 1 - qlo) * aq, b, cols + 1, bq, last);
  }
#pragma GCC unroll 2
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 3
    for (int k = 0; k < 3; ++k) {
      float* row = t.dw + (k * t.C + i) * t.lddw + 16 * v;
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) _mm256_storeu_ps(row + 8 * h, _mm256_add_ps(_mm256_loadu_ps(row + 8 * h), acc[i][k][h]));
    }
}

template <int MR>
void filterSlide3(const FilterSlideTile& t) {
  for (int v = 0; v < t.nv; ++v) filterSlideVector<MR>(t, v);
}

using FwdFn = void (*)(const FwdTile&);
using FilterFn = void (*)(const FilterTile&);
using FilterSlideFn = void (*)(const FilterSlideTile&);

// [mr - 1] per nv; heights as avx2::kTileRows in conv_direct.h.
const FwdFn kForward1[6] = {forwardTile<1, 1>, forwardTile<2, 1>, forwardTile<3, 1>, forwardTile<4, 1>, forwardTile<5, 1>, forwardTile<6, 1>};
const FwdFn kForward2[3] = {forwardTile<1, 2>, forwardTile<2, 2>, forwardTile<3, 2>};
const FwdFn kForward3[2] = {forwardTile<1, 3>, forwardTile<2, 3>};
const FwdFn kForward4[4] = {forwardTile4<1>, forwardTile4<2>, forwardTile4<3>, forwardTile4<4>};
const FwdFn kSlide[4] = {slide3Tile<1>, slide3Tile<2>, slide3Tile<3>, slide3Tile<4>};
const FilterFn kFilter1[6] = {filterTile<1, 1>, filterTile<2, 1>, filterTile<3, 1>, filterTile<4, 1>, filterTile<5, 1>, filterTile<6, 1>};
const FilterFn kFilter2[3] = {filterTile<1, 2>, filterTile<2, 2>, filterTile<3, 2>};
const FilterFn kFilter3[2] = {filterTile<1, 3>, filterTile<2, 3>};
const FilterSlideFn kFilterSlide[2] = {filterSlide3<1>, filterSlide3<2>};

}  // namespace

void convForwardTile(const FwdTile& t) {
  (t.nv == 1 ? kForward1 : t.nv == 2 ? kForward2 : t.nv == 3 ? kForward3 : kForward4)[t.mr - 1](t);
}

void convForwardSlide3(const FwdTile& t) { kSlide[t.mr - 1](t); }

void convFilterTile(const FilterTile& t) {
  if (t.nv == 4) {
    FilterTile half = t;
    half.nv = 2;
    half.lastLanes = 16;
    kFilter2[t.mr - 1](half);
    half.b += 32;
    half.dw += 32;
    half.lastLanes = t.lastLanes;
    kFilter2[t.mr - 1](half);
    return;
  }
  (t.nv == 1 ? kFilter1 : t.nv == 2 ? kFilter2 : kFilter3)[t.mr - 1](t);
}

void convFilterSlide3(const FilterSlideTile& t) { kFilterSlide[t.mr - 1](t); }

}  // namespace avx2
}  // namespace ck
