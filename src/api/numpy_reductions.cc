// jax.numpy's reductions, cumulative reductions and sorting on jx::lax. Result dtypes are JAX's:
// sums and products of bools and small ints accumulate in the default int (uint32 for unsigned),
// means and variances of integers are float32, and max/min of an empty axis is an error.
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "api/promote.h"
#include "core/array_impl.h"
#include "jx/lax.h"
#include "jx/numpy.h"

namespace jx::numpy {
namespace nd = numpy_detail;

namespace {

std::string axes_str(const std::vector<int64_t>& axes) {
  std::ostringstream os;
  os << "(";
  for (size_t i = 0; i < axes.size(); ++i) os << (i ? ", " : "") << axes[i];
  if (axes.size() == 1) os << ",";
  os << ")";
  return os.str();
}

// The sorted, non-negative axes an `axis` argument names (all of them for none).
std::vector<int64_t> reduction_axes(std::string_view fn, const Axis& axis, int ndim) {
  std::vector<int64_t> out;
  if (axis.is_none()) {
    for (int i = 0; i < ndim; ++i) out.push_back(i);
    return out;
  }
  for (int64_t a : axis.axes()) out.push_back(normalize_axis(a, ndim, fn));
  std::vector<int64_t> sorted = out;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw ValueError("duplicate value in 'axis': " +
                     (axis.is_single() ? std::to_string(axis.axes()[0]) : axes_str(axis.axes())));
  }
  return sorted;
}

// The number of elements reduced over `axes`.
int64_t reduced_size(const Shape& shape, const std::vector<int64_t>& axes) {
  int64_t n = 1;
  for (int64_t a : axes) n *= shape[static_cast<size_t>(a)];
  return n;
}

// JAX's _promote_integer_dtype: bools and narrow ints accumulate in the default int width.
DType promote_integer_dtype(DType d) {
  if (is_bool(d)) return kDefaultInt;
  if (d == DType::uint8) return DType::uint32;
  return d;
}

DType to_inexact(DType d) { return is_floating(d) ? d : kDefaultFloat; }

using LaxReduce = Array (*)(const Array&, const std::vector<int64_t>&);

struct ReductionSpec {
  std::string_view name;
  LaxReduce op;
  LaxReduce bool_op = nullptr;  // used when the computation dtype is bool
  bool has_identity = true;
  bool numeric_preproc = false;  // bool -> int first (sum, prod)
  bool bool_preproc = false;     // cast to bool first (all, any)
  bool promote_integers = false;
};

// jnp's _reduction: preprocess, pick the result dtype, reduce over the axes, keep dims.
Array reduction(const ReductionSpec& spec, const Array& x, const Axis& axis, bool keepdims,
                std::optional<DType> dtype) {
  Array a = x;
  if (spec.numeric_preproc && is_bool(a.dtype())) a = nd::convert(a, kDefaultInt, a.weak_type());
  if (spec.bool_preproc) a = nd::convert(a, DType::bool_, false);
  std::vector<int64_t> axes = reduction_axes(spec.name, axis, a.ndim());
  if (!spec.has_identity) {
    for (int64_t d : axes) {
      if (a.shape()[static_cast<size_t>(d)] == 0) {
        throw ValueError("zero-size array to reduction operation " + std::string(spec.name) +
                         " which has no identity");
      }
    }
  }
  DType result_dtype = dtype.value_or(a.dtype());
  if (!dtype && spec.promote_integers) result_dtype = promote_integer_dtype(result_dtype);
  a = nd::convert(a, result_dtype, false);
  LaxReduce op = is_bool(result_dtype) && spec.bool_op ? spec.bool_op : spec.op;
  Array result = axes.empty() ? a : op(a, axes);
  if (keepdims && !axes.empty()) result = lax::expand_dims(result, axes);
  return nd::convert(result, result_dtype, false);
}

// lax.div with numpy broadcasting (a reduced array by a scalar normalizer).
Array div_by(const Array& x, int64_t n) {
  Array d = nd::convert(Array(n), x.dtype(), false);
  Array args[] = {x, d};
  auto v = nd::promote_args("mean", args);
  return lax::div(v[0], v[1]);
}

}  // namespace

Array sum(const Array& x, Axis axis, bool keepdims, std::optional<DType> dtype) {
  return reduction({.name = "sum",
                    .op = lax::reduce_sum,
                    .bool_op = lax::reduce_or,
                    .numeric_preproc = true,
                    .promote_integers = true},
                   x, axis, keepdims, dtype);
}

Array prod(const Array& x, Axis axis, bool keepdims, std::optional<DType> dtype) {
  return reduction({.name = "prod",
                    .op = lax::reduce_prod,
                    .bool_op = lax::reduce_and,
                    .numeric_preproc = true,
                    .promote_integers = true},
                   x, axis, keepdims, dtype);
}

Array max(const Array& x, Axis axis, bool keepdims) {
  return reduction({.name = "max", .op = lax::reduce_max, .has_identity = false}, x, axis, keepdims,
                   std::nullopt);
}

Array min(const Array& x, Axis axis, bool keepdims) {
  return reduction({.name = "min", .op = lax::reduce_min, .has_identity = false}, x, axis, keepdims,
                   std::nullopt);
}

Array amax(const Array& x, Axis axis, bool keepdims) { return max(x, axis, keepdims); }
Array amin(const Array& x, Axis axis, bool keepdims) { return min(x, axis, keepdims); }

Array all(const Array& x, Axis axis, bool keepdims) {
  return reduction({.name = "all", .op = lax::reduce_and, .bool_preproc = true}, x, axis, keepdims,
                   std::nullopt);
}

