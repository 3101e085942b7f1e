// Structural primitives: iota, broadcast_in_dim, reshape, transpose, squeeze, expand_dims, rev.
// Pure data movement: kernels move raw elements by itemsize (cpu::copy_strided), and reshape,
// squeeze, expand_dims (and the no-op cases of the others) share the operand's buffer.
//
// reshape supports only dimensions=None (JAX's default): the "dimensions" parameter must be
// absent; transpose first for the other case.
#include <algorithm>
#include <numeric>
#include <string>

#include "backend/cpu/copy_kernels.h"
#include "interpreters/ad.h"
#include "interpreters/batching.h"
#include "interpreters/transpose.h"
#include "ir/ops.h"
#include "jx/lax.h"
#include "primitives/def.h"
#include "primitives/families.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

using Ints = std::vector<int64_t>;

// The operand's data under a new aval (no copy).
Array view_of(const Array& x, const ShapedArray& aval) {
  return make_view(aval, x.impl()->buffer, x.impl()->offset);
}

// out[k] = x[src_offset + sum_i k_i * src_strides[i]] over out's shape.
void gather_into(const Array& out, const Array& x, std::span<const int64_t> src_strides,
                 int64_t src_offset) {
  const size_t is = itemsize(x.dtype());
  const Ints ds = contiguous_strides(out.shape());
  const char* src = static_cast<const char*>(array_data(x)) + src_offset * int64_t(is);
  cpu::copy_strided(mutable_data(out), ds, src, src_strides, out.shape(), is);
}

// ---- iota -------------------------------------------------------------------------------------
std::vector<ShapedArray> iota_rule(std::span<const ShapedArray> in, const Params& params) {
  check_arity("iota", in, 0);
  const DType dtype = params.get_dtype("dtype");
  const Ints& shape = params.get_ints("shape");
  const int64_t dimension = params.get_int("dimension");
  check_shapelike("iota", "shape", shape);
  check_dtype_class("iota", dtype, DTypeClass::kNumber);
  if (dimension < 0 || dimension >= static_cast<int64_t>(shape.size())) {
    throw ValueError("iota dimension must be between 0 and len(shape), got dimension=" +
                     std::to_string(dimension) + " for shape=" + tup(shape));
  }
  return single(ShapedArray{Shape(shape), dtype, false});
}

std::vector<Array> iota_impl(std::span<const Array>, const Params& params,
                             const KernelOutputs& out_avals) {
  Array out = out_avals.make(0);
  const Shape& shape = out.shape();
  const auto dim = static_cast<size_t>(params.get_int("dimension"));
  const int64_t n = shape[dim];
  int64_t inner = 1;
  for (size_t i = dim + 1; i < shape.size(); ++i) inner *= shape[i];
  const int64_t rows = out.size() / std::max<int64_t>(inner, 1);
  if (out.size() == 0) return single(std::move(out));
  dispatch_dtype(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = mutable_data<T>(out);
    const int64_t grain = std::max<int64_t>(1, cpu::kParallelBytes / (inner * int64_t(sizeof(T))));
    // Row r (of `inner` equal elements) holds value r % n; walk one run of n rows at a time so
    // the loop body needs no division.
    cpu::parallel_for(rows, grain, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e;) {
        const int64_t i0 = r % n;
        const int64_t len = std::min(e - r, n - i0);
        T* q = p + r * inner;
        if (inner == 1) {
          for (int64_t i = 0; i < len; ++i) q[i] = static_cast<T>(i0 + i);
        } else {
          for (int64_t i = 0; i < len; ++i) {
            std::fill(q + i * inner, q + (i + 1) * inner, static_cast<T>(i0 + i));
          }
        }
        r += len;
      }
    });
  });
  return single(std::move(out));
}

