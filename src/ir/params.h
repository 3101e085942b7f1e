// Params: the static parameters of one primitive application (axes, dtypes, dimension numbers),
// as JAX's eqn.params dict. Keys are string literals; values a small closed set of types, so
// every primitive gets ==, hash and JAX-style printing (needed by jit's cache, CSE and
// make_jaxpr) without writing them per primitive.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "jx/dtype.h"

namespace jx {

struct Jaxpr;
// A closed jaxpr as a parameter of a higher-order primitive (pjit, custom_jvp_call, scan, ...):
// shared and immutable, compared and hashed by identity, printed nested as JAX prints it.
using JaxprRef = std::shared_ptr<const Jaxpr>;

// A parameter that is a C++ object rather than a value: custom_vjp's backward function and the
// avals it returns (JAX keeps such callables in params too). Compared and hashed by identity.
struct OpaqueParam {
  virtual ~OpaqueParam() = default;
  virtual std::string str() const = 0;
};

using ParamValue = std::variant<bool, int64_t, double, DType, std::vector<int64_t>, std::string,
                                std::shared_ptr<const OpaqueParam>, JaxprRef>;

class Params {
 public:
  using Entry = std::pair<std::string_view, ParamValue>;
  Params() = default;
  // Keys must be string literals (they are kept as views).
  Params(std::initializer_list<Entry> entries);

  void set(std::string_view key, ParamValue value);
  bool has(std::string_view key) const { return find(key) != nullptr; }
  // The value stored under key; throws std::logic_error (a bug in jx, not user input) when the
  // key is missing or holds another type.
  template <class T>
  const T& get(std::string_view key) const {
    const ParamValue* v = find(key);
    if (!v || !std::holds_alternative<T>(*v)) missing(key);
    return std::get<T>(*v);
  }
  int64_t get_int(std::string_view key) const { return get<int64_t>(key); }
  const std::vector<int64_t>& get_ints(std::string_view key) const {
    return get<std::vector<int64_t>>(key);
  }
  DType get_dtype(std::string_view key) const { return get<DType>(key); }
  bool get_bool(std::string_view key) const { return get<bool>(key); }
  const Jaxpr& get_jaxpr(std::string_view key) const { return *get<JaxprRef>(key); }

  const std::vector<Entry>& entries() const { return entries_; }
  size_t hash() const;
  friend bool operator==(const Params& a, const Params& b) { return a.entries_ == b.entries_; }
  // JAX's jaxpr form: "axes=(0, 1) dtype=float32" (keys sorted, as JAX prints them).
  std::string str() const;

 private:
  const ParamValue* find(std::string_view key) const;
  [[noreturn]] void missing(std::string_view key) const;
  std::vector<Entry> entries_;  // sorted by key
};

std::ostream& operator<<(std::ostream& os, const Params& p);
// One value as JAX prints it in a jaxpr ("(0, 1)", "float32", "True"); a jaxpr value in its
// one-line form (Jaxpr::str nests it with the enclosing jaxpr's names instead).
std::string param_value_str(const ParamValue& v);

}  // namespace jx
