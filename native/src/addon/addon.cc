// Entry point of the convkit.node addon: exports every kernel of the table (bindings.h) plus
// `info`, `setIsa` and `freeBuffer`.
//
// Calling convention (see src/backends/native.ts): outputs are allocated in JavaScript and
// passed last; each function checks every argument, fills the outputs and returns undefined.
#include <napi.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <cstdlib>
#include <cstring>

#include "bindings.h"
#include "isa.h"
#include "threadpool.h"

namespace ck {

namespace {
std::vector<std::pair<const char*, Binding>>& kernelTable() {
  static std::vector<std::pair<const char*, Binding>> table;  // built before main, read at Init
  return table;
}
}  // namespace

ExportKernel::ExportKernel(const char* name, Binding fn) { kernelTable().emplace_back(name, fn); }

const std::vector<std::pair<const char*, Binding>>& exportedKernels() { return kernelTable(); }

namespace {

// info() → { isa, threads, cpuFeatures }
Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("isa", isaName());
  out.Set("threads", poolThreads());
  Napi::Array features = Napi::Array::New(env);
  uint32_t i = 0;
  for (const std::string& f : cpuFeatures()) features.Set(i++, f);
  out.Set("cpuFeatures", features);
  return out;
}

// setIsa(name) → boolean: selects "portable", "avx2", "avx512" or "auto" (for tests).
Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  if (info.Length() != 1 || !info[0].IsString())
    throw Napi::Error::New(info.Env(), "setIsa: expected one string argument");
  return Napi::Boolean::New(info.Env(), selectIsa(info[0].As<Napi::String>().Utf8Value()));
}

// freeBuffer(arrayBuffer) → boolean: detaches the ArrayBuffer, so its memory goes back to the
// system now rather than at the next garbage collection (the buffer pool drops activations of
// hundreds of MB this way; V8 frees a detached buffer's unshared backing store at once). Views of
// it read as empty afterwards. False when the buffer cannot be detached (e.g. a WebAssembly memory).
Napi::Value FreeBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsArrayBuffer())
    throw Napi::TypeError::New(env, "freeBuffer: expected one ArrayBuffer argument");
  return Napi::Boolean::New(env, napi_detach_arraybuffer(env, info[0]) == napi_ok);
}

}  // namespace

// Keeps freed kernel outputs inside the process. Training allocates the same large outputs
// (a 17 MB conv activation at batch 200) every step; by default glibc maps each block over
// 128 KB-32 MB freshly and trims the heap top, so every step re-faults (and the kernel zeroes)
// the same memory, which costs more than the convolution itself. CONVKIT_NATIVE_MALLOC=default
// leaves glibc's settings alone.
void tuneMalloc() {
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
  const char* env = std::getenv("CONVKIT_NATIVE_MALLOC");
  if (env != nullptr && std::strcmp(env, "default") == 0) return;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // the most glibc accepts on 64-bit
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  static const bool tuned = (tuneMalloc(), true);
  (void)tuned;
  for (const auto& [name, fn] : exportedKernels()) exports.Set(name, Napi::Function::New(env, fn, name));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa, "setIsa"));
  exports.Set("freeBuffer", Napi::Function::New(env, FreeBuffer, "freeBuffer"));
  return exports;
}

}  // namespace ck

static Napi::Object InitConvkit(Napi::Env env, Napi::Object exports) { return ck::Init(env, exports); }

NODE_API_MODULE(convkit, InitConvkit)