// ---- broadcast_in_dim -------------------------------------------------------------------------
std::vector<ShapedArray> broadcast_in_dim_rule(std::span<const ShapedArray> in,
                                               const Params& params) {
  check_arity("broadcast_in_dim", in, 1);
  const ShapedArray& x = in[0];
  const Ints& shape = params.get_ints("shape");
  const Ints& bd = params.get_ints("broadcast_dimensions");
  check_shapelike("broadcast_in_dim", "shape", shape);
  check_shapelike("broadcast_in_dim", "broadcast_dimensions", bd);
  const auto ndim = static_cast<int64_t>(x.ndim());
  const auto out_ndim = static_cast<int64_t>(shape.size());
  if (static_cast<int64_t>(bd.size()) != ndim) {
    throw ShapeError(
        "broadcast_in_dim broadcast_dimensions must have length equal to operand ndim; got "
        "broadcast_dimensions " +
        tup(bd) + " for operand ndim " + std::to_string(ndim) + ".");
  }
  if (out_ndim < ndim) {
    throw ShapeError(
        "broadcast_in_dim target broadcast shape must have equal or higher rank to the operand "
        "shape; got operand ndim " +
        std::to_string(ndim) + " and target broadcast ndim " + std::to_string(out_ndim) + ".");
  }
  for (int64_t d : bd) {
    if (d >= out_ndim) {
      throw ShapeError(
          "broadcast_in_dim broadcast_dimensions must be a subset of output dimensions, got " +
          tup(bd) + " for operand ndim " + std::to_string(ndim) + " and shape " + tup(shape) + ".");
    }
  }
  for (size_t i = 0; i < bd.size(); ++i) {
    const int64_t xd = x.shape[i];
    if (xd != 1 && xd != shape[static_cast<size_t>(bd[i])]) {
      throw ShapeError(
          "broadcast_in_dim operand dimension sizes must either be 1, or be equal to their "
          "corresponding dimensions in the target broadcast shape; got operand of shape " +
          x.shape.str() + ", target broadcast shape " + tup(shape) + ", broadcast_dimensions " +
          tup(bd));
    }
  }
  Ints sorted = bd;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw ShapeError(
        "broadcast_in_dim broadcast_dimensions must not contain duplicates, got "
        "broadcast_dimensions " +
        tup(bd));
  }
  return single(ShapedArray{Shape(shape), x.dtype, x.weak_type});
}

std::vector<Array> broadcast_in_dim_impl(std::span<const Array> in, const Params& params,
                                         const KernelOutputs& out_avals) {
  const Array& x = in[0];
  const Ints& bd = params.get_ints("broadcast_dimensions");
  // Same element count with dims in order: only size-1 dims were inserted; the data is shared.
  if (out_avals[0].size() == x.size() && std::is_sorted(bd.begin(), bd.end())) {
    return single(view_of(x, out_avals[0]));
  }
  Array out = out_avals.make(0);
  if (out.size() == 0) return single(std::move(out));
  const Ints xs = contiguous_strides(x.shape());
  Ints src_strides(out.shape().size(), 0);
  for (size_t i = 0; i < bd.size(); ++i) {
    if (x.shape()[i] != 1) src_strides[static_cast<size_t>(bd[i])] = xs[i];
  }
  gather_into(out, x, src_strides, 0);
  return single(std::move(out));
}

// ---- reshape ----------------------------------------------------------------------------------
std::vector<ShapedArray> reshape_rule(std::span<const ShapedArray> in, const Params& params) {
  check_arity("reshape", in, 1);
  if (params.has("dimensions")) {
    throw NotSupportedError(
        "reshape: only dimensions=None is supported; apply lax::transpose before reshaping");
  }
  const ShapedArray& x = in[0];
  const Ints& new_sizes = params.get_ints("new_sizes");
  for (int64_t d : new_sizes) {
    if (d < 0) {
      throw ShapeError("reshape new_sizes must all be positive, got " + tup(new_sizes) + ".");
    }
  }
  const Shape out(new_sizes);
  if (out.numel() != x.size()) {
    throw ShapeError("reshape total size must be unchanged, got new_sizes " + tup(new_sizes) +
                     " for shape " + x.shape.str() + ".");
  }
  return single(ShapedArray{out, x.dtype, x.weak_type});
}

