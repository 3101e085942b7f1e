// Reductions over a set of axes (reduce_sum/max/min/prod/and/or) and argmax/argmin over one
// axis. Params: "axes" (distinct, in range; the lax wrappers sort them) and, for argmax/argmin,
// "index_dtype". The kernels live in backend/cpu/reduce_kernels.
#include <algorithm>
#include <sstream>

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

std::string tuple_str(const std::vector<int64_t>& v) { return Shape(v).str(); }

// JAX's _reduce_op_shape_rule: the operand shape without `axes`.
Shape reduced_shape(std::string_view op, const ShapedArray& x, const std::vector<int64_t>& axes) {
  std::vector<int64_t> sorted = axes;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw ValueError(std::string(op) +
                     ": duplicate value in 'axes' of reduction: " + tuple_str(axes));
  }
  for (int64_t a : axes) {
    if (a < 0 || a >= x.ndim()) {
      throw IndexError(std::string(op) + ": reduction axes " + tuple_str(axes) +
                       " contains out-of-bounds indices for " + x.str() + ".");
    }
  }
  Shape out;
  for (int i = 0; i < x.ndim(); ++i) {
    if (!std::binary_search(sorted.begin(), sorted.end(), i)) out.push_back(x.shape[i]);
  }
  return out;
}

// vmap of every reduction and of argmax/argmin (whose "axes" holds its one axis): the reduced
// axes move past the batch dim, which stays where it is and loses one position per reduced
// axis before it (no transpose).
BatchRule reduce_batch_rule(Prim p) {
  return [p](std::span<const Array> in, std::span<const BatchDim> dims, const Params& params,
             const AxisData&) {
    const int d = *dims[0];
    std::vector<int64_t> axes;
    int before = 0;
    for (int64_t a : params.get_ints("axes")) {
      before += a < d;
      axes.push_back(batching::batched_axis(a, d));
    }
    Params q = params;
    q.set("axes", std::move(axes));
    return batching::one(bind1(p, in, q), d - before);
  };
}

enum class Kind { kNumber, kAny, kLogical };

// A reduction's shape rule, kernel and batch rule; its jvp (and transpose) are chained on.
PrimitiveDef def_reduce(Prim p, Kind kind, cpu::ReduceOp op) {
  std::string_view name = primitive_name(p);
  auto shape = [name, kind](std::span<const ShapedArray> in, const Params& params) {
    check_arity(name, in, 1);
    const ShapedArray& x = in[0];
    if (kind == Kind::kNumber) check_dtype_class(name, x.dtype, DTypeClass::kNumber);
    if (kind == Kind::kLogical && !dtype_in_class(x.dtype, DTypeClass::kIntOrBool)) {
      throw DTypeError(std::string(name) +
                       ": logical reduction requires operand dtype bool or int, got " +
                       std::string(dtype_name(x.dtype)) + ".");
    }
    return single(
        ShapedArray{reduced_shape(name, x, params.get_ints("axes")), x.dtype, x.weak_type});
  };
  auto impl = [op](std::span<const Array> in, const Params& params, const KernelOutputs& out) {
    Array result = out.make(0);
    cpu::reduce(op, in[0].dtype(), array_data(in[0]), in[0].shape(), params.get_ints("axes"),
                mutable_data(result));
    return single(std::move(result));
  };
  return def(p).shape(shape).impl(impl).batch(reduce_batch_rule(p));
}

