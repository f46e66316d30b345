// The one integer type for sizes and indices: 64-bit on every platform (unlike `long`, which
// is 32-bit on Windows). No includes, so the AVX translation units can use it safely.
#pragma once

namespace ck {
using i64 = long long;
}  // namespace ck
