// Image kernels for augmentation and preprocessing (the spec: affineWarp and resize in
// src/backends/kernels.ts; the reference: src/backends/ts/image.ts). Threads split output rows (image × row); each output pixel's
// source point is computed once in double, then the channels are read from the (at most four)
// neighbours, which are mapped into the image by the fill mode as the reference does.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "signature.h"
#include "bindings.h"
#include "threadpool.h"

namespace ck {

/** Batch×inH×inW×C in, batch×outH×outW×C out. */
struct ImageGeom {
  i64 batch, inH, inW, C, outH, outW;
};

enum class FillMode { Reflect, Wrap, Constant, Nearest };
enum class ResizeMethod { Bilinear, Nearest, Bicubic, Lanczos3 };

namespace {

// Below this many output values per thread, a call runs on the calling thread: a warp of an MNIST
// batch (100K values, well under a millisecond) ran twice as slow split over a busy 2-core machine.
constexpr double kMinPixelsPerThread = 131072;

inline i64 mapIndex(i64 i, i64 n, FillMode mode) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case FillMode::Constant:
      return -1;
    case FillMode::Nearest:
      return i < 0 ? 0 : n - 1;
    case FillMode::Wrap:
      return ((i % n) + n) % n;
    case FillMode::Reflect: {
      const i64 period = 2 * n;
      const i64 r = ((i % period) + period) % period;
      return r < n ? r : period - 1 - r;
    }
  }
  return -1;
}

struct WarpTask {
  const ImageGeom* g;
  const float* x;
  const float* transforms;
  bool bilinear;
  FillMode mode;
  float fill;
  float* y;
};

// floor for doubles in the i64 range without a libm call (the baseline ISA has no roundsd).
inline i64 floorToInt(double v) {
  const i64 i = static_cast<i64>(v);
  return i - (v < static_cast<double>(i));
}

// Source points far outside the image (a huge shift) are brought back by whole periods of 2n
// first, so the i64 conversions stay defined: beyond a few periods every mode repeats or saturates.
inline double clampCoord(double v, i64 n) {
  const double lim = 4.0 * double(n) + 4.0;
  return v < -lim ? -lim - std::fmod(-v - lim, 2.0 * double(n)) : v > lim ? lim + std::fmod(v - lim, 2.0 * double(n)) : v;
}

// One output row, the interpolation and fill mode fixed at compile time so the per-pixel path
// has no option branches; interior bilinear pixels read their four neighbours directly.
template <bool kBilinear, FillMode kMode>
void warpRow(const WarpTask& t, const float* image, const float* m, i64 oy, float* out) {
  const ImageGeom& g = *t.g;
  const i64 C = g.C, W = g.inW, H = g.inH;
  const bool affine = m[6] == 0 && m[7] == 0;
  const float fill = t.fill;
  // Affine rows step by (a0, b0) per pixel; a row whose ends lie within the clamp range (the
  // usual case) needs no clamping, since the coordinates are linear along it.
  const double x0 = double(m[1]) * double(oy) + double(m[2]), y0 = double(m[4]) * double(oy) + double(m[5]);
  const double xEnd = x0 + double(m[0]) * double(g.outW - 1), yEnd = y0 + double(m[3]) * double(g.outW - 1);
  const double limX = 4.0 * double(W) + 4.0, limY = 4.0 * double(H) + 4.0;
  const bool inRange = std::fabs(x0) <= limX && std::fabs(xEnd) <= limX && std::fabs(y0) <= limY && std::fabs(yEnd) <= limY;
  for (i64 ox = 0; ox < g.outW; ++ox, out += C) {
    double sx = x0 + double(m[0]) * double(ox);
    double sy = y0 + double(m[3]) * double(ox);
    if (!affine) {
      const double k = double(m[6]) * double(ox) + double(m[7]) * double(oy) + 1.0;
      if (k == 0) {
        std::fill(out, out + C, fill);
        continue;
      }
      sx /= k, sy /= k;
    }
    if (!(affine && inRange)) sx = clampCoord(sx, W), sy = clampCoord(sy, H);
    if (!kBilinear) {
      const i64 iy = mapIndex(floorToInt(sy + 0.5), H, kMode), ix = mapIndex(floorToInt(sx + 0.5), W, kMode);
      if (iy < 0 || ix < 0) {
        std::fill(out, out + C, fill);
      } else {
        const float* p = image + (iy * W + ix) * C;
        for (i64 c = 0; c < C; ++c) out[c] = p[c];
      }
      continue;
    }
    const i64 fy = floorToInt(sy), fx = floorToInt(sx);
    const float dy = static_cast<float>(sy - double(fy)), dx = static_cast<float>(sx - double(fx));
    const float w00 = (1 - dy) * (1 - dx), w01 = (1 - dy) * dx, w10 = dy * (1 - dx), w11 = dy * dx;
    if (fy >= 0 && fx >= 0 && fy + 1 < H && fx + 1 < W) {
      const float* p0 = image + (fy * W + fx) * C;
      const float* p1 = p0 + W * C;
      for (i64 c = 0; c < C; ++c) out[c] = w00 * p0[c] + w01 * p0[c + C] + w10 * p1[c] + w11 * p1[c + C];
      continue;
    }
    const i64 y0 = mapIndex(fy, H, kMode), y1 = mapIndex(fy + 1, H, kMode);
    const i64 x0 = mapIndex(fx, W, kMode), x1 = mapIndex(fx + 1, W, kMode);
    const float* p00 = y0 < 0 || x0 < 0 ? nullptr : image + (y0 * W + x0) * C;
    const float* p01 = y0 < 0 || x1 < 0 ? nullptr : image + (y0 * W + x1) * C;
    const float* p10 = y1 < 0 || x0 < 0 ? nullptr : image + (y1 * W + x0) * C;
    const float* p11 = y1 < 0 || x1 < 0 ? nullptr : image + (y1 * W + x1) * C;
    for (i64 c = 0; c < C; ++c)
      out[c] = w00 * (p00 ? p00[c] : fill) + w01 * (p01 ? p01[c] : fill) + w10 * (p10 ? p10[c] : fill) + w11 * (p11 ? p11[c] : fill);
  }
}

