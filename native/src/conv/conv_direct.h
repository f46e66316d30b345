// Direct (implicit-GEMM) NHWC convolution: micro-kernels that read the input image in place
// instead of packing an im2col matrix, for the small channel counts (16-64) of CIFAR-sized nets,
// where packing im2col would cost as much as the multiply-adds it feeds.
//
// The driver (conv_direct.cc, baseline ISA) pads images, packs the filter and splits the work;
// the micro-kernels (conv_avx512.cc with -mavx512f, conv_avx2.cc with -mavx2 -mfma; no C++
// library headers) compute one register tile. Output channels go in chunks of up to 4 vectors of
// 16 lanes; the tile heights are the selected ISA's (TileRows).
#pragma once

#include "types.h"

namespace ck {

struct ConvGeom;

/**
 * Forward tile: for pixels i < mr and lanes j < nv·16,
 *   y[i·ldy + j] = relu?(bias[j] + Σ_t Σ_c a[tapOff[t] + i·am + c] · b[(t·C + c)·ldb + j]), capped
 *   at 6 when six (relu6)
 * b is the filter chunk, rows ldb floats apart (the HWIO filter itself when its channel count
 * is a multiple of 16, else a packed copy zero past the real channels), and bias is null or
 * nv·16 floats; only the first `lastLanes` lanes of the last vector are stored.
 */
struct FwdTile {
  const float* a;
  i64 am;
  const i64* tapOff;
  i64 taps, C;
  const float* b;
  i64 ldb;
  float* y;
  i64 ldy;
  const float* bias;
  bool relu;
  bool six = false;  // with relu: min(6, ·) after it
  int mr, nv, lastLanes;
};

/**
 * Filter-gradient tile: for channels i < mr and lanes j < nv·16,
 *   dw[i·lddw + j] += Σ_{r < rows} Σ_{q < cols} a[r·ar + q·aq + i] · b[r·br + q·bq + j]
 * (a: the image at one tap and channel block; b: dy at the output-channel chunk). Lanes of b past
 * `lastLanes` in the last vector are never read.
 */
struct FilterTile {
  const float* a;
  i64 ar, aq;
  const float* b;
  i64 br, bq;
  i64 rows, cols;
  float* dw;
  i64 lddw;
  int mr, nv, lastLanes;
};

/**
 * Sliding filter-gradient tile (kW = 3, stride 1, dilation 1 along rows): for channels i < mr,
 * kw < 3 and lanes j < nv·16,
 *   dw[(kw·C + i)·lddw + j] += Σ_{r < rows} Σ_{q ∈ [qlo, qhi)} a[r·ar + (q − qlo)·aq + i] · b[r·br + (q − kw)·bq + j]
 * leaving out the terms with q − kw outside [0, cols). q counts columns of the zero-padded image
 * (outside [qlo, qhi) it is padding, which adds nothing), so a and b are the image and dy rows
 * read in place; each broadcast of the image feeds three taps. Lanes of b past `lastLanes` in
 * the last vector are never read. Needs cols >= 2.
 */
struct FilterSlideTile {
  const float* a;
  i64 ar, aq;
  const float* b;
  i64 br, bq;
  i64 rows, cols, qlo, qhi, C;
  float* dw;
  i64 lddw;
  int mr, nv, lastLanes;
};

/**
 * One instruction set's register-tile heights, indexed by nv − 1 (vectors of 16 output channels
 * per tile): the most pixels of a forward tile, of a kW = 3 stride-1 forward tile (0: that nv
 * uses the plain kernel), the most channels of a filter-gradient tile, and of a sliding one (three
 * taps each; 0: the plain kernel). The drivers read the selected ISA's (direct::tileRows()).
 */
struct TileRows {
  int fwd[4], slide3[4], filter[4], filterSlide[4];
};

namespace avx512 {
constexpr TileRows kTileRows = {{16, 12, 8, 6}, {16, 12, 7, 0}, {16, 12, 8, 6}, {8, 4, 0, 0}};
void convForwardTile(const FwdTile& t);
/** The same tile for kW = 3, stride 1, dilation 1 along the row (tapOff[3·kh] = row offsets), nv <= 3. */
void convForwardSlide3(const FwdTile& t);
void convFilterTile(const FilterTile& t);
void convFilterSlide3(const FilterSlideTile& t);
}  // namespace avx512

namespace avx2 {
// 16 ymm registers: up to 12 accumulators per tile (a 4-vector forward tile in passes of 3, 3
// and 2 ymm, a 4-vector filter tile as two 2-vector halves); the sliding kernels go one vector at
// a time, so every nv has one.
constexpr TileRows kTileRows = {{6, 3, 2, 4}, {4, 4, 4, 4}, {6, 3, 2, 3}, {2, 2, 2, 2}};
void convForwardTile(const FwdTile& t);
void convForwardSlide3(const FwdTile& t);
void convFilterTile(const FilterTile& t);
void convFilterSlide3(const FilterSlideTile& t);
}  // namespace avx2

struct WinoInputRow;
struct WinoOutputRow;
struct WinoGradRow;

/**
 * One instruction set's convolution register tiles (direct and Winograd), chosen once with the
 * GEMM kernels (isa.cc; convIsa() in isa.h is null where none is built or selected: portable).
 */
struct ConvIsa {
  TileRows tileRows;
  void (*forwardTile)(const FwdTile& t);
  void (*forwardSlide3)(const FwdTile& t);
  void (*filterTile)(const FilterTile& t);
  void (*filterSlide3)(const FilterSlideTile& t);
  void (*winoInputRow)(const WinoInputRow& t);
  void (*winoOutputRow)(const WinoOutputRow& t);
  void (*winoGradRow)(const WinoGradRow& t);
};

/** conv2d by direct convolution, if this CPU and geometry suit it; false: use the GEMM path. */
bool conv2dDirect(const ConvGeom& g, const float* x, const float* filter, const float* bias, EpilogueActivation act,
                  float* y);
/** conv2dBackpropInput as a direct convolution of dy with the flipped filter (stride 1 only). */
bool conv2dBackpropInputDirect(const ConvGeom& g, const float* dy, const float* filter, float* dx);
/** conv2dBackpropFilter by direct accumulation over each image; false: use the GEMM path. */
bool conv2dBackpropFilterDirect(const ConvGeom& g, const float* x, const float* dy, float* dfilter);

}  // namespace ck
