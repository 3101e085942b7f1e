// The jax.random samplers built on uniform and the raw bits: each follows the derivation in JAX's
// jax/_src/random.py step by step (same key splits, bit widths, constants and formulas), so a
// key gives the same samples as JAX up to the rounding of the elementwise functions it uses.
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "api/random_bits.h"
#include "jx/lax.h"
#include "jx/numpy.h"
#include "jx/random.h"

namespace jx::random {
namespace {

using detail::check_key;
using detail::random_bits;
using detail::to_rank;

// A constant of x's dtype (JAX's _lax_const), exact for integers up to 64 bits.
Array constant(double v, DType dtype) { return lax::convert_element_type(Array(v), dtype); }
Array int_constant(int64_t v, DType dtype) { return lax::convert_element_type(Array(v), dtype); }
Array full(const Array& v, const Shape& shape) { return lax::broadcast_in_dim(v, shape, {}); }

// lax.select(pred, on_true, on_false) with on_true/on_false broadcast to pred's shape.
Array select(const Array& pred, const Array& on_true, const Array& on_false) {
  auto full_of = [&](const Array& x) {
    return x.shape() == pred.shape() ? x : numpy::broadcast_to(x, pred.shape());
  };
  return lax::select_n(pred, {full_of(on_false), full_of(on_true)});
}

// JAX's check that a float sampler got a float dtype (ValueError in JAX).
DType check_float_dtype(std::string_view fn, DType dtype) {
  if (!is_floating(dtype)) {
    throw DTypeError("dtype argument to `" + std::string(fn) + "` must be a float dtype, got " +
                     std::string(dtype_name(dtype)));
  }
  return dtype;
}

// JAX's _check_shape: the parameter shapes broadcast with `shape` to exactly `shape`.
void check_shape(std::string_view fn, const Shape& shape, std::vector<Shape> param_shapes) {
  param_shapes.insert(param_shapes.begin(), shape);
  Shape result = numpy::broadcast_shapes(param_shapes);
  if (result != shape) {
    throw ValueError(std::string(fn) +
                     " parameter shapes must be broadcast-compatible with shape argument, and the "
                     "result of broadcasting the shapes must equal the shape argument, but got "
                     "result " +
                     result.str() + " for shape argument " + shape.str() + ".");
  }
}

// JAX's canonicalize_axis.
int64_t canonical_axis(int64_t axis, int64_t ndim) {
  if (axis < -ndim || axis >= ndim) {
    throw ValueError("axis " + std::to_string(axis) + " is out of bounds for array of dimension " +
                     std::to_string(ndim));
  }
  return axis < 0 ? axis + ndim : axis;
}

// The range of an integer dtype as int64 (jx has no uint64).
std::pair<int64_t, int64_t> iinfo(DType d) {
  switch (d) {
    case DType::uint8:
      return {0, 255};
    case DType::uint32:
      return {0, int64_t{std::numeric_limits<uint32_t>::max()}};
    case DType::int32:
      return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    default:
      return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  }
}

// jnp's _convert_and_clip_integer: val clamped to the range both dtypes share, then converted.
Array convert_and_clip_integer(const Array& val, DType dtype) {
  auto [dmin, dmax] = iinfo(dtype);
  auto [vmin, vmax] = iinfo(val.dtype());
  Array lo = int_constant(std::max(dmin, vmin), val.dtype());
  Array hi = int_constant(std::min(dmax, vmax), val.dtype());
  return lax::convert_element_type(lax::clamp(lo, val, hi), dtype);
}

// Unsigned 64-bit helpers on int64 arrays holding uint64 bit patterns.
Array ult64(const Array& a, const Array& b) {
  Array flip = int_constant(std::numeric_limits<int64_t>::min(), DType::int64);
  return lax::lt(lax::bitwise_xor(a, flip), lax::bitwise_xor(b, flip));
}

// x % s as uint64 (XLA's unsigned rem: x % 0 == x), with s broadcastable to x.
Array urem64(const Array& x, const Array& s) {
  Array xs = numpy::broadcast_to(s, x.shape());
  Array zero = int_constant(0, DType::int64), one = int_constant(1, DType::int64);
  // s >= 2^63: x < 2s, so one conditional subtraction.
  Array big = select(ult64(x, xs), x, lax::sub(x, xs));
  // 0 < s < 2^63: reduce x >> 1 with the signed rem, then fold the low bit back in.
  Array q = lax::rem(lax::shift_right_logical(x, one), xs);
  Array r = lax::add(lax::shift_left(q, one), lax::bitwise_and(x, one));
  Array small = select(ult64(r, xs), r, lax::sub(r, xs));
  return select(lax::eq(xs, zero), x, select(lax::lt(xs, zero), big, small));
}

Array urem(const Array& x, const Array& s, int nbits) {
  return nbits == 64 ? urem64(x, s) : lax::rem(x, s);
}

// JAX's _shuffle: rounds of stable sorts of x along axis by fresh 32-bit random keys.
Array shuffle(Array key, Array x, int64_t axis) {
  const double exponent = 3;
  const double uint32max = static_cast<double>(std::numeric_limits<uint32_t>::max());
  const double size = static_cast<double>(std::max<int64_t>(1, x.size()));
  const int num_rounds =
      static_cast<int>(std::ceil(exponent * std::log(size) / std::log(uint32max)));
  for (int i = 0; i < num_rounds; ++i) {
    Array keys = split(key);
    key = keys[0];
    Array sort_keys = random_bits(keys[1], 32, x.shape());
    x = lax::sort({sort_keys, x}, axis, /*is_stable=*/true, /*num_keys=*/1)[1];
  }
  return x;
}

// jnp.searchsorted(sorted, v) (side='left') for a 1-D non-decreasing `sorted`: a binary search
// giving the first index i with sorted[i] >= v, int32.
Array searchsorted(const Array& sorted, const Array& v) {
  const int64_t n = sorted.size();
  Array lo = numpy::zeros(v.shape(), DType::int32);
  Array hi = full(int_constant(n, DType::int32), v.shape());
  Array one = int_constant(1, DType::int32);
  for (int64_t width = n; width > 0; width /= 2) {
    Array mid = lax::shift_right_logical(lax::add(lo, hi), one);
    Array at = numpy::take(sorted, mid, 0, "clip");
    Array active = lax::lt(lo, hi);
    Array right = lax::bitwise_and(lax::lt(at, v), active);
    Array left = lax::bitwise_and(lax::bitwise_not(right), active);
    lo = select(right, lax::add(mid, one), lo);
    hi = select(left, mid, hi);
  }
  return lo;
}

}  // namespace

Array truncated_normal(const Array& key, const Array& lower, const Array& upper,
                       std::optional<Shape> shape, DType dtype) {
  check_key("truncated_normal", key);
  check_float_dtype("truncated_normal", dtype);
  Shape s;
  if (shape) {
    s = *shape;
    check_shape("truncated_normal", s, {lower.shape(), upper.shape()});
  } else {
    s = numpy::broadcast_shapes({lower.shape(), upper.shape()});
  }
  Array sqrt2 = constant(std::sqrt(2.0), dtype);
  Array lo = lax::convert_element_type(lower, dtype);
  Array hi = lax::convert_element_type(upper, dtype);
  Array a = lax::erf(lax::div(lo, sqrt2));
  Array b = lax::erf(lax::div(hi, sqrt2));
  Array u = uniform(key, s, dtype, a, b);
  Array out = lax::mul(sqrt2, lax::erf_inv(u));
  // Keep the result inside the open interval (rounding, or u == a, could reach a bound).
  const double inf = std::numeric_limits<double>::infinity();
  return numpy::clip(out, lax::nextafter(lo, full(constant(inf, dtype), lo.shape())),
                     lax::nextafter(hi, full(constant(-inf, dtype), hi.shape())));
}

Array randint(const Array& key, const Shape& shape, const Array& minval_in, const Array& maxval_in,
              DType dtype) {
  check_key("randint", key);
  check_shape("randint", shape, {minval_in.shape(), maxval_in.shape()});
  if (!is_integer(dtype)) {
    throw DTypeError("randint only accepts integer dtypes, got " + std::string(dtype_name(dtype)));
  }
  Array minval = is_integer(minval_in.dtype()) ? minval_in
                                               : lax::convert_element_type(minval_in, DType::int32);
  Array maxval = is_integer(maxval_in.dtype()) ? maxval_in
                                               : lax::convert_element_type(maxval_in, DType::int32);
  // Where maxval exceeds the dtype's maximum (randint(key, s, 0, 256, uint8)) the span is one more.
  Array dtype_max = int_constant(iinfo(dtype).second, dtype);
  Array maxval_out_of_range = lax::gt(maxval, convert_and_clip_integer(dtype_max, maxval.dtype()));
  const int rank = shape.ndim();
  minval = to_rank("randint", convert_and_clip_integer(minval, dtype), dtype, rank);
  maxval = to_rank("randint", convert_and_clip_integer(maxval, dtype), dtype, rank);
  maxval_out_of_range = to_rank("randint", maxval_out_of_range, DType::bool_, rank);
  const int nbits = static_cast<int>(itemsize(dtype)) * 8;

  // Twice the bits the dtype needs, from two subkeys, to reduce the modulo bias.
  Array keys = split(key);
  Array higher_bits = random_bits(keys[0], nbits, shape);
  Array lower_bits = random_bits(keys[1], nbits, shape);

  const DType unsigned_dtype = nbits == 8    ? DType::uint8
                               : nbits == 32 ? DType::uint32
                                             : DType::int64;
  Array span = lax::convert_element_type(lax::sub(maxval, minval), unsigned_dtype);
  Array one = int_constant(1, unsigned_dtype);
  // span = 1 where maxval <= minval, so minval comes back (jax issue #222).
  Array empty = lax::le(maxval, minval);
  span = select(empty, one, span);
  // One larger where maxval is out of range; a full 2^nbits span wraps to 0 (rem is then a no-op).
  span = select(lax::bitwise_and(maxval_out_of_range, lax::bitwise_not(empty)), lax::add(span, one),
                span);
  // 2^nbits % span, as ((2^(nbits/2) % span)^2) % span, to combine the two words.
  Array half = nbits == 64 ? int_constant(int64_t{1} << 32, unsigned_dtype)
                           : int_constant(int64_t{1} << (nbits / 2), unsigned_dtype);
  Array multiplier = urem(full(half, span.shape()), span, nbits);
  multiplier = urem(lax::mul(multiplier, multiplier), span, nbits);
  Array random_offset =
      lax::add(lax::mul(urem(higher_bits, span, nbits), multiplier), urem(lower_bits, span, nbits));
  random_offset = urem(random_offset, span, nbits);
  return lax::add(minval, lax::convert_element_type(random_offset, dtype));
}

Array permutation(const Array& key, const Array& x, int64_t axis, bool independent) {
  check_key("permutation", key);
  axis = canonical_axis(axis, std::max<int64_t>(x.ndim(), 1));
  if (x.ndim() == 0) {
    if (!is_integer(x.dtype())) {
      throw DTypeError("x must be an integer or at least 1-dimensional");
    }
    return shuffle(key, lax::iota(DType::int32, x.item<int64_t>()), axis);
  }
  if (independent || x.ndim() == 1) return shuffle(key, x, axis);
  Array ind = shuffle(key, lax::iota(DType::int32, x.shape()[axis]), 0);
  return numpy::take(x, ind, axis);
}

Array choice(const Array& key, const Array& a, const Shape& shape, bool replace,
             std::optional<Array> p, int64_t axis) {
  check_key("choice", key);
  const bool scalar = a.ndim() == 0;
  int64_t n_inputs;
  if (scalar) {
    n_inputs = a.item<int64_t>();
  } else {
    axis = canonical_axis(axis, a.ndim());
    n_inputs = a.shape()[axis];
  }
  const int64_t n_draws = shape.numel();
  if (n_draws == 0) return numpy::zeros(shape, a.dtype());
  if (n_inputs <= 0) throw ValueError("a must be greater than 0 unless no samples are taken");
  if (!replace && n_draws > n_inputs) {
    throw ValueError("Cannot take a larger sample (size " + std::to_string(n_draws) +
                     ") than population (size " + std::to_string(n_inputs) +
                     ") when 'replace=False'");
  }
  Array result;
  if (!p) {
    if (replace) {
      Array ind = randint(key, shape, 0, n_inputs);
      result = scalar ? ind : numpy::take(a, ind, axis);
    } else {
      Array perm = permutation(key, scalar ? Array(n_inputs) : a, axis);
      std::vector<int64_t> start(static_cast<size_t>(perm.ndim()), 0);
      std::vector<int64_t> limit = perm.shape().to_vector();
      limit[static_cast<size_t>(scalar ? 0 : axis)] = n_draws;
      result = lax::slice(perm, start, limit);
    }
  } else {
    // promote_dtypes_inexact: integer (or weak) probabilities become float32.
    DType pd = p->dtype() == DType::float64 && !p->weak_type() ? DType::float64 : DType::float32;
    Array p_arr = lax::convert_element_type(*p, pd);
    if (p_arr.shape() != Shape{n_inputs}) {
      throw ValueError(
          "p must be None or a 1D vector with the same size as a.shape[axis]. p has shape " +
          p_arr.shape().str() + " and a.shape[axis] is " + std::to_string(n_inputs) + ".");
    }
    Array ind;
    if (replace) {
      Array p_cuml = lax::cumsum(p_arr, 0);
      Array total = lax::reshape(lax::slice(p_cuml, {n_inputs - 1}, {n_inputs}), Shape{});
      Array r = lax::mul(total, lax::sub(constant(1.0, pd), uniform(key, shape, pd)));
      ind = searchsorted(p_cuml, r);
    } else {
      // Gumbel top-k: the n_draws smallest of -gumbel - log(p).
      Array g = lax::sub(lax::neg(gumbel(key, {n_inputs}, pd)), lax::log(p_arr));
      ind = lax::slice(numpy::argsort(g), {0}, {n_draws});
    }
    result = scalar ? ind : numpy::take(a, ind, axis);
  }
  if (scalar) return lax::reshape(result, shape);
  std::vector<int64_t> out(a.shape().begin(), a.shape().begin() + axis);
  out.insert(out.end(), shape.begin(), shape.end());
  out.insert(out.end(), a.shape().begin() + axis + 1, a.shape().end());
  return lax::reshape(result, Shape(out));
}

Array categorical(const Array& key, const Array& logits, int64_t axis, std::optional<Shape> shape) {
  check_key("categorical", key);
  const int64_t ndim = logits.ndim();
  const int64_t pos = canonical_axis(axis, ndim);  // axis counted from the front
  Shape batch_shape = logits.shape();
  batch_shape.erase(static_cast<size_t>(pos));
  Shape s;
  if (shape) {
    s = *shape;
    check_shape("categorical", s, {batch_shape});
  } else {
    s = batch_shape;
  }
  const int64_t n_prefix = s.ndim() - batch_shape.ndim();
  Shape gumbel_shape(s.begin(), s.end());
  gumbel_shape.insert(static_cast<size_t>(n_prefix + pos), logits.shape()[pos]);
  std::vector<int64_t> prefix_dims;
  for (int64_t i = 0; i < n_prefix; ++i) prefix_dims.push_back(i);
  Array expanded = prefix_dims.empty() ? logits : lax::expand_dims(logits, prefix_dims);
  Array scores = numpy::add(gumbel(key, gumbel_shape, logits.dtype()), expanded);
  return lax::argmax(scores, n_prefix + pos, DType::int32);
}

Array gumbel(const Array& key, const Shape& shape, DType dtype) {
  check_key("gumbel", key);
  check_float_dtype("gumbel", dtype);
  const double tiny = dtype == DType::float64 ? std::numeric_limits<double>::min()
                                              : std::numeric_limits<float>::min();
  Array u = uniform(key, shape, dtype, constant(tiny, dtype), constant(1.0, dtype));
  return lax::neg(lax::log(lax::neg(lax::log(u))));
}

Array exponential(const Array& key, const Shape& shape, DType dtype) {
  check_key("exponential", key);
  check_float_dtype("exponential", dtype);
  Array u = uniform(key, shape, dtype);
  // 1 - u moves log's argument to (0, 1].
  return lax::neg(lax::log1p(lax::neg(u)));
}

Array laplace(const Array& key, const Shape& shape, DType dtype) {
  check_key("laplace", key);
  check_float_dtype("laplace", dtype);
  // finfo.epsneg: 2^-24 (float32), 2^-53 (float64).
  const double epsneg = dtype == DType::float64 ? std::ldexp(1.0, -53) : std::ldexp(1.0, -24);
  Array u = uniform(key, shape, dtype, constant(-1.0 + epsneg, dtype), constant(1.0, dtype));
  return lax::mul(lax::sign(u), lax::log1p(lax::neg(lax::abs(u))));
}

Array logistic(const Array& key, const Shape& shape, DType dtype) {
  check_key("logistic", key);
  check_float_dtype("logistic", dtype);
  const double eps = dtype == DType::float64 ? std::numeric_limits<double>::epsilon()
                                             : std::numeric_limits<float>::epsilon();
  Array x = uniform(key, shape, dtype, constant(eps, dtype), constant(1.0, dtype));
  return lax::log(lax::div(x, lax::sub(constant(1.0, dtype), x)));
}

}  // namespace jx::random
