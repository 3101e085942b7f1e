// jx::numpy: jax.numpy for C++, written on the jx::lax primitives. numpy's broadcasting, axis
// and keepdims conventions; JAX's result dtypes (weakly typed C++ scalars, int -> float32 for
// true division and transcendental functions, default dtypes float32/int32).
//
//   namespace jnp = jx::numpy;
//   jx::Array x = jnp::array({{1.0f, 2.0f}, {3.0f, 4.0f}});
//   jx::Array m = jnp::mean(x, 0);                   // [2. 3.]
//   jx::Array y = jnp::matmul(x, x) + 1.0;           // stays float32
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "jx/array.h"

namespace jx::numpy {

// An `axis` argument: none (all axes), one int (negative counts from the end), or a list.
class Axis {
 public:
  Axis() = default;
  Axis(std::nullopt_t) {}                                                           // NOLINT
  Axis(int axis) : axes_(std::vector<int64_t>{axis}), single_(true) {}              // NOLINT
  Axis(int64_t axis) : axes_(std::vector<int64_t>{axis}), single_(true) {}          // NOLINT
  Axis(std::initializer_list<int64_t> axes) : axes_(std::vector<int64_t>(axes)) {}  // NOLINT
  Axis(std::vector<int64_t> axes) : axes_(std::move(axes)) {}                       // NOLINT
  bool is_none() const { return !axes_.has_value(); }
  bool is_single() const { return single_; }
  const std::vector<int64_t>& axes() const { return *axes_; }

