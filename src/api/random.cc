// jax.random on the threefry2x32 primitive, following JAX's prng.py and random.py step by
// step (counters, key splitting, bit extraction, float construction), so the bits match JAX's.
#include "jx/random.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <string>

#include "api/random_bits.h"
#include "jx/lax.h"
#include "jx/numpy.h"

namespace jx::config {
namespace {
std::atomic<bool> g_partitionable{true};
}
void set_threefry_partitionable(bool partitionable) { g_partitionable = partitionable; }
bool threefry_partitionable() { return g_partitionable; }
}  // namespace jx::config

namespace jx::random {
namespace {

Array u32(uint32_t v) {
  return lax::convert_element_type(Array(static_cast<int64_t>(v)), DType::uint32);
}

}  // namespace

namespace detail {

void check_key(std::string_view fn, const Array& key) {
  if (key.dtype() != DType::uint32) {
    throw DTypeError(std::string(fn) +
                     ": JAX encountered invalid PRNG key data: expected key_data.dtype = uint32; "
                     "got dtype=" +
                     std::string(dtype_name(key.dtype())));
  }
  if (key.ndim() != 1 || key.shape()[0] != 2) {
    throw ShapeError(std::string(fn) +
                     ": expected a single PRNG key of shape (2,) (uint32), got "
                     "shape " +
                     key.shape().str() + "; to use several keys, jx::vmap over them");
  }
}

}  // namespace detail

namespace {

using detail::check_key;

// The two words of a key as scalars.
std::pair<Array, Array> key_words(const Array& key) {
  return {lax::reshape(lax::slice(key, {0}, {1}), Shape{}),
          lax::reshape(lax::slice(key, {1}, {2}), Shape{})};
}

// JAX's iota_2x32_shape: the row-major index of every element of `shape`, as (high, low) uint32
// words. Arrays of 2^32 elements or more are not supported (the high word is then zero).
std::pair<Array, Array> iota_2x32_shape(const Shape& shape) {
  int64_t n = shape.numel();
  if (n > int64_t{std::numeric_limits<uint32_t>::max()}) {
    throw NotSupportedError("jx::random: arrays of 2^32 or more random elements");
  }
  Array lo = lax::reshape(lax::iota(DType::uint32, n), shape);
  Array hi = lax::broadcast_in_dim(u32(0), shape, {});
  return {hi, lo};
}

// JAX's threefry_2x32(keypair, count): the flattened counts split in two halves (padded to even
// length) are the two counter words; the outputs are concatenated back.
Array threefry_2x32(const Array& key, const Array& count) {
  auto [k1, k2] = key_words(key);
  int64_t n = count.size();
  Array flat = lax::reshape(count, Shape{n});
  bool odd = n % 2 == 1;
  if (odd) flat = lax::concatenate({flat, lax::reshape(u32(0), Shape{1})}, 0);
  int64_t half = flat.size() / 2;
  Array x1 = lax::slice(flat, {0}, {half});
  Array x2 = lax::slice(flat, {half}, {2 * half});
  auto [y1, y2] = lax::threefry2x32(k1, k2, x1, x2);
  Array out = lax::concatenate({y1, y2}, 0);
  if (odd) out = lax::slice(out, {0}, {n});
  return lax::reshape(out, count.shape());
}

// JAX's threefry_seed for a scalar uint32: [data >> 32, data & 0xFFFFFFFF] = [0, data].
Array seed_words(const Array& data) {
  Array hi = lax::shift_right_logical(data, u32(32));
  return lax::concatenate({lax::reshape(hi, Shape{1}), lax::reshape(data, Shape{1})}, 0);
}

}  // namespace

namespace detail {

// Random bits of 8, 32 or 64 bits per element; 64-bit bits come back as int64 (jx has no
// uint64: the bit pattern is the same and only shifts/ors/bitcasts touch it).
Array random_bits(const Array& key, int bit_width, const Shape& shape) {
  return lax::random_bits(key, bit_width, shape, config::threefry_partitionable());
}

DType check_float(std::string_view fn, DType dtype) {
  if (dtype != DType::float32 && dtype != DType::float64) {
    throw DTypeError(std::string(fn) + " requires a floating dtype (float32 or float64), got " +
                     std::string(dtype_name(dtype)));
  }
  return dtype;
}

// x converted to dtype, with leading size-1 axes up to `rank` (JAX's broadcast_to_rank).
Array to_rank(std::string_view fn, const Array& x, DType dtype, int rank) {
  Array c = lax::convert_element_type(x, dtype);
  if (c.ndim() > rank) {
    throw ShapeError(std::string(fn) + ": an argument of shape " + x.shape().str() +
                     " has more dimensions than the requested shape (rank " + std::to_string(rank) +
                     ")");
  }
  if (c.ndim() == rank || c.ndim() == 0) return c;
  std::vector<int64_t> shape(static_cast<size_t>(rank - c.ndim()), 1);
  shape.insert(shape.end(), c.shape().begin(), c.shape().end());
  return lax::reshape(c, Shape(shape));
}

}  // namespace detail

using detail::check_float;
using detail::check_key;
using detail::random_bits;
using detail::to_rank;

Array PRNGKey(int64_t seed) {
  auto s = static_cast<uint64_t>(seed);
  return Array::from_vector<uint32_t>(
      {static_cast<uint32_t>(s >> 32), static_cast<uint32_t>(s & 0xFFFFFFFFu)});
}

Array key_data(const Array& keys) {
  if (keys.dtype() != DType::uint32 || keys.ndim() == 0 || keys.shape()[keys.ndim() - 1] != 2) {
    throw ShapeError(
        "key_data: expected raw PRNG keys (uint32 with a trailing dimension of 2), "
        "got " +
        std::string(dtype_name(keys.dtype())) + keys.shape().str());
  }
  return keys;
}

Array split(const Array& key, int64_t num) { return split(key, Shape{num}); }

Array split(const Array& key, const Shape& shape) {
  check_key("split", key);
  for (int64_t d : shape) {
    if (d < 0) throw ValueError("split: negative dimension in shape " + shape.str());
  }
  std::vector<int64_t> out_shape(shape.begin(), shape.end());
  out_shape.push_back(2);
  if (config::threefry_partitionable()) {
    auto [hi, lo] = iota_2x32_shape(shape);
    auto [k1, k2] = key_words(key);
    auto [b1, b2] = lax::threefry2x32(k1, k2, hi, lo);
    return numpy::stack({b1, b2}, shape.ndim());
  }
  int64_t n = shape.numel();
  return lax::reshape(threefry_2x32(key, lax::iota(DType::uint32, 2 * n)), Shape(out_shape));
}

Array fold_in(const Array& key, const Array& data) {
  check_key("fold_in", key);
  if (data.ndim() != 0) {
    throw ShapeError("fold_in: data must be a scalar integer, got shape " + data.shape().str());
  }
  if (!is_integer(data.dtype()) && !is_bool(data.dtype())) {
    throw DTypeError("fold_in: data must be an integer, got " +
                     std::string(dtype_name(data.dtype())));
  }
  return threefry_2x32(key, seed_words(lax::convert_element_type(data, DType::uint32)));
}

Array bits(const Array& key, const Shape& shape, DType dtype) {
  check_key("bits", key);
  if (dtype != DType::uint32 && dtype != DType::uint8) {
    throw DTypeError(
        "bits: dtype argument to `bits` must be an unsigned int dtype (uint8 or "
        "uint32 in jx), got " +
        std::string(dtype_name(dtype)));
  }
  return random_bits(key, dtype == DType::uint32 ? 32 : 8, shape);
}

Array uniform(const Array& key, const Shape& shape, DType dtype, const Array& minval,
              const Array& maxval) {
  check_key("uniform", key);
  check_float("uniform", dtype);
  const bool f64 = dtype == DType::float64;
  const int nbits = f64 ? 64 : 32, nmant = f64 ? 52 : 23;
  Array lo = to_rank("uniform", minval, dtype, shape.ndim());
  Array hi = to_rank("uniform", maxval, dtype, shape.ndim());
  // Random mantissa bits under the exponent of 1.0: a float in [1, 2), then shifted to [0, 1).
  Array bits = random_bits(key, nbits, shape);
  DType int_dtype = f64 ? DType::int64 : DType::uint32;
  Array shift = lax::convert_element_type(Array(nbits - nmant), int_dtype);
  Array one_bits = f64 ? lax::convert_element_type(Array(int64_t{0x3FF0000000000000}), DType::int64)
                       : u32(0x3F800000u);
  Array float_bits = lax::bitwise_or(lax::shift_right_logical(bits, shift), one_bits);
  Array one = lax::convert_element_type(Array(1.0), dtype);
  Array floats = lax::sub(lax::bitcast_convert_type(float_bits, dtype), one);
  return lax::max(lo, lax::add(lax::mul(floats, lax::sub(hi, lo)), lo));
}

Array normal(const Array& key, const Shape& shape, DType dtype) {
  check_key("normal", key);
  check_float("normal", dtype);
  double lo = dtype == DType::float64 ? std::nextafter(-1.0, 0.0)
                                      : static_cast<double>(std::nextafter(-1.0f, 0.0f));
  Array u = uniform(key, shape, dtype, lax::convert_element_type(Array(lo), dtype),
                    lax::convert_element_type(Array(1.0), dtype));
  return lax::mul(lax::convert_element_type(Array(std::sqrt(2.0)), dtype), lax::erf_inv(u));
}

Array bernoulli(const Array& key, const Array& p, std::optional<Shape> shape) {
  check_key("bernoulli", key);
  // JAX canonicalises p's dtype: a weak Python float is float32.
  DType dtype = p.dtype() == DType::float64 && !p.weak_type() ? DType::float64 : DType::float32;
  if (!is_floating(p.dtype()) && !p.weak_type()) {
    throw DTypeError("bernoulli probability `p` must have a floating dtype, got " +
                     std::string(dtype_name(p.dtype())));
  }
  Shape s = shape ? *shape : p.shape();
  Array pc = to_rank("bernoulli", p, dtype, s.ndim());
  return lax::lt(uniform(key, s, dtype), pc);
}

}  // namespace jx::random
