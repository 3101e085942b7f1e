// Function transformations, as in JAX: each takes a function written for one example and
// returns a function of the same shape that does more (jx::vmap maps it over a batch axis).
// Functions may be plain functions, lambdas or functors; arguments and results may be any
// pytree (see jx/tree.h).
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "jx/array.h"
#include "jx/tree.h"

namespace jx {

// vmap's settings (the keyword arguments of jax.vmap).
struct VmapOptions {
  AxisSpec in_axes = 0;
  AxisSpec out_axes = 0;
  std::optional<std::string> axis_name;
  std::optional<int64_t> axis_size;
};

namespace detail {
struct VmapState;
// One call of a vmapped function: boxes the mapped argument leaves as tracers of a fresh batch
// trace and makes it current; finish() leaves it and moves each result's batch axis to its
// out_axes position. Destroying a call that did not finish (f threw) restores the trace.
class VmapCall {
 public:
  VmapCall(const VmapOptions& options, std::vector<Array>& leaves, const TreeDef& in_def);
  ~VmapCall();
  VmapCall(const VmapCall&) = delete;
  VmapCall& operator=(const VmapCall&) = delete;
  std::vector<Array> finish(const std::vector<Array>& out_leaves, const TreeDef& out_def);

 private:
  std::unique_ptr<VmapState> state_;
};
}  // namespace detail

// The function returned by jx::vmap.
template <class F>
class Vmapped {
 public:
  Vmapped(F f, VmapOptions options) : f_(std::move(f)), options_(std::move(options)) {}

  template <class... Args>
  requires std::invocable<const F&, const Args&...>
  auto operator()(const Args&... args) const {
    using R = std::remove_cvref_t<std::invoke_result_t<const F&, const Args&...>>;
    static_assert(tree::PyTree<R>, "jx::vmap: the function must return a pytree of arrays");
    using ArgTuple = std::tuple<Args...>;
    auto [leaves, in_def] = tree::flatten(ArgTuple(args...));
    detail::VmapCall call(options_, leaves, in_def);
    R result = std::apply(f_, tree::unflatten<ArgTuple>(in_def, leaves));
    auto [out_leaves, out_def] = tree::flatten(result);
    return tree::unflatten<R>(out_def, call.finish(out_leaves, out_def));
  }

  const VmapOptions& options() const { return options_; }

 private:
  F f_;
  VmapOptions options_;
};

// Vectorizing map (jax.vmap): f applied to every slice of its arguments along in_axes, with
// the loop pushed into the primitives (one matmul, not N matrix-vector products).
//   in_axes:   per argument, the axis to map over (negative counts from the end) or jx::none to
//              pass the argument unchanged to every example; a pytree prefix of the argument
//              tuple, or one axis for all of them. Default 0.
//   out_axes:  where the mapped axis appears in each result (a prefix of the result tree);
//              results that do not depend on the mapped axis are broadcast. Default 0.
//   axis_name: names the axis for collectives inside f (jx::lax::psum(x, "batch")).
//   axis_size: the size of the mapped axis when no argument is mapped.
//
//   auto batched = jx::vmap(predict, {jx::none, 0});   // params shared, features mapped
//   Array out = batched(params, X);
template <class F>
Vmapped<std::decay_t<F>> vmap(F&& f, AxisSpec in_axes = 0, AxisSpec out_axes = 0,
                              std::optional<std::string> axis_name = std::nullopt,
                              std::optional<int64_t> axis_size = std::nullopt) {
  return Vmapped<std::decay_t<F>>(
      std::forward<F>(f),
      VmapOptions{std::move(in_axes), std::move(out_axes), std::move(axis_name), axis_size});
}

}  // namespace jx
