// The scatter family: XLA's indexed window update (scatter, scatter-add/mul/min/max), with JAX's
// dimension numbers (index_vector_dim is always the last dimension of the indices) and JAX's
// out-of-bounds modes. Gather, its transpose, is in gather.cc; what the two share is in
// gather_scatter.h.
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
#include "primitives/gather_scatter.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

// ---- scatter shape rule (XLA's ShapeInference::InferScatterShape, in JAX's order) ----------

std::vector<ShapedArray> scatter_abstract_eval(std::string_view name,
                                               std::span<const ShapedArray> in, const Params& p) {
  check_arity(name, in, 3);
  const ShapedArray& operand = in[0];
  const ShapedArray& indices = in[1];
  const ShapedArray& updates = in[2];
  Checker c(std::string(name), "operand shape " + operand.shape.str() + ", indices shape " +
                                   indices.shape.str() + " and updates shape " +
                                   updates.shape.str());
  check_index_dtype(name, indices);
  if (operand.dtype != updates.dtype) {
    std::string fn(name);
    std::replace(fn.begin(), fn.end(), '-', '_');
    throw DTypeError("lax." + fn + " requires arguments to have the same dtypes, got " +
                     std::string(dtype_name(operand.dtype)) + ", " +
                     std::string(dtype_name(updates.dtype)) + " (operand and updates).");
  }
  checked_mode(p, name);
  const Dims& update_window_dims = p.get_ints("update_window_dims");
  const Dims& inserted = p.get_ints("inserted_window_dims");
  const Dims& to_operand = p.get_ints("scatter_dims_to_operand_dims");
  const Dims& operand_batching = p.get_ints("operand_batching_dims");
  const Dims& indices_batching = p.get_ints("scatter_indices_batching_dims");
  const int64_t rank = operand.ndim();

  if (indices.ndim() < 1) {
    c.fail(std::string(name) +
           " indices must have rank >= 1: their last dimension is the index vector (to "
           "scatter with scalar indices, add a trailing dimension of size 1).");
  }
  const int64_t index_vector_dim = indices.ndim() - 1;
  const int64_t expected_updates_rank = index_vector_dim + int64_t(update_window_dims.size());
  if (updates.ndim() != expected_updates_rank) {
    c.fail("Updates tensor must be of rank " + std::to_string(expected_updates_rank) + "; got " +
           std::to_string(updates.ndim()) + ".");
  }
  c.sorted(update_window_dims, "update_window_dims");
  c.no_duplicates(update_window_dims, "update_window_dims");
  c.in_range(update_window_dims, updates.ndim(), "update_window_dims");
  c.sorted(inserted, "inserted_window_dims");
  c.no_duplicates(inserted, "inserted_window_dims");
  c.in_range(inserted, rank, "inserted_window_dims");
  c.sorted(operand_batching, "operand_batching_dims");
  c.no_duplicates(operand_batching, "operand_batching_dims");
  c.in_range(operand_batching, rank, "operand_batching_dims");
  c.disjoint(inserted, operand_batching, "inserted_window_dims", "operand_batching_dims");
  c.disjoint(to_operand, operand_batching, "scatter_dims_to_operand_dims", "operand_batching_dims");
  check_batching(c, operand, indices, operand_batching, indices_batching,
                 "scatter_indices_batching_dims", "Scatter");

  const size_t window_size = update_window_dims.size() + inserted.size() + operand_batching.size();
  if (int64_t(window_size) != rank) {
    c.fail("Scatter op has window of size " + std::to_string(window_size) +
           "; doesn't match operand of rank " + std::to_string(rank) + ".");
  }
  if (int64_t(to_operand.size()) != indices.shape[size_t(index_vector_dim)]) {
    c.fail("Scatter op has " + std::to_string(to_operand.size()) +
           " elements in scatter_dims_to_operand_dims and the bound of dimension "
           "index_vector_dim=" +
           std::to_string(index_vector_dim) + " of indices is " +
           std::to_string(indices.shape[size_t(index_vector_dim)]) +
           ". These two numbers must be equal");
  }
  for (size_t i = 0; i < to_operand.size(); ++i) {
    if (to_operand[i] < 0 || to_operand[i] >= rank) {
      c.fail<IndexError>("Invalid scatter_dims_to_operand_dims mapping; domain is [0, " +
                         std::to_string(rank) + "), got: " + std::to_string(i) + "->" +
                         std::to_string(to_operand[i]) + ".");
    }
  }
  c.no_duplicates(to_operand, "scatter_dims_to_operand_dims");

  Dims max_update_slice_sizes;
  for (int64_t i = 0; i < rank; ++i) {
    if (!contains(inserted, i) && !contains(operand_batching, i)) {
      max_update_slice_sizes.push_back(operand.shape[size_t(i)]);
    }
  }
  for (size_t i = 0; i < update_window_dims.size(); ++i) {
    int64_t d = update_window_dims[i];
    if (max_update_slice_sizes[i] < updates.shape[size_t(d)]) {
      c.fail(
          "Bounds of the window dimensions of updates must not exceed the bounds of the "
          "corresponding dimensions of operand. For dimension " +
          std::to_string(d) + ", updates bound is " + std::to_string(updates.shape[size_t(d)]) +
          ", operand bound is " + std::to_string(max_update_slice_sizes[i]) + ".");
    }
  }
  int64_t scatter_dims_seen = 0;
  for (int64_t i = 0; i < updates.ndim(); ++i) {
    if (contains(update_window_dims, i)) continue;
    int64_t bound = indices.shape[size_t(scatter_dims_seen)];
    if (updates.shape[size_t(i)] != bound) {
      c.fail(
          "Bounds of the scatter dimensions of updates must be the same as the bounds of the "
          "corresponding dimensions of scatter indices. For scatter dimension " +
          std::to_string(i) + ", updates bound is " + std::to_string(updates.shape[size_t(i)]) +
          ", indices bound is " + std::to_string(bound) + ".");
    }
    ++scatter_dims_seen;
  }
  return single(ShapedArray{operand.shape, operand.dtype, operand.weak_type});
}