std::vector<Array> view_impl(std::span<const Array> in, const Params&,
                             std::span<const ShapedArray> out_avals) {
  return single(view_of(in[0], out_avals[0]));
}

// ---- transpose --------------------------------------------------------------------------------
std::vector<ShapedArray> transpose_rule(std::span<const ShapedArray> in, const Params& params) {
  check_arity("transpose", in, 1);
  const ShapedArray& x = in[0];
  const Ints& perm = params.get_ints("permutation");
  Ints sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  Ints expected(static_cast<size_t>(x.ndim()));
  std::iota(expected.begin(), expected.end(), 0);
  if (sorted != expected) {
    throw ShapeError(
        "transpose permutation isn't a permutation of operand dimensions, got permutation " +
        tup(perm) + " for operand shape " + x.shape.str() + ".");
  }
  Shape out;
  for (int64_t p : perm) out.push_back(x.shape[static_cast<size_t>(p)]);
  return single(ShapedArray{out, x.dtype, x.weak_type});
}

std::vector<Array> transpose_impl(std::span<const Array> in, const Params& params,
                                  const KernelOutputs& out_avals) {
  const Array& x = in[0];
  const Ints& perm = params.get_ints("permutation");
  if (std::is_sorted(perm.begin(), perm.end())) return single(view_of(x, out_avals[0]));
  Array out = out_avals.make(0);
  const Ints xs = contiguous_strides(x.shape());
  Ints src_strides(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) src_strides[i] = xs[static_cast<size_t>(perm[i])];
  gather_into(out, x, src_strides, 0);
  return single(std::move(out));
}

// ---- squeeze / expand_dims --------------------------------------------------------------------
std::vector<ShapedArray> squeeze_rule(std::span<const ShapedArray> in, const Params& params) {
  check_arity("squeeze", in, 1);
  const ShapedArray& x = in[0];
  const Ints& dims = params.get_ints("dimensions");
  Ints sorted = dims;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw ValueError("squeeze: dimensions are not unique: " + tup(dims));
  }
  for (int64_t d : dims) {
    if (d < 0 || d >= x.ndim()) {
      throw ValueError("squeeze: dimensions outside range [0, ndim): " + tup(dims) +
                       " for operand shape " + x.shape.str());
    }
  }
  for (int64_t d : dims) {
    if (x.shape[static_cast<size_t>(d)] != 1) {
      throw ValueError(
          "squeeze: cannot select an axis to squeeze out which has size not equal to one, got "
          "shape=" +
          x.shape.str() + " and dimensions=" + tup(dims));
    }
  }
  Shape out;
  for (int i = 0; i < x.ndim(); ++i) {
    if (!std::binary_search(sorted.begin(), sorted.end(), int64_t{i})) out.push_back(x.shape[i]);
  }
  return single(ShapedArray{out, x.dtype, x.weak_type});
}

std::vector<ShapedArray> expand_dims_rule(std::span<const ShapedArray> in, const Params& params) {
  check_arity("expand_dims", in, 1);
  const ShapedArray& x = in[0];
  const Ints& dims = params.get_ints("dimensions");
  const int64_t out_ndim = x.ndim() + static_cast<int64_t>(dims.size());
  Ints sorted = dims;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw ValueError("expand_dims: repeated axis in dimensions " + tup(dims));
  }
  for (int64_t d : dims) {
    if (d < 0 || d >= out_ndim) {
      throw ValueError("expand_dims: dimensions " + tup(dims) + " outside range [0, " +
                       std::to_string(out_ndim) + ") for operand shape " + x.shape.str());
    }
  }
  Shape out;
  size_t next = 0;
  for (int64_t i = 0; i < out_ndim; ++i) {
    if (std::binary_search(sorted.begin(), sorted.end(), i))
      out.push_back(1);
    else
      out.push_back(x.shape[next++]);
  }
  return single(ShapedArray{out, x.dtype, x.weak_type});
}

