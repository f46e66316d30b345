// The addon's kernel table: each bind_*.cc (and any kernel file with its own binding) adds its
// functions with CK_EXPORT_KERNEL at static initialisation, and addon.cc exports them all. The
// names must be exactly the kernel names of KERNEL_SPECS in src/backends/kernels.ts (a test checks).
#pragma once

#include <napi.h>

#include <utility>
#include <vector>

namespace ck {

using Binding = Napi::Value (*)(const Napi::CallbackInfo&);

/** Records a binding under its JavaScript name (use CK_EXPORT_KERNEL). */
struct ExportKernel {
  ExportKernel(const char* name, Binding fn);
};

/** Every recorded binding, in registration order. */
const std::vector<std::pair<const char*, Binding>>& exportedKernels();

}  // namespace ck

#define CK_EXPORT_KERNEL(name, fn) static const ::ck::ExportKernel ck_export_##fn(name, fn)
