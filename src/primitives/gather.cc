// Gather: XLA's indexed window read, with JAX's dimension numbers (index_vector_dim is always
// the last dimension of the indices) and JAX's out-of-bounds modes. The scatter family, its
// transpose, is in scatter.cc; what the two share is in gather_scatter.h.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <tuple>
#include <type_traits>

#include "interpreters/ad.h"
#include "interpreters/batching.h"
#include "interpreters/transpose.h"
#include "ir/ops.h"
#include "jx/lax.h"
#include "primitives/def.h"
#include "primitives/families.h"
#include "primitives/gather_along_axis.h"
#include "primitives/gather_scatter.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

// ---- gather shape rule (XLA's ShapeInference::InferGatherShape, in JAX's order) ------------

std::vector<ShapedArray> gather_abstract_eval(std::span<const ShapedArray> in, const Params& p) {
  check_arity("gather", in, 2);
  const ShapedArray& operand = in[0];
  const ShapedArray& indices = in[1];
  Checker c("gather",
            "operand shape " + operand.shape.str() + " and indices shape " + indices.shape.str());
  check_index_dtype("gather", indices);
  checked_mode(p, "gather");
  const Dims& offset_dims = p.get_ints("offset_dims");
  const Dims& collapsed = p.get_ints("collapsed_slice_dims");
  const Dims& start_index_map = p.get_ints("start_index_map");
  const Dims& operand_batching = p.get_ints("operand_batching_dims");
  const Dims& indices_batching = p.get_ints("start_indices_batching_dims");
  const Dims& slice_sizes = p.get_ints("slice_sizes");
  const int64_t rank = operand.ndim();

  if (indices.ndim() < 1) {
    c.fail(
        "gather indices must have rank >= 1: their last dimension is the index vector (to "
        "gather with scalar indices, add a trailing dimension of size 1).");
  }
  const int64_t index_vector_dim = indices.ndim() - 1;
  const int64_t out_rank = int64_t(offset_dims.size()) + index_vector_dim;

  c.sorted(offset_dims, "offset_dims");
  c.no_duplicates(offset_dims, "offset_dims");
  for (size_t i = 0; i < offset_dims.size(); ++i) {
    if (offset_dims[i] < 0 || offset_dims[i] >= out_rank) {
      c.fail<IndexError>("Offset dimension " + std::to_string(i) +
                         " in gather op is out of bounds; got " + std::to_string(offset_dims[i]) +
                         ", but should have been in [0, " + std::to_string(out_rank) + ")");
    }
  }
  if (int64_t(start_index_map.size()) != indices.shape[size_t(index_vector_dim)]) {
    c.fail("Gather op has " + std::to_string(start_index_map.size()) +
           " elements in start_index_map and the bound of dimension index_vector_dim=" +
           std::to_string(index_vector_dim) + " of indices is " +
           std::to_string(indices.shape[size_t(index_vector_dim)]) +
           ". These two numbers must be equal.");
  }
  for (size_t i = 0; i < start_index_map.size(); ++i) {
    if (start_index_map[i] < 0 || start_index_map[i] >= rank) {
      c.fail<IndexError>("Invalid start_index_map; domain is [0, " + std::to_string(rank) +
                         "), got: " + std::to_string(i) + "->" +
                         std::to_string(start_index_map[i]) + ".");
    }
  }
  c.no_duplicates(start_index_map, "start_index_map");
  c.sorted(collapsed, "collapsed_slice_dims");
  c.in_range(collapsed, rank, "collapsed_slice_dims");
  c.no_duplicates(collapsed, "collapsed_slice_dims");
  c.no_duplicates(operand_batching, "operand_batching_dims");
  c.sorted(operand_batching, "operand_batching_dims");
  c.in_range(operand_batching, rank, "operand_batching_dims");
  c.disjoint(collapsed, operand_batching, "collapsed_slice_dims", "operand_batching_dims");
  c.disjoint(start_index_map, operand_batching, "start_index_map", "operand_batching_dims");
  check_batching(c, operand, indices, operand_batching, indices_batching,
                 "start_indices_batching_dims", "Gather");

  if (int64_t(slice_sizes.size()) != rank) {
    c.fail(
        "Gather op must have one slice size for every input dimension; got: "
        "len(slice_sizes)=" +
        std::to_string(slice_sizes.size()) + ", input_shape.rank=" + std::to_string(rank));
  }
  if (slice_sizes.size() != offset_dims.size() + collapsed.size() + operand_batching.size()) {
    c.fail(
        "All components of the offset index in a gather op must either be a offset dimension "
        "or explicitly collapsed/batching; got len(slice_sizes)=" +
        std::to_string(slice_sizes.size()) + ", output_slice_sizes=" + tuple_str(offset_dims) +
        ", collapsed_slice_dims=" + tuple_str(collapsed) +
        ", operand_batching_dims=" + tuple_str(operand_batching) + ".");
  }
  for (size_t i = 0; i < slice_sizes.size(); ++i) {
    if (slice_sizes[i] < 0 || slice_sizes[i] > operand.shape[i]) {
      c.fail("Slice size at index " + std::to_string(i) +
             " in gather op is out of range, must be within [0, " +
             std::to_string(operand.shape[i]) + " + 1), got " + std::to_string(slice_sizes[i]) +
             ".");
    }
  }
  for (size_t i = 0; i < collapsed.size(); ++i) {
    int64_t bound = slice_sizes[size_t(collapsed[i])];
    if (bound != 1) {
      c.fail("Gather op can only collapse slice dims with bound 1, but bound is " +
             std::to_string(bound) + " for index " + std::to_string(collapsed[i]) +
             " at position " + std::to_string(i) + ".");
    }
  }
  for (size_t i = 0; i < operand_batching.size(); ++i) {
    int64_t bound = slice_sizes[size_t(operand_batching[i])];
    if (bound > 1) {
      c.fail("Gather op can only have operand batching dims with bound 0/1, but bound is " +
             std::to_string(bound) + " for index " + std::to_string(operand_batching[i]) +
             " at position " + std::to_string(i) + ".");
    }
  }

  // Output: offset dims take the window sizes in order, the rest the indices' batch sizes.
  Shape out;
  size_t next_window = 0, next_batch = 0;
  for (int64_t i = 0; i < out_rank; ++i) {
    if (contains(offset_dims, i)) {
      while (contains(collapsed, int64_t(next_window)) ||
             contains(operand_batching, int64_t(next_window))) {
        ++next_window;
      }
      out.push_back(slice_sizes[next_window++]);
    } else {
      out.push_back(indices.shape[next_batch++]);
    }
  }
  return single(ShapedArray{std::move(out), operand.dtype, operand.weak_type});
}

