// Slicing primitives: concatenate, pad, slice, dynamic_slice, dynamic_update_slice.
// Every kernel is a strided element copy (cpu::copy_strided) by itemsize, so all dtypes share
// one instantiation per width; a slice that selects one contiguous block is a view.
#include <algorithm>
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

const char* elem_ptr(const Array& x, int64_t offset_elems) {
  return static_cast<const char*>(array_data(x)) + offset_elems * int64_t(itemsize(x.dtype()));
}
char* mut_elem_ptr(const Array& x, int64_t offset_elems) {
  return mutable_data<char>(x) + offset_elems * int64_t(itemsize(x.dtype()));
}

// The operand's elements [offset, offset + aval.size()) as a new array, without a copy.
Array view_at(const Array& x, const ShapedArray& aval, int64_t offset_elems) {
  return make_view(aval, x.impl()->buffer,
                   x.impl()->offset + static_cast<size_t>(offset_elems) * itemsize(x.dtype()));
}

// True when the box `sizes` starting anywhere in an array of `shape` is one contiguous run:
// every dim before the first non-1 extent is 1 and every dim after it is full.
bool is_contiguous_box(const Shape& shape, const Shape& sizes) {
  size_t i = 0;
  while (i < sizes.size() && sizes[i] == 1) ++i;
  for (size_t j = i + 1; j < sizes.size(); ++j) {
    if (sizes[j] != shape[j]) return false;
  }
  return true;
}

// out = x[start : start + out.shape] (strides 1 unless given), as a view when contiguous.
Array box_copy(const Array& x, const ShapedArray& out_aval, const Ints& start,
               const Ints* steps = nullptr) {
  const Ints xs = contiguous_strides(x.shape());
  int64_t offset = 0;
  for (size_t i = 0; i < start.size(); ++i) offset += start[i] * xs[i];
  bool unit = true;
  if (steps) {
    for (int64_t s : *steps) unit &= s == 1;
  }
  if (out_aval.size() == 0) return make_array(out_aval);
  if (unit && is_contiguous_box(x.shape(), out_aval.shape)) return view_at(x, out_aval, offset);
  Array out = make_array(out_aval);
  Ints src_strides = xs;
  if (steps) {
    // A dim of extent 1 never advances: its (possibly huge, e.g. INT64_MAX) step would only
    // overflow the product; elsewhere step < extent keeps it within the operand's size.
    for (size_t i = 0; i < xs.size(); ++i) {
      src_strides[i] = out_aval.shape[i] > 1 ? src_strides[i] * (*steps)[i] : 0;
    }
  }
  cpu::copy_strided(mutable_data(out), contiguous_strides(out.shape()), elem_ptr(x, offset),
                    src_strides, out.shape(), itemsize(x.dtype()));
  return out;
}

int64_t read_index(const Array& a) {
  return dispatch_dtype(a.dtype(), [&](auto tag) -> int64_t {
    using T = typename decltype(tag)::type;
    return static_cast<int64_t>(*typed_data<T>(a));
  });
}

// XLA's rule for dynamic starts: clamp so the window [start, start + size) fits.
Ints clamped_starts(std::span<const Array> indices, const Shape& shape, const Shape& window) {
  Ints starts(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    starts[i] = std::clamp<int64_t>(read_index(indices[i]), 0, shape[i] - window[i]);
  }
  return starts;
}

// Scalar integer indices of one dtype, as JAX's dynamic_slice/dynamic_update_slice require.
void check_index_operands(std::string_view op, std::span<const ShapedArray> idx) {
  for (const auto& a : idx) {
    if (a.ndim() != 0) {
      throw ShapeError("start_indices arguments to " + std::string(op) +
                       " must be scalars, got indices with shapes " + shapes_str(idx));
    }
  }
  for (const auto& a : idx) {
    if (!is_integer(a.dtype) || a.dtype != idx[0].dtype) {
      std::string names;
      for (size_t i = 0; i < idx.size(); ++i) {
        if (i) names += ", ";
        names += dtype_name(idx[i].dtype);
      }
      throw DTypeError("index arguments to " + std::string(op) +
                       " must be integers of the same type, got " + names);
    }
  }
}

