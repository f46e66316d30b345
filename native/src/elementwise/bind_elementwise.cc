// JavaScript bindings of the elementwise, reduction, layout, softmax and dropout-mask kernels.
#include <cstring>
#include <string>

#include "bindings.h"
#include "elementwise.h"
#include "reduce.h"
#include "signature.h"

namespace ck {
namespace {

std::string s(i64 v) { return std::to_string(v); }

// unary(op, x) → out
Napi::Value Unary(const Napi::CallbackInfo& info) {
  const auto [args, name, x, out] = readSignature(info, "unary", sig::oneOf("op"), sig::f32("x"), sig::out("out"));
  UnaryOp op;
  if (!parseUnaryOp(name, &op)) args.fail("unknown op '" + name + "'");
  args.expect(out, Count{x.length, "x.length"});
  unary(op, x.data, out.data, x.length);
  return info.Env().Undefined();
}

// reluBackward(dy, y, dx)
Napi::Value ReluBackward(const Napi::CallbackInfo& info) {
  const auto [args, dy, y, dx] = readSignature(info, "reluBackward", sig::f32("dy"), sig::f32("y"), sig::out("dx"));
  const Count n{dy.length, "dy.length"};
  args.expect(y, n), args.expect(dx, n);
  reluBackward(dy.data, y.data, dx.data, dy.length);
  return info.Env().Undefined();
}

// relu6Backward(dy, y, dx)
Napi::Value Relu6Backward(const Napi::CallbackInfo& info) {
  const auto [args, dy, y, dx] = readSignature(info, "relu6Backward", sig::f32("dy"), sig::f32("y"), sig::out("dx"));
  const Count n{dy.length, "dy.length"};
  args.expect(y, n), args.expect(dx, n);
  relu6Backward(dy.data, y.data, dx.data, dy.length);
  return info.Env().Undefined();
}

// binary(op, a, aShape, b, bShape, outShape, out)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  const auto [args, name, a, aShape, b, bShape, outShape, out] = readSignature(
      info, "binary", sig::oneOf("op"), sig::f32("a"), sig::shape("aShape"), sig::f32("b"), sig::shape("bShape"), sig::shape("outShape"),
      sig::out("out"));
  BinaryOp op;
  if (!parseBinaryOp(name, &op)) args.fail("unknown op '" + name + "'");
  args.expect(a, Count{sizeOf(aShape), "aShape " + shapeText(aShape)});
  args.expect(b, Count{sizeOf(bShape), "bShape " + shapeText(bShape)});
  args.expect(out, Count{sizeOf(outShape), "outShape " + shapeText(outShape)});
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
  binary(op, a.data, aShape, b.data, bShape, outShape, out.data);
  return info.Env().Undefined();
}

// Checks that axes are sorted, unique and inside [0, rank).
void checkAxes(const Args& args, const std::vector<i64>& axes, size_t rank) {
  for (size_t j = 0; j < axes.size(); ++j) {
    if (axes[j] >= static_cast<i64>(rank))
      args.fail("axes[" + s(static_cast<i64>(j)) + "] = " + s(axes[j]) + " is out of range for rank " + s(static_cast<i64>(rank)));
    if (j > 0 && axes[j] <= axes[j - 1]) args.fail("axes must be sorted and unique, received " + shapeText(axes));
  }
}

// reduce(op, x, shape, axes, out)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const auto [args, name, x, shape, axes, out] =
      readSignature(info, "reduce", sig::oneOf("op"), sig::f32("x"), sig::shape("shape"), sig::shape("axes"), sig::out("out"));
  ReduceOp op;
  if (!parseReduceOp(name, &op)) args.fail("unknown op '" + name + "'");
  checkAxes(args, axes, shape.size());
  args.expect(x, Count{sizeOf(shape), "shape " + shapeText(shape)});
  std::vector<i64> kept;
  for (size_t d = 0, j = 0; d < shape.size(); ++d) {
    if (j < axes.size() && axes[j] == static_cast<i64>(d)) ++j;
    else kept.push_back(shape[d]);
  }
  args.expect(out, Count{sizeOf(kept), "kept shape " + shapeText(kept)});
  reduce(op, x.data, shape, axes, out.data);
  return info.Env().Undefined();
}