template <bool kBilinear, FillMode kMode>
void warpRows(const WarpTask& t, int ith, int nth) {
  const ImageGeom& g = *t.g;
  i64 r0, r1;
  splitRange(g.batch * g.outH, ith, nth, 1, &r0, &r1);
  for (i64 r = r0; r < r1; ++r) {
    const i64 b = r / g.outH;
    warpRow<kBilinear, kMode>(t, t.x + b * g.inH * g.inW * g.C, t.transforms + b * 8, r % g.outH, t.y + r * g.outW * g.C);
  }
}

template <bool kBilinear>
void runWarp(const WarpTask& t, int shares) {
  switch (t.mode) {
    case FillMode::Reflect: return run(warpRows<kBilinear, FillMode::Reflect>, t, shares);
    case FillMode::Wrap: return run(warpRows<kBilinear, FillMode::Wrap>, t, shares);
    case FillMode::Constant: return run(warpRows<kBilinear, FillMode::Constant>, t, shares);
    case FillMode::Nearest: return run(warpRows<kBilinear, FillMode::Nearest>, t, shares);
  }
}

// Per output index of one axis: the first input index read and the weights from there on
// (Keras's _compute_weight_mat, kept sparse).
struct Taps {
  std::vector<i64> start, count, offset;
  std::vector<float> weights;
};

double filterAt(ResizeMethod method, double d) {
  switch (method) {
    case ResizeMethod::Bilinear:
      return std::max(0.0, 1 - d);
    case ResizeMethod::Bicubic:
      if (d >= 2) return 0;
      if (d >= 1) return ((-0.5 * d + 2.5) * d - 4) * d + 2;
      return (1.5 * d - 2.5) * d * d + 1;
    case ResizeMethod::Lanczos3: {
      if (d > 3) return 0;
      if (d <= 1e-3) return 1;
      const double pi = 3.14159265358979323846;
      return 3 * std::sin(pi * d) * std::sin(pi * d / 3) / (pi * pi * d * d);
    }
    default:
      return 0;
  }
}

Taps makeTaps(i64 in, i64 out, ResizeMethod method, bool antialias) {
  const double radiusOf = method == ResizeMethod::Bilinear ? 1 : method == ResizeMethod::Bicubic ? 2 : 3;
  const double invScale = double(in) / double(out);
  const double kernelScale = antialias ? std::max(invScale, 1.0) : 1.0;
  const double radius = radiusOf * kernelScale;
  Taps t;
  std::vector<double> ws;
  for (i64 i = 0; i < out; ++i) {
    const double centre = (double(i) + 0.5) * invScale - 0.5;
    const i64 lo = std::max<i64>(0, static_cast<i64>(std::ceil(centre - radius)));
    const i64 hi = std::min<i64>(in - 1, static_cast<i64>(std::floor(centre + radius)));
    ws.assign(static_cast<size_t>(std::max<i64>(0, hi - lo + 1)), 0.0);
    double total = 0;
    for (i64 j = lo; j <= hi; ++j) total += ws[j - lo] = filterAt(method, std::fabs(centre - double(j)) / kernelScale);
    const bool inside = centre >= -0.5 && centre <= double(in) - 0.5 && std::fabs(total) > 1000 * 1.1920928955078125e-7;
    t.start.push_back(lo);
    t.count.push_back(static_cast<i64>(ws.size()));
    t.offset.push_back(static_cast<i64>(t.weights.size()));
    for (double w : ws) t.weights.push_back(static_cast<float>(inside ? w / total : 0));
  }
  return t;
}

