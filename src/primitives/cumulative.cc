// Cumulative reductions along one axis (cumsum, cumprod, cummax, cummin), as in
// jax.lax.cumsum: Params "axis" (non-negative, in range) and "reverse". Number dtypes only, as in
// JAX; cummax/cummin propagate NaN. The scan kernels live in backend/cpu/reduce_kernels.
#include "backend/cpu/reduce_kernels.h"
#include "interpreters/ad.h"
#include "interpreters/batching.h"
#include "interpreters/transpose.h"
#include "jx/lax.h"
#include "primitives/def.h"
#include "primitives/families.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

// A cumulative reduction's shape rule, kernel and batch rule; its jvp (and transpose) chained on.
PrimitiveDef def_cumulative(Prim p, cpu::ReduceOp op) {
  std::string_view name = primitive_name(p);
  auto shape = [name](std::span<const ShapedArray> in, const Params& params) {
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
  auto impl = [op](std::span<const Array> in, const Params& params, const KernelOutputs& out) {
    Array result = out.make(0);
    cpu::cumulative(op, in[0].dtype(), array_data(in[0]), in[0].shape(), params.get_int("axis"),
                    params.get_bool("reverse"), mutable_data(result));
    return single(std::move(result));
  };
  // vmap: the scanned axis moves past the batch dim, which stays where it is.
  auto batch = [p](std::span<const Array> in, std::span<const BatchDim> dims, const Params& params,
                   const AxisData&) {
    const int d = *dims[0];
    const int64_t axis = params.get_int("axis");
    Params q = params;
    q.set("axis", batching::batched_axis(axis, d));
    return batching::one(bind1(p, in, q), d);
  };
  return def(p).shape(shape).impl(impl).batch(batch);
}

// JAX's _cumsum_transpose_rule: each input feeds the outputs at and after it (before it when
// reversed), so its cotangent is the sum of theirs: the cumsum in the other direction.
Array cumsum_transpose(const Array& ct, const ShapedArray&, std::span<const Array>,
                       const Params& params) {
  return lax::cumsum(ct, params.get_int("axis"), !params.get_bool("reverse"));
}

// A primal with its tangent, as the jvp of the scan carries them.
struct Dual {
  Array p, t;
};
using Combine = Dual (*)(const Dual& a, const Dual& b);

// JAX's jvp of mul: d(a*b) = da*b + a*db.
Dual combine_mul(const Dual& a, const Dual& b) {
  return {lax::mul(a.p, b.p), lax::add(lax::mul(a.t, b.p), lax::mul(a.p, b.t))};
}

// JAX's jvp of max/min (_balanced_eq): the tangent of the operand equal to the result, half of
// each when both are.
Dual combine_chooser(const Dual& a, const Dual& b, Array ans) {
  Array t = lax::add(lax::mul(a.t, ad::balanced_eq(a.p, ans, b.p)),
                     lax::mul(b.t, ad::balanced_eq(b.p, ans, a.p)));
  return {std::move(ans), std::move(t)};
}
Dual combine_max(const Dual& a, const Dual& b) { return combine_chooser(a, b, lax::max(a.p, b.p)); }
Dual combine_min(const Dual& a, const Dual& b) { return combine_chooser(a, b, lax::min(a.p, b.p)); }

Array slice_axis(const Array& x, int64_t axis, int64_t start, int64_t limit, int64_t stride) {
  std::vector<int64_t> starts(x.ndim(), 0), limits(x.shape().begin(), x.shape().end()),
      strides(x.ndim(), 1);
  starts[axis] = start;
  limits[axis] = limit;
  strides[axis] = stride;
  return lax::slice(x, starts, limits, strides);
}
Dual slice_axis(const Dual& x, int64_t axis, int64_t start, int64_t limit, int64_t stride) {
  return {slice_axis(x.p, axis, start, limit, stride), slice_axis(x.t, axis, start, limit, stride)};
}

// even[0], odd[0], even[1], odd[1], ... along `axis` (even has as many elements as odd, or one
// more): the two stacked on a new axis after `axis`, which is then merged into it.
Array interleave(const Array& even, const Array& odd, int64_t axis) {
  const int64_t ne = even.shape()[axis], no = odd.shape()[axis];
  Array o = odd;
  if (no < ne) {
    std::vector<lax::PadConfig> cfg(odd.ndim());
    cfg[axis].hi = 1;
    o = lax::pad(odd, lax::convert_element_type(Array(0.0), odd.dtype()), cfg);
  }
  Array both = lax::concatenate(
      {lax::expand_dims(even, {axis + 1}), lax::expand_dims(o, {axis + 1})}, axis + 1);
  Shape merged = even.shape();
  merged[axis] = 2 * ne;
  Array out = lax::reshape(both, merged);
  return ne + no == 2 * ne ? out : slice_axis(out, axis, 0, ne + no, 1);
}

// JAX's associative_scan (the parallel prefix scan its cumulative jvps differentiate), on
// primal/tangent pairs.
Dual scan(Combine combine, const Dual& x, int64_t axis) {
  const int64_t n = x.p.shape()[axis];
  if (n < 2) return x;
  // Pairs of neighbours combined, then scanned: the odd positions of the result.
  Dual odd =
      scan(combine, combine(slice_axis(x, axis, 0, n - 1, 2), slice_axis(x, axis, 1, n, 2)), axis);
  const int64_t m = odd.p.shape()[axis];
  Dual rest = slice_axis(x, axis, 2, n, 2);
  Dual even = n % 2 == 0 ? combine(slice_axis(odd, axis, 0, m - 1, 1), rest) : combine(odd, rest);
  Dual first = slice_axis(x, axis, 0, 1, 1);
  even = {lax::concatenate({first.p, even.p}, axis), lax::concatenate({first.t, even.t}, axis)};
  return {interleave(even.p, odd.p, axis), interleave(even.t, odd.t, axis)};
}

// cumprod/cummax/cummin: as JAX, the jvp of the associative scan of mul/max/min (exact at
// zeros for cumprod; ties share the tangent as max/min's jvp splits it). The primal output is
// the primitive's own.
JvpRule scan_jvp(Prim p, Combine combine) {
  return [p, combine](std::span<const Array> primals, std::span<const Array> tangents,
                      const Params& params) -> std::pair<std::vector<Array>, std::vector<Array>> {
    Array out = bind1(p, primals, params);
    if (ad::is_zero(tangents[0])) return {single(out), {Array()}};
    const int64_t axis = params.get_int("axis");
    const bool reverse = params.get_bool("reverse");
    Dual x{primals[0], tangents[0]};
    if (reverse) x = {lax::rev(x.p, {axis}), lax::rev(x.t, {axis})};
    Array t = scan(combine, x, axis).t;
    if (reverse) t = lax::rev(t, {axis});
    return {single(out), single(t)};
  };
}

}  // namespace

void register_cumulative() {
  using Op = cpu::ReduceOp;
  def_cumulative(Prim::cumsum, Op::kSum).linear(cumsum_transpose);
  def_cumulative(Prim::cumprod, Op::kProd).jvp(scan_jvp(Prim::cumprod, combine_mul));
  def_cumulative(Prim::cummax, Op::kMax).jvp(scan_jvp(Prim::cummax, combine_max));
  def_cumulative(Prim::cummin, Op::kMin).jvp(scan_jvp(Prim::cummin, combine_min));
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
