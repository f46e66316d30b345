// AVX-512F micro-kernels of the direct convolution (see conv_direct.h): register tiles of up to
// 16 pixels (or channels) × 4 vectors of 16 output channels, A broadcast straight from the image.
//
// Compiled with -mavx512f and called only when the AVX-512 GEMM kernels are selected (isa.cc);
// like gemm_avx512.cc it includes no C++ library header, so no AVX-512 code can leak into
// portable callers through a shared inline function. Every (tile height, vectors) pair is its
// own instantiation, so the accumulators live in registers and the loops fully unroll.
#include <immintrin.h>

#include "conv_direct.h"

namespace ck {
namespace avx512 {
namespace {

inline __mmask16 laneMask(int lanes) { return lanes >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << lanes) - 1); }

// The forward epilogue: relu (relu6), then rows of nv vectors, the last one masked to lastLanes.
template <int MR, int NV>
inline void storeTile(__m512 (&acc)[MR][NV], const FwdTile& t) {
  const __m512 zero = _mm512_setzero_ps();
  const __mmask16 last = laneMask(t.lastLanes);
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    float* row = t.y + i * t.ldy;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      __m512 val = acc[i][v];
      if (t.relu) val = _mm512_max_ps(zero, val);  // max_ps returns its 2nd operand for NaN: NaN propagates
      if (t.six) val = _mm512_min_ps(_mm512_set1_ps(6.0f), val);  // relu6; min_ps keeps a NaN 2nd operand too
      if (v == NV - 1 && t.lastLanes < 16)  // masked stores are slow on some AMD cores: only for a partial vector
        _mm512_mask_storeu_ps(row + 16 * v, last, val);
      else
        _mm512_storeu_ps(row + 16 * v, val);
    }
  }
}

template <int MR, int NV>
void forwardTile(const FwdTile& t) {
  __m512 acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = t.bias != nullptr ? _mm512_loadu_ps(t.bias + 16 * v) : _mm512_setzero_ps();
  const i64 am = t.am, C = t.C, ldb = t.ldb;
  const float* b = t.b;
  for (i64 tap = 0; tap < t.taps; ++tap) {
    const float* a = t.a + t.tapOff[tap];
    for (i64 c = 0; c < C; ++c) {
      __m512 bv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) bv[v] = _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i) {
        const __m512 av = _mm512_set1_ps(a[i * am + c]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
      }
      b += ldb;
    }
  }
  storeTile<MR, NV>(acc, t);
}

// One tap over CC contiguous channels per pixel (am = C = CC): Winograd's per-position GEMMs.
// With CC known every broadcast is a constant displacement from one pointer, and the channel
// loop unrolls fully (CC is at most 64).
template <int MR, int NV, int CC>
void gemmTile(const FwdTile& t) {
  __m512 acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = t.bias != nullptr ? _mm512_loadu_ps(t.bias + 16 * v) : _mm512_setzero_ps();
  const float* a = t.a + t.tapOff[0];
  const float* b = t.b;
  const i64 ldb = t.ldb;
#pragma GCC unroll 4
  for (int c = 0; c < CC; ++c) {
    __m512 bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const __m512 av = _mm512_set1_ps(a[i * CC + c]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
    }
    b += ldb;
  }
  storeTile<MR, NV>(acc, t);
}

// Stride 1, dilation 1, kW = 3: input pixel j of the tile's row span feeds output pixels j − kw
// for kw = 0, 1, 2, so each broadcast serves up to three FMAs per vector (instead of one), which
// keeps 16- and 32-channel layers from being bound by broadcast loads.
// CC > 0: the channel count (the pixel stride am) is known at compile time, so every broadcast
// address is a constant displacement from one pointer (no offset registers to spill).
template <int MR, int NV, int CC = 0>
void slide3Tile(const FwdTile& t) {
  __m512 acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = t.bias != nullptr ? _mm512_loadu_ps(t.bias + 16 * v) : _mm512_setzero_ps();
  const i64 am = CC > 0 ? CC : t.am, C = CC > 0 ? CC : t.C, ldb = t.ldb;
  for (i64 kh = 0; kh < t.taps / 3; ++kh) {
    const float* a = t.a + t.tapOff[3 * kh];
    const float* b = t.b + 3 * kh * C * ldb;
    for (i64 c = 0; c < C; ++c) {
      __m512 w[3][NV];
#pragma GCC unroll 3
      for (int kw = 0; kw < 3; ++kw)
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) w[kw][v] = _mm512_loadu_ps(b + (kw * C + c) * ldb + 16 * v);
#pragma GCC unroll 18
      for (int j = 0; j < MR + 2; ++j) {
        const __m512 av = _mm512_set1_ps(a[j * am + c]);
#pragma GCC unroll 3
        for (int kw = 0; kw < 3; ++kw) {
          const int i = j - kw;
          if (i < 0 || i >= MR) continue;
#pragma GCC unroll 4
          for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(av, w[kw][v], acc[i][v]);
        }
      }
    }
  }
  storeTile<MR, NV>(acc, t);
}