 private:
  std::optional<std::vector<int64_t>> axes_;
  bool single_ = false;
};

// ---- creation ------------------------------------------------------------------------------
// dtype follows the C++ element type (float -> float32, double -> float64, int -> int32,
// int64_t -> int64, bool -> bool) unless `dtype` is given.
template <Scalar T>
Array array(T value, std::optional<DType> dtype = std::nullopt);
template <Scalar T>
Array array(std::initializer_list<T> values, std::optional<DType> dtype = std::nullopt);
template <Scalar T>
Array array(std::initializer_list<std::initializer_list<T>> values,
            std::optional<DType> dtype = std::nullopt);
template <Scalar T>
Array array(std::initializer_list<std::initializer_list<std::initializer_list<T>>> values,
            std::optional<DType> dtype = std::nullopt);
template <Scalar T>
Array array(const std::vector<T>& values, std::optional<DType> dtype = std::nullopt);
// A (strongly typed) copy of x, optionally converted.
Array array(const Array& x, std::optional<DType> dtype = std::nullopt);
// x itself when it already has `dtype` (or no dtype is given), else a converted copy.
Array asarray(const Array& x, std::optional<DType> dtype = std::nullopt);

Array zeros(const Shape& shape, DType dtype = DType::float32);
Array ones(const Shape& shape, DType dtype = DType::float32);
// dtype defaults to fill_value's (a C++ float gives float32, an int int32).
Array full(const Shape& shape, const Array& fill_value, std::optional<DType> dtype = std::nullopt);
Array zeros_like(const Array& x, std::optional<DType> dtype = std::nullopt);
Array ones_like(const Array& x, std::optional<DType> dtype = std::nullopt);
Array full_like(const Array& x, const Array& fill_value, std::optional<DType> dtype = std::nullopt);
// arange(5) -> int32 [0 1 2 3 4]; arange(0.0, 1.0, 0.25) -> float32.
Array arange(const Array& stop, std::optional<DType> dtype = std::nullopt);
Array arange(const Array& start, const Array& stop, const Array& step = 1,
             std::optional<DType> dtype = std::nullopt);
Array linspace(const Array& start, const Array& stop, int64_t num = 50, bool endpoint = true,
               std::optional<DType> dtype = std::nullopt);
Array eye(int64_t n, std::optional<int64_t> m = std::nullopt, int64_t k = 0,
          DType dtype = DType::float32);
Array identity(int64_t n, DType dtype = DType::float32);

// ---- elementwise ---------------------------------------------------------------------------
Array add(const Array& x, const Array& y);
Array subtract(const Array& x, const Array& y);
Array multiply(const Array& x, const Array& y);
Array divide(const Array& x, const Array& y);  // true division
Array true_divide(const Array& x, const Array& y);
Array floor_divide(const Array& x, const Array& y);
Array remainder(const Array& x, const Array& y);  // sign of the divisor, as numpy
Array mod(const Array& x, const Array& y);
Array fmod(const Array& x, const Array& y);  // sign of the dividend
Array power(const Array& x, const Array& y);
Array negative(const Array& x);
Array positive(const Array& x);
Array abs(const Array& x);
Array absolute(const Array& x);
Array sign(const Array& x);
Array floor(const Array& x);
Array ceil(const Array& x);
Array round(const Array& x, int decimals = 0);  // halves to even, as numpy
Array rint(const Array& x);
Array trunc(const Array& x);
Array exp(const Array& x);
Array exp2(const Array& x);
Array expm1(const Array& x);
Array log(const Array& x);
Array log2(const Array& x);
Array log10(const Array& x);
Array log1p(const Array& x);
Array sqrt(const Array& x);
Array cbrt(const Array& x);
Array square(const Array& x);
Array reciprocal(const Array& x);
Array sin(const Array& x);
Array cos(const Array& x);
Array tan(const Array& x);
Array arcsin(const Array& x);
Array arccos(const Array& x);
Array arctan(const Array& x);
Array arctan2(const Array& y, const Array& x);
Array sinh(const Array& x);
Array cosh(const Array& x);
Array tanh(const Array& x);
Array arcsinh(const Array& x);
Array arccosh(const Array& x);
Array arctanh(const Array& x);
Array nextafter(const Array& x, const Array& y);
Array isfinite(const Array& x);
Array isnan(const Array& x);
Array isinf(const Array& x);
Array maximum(const Array& x, const Array& y);
Array minimum(const Array& x, const Array& y);
Array equal(const Array& x, const Array& y);
Array not_equal(const Array& x, const Array& y);
Array less(const Array& x, const Array& y);
Array less_equal(const Array& x, const Array& y);
Array greater(const Array& x, const Array& y);
Array greater_equal(const Array& x, const Array& y);
Array logical_and(const Array& x, const Array& y);
Array logical_or(const Array& x, const Array& y);
Array logical_xor(const Array& x, const Array& y);
Array logical_not(const Array& x);
Array bitwise_and(const Array& x, const Array& y);
Array bitwise_or(const Array& x, const Array& y);
Array bitwise_xor(const Array& x, const Array& y);
Array bitwise_not(const Array& x);
Array invert(const Array& x);
Array left_shift(const Array& x, const Array& y);
Array right_shift(const Array& x, const Array& y);
// where(condition, x, y): x where condition is true, else y (broadcast together).
Array where(const Array& condition, const Array& x, const Array& y);
// clip(x, lo, hi): either bound may be none.
Array clip(const Array& x, std::optional<Array> lo = std::nullopt,
           std::optional<Array> hi = std::nullopt);

// ---- reductions ----------------------------------------------------------------------------
Array sum(const Array& x, Axis axis = none, bool keepdims = false,
          std::optional<DType> dtype = std::nullopt);
Array prod(const Array& x, Axis axis = none, bool keepdims = false,
           std::optional<DType> dtype = std::nullopt);
Array mean(const Array& x, Axis axis = none, bool keepdims = false,
           std::optional<DType> dtype = std::nullopt);
Array var(const Array& x, Axis axis = none, bool keepdims = false, int64_t ddof = 0);
Array std(const Array& x, Axis axis = none, bool keepdims = false, int64_t ddof = 0);
Array max(const Array& x, Axis axis = none, bool keepdims = false);
Array min(const Array& x, Axis axis = none, bool keepdims = false);
Array amax(const Array& x, Axis axis = none, bool keepdims = false);
Array amin(const Array& x, Axis axis = none, bool keepdims = false);
Array all(const Array& x, Axis axis = none, bool keepdims = false);
Array any(const Array& x, Axis axis = none, bool keepdims = false);
// axis none: index into the flattened array.
Array argmax(const Array& x, std::optional<int64_t> axis = std::nullopt, bool keepdims = false);
Array argmin(const Array& x, std::optional<int64_t> axis = std::nullopt, bool keepdims = false);
Array cumsum(const Array& x, std::optional<int64_t> axis = std::nullopt,
             std::optional<DType> dtype = std::nullopt);
Array cumprod(const Array& x, std::optional<int64_t> axis = std::nullopt,
              std::optional<DType> dtype = std::nullopt);
Array sort(const Array& x, std::optional<int64_t> axis = -1);
Array argsort(const Array& x, std::optional<int64_t> axis = -1);

// ---- linear algebra ------------------------------------------------------------------------
Array matmul(const Array& a, const Array& b);
Array dot(const Array& a, const Array& b);
Array vdot(const Array& a, const Array& b);
Array inner(const Array& a, const Array& b);
Array outer(const Array& a, const Array& b);
// tensordot(a, b, 2) or tensordot(a, b, {{1, 2}, {0, 1}}).
Array tensordot(const Array& a, const Array& b, int64_t axes = 2);
Array tensordot(const Array& a, const Array& b,
                const std::pair<std::vector<int64_t>, std::vector<int64_t>>& axes);
// einsum("ij,jk->ik", {a, b}); implicit output ("ij,jk") as numpy; "..." broadcasting.
Array einsum(std::string_view subscripts, const std::vector<Array>& operands);

namespace linalg {
// ord: none (2-norm of the flattened vector / Frobenius), or for vectors any p (incl. inf,
// -inf, 0), for matrices "fro", 1, -1, inf, -inf ("nuc" and 2 need an SVD: not supported).
using Ord = std::variant<std::monostate, double, std::string>;
Array norm(const Array& x, Ord ord = {}, Axis axis = none, bool keepdims = false);
}  // namespace linalg

// ---- shapes and joining --------------------------------------------------------------------
// One dimension may be -1 (inferred).
Array reshape(const Array& x, const std::vector<int64_t>& shape);
Array ravel(const Array& x);
// axes none reverses the dimensions.
Array transpose(const Array& x, std::optional<std::vector<int64_t>> axes = std::nullopt);
Array moveaxis(const Array& x, int64_t source, int64_t destination);
Array moveaxis(const Array& x, const std::vector<int64_t>& source,
               const std::vector<int64_t>& destination);
Array swapaxes(const Array& x, int64_t axis1, int64_t axis2);
Array squeeze(const Array& x, Axis axis = none);
Array expand_dims(const Array& x, Axis axis);
Array broadcast_to(const Array& x, const Shape& shape);
std::vector<Array> broadcast_arrays(const std::vector<Array>& arrays);
Shape broadcast_shapes(const std::vector<Shape>& shapes);
Array stack(const std::vector<Array>& arrays, int64_t axis = 0);
Array concatenate(const std::vector<Array>& arrays, std::optional<int64_t> axis = 0);
// split(x, 3) into equal sections; split(x, std::vector<int64_t>{2, 5}) at indices.
std::vector<Array> split(const Array& x, int64_t sections, int64_t axis = 0);
std::vector<Array> split(const Array& x, const std::vector<int64_t>& indices, int64_t axis = 0);
Array flip(const Array& x, Axis axis = none);
// take(x, indices) on the flattened array, or along axis. mode: "fill" (default, as JAX:
// out-of-range gives NaN / INT_MIN...), "clip", "wrap".
Array take(const Array& x, const Array& indices, std::optional<int64_t> axis = std::nullopt,
           std::string_view mode = "fill");
Array take_along_axis(const Array& x, const Array& indices, int64_t axis);

// Dtype queries, as jnp.result_type / jnp.promote_types.
DType result_type(const std::vector<Array>& arrays);

}  // namespace jx::numpy

#include "jx/numpy_inl.h"
