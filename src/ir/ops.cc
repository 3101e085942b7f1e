#include "ir/ops.h"

#include "interpreters/trace.h"

#include <algorithm>

namespace jx::ops {

Array add(const Array& x, const Array& y) { return bind1(Prim::add, {x, y}); }
Array div(const Array& x, const Array& y) { return bind1(Prim::div, {x, y}); }
Array eq(const Array& x, const Array& y) { return bind1(Prim::eq, {x, y}); }

Array convert_element_type(const Array& x, DType new_dtype, bool weak_type) {
  Params params{{"new_dtype", new_dtype}, {"weak_type", weak_type}};
  // A constant scalar (a C++ number being promoted) converts now, on the host, as JAX converts
  // Python scalars: a traced program gets the literal, not an equation.
  if (x.valid() && x.ndim() == 0 && x.is_concrete()) {
    TraceScope eager(nullptr);
    return bind1(Prim::convert_element_type, {x}, params);
  }
  return bind1(Prim::convert_element_type, {x}, params);
}

Array broadcast_in_dim(const Array& x, const Shape& shape,
                       const std::vector<int64_t>& broadcast_dimensions) {
  if (x.valid() && x.is_concrete() && x.ndim() == 0 && shape.empty()) return x;
  return bind1(Prim::broadcast_in_dim, {x},
               {{"shape", shape.to_vector()}, {"broadcast_dimensions", broadcast_dimensions}});
}

Array reshape(const Array& x, const Shape& new_sizes) {
  if (x.valid() && x.is_concrete() && x.shape() == new_sizes) return x;
  return bind1(Prim::reshape, {x}, {{"new_sizes", new_sizes.to_vector()}});
}

Array transpose(const Array& x, const std::vector<int64_t>& permutation) {
  return bind1(Prim::transpose, {x}, {{"permutation", permutation}});
}

Array expand_dims(const Array& x, std::vector<int64_t> dimensions) {
  std::sort(dimensions.begin(), dimensions.end());
  return bind1(Prim::expand_dims, {x}, {{"dimensions", std::move(dimensions)}});
}

Array reduce_sum(const Array& x, std::vector<int64_t> axes) {
  std::sort(axes.begin(), axes.end());
  return bind1(Prim::reduce_sum, {x}, {{"axes", std::move(axes)}});
}

Array full(const ShapedArray& aval, double c) {
  return broadcast_in_dim(convert_element_type(Array(c), aval.dtype, aval.weak_type), aval.shape,
                          {});
}

}  // namespace jx::ops