template <int MR, int NV>
void filterTile(const FilterTile& t) {
  __m512 acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  const __mmask16 last = laneMask(t.lastLanes);
  for (i64 r = 0; r < t.rows; ++r) {
    const float* a = t.a + r * t.ar;
    const float* b = t.b + r * t.br;
    for (i64 q = 0; q < t.cols; ++q) {
      __m512 bv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v)
        bv[v] = v == NV - 1 && t.lastLanes < 16 ? _mm512_maskz_loadu_ps(last, b + 16 * v) : _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i) {
        const __m512 av = _mm512_set1_ps(a[i]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
      }
      a += t.aq;
      b += t.bq;
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    float* row = t.dw + i * t.lddw;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) _mm512_storeu_ps(row + 16 * v, _mm512_add_ps(_mm512_loadu_ps(row + 16 * v), acc[i][v]));
  }
}

// One column q of the sliding filter tile, for the taps KLO..KHI whose dy pixel q − kw exists.
template <int MR, int NV, int KLO, int KHI>
inline void filterSlideColumn(__m512 (&acc)[MR][3][NV], const float* a, const float* b, i64 q, i64 bq, int lastLanes) {
  __m512 bv[3][NV];
  const __mmask16 last = laneMask(lastLanes);
#pragma GCC unroll 3
  for (int k = KLO; k <= KHI; ++k)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      const float* src = b + (q - k) * bq + 16 * v;
      bv[k][v] = v == NV - 1 && lastLanes < 16 ? _mm512_maskz_loadu_ps(last, src) : _mm512_loadu_ps(src);
    }
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    const __m512 av = _mm512_set1_ps(a[i]);
#pragma GCC unroll 3
    for (int k = KLO; k <= KHI; ++k)
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) acc[i][k][v] = _mm512_fmadd_ps(av, bv[k][v], acc[i][k][v]);
  }
}

template <int MR, int NV>
void filterSlide3(const FilterSlideTile& t) {
  __m512 acc[MR][3][NV];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 3
    for (int k = 0; k < 3; ++k)
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) acc[i][k][v] = _mm512_setzero_ps();
  const i64 aq = t.aq, bq = t.bq, cols = t.cols, qlo = t.qlo, qhi = t.qhi;
  const i64 bodyLo = qlo > 2 ? qlo : 2, bodyHi = qhi < cols ? qhi : cols;  // all three taps
  for (i64 r = 0; r < t.rows; ++r) {
    const float* a = t.a + r * t.ar;  // padded column q at a + (q − qlo)·aq
    const float* b = t.b + r * t.br;
    if (qlo <= 0 && 0 < qhi) filterSlideColumn<MR, NV, 0, 0>(acc, a - qlo * aq, b, 0, bq, t.lastLanes);
    if (qlo <= 1 && 1 < qhi) filterSlideColumn<MR, NV, 0, 1>(acc, a + (1 - qlo) * aq, b, 1, bq, t.lastLanes);
    for (i64 q = bodyLo; q < bodyHi; ++q) filterSlideColumn<MR, NV, 0, 2>(acc, a + (q - qlo) * aq, b, q, bq, t.lastLanes);
    if (qlo <= cols && cols < qhi) filterSlideColumn<MR, NV, 1, 2>(acc, a + (cols - qlo) * aq, b, cols, bq, t.lastLanes);
    if (qlo <= cols + 1 && cols + 1 < qhi) filterSlideColumn<MR, NV, 2, 2>(acc, a + (cols + 1 - qlo) * aq, b, cols + 1, bq, t.lastLanes);
  }
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 3
    for (int k = 0; k < 3; ++k) {
      float* row = t.dw + (k * t.C + i) * t.lddw;
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) _mm512_storeu_ps(row + 16 * v, _mm512_add_ps(_mm512_loadu_ps(row + 16 * v), acc[i][k][v]));
    }
}

using FilterSlideFn = void (*)(const FilterSlideTile&);

using FwdFn = void (*)(const FwdTile&);
using FilterFn = void (*)(const FilterTile&);

#define CK_ROWS16(F, NV)                                                                                           \
  {F<1, NV>, F<2, NV>, F<3, NV>, F<4, NV>, F<5, NV>, F<6, NV>, F<7, NV>, F<8, NV>, F<9, NV>, F<10, NV>, F<11, NV>, \
   F<12, NV>, F<13, NV>, F<14, NV>, F<15, NV>, F<16, NV>}
#define CK_ROWS12(F, NV) \
  {F<1, NV>, F<2, NV>, F<3, NV>, F<4, NV>, F<5, NV>, F<6, NV>, F<7, NV>, F<8, NV>, F<9, NV>, F<10, NV>, F<11, NV>, F<12, NV>}
