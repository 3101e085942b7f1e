// Cumulative reductions along one axis (cumsum, cumprod, cummax, cummin), as in
// jax.lax.cumsum: Params "axis" (non-negative, in range) and "reverse". Number dtypes only, as in
// JAX; cummax/cummin propagate NaN. The scan kernels live in backend/cpu/reduce_kernels.
#include "backend/cpu/reduce_kernels.h"
#include "interpreters/batching.h"
#include "jx/lax.h"
#include "primitives/families.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

void def_cumulative(Prim p, cpu::ReduceOp op) {
  PrimitiveRules& r = mutable_rules(p);
  std::string_view name = primitive_name(p);
  r.abstract_eval = [name](std::span<const ShapedArray> in, const Params& params) {
    check_arity(name, in, 1);
    const ShapedArray& x = in[0];
    check_dtype_class(name, x.dtype, DTypeClass::kNumber);
    const int64_t axis = params.get_int("axis");
    if (axis < 0) {
      throw IndexError(std::string(name) + ": axis " + std::to_string(axis) +
                       " is negative; XLA operations do not allow negative axes (operand shape " +
                       x.shape.str() + ")");
    }
    if (axis >= x.ndim()) {
      throw IndexError(std::string(name) + ": axis " + std::to_string(axis) +
                       " is out of bounds for array of shape " + x.shape.str());
    }
    return single(x);
  };
  r.impl = [op](std::span<const Array> in, const Params& params, std::span<const ShapedArray> out) {
    Array result = make_array(out[0]);
    cpu::cumulative(op, in[0].dtype(), array_data(in[0]), in[0].shape(), params.get_int("axis"),
                    params.get_bool("reverse"), mutable_data(result));
    return single(std::move(result));
  };
  // vmap: the scanned axis moves past the batch dim, which stays where it is.
  r.batch = [p](std::span<const Array> in, std::span<const BatchDim> dims, const Params& params,
                const AxisData&) {
    const int d = *dims[0];
    const int64_t axis = params.get_int("axis");
    Params q = params;
    q.set("axis", batching::batched_axis(axis, d));
    return batching::one(bind1(p, in, q), d);
  };
}

}  // namespace

void register_cumulative() {
  using Op = cpu::ReduceOp;
  def_cumulative(Prim::cumsum, Op::kSum);
  def_cumulative(Prim::cumprod, Op::kProd);
  def_cumulative(Prim::cummax, Op::kMax);
  def_cumulative(Prim::cummin, Op::kMin);
}

}  // namespace jx::primitives

namespace jx::lax {
namespace {
Array bind_cumulative(Prim p, const Array& x, int64_t axis, bool reverse) {
  return bind1(p, {x}, Params{{"axis", axis}, {"reverse", reverse}});
}
}  // namespace

Array cumsum(const Array& x, int64_t axis, bool reverse) {
  return bind_cumulative(Prim::cumsum, x, axis, reverse);
}
Array cummax(const Array& x, int64_t axis, bool reverse) {
  return bind_cumulative(Prim::cummax, x, axis, reverse);
}
Array cummin(const Array& x, int64_t axis, bool reverse) {
  return bind_cumulative(Prim::cummin, x, axis, reverse);
}
Array cumprod(const Array& x, int64_t axis, bool reverse) {
  return bind_cumulative(Prim::cumprod, x, axis, reverse);
}

}  // namespace jx::lax