// ---- rev --------------------------------------------------------------------------------------
std::vector<ShapedArray> rev_rule(std::span<const ShapedArray> in, const Params& params) {
  check_arity("rev", in, 1);
  const ShapedArray& x = in[0];
  const Ints& dims = params.get_ints("dimensions");
  check_shapelike("rev", "dimensions", dims);
  Ints sorted = dims;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw ShapeError("rev dimensions must be unique, got " + tup(dims) + ".");
  }
  if (!sorted.empty() && sorted.back() >= x.ndim()) {
    throw ShapeError("rev dimensions must all be less than operand ndim, got dimensions " +
                     tup(dims) + " for operand ndim " + std::to_string(x.ndim()) + ".");
  }
  return single(x);
}

std::vector<Array> rev_impl(std::span<const Array> in, const Params& params,
                            const KernelOutputs& out_avals) {
  const Array& x = in[0];
  const Ints& dims = params.get_ints("dimensions");
  if (x.size() <= 1 || dims.empty()) return single(view_of(x, out_avals[0]));
  Array out = out_avals.make(0);
  Ints strides = contiguous_strides(x.shape());
  int64_t offset = 0;
  for (int64_t d : dims) {
    const auto i = static_cast<size_t>(d);
    offset += (x.shape()[i] - 1) * strides[i];
    strides[i] = -strides[i];
  }
  gather_into(out, x, strides, offset);
  return single(std::move(out));
}

// ---- batch rules ------------------------------------------------------------------------------

// The batch axis goes first; every other axis keeps its per-example destination.
std::pair<std::vector<Array>, std::vector<BatchDim>> transpose_batch(std::span<const Array> in,
                                                                     std::span<const BatchDim> dims,
                                                                     const Params& params,
                                                                     const AxisData&) {
  int d = *dims[0];
  Ints perm{d};
  for (int64_t p : params.get_ints("permutation")) perm.push_back(batching::batched_axis(p, d));
  return batching::one(lax::transpose(in[0], perm), 0);
}

// The batch axis is placed in the result right after the destination of the operand axis before
// it, so broadcast_dimensions stay increasing and the operand is not moved.
std::pair<std::vector<Array>, std::vector<BatchDim>> broadcast_in_dim_batch(
    std::span<const Array> in, std::span<const BatchDim> dims, const Params& params,
    const AxisData& axis) {
  int d = *dims[0];
  const Ints& bdims = params.get_ints("broadcast_dimensions");
  Ints shape = params.get_ints("shape");
  int64_t t = d == 0 ? 0 : bdims[d - 1] + 1;
  shape.insert(shape.begin() + t, axis.size);
  Ints out_dims;
  for (int k = 0; k < static_cast<int>(bdims.size()); ++k) {
    if (k == d) out_dims.push_back(t);
    out_dims.push_back(bdims[k] < t ? bdims[k] : bdims[k] + 1);
  }
  if (d == static_cast<int>(bdims.size())) out_dims.push_back(t);
  return batching::one(lax::broadcast_in_dim(in[0], Shape(shape), out_dims), static_cast<int>(t));
}

// Row-major order mixes the batch axis into the reshaped axes unless it comes first: moved there
// (a no-op when it already is), and the batch size is prepended to new_sizes.
std::pair<std::vector<Array>, std::vector<BatchDim>> reshape_batch(std::span<const Array> in,
                                                                   std::span<const BatchDim> dims,
                                                                   const Params& params,
                                                                   const AxisData& axis) {
  Ints sizes = params.get_ints("new_sizes");
  sizes.insert(sizes.begin(), axis.size);
  return batching::one(lax::reshape(batching::moveaxis(in[0], *dims[0], 0), Shape(sizes)), 0);
}