struct ResizeTask {
  const ImageGeom* g;
  const float* x;
  const Taps* rows;  // null: height unchanged
  const Taps* cols;  // null: width unchanged
  float* y;
};

// One share: whole images (the height pass needs a row band of the input per output row).
void resizeImages(const ResizeTask& t, int ith, int nth) {
  const ImageGeom& g = *t.g;
  const i64 C = g.C, rowLen = g.inW * C;
  i64 b0, b1;
  splitRange(g.batch, ith, nth, 1, &b0, &b1);
  std::vector<float> mid(static_cast<size_t>(rowLen));
  for (i64 b = b0; b < b1; ++b) {
    const float* image = t.x + b * g.inH * rowLen;
    for (i64 i = 0; i < g.outH; ++i) {
      const float* src = mid.data();
      if (t.rows) {  // height pass: one output row as a weighted sum of input rows (vectorises)
        std::fill(mid.begin(), mid.end(), 0.0f);
        const float* w = t.rows->weights.data() + t.rows->offset[i];
        for (i64 k = 0; k < t.rows->count[i]; ++k) {
          const float wk = w[k];
          const float* in = image + (t.rows->start[i] + k) * rowLen;
          for (i64 j = 0; j < rowLen; ++j) mid[j] += wk * in[j];
        }
      } else {
        src = image + i * rowLen;
      }
      float* out = t.y + (b * g.outH + i) * g.outW * C;
      if (!t.cols) {
        std::copy(src, src + rowLen, out);
        continue;
      }
      for (i64 j = 0; j < g.outW; ++j) {
        const float* w = t.cols->weights.data() + t.cols->offset[j];
        const float* in = src + t.cols->start[j] * C;
        float* o = out + j * C;
        std::fill(o, o + C, 0.0f);
        for (i64 k = 0; k < t.cols->count[j]; ++k)
          for (i64 c = 0; c < C; ++c) o[c] += w[k] * in[k * C + c];
      }
    }
  }
}

struct NearestTask {
  const ImageGeom* g;
  const float* x;
  const i64* rows;
  const i64* cols;
  float* y;
};

void nearestRows(const NearestTask& t, int ith, int nth) {
  const ImageGeom& g = *t.g;
  i64 r0, r1;
  splitRange(g.batch * g.outH, ith, nth, 1, &r0, &r1);
  for (i64 r = r0; r < r1; ++r) {
    const i64 b = r / g.outH, i = r % g.outH;
    const float* in = t.x + ((b * g.inH + t.rows[i]) * g.inW) * g.C;
    float* out = t.y + r * g.outW * g.C;
    for (i64 j = 0; j < g.outW; ++j) std::copy(in + t.cols[j] * g.C, in + (t.cols[j] + 1) * g.C, out + j * g.C);
  }
}

}  // namespace

void affineWarp(const ImageGeom& g, const float* x, const float* transforms, bool bilinear, FillMode mode,
                float fillValue, float* y) {
  if (g.batch == 0) return;
  const WarpTask t{&g, x, transforms, bilinear, mode, fillValue, y};
  const double pixels = double(g.batch) * double(g.outH) * double(g.outW);
  const int shares = sharesFor(pixels * double(g.C), kMinPixelsPerThread);
  if (bilinear) runWarp<true>(t, shares);
  else runWarp<false>(t, shares);
}

void resize(const ImageGeom& g, const float* x, ResizeMethod method, bool antialias, float* y) {
  if (g.batch == 0) return;
  const double work = double(g.batch) * double(g.outH) * double(g.outW) * double(g.C);
  if (method == ResizeMethod::Nearest) {
    std::vector<i64> rows(static_cast<size_t>(g.outH)), cols(static_cast<size_t>(g.outW));
    for (i64 i = 0; i < g.outH; ++i) rows[i] = std::min(g.inH - 1, static_cast<i64>(std::floor((double(i) + 0.5) * double(g.inH) / double(g.outH))));
    for (i64 j = 0; j < g.outW; ++j) cols[j] = std::min(g.inW - 1, static_cast<i64>(std::floor((double(j) + 0.5) * double(g.inW) / double(g.outW))));
    const NearestTask t{&g, x, rows.data(), cols.data(), y};
    run(nearestRows, t, sharesFor(work, kMinPixelsPerThread));
    return;
  }
  const Taps rows = g.inH == g.outH ? Taps{} : makeTaps(g.inH, g.outH, method, antialias);
  const Taps cols = g.inW == g.outW ? Taps{} : makeTaps(g.inW, g.outW, method, antialias);
  const ResizeTask t{&g, x, g.inH == g.outH ? nullptr : &rows, g.inW == g.outW ? nullptr : &cols, y};
  run(resizeImages, t, std::min<int>(static_cast<int>(std::min<i64>(g.batch, kMaxShares)), sharesFor(work, kMinPixelsPerThread)));
}