// The shape rule under the primitive's own name (its messages and dtype error name it).
AbstractEvalRule scatter_rule(Prim prim) {
  return [name = primitive_name(prim)](std::span<const ShapedArray> in, const Params& p) {
    return scatter_abstract_eval(name, in, p);
  };
}

// ---- kernels -------------------------------------------------------------------------------

// How each scatter variant combines an update u into the operand element x. XLA's add and
// multiply on booleans are logical or/and; min/max propagate NaN as lax.min/lax.max do.
template <class T>
using Wide = std::conditional_t<std::is_signed_v<T>, std::make_unsigned_t<T>, T>;

struct SetOp {
  template <class T>
  static void apply(T& x, T u) {
    x = u;
  }
};
struct AddOp {
  template <class T>
  static void apply(T& x, T u) {
    if constexpr (std::is_same_v<T, bool>)
      x = x || u;
    else if constexpr (std::is_integral_v<T>)
      x = static_cast<T>(Wide<T>(x) + Wide<T>(u));
    else
      x = x + u;
  }
};
struct MulOp {
  template <class T>
  static void apply(T& x, T u) {
    if constexpr (std::is_same_v<T, bool>)
      x = x && u;
    else if constexpr (std::is_integral_v<T>)
      x = static_cast<T>(Wide<T>(x) * Wide<T>(u));
    else
      x = x * u;
  }
};
// min/max combine NaN-propagating: a NaN on either side gives NaN.
template <bool kMax>
struct ExtremumOp {
  template <class T>
  static void apply(T& x, T u) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(x) || std::isnan(u)) {
        x = std::numeric_limits<T>::quiet_NaN();
        return;
      }
    }
    if (kMax ? u > x : u < x) x = u;
  }
};
using MinOp = ExtremumOp<false>;
using MaxOp = ExtremumOp<true>;

