// Helpers behind jx::numpy: JAX's dtype promotion of operands (weak scalars included) and
// numpy's broadcasting, built on jx::lax.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "jx/array.h"

namespace jx::numpy_detail {

// x converted to dtype (and weak_type); a weak scalar made from a C++ number is converted from
// its exact value, so Array(0.1) promoted to float64 is 0.1, not float32(0.1).
Array convert(const Array& x, DType dtype, bool weak_type = false);
// The JAX result dtype/weakness of the operands (jnp.result_type).
TypedKind result_kind(std::span<const Array> args);
// numpy's broadcast of shapes; throws ShapeError
// "add: Incompatible shapes for broadcasting: shapes=[(3,), (4,)]".
Shape broadcast_shapes(std::string_view fn, std::span<const Shape> shapes);
// x broadcast to shape (numpy rules: align trailing dims).
Array broadcast_to(std::string_view fn, const Array& x, const Shape& shape);
// Converts all args to their common dtype (JAX's promote_dtypes).
std::vector<Array> promote_dtypes(std::span<const Array> args);
// Like promote_dtypes, then integers/bools go to the default float (promote_dtypes_inexact).
std::vector<Array> promote_dtypes_inexact(std::span<const Array> args);
// promote_dtypes, then one rank (leading size-1 axes, a free reshape) after checking the shapes
// broadcast: what every jnp binary op does first (the lax ops broadcast size-1 axes).
// Every operand broadcast to the common shape (materialised: for ops that need equal shapes).
std::vector<Array> broadcast_arrays(std::string_view fn, std::vector<Array> args);
std::vector<Array> promote_args(std::string_view fn, std::span<const Array> args);
std::vector<Array> promote_args_inexact(std::string_view fn, std::span<const Array> args);
// Normalised, sorted, de-duplicated axes for an `axis` argument (none = all).
std::vector<int64_t> canonicalize_axes(std::string_view fn, const std::vector<int64_t>& axes,
                                       int ndim);

}  // namespace jx::numpy_detail
