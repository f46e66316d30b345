// Argument checks at the JavaScript boundary (see args.h).
#include "args.h"

#include <cmath>
#include <cstdio>

namespace ck {
namespace {

const char* typeName(const Napi::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsUndefined()) return "undefined";
  if (v.IsTypedArray()) {
    switch (v.As<Napi::TypedArray>().TypedArrayType()) {
      case napi_float32_array: return "Float32Array";
      case napi_float64_array: return "Float64Array";
      case napi_int32_array: return "Int32Array";
      default: return "another typed array";
    }
  }
  if (v.IsArray()) return "an array";
  if (v.IsNumber()) return "a number";
  if (v.IsString()) return "a string";
  if (v.IsBoolean()) return "a boolean";
  return "an object";
}

std::string numberText(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

}  // namespace

Args::Args(const Napi::CallbackInfo& info, const char* kernel, size_t count)
    : info_(info), kernel_(kernel) {
  if (info.Length() != count)
    fail("expected " + std::to_string(count) + " arguments, received " +
         std::to_string(info.Length()));
}

void Args::fail(const std::string& message) const {
  throw Napi::Error::New(info_.Env(), std::string(kernel_) + ": " + message);
}

View<float> Args::f32(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    fail(std::string(name) + " must be a Float32Array, received " + typeName(v));
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  const i64 n = static_cast<i64>(a.ElementLength());
  return View<float>{n > 0 ? a.Data() : nullptr, n, name};
}

View<float> Args::f32OrNull(size_t i, const char* name) const {
  if (info_[i].IsNull() || info_[i].IsUndefined()) return View<float>{nullptr, 0, name, false};
  return f32(i, name);
}

View<int32_t> Args::i32(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    fail(std::string(name) + " must be an Int32Array, received " + typeName(v));
  Napi::Int32Array a = v.As<Napi::Int32Array>();
  const i64 n = static_cast<i64>(a.ElementLength());
  return View<int32_t>{n > 0 ? a.Data() : nullptr, n, name};
}

i64 Args::size(size_t i, const char* name) const {
  const double v = number(i, name);
  if (!(v >= 0) || v != std::floor(v) || v > static_cast<double>(kMaxElements))
    fail(std::string(name) + " must be a non-negative integer, received " + numberText(v));
  return static_cast<i64>(v);
}

double Args::number(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsNumber()) fail(std::string(name) + " must be a number, received " + typeName(v));
  return v.As<Napi::Number>().DoubleValue();
}

bool Args::boolean(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsBoolean()) fail(std::string(name) + " must be a boolean, received " + typeName(v));
  return v.As<Napi::Boolean>().Value();
}

std::string Args::string(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsString()) fail(std::string(name) + " must be a string, received " + typeName(v));
  return v.As<Napi::String>().Utf8Value();
}

std::vector<i64> Args::shape(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsArray()) fail(std::string(name) + " must be an array of sizes, received " + typeName(v));
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() > 64) fail(std::string(name) + " has rank " + std::to_string(a.Length()) + ", at most 64 supported");
  std::vector<i64> out;
  i64 total = 1;
  for (uint32_t d = 0; d < a.Length(); ++d) {
    Napi::Value e = a.Get(d);
    const double x = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : -1;
    if (!e.IsNumber() || !(x >= 0) || x != std::floor(x) || x > static_cast<double>(kMaxElements))
      fail(std::string(name) + "[" + std::to_string(d) + "] must be a non-negative integer, received " +
           (e.IsNumber() ? numberText(x) : typeName(e)));
    out.push_back(static_cast<i64>(x));
    if (x > 0 && total > kMaxElements / static_cast<i64>(x))
      fail(std::string(name) + " describes more than 2^46 elements");
    total *= static_cast<i64>(x);
  }
  return out;
}

Napi::Object Args::object(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsObject() || v.IsArray() || v.IsTypedArray())
    fail(std::string(name) + " must be an object, received " + typeName(v));
  return v.As<Napi::Object>();
}