// ---- concatenate ------------------------------------------------------------------------------
std::vector<ShapedArray> concatenate_rule(std::span<const ShapedArray> in, const Params& params) {
  if (in.empty()) throw ValueError("concatenate expects at least one operand, got 0.");
  const int64_t dimension = params.get_int("dimension");
  const int ndim = in[0].ndim();
  for (const auto& a : in) {
    if (a.ndim() != ndim) {
      throw ShapeError("Cannot concatenate arrays with different numbers of dimensions: got " +
                       shapes_str(in) + ".");
    }
  }
  if (dimension < 0 || dimension >= ndim) {
    throw ShapeError("concatenate dimension out of bounds: dimension " + std::to_string(dimension) +
                     " for shapes " + shapes_str(in) + ".");
  }
  const auto dim = static_cast<size_t>(dimension);
  int64_t total = 0;
  for (const auto& a : in) {
    for (size_t i = 0; i < a.shape.size(); ++i) {
      if (i != dim && a.shape[i] != in[0].shape[i]) {
        throw ShapeError(
            "Cannot concatenate arrays with shapes that differ in dimensions other than the one "
            "being concatenated: concatenating along dimension " +
            std::to_string(dimension) + " for shapes " + shapes_str(in) + ".");
      }
    }
    total += a.shape[dim];
  }
  check_same_dtypes("concatenate", in);
  Shape out = in[0].shape;
  out[dim] = total;
  return single(ShapedArray{out, in[0].dtype, all_weak(in)});
}

std::vector<Array> concatenate_impl(std::span<const Array> in, const Params& params,
                                    const KernelOutputs& out_avals) {
  if (in.size() == 1) return single(view_at(in[0], out_avals[0], 0));
  Array out = out_avals.make(0);
  if (out.size() == 0) return single(std::move(out));
  const auto dim = static_cast<size_t>(params.get_int("dimension"));
  const Ints os = contiguous_strides(out.shape());
  int64_t at = 0;
  for (const Array& x : in) {
    if (x.size() > 0) {
      cpu::copy_strided(mut_elem_ptr(out, at * os[dim]), os, array_data(x),
                        contiguous_strides(x.shape()), x.shape(), itemsize(x.dtype()));
    }
    at += x.shape()[dim];
  }
  return single(std::move(out));
}

// ---- pad --------------------------------------------------------------------------------------
std::string pad_config_str(const Ints& flat) {
  std::string s = "(";
  for (size_t i = 0; i < flat.size(); i += 3) {
    if (i) s += ", ";
    Ints triple(flat.begin() + static_cast<ptrdiff_t>(i),
                flat.begin() + static_cast<ptrdiff_t>(std::min(i + 3, flat.size())));
    s += tup(triple);
  }
  if (flat.size() == 3) s += ",";
  return s + ")";
}

// Output extent of a padded dim: lo + hi + the operand dilated by `interior`.
// Throws when that does not fit in int64 (huge lo/hi/interior would be signed-overflow UB).
int64_t padded_size(int64_t d, int64_t lo, int64_t hi, int64_t interior, const Ints& config) {
  int64_t dilated = 0, out = 0;
  bool overflow = false;
  if (d != 0) {
    overflow |= __builtin_mul_overflow(d - 1, interior, &dilated);
    overflow |= __builtin_add_overflow(dilated, d, &dilated);
  }
  overflow |= __builtin_add_overflow(lo, hi, &out);
  overflow |= __builtin_add_overflow(out, dilated, &out);
  if (overflow) {
    throw ShapeError("pad: padded dimension size overflows int64, for padding_config " +
                     pad_config_str(config) + " and dimension size " + std::to_string(d));
  }
  return out;
}

std::vector<ShapedArray> pad_rule(std::span<const ShapedArray> in, const Params& params) {
  check_arity("pad", in, 2);
  const ShapedArray& x = in[0];
  const ShapedArray& value = in[1];
  const Ints& config = params.get_ints("padding_config");
  if (value.ndim() != 0) {
    throw ShapeError("pad padding_value must be a scalar; got padding_value of shape " +
                     value.shape.str());
  }
  if (x.dtype != value.dtype) {
    throw DTypeError("pad operand and padding_value must be same dtype: got " +
                     std::string(dtype_name(x.dtype)) + " and " +
                     std::string(dtype_name(value.dtype)) + ".");
  }
  if (config.size() % 3 != 0 || config.size() / 3 != static_cast<size_t>(x.ndim())) {
    throw ShapeError(
        "length of padding_config must equal the number of axes of operand, got padding_config " +
        pad_config_str(config) + " for operand shape " + x.shape.str());
  }
  for (size_t i = 0; i < config.size(); i += 3) {
    if (config[i + 2] < 0) {
      throw ShapeError(
          "pad: interior padding in padding_config must be nonnegative, got padding_config " +
          pad_config_str(config));
    }
  }
  Shape out;
  bool negative = false;
  for (size_t i = 0; i < x.shape.size(); ++i) {
    out.push_back(
        padded_size(x.shape[i], config[3 * i], config[3 * i + 1], config[3 * i + 2], config));
    negative |= out.back() < 0;
  }
  if (negative) {
    throw ShapeError("pad: Dimension size after padding is not at least 0, got result shape " +
                     out.str() + ", for padding_config " + pad_config_str(config) +
                     " and operand shape " + x.shape.str());
  }
  return single(ShapedArray{out, x.dtype, x.weak_type && value.weak_type});
}