#define CK_ROWS8(F, NV) {F<1, NV>, F<2, NV>, F<3, NV>, F<4, NV>, F<5, NV>, F<6, NV>, F<7, NV>, F<8, NV>}
#define CK_ROWS7(F, NV) {F<1, NV>, F<2, NV>, F<3, NV>, F<4, NV>, F<5, NV>, F<6, NV>, F<7, NV>}
#define CK_ROWS6(F, NV) {F<1, NV>, F<2, NV>, F<3, NV>, F<4, NV>, F<5, NV>, F<6, NV>}

// [nv - 1][mr - 1]; heights per nv as avx512::kTileRows in conv_direct.h.
const FwdFn kForward1[16] = CK_ROWS16(forwardTile, 1);
const FwdFn kForward2[12] = CK_ROWS12(forwardTile, 2);
const FwdFn kForward3[8] = CK_ROWS8(forwardTile, 3);
const FwdFn kForward4[6] = CK_ROWS6(forwardTile, 4);
template <int MR, int NV>
void gemmTile16(const FwdTile& t) {
  gemmTile<MR, NV, 16>(t);
}
template <int MR, int NV>
void gemmTile32(const FwdTile& t) {
  gemmTile<MR, NV, 32>(t);
}
template <int MR, int NV>
void gemmTile64(const FwdTile& t) {
  gemmTile<MR, NV, 64>(t);
}
// [nv - 1][mr - 1]: row tables of gemmTile for C = 16, 32, 64.
const FwdFn kGemm16[4][16] = {CK_ROWS16(gemmTile16, 1), CK_ROWS12(gemmTile16, 2), CK_ROWS8(gemmTile16, 3), CK_ROWS6(gemmTile16, 4)};
const FwdFn kGemm32[4][16] = {CK_ROWS16(gemmTile32, 1), CK_ROWS12(gemmTile32, 2), CK_ROWS8(gemmTile32, 3), CK_ROWS6(gemmTile32, 4)};
const FwdFn kGemm64[4][16] = {CK_ROWS16(gemmTile64, 1), CK_ROWS12(gemmTile64, 2), CK_ROWS8(gemmTile64, 3), CK_ROWS6(gemmTile64, 4)};

template <int MR, int NV>
void slide3Tile16(const FwdTile& t) {
  slide3Tile<MR, NV, 16>(t);
}

const FwdFn kSlide1[16] = CK_ROWS16(slide3Tile, 1);
const FwdFn kSlide1C16[16] = CK_ROWS16(slide3Tile16, 1);
const FwdFn kSlide2[12] = CK_ROWS12(slide3Tile, 2);
const FwdFn kSlide3[7] = CK_ROWS7(slide3Tile, 3);
const FilterSlideFn kFilterSlide1[8] = CK_ROWS8(filterSlide3, 1);
const FilterSlideFn kFilterSlide2[4] = {filterSlide3<1, 2>, filterSlide3<2, 2>, filterSlide3<3, 2>, filterSlide3<4, 2>};
const FilterFn kFilter1[16] = CK_ROWS16(filterTile, 1);
const FilterFn kFilter2[12] = CK_ROWS12(filterTile, 2);
const FilterFn kFilter3[8] = CK_ROWS8(filterTile, 3);
const FilterFn kFilter4[6] = CK_ROWS6(filterTile, 4);

#undef CK_ROWS16
#undef CK_ROWS12
#undef CK_ROWS8
#undef CK_ROWS6
#undef CK_ROWS7

}  // namespace

void convForwardTile(const FwdTile& t) {
  if (t.taps == 1 && t.am == t.C && (t.C == 16 || t.C == 32 || t.C == 64)) {
    const FwdFn(*table)[16] = t.C == 16 ? kGemm16 : t.C == 32 ? kGemm32 : kGemm64;
    table[t.nv - 1][t.mr - 1](t);
    return;
  }
  const FwdFn* table = t.nv == 1 ? kForward1 : t.nv == 2 ? kForward2 : t.nv == 3 ? kForward3 : kForward4;
  table[t.mr - 1](t);
}

void convForwardSlide3(const FwdTile& t) {
  const bool c16 = t.C == 16 && t.am == 16;  // stride 1 over 16 channels: ResNet's first stage
  const FwdFn* table = t.nv == 1 ? (c16 ? kSlide1C16 : kSlide1) : t.nv == 2 ? kSlide2 : kSlide3;
  table[t.mr - 1](t);
}

void convFilterSlide3(const FilterSlideTile& t) { (t.nv == 1 ? kFilterSlide1 : kFilterSlide2)[t.mr - 1](t); }

void convFilterTile(const FilterTile& t) {
  const FilterFn* table = t.nv == 1 ? kFilter1 : t.nv == 2 ? kFilter2 : t.nv == 3 ? kFilter3 : kFilter4;
  table[t.mr - 1](t);
}

}  // namespace avx512
}  // namespace ck
