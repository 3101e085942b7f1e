// Collectives over a named mapped axis: psum, pmax, pmin, all_gather, axis_index (JAX's
// lax.parallel). Params: "axis_name" (string); all_gather adds "all_gather_dimension",
// "axis_size" and "tiled". They have meaning only inside a transformation that binds the name
// (vmap with axis_name): its batch rule reduces over the batch axis. Evaluated with no such
// transformation, the name is unbound and the kernel raises NameError, as JAX does.
#include <string>

#include "interpreters/ad.h"
#include "interpreters/batching.h"
#include "interpreters/transpose.h"
#include "jx/lax.h"
#include "primitives/def.h"
#include "primitives/families.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

[[noreturn]] void throw_unbound(const std::string& name) {
  std::string bound = "[";
  std::vector<std::string> names = bound_axis_names();
  for (size_t i = 0; i < names.size(); ++i) bound += (i ? ", '" : "'") + names[i] + "'";
  throw NameError("unbound axis name: " + name +
                  ". The following axis names (e.g. defined by pmap) are available to "
                  "collective operations: " +
                  bound + "]");
}

const std::string& axis_name(const Params& params) { return params.get<std::string>("axis_name"); }

[[noreturn]] std::vector<Array> unbound_impl(std::span<const Array>, const Params& params,
                                             const KernelOutputs&) {
  throw_unbound(axis_name(params));
}

// psum/pmax/pmin: one operand of the given dtype class, returned as is.
AbstractEvalRule reducer_rule(Prim p, DTypeClass cls) {
  std::string_view name = primitive_name(p);
  return [name, cls](std::span<const ShapedArray> in, const Params&) {
    check_arity(name, in, 1);
    check_dtype_class(name, in[0].dtype, cls);
    return single(in[0]);
  };
}

// psum/pmax/pmin: reduce over the batch axis when the name is this vmap's (the result is the
// same for every example: unmapped); otherwise the collective is for an enclosing axis and
// applies to each example of this one alike.
BatchRule reducer_over_axis(Prim p, Array (*reduce)(const Array&, const std::vector<int64_t>&),
                            bool scale_unmapped) {
  return [p, reduce, scale_unmapped](std::span<const Array> in, std::span<const BatchDim> dims,
                                     const Params& params, const AxisData& axis) {
    if (axis_name(params) != axis.name) return batching::one(bind1(p, in, params), dims[0]);
    if (dims[0]) return batching::one(reduce(in[0], {*dims[0]}), std::nullopt);
    // Every example holds the same value: the sum is size copies of it, the max is itself.
    if (!scale_unmapped) return batching::one(in[0], std::nullopt);
    Array n = lax::convert_element_type(Array(axis.size), in[0].dtype(), in[0].weak_type());
    return batching::one(lax::mul(in[0], lax::broadcast_in_dim(n, in[0].shape(), {})),
                         std::nullopt);
  };
}

std::vector<ShapedArray> all_gather_rule(std::span<const ShapedArray> in, const Params& params) {
  check_arity("all_gather", in, 1);
  const ShapedArray& x = in[0];
  int64_t dim = params.get_int("all_gather_dimension");
  int64_t size = params.get_int("axis_size");
  bool tiled = params.get_bool("tiled");
  if (dim < 0 || dim > x.ndim() - (tiled ? 1 : 0)) {
    throw IndexError("all_gather: axis " + std::to_string(dim) +
                     " is out of bounds for an operand of shape " + x.shape.str() +
                     (tiled ? " (tiled)" : ""));
  }
  std::vector<int64_t> shape(x.shape.begin(), x.shape.end());
  if (tiled) {
    shape[dim] *= size;
  } else {
    shape.insert(shape.begin() + dim, size);
  }
  return single(ShapedArray{Shape(shape), x.dtype, x.weak_type});
}

// Named axis: the examples stacked (or concatenated) along the gather dimension; every example
// sees the whole result. Another name: the gather runs on each example alike, so the batch axis
// goes first and the gather dimension shifts past it.
std::pair<std::vector<Array>, std::vector<BatchDim>> all_gather_batch(
    std::span<const Array> in, std::span<const BatchDim> dims, const Params& params,
    const AxisData& axis) {
  int64_t dim = params.get_int("all_gather_dimension");
  bool tiled = params.get_bool("tiled");
  if (axis_name(params) != axis.name) {
    Params shifted = params;
    shifted.set("all_gather_dimension", dim + 1);
    return batching::one(
        bind1(Prim::all_gather, {batching::bdim_at_front(in[0], dims[0], axis.size)}, shifted), 0);
  }
  Array stacked = batching::matchaxis(in[0], dims[0], static_cast<int>(dim), axis.size);
  if (tiled) {
    std::vector<int64_t> shape(in[0].shape().begin(), in[0].shape().end());
    if (dims[0]) shape.erase(shape.begin() + *dims[0]);
    shape[dim] *= axis.size;
    stacked = lax::reshape(stacked, Shape(shape));
  }
  return batching::one(stacked, std::nullopt);
}

// ---- axis_index -------------------------------------------------------------------------------
std::vector<ShapedArray> axis_index_rule(std::span<const ShapedArray> in, const Params&) {
  check_arity("axis_index", in, 0);
  return single(ShapedArray{Shape{}, DType::int32, false});
}

// Only reached for this trace's own name (no operands, so never mapped otherwise).
std::pair<std::vector<Array>, std::vector<BatchDim>> axis_index_batch(std::span<const Array>,
                                                                      std::span<const BatchDim>,
                                                                      const Params&,
                                                                      const AxisData& axis) {
  return batching::one(lax::iota(DType::int32, axis.size), 0);
}

