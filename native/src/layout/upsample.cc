// Nearest-neighbour 2-D upsampling of NHWC images by integer factors (UpSampling2D) and its input
// gradient, which sums each scaleHeight x scaleWidth block of dy in double, rows outer, as the
// TypeScript reference does. Threads split the input rows (n, i); every output element is
// written exactly once. The bindings are at the bottom.
#include <cstring>
#include <string>
#include <vector>

#include "signature.h"
#include "bindings.h"
#include "threadpool.h"

namespace ck {
namespace {

constexpr double kMinPerThread = 65536;

struct UpSampleTask {
  const float* in;
  float* out;
  i64 rows, width, channels, scaleHeight, scaleWidth;  // rows = batch * height (of x)
};

// Input row r of x -> output rows r*sh .. r*sh + sh - 1: the first built by repeating each pixel
// scaleWidth times, the others copied from it.
void upSampleThread(const UpSampleTask& t, int ith, int nth) {
  i64 r0, r1;
  splitRange(t.rows, ith, nth, 1, &r0, &r1);
  const i64 c = t.channels, inRow = t.width * c, outRow = inRow * t.scaleWidth;
  for (i64 r = r0; r < r1; ++r) {
    const float* src = t.in + r * inRow;
    float* dst = t.out + r * t.scaleHeight * outRow;
    for (i64 j = 0; j < t.width; ++j)
      for (i64 b = 0; b < t.scaleWidth; ++b)
        std::memcpy(dst + (j * t.scaleWidth + b) * c, src + j * c, sizeof(float) * c);
    for (i64 a = 1; a < t.scaleHeight; ++a) std::memcpy(dst + a * outRow, dst, sizeof(float) * outRow);
  }
}

// Input row r of dx = the sums over the blocks of output rows r*sh .. r*sh + sh - 1 of dy.
void upSampleBackwardThread(const UpSampleTask& t, int ith, int nth) {
  i64 r0, r1;
  splitRange(t.rows, ith, nth, 1, &r0, &r1);
  const i64 c = t.channels, inRow = t.width * c, outRow = inRow * t.scaleWidth;
  for (i64 r = r0; r < r1; ++r) {
    const float* dy = t.in + r * t.scaleHeight * outRow;
    float* dx = t.out + r * inRow;
    for (i64 j = 0; j < t.width; ++j)
      for (i64 k = 0; k < c; ++k) {
        double sum = 0;
        for (i64 a = 0; a < t.scaleHeight; ++a)
          for (i64 b = 0; b < t.scaleWidth; ++b) sum += dy[a * outRow + (j * t.scaleWidth + b) * c + k];
        dx[j * c + k] = static_cast<float>(sum);
      }
  }
}

// Reads (buffer, shape [batch, height, width, channels], scaleHeight, scaleWidth, out) and checks
// them: `small` is x (forward) or dx (backward), `large` the upsampled side.
template <bool kBackward>
Napi::Value UpSampleBinding(const Napi::CallbackInfo& info) {
  const char* kernel = kBackward ? "upSample2dBackward" : "upSample2d";
  const char* inName = kBackward ? "dy" : "x";
  const auto [args, in, shape, sh, sw, out] =
      readSignature(info, kernel, sig::f32(inName), sig::shape("shape"), sig::size("scaleHeight"), sig::size("scaleWidth"), sig::out("out"));
  if (shape.size() != 4)
    args.fail("shape " + shapeText(shape) + " must have 4 axes (batch, height, width, channels)");
  if (sh < 1 || sw < 1)
    args.fail("scaleHeight and scaleWidth must be at least 1, received " + std::to_string(sh) + " and " +
              std::to_string(sw));
  const i64 small = sizeOf(shape);
  const i64 large = args.product({small, sh, sw}, "the upsampled size");
  const std::string formula = "shape " + shapeText(shape);
  const std::string upFormula = formula + " * " + std::to_string(sh) + " * " + std::to_string(sw);
  const Count smallCount{small, formula}, largeCount{large, upFormula};
  args.expect(in, kBackward ? largeCount : smallCount), args.expect(out, kBackward ? smallCount : largeCount);
  const UpSampleTask task{in.data, out.data, shape[0] * shape[1], shape[2], shape[3], sh, sw};
  const int shares = sharesFor(static_cast<double>(large), kMinPerThread);
  if (task.rows > 0) run(kBackward ? upSampleBackwardThread : upSampleThread, task, shares);
  return info.Env().Undefined();
}

// upSample2d(x, shape, scaleHeight, scaleWidth, out)
Napi::Value UpSample2d(const Napi::CallbackInfo& info) { return UpSampleBinding<false>(info); }

// upSample2dBackward(dy, shape, scaleHeight, scaleWidth, out): shape is x's
Napi::Value UpSample2dBackward(const Napi::CallbackInfo& info) { return UpSampleBinding<true>(info); }

}  // namespace

CK_EXPORT_KERNEL("upSample2d", UpSample2d);
CK_EXPORT_KERNEL("upSample2dBackward", UpSample2dBackward);

}  // namespace ck