// squeeze / rev: the example's axes are renumbered around the batch axis, which stays in place
// (squeeze shifts it left by the squeezed axes before it).
std::pair<std::vector<Array>, std::vector<BatchDim>> squeeze_batch(std::span<const Array> in,
                                                                   std::span<const BatchDim> dims,
                                                                   const Params& params,
                                                                   const AxisData&) {
  const int d = *dims[0];
  const Ints& sq = params.get_ints("dimensions");
  const auto before =
      static_cast<int>(std::count_if(sq.begin(), sq.end(), [&](int64_t a) { return a < d; }));
  return batching::one(lax::squeeze(in[0], batching::batched_axes(sq, d)), d - before);
}

std::pair<std::vector<Array>, std::vector<BatchDim>> rev_batch(std::span<const Array> in,
                                                               std::span<const BatchDim> dims,
                                                               const Params& params,
                                                               const AxisData&) {
  const int d = *dims[0];
  return batching::one(lax::rev(in[0], batching::batched_axes(params.get_ints("dimensions"), d)),
                       d);
}

// The batch axis lands right after the result position of the operand axis before it (at 0 when
// it is first), so the operand is not moved; the new axes are renumbered around it.
std::pair<std::vector<Array>, std::vector<BatchDim>> expand_dims_batch(
    std::span<const Array> in, std::span<const BatchDim> dims, const Params& params,
    const AxisData&) {
  const int d = *dims[0];
  Ints added = params.get_ints("dimensions");
  std::sort(added.begin(), added.end());
  // t = 1 + the result position of operand axis d - 1: walk the result axes, counting operand
  // axes, until d of them have been placed.
  int64_t t = 0;
  for (int placed = 0; placed < d; ++t) {
    if (!std::binary_search(added.begin(), added.end(), t)) ++placed;
  }
  Ints out_added;
  for (int64_t a : added) out_added.push_back(a < t ? a : a + 1);
  return batching::one(lax::expand_dims(in[0], out_added), static_cast<int>(t));
}

// ---- transpose rules: the inverse data movement, summing what a broadcast replicated ---------
// Sums over the new dimensions and over the size-1 dimensions that were expanded.
Array broadcast_in_dim_transpose(const Array& ct, const ShapedArray& in, std::span<const Array>,
                                 const Params& params) {
  const Ints& bd = params.get_ints("broadcast_dimensions");
  std::vector<int64_t> axes;
  for (int64_t d = 0; d < ct.ndim(); ++d) {
    auto it = std::find(bd.begin(), bd.end(), d);
    if (it == bd.end() || (in.shape[it - bd.begin()] == 1 && ct.shape()[d] != 1)) {
      axes.push_back(d);
    }
  }
  return lax::reshape(lax::reduce_sum(ct, axes), in.shape);
}

Array reshape_back(const Array& ct, const ShapedArray& in, std::span<const Array>, const Params&) {
  return lax::reshape(ct, in.shape);
}

Array transpose_transpose(const Array& ct, const ShapedArray&, std::span<const Array>,
                          const Params& params) {
  const Ints& perm = params.get_ints("permutation");
  Ints inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    inverse[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
  return lax::transpose(ct, inverse);
}

Array rev_transpose(const Array& ct, const ShapedArray&, std::span<const Array>,
                    const Params& params) {
  return lax::rev(ct, params.get_ints("dimensions"));
}

}  // namespace