std::vector<Array> pad_impl(std::span<const Array> in, const Params& params,
                            const KernelOutputs& out_avals) {
  const Array& x = in[0];
  const Ints& config = params.get_ints("padding_config");
  Array out = out_avals.make(0);
  if (out.size() == 0) return single(std::move(out));
  const Shape& os = out.shape();
  const Ints xs = contiguous_strides(x.shape()), ostr = contiguous_strides(os);
  // Per dim: the operand elements [first, first + count) that land inside the output (negative
  // lo/hi crop), where the first of them lands, and the output stride between them.
  Shape counts;
  Ints dst_strides(xs.size());
  int64_t src_off = 0, dst_off = 0;
  bool covers_all = true;
  for (size_t i = 0; i < xs.size(); ++i) {
    const int64_t lo = config[3 * i], step = config[3 * i + 2] + 1, d = x.shape()[i];
    const int64_t first = lo < 0 ? (-lo + step - 1) / step : 0;
    const int64_t last_pos = os[i] - 1 - lo;  // operand index i lands at lo + i * step
    const int64_t end = last_pos < 0 ? 0 : std::min(d, last_pos / step + 1);
    const int64_t count = std::max<int64_t>(0, end - first);
    counts.push_back(count);
    src_off += first * xs[i];
    dst_off += (lo + first * step) * ostr[i];
    dst_strides[i] = ostr[i] * step;
    covers_all &= count == os[i] && step == 1;
  }
  if (!covers_all) {
    cpu::fill_elements(mutable_data(out), array_data(in[1]), out.size(), itemsize(x.dtype()));
  }
  if (counts.numel() > 0) {
    cpu::copy_strided(mut_elem_ptr(out, dst_off), dst_strides, elem_ptr(x, src_off), xs, counts,
                      itemsize(x.dtype()));
  }
  return single(std::move(out));
}

// ---- slice ------------------------------------------------------------------------------------
std::vector<ShapedArray> slice_rule(std::span<const ShapedArray> in, const Params& params) {
  check_arity("slice", in, 1);
  const ShapedArray& x = in[0];
  const Ints& start = params.get_ints("start_indices");
  const Ints& limit = params.get_ints("limit_indices");
  check_shapelike("slice", "start_indices", start);
  check_shapelike("slice", "limit_indices", limit);
  const auto ndim = static_cast<size_t>(x.ndim());
  if (start.size() != ndim) {
    throw ShapeError(
        "slice start_indices must have length equal to the number of dimensions of the "
        "operand, got indices " +
        tup(start) + " for operand shape " + x.shape.str() + ".");
  }
  if (limit.size() != start.size()) {
    throw ShapeError(
        "slice limit_indices must have the same length as start_indices, got start_indices " +
        tup(start) + " and limit_indices " + tup(limit) + ".");
  }
  for (size_t i = 0; i < ndim; ++i) {
    if (limit[i] > x.shape[i]) {
      throw ShapeError(
          "slice limit_indices must be less than or equal to operand shape, got limit_indices " +
          tup(limit) + " for operand shape " + x.shape.str() + ".");
    }
  }
  for (size_t i = 0; i < ndim; ++i) {
    if (limit[i] < start[i]) {
      throw ShapeError(
          "slice limit_indices must be greater than or equal to start_indices, got "
          "start_indices " +
          tup(start) + " and limit_indices " + tup(limit) + ".");
    }
  }
  Ints strides(ndim, 1);
  if (params.has("strides")) {
    strides = params.get_ints("strides");
    if (strides.size() != ndim) {
      throw ShapeError(
          "slice strides must have length equal to the number of dimensions of the operand, got "
          "strides " +
          tup(strides) + " for operand shape " + x.shape.str() + ".");
    }
    for (int64_t s : strides) {
      if (s < 1) throw ShapeError("slice strides must be positive, got " + tup(strides));
    }
  }
  Shape out;
  for (size_t i = 0; i < ndim; ++i) {
    const int64_t d = limit[i] - start[i];
    out.push_back(d == 0 ? 0 : (d - 1) / strides[i] + 1);
  }
  return single(ShapedArray{out, x.dtype, x.weak_type});
}

std::vector<Array> slice_impl(std::span<const Array> in, const Params& params,
                              std::span<const ShapedArray> out_avals) {
  const Ints& start = params.get_ints("start_indices");
  if (params.has("strides")) {
    return single(box_copy(in[0], out_avals[0], start, &params.get_ints("strides")));
  }
  return single(box_copy(in[0], out_avals[0], start));
}

