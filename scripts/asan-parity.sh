#!/usr/bin/env bash
# Builds the native addon with AddressSanitizer into a scratch directory (never native/build)
# and runs the native parity and error suites against it through CONVKIT_NATIVE_ADDON, with
# libasan preloaded into node. Any out-of-bounds access, use-after-free or double free aborts
# the run with ASan's report; exit status 0 means the suites passed clean.
#
# Usage: scripts/asan-parity.sh            (after `npx tsc -p tsconfig.json`)
#   CONVKIT_ASAN_DIR=/path   where to build (default ${TMPDIR:-/tmp}/convkit-asan)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="${CONVKIT_ASAN_DIR:-${TMPDIR:-/tmp}/convkit-asan}"
node_bin="$(command -v node)"
prefix="$(dirname "$(dirname "$node_bin")")"
gyp="${npm_config_node_gyp:-$prefix/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js}"
libasan="$(${CXX:-g++} -print-file-name=libasan.so)"

[ -f "$gyp" ] || { echo "asan-parity: node-gyp not found at $gyp" >&2; exit 2; }
[ -f "$libasan" ] || { echo "asan-parity: libasan.so not found (install the compiler's ASan runtime)" >&2; exit 2; }
[ -f "$root/build/test/backends/native-parity.test.js" ] || { echo "asan-parity: run 'npx tsc -p tsconfig.json' first" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$work"
cp -r "$root/native/binding.gyp" "$root/native/src" "$work/"
nodedir=()
[ -f "$prefix/include/node/common.gypi" ] && nodedir=(--nodedir="$prefix")

echo "asan-parity: building in $work"
(
  cd "$work"
  # binding.gyp finds node-addon-api with require(); point it at the project's node_modules.
  NODE_PATH="$root/node_modules" \
  CFLAGS="-fsanitize=address -fno-omit-frame-pointer -g" \
  CXXFLAGS="-fsanitize=address -fno-omit-frame-pointer -g" \
  LDFLAGS="-fsanitize=address" \
    "$node_bin" "$gyp" rebuild -j 2 "${nodedir[@]}" >"$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log"; exit 1; }
)
addon="$work/build/Release/convkit.node"
nm -D "$addon" | grep __asan_report_load4 >/dev/null || { echo "asan-parity: $addon is not instrumented" >&2; exit 1; }

echo "asan-parity: running the native suites under ASan"
cd "$root"
# detect_leaks=0: V8 and node keep allocations alive until exit by design.
CONVKIT_NATIVE_ADDON="$addon" \
LD_PRELOAD="$libasan" \
ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}" \
  "$node_bin" --test --test-reporter=spec \
    build/test/backends/native-parity.test.js build/test/backends/native-parity-conv.test.js \
    build/test/backends/native-parity-deeper.test.js build/test/backends/native-errors.test.js \
    build/test/backends/update-kernels.test.js build/test/backends/native-isa-agreement.test.js \
    build/test/backends/native-addon.test.js build/test/backends/native-signature.test.js build/test/ops/up-sample2d.test.js
echo "asan-parity: clean"
