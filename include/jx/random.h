// jax.random: explicit, reproducible randomness. A key is a uint32[2] array (JAX's raw
// PRNGKey); every sampler derives its bits from the key with the Threefry-2x32 hash exactly as
// JAX does, so the same key gives the same numbers as JAX (current JAX: the "partitionable"
// scheme, jax_threefry_partitionable=True; see jx::config for the legacy scheme).
//   Array key = jx::random::PRNGKey(42);
//   Array keys = jx::random::split(key, 4);              // uint32[4, 2]
//   Array x = jx::random::normal(keys[0], {3, 2});       // float32[3, 2]
// Keys work under vmap: vmap over a batch of keys gives a batch of independent samples.
#pragma once

#include <cstdint>
#include <optional>

#include "jx/array.h"

namespace jx::config {
// JAX's jax_threefry_partitionable flag: true (the default, as in JAX >= 0.5) derives each
// element's bits from its own counter; false reproduces older JAX's bits (split, fold_in,
// 32- and 64-bit samplers).
void set_threefry_partitionable(bool partitionable);
bool threefry_partitionable();
}  // namespace jx::config

namespace jx::random {

// A key from a 64-bit seed: [seed >> 32, seed & 0xFFFFFFFF] (PRNGKey(42) == [0, 42]).
Array PRNGKey(int64_t seed);
// The raw uint32 data of keys (identity for raw keys; checks the trailing dimension is 2).
Array key_data(const Array& keys);
// `num` new keys from one (uint32[num, 2]), or an array of keys of the given shape.
Array split(const Array& key, int64_t num = 2);
Array split(const Array& key, const Shape& shape);
// A new key from a key and an integer (e.g. a step number).
Array fold_in(const Array& key, const Array& data);
// Random bits of an unsigned dtype (uint32 or uint8).
Array bits(const Array& key, const Shape& shape = {}, DType dtype = DType::uint32);
// Uniform in [minval, maxval) for a float dtype; minval/maxval broadcast against shape.
Array uniform(const Array& key, const Shape& shape = {}, DType dtype = DType::float32,
              const Array& minval = 0.0, const Array& maxval = 1.0);
// Standard normal: sqrt(2) * erf_inv(uniform(nextafter(-1, 0), 1)), as JAX.
Array normal(const Array& key, const Shape& shape = {}, DType dtype = DType::float32);
// True with probability p (bool array of `shape`, default p's shape): uniform < p.
Array bernoulli(const Array& key, const Array& p = 0.5, std::optional<Shape> shape = std::nullopt);

// jax.random.truncated_normal: normal restricted to (lower, upper); shape defaults to theirs.
Array truncated_normal(const Array& key, const Array& lower, const Array& upper,
                       std::optional<Shape> shape = std::nullopt, DType dtype = DType::float32);
// jax.random.randint: integers uniform in [minval, maxval) (which broadcast against shape).
Array randint(const Array& key, const Shape& shape, const Array& minval, const Array& maxval,
              DType dtype = DType::int32);
// jax.random.permutation: x (or arange(x) for an integer) shuffled along axis.
Array permutation(const Array& key, const Array& x, int64_t axis = 0, bool independent = false);
// jax.random.choice: `shape` draws from a (or arange(a)) along axis, optionally weighted by p.
Array choice(const Array& key, const Array& a, const Shape& shape = {}, bool replace = true,
             std::optional<Array> p = std::nullopt, int64_t axis = 0);
// jax.random.categorical: int32 indices drawn from softmax(logits) along axis (Gumbel-max).
Array categorical(const Array& key, const Array& logits, int64_t axis = -1,
                  std::optional<Shape> shape = std::nullopt);
// jax.random.gumbel: standard Gumbel samples, -log(-log(U)).
Array gumbel(const Array& key, const Shape& shape = {}, DType dtype = DType::float32);
// jax.random.exponential: standard exponential (rate 1) samples, -log1p(-U).
Array exponential(const Array& key, const Shape& shape = {}, DType dtype = DType::float32);
// jax.random.laplace: standard Laplace samples (density exp(-|x|) / 2).
Array laplace(const Array& key, const Shape& shape = {}, DType dtype = DType::float32);
// jax.random.logistic: standard logistic samples, log(U / (1 - U)).
Array logistic(const Array& key, const Shape& shape = {}, DType dtype = DType::float32);

}  // namespace jx::random
