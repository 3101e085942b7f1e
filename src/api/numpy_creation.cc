// jax.numpy's array creation: array/asarray, zeros/ones/full(_like), arange, linspace, eye.
// Default dtypes are JAX's (float32, int32); fills are lax broadcasts of a converted scalar, as
// lax.full does.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "api/promote.h"
#include "core/array_impl.h"
#include "jx/lax.h"
#include "jx/numpy.h"

namespace jx::numpy {
namespace nd = numpy_detail;

namespace {

void check_shape(std::string_view fn, const Shape& shape) {
  for (int64_t d : shape) {
    if (d < 0) {
      throw ValueError(std::string(fn) + ": negative dimensions are not allowed, got shape " +
                       shape.str());
    }
  }
}

// lax.broadcast of a rank-0 value to `shape` (the value itself for a scalar shape).
Array broadcast_scalar(const Array& value, const Shape& shape) {
  if (shape.empty()) return value;
  return lax::broadcast_in_dim(value, shape, {});
}

DType to_inexact(DType d) { return is_floating(d) ? d : kDefaultFloat; }

// The exact value of a concrete scalar argument (the C++ literal for weak scalars).
struct HostScalar {
  bool integral = false;
  int64_t i = 0;
  double f = 0;
};

HostScalar host_scalar(std::string_view fn, std::string_view name, const Array& a) {
  if (a.ndim() != 0) {
    throw ValueError("jax.numpy." + std::string(fn) + ": arguments must be scalars; got " +
                     std::string(name) + " of shape " + a.shape().str());
  }
  if (!a.is_concrete()) {
    throw_concretization_error(*a.impl(), "the argument '" + std::string(name) + "' of jax.numpy." +
                                              std::string(fn) + ", which must be a concrete value");
  }
  HostScalar s;
  const auto& literal = a.impl()->literal;
  if (const double* d = std::get_if<double>(&literal)) {
    s.f = *d;
  } else if (const int64_t* i = std::get_if<int64_t>(&literal)) {
    s.integral = true;
    s.i = *i;
  } else if (const uint64_t* u = std::get_if<uint64_t>(&literal)) {
    s.integral = true;
    s.i = static_cast<int64_t>(*u);
  } else if (is_floating(a.dtype())) {
    s.f = a.item<double>();
  } else {
    s.integral = true;
    s.i = a.item<int64_t>();
  }
  if (s.integral) s.f = static_cast<double>(s.i);
  return s;
}

}  // namespace

// ---- array / asarray -----------------------------------------------------------------------

Array array(const Array& x, std::optional<DType> dtype) {
  if (dtype && *dtype != x.dtype()) return nd::convert(x, *dtype, false);
  if (!x.is_concrete()) return x.weak_type() ? lax::convert_element_type(x, x.dtype()) : x;
  Array out = make_array(x.shape(), x.dtype(), false);
  if (x.nbytes()) std::memcpy(mutable_data(out), x.data(), x.nbytes());
  return out;
}

Array asarray(const Array& x, std::optional<DType> dtype) {
  if (!dtype) {
    (void)x.aval();  // a null handle throws here rather than being passed through
    return x;
  }
  return nd::convert(x, *dtype, false);
}

// ---- filled arrays -------------------------------------------------------------------------

Array zeros(const Shape& shape, DType dtype) {
  check_shape("zeros", shape);
  return broadcast_scalar(nd::convert(Array(0), dtype, false), shape);
}

Array ones(const Shape& shape, DType dtype) {
  check_shape("ones", shape);
  return broadcast_scalar(nd::convert(Array(1), dtype, false), shape);
}

Array full(const Shape& shape, const Array& fill_value, std::optional<DType> dtype) {
  check_shape("full", shape);
  if (fill_value.ndim() != 0) {
    return nd::broadcast_to("full", asarray(fill_value, dtype), shape);
  }
  // lax.full: a weakly typed fill keeps its weakness unless a dtype is asked for.
  const bool weak = !dtype && fill_value.weak_type();
  return broadcast_scalar(nd::convert(fill_value, dtype.value_or(fill_value.dtype()), weak), shape);
}

Array full_like(const Array& x, const Array& fill_value, std::optional<DType> dtype) {
  if (fill_value.ndim() != 0) {
    return nd::broadcast_to("full_like", asarray(fill_value, dtype.value_or(x.dtype())), x.shape());
  }
  const bool weak = !dtype && x.weak_type();
  return broadcast_scalar(nd::convert(fill_value, dtype.value_or(x.dtype()), weak), x.shape());
}

Array zeros_like(const Array& x, std::optional<DType> dtype) { return full_like(x, 0, dtype); }
Array ones_like(const Array& x, std::optional<DType> dtype) { return full_like(x, 1, dtype); }

// ---- ranges --------------------------------------------------------------------------------

namespace {
// An arange length as an element count: negative counts as empty; an infinite or huge one
// (an infinite stop, a wrapped-around unsigned stop) is an error before any float->int
// conversion or allocation.
int64_t checked_range_length(double n) {
  if (n > static_cast<double>(std::numeric_limits<int32_t>::max())) {
    throw ValueError("jax.numpy.arange: Maximum allowed size exceeded");
  }
  return static_cast<int64_t>(std::max(n, 0.0));
}
}  // namespace

Array arange(const Array& stop, std::optional<DType> dtype) {
  HostScalar s = host_scalar("arange", "stop", stop);
  Array args[] = {stop};
  DType d = dtype.value_or(nd::result_kind(args).dtype);
  // A non-integer stop counts ceil(stop) elements; a negative one none (numpy's empty range).
  double n = s.integral ? static_cast<double>(s.i) : std::ceil(s.f);
  if (std::isnan(n)) throw ValueError("jax.numpy.arange: cannot compute length (stop is NaN)");
  return lax::iota(d, checked_range_length(n));
}

namespace {
template <class T>
void fill_range(T* out, int64_t n, const HostScalar& start, const HostScalar& step) {
  if (n == 0) return;
  // numpy's arange: the first two values are start and start + step converted to T; the rest
  // are first + i * (second - first), computed in T.
  T first, second;
  if (start.integral && step.integral) {
    first = static_cast<T>(start.i);
    // Wrapping (unsigned) arithmetic: start + step may exceed int64 near its extremes.
    second = static_cast<T>(static_cast<uint64_t>(start.i) + static_cast<uint64_t>(step.i));
  } else {
    first = static_cast<T>(start.f);
    second = static_cast<T>(start.f + step.f);
  }
  if constexpr (std::is_integral_v<T>) {
    // In T's unsigned twin, so intermediate i * delta wraps (defined) instead of overflowing.
    using U = std::make_unsigned_t<std::common_type_t<T, unsigned>>;
    const U delta = static_cast<U>(static_cast<U>(second) - static_cast<U>(first));
    for (int64_t i = 0; i < n; ++i) {
      out[i] = static_cast<T>(static_cast<U>(first) + static_cast<U>(i) * delta);
    }
  } else {
    T delta = static_cast<T>(second - first);
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(first + static_cast<T>(i) * delta);
  }
}
}  // namespace

Array arange(const Array& start, const Array& stop, const Array& step, std::optional<DType> dtype) {
  HostScalar a = host_scalar("arange", "start", start);
  HostScalar b = host_scalar("arange", "stop", stop);
  HostScalar c = host_scalar("arange", "step", step);
  Array args[] = {start, stop, step};
  DType d = dtype.value_or(nd::result_kind(args).dtype);
  if (is_bool(d)) throw DTypeError("jax.numpy.arange: dtype bool is not supported");
  if (c.f == 0) throw ValueError("jax.numpy.arange: step must not be zero");
  // jnp.arange(0, stop) is lax.iota; other ranges are computed on the host, as JAX does.
  if (a.f == 0 && c.integral && c.i == 1) {
    double n = b.integral ? static_cast<double>(b.i) : std::ceil(b.f);
    if (std::isnan(n)) throw ValueError("jax.numpy.arange: cannot compute length (stop is NaN)");
    return lax::iota(d, checked_range_length(n));
  }
  double len = std::ceil((b.f - a.f) / c.f);
  int64_t num = 0;
  // When stop - start overflows int64 the double length (then too large anyway) stands.
  if (a.integral && b.integral && c.integral && !__builtin_sub_overflow(b.i, a.i, &num) &&
      !(num == std::numeric_limits<int64_t>::min() && c.i == -1)) {
    // Exact integer length: ceil((stop - start) / step) without rounding through double.
    int64_t q = num / c.i;
    if (q * c.i != num && ((num < 0) == (c.i < 0))) ++q;
    len = static_cast<double>(q);
  }
  if (!(len > 0)) len = 0;  // also NaN
  const int64_t n = checked_range_length(len);
  Array out = make_array(Shape{n}, d, false);
  dispatch_dtype(d, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) fill_range(mutable_data<T>(out), n, a, c);
  });
  return out;
}

