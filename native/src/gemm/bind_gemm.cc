// JavaScript binding of matmul: read the spec's signature, check the sizes, then compute into the
// output the caller allocated.
#include <string>

#include "bindings.h"
#include "gemm.h"
#include "signature.h"

namespace ck {
namespace {

std::string s(i64 v) { return std::to_string(v); }

// matmul(a, b, m, k, n, transA, transB, bias | null, activation) → out
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  const auto [args, a, b, m, k, n, transA, transB, bias, relu, out] =
      readSignature(info, "matmul", sig::f32("a"), sig::f32("b"), sig::size("m"), sig::size("k"), sig::size("n"), sig::boolean("transA"),
                    sig::boolean("transB"), sig::f32OrNull("bias"), sig::activation(), sig::out("out"));
  args.expect(a, Count{args.product({m, k}, "a"), transA ? "k*m = " + s(k) + "*" + s(m) : "m*k = " + s(m) + "*" + s(k)});
  args.expect(b, Count{args.product({k, n}, "b"), transB ? "n*k = " + s(n) + "*" + s(k) : "k*n = " + s(k) + "*" + s(n)});
  args.expect(bias, Count{n, "n"});
  args.expect(out, Count{args.product({m, n}, "out"), "m*n = " + s(m) + "*" + s(n)});
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
