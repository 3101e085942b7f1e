// Gather and the scatter family: XLA's indexed window read (gather) and indexed window update
// (scatter, scatter-add/mul/min/max), with JAX's dimension numbers (index_vector_dim is always
// the last dimension of the indices) and JAX's out-of-bounds modes.
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
#include "primitives/families.h"
#include "primitives/gather_along_axis.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

using Dims = std::vector<int64_t>;

constexpr int64_t kClip = 0, kFillOrDrop = 1, kPromiseInBounds = 2;

// Python's tuple repr, as JAX prints dimension numbers: (), (1,), (0, 2).
std::string tuple_str(const Dims& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(v[i]);
  }
  if (v.size() == 1) s += ",";
  return s + ")";
}

bool contains(const Dims& v, int64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// Validation of dimension numbers with JAX's wording; every message ends with the shapes of
// the operands so a failure deep inside a program can be traced back to its call.
class Checker {
 public:
  Checker(std::string op, std::string shapes) : op_(std::move(op)), shapes_(std::move(shapes)) {}

  template <class E = ShapeError>
  [[noreturn]] void fail(const std::string& msg) const {
    throw E(msg + " (" + op_ + " with " + shapes_ + ")");
  }
  void sorted(const Dims& d, std::string_view name) const {
    for (size_t i = 1; i < d.size(); ++i) {
      if (d[i] < d[i - 1]) {
        fail<ValueError>(std::string(name) + " in " + op_ + " op must be sorted; got " +
                         tuple_str(d) + ".");
      }
    }
  }
  void no_duplicates(const Dims& d, std::string_view name) const {
    for (size_t i = 0; i < d.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (d[i] == d[j]) {
          fail<ValueError>(std::string(name) + " in " + op_ +
                           " op must not repeat; got: " + tuple_str(d) + ".");
        }
      }
    }
  }
  void in_range(const Dims& d, int64_t rank, std::string_view name) const {
    for (int64_t dim : d) {
      if (dim < 0 || dim >= rank) {
        fail<IndexError>("Invalid " + std::string(name) + " set in " + op_ +
                         " op; valid range is [0, " + std::to_string(rank) +
                         "); got: " + std::to_string(dim) + ".");
      }
    }
  }
  void disjoint(const Dims& a, const Dims& b, std::string_view na, std::string_view nb) const {
    for (int64_t x : a) {
      if (contains(b, x)) {
        fail<ValueError>(std::string(na) + " and " + std::string(nb) + " in " + op_ +
                         " op must be disjoint; got: " + tuple_str(a) + " and " + tuple_str(b) +
                         ".");
      }
    }
  }
  const std::string& op() const { return op_; }

 private:
  std::string op_, shapes_;
};

int64_t checked_mode(const Params& p, std::string_view op) {
  int64_t mode = p.get_int("mode");
  if (mode != kClip && mode != kFillOrDrop && mode != kPromiseInBounds) {
    throw ValueError(std::string(op) + ": unknown GatherScatterMode " + std::to_string(mode) +
                     " (expected 0 clip, 1 fill_or_drop or 2 promise_in_bounds)");
  }
  return mode;
}

void check_index_dtype(std::string_view op, const ShapedArray& indices) {
  if (!is_integer(indices.dtype)) {
    throw DTypeError(std::string(op) + " indices must have an integer type, got " +
                     std::string(dtype_name(indices.dtype)) + " indices of shape " +
                     indices.shape.str());
  }
}

