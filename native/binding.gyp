# Builds native/build/Release/convkit.node (run node-gyp with cwd native/; the repository's
# root build/ is the TypeScript output). AVX2+FMA and AVX-512 code is compiled in separate
# static libraries with their own -m flags; the rest targets the baseline ISA, and isa.cc picks
# the kernels at load time, so the binary runs on any x86-64 CPU. No -march=native.
{
  "variables": {
    "ck_common_cflags": ["-O3", "-fno-math-errno", "-fPIC"]
  },
  "targets": [
    {
      "target_name": "convkit",
      "sources": [
        "src/addon.cc",
        "src/args.cc",
        "src/bind_linalg.cc",
        "src/bind_pool.cc",
        "src/bind_elementwise.cc",
        "src/bind_layout.cc",
        "src/bind_norm.cc",
        "src/bind_conv_pool.cc",
        "src/geom_args.cc",
        "src/threadpool.cc",
        "src/isa.cc",
        "src/gemm.cc",
        "src/gemm_portable.cc",
        "src/conv.cc",
        "src/conv_direct.cc",
        "src/conv_direct_filter.cc",
        "src/conv_pool.cc",
        "src/conv_winograd.cc",
        "src/conv_winograd_filter.cc",
        "src/pool.cc",
        "src/elementwise.cc",
        "src/reduce.cc",
        "src/softmax.cc",
        "src/optim.cc",
        "src/norm.cc",
        "src/layout.cc",
        "src/depthwise.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags": ["<@(ck_common_cflags)"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CFLAGS": ["-O3", "-fno-math-errno"]
      },
      "msvs_settings": {"VCCLCompilerTool": {"ExceptionHandling": 1}},
      "conditions": [
        ["target_arch=='x64' and OS!='win'", {
          "defines": ["CK_HAVE_AVX2", "CK_HAVE_AVX512"],
          "dependencies": ["convkit_avx2", "convkit_avx512"]
        }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64' and OS!='win'", {
      "targets": [
        {
          "target_name": "convkit_avx2",
          "type": "static_library",
          "sources": ["src/gemm_avx2.cc", "src/conv_avx2.cc", "src/conv_winograd_avx2.cc", "src/simd_avx2.cc"],
          "cflags": ["<@(ck_common_cflags)", "-mavx2", "-mfma"],
          "cflags_cc": ["-std=c++17"],
          "xcode_settings": {"OTHER_CFLAGS": ["-O3", "-mavx2", "-mfma"]}
        },
        {
          "target_name": "convkit_avx512",
          "type": "static_library",
          "sources": ["src/gemm_avx512.cc", "src/conv_avx512.cc", "src/conv_winograd_avx512.cc", "src/simd_avx512.cc"],
          "cflags": ["<@(ck_common_cflags)", "-mavx512f", "-mavx2", "-mfma", "-Wno-maybe-uninitialized"],
          "cflags_cc": ["-std=c++17"],
          "xcode_settings": {"OTHER_CFLAGS": ["-O3", "-mavx512f", "-mavx2", "-mfma"]}
        }
      ]
    }]
  ]
}