// ---- dynamic_slice ----------------------------------------------------------------------------
std::vector<ShapedArray> dynamic_slice_rule(std::span<const ShapedArray> in, const Params& params) {
  if (in.empty()) throw ValueError("dynamic_slice takes an operand and start indices, got 0");
  const ShapedArray& x = in[0];
  const auto idx = in.subspan(1);
  const Ints& sizes = params.get_ints("slice_sizes");
  if (idx.size() != static_cast<size_t>(x.ndim())) {
    throw ShapeError(
        "dynamic_slice start_indices must have length equal to the number of dimensions of the "
        "operand, got " +
        std::to_string(idx.size()) + " indices for operand shape " + x.shape.str() + ".");
  }
  if (sizes.size() != idx.size()) {
    throw ShapeError(
        "dynamic_slice slice_sizes must have the same length as start_indices, got "
        "start_indices length " +
        std::to_string(idx.size()) + " and slice_sizes " + tup(sizes) + ".");
  }
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] > x.shape[i]) {
      throw ShapeError(
          "dynamic_slice slice_sizes must be less than or equal to operand shape, got "
          "slice_sizes " +
          tup(sizes) + " for operand shape " + x.shape.str() + ".");
    }
  }
  for (int64_t s : sizes) {
    if (s < 0) {
      throw ShapeError(
          "dynamic_slice slice_sizes must be greater than or equal to zero, got slice_sizes of " +
          tup(sizes) + ".");
    }
  }
  check_index_operands("dynamic_slice", idx);
  return single(ShapedArray{Shape(sizes), x.dtype, x.weak_type});
}

std::vector<Array> dynamic_slice_impl(std::span<const Array> in, const Params&,
                                      std::span<const ShapedArray> out_avals) {
  const Array& x = in[0];
  const Ints starts = clamped_starts(in.subspan(1), x.shape(), out_avals[0].shape);
  return single(box_copy(x, out_avals[0], starts));
}

// ---- dynamic_update_slice ---------------------------------------------------------------------
std::vector<ShapedArray> dynamic_update_slice_rule(std::span<const ShapedArray> in, const Params&) {
  if (in.size() < 2) {
    throw ValueError("dynamic_update_slice takes an operand, an update and start indices, got " +
                     std::to_string(in.size()) + " operands");
  }
  const ShapedArray& x = in[0];
  const ShapedArray& update = in[1];
  const auto idx = in.subspan(2);
  if (update.ndim() != x.ndim()) {
    throw ShapeError(
        "dynamic_update_slice update must have the same rank as operand, got update shape " +
        update.shape.str() + " for operand shape " + x.shape.str() + ".");
  }
  if (idx.size() != static_cast<size_t>(x.ndim())) {
    throw ShapeError(
        "dynamic_update_slice start_indices must have length equal to the rank of operand, got " +
        std::to_string(idx.size()) + " indices for operand shape " + x.shape.str() + ".");
  }
  for (size_t i = 0; i < x.shape.size(); ++i) {
    if (update.shape[i] > x.shape[i]) {
      throw ShapeError(
          "dynamic_update_slice update shape must be smaller than operand shape, got update "
          "shape " +
          update.shape.str() + " for operand shape " + x.shape.str() + ".");
    }
  }
  check_index_operands("dynamic_update_slice", idx);
  check_same_dtypes("dynamic_update_slice", in.subspan(0, 2));
  return single(ShapedArray{x.shape, x.dtype, all_weak(in)});
}

std::vector<Array> dynamic_update_slice_impl(std::span<const Array> in, const Params&,
                                             const KernelOutputs& out_avals) {
  const Array& x = in[0];
  const Array& update = in[1];
  Array out = out_avals.make(0);
  if (out.size() == 0) return single(std::move(out));
  cpu::parallel_memcpy(mutable_data(out), array_data(x), x.nbytes());
  if (update.size() == 0) return single(std::move(out));
  const Ints starts = clamped_starts(in.subspan(2), x.shape(), update.shape());
  const Ints os = contiguous_strides(out.shape());
  int64_t offset = 0;
  for (size_t i = 0; i < starts.size(); ++i) offset += starts[i] * os[i];
  cpu::copy_strided(mut_elem_ptr(out, offset), os, array_data(update),
                    contiguous_strides(update.shape()), update.shape(), itemsize(x.dtype()));
  return single(std::move(out));
}

// ---- batch rules ------------------------------------------------------------------------------
using batching::matchaxis;
using batching::one;

// Every operand gets the batch dim of the first mapped one (unmapped ones are broadcast); the
// concatenated example dim shifts past it.
std::pair<std::vector<Array>, std::vector<BatchDim>> concatenate_batch(
    std::span<const Array> in, std::span<const BatchDim> dims, const Params& params,
    const AxisData& axis) {
  const int b = *dims[batching::first_mapped(dims)];
  std::vector<Array> aligned;
  for (size_t i = 0; i < in.size(); ++i) aligned.push_back(matchaxis(in[i], dims[i], b, axis.size));
  const int64_t d = params.get_int("dimension");
  return one(lax::concatenate(aligned, d < b ? d : d + 1), b);
}