// Checks shared by gather and scatter: the batching dims of operand and indices pair up.
void check_batching(const Checker& c, const ShapedArray& operand, const ShapedArray& indices,
                    const Dims& operand_batching, const Dims& indices_batching,
                    std::string_view indices_batching_name, std::string_view op_title) {
  const int64_t index_vector_dim = indices.ndim() - 1;
  c.no_duplicates(indices_batching, indices_batching_name);
  c.in_range(indices_batching, indices.ndim(), indices_batching_name);
  if (contains(indices_batching, index_vector_dim)) {
    c.fail(std::string(op_title) +
           " op cannot have the index vector dimension as a batching dimension; got " +
           tuple_str(indices_batching) + ".");
  }
  if (operand_batching.size() != indices_batching.size()) {
    c.fail(std::string(op_title) + " op requires equal numbers of operand_batching_dims and " +
           std::string(indices_batching_name) + ", got " + tuple_str(operand_batching) + " and " +
           tuple_str(indices_batching) + ".");
  }
  Dims operand_batch_shape, indices_batch_shape;
  for (int64_t d : operand_batching) operand_batch_shape.push_back(operand.shape[size_t(d)]);
  for (int64_t d : indices_batching) indices_batch_shape.push_back(indices.shape[size_t(d)]);
  if (operand_batch_shape != indices_batch_shape) {
    c.fail(std::string(op_title) +
           " op requires operand batching dimensions and indices batching " +
           "dimensions to have the same shape, got " + tuple_str(operand_batch_shape) + " and " +
           tuple_str(indices_batch_shape) + ".");
  }
}

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

// ---- kernels -------------------------------------------------------------------------------

// One loop dimension of the output (gather) or of the updates (scatter): how far a step moves
// in the operand and in the flattened batch of index vectors.
struct LoopDim {
  int64_t size, ostride, bstride;
};

// Drops size-1 dims and merges neighbours that step both offsets uniformly, so the innermost
// loop is as long as possible (a whole contiguous window row becomes one memcpy).
std::vector<LoopDim> coalesce(const std::vector<LoopDim>& dims) {
  std::vector<LoopDim> out;
  for (const LoopDim& d : dims) {
    if (d.size == 1) continue;
    if (!out.empty()) {
      LoopDim& prev = out.back();
      if (prev.ostride == d.ostride * d.size && prev.bstride == d.bstride * d.size) {
        prev = {prev.size * d.size, d.ostride, d.bstride};
        continue;
      }
    }
    out.push_back(d);
  }
  if (out.empty()) out.push_back({1, 0, 0});
  return out;
}

// Row-major walk over the outer loop dims, tracking the operand and batch offsets.
class Odometer {
 public:
  Odometer(std::span<const LoopDim> dims, int64_t row) : dims_(dims), idx_(dims.size()) {
    for (size_t i = dims.size(); i-- > 0;) {
      idx_[i] = row % dims[i].size;
      row /= dims[i].size;
      ooff += idx_[i] * dims[i].ostride;
      boff += idx_[i] * dims[i].bstride;
    }
  }
  void next() {
    for (size_t i = dims_.size(); i-- > 0;) {
      ooff += dims_[i].ostride;
      boff += dims_[i].bstride;
      if (++idx_[i] < dims_[i].size) return;
      ooff -= dims_[i].size * dims_[i].ostride;
      boff -= dims_[i].size * dims_[i].bstride;
      idx_[i] = 0;
    }
  }
  int64_t ooff = 0, boff = 0;

 private:
  std::span<const LoopDim> dims_;
  std::vector<int64_t> idx_;
};

int64_t outer_rows(const std::vector<LoopDim>& dims) {
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < dims.size(); ++i) rows *= dims[i].size;
  return rows;
}

// Where one dimension number set meets the index arrays: for every index vector (flattened
// over the batch dims of `indices`) the operand element offset of its window start, or -1
// when the window is out of bounds and must be filled (gather) or dropped (scatter).
struct WindowStarts {
  const Dims* start_index_map;
  const Dims* operand_batching;
  const Dims* indices_batching;
  Dims window;  // window size per operand dim
  bool out_of_bounds_is_skip;
};

