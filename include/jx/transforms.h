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
#include <string_view>
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
struct JvpState;
// One call of a jvp: boxes the primal leaves with their tangents as tracers of a fresh JVP
// trace and makes it current; finish() leaves it and returns (primal outs, tangent outs), a
// symbolic-zero tangent instantiated as zeros. A null tangent leaf is a symbolic zero.
class JvpCall {
 public:
  JvpCall(std::vector<Array>& primals, const TreeDef& primal_def,
          const std::vector<Array>& tangents, const TreeDef& tangent_def);
  ~JvpCall();
  JvpCall(const JvpCall&) = delete;
  JvpCall& operator=(const JvpCall&) = delete;
  std::pair<std::vector<Array>, std::vector<Array>> finish(const std::vector<Array>& out_leaves);

 private:
  std::unique_ptr<JvpState> state_;
};
// The leaf index of argument `argnum` given each argument's leaf count; throws ValueError when
// argnum is out of range or that argument is not a single array.
size_t argnum_leaf(std::string_view fn, int argnum, const std::vector<size_t>& leaf_counts);
// The standard basis of x's tangent space, stacked: eye(x.size()) reshaped to [n, *x.shape].
Array tangent_basis(const Array& x);
// A Jacobian stacked by vmap over the basis, [n, *out] -> [*out, *in_shape].
Array jacobian_from_columns(const Array& columns, const Shape& in_shape);

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

// Forward-mode derivative (jax.jvp): (f(primals...), the derivative of f at primals applied to
// tangents), for primals/tangents given as tuples of f's arguments (pytrees of the same
// structure, shapes and dtypes).
//   auto [y, dy] = jx::jvp(f, std::tuple{x}, std::tuple{dx});
template <class F, class... Args>
auto jvp(F&& f, const std::tuple<Args...>& primals, const std::tuple<Args...>& tangents) {
  using R = std::remove_cvref_t<std::invoke_result_t<F&, const Args&...>>;
  static_assert(tree::PyTree<R>, "jx::jvp: the function must return a pytree of arrays");
  auto [p_leaves, p_def] = tree::flatten(primals);
  auto [t_leaves, t_def] = tree::flatten(tangents);
  detail::JvpCall call(p_leaves, p_def, t_leaves, t_def);
  R out = std::apply(f, tree::unflatten<std::tuple<Args...>>(p_def, p_leaves));
  auto [o_leaves, o_def] = tree::flatten(out);
  auto [po, to] = call.finish(o_leaves);
  return std::pair<R, R>{tree::unflatten<R>(o_def, po), tree::unflatten<R>(o_def, to)};
}

// The function returned by jx::jacfwd.
template <class F>
class JacFwd {
 public:
  JacFwd(F f, int argnum) : f_(std::move(f)), argnum_(argnum) {}

  // d f / d args[argnum] at args: shape f(args).shape + args[argnum].shape (Array in and out).
  template <class... Args>
  requires std::invocable<const F&, const Args&...> Array operator()(const Args&... args) const {
    std::tuple<Args...> primals(args...);
    const std::vector<size_t> counts{tree::leaves(args).size()...};
    size_t leaf = detail::argnum_leaf("jacfwd", argnum_, counts);
    Array x = tree::leaves(primals)[leaf];
    // One column per basis vector, all at once: vmap of jvp over the basis.
    auto column = [&](const Array& t) {
      auto [p_leaves, p_def] = tree::flatten(primals);
      std::vector<Array> tangents(p_leaves.size());
      tangents[leaf] = t;
      detail::JvpCall call(p_leaves, p_def, tangents, p_def);
      Array out(std::apply(f_, tree::unflatten<std::tuple<Args...>>(p_def, p_leaves)));
      return call.finish({out}).second[0];
    };
    return detail::jacobian_from_columns(vmap(column)(detail::tangent_basis(x)), x.shape());
  }

 private:
  F f_;
  int argnum_;
};

// Jacobian by forward mode (jax.jacfwd) of a function of arrays returning an array, with respect
// to argument `argnums`: vmap of jvp over the standard basis.
//   jx::jacfwd(f)(x)   // shape f(x).shape + x.shape
template <class F>
JacFwd<std::decay_t<F>> jacfwd(F&& f, int argnums = 0) {
  return JacFwd<std::decay_t<F>>(std::forward<F>(f), argnums);
}

}  // namespace jx
