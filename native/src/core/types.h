// The one integer type for sizes and indices: 64-bit on every platform (unlike `long`, which
// is 32-bit on Windows). No includes, so the AVX translation units can use it safely.
#pragma once

namespace ck {
using i64 = long long;

/**
 * The activation a kernel's epilogue applies (kernels.ts's EpilogueActivation): none, relu, or
 * relu6 = min(max(·, 0), 6).
 */
enum class EpilogueActivation : int { Linear, Relu, Relu6 };
}  // namespace ck
