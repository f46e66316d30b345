// JavaScript bindings of the elementwise, reduction, layout, softmax and dropout-mask kernels.
#include <cstring>
#include <string>

#include "args.h"
#include "bindings.h"
#include "elementwise.h"
#include "reduce.h"

namespace ck {
namespace {

std::string s(i64 v) { return std::to_string(v); }

// unary(op, x, out)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Args args(info, "unary", 3);
  const std::string name = args.string(0, "op");
  UnaryOp op;
  if (!parseUnaryOp(name, &op)) args.fail("unknown op '" + name + "'");
  const View<float> x = args.f32(1, "x"), out = args.f32(2, "out");
  args.expectLength(out, "out", x.length, "x.length");
  args.distinct({{out, "out"}}, {{x, "x"}});
  unary(op, x.data, out.data, x.length);
  return info.Env().Undefined();
}

// reluBackward(dy, y, dx)
Napi::Value ReluBackward(const Napi::CallbackInfo& info) {
  Args args(info, "reluBackward", 3);
  const View<float> dy = args.f32(0, "dy"), y = args.f32(1, "y"), dx = args.f32(2, "dx");
  args.expectLength(y, "y", dy.length, "dy.length");
  args.expectLength(dx, "dx", dy.length, "dy.length");
  args.distinct({{dx, "dx"}}, {{dy, "dy"}, {y, "y"}});
  reluBackward(dy.data, y.data, dx.data, dy.length);
  return info.Env().Undefined();
}

// binary(op, a, aShape, b, bShape, outShape, out)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Args args(info, "binary", 7);
  const std::string name = args.string(0, "op");
  BinaryOp op;
  if (!parseBinaryOp(name, &op)) args.fail("unknown op '" + name + "'");
  const View<float> a = args.f32(1, "a"), b = args.f32(3, "b"), out = args.f32(6, "out");
  const std::vector<i64> aShape = args.shape(2, "aShape"), bShape = args.shape(4, "bShape");
  const std::vector<i64> outShape = args.shape(5, "outShape");
  args.expectLength(a, "a", sizeOf(aShape), "aShape " + shapeText(aShape));
  args.expectLength(b, "b", sizeOf(bShape), "bShape " + shapeText(bShape));
  args.expectLength(out, "out", sizeOf(outShape), "outShape " + shapeText(outShape));
  if (aShape.size() > outShape.size() || bShape.size() > outShape.size())
    args.fail("operand rank exceeds outShape " + shapeText(outShape) + "'s: aShape " + shapeText(aShape) +
              ", bShape " + shapeText(bShape));
  const size_t rank = outShape.size();
  for (size_t k = 0; k < rank; ++k) {
    const i64 o = outShape[rank - 1 - k];
    const i64 ad = k < aShape.size() ? aShape[aShape.size() - 1 - k] : 1;
    const i64 bd = k < bShape.size() ? bShape[bShape.size() - 1 - k] : 1;
    const i64 want = ad != 1 ? ad : bd;
    if ((ad != 1 && bd != 1 && ad != bd) || o != want)
      args.fail("shapes " + shapeText(aShape) + " and " + shapeText(bShape) + " do not broadcast to outShape " +
                shapeText(outShape) + " (axis " + s(static_cast<i64>(rank - 1 - k)) + ")");
  }
  args.distinct({{out, "out"}}, {{a, "a"}, {b, "b"}});
  binary(op, a.data, aShape, b.data, bShape, outShape, out.data);
  return info.Env().Undefined();
}

// Checks that axes are sorted, unique and inside [0, rank).
std::vector<i64> readAxes(const Args& args, size_t i, size_t rank) {
  const std::vector<i64> axes = args.shape(i, "axes");
  for (size_t j = 0; j < axes.size(); ++j) {
    if (axes[j] >= static_cast<i64>(rank))
      args.fail("axes[" + s(static_cast<i64>(j)) + "] = " + s(axes[j]) + " is out of range for rank " + s(static_cast<i64>(rank)));
    if (j > 0 && axes[j] <= axes[j - 1]) args.fail("axes must be sorted and unique, received " + shapeText(axes));
  }
  return axes;
}

// reduce(op, x, shape, axes, out)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Args args(info, "reduce", 5);
  const std::string name = args.string(0, "op");
  ReduceOp op;
  if (!parseReduceOp(name, &op)) args.fail("unknown op '" + name + "'");
  const View<float> x = args.f32(1, "x"), out = args.f32(4, "out");
  const std::vector<i64> shape = args.shape(2, "shape");
  const std::vector<i64> axes = readAxes(args, 3, shape.size());
  args.expectLength(x, "x", sizeOf(shape), "shape " + shapeText(shape));
  std::vector<i64> kept;
  for (size_t d = 0, j = 0; d < shape.size(); ++d) {
    if (j < axes.size() && axes[j] == static_cast<i64>(d)) ++j;
    else kept.push_back(shape[d]);
  }
  args.expectLength(out, "out", sizeOf(kept), "kept shape " + shapeText(kept));
  args.distinct({{out, "out"}}, {{x, "x"}});
  reduce(op, x.data, shape, axes, out.data);
  return info.Env().Undefined();
}

