// Registration of the JavaScript-facing functions, one group per bindings file.
#pragma once

#include <napi.h>

namespace ck {

void registerLinalg(Napi::Env env, Napi::Object exports);    // bind_linalg.cc
void registerPool(Napi::Env env, Napi::Object exports);      // bind_pool.cc
void registerElementwise(Napi::Env env, Napi::Object exports);  // bind_elementwise.cc
void registerLayout(Napi::Env env, Napi::Object exports);    // bind_layout.cc
void registerNorm(Napi::Env env, Napi::Object exports);      // bind_norm.cc
void registerConvPool(Napi::Env env, Napi::Object exports);  // bind_conv_pool.cc

}  // namespace ck