// The batch dim is not padded. A padding value that varies per example: pad with zero, then
// select the per-example value where a padded mask of ones is false (as JAX does).
std::pair<std::vector<Array>, std::vector<BatchDim>> pad_batch(std::span<const Array> in,
                                                               std::span<const BatchDim> dims,
                                                               const Params& params,
                                                               const AxisData& axis) {
  const int b = dims[0] ? *dims[0] : 0;
  const Array x = matchaxis(in[0], dims[0], b, axis.size);
  const Ints& config = params.get_ints("padding_config");
  std::vector<lax::PadConfig> example, batched;
  for (size_t i = 0; i < config.size(); i += 3) {
    example.push_back({config[i], config[i + 1], config[i + 2]});
  }
  batched = example;
  batched.insert(batched.begin() + b, lax::PadConfig{});
  if (!dims[1]) return one(lax::pad(x, in[1], batched), b);
  const Array zero = lax::convert_element_type(Array(0), x.dtype(), in[1].weak_type());
  const Array padded = lax::pad(x, zero, batched);
  Ints example_shape(x.shape().begin(), x.shape().end());
  example_shape.erase(example_shape.begin() + b);
  const Array mask = lax::pad(ops::full(ShapedArray{Shape(example_shape), DType::bool_, false}, 1),
                              Array(false), example);
  Ints mask_dims;
  for (int i = 0; i < padded.ndim(); ++i) {
    if (i != b) mask_dims.push_back(i);
  }
  const Array full_mask = lax::broadcast_in_dim(mask, padded.shape(), mask_dims);
  const Array values = lax::broadcast_in_dim(in[1], padded.shape(), {b});
  return one(lax::select_n(full_mask, {values, padded}), b);
}

std::pair<std::vector<Array>, std::vector<BatchDim>> slice_batch(std::span<const Array> in,
                                                                 std::span<const BatchDim> dims,
                                                                 const Params& params,
                                                                 const AxisData& axis) {
  const int b = *dims[0];
  Ints start = params.get_ints("start_indices"), limit = params.get_ints("limit_indices");
  start.insert(start.begin() + b, 0);
  limit.insert(limit.begin() + b, axis.size);
  Ints strides;
  if (params.has("strides")) {
    strides = params.get_ints("strides");
    strides.insert(strides.begin() + b, 1);
  }
  return one(lax::slice(in[0], start, limit, strides), b);
}

// The per-example start indices as one (B, n) index array, batch first.
Array stacked_indices(std::span<const Array> idx, std::span<const BatchDim> dims, int64_t size) {
  std::vector<Array> cols;
  for (size_t i = 0; i < idx.size(); ++i) {
    cols.push_back(lax::broadcast_in_dim(matchaxis(idx[i], dims[i], 0, size), Shape{size, 1}, {0}));
  }
  return lax::concatenate(cols, 1);
}

// A zero start index like `idx` (an int32 when there is none) that keeps the result's weak type.
Array zero_index(std::span<const Array> idx) {
  bool weak = std::all_of(idx.begin(), idx.end(), [](const Array& i) { return i.weak_type(); });
  return lax::convert_element_type(Array(0), idx.empty() ? DType::int32 : idx[0].dtype(), weak);
}

bool any_mapped(std::span<const BatchDim> dims) {
  return std::any_of(dims.begin(), dims.end(), [](const BatchDim& d) { return d.has_value(); });
}

Ints iota_from(int64_t from, int64_t n) {
  Ints v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = from + i;
  return v;
}

// Only the operand mapped: the batch dim is sliced whole (start 0). Mapped starts: a gather of
// one full-rank window per example (clamped as dynamic_slice clamps), batched by gather's rule.
std::pair<std::vector<Array>, std::vector<BatchDim>> dynamic_slice_batch(
    std::span<const Array> in, std::span<const BatchDim> dims, const Params& params,
    const AxisData& axis) {
  const Ints& sizes = params.get_ints("slice_sizes");
  const auto idx = in.subspan(1);
  const auto idx_dims = dims.subspan(1);
  if (!any_mapped(idx_dims)) {
    const int b = *dims[0];
    std::vector<Array> starts(idx.begin(), idx.end());
    starts.insert(starts.begin() + b, zero_index(idx));
    Ints batched_sizes = sizes;
    batched_sizes.insert(batched_sizes.begin() + b, axis.size);
    std::vector<Array> args{in[0]};
    args.insert(args.end(), starts.begin(), starts.end());
    return one(
        bind1(Prim::dynamic_slice, std::span<const Array>(args), {{"slice_sizes", batched_sizes}}),
        b);
  }
  const auto n = static_cast<int64_t>(sizes.size());
  Params gp{{"offset_dims", iota_from(0, n)},
            {"collapsed_slice_dims", Ints{}},
            {"start_index_map", iota_from(0, n)},
            {"operand_batching_dims", Ints{}},
            {"start_indices_batching_dims", Ints{}},
            {"slice_sizes", sizes},
            {"mode", int64_t(lax::GatherScatterMode::kClip)}};
  std::vector<Array> args{in[0], stacked_indices(idx, idx_dims, axis.size)};
  std::vector<BatchDim> arg_dims{dims[0], 0};
  return rules(Prim::gather).batch(args, arg_dims, gp, axis);
}