// argmax/argmin's shape rule, kernel and batch rule; its jvp is chained on.
PrimitiveDef def_argreduce(Prim p, bool is_max) {
  std::string_view name = primitive_name(p);
  auto shape = [name](std::span<const ShapedArray> in, const Params& params) {
    check_arity(name, in, 1);
    const ShapedArray& x = in[0];
    const auto& axes = params.get_ints("axes");
    DType index_dtype = params.get_dtype("index_dtype");
    if (!is_integer(index_dtype)) {
      throw DTypeError(std::string(name) + ": index_dtype must be an integer type, but got " +
                       std::string(dtype_name(index_dtype)));
    }
    if (axes.size() != 1) {
      throw ValueError(std::string(name) + " reduces exactly one axis, got axes " +
                       tuple_str(axes));
    }
    const int64_t axis = axes[0];
    if (axis < 0 || axis >= x.ndim()) {
      throw IndexError(std::string(name) + ": Invalid axis " + std::to_string(axis) +
                       " for operand shape " + x.shape.str());
    }
    if (x.shape[static_cast<size_t>(axis)] < 1) {
      throw ValueError(std::string(name) + ": attempt to get " + std::string(name) +
                       " of an empty sequence (argmin and argmax require non-empty reduced "
                       "dimension. operand.shape=" +
                       x.shape.str() + " axis=" + std::to_string(axis) + ")");
    }
    Shape out = x.shape;
    out.erase(static_cast<size_t>(axis));
    return single(ShapedArray{out, index_dtype, false});
  };
  auto impl = [is_max](std::span<const Array> in, const Params& params, const KernelOutputs& out) {
    Array result = out.make(0);
    cpu::argreduce(is_max, in[0].dtype(), out[0].dtype, array_data(in[0]), in[0].shape(),
                   params.get_ints("axes")[0], mutable_data(result));
    return single(std::move(result));
  };
  return def(p).shape(shape).impl(impl).batch(reduce_batch_rule(p));
}

// The dims of an operand of rank nd that a reduction over `axes` keeps, ascending.
std::vector<int64_t> kept_dims(int nd, const std::vector<int64_t>& axes) {
  std::vector<int64_t> kept;
  for (int64_t d = 0; d < nd; ++d) {
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) kept.push_back(d);
  }
  return kept;
}

// The cotangent of a sum is broadcast back along the reduced axes.
Array reduce_sum_transpose(const Array& ct, const ShapedArray& in, std::span<const Array>,
                           const Params& params) {
  const std::vector<int64_t>& axes = params.get_ints("axes");
  std::vector<int64_t> kept;
  for (int64_t d = 0; d < in.ndim(); ++d) {
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) kept.push_back(d);
  }
  return lax::broadcast_in_dim(ct, in.shape, kept);
}

// JAX's _reduce_chooser_jvp_rule (reduce_max/reduce_min): the tangent at the locations holding
// the result, averaged over them when several tie (NaN results: no location, a NaN tangent).
Array chooser_jvp(const Array& g, std::span<const Array> primals, const Array& ans,
                  const Params& params) {
  const Array& x = primals[0];
  const std::vector<int64_t>& axes = params.get_ints("axes");
  Array at = lax::broadcast_in_dim(ans, x.shape(), kept_dims(x.ndim(), axes));
  Array location = lax::convert_element_type(lax::eq(x, at), g.dtype());
  Array counts = lax::reduce_sum(location, axes);
  return lax::div(lax::reduce_sum(lax::mul(g, location), axes), counts);
}

// JAX's _reduce_prod_jvp_rule: the reduced axes are moved to the front and flattened, then the
// product is taken as a balanced tree of pairwise products, differentiated as such
// (d(a*b) = da*b + a*db), which is exact where some factors are zero.
std::pair<std::vector<Array>, std::vector<Array>> reduce_prod_jvp(std::span<const Array> primals,
                                                                  std::span<const Array> tangents,
                                                                  const Params& params) {
  Array out = bind1(Prim::reduce_prod, primals, params);
  if (ad::is_zero(tangents[0])) return {single(out), {Array()}};
  const Array& x = primals[0];
  const std::vector<int64_t>& axes = params.get_ints("axes");
  const std::vector<int64_t> kept = kept_dims(x.ndim(), axes);
  std::vector<int64_t> perm = axes;
  perm.insert(perm.end(), kept.begin(), kept.end());
  int64_t n = 1;
  for (int64_t a : axes) n *= x.shape()[static_cast<size_t>(a)];
  std::vector<int64_t> flat{n};
  for (int64_t d : kept) flat.push_back(x.shape()[static_cast<size_t>(d)]);
  if (n == 0) return {single(out), single(ad::full_like(0, out))};
  Array p = lax::reshape(lax::transpose(x, perm), Shape(flat));
  Array t = lax::reshape(lax::transpose(tangents[0], perm), Shape(flat));
  const Array one = lax::convert_element_type(Array(1.0), x.dtype());
  const Array zero = lax::convert_element_type(Array(0.0), x.dtype());
  std::vector<int64_t> start(flat.size(), 0);
  while (flat[0] > 1) {
    const int64_t m = flat[0], m1 = (m + 1) / 2, m2 = m - m1;
    std::vector<int64_t> mid = start, limit = flat, half = flat;
    mid[0] = m1;
    half[0] = m1;
    auto lo = [&](const Array& a) { return lax::slice(a, start, half); };
    auto hi = [&](const Array& a, const Array& fill) {
      Array h = lax::slice(a, mid, limit);
      if (m2 == m1) return h;
      std::vector<lax::PadConfig> cfg(flat.size());
      cfg[0].hi = 1;
      return lax::pad(h, fill, cfg);
    };
    Array p1 = lo(p), p2 = hi(p, one), t1 = lo(t), t2 = hi(t, zero);
    p = lax::mul(p1, p2);
    t = lax::add(lax::mul(t1, p2), lax::mul(p1, t2));
    flat[0] = m1;
  }
  return {single(out), single(lax::reshape(t, out.shape()))};
}

}  // namespace

