// Pieces the direct-convolution drivers share (conv_direct.cc, conv_direct_filter.cc): whether
// the path is on, output-channel chunks, the packed filter, balanced tile heights, and padded
// copies of one image. Internal to the addon.
#pragma once

#include <cstring>
#include <vector>

#include "conv_direct.h"
#include "isa.h"
#include "types.h"

namespace ck {
namespace direct {

constexpr i64 kChunk = 64;                   // output channels per register tile (4 vectors)
constexpr i64 kMaxPackedFloats = 96 * 1024;  // larger filter chunks (over 384 KB) take the GEMM path
constexpr double kMinFlopsPerThread = 4e6;

/** AVX2 or AVX-512 selected and CONVKIT_CONV is not "gemm". */
bool enabled();

/** The register-tile heights of the selected ISA's micro-kernels (AVX-512's, else AVX2's). */
const TileRows& tileRows();
/** The largest forward tile height (pixels) for nv vectors per pixel. */
inline int fwdTileRows(int nv) { return tileRows().fwd[nv - 1]; }
/** The largest tile of the kW = 3, stride-1 forward kernel; 0: nv takes the plain one. */
inline int slide3TileRows(int nv) { return tileRows().slide3[nv - 1]; }
/** Channels per sliding filter-gradient tile (three taps each); 0: nv takes the plain one. */
inline int filterSlideRows(int nv) { return tileRows().filterSlide[nv - 1]; }
/** The largest filter-gradient tile height (channels) for nv vectors. */
inline int filterTileRows(int nv) { return tileRows().filter[nv - 1]; }

inline i64 roundUp(i64 v, i64 to) { return (v + to - 1) / to * to; }

/** Output channels [n0, n0 + len) as nv vectors, the last holding lastLanes lanes. */
struct Chunk {
  i64 n0, len, width, offset;  // offset: of this chunk in the packed filter
  int nv, lastLanes;
};

/** The chunks of N output channels for a filter of K rows (taps × input channels). */
std::vector<Chunk> chunksOf(i64 N, i64 K);

/**
 * `total` split into the fewest parts of at most `most`, as equal as can be (the first
 * total % parts are one larger), as a range computed on the fly: the tile loops walk it once per
 * output row, so it must not allocate. `for (int mr : BalancedParts(10, 4))` gives 4, 3, 3.
 */
class BalancedParts {
 public:
  BalancedParts(i64 total, int most) : parts_(most > 0 ? (total + most - 1) / most : 0) {
    base_ = parts_ > 0 ? total / parts_ : 0;
    larger_ = parts_ > 0 ? total % parts_ : 0;
  }
  class Iter {
   public:
    Iter(const BalancedParts* r, i64 p) : r_(r), p_(p) {}
    int operator*() const { return static_cast<int>(r_->base_ + (p_ < r_->larger_ ? 1 : 0)); }
    Iter& operator++() {
      ++p_;
      return *this;
    }
    bool operator!=(const Iter& o) const { return p_ != o.p_; }

   private:
    const BalancedParts* r_;
    i64 p_;
  };
  Iter begin() const { return Iter(this, 0); }
  Iter end() const { return Iter(this, parts_); }