Array any(const Array& x, Axis axis, bool keepdims) {
  return reduction({.name = "any", .op = lax::reduce_or, .bool_preproc = true}, x, axis, keepdims,
                   std::nullopt);
}

Array mean(const Array& x, Axis axis, bool keepdims, std::optional<DType> dtype) {
  DType result_dtype = dtype.value_or(to_inexact(x.dtype()));
  std::vector<int64_t> axes = reduction_axes("mean", axis, x.ndim());
  const int64_t n = reduced_size(x.shape(), axes);
  Array total = sum(x, axis, keepdims, result_dtype);
  // An empty reduction divides 0 by 0: NaN, as numpy (which also warns).
  return nd::convert(div_by(total, n), result_dtype, false);
}

Array var(const Array& x, Axis axis, bool keepdims, int64_t ddof) {
  DType dtype = to_inexact(x.dtype());
  Array a = nd::convert(x, dtype, false);
  std::vector<int64_t> axes = reduction_axes("var", axis, x.ndim());
  Array centered = subtract(a, mean(a, axis, true, dtype));
  centered = lax::mul(centered, centered);
  int64_t n = 0;
  if (__builtin_sub_overflow(reduced_size(x.shape(), axes), ddof, &n)) {
    throw ValueError("jnp.var: ddof=" + std::to_string(ddof) + " is out of range");
  }
  Array total = sum(centered, axis, keepdims, dtype);
  // numpy gives NaN (with a warning) when ddof leaves no degrees of freedom.
  if (n <= 0) return full_like(total, std::numeric_limits<double>::quiet_NaN());
  return div_by(total, n);
}

Array std(const Array& x, Axis axis, bool keepdims, int64_t ddof) {
  return lax::sqrt(var(x, axis, keepdims, ddof));
}

namespace {

Array ravel_all(const Array& x) { return lax::reshape(x, Shape{x.size()}); }

using LaxArg = Array (*)(const Array&, int64_t, DType);

Array arg_reduction(std::string_view name, LaxArg op, const Array& x, std::optional<int64_t> axis,
                    bool keepdims) {
  Array a = x;
  int64_t ax;
  std::vector<int64_t> keep_dims;
  if (!axis) {
    for (int i = 0; i < x.ndim(); ++i) keep_dims.push_back(i);
    a = ravel_all(x);
    ax = 0;
  } else {
    ax = normalize_axis(*axis, x.ndim(), name);
    keep_dims.push_back(ax);
  }
  if (a.shape()[static_cast<size_t>(ax)] == 0) {
    throw ValueError("attempt to get " + std::string(name) + " of an empty sequence");
  }
  Array result = op(a, ax, kDefaultInt);
  if (keepdims && !keep_dims.empty()) result = lax::expand_dims(result, keep_dims);
  return result;
}

}  // namespace

Array argmax(const Array& x, std::optional<int64_t> axis, bool keepdims) {
  return arg_reduction("argmax", lax::argmax, x, axis, keepdims);
}

Array argmin(const Array& x, std::optional<int64_t> axis, bool keepdims) {
  return arg_reduction("argmin", lax::argmin, x, axis, keepdims);
}

namespace {

using LaxCumulative = Array (*)(const Array&, int64_t, bool);

// jnp's _cumulative_reduction: flatten for axis none, accumulate bools in the default int.
Array cumulative(std::string_view name, LaxCumulative op, const Array& x,
                 std::optional<int64_t> axis, std::optional<DType> dtype) {
  Array a = x;
  // A C++ scalar (JAX: a Python scalar) is flattened whatever the axis.
  if (!axis || (a.ndim() == 0 && a.weak_type())) a = ravel_all(a);
  const int64_t ax = normalize_axis(axis.value_or(0), a.ndim(), name);
  DType result_dtype = dtype.value_or(a.dtype());
  if (is_bool(result_dtype)) result_dtype = promote_integer_dtype(result_dtype);
  // Asking for bool accumulates truth values, counted in ints and cast back.
  if (!is_bool(a.dtype()) && dtype == DType::bool_) a = nd::convert(a, DType::bool_, false);
  a = nd::convert(a, result_dtype, false);
  Array result = op(a, ax, false);
  if (dtype == DType::bool_) result = nd::convert(result, DType::bool_, false);
  return result;
}

}  // namespace

Array cumsum(const Array& x, std::optional<int64_t> axis, std::optional<DType> dtype) {
  return cumulative("cumsum", lax::cumsum, x, axis, dtype);
}

Array cumprod(const Array& x, std::optional<int64_t> axis, std::optional<DType> dtype) {
  return cumulative("cumprod", lax::cumprod, x, axis, dtype);
}

Array sort(const Array& x, std::optional<int64_t> axis) {
  Array a = axis ? x : ravel_all(x);
  const int64_t dim = normalize_axis(axis.value_or(0), a.ndim(), "sort");
  return lax::sort(a, dim, true);
}

Array argsort(const Array& x, std::optional<int64_t> axis) {
  Array a = axis ? x : ravel_all(x);
  const int64_t dim = normalize_axis(axis.value_or(0), a.ndim(), "argsort");
  // Sorting (key, iota) pairs stably yields the permutation; int64 indices only when int32
  // cannot count the axis.
  const bool wide = a.shape()[static_cast<size_t>(dim)] > std::numeric_limits<int32_t>::max();
  Array iota = lax::broadcasted_iota(wide ? DType::int64 : kDefaultInt, a.shape(), dim);
  return lax::sort({a, iota}, dim, true, 1)[1];
}

DType result_type(const std::vector<Array>& arrays) {
  if (arrays.empty()) throw ValueError("at least one array or dtype is required");
  return nd::result_kind(arrays).dtype;
}

}  // namespace jx::numpy
