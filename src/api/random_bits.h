// Internal helpers of jx::random shared by random.cc and random_samplers.cc: key checks and
// JAX's _random_bits (prng.random_bits), so every sampler draws its bits the same way.
#pragma once

#include <string_view>

#include "jx/array.h"

namespace jx::random::detail {

// Throws unless key is a single raw key (uint32[2]); `fn` names the caller in the message.
void check_key(std::string_view fn, const Array& key);
// Random bits of 8, 32 or 64 bits per element (uint8, uint32, or int64 holding the 64-bit
// pattern: jx has no uint64), as JAX's prng.random_bits in the current scheme.
Array random_bits(const Array& key, int bit_width, const Shape& shape);
// Throws unless dtype is float32 or float64; returns it.
DType check_float(std::string_view fn, DType dtype);
// x converted to dtype, with leading size-1 axes up to `rank` (JAX's broadcast_to_rank).
Array to_rank(std::string_view fn, const Array& x, DType dtype, int rank);

}  // namespace jx::random::detail