 private:
  i64 parts_, base_ = 0, larger_ = 0;
};

/** True when a packed filter chunk (taps·C rows of up to 64 floats) stays within L2. */
inline bool packedFits(i64 taps, i64 C, i64 N) { return taps * C * (N < kChunk ? roundUp(N, 16) : kChunk) <= kMaxPackedFloats; }

/**
 * A filter as the tiles read it: chunk by chunk, rows of `ldb` floats starting at
 * `base + chunk.offset`. Packed: [taps][C][width] copies with zeros past the chunk's channels
 * (ldb = width); or, for a forward filter whose channel count is a multiple of 16, the HWIO
 * filter in place (ldb = N, chunk.offset = chunk.n0).
 */
struct Packed {
  std::vector<Chunk> chunks;
  std::vector<float> data, bias;  // bias: kChunk floats per chunk (zeros past N), or empty
  const float* base = nullptr;
  const float* biasBase = nullptr;
  i64 ldb = 0;  // 0: each chunk's own width
};

/** The forward filter (HWIO, N a multiple of 16) read in place: no copy. */
inline Packed inPlace(const float* filter, const float* bias, i64 N) {
  Packed p;
  p.chunks = chunksOf(N, 0);
  for (Chunk& c : p.chunks) c.offset = c.n0;
  p.base = filter;
  p.biasBase = bias;
  p.ldb = N;
  return p;
}

/** Packs weight(t, c, n) (tap t, input channel c, output channel n) and an optional bias. */
template <class Weight>
Packed pack(i64 taps, i64 C, i64 N, const float* bias, Weight weight) {
  Packed p;
  p.chunks = chunksOf(N, taps * C);
  const Chunk& last = p.chunks.back();
  p.data.assign(static_cast<size_t>(last.offset + taps * C * last.width), 0.0f);
  for (const Chunk& ch : p.chunks)
    for (i64 t = 0; t < taps; ++t)
      for (i64 c = 0; c < C; ++c) {
        float* dst = p.data.data() + ch.offset + (t * C + c) * ch.width;
        for (i64 j = 0; j < ch.len; ++j) dst[j] = weight(t, c, ch.n0 + j);
      }
  if (bias != nullptr) {
    p.bias.assign(static_cast<size_t>(p.chunks.size() * kChunk), 0.0f);
    for (i64 j = 0; j < N; ++j) p.bias[j] = bias[j];
    p.biasBase = p.bias.data();
  }
  p.base = p.data.data();
  return p;
}

/** An NHWC batch of images and the zero-padded window a convolution reads from each. */
struct Window {
  const float* data;
  i64 inH, inW, C;
  i64 padT, padL;  // may be negative (a crop)
  i64 Hp, Wp;      // padded extents: cell (r, q) is image(r − padT, q − padL), 0 outside
  /** The window is inside the image and starts at its corner: tiles read the image in place. */
  bool inPlace() const { return padT == 0 && padL == 0 && Hp <= inH && Wp <= inW; }
  i64 rowStride() const { return (inPlace() ? inW : Wp) * C; }
};

/** Image n as the tiles read it: in place, or this thread's padded copy (remade when n changes). */
class ImageSource {
 public:
  explicit ImageSource(const Window& w) : w_(w) {}
  const float* image(i64 n);

 private:
  Window w_;
  float* buf_ = nullptr;
  i64 cached_ = -1;
};

/**
 * Asks the cache to fetch part `part` of `parts` of the image data at [begin, begin + bytes):
 * spread over the rows of one image, it brings the next image into L2 while this one computes,
 * so the padded copy (or in-place reads) of the next image does not wait on memory.
 */
inline void prefetchPart(const float* begin, i64 floats, i64 part, i64 parts) {
  const char* p = reinterpret_cast<const char*>(begin);
  const i64 bytes = floats * static_cast<i64>(sizeof(float));
  const i64 from = bytes * part / parts, to = bytes * (part + 1) / parts;
  for (i64 off = from & ~i64{63}; off < to; off += 64) __builtin_prefetch(p + off, 0, 2);
}

/** prefetchPart for lines about to be written (a store that misses waits for the line too). */
inline void prefetchWrite(float* begin, i64 floats, i64 part, i64 parts) {
  char* p = reinterpret_cast<char*>(begin);
  const i64 bytes = floats * static_cast<i64>(sizeof(float));
  const i64 from = bytes * part / parts, to = bytes * (part + 1) / parts;
  for (i64 off = from & ~i64{63}; off < to; off += 64) __builtin_prefetch(p + off, 1, 2);
}

void forwardTile(const FwdTile& t);
void slide3Tile(const FwdTile& t);
void filterTile(const FilterTile& t);
void filterSlide3Tile(const FilterSlideTile& t);

}  // namespace direct
}  // namespace ck
