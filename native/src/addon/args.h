// Argument checks at the JavaScript boundary. Every length, shape, stride and option the addon
// receives is validated here before any work starts; a mismatch throws a JavaScript Error that
// names the kernel and the argument, e.g.
//   conv2d: filter has 287 elements, expected 3*3*32*64 = 18432
#pragma once

#include "types.h"

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ck {

/** Largest element count any argument may describe (2^46: far above any real tensor). */
constexpr i64 kMaxElements = i64{1} << 46;

/** A buffer argument: its data, element count, name (for errors) and whether it was given (false for a null optional one). */
template <class T>
struct View {
  T* data;
  i64 length;
  const char* name = "";
  bool present = true;
};

/** An expected element count and the formula that explains it in errors ("2*5*5*32"). */
struct Count {
  i64 n;
  std::string formula;
};

/** A buffer argument with its name, for the group checks (`Args::lengths`, `Args::distinct`). */
struct Named {
  const char* bytes;
  i64 length;
  i64 elementSize;
  const char* name;
  template <class T>
  Named(const View<T>& v, const char* n)
      : bytes(reinterpret_cast<const char*>(v.data)), length(v.length), elementSize(sizeof(T)), name(n) {}
  template <class T>
  Named(const View<T>& v) : Named(v, v.name) {}  // NOLINT: implicit, so `{x, dy}` lists read naturally
};

/** Reads and checks the arguments of one call of `kernel`. */
class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* kernel, size_t count);

  /** Throws `kernel: message` as a JavaScript Error. */
  [[noreturn]] void fail(const std::string& message) const;

  View<float> f32(size_t i, const char* name) const;
  /** A Float32Array or null (nullptr data). */
  View<float> f32OrNull(size_t i, const char* name) const;
  View<int32_t> i32(size_t i, const char* name) const;
  /** A non-negative safe integer no larger than kMaxElements. */
  i64 size(size_t i, const char* name) const;
  double number(size_t i, const char* name) const;
  bool boolean(size_t i, const char* name) const;
  /** A FusedActivation: 'linear' (false) or 'relu' (true). */
  bool activation(size_t i) const;
  /** An EpilogueActivation: 'linear', 'relu' or 'relu6'. */
  EpilogueActivation epilogueActivation(size_t i, const char* name) const;
  std::string string(size_t i, const char* name) const;
  /** An array of non-negative integers whose product is at most kMaxElements. */
  std::vector<i64> shape(size_t i, const char* name) const;
  Napi::Object object(size_t i, const char* name) const;
  /** An array (of buffers or shapes: `what` names its elements in errors); its elements are checked by the caller. */
  Napi::Array array(size_t i, const char* name, const char* what) const;
  /** Integer property `field` of `obj` (named `objName` in errors) in [min, 2^31 - 1]. */
  i64 field(const Napi::Object& obj, const char* objName, const char* field, i64 min) const;
  /** Number property `field` of `obj`, finite. */
  double numberField(const Napi::Object& obj, const char* objName, const char* field) const;

  /** Checks that `view` has exactly `expected` elements; `formula` explains it in the error. */
  template <class T>
  void expectLength(const View<T>& view, const char* name, i64 expected,
                    const std::string& formula) const {
    if (view.length != expected)
      fail(std::string(name) + " has " + std::to_string(view.length) + " elements, expected " +
           (formula.empty() ? "" : formula + " = ") + std::to_string(expected));
  }

  /** Fails if the output buffer shares memory with an input. */
  template <class T, class U>
  void expectDistinct(const View<T>& out, const char* outName, const View<U>& in,
                      const char* inName) const {
    const char* o0 = reinterpret_cast<const char*>(out.data);
    const char* o1 = o0 + out.length * sizeof(T);
    const char* i0 = reinterpret_cast<const char*>(in.data);
    const char* i1 = i0 + in.length * sizeof(U);
    if (out.length > 0 && in.length > 0 && o0 < i1 && i0 < o1)
      fail(std::string(outName) + " shares memory with " + inName);
  }

  /** Checks that `view` (if given: a null optional buffer is skipped) has `count.n` elements. */
  template <class T>
  void expect(const View<T>& view, const Count& count) const {
    if (view.present) expectLength(view, view.name, count.n, count.formula);
  }

  /** Checks that every buffer of `views` (a null one included) has `expected` elements. */
  void lengths(std::initializer_list<Named> views, i64 expected, const std::string& formula) const;

  /**
   * Fails if any of `written` (outputs, or arguments updated in place) shares memory with another
   * of `written` or with any of `read`; the read-only arguments may alias each other.
   */
  void distinct(std::initializer_list<Named> written, std::initializer_list<Named> read = {}) const;
  void distinct(const std::vector<Named>& written, const std::vector<Named>& read) const;

  /** a*b*..., failing on overflow past kMaxElements. */
  i64 product(std::initializer_list<i64> factors, const char* what) const;

  Napi::Env env() const { return info_.Env(); }

 private:
  const Napi::CallbackInfo& info_;
  const char* kernel_;
};

/** "[2,3,4]": a shape for error messages. */
std::string shapeText(const std::vector<i64>& shape);

/** The product of a shape's sizes (Args::shape has already bounded it). */
i64 sizeOf(const std::vector<i64>& shape);

}  // namespace ck