// Applies the updates in row-major order, serially, so that duplicate indices combine in a
// deterministic order (for plain scatter the last update wins).
template <class T, class Op>
void scatter_rows(T* dst, const T* upd, const std::vector<LoopDim>& dims,
                  const std::vector<int64_t>& base) {
  const LoopDim inner = dims.back();
  std::span<const LoopDim> outer(dims.data(), dims.size() - 1);
  const int64_t rows = outer_rows(dims);
  Odometer od(outer, 0);
  for (int64_t r = 0; r < rows; ++r, upd += inner.size, od.next()) {
    if (inner.bstride == 0) {
      const int64_t b = base[size_t(od.boff)];
      if (b < 0) continue;
      T* d = dst + b + od.ooff;
      if constexpr (std::is_same_v<Op, SetOp>) {
        if (inner.ostride == 1) {
          std::memcpy(d, upd, size_t(inner.size) * sizeof(T));
          continue;
        }
      }
      for (int64_t t = 0; t < inner.size; ++t) Op::apply(d[t * inner.ostride], upd[t]);
    } else {
      const int64_t* bb = base.data() + od.boff;
      for (int64_t t = 0; t < inner.size; ++t) {
        const int64_t b = bb[t * inner.bstride];
        if (b >= 0) Op::apply(dst[b + od.ooff], upd[t]);
      }
    }
  }
}

template <class Op>
std::vector<Array> scatter_impl(std::span<const Array> in, const Params& p,
                                const KernelOutputs& out_avals) {
  const Array& operand = in[0];
  const Array& indices = in[1];
  const Array& updates = in[2];
  Array result = out_avals.make(0);
  std::memcpy(mutable_data(result), array_data(operand), operand.nbytes());
  if (updates.size() == 0 || operand.size() == 0) return single(std::move(result));

  const Dims& update_window_dims = p.get_ints("update_window_dims");
  const Dims& inserted = p.get_ints("inserted_window_dims");
  const Dims& operand_batching = p.get_ints("operand_batching_dims");
  const Dims window = operand_window_dims(operand.ndim(), inserted, operand_batching);
  Dims window_size(size_t(operand.ndim()), 1);
  for (size_t j = 0; j < window.size(); ++j) {
    window_size[size_t(window[j])] = updates.shape()[size_t(update_window_dims[j])];
  }
  // XLA drops out-of-bounds windows unless indices are clipped first (JAX's CLIP mode); that
  // is also what PROMISE_IN_BOUNDS does in practice.
  WindowStarts ws{&p.get_ints("scatter_dims_to_operand_dims"), &operand_batching,
                  &p.get_ints("scatter_indices_batching_dims"), window_size,
                  p.get_int("mode") != kClip};
  const std::vector<int64_t> base = window_bases(operand, indices, ws);

  const Shape& ishape = indices.shape();
  const Dims bstrides = contiguous_strides(Shape(ishape.begin(), ishape.end() - 1));
  const std::vector<LoopDim> dims = loop_dims(updates.shape(), update_window_dims, window,
                                              contiguous_strides(operand.shape()), bstrides);
  dispatch_dtype(operand.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    scatter_rows<T, Op>(mutable_data<T>(result), typed_data<T>(updates), dims, base);
  });
  return single(std::move(result));
}

// ---- batch rules (the batch dim folded into the dimension numbers, see gather_scatter.h) -----

// Every example writes its own copy of the operand, so an unmapped operand is broadcast.
BatchRule scatter_batch(Prim prim) {
  return [prim](std::span<const Array> in, std::span<const BatchDim> dims, const Params& p,
                const AxisData& axis) {
    Dims window = p.get_ints("update_window_dims"), inserted = p.get_ints("inserted_window_dims");
    Dims to_operand = p.get_ints("scatter_dims_to_operand_dims");
    Dims operand_batching = p.get_ints("operand_batching_dims");
    Dims indices_batching = p.get_ints("scatter_indices_batching_dims");
    const int b = dims[0] ? *dims[0] : 0;
    const Array operand = batching::matchaxis(in[0], dims[0], b, axis.size);
    Array indices = in[1], updates = in[2];
    const int64_t updates_rank = updates.ndim() - (dims[2] ? 1 : 0);
    int64_t ub;
    if (!dims[1]) {
      // The batch dim is a whole-size window dim of the operand and of the updates.
      const size_t k = window_dims_before(b, inserted, operand_batching);
      ub = window_position(window, k);
      window = batching::batched_axes(window, ub);
      window.insert(window.begin() + ptrdiff_t(k), ub);
      operand_batching = batching::batched_axes(operand_batching, b);
    } else {
      int64_t ib;
      std::tie(indices, ib) = indices_batch_dim(in[1], *dims[1]);
      ub = batch_position(window, updates_rank, ib);
      window = batching::batched_axes(window, ub);
      operand_batching = batching::batched_axes(operand_batching, b);
      indices_batching = batching::batched_axes(indices_batching, ib);
      const size_t j = insert_sorted(operand_batching, b);
      indices_batching.insert(indices_batching.begin() + ptrdiff_t(j), ib);
    }
    inserted = batching::batched_axes(inserted, b);
    to_operand = batching::batched_axes(to_operand, b);
    updates = batching::matchaxis(updates, dims[2], int(ub), axis.size);
    Params q = p;
    q.set("update_window_dims", window);
    q.set("inserted_window_dims", inserted);
    q.set("scatter_dims_to_operand_dims", to_operand);
    q.set("operand_batching_dims", operand_batching);
    q.set("scatter_indices_batching_dims", indices_batching);
    return batching::one(bind1(prim, {operand, indices, updates}, q), b);
  };
}