// argMax(x, shape, axis, out)
Napi::Value ArgMax(const Napi::CallbackInfo& info) {
  const auto [args, x, shape, axis, out] =
      readSignature(info, "argMax", sig::f32("x"), sig::shape("shape"), sig::size("axis"), sig::outI32("out"));
  if (axis >= static_cast<i64>(shape.size())) args.fail("axis " + s(axis) + " is out of range for shape " + shapeText(shape));
  args.expect(x, Count{sizeOf(shape), "shape " + shapeText(shape)});
  if (shape[axis] > 2147483647LL) args.fail("shape[axis] does not fit an Int32Array index");
  i64 rest = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    if (static_cast<i64>(d) != axis) rest *= shape[d];
  args.expect(out, Count{rest, "shape without axis " + s(axis)});
  argMax(x.data, shape, axis, out.data);
  return info.Env().Undefined();
}

// transpose(x, shape, perm, out)
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  const auto [args, x, shape, perm, out] =
      readSignature(info, "transpose", sig::f32("x"), sig::shape("shape"), sig::shape("perm"), sig::out("out"));
  args.expect(x, Count{sizeOf(shape), "shape " + shapeText(shape)});
  if (perm.size() != shape.size())
    args.fail("perm " + shapeText(perm) + " has " + s(static_cast<i64>(perm.size())) + " axes, expected " + s(static_cast<i64>(shape.size())));
  std::vector<bool> seen(shape.size(), false);
  for (i64 p : perm) {
    if (p >= static_cast<i64>(shape.size()) || seen[p]) args.fail("perm " + shapeText(perm) + " is not a permutation of the axes");
    seen[p] = true;
  }
  args.expect(out, Count{x.length, "x.length"});
  transpose(x.data, shape, perm, out.data);
  return info.Env().Undefined();
}

// logSoftmax(x, rows, cols, out)
Napi::Value LogSoftmax(const Napi::CallbackInfo& info) {
  const auto [args, x, rows, cols, out] =
      readSignature(info, "logSoftmax", sig::f32("x"), sig::size("rows"), sig::size("cols"), sig::out("out"));
  const Count n{args.product({rows, cols}, "x"), "rows*cols = " + s(rows) + "*" + s(cols)};
  args.expect(x, n), args.expect(out, n);
  logSoftmax(x.data, out.data, rows, cols);
  return info.Env().Undefined();
}

// logSoftmaxBackward(dy, y, rows, cols, out)
Napi::Value LogSoftmaxBackward(const Napi::CallbackInfo& info) {
  const auto [args, dy, y, rows, cols, out] =
      readSignature(info, "logSoftmaxBackward", sig::f32("dy"), sig::f32("y"), sig::size("rows"), sig::size("cols"), sig::out("out"));
  const Count n{args.product({rows, cols}, "dy"), "rows*cols = " + s(rows) + "*" + s(cols)};
  args.expect(dy, n), args.expect(y, n), args.expect(out, n);
  logSoftmaxBackward(dy.data, y.data, out.data, rows, cols);
  return info.Env().Undefined();
}

// dropoutMask(out, state, rate, keep)
Napi::Value DropoutMask(const Napi::CallbackInfo& info) {
  const auto [args, out, state, rate, keep] =
      readSignature(info, "dropoutMask", sig::inPlace("out"), sig::inPlaceI32("state"), sig::number("rate"), sig::number("keep"));
  args.expect(state, Count{4, ""});
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
CK_EXPORT_KERNEL("relu6Backward", Relu6Backward);
CK_EXPORT_KERNEL("binary", Binary);
CK_EXPORT_KERNEL("reduce", Reduce);
CK_EXPORT_KERNEL("argMax", ArgMax);
CK_EXPORT_KERNEL("transpose", Transpose);
CK_EXPORT_KERNEL("logSoftmax", LogSoftmax);
CK_EXPORT_KERNEL("logSoftmaxBackward", LogSoftmaxBackward);
CK_EXPORT_KERNEL("dropoutMask", DropoutMask);

}  // namespace ck