// argMax(x, shape, axis, out)
Napi::Value ArgMax(const Napi::CallbackInfo& info) {
  Args args(info, "argMax", 4);
  const View<float> x = args.f32(0, "x");
  const std::vector<i64> shape = args.shape(1, "shape");
  const i64 axis = args.size(2, "axis");
  const View<int32_t> out = args.i32(3, "out");
  if (axis >= static_cast<i64>(shape.size())) args.fail("axis " + s(axis) + " is out of range for shape " + shapeText(shape));
  args.expectLength(x, "x", sizeOf(shape), "shape " + shapeText(shape));
  if (shape[axis] > 2147483647LL) args.fail("shape[axis] does not fit an Int32Array index");
  i64 rest = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    if (static_cast<i64>(d) != axis) rest *= shape[d];
  args.expectLength(out, "out", rest, "shape without axis " + s(axis));
  args.distinct({{out, "out"}}, {{x, "x"}});
  argMax(x.data, shape, axis, out.data);
  return info.Env().Undefined();
}

// transpose(x, shape, perm, out)
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  Args args(info, "transpose", 4);
  const View<float> x = args.f32(0, "x"), out = args.f32(3, "out");
  const std::vector<i64> shape = args.shape(1, "shape");
  const std::vector<i64> perm = args.shape(2, "perm");
  args.expectLength(x, "x", sizeOf(shape), "shape " + shapeText(shape));
  if (perm.size() != shape.size())
    args.fail("perm " + shapeText(perm) + " has " + s(static_cast<i64>(perm.size())) + " axes, expected " + s(static_cast<i64>(shape.size())));
  std::vector<bool> seen(shape.size(), false);
  for (i64 p : perm) {
    if (p >= static_cast<i64>(shape.size()) || seen[p]) args.fail("perm " + shapeText(perm) + " is not a permutation of the axes");
    seen[p] = true;
  }
  args.expectLength(out, "out", x.length, "x.length");
  args.distinct({{out, "out"}}, {{x, "x"}});
  transpose(x.data, shape, perm, out.data);
  return info.Env().Undefined();
}

// logSoftmax(x, rows, cols, out)
Napi::Value LogSoftmax(const Napi::CallbackInfo& info) {
  Args args(info, "logSoftmax", 4);
  const View<float> x = args.f32(0, "x"), out = args.f32(3, "out");
  const i64 rows = args.size(1, "rows"), cols = args.size(2, "cols");
  const i64 n = args.product({rows, cols}, "x");
  args.expectLength(x, "x", n, "rows*cols = " + s(rows) + "*" + s(cols));
  args.expectLength(out, "out", n, "rows*cols = " + s(rows) + "*" + s(cols));
  args.distinct({{out, "out"}}, {{x, "x"}});
  logSoftmax(x.data, out.data, rows, cols);
  return info.Env().Undefined();
}

// logSoftmaxBackward(dy, y, rows, cols, out)
Napi::Value LogSoftmaxBackward(const Napi::CallbackInfo& info) {
  Args args(info, "logSoftmaxBackward", 5);
  const View<float> dy = args.f32(0, "dy"), y = args.f32(1, "y"), out = args.f32(4, "out");
  const i64 rows = args.size(2, "rows"), cols = args.size(3, "cols");
  const i64 n = args.product({rows, cols}, "dy");
  args.expectLength(dy, "dy", n, "rows*cols = " + s(rows) + "*" + s(cols));
  args.expectLength(y, "y", n, "rows*cols = " + s(rows) + "*" + s(cols));
  args.expectLength(out, "out", n, "rows*cols = " + s(rows) + "*" + s(cols));
  args.distinct({{out, "out"}}, {{dy, "dy"}, {y, "y"}});
  logSoftmaxBackward(dy.data, y.data, out.data, rows, cols);
  return info.Env().Undefined();
}

// dropoutMask(out, state, rate, keep)
Napi::Value DropoutMask(const Napi::CallbackInfo& info) {
  Args args(info, "dropoutMask", 4);
  const View<float> out = args.f32(0, "out");
  const View<int32_t> state = args.i32(1, "state");
  const double rate = args.number(2, "rate"), keep = args.number(3, "keep");
  args.expectLength(state, "state", 4, "");
  if (!(rate >= 0 && rate < 1)) args.fail("expected rate in [0, 1), received " + std::to_string(rate));
  uint32_t words[4];
  std::memcpy(words, state.data, sizeof(words));
  dropoutMask(out.data, out.length, words, rate, static_cast<float>(keep));
  std::memcpy(state.data, words, sizeof(words));
  return info.Env().Undefined();
}

}  // namespace

CK_EXPORT_KERNEL("unary", Unary);
CK_EXPORT_KERNEL("reluBackward", ReluBackward);
CK_EXPORT_KERNEL("binary", Binary);
CK_EXPORT_KERNEL("reduce", Reduce);
CK_EXPORT_KERNEL("argMax", ArgMax);
CK_EXPORT_KERNEL("transpose", Transpose);
CK_EXPORT_KERNEL("logSoftmax", LogSoftmax);
CK_EXPORT_KERNEL("logSoftmaxBackward", LogSoftmaxBackward);
CK_EXPORT_KERNEL("dropoutMask", DropoutMask);

}  // namespace ck
