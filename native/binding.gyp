# Builds native/build/Release/convkit.node (run node-gyp with cwd native/; the repository's
# root build/ is the TypeScript output). Sources are picked by suffix from src/ (any depth):
# *_avx2.cc and *_avx512.cc go to static libraries compiled with their own -m flags, every other
# .cc targets the baseline ISA, and isa.cc picks the kernels at load time, so the binary runs on
# any x86-64 CPU. No -march=native. A new .cc file needs no change here. Every folder of src/ (one
# per kernel family) is on the include path, so headers are included by name.
{
  "variables": {
    "ck_common_cflags": ["-O3", "-fno-math-errno", "-fPIC"],
    "ck_include_dirs": ["src", "<!@(node -p \"require('fs').readdirSync('src', {withFileTypes: true}).filter((d) => d.isDirectory()).map((d) => 'src/' + d.name).sort().join(' ')\")"]
  },
  "targets": [
    {
      "target_name": "convkit",
      "sources": ["<!@(node -p \"require('fs').readdirSync('src', {recursive: true}).filter((f) => f.endsWith('.cc') && !f.endsWith('_avx2.cc') && !f.endsWith('_avx512.cc')).sort().map((f) => 'src/' + f).join(' ')\")"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "<@(ck_include_dirs)"],
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
          "include_dirs": ["<@(ck_include_dirs)"],
          "sources": ["<!@(node -p \"require('fs').readdirSync('src', {recursive: true}).filter((f) => f.endsWith('_avx2.cc')).sort().map((f) => 'src/' + f).join(' ')\")"],
          "cflags": ["<@(ck_common_cflags)", "-mavx2", "-mfma"],
          "cflags_cc": ["-std=c++17"],
          "xcode_settings": {"OTHER_CFLAGS": ["-O3", "-mavx2", "-mfma"]}
        },
        {
          "target_name": "convkit_avx512",
          "type": "static_library",
          "include_dirs": ["<@(ck_include_dirs)"],
          "sources": ["<!@(node -p \"require('fs').readdirSync('src', {recursive: true}).filter((f) => f.endsWith('_avx512.cc')).sort().map((f) => 'src/' + f).join(' ')\")"],
          "cflags": ["<@(ck_common_cflags)", "-mavx512f", "-mavx2", "-mfma", "-Wno-maybe-uninitialized"],
          "cflags_cc": ["-std=c++17"],
          "xcode_settings": {"OTHER_CFLAGS": ["-O3", "-mavx512f", "-mavx2", "-mfma"]}
        }
      ]
    }]
  ]
}