Napi::Array Args::array(size_t i, const char* name, const char* what) const {
  Napi::Value v = info_[i];
  if (!v.IsArray()) fail(std::string(name) + " must be an array of " + what + ", received " + typeName(v));
  return v.As<Napi::Array>();
}

i64 Args::field(const Napi::Object& obj, const char* objName, const char* field, i64 min) const {
  Napi::Value v = obj.Get(field);
  const double x = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!v.IsNumber() || x != std::floor(x) || !(x >= static_cast<double>(min)) || x > 2147483647.0)
    fail(std::string(objName) + "." + field + " must be an integer in [" + std::to_string(min) +
         ", 2^31), received " + (v.IsNumber() ? numberText(x) : typeName(v)));
  return static_cast<i64>(x);
}

double Args::numberField(const Napi::Object& obj, const char* objName, const char* field) const {
  Napi::Value v = obj.Get(field);
  if (!v.IsNumber() || !std::isfinite(v.As<Napi::Number>().DoubleValue()))
    fail(std::string(objName) + "." + field + " must be a finite number, received " +
         (v.IsNumber() ? numberText(v.As<Napi::Number>().DoubleValue()) : typeName(v)));
  return v.As<Napi::Number>().DoubleValue();
}

std::string shapeText(const std::vector<i64>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? "," : "") + std::to_string(shape[i]);
  return out + "]";
}

i64 sizeOf(const std::vector<i64>& shape) {
  i64 n = 1;
  for (i64 d : shape) n *= d;
  return n;
}

i64 Args::product(std::initializer_list<i64> factors, const char* what) const {
  i64 total = 1;
  for (i64 f : factors) {
    if (f < 0) fail(std::string(what) + " has a negative size");
    if (f > 0 && total > kMaxElements / f) fail(std::string(what) + " describes more than 2^46 elements");
    total *= f;
  }
  return total;
}

bool Args::activation(size_t i) const {
  Napi::Value v = info_[i];
  const std::string name = v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
  if (name == "linear") return false;
  if (name == "relu") return true;
  fail(std::string("activation must be 'linear' or 'relu', received ") +
       (v.IsString() ? "'" + name + "'" : typeName(v)));
}

EpilogueActivation Args::epilogueActivation(size_t i, const char* name) const {
  const std::string v = string(i, name);
  if (v == "linear") return EpilogueActivation::Linear;
  if (v == "relu") return EpilogueActivation::Relu;
  if (v == "relu6") return EpilogueActivation::Relu6;
  fail(std::string(name) + " must be 'linear', 'relu' or 'relu6', received '" + v + "'");
}

void Args::lengths(std::initializer_list<Named> views, i64 expected, const std::string& formula) const {
  for (const Named& v : views)
    if (v.length != expected)
      fail(std::string(v.name) + " has " + std::to_string(v.length) + " elements, expected " +
           (formula.empty() ? "" : formula + " = ") + std::to_string(expected));
}

namespace {
bool overlap(const Named& a, const Named& b) {
  if (a.length == 0 || b.length == 0 || a.bytes == nullptr || b.bytes == nullptr) return false;
  return a.bytes < b.bytes + b.length * b.elementSize && b.bytes < a.bytes + a.length * a.elementSize;
}
}  // namespace

void Args::distinct(std::initializer_list<Named> written, std::initializer_list<Named> read) const {
  distinct(std::vector<Named>(written), std::vector<Named>(read));
}

void Args::distinct(const std::vector<Named>& written, const std::vector<Named>& read) const {
  for (auto w = written.begin(); w != written.end(); ++w) {
    for (auto o = w + 1; o != written.end(); ++o)
      if (overlap(*w, *o)) fail(std::string(w->name) + " shares memory with " + o->name);
    for (const Named& r : read)
      if (overlap(*w, r)) fail(std::string(w->name) + " shares memory with " + r.name);
  }
}

}  // namespace ck