// Starts not mapped: one dynamic_update_slice of the whole batch (start 0 along it), operand and
// update aligned. Mapped starts: a scatter of one full-rank window per example.
std::pair<std::vector<Array>, std::vector<BatchDim>> dynamic_update_slice_batch(
    std::span<const Array> in, std::span<const BatchDim> dims, const Params&,
    const AxisData& axis) {
  const auto idx = in.subspan(2);
  const auto idx_dims = dims.subspan(2);
  if (!any_mapped(idx_dims)) {
    const int b = dims[0] ? *dims[0] : *dims[1];
    std::vector<Array> args{matchaxis(in[0], dims[0], b, axis.size),
                            matchaxis(in[1], dims[1], b, axis.size)};
    args.insert(args.end(), idx.begin(), idx.end());
    args.insert(args.begin() + 2 + b, zero_index(idx));
    return one(bind1(Prim::dynamic_update_slice, std::span<const Array>(args)), b);
  }
  const auto n = static_cast<int64_t>(idx.size());
  Params sp{{"update_window_dims", iota_from(0, n)},
            {"inserted_window_dims", Ints{}},
            {"scatter_dims_to_operand_dims", iota_from(0, n)},
            {"operand_batching_dims", Ints{}},
            {"scatter_indices_batching_dims", Ints{}},
            {"mode", int64_t(lax::GatherScatterMode::kClip)}};
  // Scatter's result keeps only the operand's weak type; this op's is that of all operands.
  const bool weak = std::all_of(in.begin(), in.end(), [](const Array& a) { return a.weak_type(); });
  Array operand = in[0];
  if (operand.weak_type() && !weak) operand = lax::convert_element_type(operand, operand.dtype());
  std::vector<Array> args{operand, stacked_indices(idx, idx_dims, axis.size), in[1]};
  std::vector<BatchDim> arg_dims{dims[0], 0, dims[1]};
  return rules(Prim::scatter).batch(args, arg_dims, sp, axis);
}

// ---- transpose rules ----------------------------------------------------------------------------
// (JAX's _slice_transpose_rule, _pad_transpose, _concatenate_transpose_rule,
// _dynamic_slice_transpose_rule, _dynamic_update_slice_transpose_rule.) The start indices of the
// dynamic ops are residuals and get no cotangent.

// Zeros of a shape and dtype (not weakly typed), as lax.full(shape, 0, dtype).
Array zeros_of(const Shape& shape, DType dtype) {
  return lax::broadcast_in_dim(lax::convert_element_type(Array(0.0), dtype, false), shape, {});
}
Array zero_scalar_like(const Array& x) {
  return lax::convert_element_type(Array(0.0), x.dtype(), false);
}

// ct in the aval's dtype and weak type (the cotangent of an input is of the input's type).
Array as_aval(const Array& ct, const ShapedArray& in) { return ad::unbroadcast(ct, in); }

// slice: the cotangent padded with zeros back to the operand's shape; a stride s puts s - 1
// zeros between consecutive elements (interior padding), the tail after the last one taken.
Array slice_transpose(const Array& ct, const ShapedArray& in, std::span<const Array>,
                      const Params& params) {
  const Ints& start = params.get_ints("start_indices");
  const Ints& limit = params.get_ints("limit_indices");
  Ints strides(start.size(), 1);
  if (params.has("strides") && !params.get_ints("strides").empty()) {
    strides = params.get_ints("strides");
  }
  std::vector<lax::PadConfig> cfg(start.size());
  for (size_t i = 0; i < start.size(); ++i) {
    const int64_t n = ct.shape()[i];
    if (strides[i] == 1) {
      cfg[i] = {start[i], in.shape[i] - limit[i], 0};
    } else {
      const int64_t real_limit = start[i] + (n == 0 ? 0 : 1 + (n - 1) * strides[i]);
      cfg[i] = {start[i], in.shape[i] - real_limit, strides[i] - 1};
    }
  }
  return as_aval(lax::pad(ct, zero_scalar_like(ct), cfg), in);
}