void register_reduction() {
  using Op = cpu::ReduceOp;
  def_reduce(Prim::reduce_sum, Kind::kNumber, Op::kSum).linear(reduce_sum_transpose);
  def_reduce(Prim::reduce_prod, Kind::kNumber, Op::kProd).jvp(reduce_prod_jvp);
  def_reduce(Prim::reduce_max, Kind::kAny, Op::kMax)
      .jvp(ad::defjvp(Prim::reduce_max, {chooser_jvp}));
  def_reduce(Prim::reduce_min, Kind::kAny, Op::kMin)
      .jvp(ad::defjvp(Prim::reduce_min, {chooser_jvp}));
  // Integer or bool results: no tangent (JAX: defjvp_zero).
  def_reduce(Prim::reduce_and, Kind::kLogical, Op::kAnd).jvp(ad::zero_jvp(Prim::reduce_and));
  def_reduce(Prim::reduce_or, Kind::kLogical, Op::kOr).jvp(ad::zero_jvp(Prim::reduce_or));
  def_argreduce(Prim::argmax, true).jvp(ad::zero_jvp(Prim::argmax));
  def_argreduce(Prim::argmin, false).jvp(ad::zero_jvp(Prim::argmin));
}

}  // namespace jx::primitives

namespace jx::lax {
namespace {
Array bind_reduce(Prim p, const Array& x, std::vector<int64_t> axes) {
  std::sort(axes.begin(), axes.end());
  return bind1(p, {x}, Params{{"axes", std::move(axes)}});
}
}  // namespace

Array reduce_sum(const Array& x, const std::vector<int64_t>& axes) {
  return bind_reduce(Prim::reduce_sum, x, axes);
}
Array reduce_max(const Array& x, const std::vector<int64_t>& axes) {
  return bind_reduce(Prim::reduce_max, x, axes);
}
Array reduce_min(const Array& x, const std::vector<int64_t>& axes) {
  return bind_reduce(Prim::reduce_min, x, axes);
}
Array reduce_prod(const Array& x, const std::vector<int64_t>& axes) {
  return bind_reduce(Prim::reduce_prod, x, axes);
}
Array reduce_and(const Array& x, const std::vector<int64_t>& axes) {
  return bind_reduce(Prim::reduce_and, x, axes);
}
Array reduce_or(const Array& x, const std::vector<int64_t>& axes) {
  return bind_reduce(Prim::reduce_or, x, axes);
}
Array argmax(const Array& x, int64_t axis, DType index_dtype) {
  return bind1(Prim::argmax, {x},
               Params{{"axes", std::vector<int64_t>{axis}}, {"index_dtype", index_dtype}});
}
Array argmin(const Array& x, int64_t axis, DType index_dtype) {
  return bind1(Prim::argmin, {x},
               Params{{"axes", std::vector<int64_t>{axis}}, {"index_dtype", index_dtype}});
}

}  // namespace jx::lax