// ---- kernel --------------------------------------------------------------------------------

// Copies every output row: whole contiguous window rows with memcpy, strided windows element
// by element, and rows running along a batch dim by looking up each element's window start.
template <class E>
void gather_rows(const E* src, E* dst, const std::vector<LoopDim>& dims,
                 const std::vector<int64_t>& base, E fill) {
  const LoopDim inner = dims.back();
  std::span<const LoopDim> outer(dims.data(), dims.size() - 1);
  const int64_t rows = outer_rows(dims);
  int64_t grain = std::max<int64_t>(cpu::kParallelBytes / (inner.size * int64_t(sizeof(E)) * 2), 1);
  cpu::parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    Odometer od(outer, r0);
    E* out = dst + r0 * inner.size;
    for (int64_t r = r0; r < r1; ++r, out += inner.size, od.next()) {
      if (inner.bstride == 0) {
        const int64_t b = base[size_t(od.boff)];
        if (b < 0) {
          std::fill(out, out + inner.size, fill);
        } else if (inner.ostride == 1) {
          std::memcpy(out, src + b + od.ooff, size_t(inner.size) * sizeof(E));
        } else {
          const E* s = src + b + od.ooff;
          for (int64_t t = 0; t < inner.size; ++t) out[t] = s[t * inner.ostride];
        }
      } else {
        const int64_t* bb = base.data() + od.boff;
        for (int64_t t = 0; t < inner.size; ++t) {
          const int64_t b = bb[t * inner.bstride];
          out[t] = b < 0 ? fill : src[b + od.ooff];
        }
      }
    }
  });
}

// Converts the fill value to T, saturating for integers (NaN becomes 0) so that no fill value
// is undefined behaviour.
template <class T>
T convert_fill(double v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0;
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else {
    if (std::isnan(v)) return 0;
    if (v <= static_cast<double>(std::numeric_limits<T>::min()))
      return std::numeric_limits<T>::min();
    if (v >= static_cast<double>(std::numeric_limits<T>::max()))
      return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  }
}

// JAX's default fill for out-of-bounds gathers: NaN, the minimum signed integer, the maximum
// unsigned integer, or true.
template <class T>
T default_fill() {
  if constexpr (std::is_same_v<T, bool>)
    return true;
  else if constexpr (std::is_floating_point_v<T>)
    return std::numeric_limits<T>::quiet_NaN();
  else if constexpr (std::is_signed_v<T>)
    return std::numeric_limits<T>::min();
  else
    return std::numeric_limits<T>::max();
}