// ---- jvp rules (JAX's _scatter_jvp, _scatter_add_jvp, scatter_mul's defjvp and
// _scatter_extremal_jvp) --------------------------------------------------------------------
// Written with primitives only, so they can be vmapped and differentiated again. The indices
// are integers: they never have a tangent.

Array select(const Array& pred, const Array& on_true, const Array& on_false) {
  return lax::select_n(pred, {on_false, on_true});
}

// The gather that reads back, for each update, the operand window a scatter with params p
// writes it to (JAX's "inverse gather" of the scatter jvps). It uses the scatter's mode, so
// clipped windows are clipped alike; a window the scatter drops reads 0 (fill mode) or some
// clamped window (promise mode), and whatever is computed from it is dropped again by the
// final scatter-add.
Params inverse_gather_params(const Params& p, const Shape& operand_shape,
                             const Shape& updates_shape) {
  const Dims& window = p.get_ints("update_window_dims");
  const Dims& inserted = p.get_ints("inserted_window_dims");
  const Dims& operand_batching = p.get_ints("operand_batching_dims");
  Dims sizes;
  size_t pos = 0;
  for (int64_t i = 0; i < int64_t(operand_shape.size()); ++i) {
    if (contains(inserted, i) || contains(operand_batching, i)) {
      sizes.push_back(1);
    } else {
      sizes.push_back(updates_shape[size_t(window[pos++])]);
    }
  }
  Params q{{"offset_dims", window},
           {"collapsed_slice_dims", inserted},
           {"start_index_map", p.get_ints("scatter_dims_to_operand_dims")},
           {"operand_batching_dims", operand_batching},
           {"start_indices_batching_dims", p.get_ints("scatter_indices_batching_dims")},
           {"slice_sizes", sizes},
           {"mode", p.get_int("mode")}};
  if (p.get_int("mode") == kFillOrDrop) q.set("fill_value", 0.0);
  return q;
}

