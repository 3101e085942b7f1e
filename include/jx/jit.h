// jx::jit: compile a function once per argument signature and run the compiled program on every
// later call (jax.jit). The function is traced to a jaxpr on abstract arguments (shapes and
// dtypes, no values), optimised and planned; a later call with the same signature only looks
// the program up and runs it. jit composes with every transformation: vmap(jit(f)), grad(jit(f)),
// jit(grad(f)) and jit(jit(f)) all work, and make_jaxpr shows a jitted function as one `jit`
// equation holding its body.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "jx/array.h"
#include "jx/tree.h"

namespace jx {

namespace config {
// Log each jit compilation to stderr with the reason the cache missed (JAX's
// jax_explain_cache_misses). Default: off, or JX_EXPLAIN_CACHE_MISSES=1 in the environment.
void set_explain_cache_misses(bool explain);
bool explain_cache_misses();
// How many signatures each jitted function keeps compiled (least recently used evicted first).
// Default 4096.
void set_jit_cache_size(size_t size);
size_t jit_cache_size();
}  // namespace config

// The positions of arguments that are static: not traced but part of the cache key, so the
// function may branch on them, use them as shapes or loop bounds. Their types must be hashable
// (std::hash) and comparable (==). jx::jit(f, jx::static_argnums<1>) recompiles for each
// distinct value of argument 1.
template <int... I>
struct StaticArgnums {};
template <int... I>
inline constexpr StaticArgnums<I...> static_argnums{};

// jit's settings (the keyword arguments of jax.jit that C++ has a use for).
//   jx::jit(step, jx::JitOptions("step", {0}))   // named "step", argument 0 donated
struct JitOptions {
  JitOptions(std::string name = "<lambda>", std::vector<int> donate_argnums = {})  // NOLINT
      : name(std::move(name)), donate_argnums(std::move(donate_argnums)) {}
  // The name make_jaxpr prints (`jit[name=predict ...]`); C++ cannot read a function's name.
  std::string name;
  // Arguments whose buffers the call may reuse for its results (JAX's donate_argnums): after
  // the call their arrays are deleted (using them throws jx::ValueError), so an update like
  // `params = step(params, batch)` runs in place. Applies to calls outside any transformation.
  std::vector<int> donate_argnums;
};

namespace detail {

// A static argument, type-erased for the cache key.
struct StaticValue {
  virtual ~StaticValue() = default;
  virtual size_t hash() const = 0;
  virtual bool equals(const StaticValue& other) const = 0;
  virtual std::string str() const = 0;
};

template <class T>
struct StaticValueOf final : StaticValue {
  explicit StaticValueOf(T v) : value(std::move(v)) {}
  size_t hash() const override { return std::hash<T>{}(value); }
  bool equals(const StaticValue& other) const override {
    const auto* o = dynamic_cast<const StaticValueOf<T>*>(&other);
    return o != nullptr && static_cast<bool>(o->value == value);
  }
  std::string str() const override {
    if constexpr (requires(std::ostream & os, const T& t) { os << t; }) {
      std::ostringstream os;
      os << value;
      return os.str();
    } else {
      return "<static>";
    }
  }
  T value;
};

// A non-owning reference to a callable (no allocation: the jit call path builds one per call).
template <class Sig>
class FunctionRef;
template <class R, class... A>
class FunctionRef<R(A...)> {
 public:
  template <class F>
  FunctionRef(F& f)  // NOLINT: implicit, as std::function
      : object_(&f), invoke_([](void* o, A... a) -> R { return (*static_cast<F*>(o))(a...); }) {}
  R operator()(A... a) const { return invoke_(object_, a...); }

 private:
  void* object_;
  R (*invoke_)(void*, A...);
};

// A flat function: traced leaves to output leaves, recording the output structure.
using JitTraceFn = FunctionRef<std::vector<Array>(std::span<const Array>, TreeDef* out_def)>;

struct JitCache;
// The non-template half of a jitted function, shared by its copies: the signature cache and
// the call path.
class JitState {
 public:
  JitState(std::string name, std::vector<int> donate_argnums);
  const std::vector<int>& donate_argnums() const { return donate_argnums_; }
  ~JitState();
  // Runs the program for these argument leaves (structure in_def) and static values, tracing
  // it with `trace` on a cache miss; returns the output leaves and their structure.
  // `donated[i]` marks the leaves whose buffers the call may take (empty: none).
  std::vector<Array> call(std::vector<Array> leaves, const TreeDef& in_def,
                          std::vector<std::shared_ptr<const StaticValue>> statics,
                          const std::vector<bool>& donated, JitTraceFn trace,
                          std::shared_ptr<const TreeDef>* out_def) const;
  int64_t trace_count() const;
  size_t cache_size() const;
  void clear_cache() const;

 private:
  std::string name_;
  std::vector<int> donate_argnums_;
  std::shared_ptr<JitCache> cache_;
};

template <int I, int... S>
inline constexpr bool is_static_arg = ((I == S) || ...);

// How a dynamic argument is traced: a C++ number becomes a weakly typed scalar array, as a
// Python scalar does in JAX; anything else must be a pytree of arrays.
template <class T>
using traced_t = std::conditional_t<Scalar<T>, Array, T>;

// The index of argument I among the dynamic (non-static) arguments.
template <int I, int... S>
constexpr size_t dynamic_index() {
  size_t n = 0;
  for (int j = 0; j < I; ++j) n += !((j == S) || ...);
  return n;
}

}  // namespace detail

// The function returned by jx::jit.
template <class F, int... S>
class Jitted {
 public:
  Jitted(F f, JitOptions options)
      : f_(std::move(f)),
        state_(std::make_shared<detail::JitState>(std::move(options.name),
                                                  std::move(options.donate_argnums))) {}

