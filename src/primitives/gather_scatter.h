// Internal to gather.cc and scatter.cc (defined in gather_scatter.cc): what gather and the
// scatter family share. Checks of dimension numbers with JAX's wording, the loop structure of
// the kernels (window starts, coalesced loop dims), and the dimension-number arithmetic of the
// batch rules.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ir/primitive.h"
#include "jx/errors.h"

namespace jx::primitives {

using Dims = std::vector<int64_t>;

// The "mode" param: JAX's GatherScatterMode.
constexpr int64_t kClip = 0, kFillOrDrop = 1, kPromiseInBounds = 2;

// Python's tuple repr, as JAX prints dimension numbers: (), (1,), (0, 2).
std::string tuple_str(const Dims& v);

inline bool contains(const Dims& v, int64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// ---- shape rules -----------------------------------------------------------------------------

// Validation of dimension numbers with JAX's wording; every message ends with the shapes of
// the operands so a failure deep inside a program can be traced back to its call.
class Checker {
 public:
  Checker(std::string op, std::string shapes) : op_(std::move(op)), shapes_(std::move(shapes)) {}

  template <class E = ShapeError>
  [[noreturn]] void fail(const std::string& msg) const {
    throw E(msg + " (" + op_ + " with " + shapes_ + ")");
  }
  void sorted(const Dims& d, std::string_view name) const;
  void no_duplicates(const Dims& d, std::string_view name) const;
  void in_range(const Dims& d, int64_t rank, std::string_view name) const;
  void disjoint(const Dims& a, const Dims& b, std::string_view na, std::string_view nb) const;
  const std::string& op() const { return op_; }

 private:
  std::string op_, shapes_;
};

// The "mode" param, checked to be one of the three modes.
int64_t checked_mode(const Params& p, std::string_view op);

void check_index_dtype(std::string_view op, const ShapedArray& indices);

// Checks shared by gather and scatter: the batching dims of operand and indices pair up.
void check_batching(const Checker& c, const ShapedArray& operand, const ShapedArray& indices,
                    const Dims& operand_batching, const Dims& indices_batching,
                    std::string_view indices_batching_name, std::string_view op_title);

// ---- kernels ---------------------------------------------------------------------------------

// One loop dimension of the output (gather) or of the updates (scatter): how far a step moves
// in the operand and in the flattened batch of index vectors.
struct LoopDim {
  int64_t size, ostride, bstride;
};

// Drops size-1 dims and merges neighbours that step both offsets uniformly, so the innermost
// loop is as long as possible (a whole contiguous window row becomes one memcpy).
std::vector<LoopDim> coalesce(const std::vector<LoopDim>& dims);

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

// The number of rows: the product of all loop dims but the innermost.
int64_t outer_rows(const std::vector<LoopDim>& dims);

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
                                  const WindowStarts& ws);

// Loop dims over an array whose dims are either window dims (`window_dims`, in order, mapped
// to the operand dims in `operand_window_dims`) or batch dims (in the order of the batch dims
// of the indices).
std::vector<LoopDim> loop_dims(const Shape& shape, const Dims& window_dims,
                               const Dims& operand_window_dims, const Dims& ostrides,
                               const Dims& bstrides);

// The operand dims in neither `removed_a` nor `removed_b`, in order.
Dims operand_window_dims(int64_t rank, const Dims& removed_a, const Dims& removed_b);

// ---- batch rules -----------------------------------------------------------------------------
// The batch dim is folded into the dimension numbers where it already is (no transpose): when
// the indices are not mapped it becomes one more window dim (sliced whole); when they are, it
// becomes a batch dim of the indices (and, if the operand is mapped too, a batching dim pairing
// the two). Only an indices batch dim on the index-vector (last) axis is moved, to the front.

// Inserts x into the sorted v; returns where.
size_t insert_sorted(Dims& v, int64_t x);

// How many operand window dims (neither in `a` nor in `b`) come before operand dim `d`.
size_t window_dims_before(int64_t d, const Dims& a, const Dims& b);

// Where a new dim that is the k-th of the (sorted) window dims `window` goes: right after the
// one before it.
inline int64_t window_position(const Dims& window, size_t k) {
  return k > 0 ? window[k - 1] + 1 : 0;
}

// Where a new non-window dim of an array of rank `rank` goes so that k non-window dims precede
// it: at the current k-th one (or at the end).
int64_t batch_position(const Dims& window, int64_t rank, int64_t k);

// The indices' batch dim, moved off the index-vector (last) axis.
std::pair<Array, int64_t> indices_batch_dim(const Array& indices, int bdim);

}  // namespace jx::primitives