// Bindings: check the geometry, the option strings and every length, then compute into the
// caller-allocated output.
namespace {

std::string s(i64 v) { return std::to_string(v); }

ImageGeom readImageGeom(const Args& args, size_t i, const char* name) {
  const Napi::Object o = args.object(i, name);
  ImageGeom g{args.field(o, name, "batch", 0),    args.field(o, name, "inHeight", 1), args.field(o, name, "inWidth", 1),
              args.field(o, name, "channels", 1), args.field(o, name, "outHeight", 1), args.field(o, name, "outWidth", 1)};
  return g;
}


void checkImages(const Args& args, const ImageGeom& g, const View<float>& x, const View<float>& y) {
  args.expect(x, countOf(args, {g.batch, g.inH, g.inW, g.C}, "x"));
  args.expect(y, countOf(args, {g.batch, g.outH, g.outW, g.C}, "y"));
}

std::string stringField(const Args& args, const Napi::Object& o, const char* name) {
  const Napi::Value v = o.Get(name);
  if (!v.IsString()) args.fail(std::string("options.") + name + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

// affineWarp(x, geometry, transforms, { interpolation, fillMode, fillValue }, y)
Napi::Value AffineWarp(const Napi::CallbackInfo& info) {
  const auto [args, x, g, transforms, options, y] =
      readSignature(info, "affineWarp", sig::f32("x"), sig::attrs("geometry", readImageGeom), sig::f32("transforms"),
                    sig::attrs("options"), sig::out("y"));
  const std::string interpolation = stringField(args, options, "interpolation");
  const std::string fill = stringField(args, options, "fillMode");
  const double fillValue = args.numberField(options, "options", "fillValue");
  if (interpolation != "bilinear" && interpolation != "nearest")
    args.fail("interpolation must be 'bilinear' or 'nearest', received '" + interpolation + "'");
  FillMode mode;
  if (fill == "reflect") mode = FillMode::Reflect;
  else if (fill == "wrap") mode = FillMode::Wrap;
  else if (fill == "constant") mode = FillMode::Constant;
  else if (fill == "nearest") mode = FillMode::Nearest;
  else args.fail("fillMode must be 'reflect', 'wrap', 'constant' or 'nearest', received '" + fill + "'");
  if (!std::isfinite(fillValue)) args.fail("fillValue must be finite");
  checkImages(args, g, x, y);
  args.expect(transforms, Count{args.product({g.batch, 8}, "transforms"), s(g.batch) + "*8"});
  for (i64 i = 0; i < transforms.length; ++i)
    if (!std::isfinite(transforms.data[i]))
      args.fail("transforms[" + s(i) + "] (image " + s(i / 8) + ") is not finite");
  if (g.batch > 0) affineWarp(g, x.data, transforms.data, interpolation == "bilinear", mode, static_cast<float>(fillValue), y.data);
  return info.Env().Undefined();
}

// resize(x, geometry, method, antialias, y)
Napi::Value Resize(const Napi::CallbackInfo& info) {
  const auto [args, x, g, name, antialias, y] = readSignature(info, "resize", sig::f32("x"), sig::attrs("geometry", readImageGeom),
                                                               sig::oneOf("method"), sig::boolean("antialias"), sig::out("y"));
  ResizeMethod method;
  if (name == "bilinear") method = ResizeMethod::Bilinear;
  else if (name == "nearest") method = ResizeMethod::Nearest;
  else if (name == "bicubic") method = ResizeMethod::Bicubic;
  else if (name == "lanczos3") method = ResizeMethod::Lanczos3;
  else args.fail("method must be 'bilinear', 'nearest', 'bicubic' or 'lanczos3', received '" + name + "'");
  checkImages(args, g, x, y);
  if (g.batch > 0) resize(g, x.data, method, antialias, y.data);
  return info.Env().Undefined();
}

}  // namespace

CK_EXPORT_KERNEL("affineWarp", AffineWarp);
CK_EXPORT_KERNEL("resize", Resize);

}  // namespace ck
