// Winograd F(2×2, 3×3) convolution for 3×3, stride-1, undilated NHWC convolutions whose input
// and output channel counts are multiples of 16 (ResNet-20's stages, the seed net's conv2, and
// the input gradient of each, which is such a convolution of dy with the flipped filter).
//
// Each 2×2 block of output pixels ("tile") reads a 4×4 input patch d and is
//   Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A
// so the multiply-adds become 16 independent GEMMs, one per patch position p:
//   M[p][tile][o] = Σ_c V[p][tile][c] · U[p][c][o]    (V = Bᵀ d B, U = G g Gᵀ)
// 16 multiply-adds per tile and channel pair instead of 36: 2.25 times fewer. The driver
// (conv_winograd.cc) works one row of tiles at a time so V and M stay in L1/L2; the GEMMs are the
// direct convolution's forward register tiles (one tap); the transforms are AVX-512
// (conv_winograd_avx512.cc) or AVX2 (conv_winograd_avx2.cc), vectorised over the channels.
//
// The filter gradient (conv_winograd_filter.cc) is the same identity read backwards: with
// E = A dY Aᵀ (4×4, from each tile's 2×2 block of dy),
//   dg = Gᵀ [ Σ_tiles V ⊙ E ] G,  i.e.  dU[p][c][o] = Σ_tile V[p][tile][c] · E[p][tile][o]
// 16 GEMMs reducing over tiles, then one inverse filter transform per (c, o).
#pragma once

#include "types.h"

namespace ck {

struct ConvGeom;

/** Most channels (of either side) the Winograd path takes. */
constexpr i64 kWinoMaxChannels = 512;

/**
 * Input transform of one row of T tiles: for tile t, channel c and position p = 4·i + j,
 *   v[p·posStride + t·C + c] = (Bᵀ d B)[i][j],  d[r][q] = image(row0 + r, col0 + 2t + q, c)
 * with image (H×W×C, NHWC) zero outside its bounds. C is a multiple of 16.
 */
struct WinoInputRow {
  const float* image;
  i64 H, W, C;
  i64 row0, col0;
  i64 T;
  float* v;
  i64 posStride;
};

/**
 * Output-gradient transform of one row of T tiles (the filter gradient's second operand): for
 * tile t, channel o and position p = 4·i + j,
 *   e[p·posStride + t·O + o] = (A dY Aᵀ)[i][j],  dY[r][q] = dy(row0 + r, 2t + q, o)
 * with dy (H×W×O, NHWC) zero past its bounds (partial tiles). O is a multiple of 16.
 */
struct WinoGradRow {
  const float* dy;
  i64 H, W, O;
  i64 row0;
  i64 T;
  float* e;
  i64 posStride;
};

/**
 * Output transform of one row of T tiles: for tile t and position (r, q) of its 2×2 block that
 * lies within `rows` × `cols` pixels (cols counted from the row's first pixel),
 *   y[r·yRow + (2t + q)·yPix + o] = relu?(bias[o] + (Aᵀ m A)[r][q]),  m[p] = mm[(p·T + t)·O + o]
 * bias may be null. O is a multiple of 16.
 */
struct WinoOutputRow {
  const float* m;
  i64 T, O;
  float* y;
  i64 yRow, yPix;
  i64 rows, cols;
  const float* bias;
  bool relu;
};

namespace avx512 {
void winoInputRow(const WinoInputRow& t);
void winoOutputRow(const WinoOutputRow& t);
void winoGradRow(const WinoGradRow& t);
}  // namespace avx512
namespace avx2 {
void winoInputRow(const WinoInputRow& t);
void winoOutputRow(const WinoOutputRow& t);
void winoGradRow(const WinoGradRow& t);
}  // namespace avx2

/**
 * The transforms above, called from baseline-ISA code (conv_winograd*.cc). They exist only in
 * x64 builds; elsewhere these do nothing, and the Winograd paths are never enabled.
 */
void transformInputRow(const WinoInputRow& t);
void transformOutputRow(const WinoOutputRow& t);
void transformGradRow(const WinoGradRow& t);

/** CONVKIT_CONV is neither "direct" nor "gemm" (either turns the Winograd paths off). */
bool winogradAllowed();

/** conv2d by Winograd F(2×2, 3×3) if this CPU and geometry suit it; false: try the next path. */
bool conv2dWinograd(const ConvGeom& g, const float* x, const float* filter, const float* bias, bool relu, float* y);
/** conv2dBackpropInput by Winograd (stride 1: dy convolved with the flipped filter); false: next path. */
bool conv2dBackpropInputWinograd(const ConvGeom& g, const float* dy, const float* filter, float* dx);
/** conv2dBackpropFilter by Winograd (16 GEMMs over tiles, per-share partials summed in order); false: next path. */
bool conv2dBackpropFilterWinograd(const ConvGeom& g, const float* x, const float* dy, float* dfilter);

}  // namespace ck
