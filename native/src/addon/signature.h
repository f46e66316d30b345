// A binding's signature, declared once: the kernel's arguments in the order of its spec
// (KERNEL_SPECS in src/backends/kernels.ts), each a descriptor with its name and kind, then the
// outputs the spec names. `readSignature` checks the argument count, reads and type-checks every
// argument in order (a Float32Array where the spec says float, a geometry with every field in
// range, ...), checks that no written buffer (an output, or an argument updated in place) shares
// memory with another argument, and returns the values; the binding then checks the sizes its
// shape rule gives (`args.expect(x, count)`) and calls the kernel:
//
//   const auto [args, x, w, bias, g, relu, y] = readSignature(info, "conv2d", sig::f32("x"), sig::f32("filter"),
//       sig::f32OrNull("bias"), sig::conv("geometry"), sig::activation(), sig::out("y"));
//
// The descriptor kinds are the spec's argument kinds (kernel-signature.ts); a test checks that
// every binding reads the spec's names in the spec's order (test/backends/native-signature.test.ts).
#pragma once

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "args.h"
#include "geom_args.h"

namespace ck {
namespace sig {

/** How a descriptor's value takes part in the distinctness check. */
enum class Role { Value, Read, Written };

struct F32 {
  const char* name;
  static constexpr Role role = Role::Read;
  View<float> read(const Args& a, size_t i) const { return a.f32(i, name); }
};
struct F32OrNull {
  const char* name;
  static constexpr Role role = Role::Read;
  View<float> read(const Args& a, size_t i) const { return a.f32OrNull(i, name); }
};
struct I32 {
  const char* name;
  static constexpr Role role = Role::Read;
  View<int32_t> read(const Args& a, size_t i) const { return a.i32(i, name); }
};
/** An array of float buffers (concat's parts); the binding checks each. */
struct Floats {
  const char* name;
  static constexpr Role role = Role::Value;
  Napi::Array read(const Args& a, size_t i) const { return a.array(i, name, "Float32Arrays"); }
};
/** An array of shapes; the binding checks each. */
struct Shapes {
  const char* name;
  static constexpr Role role = Role::Value;
  Napi::Array read(const Args& a, size_t i) const { return a.array(i, name, "shapes"); }
};
struct Size {
  const char* name;
  static constexpr Role role = Role::Value;
  i64 read(const Args& a, size_t i) const { return a.size(i, name); }
};
struct Number {
  const char* name;
  static constexpr Role role = Role::Value;
  double read(const Args& a, size_t i) const { return a.number(i, name); }
};
struct Boolean {
  const char* name;
  static constexpr Role role = Role::Value;
  bool read(const Args& a, size_t i) const { return a.boolean(i, name); }
};
struct Shape {
  const char* name;
  static constexpr Role role = Role::Value;
  std::vector<i64> read(const Args& a, size_t i) const { return a.shape(i, name); }
};
struct String {
  const char* name;
  static constexpr Role role = Role::Value;
  std::string read(const Args& a, size_t i) const { return a.string(i, name); }
};
/** A FusedActivation: true for 'relu'. */
struct Activation {
  const char* name;
  static constexpr Role role = Role::Value;
  bool read(const Args& a, size_t i) const { return a.activation(i); }
};
/** An EpilogueActivation: 'linear', 'relu' or 'relu6'. */
struct Epilogue {
  const char* name;
  static constexpr Role role = Role::Value;
  EpilogueActivation read(const Args& a, size_t i) const { return a.epilogueActivation(i, name); }
};
/** An attribute record whose fields the binding reads (an optimizer step, options). */
struct Attrs {
  const char* name;
  static constexpr Role role = Role::Value;
  Napi::Object read(const Args& a, size_t i) const { return a.object(i, name); }
};
struct Conv {
  const char* name;
  static constexpr Role role = Role::Value;
  ConvGeom read(const Args& a, size_t i) const { return readConvGeom(a, i, name); }
};
struct Pool {
  const char* name;
  static constexpr Role role = Role::Value;
  PoolGeom read(const Args& a, size_t i) const { return readPoolGeom(a, i, name); }
};
/** An attribute record a family reads with its own `reader(args, i, name)` (the image geometry). */
template <class V>
struct Record {
  const char* name;
  V (*reader)(const Args&, size_t, const char*);
  static constexpr Role role = Role::Value;
  V read(const Args& a, size_t i) const { return reader(a, i, name); }
};
/** An argument or output the kernel writes: read as P, then kept apart from every other buffer. */
template <class P>
struct Written : P {
  static constexpr Role role = Role::Written;
};

template <class P, class V>
void collect(const P& p, const V& v, std::vector<Named>* written, std::vector<Named>* read) {
  (void)p;
  if constexpr (P::role == Role::Written) written->emplace_back(v);
  else if constexpr (P::role == Role::Read) read->emplace_back(v);
}

template <class... P, size_t... I>
auto readAll(const Args& args, std::index_sequence<I...>, const P&... params) {
  // A braced list is evaluated left to right: arguments are read (and fail) in the spec's order.
  std::tuple<Args, decltype(params.read(args, 0))...> values{args, params.read(args, I)...};
  std::vector<Named> written, read;
  (collect(params, std::get<I + 1>(values), &written, &read), ...);
  args.distinct(written, read);
  return values;
}

// Descriptors, named as the spec's argument kinds; bindings call them qualified (`sig::f32("x")`),
// so a local called `shape` or `out` never hides one.
inline F32 f32(const char* name) { return {name}; }
inline F32OrNull f32OrNull(const char* name) { return {name}; }
inline I32 i32(const char* name) { return {name}; }
inline Floats floats(const char* name) { return {name}; }
inline Shapes shapes(const char* name) { return {name}; }
inline Size size(const char* name) { return {name}; }
inline Number number(const char* name) { return {name}; }
inline Boolean boolean(const char* name) { return {name}; }
inline Shape shape(const char* name) { return {name}; }
inline String oneOf(const char* name) { return {name}; }
inline Activation activation() { return {"activation"}; }
inline Epilogue epilogueActivation() { return {"activation"}; }
/** An EpilogueActivation under another name (a kernel with two: depthActivation, pointActivation). */
inline Epilogue epilogueActivation(const char* name) { return {name}; }
inline Attrs attrs(const char* name) { return {name}; }
inline Conv conv(const char* name) { return {name}; }
inline Pool pool(const char* name) { return {name}; }
template <class V>
Record<V> attrs(const char* name, V (*reader)(const Args&, size_t, const char*)) {
  return {name, reader};
}
/** A float argument updated in place. */
inline Written<F32> inPlace(const char* name) { return {{name}}; }
inline Written<F32OrNull> inPlaceOrNull(const char* name) { return {{name}}; }
inline Written<I32> inPlaceI32(const char* name) { return {{name}}; }
/** Outputs: a float buffer, an Int32Array, or a float buffer the call may leave out (null). */
inline Written<F32> out(const char* name) { return {{name}}; }
inline Written<I32> outI32(const char* name) { return {{name}}; }
inline Written<F32OrNull> outOrNull(const char* name) { return {{name}}; }

}  // namespace sig

/**
 * Reads a call of `kernel`: exactly one argument per descriptor, each read and type-checked in
 * order, written buffers distinct from every other buffer. Returns {Args, values...}.
 */
template <class... P>
auto readSignature(const Napi::CallbackInfo& info, const char* kernel, const P&... params) {
  const Args args(info, kernel, sizeof...(P));
  return sig::readAll(args, std::index_sequence_for<P...>{}, params...);
}

/** "a*b*c" for error formulas. */
inline std::string formula(std::initializer_list<i64> factors) {
  std::string out;
  for (i64 f : factors) out += (out.empty() ? "" : "*") + std::to_string(f);
  return out;
}

/** The product of `factors` (bounded, see Args::product) with its formula. */
inline Count countOf(const Args& args, std::initializer_list<i64> factors, const char* what) {
  return Count{args.product(factors, what), formula(factors)};
}

}  // namespace ck