  template <class... Args>
  auto operator()(const Args&... args) const {
    return call(std::index_sequence_for<Args...>{}, args...);
  }

  // How many times the function has been traced (once per new signature).
  int64_t trace_count() const { return state_->trace_count(); }
  // How many signatures are compiled now (jitted._cache_size() in JAX).
  size_t cache_size() const { return state_->cache_size(); }
  void clear_cache() const { state_->clear_cache(); }

 private:
  template <size_t... I, class... Args>
  auto call(std::index_sequence<I...>, const Args&... args) const {
    static_assert(((S >= 0 && S < static_cast<int>(sizeof...(Args))) && ...),
                  "jx::jit: static_argnums out of range for the function's arguments");
    using R = std::remove_cvref_t<std::invoke_result_t<
        const F&, std::conditional_t<detail::is_static_arg<static_cast<int>(I), S...>, Args,
                                     detail::traced_t<Args>>...>>;
    static_assert(tree::PyTree<R>, "jx::jit: the function must return a pytree of arrays");
    // The dynamic arguments, as the traced types, in one tuple.
    auto dynamic = std::tuple_cat(dynamic_part<static_cast<int>(I)>(args)...);
    using Dynamic = decltype(dynamic);
    static_assert(tree::PyTree<Dynamic>,
                  "jx::jit: an argument is neither a pytree of arrays nor a number; mark it "
                  "static with jx::static_argnums");
    // Not a structured binding: the lambda below captures the structure (clang < 16 cannot
    // capture bindings).
    auto flat = tree::flatten(dynamic);
    std::vector<Array>& leaves = flat.first;
    const TreeDef& in_def = flat.second;
    std::vector<std::shared_ptr<const detail::StaticValue>> statics;
    (add_static<static_cast<int>(I)>(statics, args), ...);
    std::tuple<const Args&...> all(args...);
    auto trace = [&](std::span<const Array> traced, TreeDef* out_def) {
      Dynamic d = tree::unflatten<Dynamic>(in_def, traced);
      R out = f_(pick<static_cast<int>(I)>(all, d)...);
      auto [out_leaves, def] = tree::flatten(out);
      *out_def = def;
      return out_leaves;
    };
    std::vector<bool> donated;
    if (!state_->donate_argnums().empty()) {
      (mark_donated<static_cast<int>(I)>(donated, args), ...);
    }
    std::shared_ptr<const TreeDef> out_def;
    std::vector<Array> outs =
        state_->call(std::move(leaves), in_def, std::move(statics), donated, trace, &out_def);
    return tree::unflatten<R>(*out_def, outs);
  }

  template <int I, class T>
  static auto dynamic_part(const T& arg) {
    if constexpr (detail::is_static_arg<I, S...>) {
      return std::tuple<>();
    } else {
      return std::tuple<detail::traced_t<T>>(arg);
    }
  }

  template <int I, class T>
  static void add_static(std::vector<std::shared_ptr<const detail::StaticValue>>& out,
                         const T& arg) {
    if constexpr (detail::is_static_arg<I, S...>) {
      out.push_back(std::make_shared<detail::StaticValueOf<T>>(arg));
    }
  }

  // Appends one flag per leaf of a dynamic argument: whether the argument is donated.
  template <int I, class T>
  void mark_donated(std::vector<bool>& out, const T& arg) const {
    if constexpr (!detail::is_static_arg<I, S...>) {
      const auto& d = state_->donate_argnums();
      bool donate = std::find(d.begin(), d.end(), I) != d.end();
      size_t n = tree::leaves(detail::traced_t<T>(arg)).size();
      out.insert(out.end(), n, donate);
    }
  }

  template <int I, class All, class Dynamic>
  static decltype(auto) pick(const All& all, const Dynamic& d) {
    if constexpr (detail::is_static_arg<I, S...>) {
      return std::get<I>(all);
    } else {
      return std::get<detail::dynamic_index<I, S...>()>(d);
    }
  }

  F f_;
  std::shared_ptr<detail::JitState> state_;
};

// Just-in-time compilation (jax.jit): f traced once per argument signature (the structure,
// shapes, dtypes and weak types of its array arguments, the values of its static arguments),
// its program optimised and planned, then run on every call with that signature.
//   auto fast = jx::jit(batched_predict);
//   Array y = fast(params, X);                 // traces and compiles
//   Array z = fast(params, X2);                // same shapes: runs the compiled program
//   auto g = jx::jit(f, jx::static_argnums<1>);  // f(x, n) recompiles for each n
// Inside a jitted function arrays are abstract: reading a value (item(), to_vector(), printing)
// throws jx::ConcretizationError; branch with jnp::where or jx::lax::cond, or make the
// argument static.
template <class F>
Jitted<std::decay_t<F>> jit(F&& f, JitOptions options = {}) {
  return Jitted<std::decay_t<F>>(std::forward<F>(f), std::move(options));
}
template <class F, int... S>
Jitted<std::decay_t<F>, S...> jit(F&& f, StaticArgnums<S...>, JitOptions options = {}) {
  return Jitted<std::decay_t<F>, S...>(std::forward<F>(f), std::move(options));
}

}  // namespace jx
