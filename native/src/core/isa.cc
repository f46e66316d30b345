// Chooses the instruction set once at load time (see isa.h): one record per kernel family.
#include "isa.h"

#include "conv_direct.h"
#include "conv_winograd.h"
#include "depthwise_simd.h"
#include "simd.h"

#include <cstdio>
#include <cstdlib>

namespace ck {
namespace {

// Blocking: kc×nr B panels stay in L1 (48 KiB on Zen 4/5), mc×kc A blocks in L2, kc×nc in L3.
// Tuned on a 2-core AMD EPYC (Zen 5) VM; CONVKIT_GEMM_BLOCKING=mc,kc,nc overrides (see tuned()).
GemmIsa kPortable = {"portable", 6, 8, 96, 256, 2048, portable::micro, portable::pack};
#if defined(CK_HAVE_AVX2)
GemmIsa kAvx2 = {"avx2", 6, 16, 144, 256, 4080, avx2::micro, avx2::pack};
#endif
#if defined(CK_HAVE_AVX512)
GemmIsa kAvx512 = {"avx512", 12, 32, 144, 256, 4064, avx512::micro, avx2::pack};
#endif

const SimdIsa kSimdPortable = {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
#if defined(CK_HAVE_AVX2)
const ConvIsa kConvAvx2 = {avx2::kTileRows,      avx2::convForwardTile, avx2::convForwardSlide3, avx2::convFilterTile,
                           avx2::convFilterSlide3, avx2::winoInputRow,  avx2::winoOutputRow,     avx2::winoGradRow};
const SimdIsa kSimdAvx2 = {avx2::columnSums,  avx2::bnSums,          avx2::bnApply,
                           avx2::maxPoolRows, avx2::maxPoolBackwardImage, avx2::relu6Backward};
const DepthwiseIsa kDwAvx2 = {avx2::depthwiseForwardRows, avx2::depthwiseInputRows, avx2::depthwiseFilterRows};
#endif
#if defined(CK_HAVE_AVX512)
const ConvIsa kConvAvx512 = {avx512::kTileRows,      avx512::convForwardTile, avx512::convForwardSlide3,
                             avx512::convFilterTile, avx512::convFilterSlide3, avx512::winoInputRow,
                             avx512::winoOutputRow,  avx512::winoGradRow};
const SimdIsa kSimdAvx512 = {avx512::columnSums, avx512::bnSums, avx512::bnApply, avx512::maxPoolRows,
                             avx512::maxPoolBackwardImage, avx512::relu6Backward};
const DepthwiseIsa kDwAvx512 = {avx512::depthwiseForwardRows, avx512::depthwiseInputRows, avx512::depthwiseFilterRows};
#endif

bool hasAvx2() {
#if defined(CK_HAVE_AVX2)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

bool hasAvx512() {
#if defined(CK_HAVE_AVX512)
  __builtin_cpu_init();
  return hasAvx2() && __builtin_cpu_supports("avx512f");
#else
  return false;
#endif
}

const GemmIsa* best() {
#if defined(CK_HAVE_AVX512)
  if (hasAvx512()) return &kAvx512;
#endif
#if defined(CK_HAVE_AVX2)
  if (hasAvx2()) return &kAvx2;
#endif
  return &kPortable;
}

// The instruction set called `name`, or null if unknown or not supported by this CPU.
const GemmIsa* find(const std::string& name) {
  if (name == "auto") return best();
  if (name == "portable") return &kPortable;
#if defined(CK_HAVE_AVX2)
  if (name == "avx2" && hasAvx2()) return &kAvx2;
#endif
#if defined(CK_HAVE_AVX512)
  if (name == "avx512" && hasAvx512()) return &kAvx512;
#endif
  return nullptr;
}

// Applies CONVKIT_GEMM_BLOCKING=mc,kc,nc (rounded to the micro-tile) to `isa`, for tuning.
const GemmIsa* tuned(GemmIsa* isa) {
  const char* env = std::getenv("CONVKIT_GEMM_BLOCKING");
  i64 mc = 0, kc = 0, nc = 0;
  if (env != nullptr && std::sscanf(env, "%lld,%lld,%lld", &mc, &kc, &nc) == 3 && mc > 0 && kc > 0 &&
      nc > 0 && mc <= 4096 && kc <= 4096 && nc <= 65536) {
    isa->mc = static_cast<int>((mc + isa->mr - 1) / isa->mr * isa->mr);
    isa->kc = static_cast<int>(kc);
    isa->nc = static_cast<int>((nc + isa->nr - 1) / isa->nr * isa->nr);
  }
  return isa;
}

const GemmIsa* initial() {
  tuned(&kPortable);
#if defined(CK_HAVE_AVX2)
  tuned(&kAvx2);
#endif
#if defined(CK_HAVE_AVX512)
  tuned(&kAvx512);
#endif
  const char* env = std::getenv("CONVKIT_NATIVE_ISA");
  const GemmIsa* forced = env == nullptr ? nullptr : find(env);
  return forced != nullptr ? forced : best();  // unknown or unsupported: the best available
}

const GemmIsa* current = initial();

}  // namespace

const GemmIsa& gemmIsa() { return *current; }

const char* isaName() { return current->name; }

const ConvIsa* convIsa() {
#if defined(CK_HAVE_AVX512)
  if (current == &kAvx512) return &kConvAvx512;
#endif
#if defined(CK_HAVE_AVX2)
  if (current == &kAvx2) return &kConvAvx2;
#endif
  return nullptr;
}

const SimdIsa& simdIsa() {
#if defined(CK_HAVE_AVX512)
  if (current == &kAvx512) return kSimdAvx512;
#endif
#if defined(CK_HAVE_AVX2)
  if (current == &kAvx2) return kSimdAvx2;
#endif
  return kSimdPortable;
}

const DepthwiseIsa* depthwiseIsa() {
#if defined(CK_HAVE_AVX512)
  if (current == &kAvx512) return &kDwAvx512;
#endif
#if defined(CK_HAVE_AVX2)
  if (current == &kAvx2) return &kDwAvx2;
#endif
  return nullptr;
}

bool selectIsa(const std::string& name) {
  const GemmIsa* isa = find(name);
  if (isa == nullptr) return false;
  current = isa;
  return true;
}

std::vector<std::string> cpuFeatures() {
  std::vector<std::string> out;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("sse2")) out.push_back("sse2");
  if (__builtin_cpu_supports("sse4.2")) out.push_back("sse4.2");
  if (__builtin_cpu_supports("avx")) out.push_back("avx");
  if (__builtin_cpu_supports("avx2")) out.push_back("avx2");
  if (__builtin_cpu_supports("fma")) out.push_back("fma");
  if (__builtin_cpu_supports("avx512f")) out.push_back("avx512f");
#endif
  return out;
}

}  // namespace ck