// pad: the operand's cotangent is the cotangent with the padding cropped off (negative lo/hi,
// which cropped the operand, become zeros) and the interior padding strided over; the padding
// value's is the sum of everything else: total(ct) - total(operand's cotangent).
Array unpad(const Array& ct, const Params& params) {
  const Ints& config = params.get_ints("padding_config");
  const size_t n = config.size() / 3;
  std::vector<lax::PadConfig> unpad_cfg(n);
  for (size_t i = 0; i < n; ++i) unpad_cfg[i] = {-config[3 * i], -config[3 * i + 1], 0};
  const Array unpadded = lax::pad(ct, zero_scalar_like(ct), unpad_cfg);
  Ints starts(n, 0), limits(unpadded.shape().begin(), unpadded.shape().end()), strides(n);
  bool unit = true;
  for (size_t i = 0; i < n; ++i) {
    strides[i] = config[3 * i + 2] + 1;
    unit &= strides[i] == 1;
  }
  return lax::slice(unpadded, starts, limits, unit ? Ints{} : strides);
}

Array total(const Array& x) {
  Ints axes(static_cast<size_t>(x.ndim()));
  for (int64_t d = 0; d < x.ndim(); ++d) axes[static_cast<size_t>(d)] = d;
  return lax::reduce_sum(x, axes);
}

Array pad_operand_transpose(const Array& ct, const ShapedArray& in, std::span<const Array>,
                            const Params& params) {
  return as_aval(unpad(ct, params), in);
}

Array pad_value_transpose(const Array& ct, const ShapedArray& in, std::span<const Array>,
                          const Params& params) {
  return as_aval(lax::sub(total(ct), total(unpad(ct, params))), in);
}

// concatenate: each linear operand's cotangent is its block of the cotangent.
std::vector<Array> concatenate_transpose(std::span<const Array> cts, std::span<const Array> args,
                                         std::span<const ShapedArray> avals, const Params& params) {
  const Array& ct = cts[0];
  const auto dim = static_cast<size_t>(params.get_int("dimension"));
  std::vector<Array> out(args.size());
  int64_t at = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    const int64_t extent = avals[i].shape[dim];
    if (!args[i].valid()) {
      Ints start(static_cast<size_t>(ct.ndim()), 0);
      Ints limit(ct.shape().begin(), ct.shape().end());
      start[dim] = at;
      limit[dim] = at + extent;
      out[i] = as_aval(lax::slice(ct, start, limit), avals[i]);
    }
    at += extent;
  }
  return out;
}

// dynamic_slice: the cotangent written into zeros at the (same, so equally clamped) starts.
Array dynamic_slice_transpose(const Array& ct, const ShapedArray& in, std::span<const Array> args,
                              const Params&) {
  std::vector<Array> dus{zeros_of(in.shape, in.dtype), ct};
  dus.insert(dus.end(), args.begin() + 1, args.end());
  return as_aval(bind1(Prim::dynamic_update_slice, std::span<const Array>(dus)), in);
}

// dynamic_update_slice: the operand's cotangent is the cotangent with the updated window zeroed,
// the update's is that window (both at the same, so equally clamped, starts).
std::vector<Array> dynamic_update_slice_transpose(std::span<const Array> cts,
                                                  std::span<const Array> args,
                                                  std::span<const ShapedArray> avals,
                                                  const Params&) {
  const Array& ct = cts[0];
  const ShapedArray& update = avals[1];
  const auto starts = args.subspan(2);
  std::vector<Array> out(args.size());
  if (!args[0].valid()) {
    std::vector<Array> dus{ct, zeros_of(update.shape, ct.dtype())};
    dus.insert(dus.end(), starts.begin(), starts.end());
    out[0] = as_aval(bind1(Prim::dynamic_update_slice, std::span<const Array>(dus)), avals[0]);
  }
  if (!args[1].valid()) {
    std::vector<Array> ds{ct};
    ds.insert(ds.end(), starts.begin(), starts.end());
    out[1] = as_aval(bind1(Prim::dynamic_slice, std::span<const Array>(ds),
                           {{"slice_sizes", update.shape.to_vector()}}),
                     update);
  }
  return out;
}

}  // namespace

