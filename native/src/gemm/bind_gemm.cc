// JavaScript binding of matmul: check, then compute into the output the caller allocated.
#include <string>

#include "args.h"
#include "bindings.h"
#include "gemm.h"

namespace ck {
namespace {

std::string s(i64 v) { return std::to_string(v); }

// matmul(a, b, m, k, n, transA, transB, bias | null, activation, out)
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  Args args(info, "matmul", 10);
  const View<float> a = args.f32(0, "a"), b = args.f32(1, "b");
  const i64 m = args.size(2, "m"), k = args.size(3, "k"), n = args.size(4, "n");
  const bool transA = args.boolean(5, "transA"), transB = args.boolean(6, "transB");
  const View<float> bias = args.f32OrNull(7, "bias");
  const bool relu = args.activation(8);
  const View<float> out = args.f32(9, "out");
  args.expectLength(a, "a", args.product({m, k}, "a"), (transA ? "k*m = " + s(k) + "*" + s(m) : "m*k = " + s(m) + "*" + s(k)));
  args.expectLength(b, "b", args.product({k, n}, "b"), (transB ? "n*k = " + s(n) + "*" + s(k) : "k*n = " + s(k) + "*" + s(n)));
  if (!info[7].IsNull() && !info[7].IsUndefined()) args.expectLength(bias, "bias", n, "n");
  args.expectLength(out, "out", args.product({m, n}, "out"), "m*n = " + s(m) + "*" + s(n));
  args.distinct({{out, "out"}}, {{a, "a"}, {b, "b"}, {bias, "bias"}});
  GemmParams p;
  p.m = m;
  p.n = n;
  p.k = k;
  p.a = matrixView(a.data, m, k, transA);
  p.bt = matrixView(b.data, n, k, !transB);  // bt[j][p] is b[p*n + j], or b[j*k + p] if transB
  p.c = out.data;
  p.ldc = n;
  p.bias = bias.data;
  p.relu = relu;
  gemm(p);
  return info.Env().Undefined();
}

}  // namespace

CK_EXPORT_KERNEL("matmul", Matmul);

}  // namespace ck