Array linspace(const Array& start, const Array& stop, int64_t num, bool endpoint,
               std::optional<DType> dtype) {
  if (num < 0) {
    throw ValueError("Number of samples, " + std::to_string(num) + ", must be non-negative.");
  }
  Array args[] = {start, stop};
  DType d = dtype.value_or(to_inexact(nd::result_kind(args).dtype));
  DType cd = to_inexact(d);
  Array lo = nd::convert(start, cd, false);
  Array hi = nd::convert(stop, cd, false);
  Shape shapes[] = {lo.shape(), hi.shape()};
  Shape bounds = nd::broadcast_shapes("linspace", shapes);
  lo = nd::broadcast_to("linspace", lo, bounds);
  hi = nd::broadcast_to("linspace", hi, bounds);
  Shape bounds1 = bounds;
  bounds1.insert(0, 1);
  const int64_t div = endpoint ? num - 1 : num;
  Array out;
  if (num > 1) {
    // out = start * (1 - t) + stop * t with t = iota / div: recovers both endpoints exactly.
    Shape iota_shape;
    for (size_t i = 0; i < bounds1.size(); ++i) iota_shape.push_back(i == 0 ? div : 1);
    Array t =
        divide(lax::reshape(lax::iota(cd, div), iota_shape), nd::convert(Array(div), cd, false));
    out = add(multiply(lax::reshape(lo, bounds1), subtract(1, t)),
              multiply(lax::reshape(hi, bounds1), t));
    if (endpoint) out = lax::concatenate({out, lax::expand_dims(hi, {0})}, 0);
  } else if (num == 1) {
    out = lax::reshape(lo, bounds1);
  } else {
    Shape empty = bounds;
    empty.insert(0, 0);
    return zeros(empty, d);
  }
  if (is_integer(d)) out = lax::floor(out);
  return asarray(out, d);
}