// scatter: which update wins at a duplicated index is unspecified, so (as JAX) every update
// gets a positive id, the ids are scattered, and the inverse gather tells which updates (and
// which operand elements) survive; the masked values and tangents are then scatter-added.
std::pair<std::vector<Array>, std::vector<Array>> scatter_jvp(std::span<const Array> primals,
                                                              std::span<const Array> tangents,
                                                              const Params& p) {
  const Array& operand = primals[0];
  const Array& indices = primals[1];
  const Array& updates = primals[2];
  if (ad::is_zero(tangents[0]) && ad::is_zero(tangents[2])) {
    return {{bind1(Prim::scatter, {operand, indices, updates}, p)}, {Array()}};
  }
  const Array g_operand = ad::instantiate(tangents[0], operand);
  const Array g_updates = ad::instantiate(tangents[2], updates);

  // a) ids 1..n, one per update window (constant across its window dims), scattered.
  Dims ids_shape = updates.shape().to_vector();
  for (int64_t d : p.get_ints("update_window_dims")) ids_shape[size_t(d)] = 1;
  int64_t num_ids = 1;
  for (int64_t d : ids_shape) num_ids *= d;
  const DType id_dtype =
      num_ids < std::numeric_limits<int32_t>::max() ? DType::int32 : DType::int64;
  Array ids = lax::reshape(lax::iota(id_dtype, num_ids), Shape(ids_shape));
  ids = lax::add(ids, ad::full_like(1, ids));
  Dims all_dims(ids_shape.size());
  for (size_t k = 0; k < all_dims.size(); ++k) all_dims[k] = int64_t(k);
  const Array update_ids = lax::broadcast_in_dim(ids, updates.shape(), all_dims);
  const Array scattered_ids =
      bind1(Prim::scatter,
            {ops::full(ShapedArray{operand.shape(), id_dtype, false}, 0), indices, update_ids}, p);
  // b) the id each update's window holds after the scatter.
  const Array gathered_ids = bind1(Prim::gather, {scattered_ids, indices},
                                   inverse_gather_params(p, operand.shape(), updates.shape()));
  // c) keep the operand elements no update wrote, and the updates that won.
  const Array keep_operand = lax::eq(scattered_ids, ad::full_like(0, scattered_ids));
  const Array keep_update = lax::eq(update_ids, gathered_ids);
  auto masked = [](const Array& keep, const Array& x) {
    return select(keep, x, ad::full_like(0, x));
  };
  // d) scatter-adds of the masked values (exact: each element gets one nonzero term).
  Array out = bind1(Prim::scatter_add,
                    {masked(keep_operand, operand), indices, masked(keep_update, updates)}, p);
  Array tangent =
      bind1(Prim::scatter_add,
            {masked(keep_operand, g_operand), indices, masked(keep_update, g_updates)}, p);
  return {{std::move(out)}, {std::move(tangent)}};
}

// scatter_mul in the operand: out = x * P (P the product of the updates at each element), so
// d out = scatter_mul(dx, i, y).
Array scatter_mul_tangent_operand(const Array& g, std::span<const Array> primals, const Array&,
                                  const Params& p) {
  return bind1(Prim::scatter_mul, {g, primals[1], primals[2]}, p);
}

// scatter_mul in the updates: d out = x * sum_j g_j prod_{k != j} y_k over the updates j at
// each element. JAX only implements this for unique_indices (x * scatter_add(0, i, g)), which
// jx's scatter has no parameter for; this is the product rule for any indices, zero updates
// included. At an element with Z updates exactly zero (y_a), Q the product of its nonzero
// updates, S = sum over nonzero j of g_j / y_j, G = sum_a g_a, Y = sum_a y_a (= 0, but its
// tangent matters to jvp of this jvp) and E = e2(y_a) = (Y^2 - sum_a y_a^2) / 2 (= 0):
//   Z = 0: Q * S                      (the usual sum, divided out)
//   Z = 1: Q * (G + Y * S)            (only the zero one's term survives)
//   Z = 2: Q * (G * Y - sum_a g_a y_a + E * S)
//   Z > 2: 0
// Each branch equals the exact polynomial in the zero updates (up to order 2 in them), so the
// value is exact everywhere and so is its derivative (jvp of this jvp), except at elements
// with three or more zero updates, where third and higher derivatives are not. With unique
// indices it equals JAX's rule (up to the rounding of y * (g / y)).
Array scatter_mul_tangent_updates(const Array& g, std::span<const Array> primals, const Array&,
                                  const Params& p) {
  const Array& x = primals[0];
  const Array& indices = primals[1];
  const Array& y = primals[2];
  const Array zeros_y = ad::full_like(0, y);
  const Array ones_y = ad::full_like(1, y);
  const Array zeros_x = ad::full_like(0, x);
  const Array y_is_zero = lax::eq(y, zeros_y);
  const Array safe_y = select(y_is_zero, ones_y, y);
  // sum over the updates at each element of u, for the zero updates only (or the others).
  auto sum_zero = [&](const Array& u) {
    return bind1(Prim::scatter_add, {zeros_x, indices, select(y_is_zero, u, zeros_y)}, p);
  };
  auto sum_nonzero = [&](const Array& u) {
    return bind1(Prim::scatter_add, {zeros_x, indices, select(y_is_zero, zeros_y, u)}, p);
  };
  const Array num_zeros = sum_zero(ones_y);
  const Array q = bind1(Prim::scatter_mul, {ad::full_like(1, x), indices, safe_y}, p);
  const Array s = sum_nonzero(lax::div(g, safe_y));
  const Array g_sum = sum_zero(g);
  const Array y_sum = sum_zero(y);
  const Array e2 =
      lax::mul(lax::sub(lax::mul(y_sum, y_sum), sum_zero(lax::mul(y, y))), ad::full_like(0.5, x));
  const Array one_zero = lax::add(g_sum, lax::mul(y_sum, s));
  const Array two_zeros =
      lax::add(lax::sub(lax::mul(g_sum, y_sum), sum_zero(lax::mul(g, y))), lax::mul(e2, s));
  auto count_is = [&](double n) { return lax::eq(num_zeros, ad::full_like(n, x)); };
  const Array sum = select(count_is(0), s,
                           select(count_is(1), one_zero, select(count_is(2), two_zeros, zeros_x)));
  return lax::mul(x, lax::mul(q, sum));
}