template <class E>
void run_gather_rows(const Array& operand, const Array& result, const std::vector<LoopDim>& dims,
                     const std::vector<int64_t>& base, const Params& p) {
  E fill_bits{};
  dispatch_dtype(operand.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (sizeof(T) == sizeof(E)) {
      T fill =
          p.has("fill_value") ? convert_fill<T>(p.get<double>("fill_value")) : default_fill<T>();
      std::memcpy(&fill_bits, &fill, sizeof(T));
    }
  });
  gather_rows<E>(static_cast<const E*>(array_data(operand)), mutable_data<E>(result), dims, base,
                 fill_bits);
}

std::vector<Array> gather_impl(std::span<const Array> in, const Params& p,
                               const KernelOutputs& out_avals) {
  const Array& operand = in[0];
  const Array& indices = in[1];
  Array result = out_avals.make(0);
  if (result.size() == 0) return single(std::move(result));
  const Dims& offset_dims = p.get_ints("offset_dims");
  const Dims& collapsed = p.get_ints("collapsed_slice_dims");
  const Dims& operand_batching = p.get_ints("operand_batching_dims");
  const Dims& slice_sizes = p.get_ints("slice_sizes");
  const int64_t mode = p.get_int("mode");

  WindowStarts ws{&p.get_ints("start_index_map"), &operand_batching,
                  &p.get_ints("start_indices_batching_dims"), slice_sizes, mode == kFillOrDrop};
  const std::vector<int64_t> base = window_bases(operand, indices, ws);

  const Shape& ishape = indices.shape();
  const Dims bstrides = contiguous_strides(Shape(ishape.begin(), ishape.end() - 1));
  const Dims window = operand_window_dims(operand.ndim(), collapsed, operand_batching);
  const std::vector<LoopDim> dims =
      loop_dims(result.shape(), offset_dims, window, contiguous_strides(operand.shape()), bstrides);
  switch (itemsize(operand.dtype())) {
    case 1:
      run_gather_rows<uint8_t>(operand, result, dims, base, p);
      break;
    case 4:
      run_gather_rows<uint32_t>(operand, result, dims, base, p);
      break;
    default:
      run_gather_rows<uint64_t>(operand, result, dims, base, p);
      break;
  }
  return single(std::move(result));
}

// ---- batch rule (the batch dim folded into the dimension numbers, see gather_scatter.h) ------

std::pair<std::vector<Array>, std::vector<BatchDim>> gather_batch(std::span<const Array> in,
                                                                  std::span<const BatchDim> dims,
                                                                  const Params& p,
                                                                  const AxisData& axis) {
  Dims offset = p.get_ints("offset_dims"), collapsed = p.get_ints("collapsed_slice_dims");
  Dims start_index_map = p.get_ints("start_index_map");
  Dims operand_batching = p.get_ints("operand_batching_dims");
  Dims indices_batching = p.get_ints("start_indices_batching_dims");
  Dims sizes = p.get_ints("slice_sizes");
  Array indices = in[1];
  int64_t out_dim;
  if (!dims[1]) {
    // Operand only: the batch dim is a whole-size window dim, an offset dim of the result.
    const int b = *dims[0];
    const size_t k = window_dims_before(b, collapsed, operand_batching);
    out_dim = window_position(offset, k);
    offset = batching::batched_axes(offset, out_dim);
    offset.insert(offset.begin() + ptrdiff_t(k), out_dim);
    collapsed = batching::batched_axes(collapsed, b);
    start_index_map = batching::batched_axes(start_index_map, b);
    operand_batching = batching::batched_axes(operand_batching, b);
    sizes.insert(sizes.begin() + b, axis.size);
  } else {
    int64_t ib;
    std::tie(indices, ib) = indices_batch_dim(in[1], *dims[1]);
    const int64_t out_rank = int64_t(offset.size()) + indices.ndim() - 2;
    out_dim = batch_position(offset, out_rank, ib);
    offset = batching::batched_axes(offset, out_dim);
    indices_batching = batching::batched_axes(indices_batching, ib);
    if (dims[0]) {
      const int b = *dims[0];
      collapsed = batching::batched_axes(collapsed, b);
      start_index_map = batching::batched_axes(start_index_map, b);
      operand_batching = batching::batched_axes(operand_batching, b);
      const size_t j = insert_sorted(operand_batching, b);
      indices_batching.insert(indices_batching.begin() + ptrdiff_t(j), ib);
      sizes.insert(sizes.begin() + b, std::min<int64_t>(1, axis.size));
    }
  }
  Params q = p;
  q.set("offset_dims", offset);
  q.set("collapsed_slice_dims", collapsed);
  q.set("start_index_map", start_index_map);
  q.set("operand_batching_dims", operand_batching);
  q.set("start_indices_batching_dims", indices_batching);
  q.set("slice_sizes", sizes);
  return batching::one(bind1(Prim::gather, {in[0], indices}, q), int(out_dim));
}