void register_slicing() {
  // jvp: all are linear in their array operands jointly (pad in operand and padding value,
  // dynamic_update_slice in operand and update); the start indices are integers, with no
  // tangent, and are passed through as they are (JAX's deflinear2 / _dynamic_*_jvp).
  def(Prim::concatenate)
      .shape(concatenate_rule)
      .impl(concatenate_impl)
      .batch(concatenate_batch)
      .jvp(ad::deflinear(Prim::concatenate))
      .transpose(concatenate_transpose);
  def(Prim::pad).shape(pad_rule).impl(pad_impl).batch(pad_batch).linear(
      {pad_operand_transpose, pad_value_transpose});
  def(Prim::slice).shape(slice_rule).impl(slice_impl).batch(slice_batch).linear(slice_transpose);
  def(Prim::dynamic_slice)
      .shape(dynamic_slice_rule)
      .impl(dynamic_slice_impl)
      .batch(dynamic_slice_batch)
      .linear(dynamic_slice_transpose);
  def(Prim::dynamic_update_slice)
      .shape(dynamic_update_slice_rule)
      .impl(dynamic_update_slice_impl)
      .batch(dynamic_update_slice_batch)
      .jvp(ad::deflinear_in(Prim::dynamic_update_slice, {0, 1}))
      .transpose(dynamic_update_slice_transpose);
}

}  // namespace jx::primitives

namespace jx::lax {
namespace {

// JAX's _dynamic_slice_indices: a negative start counts from the end of its dim. A concrete
// index is adjusted here (as JAX does for Python ints); a traced one through primitives.
std::vector<Array> wrap_negative_indices(const Array& x, const std::vector<Array>& indices) {
  std::vector<Array> out;
  out.reserve(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    const Array& idx = indices[i];
    const bool adjustable = idx.valid() && idx.ndim() == 0 && is_signed_integer(idx.dtype()) &&
                            static_cast<int>(i) < x.ndim();
    if (!adjustable) {
      out.push_back(idx);
      continue;
    }
    const int64_t dim = x.shape()[i];
    if (idx.is_concrete()) {
      const int64_t v = idx.item<int64_t>();
      if (v >= 0) {
        out.push_back(idx);
        continue;
      }
      Array adjusted = make_array(ShapedArray{Shape{}, idx.dtype(), idx.weak_type()});
      dispatch_dtype(idx.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        *mutable_data<T>(adjusted) = static_cast<T>(v + dim);
      });
      out.push_back(std::move(adjusted));
    } else {
      auto scalar = [&](int64_t v) {
        Array s = make_array(ShapedArray{Shape{}, idx.dtype(), false});
        dispatch_dtype(idx.dtype(), [&](auto tag) {
          using T = typename decltype(tag)::type;
          *mutable_data<T>(s) = static_cast<T>(v);
        });
        return s;
      };
      // idx >> (bits - 1) is all ones exactly when idx < 0, so this adds dim only then (the
      // same as JAX's select(idx < 0, idx + dim, idx), with binary primitives only).
      const int64_t sign_shift = int64_t(itemsize(idx.dtype()) * 8 - 1);
      Array negative_mask = shift_right_arithmetic(idx, scalar(sign_shift));
      out.push_back(add(idx, bitwise_and(negative_mask, scalar(dim))));
    }
  }
  return out;
}

}  // namespace

Array concatenate(const std::vector<Array>& operands, int64_t dimension) {
  return bind1(Prim::concatenate, std::span<const Array>(operands), {{"dimension", dimension}});
}

Array pad(const Array& x, const Array& padding_value, const std::vector<PadConfig>& config) {
  std::vector<int64_t> flat;
  flat.reserve(config.size() * 3);
  for (const PadConfig& c : config) {
    flat.push_back(c.lo);
    flat.push_back(c.hi);
    flat.push_back(c.interior);
  }
  return bind1(Prim::pad, {x, padding_value}, {{"padding_config", flat}});
}

Array slice(const Array& x, const std::vector<int64_t>& start_indices,
            const std::vector<int64_t>& limit_indices, const std::vector<int64_t>& strides) {
  if (strides.empty()) {
    return bind1(Prim::slice, {x},
                 {{"start_indices", start_indices}, {"limit_indices", limit_indices}});
  }
  return bind1(
      Prim::slice, {x},
      {{"start_indices", start_indices}, {"limit_indices", limit_indices}, {"strides", strides}});
}

Array dynamic_slice(const Array& x, const std::vector<Array>& start_indices,
                    const std::vector<int64_t>& slice_sizes) {
  std::vector<Array> args{x};
  for (Array& i : wrap_negative_indices(x, start_indices)) args.push_back(std::move(i));
  return bind1(Prim::dynamic_slice, std::span<const Array>(args), {{"slice_sizes", slice_sizes}});
}

Array dynamic_update_slice(const Array& x, const Array& update,
                           const std::vector<Array>& start_indices) {
  std::vector<Array> args{x, update};
  for (Array& i : wrap_negative_indices(x, start_indices)) args.push_back(std::move(i));
  return bind1(Prim::dynamic_update_slice, std::span<const Array>(args));
}

}  // namespace jx::lax