Array eye(int64_t n, std::optional<int64_t> m, int64_t k, DType dtype) {
  const int64_t cols = m.value_or(n);
  if (n < 0 || cols < 0) {
    throw ValueError("jnp.eye: negative dimensions are not allowed, got " + std::to_string(n) +
                     " and " + std::to_string(cols));
  }
  check_aval_size("jnp.eye", ShapedArray{Shape{n, cols}, dtype, false});
  // The ones of diagonal k are rows max(0, -k) .. min(n, cols - k), at flat positions
  // cols + 1 apart: one pad of a vector of ones (cols zeros between them, the rest before and
  // after) writes the matrix in a single pass, where iota == iota + k takes five.
  // Offsets beyond the matrix give no ones; clamping keeps the arithmetic below in range.
  k = std::clamp<int64_t>(k, -n, cols);
  const int64_t first = std::max<int64_t>(0, -k);
  const int64_t last = k >= cols ? 0 : std::min(n, cols - k);
  const int64_t count = std::max<int64_t>(0, last - first);
  Array zero = lax::convert_element_type(Array(0), dtype);
  if (count == 0) return lax::broadcast_in_dim(zero, Shape{n, cols}, {});
  const int64_t start = first * cols + first + k;
  const int64_t hi = n * cols - (start + count + (count - 1) * cols);
  Array diagonal = lax::pad(ones({count}, dtype), zero, {{start, hi, cols}});
  return lax::reshape(diagonal, Shape{n, cols});
}

Array identity(int64_t n, DType dtype) { return eye(n, std::nullopt, 0, dtype); }

}  // namespace jx::numpy
