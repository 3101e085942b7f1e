// Combinators shared by the primitive families: shape/dtype checks with JAX's error wording,
// and the parallel loops of elementwise kernels.
#pragma once

#include <algorithm>
#include <cstring>
#include <span>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "backend/cpu/thread_pool.h"
#include "core/array_impl.h"
#include "ir/primitive.h"

namespace jx::primitives {

// Sets of dtypes a primitive accepts (JAX's _num, _float, _int, _bool_or_int, _any).
enum class DTypeClass { kAny, kNumber, kFloating, kInteger, kIntOrBool, kSignedOrFloat };
bool dtype_in_class(DType d, DTypeClass c);
// Throws DTypeError "exp does not accept dtype int32. Accepted dtypes are subtypes of floating."
void check_dtype_class(std::string_view op, DType d, DTypeClass c);
// Throws DTypeError "lax.add requires arguments to have the same dtypes, got float32, int32."
// unless all avals share a dtype.
void check_same_dtypes(std::string_view op, std::span<const ShapedArray> avals);
// JAX's _broadcasting_shape_rule for lax's n-ary elementwise ops: rank-0 operands broadcast;
// the others must have one rank (ShapeError "add: arrays must have same number of dimensions,
// got (3,), (2, 3).") and, per dimension, equal sizes or 1 (ShapeError "add got incompatible
// shapes for broadcasting: (3,), (4,).").
Shape broadcasting_shape(std::string_view op, std::span<const ShapedArray> avals);
void check_arity(std::string_view op, std::span<const ShapedArray> avals, size_t n);
// True when every aval is weakly typed (JAX: a result is weak only if all operands are).
bool all_weak(std::span<const ShapedArray> avals);
// "(3,), (4,)"
std::string shapes_str(std::span<const ShapedArray> avals);
// Checks that `axes` are distinct and in [0, ndim) (negative not allowed at the lax level).
void check_axes(std::string_view op, const std::vector<int64_t>& axes, int ndim,
                std::string_view what = "axes");

// Element-type traits for choosing which dtypes a kernel instantiates for.
template <class T>
constexpr bool kIsFloat = std::is_floating_point_v<T>;
template <class T>
constexpr bool kNotBool = !std::is_same_v<T, bool>;
template <class T>
constexpr bool kIsInt = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// Python's tuple repr, as JAX's messages print shapes and params: (1, 2), (1,), ().
inline std::string tup(const std::vector<int64_t>& v) { return Shape(v).str(); }

// JAX's _check_shapelike: every entry of a shape-like param is nonnegative.
inline void check_shapelike(std::string_view op, std::string_view what,
                            const std::vector<int64_t>& v) {
  for (int64_t d : v) {
    if (d < 0) {
      throw ShapeError(std::string(op) + " " + std::string(what) +
                       " must have every element be nonnegative, got " + tup(v) + ".");
    }
  }
}

inline std::vector<ShapedArray> single(ShapedArray a) { return {std::move(a)}; }
inline std::vector<Array> single(Array a) {
  std::vector<Array> v;
  v.push_back(std::move(a));
  return v;
}

// out[i] = f(x[i]) over a contiguous range, split across threads for large arrays.
template <class In, class Out, class F>
void map_unary(const In* x, Out* out, int64_t n, F f) {
  int64_t grain = std::max<int64_t>(cpu::kParallelBytes / int64_t(sizeof(In) + sizeof(Out)), 1);
  cpu::parallel_for(n, grain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = f(x[i]);
  });
}

template <class In, class Out, class F>
void map_binary(const In* x, const In* y, Out* out, int64_t n, F f) {
  int64_t grain = std::max<int64_t>(cpu::kParallelBytes / int64_t(2 * sizeof(In) + sizeof(Out)), 1);
  cpu::parallel_for(n, grain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = f(x[i], y[i]);
  });
}

}  // namespace jx::primitives