// scatter_min / scatter_max: the tangent of each element comes from the values that attain
// the extremum there, averaged over them on ties (the operand's own value counting as one
// contender when it is retained), as JAX's _scatter_extremal_jvp.
JvpRule scatter_extremal_jvp(Prim prim) {
  return [prim](std::span<const Array> primals, std::span<const Array> tangents,
                const Params& p) -> std::pair<std::vector<Array>, std::vector<Array>> {
    const Array& operand = primals[0];
    const Array& indices = primals[1];
    const Array& updates = primals[2];
    Array out = bind1(prim, {operand, indices, updates}, p);
    if (ad::is_zero(tangents[0]) && ad::is_zero(tangents[2])) return {{out}, {Array()}};
    const Array g_operand = ad::instantiate(tangents[0], operand);
    const Array g_updates = ad::instantiate(tangents[2], updates);
    const Params gp = inverse_gather_params(p, operand.shape(), updates.shape());
    auto gather = [&](const Array& x) { return bind1(Prim::gather, {x, indices}, gp); };
    auto scatter_add = [&](const Array& base, const Array& u) {
      return bind1(Prim::scatter_add, {base, indices, u}, p);
    };
    const Array zeros_x = ad::full_like(0, operand);
    const Array zeros_y = ad::full_like(0, updates);
    const Array ones_y = ad::full_like(1, updates);

    const Array initial_vals = gather(operand);
    const Array target_vals = gather(out);
    const Array successful_updates = lax::eq(updates, target_vals);
    const Array retained_values = lax::eq(initial_vals, target_vals);
    const Array num_updates =
        gather(scatter_add(zeros_x, select(successful_updates, ones_y, zeros_y)));
    const Array num_refs = gather(scatter_add(zeros_x, ones_y));
    const Array inv_with_operand = lax::div(ones_y, lax::add(num_updates, ones_y));
    const Array updates_normalizer =
        select(retained_values, inv_with_operand, lax::div(ones_y, num_updates));
    const Array updates_coef = select(successful_updates, updates_normalizer, zeros_y);
    const Array operand_normalizer = select(retained_values, inv_with_operand, zeros_y);
    const Array operand_coef = lax::div(lax::sub(operand_normalizer, ones_y), num_refs);
    const Array tangent_updates =
        lax::add(lax::mul(gather(g_operand), operand_coef), lax::mul(g_updates, updates_coef));
    Array tangent = scatter_add(g_operand, tangent_updates);
    return {{std::move(out)}, {std::move(tangent)}};
  };
}

// ---- transpose rules (JAX's _scatter_add_transpose_rule and _scatter_mul_transpose_rule) ----
// The indices are never linear. scatter (set mode) needs no rule: its jvp puts the tangents
// through select_n and scatter-add only (the winners' ids are integers).

// scatter-add in its operand: the identity.
Array scatter_add_transpose_operand(const Array& ct, const ShapedArray& in, std::span<const Array>,
                                    const Params&) {
  return ad::unbroadcast(ct, in);
}

// scatter-add in its updates: each update's cotangent is the window of the output cotangent it
// was added to, read back by the inverse gather (a dropped window reads 0 in fill_or_drop
// mode). promise_in_bounds scatters drop out-of-bounds windows, so their gather fills with 0
// too (JAX gathers in promise mode, which agrees whenever the promise holds).
Array scatter_transpose_updates_gather(const Array& x, const Array& indices,
                                       const ShapedArray& updates, const Params& p) {
  Params q = inverse_gather_params(p, x.shape(), updates.shape);
  if (p.get_int("mode") == kPromiseInBounds) {
    q.set("mode", kFillOrDrop);
    q.set("fill_value", 0.0);
  }
  return bind1(Prim::gather, {x, indices}, q);
}