// ---- jvp rule (JAX's _gather_jvp_rule) -----------------------------------------------------
// Written with primitives only, so it can be vmapped and differentiated again. The indices are
// integers: they never have a tangent.

// gather is linear in the operand; the tangent of a filled (out-of-bounds) window is 0, not
// the primal's fill value.
Array gather_tangent(const Array& g, std::span<const Array> primals, const Array&,
                     const Params& p) {
  Params q = p;
  if (p.get_int("mode") == kFillOrDrop) q.set("fill_value", 0.0);
  return bind1(Prim::gather, {g, primals[1]}, q);
}

// ---- transpose rule (JAX's _gather_transpose_rule) ------------------------------------------
// The indices are never linear.

// gather in its operand: the cotangent's windows scatter-added into zeros at the same starts
// (duplicated starts sum). A filled (out-of-bounds) window is dropped again by the scatter's
// fill_or_drop mode. JAX keeps promise_in_bounds here; jx's gather clamps such windows while its
// scatter drops them, so the scatter clips instead: the same for indices that keep the promise,
// and the exact adjoint of the clamping gather for those that break it.
Array gather_transpose_operand(const Array& ct, const ShapedArray& in, std::span<const Array> args,
                               const Params& p) {
  int64_t mode = p.get_int("mode");
  if (mode == kPromiseInBounds) mode = kClip;
  Params q{{"update_window_dims", p.get_ints("offset_dims")},
           {"inserted_window_dims", p.get_ints("collapsed_slice_dims")},
           {"scatter_dims_to_operand_dims", p.get_ints("start_index_map")},
           {"operand_batching_dims", p.get_ints("operand_batching_dims")},
           {"scatter_indices_batching_dims", p.get_ints("start_indices_batching_dims")},
           {"mode", mode}};
  const Array zeros = ops::full(ShapedArray{in.shape, ct.dtype(), false}, 0);
  return ad::unbroadcast(bind1(Prim::scatter_add, {zeros, args[1], ct}, q), in);
}

}  // namespace

// gather is linear in its operand, but its jvp is not the plain deflinear: the tangent of a
// filled window is 0, not the fill value (gather_tangent).
void register_gather() {
  def(Prim::gather)
      .shape(gather_abstract_eval)
      .impl(gather_impl)
      .batch(gather_batch)
      .jvp(ad::defjvp(Prim::gather, {gather_tangent, nullptr}))
      .transpose(ad::deftranspose({gather_transpose_operand, nullptr}));
}

Array gather_along_axis(const Array& x, const Array& idx, int axis, lax::GatherScatterMode mode) {
  const int nd = x.ndim();
  const Shape& shape = idx.shape();
  Shape cshape = shape;
  cshape.push_back(1);
  std::vector<Array> coords;
  for (int d = 0; d < nd; ++d) {
    Array c = d == axis ? idx : lax::broadcasted_iota(idx.dtype(), shape, d);
    coords.push_back(lax::reshape(c, cshape));
  }
  Array start = nd == 1 ? coords[0] : lax::concatenate(coords, nd);
  lax::GatherDimensionNumbers dn;
  for (int d = 0; d < nd; ++d) {
    dn.collapsed_slice_dims.push_back(d);
    dn.start_index_map.push_back(d);
  }
  return lax::gather(x, start, dn, std::vector<int64_t>(static_cast<size_t>(nd), 1), mode);
}

}  // namespace jx::primitives

namespace jx::lax {

Array gather(const Array& operand, const Array& start_indices,
             const GatherDimensionNumbers& dimension_numbers,
             const std::vector<int64_t>& slice_sizes, GatherScatterMode mode,
             std::optional<double> fill_value) {
  Params p{{"offset_dims", dimension_numbers.offset_dims},
           {"collapsed_slice_dims", dimension_numbers.collapsed_slice_dims},
           {"start_index_map", dimension_numbers.start_index_map},
           {"operand_batching_dims", dimension_numbers.operand_batching_dims},
           {"start_indices_batching_dims", dimension_numbers.start_indices_batching_dims},
           {"slice_sizes", slice_sizes},
           {"mode", static_cast<int64_t>(mode)}};
  // As in JAX, the fill value only exists in fill mode (other modes never read it).
  if (mode == GatherScatterMode::kFillOrDrop && fill_value) p.set("fill_value", *fill_value);
  return bind1(Prim::gather, {operand, start_indices}, p);
}

}  // namespace jx::lax