// Every primitive here but iota is linear in its one operand (JAX's deflinear2): the tangent is
// the same data movement applied to the operand's tangent. iota has no operands, so no trace
// ever sees it as anything but a constant: no batch or jvp rule (as in JAX).
void register_structural() {
  def(Prim::iota).shape(iota_rule).impl(iota_impl);
  def(Prim::broadcast_in_dim)
      .shape(broadcast_in_dim_rule)
      .impl(broadcast_in_dim_impl)
      .batch(broadcast_in_dim_batch)
      .linear(broadcast_in_dim_transpose);
  def(Prim::reshape).shape(reshape_rule).impl(view_impl).batch(reshape_batch).linear(reshape_back);
  def(Prim::transpose)
      .shape(transpose_rule)
      .impl(transpose_impl)
      .batch(transpose_batch)
      .linear(transpose_transpose);
  def(Prim::squeeze).shape(squeeze_rule).impl(view_impl).batch(squeeze_batch).linear(reshape_back);
  def(Prim::expand_dims)
      .shape(expand_dims_rule)
      .impl(view_impl)
      .batch(expand_dims_batch)
      .linear(reshape_back);
  def(Prim::rev).shape(rev_rule).impl(rev_impl).batch(rev_batch).linear(rev_transpose);
}

}  // namespace jx::primitives

namespace jx::lax {

// As in JAX, the wrappers skip the primitive when it would be a no-op on a concrete array (a
// tracer still records it).

Array iota(DType dtype, int64_t size) { return broadcasted_iota(dtype, Shape{size}, 0); }

Array broadcasted_iota(DType dtype, const Shape& shape, int64_t dimension) {
  return bind1(Prim::iota, std::span<const Array>{},
               {{"dtype", dtype}, {"shape", shape.to_vector()}, {"dimension", dimension}});
}

Array broadcast_in_dim(const Array& x, const Shape& shape,
                       const std::vector<int64_t>& broadcast_dimensions) {
  return ops::broadcast_in_dim(x, shape, broadcast_dimensions);
}

Array broadcast(const Array& x, const std::vector<int64_t>& sizes) {
  std::vector<int64_t> shape = sizes;
  const Shape& xs = x.shape();
  shape.insert(shape.end(), xs.begin(), xs.end());
  std::vector<int64_t> dims(xs.size());
  std::iota(dims.begin(), dims.end(), static_cast<int64_t>(sizes.size()));
  return broadcast_in_dim(x, Shape(shape), dims);
}

Array reshape(const Array& x, const Shape& new_sizes) {
  if (x.valid() && x.is_concrete() && x.ndim() > 0 && x.shape() == new_sizes) return x;
  return bind1(Prim::reshape, {x}, {{"new_sizes", new_sizes.to_vector()}});
}

Array transpose(const Array& x, const std::vector<int64_t>& permutation) {
  if (x.valid() && x.is_concrete() && static_cast<int>(permutation.size()) == x.ndim()) {
    bool identity = true;
    for (size_t i = 0; i < permutation.size(); ++i) identity &= permutation[i] == int64_t(i);
    if (identity) return x;
  }
  return bind1(Prim::transpose, {x}, {{"permutation", permutation}});
}

Array squeeze(const Array& x, const std::vector<int64_t>& dimensions) {
  std::vector<int64_t> dims;
  for (int64_t d : dimensions) dims.push_back(normalize_axis(d, x.ndim(), "squeeze"));
  std::sort(dims.begin(), dims.end());
  if (dims.empty() && x.is_concrete()) return x;
  return bind1(Prim::squeeze, {x}, {{"dimensions", dims}});
}

Array expand_dims(const Array& x, const std::vector<int64_t>& dimensions) {
  const int out_ndim = x.ndim() + static_cast<int>(dimensions.size());
  std::vector<int64_t> dims;
  for (int64_t d : dimensions) dims.push_back(normalize_axis(d, out_ndim, "expand_dims"));
  std::sort(dims.begin(), dims.end());
  if (dims.empty() && x.is_concrete()) return x;
  return bind1(Prim::expand_dims, {x}, {{"dimensions", dims}});
}

Array rev(const Array& x, const std::vector<int64_t>& dimensions) {
  return bind1(Prim::rev, {x}, {{"dimensions", dimensions}});
}

}  // namespace jx::lax
