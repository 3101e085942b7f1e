// What gather (gather.cc) and the scatter family (scatter.cc) share; see gather_scatter.h.
#include "primitives/gather_scatter.h"

#include <algorithm>
#include <string>
#include <type_traits>

#include "interpreters/batching.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {

std::string tuple_str(const Dims& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(v[i]);
  }
  if (v.size() == 1) s += ",";
  return s + ")";
}

// ---- shape rules -----------------------------------------------------------------------------

void Checker::sorted(const Dims& d, std::string_view name) const {
  for (size_t i = 1; i < d.size(); ++i) {
    if (d[i] < d[i - 1]) {
      fail<ValueError>(std::string(name) + " in " + op_ + " op must be sorted; got " +
                       tuple_str(d) + ".");
    }
  }
}

void Checker::no_duplicates(const Dims& d, std::string_view name) const {
  for (size_t i = 0; i < d.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (d[i] == d[j]) {
        fail<ValueError>(std::string(name) + " in " + op_ +
                         " op must not repeat; got: " + tuple_str(d) + ".");
      }
    }
  }
}

void Checker::in_range(const Dims& d, int64_t rank, std::string_view name) const {
  for (int64_t dim : d) {
    if (dim < 0 || dim >= rank) {
      fail<IndexError>("Invalid " + std::string(name) + " set in " + op_ +
                       " op; valid range is [0, " + std::to_string(rank) +
                       "); got: " + std::to_string(dim) + ".");
    }
  }
}

void Checker::disjoint(const Dims& a, const Dims& b, std::string_view na,
                       std::string_view nb) const {
  for (int64_t x : a) {
    if (contains(b, x)) {
      fail<ValueError>(std::string(na) + " and " + std::string(nb) + " in " + op_ +
                       " op must be disjoint; got: " + tuple_str(a) + " and " + tuple_str(b) + ".");
    }
  }
}

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

// ---- kernels ---------------------------------------------------------------------------------

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

int64_t outer_rows(const std::vector<LoopDim>& dims) {
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < dims.size(); ++i) rows *= dims[i].size;
  return rows;
}

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

// ---- batch rules -----------------------------------------------------------------------------

size_t insert_sorted(Dims& v, int64_t x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  size_t at = size_t(it - v.begin());
  v.insert(it, x);
  return at;
}

size_t window_dims_before(int64_t d, const Dims& a, const Dims& b) {
  size_t k = 0;
  for (int64_t i = 0; i < d; ++i) k += contains(a, i) || contains(b, i) ? 0 : 1;
  return k;
}

int64_t batch_position(const Dims& window, int64_t rank, int64_t k) {
  int64_t seen = 0;
  for (int64_t i = 0; i < rank; ++i) {
    if (contains(window, i)) continue;
    if (seen++ == k) return i;
  }
  return rank;
}

std::pair<Array, int64_t> indices_batch_dim(const Array& indices, int bdim) {
  if (bdim != indices.ndim() - 1) return {indices, bdim};
  return {batching::moveaxis(indices, bdim, 0), 0};
}

}  // namespace jx::primitives
