// The few primitive applications the layers below the primitives' public API need (the
// interpreters' rule combinators, the compiler's passes, jaxpr evaluation): bind calls with the
// primitive's parameters, so those layers do not depend on jx::lax (dependencies point down).
#pragma once

#include <vector>

#include "ir/primitive.h"

namespace jx::ops {

Array add(const Array& x, const Array& y);
Array div(const Array& x, const Array& y);
Array eq(const Array& x, const Array& y);
// A concrete scalar converts eagerly, even inside a transformation (a literal, as JAX's Python
// scalars): jax.lax.convert_element_type's behaviour.
Array convert_element_type(const Array& x, DType new_dtype, bool weak_type);
Array broadcast_in_dim(const Array& x, const Shape& shape,
                       const std::vector<int64_t>& broadcast_dimensions);
Array reshape(const Array& x, const Shape& new_sizes);
Array transpose(const Array& x, const std::vector<int64_t>& permutation);
// Dimensions and axes in any order (sorted here), nonnegative.
Array expand_dims(const Array& x, std::vector<int64_t> dimensions);
Array reduce_sum(const Array& x, std::vector<int64_t> axes);
// An array of aval's shape, dtype and weak type filled with c.
Array full(const ShapedArray& aval, double c);

}  // namespace jx::ops