// ---- transpose rules (JAX's psum transpose and _all_gather_transpose_rule) ------------------
// psum is its own transpose: every member's cotangent reaches every member's input.
Array psum_transpose(const Array& ct, const ShapedArray& in, std::span<const Array>,
                     const Params& params) {
  return ad::unbroadcast(bind1(Prim::psum, {ct}, params), in);
}

// all_gather: JAX's psum_scatter of the cotangent. The cotangents summed over the members, then
// this member's block along the gather dimension (a slice of size 1, squeezed, when untiled),
// read with a gather at axis_index so that it batches and differentiates like any gather.
Array all_gather_transpose(const Array& ct, const ShapedArray& in, std::span<const Array>,
                           const Params& params) {
  const std::string& name = axis_name(params);
  const int64_t dim = params.get_int("all_gather_dimension");
  const bool tiled = params.get_bool("tiled");
  const Array summed = bind1(Prim::psum, {ct}, Params{{"axis_name", name}});
  const int64_t block = tiled ? in.shape[static_cast<size_t>(dim)] : 1;
  Array start = bind1(Prim::axis_index, std::span<const Array>{}, Params{{"axis_name", name}});
  if (block != 1) {
    start = lax::mul(start, lax::convert_element_type(Array(block), DType::int32, false));
  }
  start = lax::reshape(start, Shape{1});
  lax::GatherDimensionNumbers dn;
  dn.start_index_map = {dim};
  std::vector<int64_t> sizes(summed.shape().begin(), summed.shape().end());
  sizes[static_cast<size_t>(dim)] = block;
  if (!tiled) dn.collapsed_slice_dims = {dim};
  for (int64_t d = 0; d < in.ndim(); ++d) dn.offset_dims.push_back(d);
  return ad::unbroadcast(lax::gather(summed, start, dn, sizes, lax::GatherScatterMode::kClip), in);
}

}  // namespace

// psum is linear (JAX's deflinear2); pmax/pmin have no jvp rule in JAX either, so
// differentiating them raises, as there.
void register_collective() {
  def(Prim::psum)
      .shape(reducer_rule(Prim::psum, DTypeClass::kNumber))
      .impl(unbound_impl)
      .batch(reducer_over_axis(Prim::psum, lax::reduce_sum, true))
      .collective()
      .linear(psum_transpose);
  def(Prim::pmax)
      .shape(reducer_rule(Prim::pmax, DTypeClass::kAny))
      .impl(unbound_impl)
      .batch(reducer_over_axis(Prim::pmax, lax::reduce_max, false))
      .collective();
  def(Prim::pmin)
      .shape(reducer_rule(Prim::pmin, DTypeClass::kAny))
      .impl(unbound_impl)
      .batch(reducer_over_axis(Prim::pmin, lax::reduce_min, false))
      .collective();
  def(Prim::all_gather)
      .shape(all_gather_rule)
      .impl(unbound_impl)
      .batch(all_gather_batch)
      .collective()
      .linear(all_gather_transpose);
  def(Prim::axis_index)
      .shape(axis_index_rule)
      .impl(unbound_impl)
      .batch(axis_index_batch)
      .collective()
      // An int32 output: no tangent space.
      .jvp(ad::zero_jvp(Prim::axis_index));
}

}  // namespace jx::primitives

namespace jx::lax {
namespace {
// The axis bound to `name` by an enclosing transformation; NameError when there is none.
const AxisData& bound_axis(const std::string& name) {
  const AxisData* axis = find_named_axis(name);
  if (axis == nullptr) primitives::throw_unbound(name);
  return *axis;
}
Array bind_named(Prim p, const Array& x, const std::string& name) {
  bound_axis(name);
  return bind1(p, {x}, Params{{"axis_name", name}});
}
}  // namespace

Array psum(const Array& x, const std::string& axis_name) {
  return bind_named(Prim::psum, x, axis_name);
}
Array psum(const Array& x, const std::vector<std::string>& axis_names) {
  Array out = x;
  for (const std::string& name : axis_names) out = psum(out, name);
  return out;
}
Array pmean(const Array& x, const std::string& axis_name) {
  return pmean(x, std::vector<std::string>{axis_name});
}
Array pmean(const Array& x, const std::vector<std::string>& axis_names) {
  int64_t count = 1;
  for (const std::string& name : axis_names) count *= bound_axis(name).size;
  // True division, as jnp's: an integer sum becomes float32.
  Array sum = psum(x, axis_names);
  const DType d = is_floating(sum.dtype()) ? sum.dtype() : DType::float32;
  return lax::div(lax::convert_element_type(sum, d, sum.weak_type()),
                  lax::convert_element_type(Array(static_cast<double>(count)), d, true));
}
Array pmax(const Array& x, const std::string& axis_name) {
  return bind_named(Prim::pmax, x, axis_name);
}
Array pmin(const Array& x, const std::string& axis_name) {
  return bind_named(Prim::pmin, x, axis_name);
}
Array all_gather(const Array& x, const std::string& axis_name, int64_t axis, bool tiled) {
  const AxisData& bound = bound_axis(axis_name);
  int64_t dim = axis < 0 ? axis + x.ndim() + (tiled ? 0 : 1) : axis;
  return bind1(Prim::all_gather, {x},
               Params{{"axis_name", axis_name},
                      {"all_gather_dimension", dim},
                      {"axis_size", bound.size},
                      {"tiled", tiled}});
}
Array axis_index(const std::string& axis_name) {
  bound_axis(axis_name);
  return bind1(Prim::axis_index, std::span<const Array>{}, Params{{"axis_name", axis_name}});
}

}  // namespace jx::lax