std::vector<int64_t> window_bases(const Array& operand, const Array& indices,
                                  const WindowStarts& ws) {
  const Shape& oshape = operand.shape();
  const Shape& ishape = indices.shape();
  const Dims ostrides = contiguous_strides(oshape);
  const Shape batch_shape(ishape.begin(), ishape.end() - 1);
  const Dims bstrides = contiguous_strides(batch_shape);
  const int64_t num_batch = batch_shape.numel();
  const int64_t k = ishape.back();
  const Dims& map = *ws.start_index_map;
  Dims upper(map.size()), map_strides(map.size());
  for (size_t j = 0; j < map.size(); ++j) {
    upper[j] = oshape[size_t(map[j])] - ws.window[size_t(map[j])];
    map_strides[j] = ostrides[size_t(map[j])];
  }
  std::vector<int64_t> base(size_t(std::max<int64_t>(num_batch, 0)));
  if (num_batch == 0) return base;
  dispatch_dtype(indices.dtype(), [&](auto tag) {
    using I = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<I> && !std::is_same_v<I, bool>) {
      const I* idx = typed_data<I>(indices);
      int64_t grain = std::max<int64_t>(cpu::kParallelBytes / (k * int64_t(sizeof(I)) + 8), 1);
      cpu::parallel_for(num_batch, grain, [&](int64_t b0, int64_t b1) {
        for (int64_t b = b0; b < b1; ++b) {
          int64_t off = 0;
          bool skip = false;
          for (int64_t j = 0; j < k; ++j) {
            int64_t v = static_cast<int64_t>(idx[b * k + j]);
            if (v < 0 || v > upper[size_t(j)]) {
              if (ws.out_of_bounds_is_skip) {
                skip = true;
                break;
              }
              v = std::clamp<int64_t>(v, 0, upper[size_t(j)]);
            }
            off += v * map_strides[size_t(j)];
          }
          for (size_t i = 0; i < ws.operand_batching->size(); ++i) {
            size_t d = size_t((*ws.indices_batching)[i]);
            int64_t coord = (b / bstrides[d]) % batch_shape[d];
            off += coord * ostrides[size_t((*ws.operand_batching)[i])];
          }
          base[size_t(b)] = skip ? -1 : off;
        }
      });
    }
  });
  return base;
}

// Loop dims over an array whose dims are either window dims (`window_dims`, in order, mapped
// to the operand dims in `operand_window_dims`) or batch dims (in the order of the batch dims
// of the indices).
std::vector<LoopDim> loop_dims(const Shape& shape, const Dims& window_dims,
                               const Dims& operand_window_dims, const Dims& ostrides,
                               const Dims& bstrides) {
  std::vector<LoopDim> dims;
  size_t w = 0, b = 0;
  for (int64_t i = 0; i < shape.ndim(); ++i) {
    if (contains(window_dims, i)) {
      dims.push_back({shape[size_t(i)], ostrides[size_t(operand_window_dims[w++])], 0});
    } else {
      dims.push_back({shape[size_t(i)], 0, bstrides[b++]});
    }
  }
  return coalesce(dims);
}

Dims operand_window_dims(int64_t rank, const Dims& removed_a, const Dims& removed_b) {
  Dims out;
  for (int64_t i = 0; i < rank; ++i) {
    if (!contains(removed_a, i) && !contains(removed_b, i)) out.push_back(i);
  }
  return out;
}

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
struct MinOp {
  template <class T>
  static void apply(T& x, T u) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(x) || std::isnan(u)) {
        x = std::numeric_limits<T>::quiet_NaN();
        return;
      }
    }
    if (u < x) x = u;
  }
};
struct MaxOp {
  template <class T>
  static void apply(T& x, T u) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(x) || std::isnan(u)) {
        x = std::numeric_limits<T>::quiet_NaN();
        return;
      }
    }
    if (u > x) x = u;
  }
};

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

// ---- batch rules ---------------------------------------------------------------------------
// The batch dim is folded into the dimension numbers where it already is (no transpose): when
// the indices are not mapped it becomes one more window dim (sliced whole); when they are, it
// becomes a batch dim of the indices (and, if the operand is mapped too, a batching dim pairing
// the two). Only an indices batch dim on the index-vector (last) axis is moved, to the front.

// Inserts x into the sorted v; returns where.
size_t insert_sorted(Dims& v, int64_t x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  size_t at = size_t(it - v.begin());
  v.insert(it, x);
  return at;
}

// How many operand window dims (neither in `a` nor in `b`) come before operand dim `d`.
size_t window_dims_before(int64_t d, const Dims& a, const Dims& b) {
  size_t k = 0;
  for (int64_t i = 0; i < d; ++i) k += contains(a, i) || contains(b, i) ? 0 : 1;
  return k;
}

// Where a new dim that is the k-th of the (sorted) window dims `window` goes: right after the
// one before it.
int64_t window_position(const Dims& window, size_t k) { return k > 0 ? window[k - 1] + 1 : 0; }

