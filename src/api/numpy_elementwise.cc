// jax.numpy's elementwise functions on jx::lax: numpy broadcasting plus JAX's dtype promotion
// (weak C++ scalars, int -> float32 for true division and transcendental functions). Each
// function follows the composition of lax primitives jax.numpy uses, so that transformations of
// these functions see the same primitives JAX's would.
//
// A C++ integer scalar out of range of the other operand's dtype wraps, as in JAX (which converts
// Python ints with numpy's astype): uint8 array + 300 adds 44.
#include <cmath>
#include <limits>
#include <string>

#include "api/promote.h"
#include "core/array_impl.h"
#include "jx/lax.h"
#include "jx/numpy.h"

namespace jx::numpy {
namespace nd = numpy_detail;

namespace {

std::vector<Array> promote(std::string_view fn, std::initializer_list<Array> args) {
  return nd::promote_args(fn, std::span<const Array>(args.begin(), args.size()));
}

std::vector<Array> promote_inexact(std::string_view fn, std::initializer_list<Array> args) {
  return nd::promote_args_inexact(fn, std::span<const Array>(args.begin(), args.size()));
}

// JAX's promote_args_numeric: the common dtype, with bool replaced by the default int.
std::vector<Array> promote_numeric(std::string_view fn, std::initializer_list<Array> args) {
  std::span<const Array> in(args.begin(), args.size());
  TypedKind k = nd::result_kind(in);
  if (is_bool(k.dtype)) k = {kDefaultInt, false};
  std::vector<Array> converted;
  for (const auto& a : in) converted.push_back(nd::convert(a, k.dtype, k.weak_type));
  // Every operand now has one dtype and weakness, so this only broadcasts.
  return nd::promote_args(fn, converted);
}

Array promote_one(std::string_view fn, const Array& x) { return promote(fn, {x})[0]; }
Array promote_one_inexact(std::string_view fn, const Array& x) {
  return promote_inexact(fn, {x})[0];
}

// A strongly typed rank-0 constant of x's dtype (JAX's _constant_like).
Array scalar_like(const Array& x, double value) {
  return nd::convert(Array(value), x.dtype(), false);
}
// The same constant broadcast to x's shape, for the same-shape lax binary ops.
Array constant_like(const Array& x, double value) {
  return nd::broadcast_to("constant", scalar_like(x, value), x.shape());
}

bool is_int_or_bool(DType d) { return is_integer(d) || is_bool(d); }

// lax.select_n needs one shape, where promoted operands may still differ in size-1 axes.
Array select(const Array& pred, const Array& on_true, const Array& on_false) {
  std::vector<Array> a = nd::broadcast_arrays("where", {pred, on_false, on_true});
  return lax::select_n(a[0], {a[1], a[2]});
}

}  // namespace

// ---- arithmetic ----------------------------------------------------------------------------

Array add(const Array& x, const Array& y) {
  auto a = promote("add", {x, y});
  // numpy's add on booleans is logical or.
  return is_bool(a[0].dtype()) ? lax::bitwise_or(a[0], a[1]) : lax::add(a[0], a[1]);
}

Array subtract(const Array& x, const Array& y) {
  auto a = promote("subtract", {x, y});
  return lax::sub(a[0], a[1]);
}

Array multiply(const Array& x, const Array& y) {
  auto a = promote("multiply", {x, y});
  return is_bool(a[0].dtype()) ? lax::bitwise_and(a[0], a[1]) : lax::mul(a[0], a[1]);
}

Array divide(const Array& x, const Array& y) { return true_divide(x, y); }

Array true_divide(const Array& x, const Array& y) {
  auto a = promote_inexact("true_divide", {x, y});
  return lax::div(a[0], a[1]);
}

namespace {
// CPython's float_divmod (as jnp does): the floored quotient and the remainder with the sign of
// the divisor, from the truncating lax.rem.
std::pair<Array, Array> float_divmod(const Array& x1, const Array& x2) {
  Array mod = lax::rem(x1, x2);
  Array div = lax::div(lax::sub(x1, mod), x2);
  Array zero = zeros_like(mod);
  Array ind = lax::bitwise_and(lax::ne(mod, zero), lax::ne(lax::sign(x2), lax::sign(mod)));
  mod = select(ind, lax::add(mod, x2), mod);
  div = select(ind, lax::sub(div, ones_like(div)), div);
  return {lax::round(div, lax::RoundingMethod::kToNearestEven), mod};
}
}  // namespace

Array floor_divide(const Array& x, const Array& y) {
  auto a = promote_numeric("floor_divide", {x, y});
  const Array &x1 = a[0], &x2 = a[1];
  DType d = x1.dtype();
  if (is_unsigned_integer(d)) return lax::div(x1, x2);
  if (is_signed_integer(d)) {
    Array quotient = lax::div(x1, x2);
    Array zero = zeros_like(x1);
    Array adjust =
        lax::bitwise_and(lax::ne(lax::sign(x1), lax::sign(x2)), lax::ne(lax::rem(x1, x2), zero));
    return select(adjust, lax::sub(quotient, ones_like(quotient)), quotient);
  }
  return float_divmod(x1, x2).first;
}

Array remainder(const Array& x, const Array& y) {
  auto a = promote_numeric("remainder", {x, y});
  Array x1 = a[0], x2 = a[1];
  Array zero = zeros_like(x1);
  // Integer division by zero: XLA's rem(x, 0) is x; numpy's remainder gives 0.
  if (is_integer(x2.dtype())) x2 = select(lax::eq(x2, zero), ones_like(x2), x2);
  Array trunc_mod = lax::rem(x1, x2);
  Array do_plus = lax::bitwise_and(lax::ne(lax::lt(trunc_mod, zero), lax::lt(x2, zero)),
                                   lax::ne(trunc_mod, zero));
  return select(do_plus, lax::add(trunc_mod, x2), trunc_mod);
}

Array mod(const Array& x, const Array& y) { return remainder(x, y); }

Array fmod(const Array& x, const Array& y) {
  auto a = promote_numeric("fmod", {x, y});
  Array x2 = a[1];
  if (is_integer(x2.dtype())) x2 = select(lax::eq(x2, zeros_like(x2)), ones_like(x2), x2);
  return lax::rem(a[0], x2);
}

namespace {

// lax.integer_pow's expansion: binary exponentiation by repeated multiplication (exact for
// integers; x**2 is x*x for floats, as in JAX).
Array integer_pow(const Array& x, int64_t n) {
  if (n < 0 && !is_floating(x.dtype())) {
    throw DTypeError("Integers cannot be raised to negative powers, got integer_pow(" +
                     x.aval().str() + ", " + std::to_string(n) + ")");
  }
  if (n == 0) return ones_like(x);
  const bool reciprocal = n < 0;
  uint64_t e = reciprocal ? static_cast<uint64_t>(-(n + 1)) + 1 : static_cast<uint64_t>(n);
  Array base = x;
  std::optional<Array> acc;
  while (e > 0) {
    if (e & 1) acc = acc ? lax::mul(*acc, base) : base;
    e >>= 1;
    if (e > 0) base = lax::mul(base, base);
  }
  return reciprocal ? lax::div(ones_like(*acc), *acc) : *acc;
}

// jnp's _pow_int_int: six rounds of binary exponentiation (anything larger overflows for any
// base other than -1, 0 and 1, which the six low bits already decide).
Array pow_int_int(Array x1, Array x2) {
  Array zero = zeros_like(x2);
  Array one = ones_like(x2);
  Array acc = select(lax::bitwise_and(lax::eq(x1, zeros_like(x1)), lax::ne(x2, zero)),
                     zeros_like(x1), ones_like(x1));
  for (int i = 0; i < 6; ++i) {
    Array bit = lax::ne(lax::bitwise_and(x2, one), zero);
    acc = select(bit, lax::mul(acc, x1), acc);
    x1 = lax::mul(x1, x1);
    x2 = lax::shift_right_logical(x2, one);
  }
  return acc;
}

}  // namespace

Array power(const Array& x, const Array& y) {
  // A concrete integer scalar exponent (a C++ int, or any concrete rank-0 integer array) uses
  // exact binary exponentiation in x's own dtype, as jnp.power does for operator.index()-able
  // exponents.
  if (y.is_concrete() && y.ndim() == 0 && is_integer(y.dtype())) {
    Array base = x;
    if (is_bool(base.dtype())) base = nd::convert(base, kDefaultInt, base.weak_type());
    return integer_pow(base, y.item<int64_t>());
  }
  auto a = promote_numeric("power", {x, y});
  if (is_integer(a[0].dtype())) return pow_int_int(a[0], a[1]);
  return lax::pow(a[0], a[1]);
}

Array negative(const Array& x) { return lax::neg(promote_one("negative", x)); }

Array positive(const Array& x) { return promote_one("positive", x); }

Array abs(const Array& x) {
  Array a = promote_one("absolute", x);
  if (is_bool(a.dtype()) || is_unsigned_integer(a.dtype())) return a;
  return lax::abs(a);
}

Array absolute(const Array& x) { return abs(x); }

Array sign(const Array& x) { return lax::sign(promote_one("sign", x)); }

Array floor(const Array& x) {
  if (is_int_or_bool(x.dtype())) return x;
  return lax::floor(promote_one_inexact("floor", x));
}

Array ceil(const Array& x) {
  if (is_int_or_bool(x.dtype())) return x;
  return lax::ceil(promote_one_inexact("ceil", x));
}

Array round(const Array& x, int decimals) {
  if (is_integer(x.dtype())) {
    if (decimals < 0) {
      throw NotSupportedError(
          "jnp.round: integer arrays with decimals < 0 are not supported (JAX raises here too)");
    }
    return x;  // no-op on integer types, as in JAX
  }
  if (decimals == 0) return lax::round(x, lax::RoundingMethod::kToNearestEven);
  // JAX rescales by 10**decimals, rounds half to even, and scales back.
  Array f = constant_like(x, std::pow(10.0, decimals));
  return lax::div(lax::round(lax::mul(x, f), lax::RoundingMethod::kToNearestEven), f);
}

Array rint(const Array& x) {
  if (is_int_or_bool(x.dtype())) return lax::convert_element_type(x, kDefaultFloat);
  return lax::round(x, lax::RoundingMethod::kToNearestEven);
}

Array trunc(const Array& x) {
  if (is_int_or_bool(x.dtype())) return x;
  return where(lax::lt(x, zeros_like(x)), ceil(x), floor(x));
}

// ---- transcendental (ints and bools promote to float32) ------------------------------------

#define JX_INEXACT_UNARY(fn, lax_fn) \
  Array fn(const Array& x) { return lax::lax_fn(promote_one_inexact(#fn, x)); }
JX_INEXACT_UNARY(exp, exp)
JX_INEXACT_UNARY(exp2, exp2)
JX_INEXACT_UNARY(expm1, expm1)
JX_INEXACT_UNARY(log, log)
JX_INEXACT_UNARY(log1p, log1p)
JX_INEXACT_UNARY(sqrt, sqrt)
JX_INEXACT_UNARY(cbrt, cbrt)
JX_INEXACT_UNARY(sin, sin)
JX_INEXACT_UNARY(cos, cos)
JX_INEXACT_UNARY(tan, tan)
JX_INEXACT_UNARY(arcsin, asin)
JX_INEXACT_UNARY(arccos, acos)
JX_INEXACT_UNARY(arctan, atan)
JX_INEXACT_UNARY(sinh, sinh)
JX_INEXACT_UNARY(cosh, cosh)
JX_INEXACT_UNARY(tanh, tanh)
JX_INEXACT_UNARY(arcsinh, asinh)
JX_INEXACT_UNARY(arccosh, acosh)
JX_INEXACT_UNARY(arctanh, atanh)
#undef JX_INEXACT_UNARY

namespace {
// log(x) / log(base), as jnp.log2 / jnp.log10 compute it.
Array log_base(std::string_view fn, const Array& x, double base) {
  Array a = promote_one_inexact(fn, x);
  Array log_base = lax::log(scalar_like(a, base));
  return lax::div(lax::log(a), nd::broadcast_to(fn, log_base, a.shape()));
}
}  // namespace

Array log2(const Array& x) { return log_base("log2", x, 2.0); }
Array log10(const Array& x) { return log_base("log10", x, 10.0); }

Array square(const Array& x) {
  Array a = promote_numeric("square", {x})[0];
  return lax::mul(a, a);
}

Array reciprocal(const Array& x) {
  Array a = promote_one_inexact("reciprocal", x);
  return lax::div(ones_like(a), a);
}

Array arctan2(const Array& y, const Array& x) {
  auto a = promote_inexact("arctan2", {y, x});
  return lax::atan2(a[0], a[1]);
}

Array nextafter(const Array& x, const Array& y) {
  auto a = promote_inexact("nextafter", {x, y});
  return lax::nextafter(a[0], a[1]);
}

// ---- classification ------------------------------------------------------------------------

Array isfinite(const Array& x) {
  if (!is_floating(x.dtype())) return full_like(x, true, DType::bool_);
  return lax::is_finite(x);
}

Array isnan(const Array& x) {
  if (!is_floating(x.dtype())) return full_like(x, false, DType::bool_);
  return lax::ne(x, x);
}

Array isinf(const Array& x) {
  if (!is_floating(x.dtype())) return full_like(x, false, DType::bool_);
  return lax::eq(lax::abs(x), constant_like(x, std::numeric_limits<double>::infinity()));
}

// ---- comparisons, extrema ------------------------------------------------------------------

#define JX_PROMOTED_BINARY(fn, lax_fn)       \
  Array fn(const Array& x, const Array& y) { \
    auto a = promote(#fn, {x, y});           \
    return lax::lax_fn(a[0], a[1]);          \
  }
JX_PROMOTED_BINARY(maximum, max)
JX_PROMOTED_BINARY(minimum, min)
JX_PROMOTED_BINARY(equal, eq)
JX_PROMOTED_BINARY(not_equal, ne)
JX_PROMOTED_BINARY(less, lt)
JX_PROMOTED_BINARY(less_equal, le)
JX_PROMOTED_BINARY(greater, gt)
JX_PROMOTED_BINARY(greater_equal, ge)
JX_PROMOTED_BINARY(bitwise_and, bitwise_and)
JX_PROMOTED_BINARY(bitwise_or, bitwise_or)
JX_PROMOTED_BINARY(bitwise_xor, bitwise_xor)
#undef JX_PROMOTED_BINARY

// ---- logical (any dtype; nonzero is true) --------------------------------------------------

namespace {
Array truthy(const Array& x) {
  if (is_bool(x.dtype())) return x;
  return lax::ne(x, zeros_like(x));
}
}  // namespace

Array logical_and(const Array& x, const Array& y) {
  auto a = promote("logical_and", {truthy(x), truthy(y)});
  return lax::bitwise_and(a[0], a[1]);
}

Array logical_or(const Array& x, const Array& y) {
  auto a = promote("logical_or", {truthy(x), truthy(y)});
  return lax::bitwise_or(a[0], a[1]);
}

Array logical_xor(const Array& x, const Array& y) {
  auto a = promote("logical_xor", {truthy(x), truthy(y)});
  return lax::bitwise_xor(a[0], a[1]);
}

Array logical_not(const Array& x) { return lax::bitwise_not(truthy(x)); }

// ---- bitwise -------------------------------------------------------------------------------

Array bitwise_not(const Array& x) { return lax::bitwise_not(promote_one("bitwise_not", x)); }
Array invert(const Array& x) { return lax::bitwise_not(promote_one("invert", x)); }

Array left_shift(const Array& x, const Array& y) {
  auto a = promote_numeric("left_shift", {x, y});
  return lax::shift_left(a[0], a[1]);
}

Array right_shift(const Array& x, const Array& y) {
  auto a = promote_numeric("right_shift", {x, y});
  // numpy shifts signed integers arithmetically and unsigned ones logically.
  if (is_unsigned_integer(a[0].dtype())) return lax::shift_right_logical(a[0], a[1]);
  return lax::shift_right_arithmetic(a[0], a[1]);
}

// ---- selection -----------------------------------------------------------------------------

Array where(const Array& condition, const Array& x, const Array& y) {
  Array c = truthy(condition);
  Array xy[] = {x, y};
  std::vector<Array> v = nd::promote_dtypes(xy);
  Shape shapes[] = {c.shape(), v[0].shape(), v[1].shape()};
  Shape target = nd::broadcast_shapes("where", shapes);
  c = nd::broadcast_to("where", c, target);
  Array on_true = nd::broadcast_to("where", v[0], target);
  Array on_false = nd::broadcast_to("where", v[1], target);
  if (target.numel() == 0) return on_true;
  return select(c, on_true, on_false);
}

Array clip(const Array& x, std::optional<Array> lo, std::optional<Array> hi) {
  (void)x.aval();  // with neither bound x is returned as is: reject a null handle first
  Array out = x;
  if (lo) out = maximum(*lo, out);
  if (hi) out = minimum(*hi, out);
  return out;
}

}  // namespace jx::numpy