Array scatter_add_transpose_updates(const Array& ct, const ShapedArray& in,
                                    std::span<const Array> args, const Params& p) {
  return ad::unbroadcast(scatter_transpose_updates_gather(ct, args[1], in, p), in);
}

// scatter-mul in its operand (the updates a residual): out = x * P elementwise, P the product of
// the updates landing on each element, so the transpose is the same scatter-mul of the
// cotangent. jx's jvp never makes the updates linear (their tangent goes through the product
// rule with scatter-adds), and a rule for them would need unique indices (as JAX's): absent.
Array scatter_mul_transpose_operand(const Array& ct, const ShapedArray& in,
                                    std::span<const Array> args, const Params& p) {
  return ad::unbroadcast(bind1(Prim::scatter_mul, {ct, args[1], args[2]}, p), in);
}

Params scatter_params(const lax::ScatterDimensionNumbers& dn, lax::GatherScatterMode mode) {
  return Params{{"update_window_dims", dn.update_window_dims},
                {"inserted_window_dims", dn.inserted_window_dims},
                {"scatter_dims_to_operand_dims", dn.scatter_dims_to_operand_dims},
                {"operand_batching_dims", dn.operand_batching_dims},
                {"scatter_indices_batching_dims", dn.scatter_indices_batching_dims},
                {"mode", static_cast<int64_t>(mode)}};
}

}  // namespace

// scatter-add is linear in its operand and its updates (JAX's deflinear2); scatter-mul only in
// its operand. scatter, scatter-min and scatter-max are not linear.
void register_scatter() {
  def(Prim::scatter)
      .shape(scatter_rule(Prim::scatter))
      .impl(scatter_impl<SetOp>)
      .batch(scatter_batch(Prim::scatter))
      .jvp(scatter_jvp);
  def(Prim::scatter_add)
      .shape(scatter_rule(Prim::scatter_add))
      .impl(scatter_impl<AddOp>)
      .batch(scatter_batch(Prim::scatter_add))
      .linear({scatter_add_transpose_operand, nullptr, scatter_add_transpose_updates});
  def(Prim::scatter_mul)
      .shape(scatter_rule(Prim::scatter_mul))
      .impl(scatter_impl<MulOp>)
      .batch(scatter_batch(Prim::scatter_mul))
      .jvp(ad::defjvp(Prim::scatter_mul,
                      {scatter_mul_tangent_operand, nullptr, scatter_mul_tangent_updates}))
      .transpose(ad::deftranspose({scatter_mul_transpose_operand, nullptr, nullptr}));
  def(Prim::scatter_min)
      .shape(scatter_rule(Prim::scatter_min))
      .impl(scatter_impl<MinOp>)
      .batch(scatter_batch(Prim::scatter_min))
      .jvp(scatter_extremal_jvp(Prim::scatter_min));
  def(Prim::scatter_max)
      .shape(scatter_rule(Prim::scatter_max))
      .impl(scatter_impl<MaxOp>)
      .batch(scatter_batch(Prim::scatter_max))
      .jvp(scatter_extremal_jvp(Prim::scatter_max));
}

}  // namespace jx::primitives

namespace jx::lax {

#define JX_LAX_SCATTER(fn, prim)                                                       \
  Array fn(const Array& operand, const Array& indices, const Array& updates,           \
           const ScatterDimensionNumbers& dimension_numbers, GatherScatterMode mode) { \
    return bind1(Prim::prim, {operand, indices, updates},                              \
                 primitives::scatter_params(dimension_numbers, mode));                 \
  }
JX_LAX_SCATTER(scatter, scatter)
JX_LAX_SCATTER(scatter_add, scatter_add)
JX_LAX_SCATTER(scatter_mul, scatter_mul)
JX_LAX_SCATTER(scatter_min, scatter_min)
JX_LAX_SCATTER(scatter_max, scatter_max)
#undef JX_LAX_SCATTER

}  // namespace jx::lax
