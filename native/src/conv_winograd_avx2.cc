// AVX2+FMA transforms of the Winograd F(2×2, 3×3) convolution (see conv_winograd.h), 8 channels
// per __m256 (the channel counts are multiples of 16, so there are no tails). Compiled with
// -mavx2 -mfma and called only when the AVX2 kernels are selected; like conv_avx2.cc it
// includes no C++ library header.
//
//   Bᵀ = | 1  0 −1  0 |      Aᵀ = | 1  1  1  0 |
//        | 0  1  1  0 |           | 0  1 −1 −1 |
//        | 0 −1  1  0 |
//        | 0  1  0 −1 |
#include <immintrin.h>

#include "conv_winograd.h"

namespace ck {
namespace avx2 {
namespace {

// Read in place of pixels outside the image; the driver keeps C within it.
alignas(32) const float kZeros[kWinoMaxChannels] = {};

// Bᵀ applied to four values (a column or a row of the patch).
inline void inputPass(const __m256 (&d)[4], __m256 (&out)[4]) {
  out[0] = _mm256_sub_ps(d[0], d[2]);
  out[1] = _mm256_add_ps(d[1], d[2]);
  out[2] = _mm256_sub_ps(d[2], d[1]);
  out[3] = _mm256_sub_ps(d[1], d[3]);
}

}  // namespace

void winoInputRow(const WinoInputRow& t) {
  const i64 C = t.C, W = t.W, T = t.T, posStride = t.posStride, rowStride = W * C;
  const float* rowPtr[4];
  for (int r = 0; r < 4; ++r) {
    const i64 ih = t.row0 + r;
    rowPtr[r] = ih >= 0 && ih < t.H ? t.image + ih * rowStride : nullptr;
  }
  const bool rowsInside = rowPtr[0] != nullptr && rowPtr[3] != nullptr;
  // Bᵀ d for image column iw (channels c..c+7): a tile's last two columns are the next tile's
  // first two, so each column is transformed once per row of tiles, not twice.
  const auto column = [&](i64 iw, i64 c, __m256(&out)[4]) {
    __m256 d[4];
    if (rowsInside && iw >= 0 && iw < W) {
      const float* base = rowPtr[0] + iw * C + c;
#pragma GCC unroll 4
      for (int r = 0; r < 4; ++r) d[r] = _mm256_loadu_ps(base + r * rowStride);
    } else {
      for (int r = 0; r < 4; ++r) d[r] = _mm256_loadu_ps(rowPtr[r] != nullptr && iw >= 0 && iw < W ? rowPtr[r] + iw * C + c : kZeros);
    }
    inputPass(d, out);
  };
  for (i64 c = 0; c < C; c += 8) {
    __m256 cols[4][4];  // cols[q][i] = (Bᵀ d)[i][q] for the current tile
    column(t.col0, c, cols[0]);
    column(t.col0 + 1, c, cols[1]);
    for (i64 tile = 0; tile < T; ++tile) {
      const i64 iw0 = t.col0 + 2 * tile;
      column(iw0 + 2, c, cols[2]);
      column(iw0 + 3, c, cols[3]);
      float* v = t.v + tile * C + c;
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {
        const __m256 row[4] = {cols[0][i], cols[1][i], cols[2][i], cols[3][i]};
        __m256 out[4];
        inputPass(row, out);  // (Bᵀ d) B
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) _mm256_storeu_ps(v + (4 * i + j) * posStride, out[j]);
      }
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {
        cols[0][i] = cols[2][i];
        cols[1][i] = cols[3][i];
      }
    }
  }
}

void winoOutputRow(const WinoOutputRow& t) {
  const i64 T = t.T, O = t.O, posStride = T * O;
  const __m256 zero = _mm256_setzero_ps();
  for (i64 tile = 0; tile < T; ++tile) {
    const float* m = t.m + tile * O;
    const bool second = 2 * tile + 1 < t.cols;
    for (i64 o = 0; o < O; o += 8) {
      __m256 s[2][4];  // Aᵀ m
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) {
        const __m256 m0 = _mm256_loadu_ps(m + (0 + j) * posStride + o), m1 = _mm256_loadu_ps(m + (4 + j) * posStride + o);
        const __m256 m2 = _mm256_loadu_ps(m + (8 + j) * posStride + o), m3 = _mm256_loadu_ps(m + (12 + j) * posStride + o);
        s[0][j] = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);
        s[1][j] = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);
      }
      const __m256 bias = t.bias != nullptr ? _mm256_loadu_ps(t.bias + o) : zero;
#pragma GCC unroll 2
      for (int r = 0; r < 2; ++r) {
        if (r >= t.rows) break;
        __m256 y0 = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(s[r][0], s[r][1]), s[r][2]), bias);
        __m256 y1 = _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(s[r][1], s[r][2]), s[r][3]), bias);
        if (t.relu) {  // max_ps returns its 2nd operand for NaN: NaN propagates
          y0 = _mm256_max_ps(zero, y0);
          y1 = _mm256_max_ps(zero, y1);
        }
        float* y = t.y + r * t.yRow + 2 * tile * t.yPix + o;
        _mm256_storeu_ps(y, y0);
        if (second) _mm256_storeu_ps(y + t.yPix, y1);
      }
    }
  }
}

void winoGradRow(const WinoGradRow& t) {
  const i64 O = t.O, W = t.W, posStride = t.posStride;
  const float* rows[2];
  for (int r = 0; r < 2; ++r) rows[r] = t.row0 + r < t.H ? t.dy + (t.row0 + r) * W * O : nullptr;
  const __m256 zero = _mm256_setzero_ps();
  for (i64 tile = 0; tile < t.T; ++tile) {
    const float* src[2][2];  // dY[r][q]'s O channels, or zeros past dy's bounds
    for (int r = 0; r < 2; ++r)
      for (int q = 0; q < 2; ++q) src[r][q] = rows[r] != nullptr && 2 * tile + q < W ? rows[r] + (2 * tile + q) * O : kZeros;
    float* e = t.e + tile * O;
    for (i64 o = 0; o < O; o += 8) {
      __m256 u[4][2];  // A dY
#pragma GCC unroll 2
      for (int q = 0; q < 2; ++q) {
        const __m256 y0 = _mm256_loadu_ps(src[0][q] + o), y1 = _mm256_loadu_ps(src[1][q] + o);
        u[0][q] = y0;
        u[1][q] = _mm256_add_ps(y0, y1);
        u[2][q] = _mm256_sub_ps(y0, y1);
        u[3][q] = _mm256_sub_ps(zero, y1);
      }
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {  // (A dY) Aᵀ
        float* row = e + 4 * i * posStride + o;
        _mm256_storeu_ps(row, u[i][0]);
        _mm256_storeu_ps(row + posStride, _mm256_add_ps(u[i][0], u[i][1]));
        _mm256_storeu_ps(row + 2 * posStride, _mm256_sub_ps(u[i][0], u[i][1]));
        _mm256_storeu_ps(row + 3 * posStride, _mm256_sub_ps(zero, u[i][1]));
      }
    }
  }
}

}  // namespace avx2
}  // namespace ck