// Where a new non-window dim of an array of rank `rank` goes so that k non-window dims precede
// it: at the current k-th one (or at the end).
int64_t batch_position(const Dims& window, int64_t rank, int64_t k) {
  int64_t seen = 0;
  for (int64_t i = 0; i < rank; ++i) {
    if (contains(window, i)) continue;
    if (seen++ == k) return i;
  }
  return rank;
}

// The indices' batch dim, moved off the index-vector (last) axis.
std::pair<Array, int64_t> indices_batch_dim(const Array& indices, int bdim) {
  if (bdim != indices.ndim() - 1) return {indices, bdim};
  return {batching::moveaxis(indices, bdim, 0), 0};
}

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

// ---- jvp rules (JAX's _gather_jvp_rule, _scatter_jvp, _scatter_add_jvp, scatter_mul's
// defjvp and _scatter_extremal_jvp) ---------------------------------------------------------
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

// gather is linear in the operand; the tangent of a filled (out-of-bounds) window is 0, not
// the primal's fill value.
Array gather_tangent(const Array& g, std::span<const Array> primals, const Array&,
                     const Params& p) {
  Params q = p;
  if (p.get_int("mode") == kFillOrDrop) q.set("fill_value", 0.0);
  return bind1(Prim::gather, {g, primals[1]}, q);
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
      bind1(Prim::scatter, {ops::full(ShapedArray{operand.shape(), id_dtype, false}, 0), indices, update_ids}, p);
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
  const Array e2 = lax::mul(lax::sub(lax::mul(y_sum, y_sum), sum_zero(lax::mul(y, y))),
                            ad::full_like(0.5, x));
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

// ---- transpose rules (JAX's _gather_transpose_rule, _scatter_add_transpose_rule and
// _scatter_mul_transpose_rule) --------------------------------------------------------------
// The indices are never linear. scatter (set mode) needs no rule: its jvp puts the tangents
// through select_n and scatter-add only (the winners' ids are integers).

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

void register_gather_transposes() {
  mutable_rules(Prim::gather).transpose = ad::deftranspose({gather_transpose_operand, nullptr});
  mutable_rules(Prim::scatter_add).transpose =
      ad::deftranspose({scatter_add_transpose_operand, nullptr, scatter_add_transpose_updates});
  mutable_rules(Prim::scatter_mul).transpose =
      ad::deftranspose({scatter_mul_transpose_operand, nullptr, nullptr});
}

template <class Op>
void def_scatter(Prim prim) {
  PrimitiveRules& r = mutable_rules(prim);
  std::string_view name = primitive_name(prim);
  r.abstract_eval = [name](std::span<const ShapedArray> in, const Params& p) {
    return scatter_abstract_eval(name, in, p);
  };
  r.impl = scatter_impl<Op>;
  r.batch = scatter_batch(prim);
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

void register_gather() {
  PrimitiveRules& g = mutable_rules(Prim::gather);
  g.abstract_eval = gather_abstract_eval;
  g.impl = gather_impl;
  g.batch = gather_batch;
  g.jvp = ad::defjvp(Prim::gather, {gather_tangent, nullptr});
  def_scatter<SetOp>(Prim::scatter);
  def_scatter<AddOp>(Prim::scatter_add);
  def_scatter<MulOp>(Prim::scatter_mul);
  def_scatter<MinOp>(Prim::scatter_min);
  def_scatter<MaxOp>(Prim::scatter_max);
  mutable_rules(Prim::scatter).jvp = scatter_jvp;
  mutable_rules(Prim::scatter_add).jvp = ad::deflinear_in(Prim::scatter_add, {0, 2});
  mutable_rules(Prim::scatter_mul).jvp = ad::defjvp(
      Prim::scatter_mul, {scatter_mul_tangent_operand, nullptr, scatter_mul_tangent_updates});
  mutable_rules(Prim::scatter_min).jvp = scatter_extremal_jvp(Prim::scatter_min);
  mutable_rules(Prim::scatter_max).jvp = scatter_extremal_jvp(Prim::scatter_max);
  register_gather_transposes();
}

}  // namespace jx::primitives

namespace jx::primitives {

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
