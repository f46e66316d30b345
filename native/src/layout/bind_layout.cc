// JavaScript bindings of pad, slice and concat: check every shape against the buffers, then
// copy into the caller-allocated output.
#include <string>
#include <vector>

#include "bindings.h"
#include "layout.h"
#include "signature.h"

namespace ck {
namespace {

std::string s(i64 v) { return std::to_string(v); }

// Checks that a per-axis list (pads, begin, size) has one entry per axis of `shape`.
void perAxis(const Args& args, const std::vector<i64>& v, const char* name, const std::vector<i64>& shape) {
  if (v.size() != shape.size())
    args.fail(std::string(name) + " " + shapeText(v) + " has " + s(static_cast<i64>(v.size())) +
              " entries, expected one per axis of shape " + shapeText(shape));
}

// pad(x, shape, padsBefore, padsAfter, out)
Napi::Value Pad(const Napi::CallbackInfo& info) {
  const auto [args, x, shape, before, after, out] =
      readSignature(info, "pad", sig::f32("x"), sig::shape("shape"), sig::shape("padsBefore"), sig::shape("padsAfter"), sig::out("out"));
  perAxis(args, before, "padsBefore", shape), perAxis(args, after, "padsAfter", shape);
  args.expect(x, Count{sizeOf(shape), "shape " + shapeText(shape)});
  std::vector<i64> outShape(shape.size());
  i64 total = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    outShape[d] = shape[d] + before[d] + after[d];
    total = args.product({total, outShape[d]}, "the padded output");
  }
  args.expect(out, Count{total, "padded shape " + shapeText(outShape)});
  pad(x.data, shape, before, after, out.data);
  return info.Env().Undefined();
}

// slice(x, shape, begin, size, out)
Napi::Value Slice(const Napi::CallbackInfo& info) {
  const auto [args, x, shape, begin, size, out] =
      readSignature(info, "slice", sig::f32("x"), sig::shape("shape"), sig::shape("begin"), sig::shape("size"), sig::out("out"));
  perAxis(args, begin, "begin", shape), perAxis(args, size, "size", shape);
  args.expect(x, Count{sizeOf(shape), "shape " + shapeText(shape)});
  for (size_t d = 0; d < shape.size(); ++d)
    if (begin[d] + size[d] > shape[d])
      args.fail("the box at begin " + shapeText(begin) + " of size " + shapeText(size) + " does not fit shape " +
                shapeText(shape) + " (axis " + s(static_cast<i64>(d)) + ")");
  args.expect(out, Count{sizeOf(size), "size " + shapeText(size)});
  slice(x.data, shape, begin, size, out.data);
  return info.Env().Undefined();
}

// concat(xs, shapes, axis, out)
Napi::Value Concat(const Napi::CallbackInfo& info) {
  const auto [args, xsArray, shapesArray, axis, out] =
      readSignature(info, "concat", sig::floats("xs"), sig::shapes("shapes"), sig::size("axis"), sig::out("out"));
  const uint32_t parts = xsArray.Length();
  if (parts == 0) args.fail("expected at least one tensor, received none");
  if (shapesArray.Length() != parts)
    args.fail("xs has " + s(parts) + " tensors but shapes has " + s(shapesArray.Length()) + " entries");
  std::vector<const float*> xs;
  std::vector<std::vector<i64>> shapes;
  i64 axisTotal = 0;
  for (uint32_t p = 0; p < parts; ++p) {
    const std::string name = "xs[" + s(p) + "]";
    const Napi::Value v = xsArray.Get(p);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      args.fail(name + " must be a Float32Array");
    const Napi::Float32Array a = v.As<Napi::Float32Array>();
    const Napi::Value sv = shapesArray.Get(p);
    if (!sv.IsArray()) args.fail("shapes[" + s(p) + "] must be an array of sizes");
    std::vector<i64> shape;
    const Napi::Array sa = sv.As<Napi::Array>();
    for (uint32_t d = 0; d < sa.Length(); ++d) {
      const Napi::Value e = sa.Get(d);
      const double dv = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : -1;
      if (!(dv >= 0) || dv != static_cast<double>(static_cast<i64>(dv)) || dv > static_cast<double>(kMaxElements))
        args.fail("shapes[" + s(p) + "][" + s(d) + "] must be a non-negative integer");
      shape.push_back(static_cast<i64>(dv));
    }
    if (axis >= static_cast<i64>(shape.size()))
      args.fail("axis " + s(axis) + " is out of range for shapes[" + s(p) + "] " + shapeText(shape));
    i64 n = 1;
    for (i64 d : shape) n = args.product({n, d}, name.c_str());
    if (static_cast<i64>(a.ElementLength()) != n)
      args.fail(name + " has " + s(static_cast<i64>(a.ElementLength())) + " elements, expected shape " + shapeText(shape) +
                " = " + s(n));
    if (p > 0) {
      bool fits = shape.size() == shapes[0].size();
      for (size_t d = 0; fits && d < shape.size(); ++d) fits = static_cast<i64>(d) == axis || shape[d] == shapes[0][d];
      if (!fits)
        args.fail("shapes[" + s(p) + "] " + shapeText(shape) + " does not match shapes[0] " + shapeText(shapes[0]) +
                  " on every axis but " + s(axis));
    }
    axisTotal += shape[axis];
    if (axisTotal > kMaxElements) args.fail("the joined output describes more than 2^46 elements");
    const View<const float> part{n > 0 ? a.Data() : nullptr, n};
    args.expectDistinct(out, "out", part, name.c_str());
    xs.push_back(part.data);
    shapes.push_back(shape);
  }
  std::vector<i64> outShape = shapes[0];
  outShape[axis] = axisTotal;
  i64 total = 1;
  for (i64 d : outShape) total = args.product({total, d}, "the joined output");
  args.expect(out, Count{total, "joined shape " + shapeText(outShape)});
  concat(xs, shapes, axis, out.data);
  return info.Env().Undefined();
}

}  // namespace

CK_EXPORT_KERNEL("pad", Pad);
CK_EXPORT_KERNEL("slice", Slice);
CK_EXPORT_KERNEL("concat", Concat);

}  // namespace ck
