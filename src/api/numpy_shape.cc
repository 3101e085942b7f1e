// jx::numpy shape manipulation and joining: reshape, transposes, squeeze/expand_dims,
// broadcasting, stack/concatenate/split, flip, take and take_along_axis, on jx::lax.
#include <algorithm>
#include <limits>
#include <numeric>
#include <sstream>

#include "api/promote.h"
#include "core/array_impl.h"
#include "jx/lax.h"
#include "jx/numpy.h"
#include "primitives/gather_along_axis.h"

namespace jx::numpy {
namespace {

using numpy_detail::canonicalize_axes;

std::string vec_str(const std::vector<int64_t>& v) {
  std::ostringstream s;
  s << "(";
  for (size_t i = 0; i < v.size(); ++i) s << (i ? ", " : "") << v[i];
  if (v.size() == 1) s << ",";
  s << ")";
  return s.str();
}

// A concrete scalar of `dtype` holding v, broadcast to shape.
Array constant(int64_t v, DType dtype, const Shape& shape) {
  Array c = make_array(Shape{}, dtype, false);
  dispatch_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    *mutable_data<T>(c) = static_cast<T>(v);
  });
  if (shape.empty()) return c;
  return lax::broadcast_in_dim(c, shape, {});
}

void check_int_indices(std::string_view fn, const Array& indices) {
  if (!is_integer(indices.dtype())) {
    throw DTypeError(std::string(fn) + ": indices must be an integer array, got " +
                     std::string(dtype_name(indices.dtype())));
  }
}

// Index arithmetic in a dtype wide enough for iota and dimension sizes.
Array as_index_dtype(const Array& idx) {
  DType d = idx.dtype();
  if (d == DType::int32 || d == DType::int64) return idx;
  return lax::convert_element_type(idx, d == DType::uint32 ? DType::int64 : DType::int32);
}

// Python's modulo (result has the sign of n > 0) of integer indices.
Array wrap_indices(const Array& idx, int64_t n) {
  Array nn = constant(n, idx.dtype(), idx.shape());
  Array r = lax::rem(idx, nn);
  Array neg = lax::lt(r, constant(0, idx.dtype(), idx.shape()));
  return lax::select_n(neg, {r, lax::add(r, nn)});
}

// Negative indices count from the end (i + n where i < 0); others unchanged.
Array normalize_indices(const Array& idx, int64_t n) {
  Array neg = lax::lt(idx, constant(0, idx.dtype(), idx.shape()));
  return lax::select_n(neg, {idx, lax::add(idx, constant(n, idx.dtype(), idx.shape()))});
}

}  // namespace

Array reshape(const Array& x, const std::vector<int64_t>& shape) {
  int64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer >= 0) throw ValueError("reshape: can only specify one unknown dimension");
      infer = static_cast<int>(i);
    } else if (shape[i] < 0) {
      throw ValueError("reshape: negative dimensions not allowed, got shape " + vec_str(shape));
    } else {
      known *= shape[i];
    }
  }
  std::vector<int64_t> out = shape;
  const int64_t size = x.size();
  if (infer >= 0) {
    if (known == 0 || size % known != 0) {
      throw ShapeError("reshape: cannot reshape array of size " + std::to_string(size) +
                       " into shape " + vec_str(shape));
    }
    out[infer] = size / known;
  } else if (known != size) {
    throw ShapeError("reshape: cannot reshape array of size " + std::to_string(size) +
                     " into shape " + vec_str(shape));
  }
  Shape s(out);
  if (s == x.shape()) return x;
  return lax::reshape(x, s);
}

Array ravel(const Array& x) {
  if (x.ndim() == 1) return x;
  return lax::reshape(x, Shape{x.size()});
}

Array transpose(const Array& x, std::optional<std::vector<int64_t>> axes) {
  const int nd = x.ndim();
  std::vector<int64_t> perm(nd);
  if (!axes) {
    for (int i = 0; i < nd; ++i) perm[i] = nd - 1 - i;
  } else {
    if (static_cast<int>(axes->size()) != nd) {
      throw ValueError("transpose: axes don't match array: got " + vec_str(*axes) +
                       " for an array of shape " + x.shape().str());
    }
    std::vector<bool> seen(nd, false);
    for (int i = 0; i < nd; ++i) {
      perm[i] = normalize_axis((*axes)[i], nd, "transpose");
      if (seen[perm[i]])
        throw ValueError("transpose: repeated axis in transpose " + vec_str(*axes));
      seen[perm[i]] = true;
    }
  }
  bool identity = true;
  for (int i = 0; i < nd; ++i) identity = identity && perm[i] == i;
  if (identity) return x;
  return lax::transpose(x, perm);
}

Array moveaxis(const Array& x, int64_t source, int64_t destination) {
  return moveaxis(x, std::vector<int64_t>{source}, std::vector<int64_t>{destination});
}

Array moveaxis(const Array& x, const std::vector<int64_t>& source,
               const std::vector<int64_t>& destination) {
  if (source.size() != destination.size()) {
    throw ValueError("moveaxis: Inconsistent number of elements: " + std::to_string(source.size()) +
                     " vs " + std::to_string(destination.size()));
  }
  const int nd = x.ndim();
  std::vector<int64_t> src, dst;
  for (int64_t a : source) src.push_back(normalize_axis(a, nd, "moveaxis"));
  for (int64_t a : destination) dst.push_back(normalize_axis(a, nd, "moveaxis"));
  canonicalize_axes("moveaxis", src, nd);  // rejects repeats
  canonicalize_axes("moveaxis", dst, nd);
  std::vector<int64_t> rest;
  for (int i = 0; i < nd; ++i) {
    if (std::find(src.begin(), src.end(), i) == src.end()) rest.push_back(i);
  }
  std::vector<int64_t> perm(nd, -1);
  for (size_t i = 0; i < src.size(); ++i) perm[dst[i]] = src[i];
  size_t r = 0;
  for (int i = 0; i < nd; ++i) {
    if (perm[i] < 0) perm[i] = rest[r++];
  }
  return transpose(x, perm);
}

Array swapaxes(const Array& x, int64_t axis1, int64_t axis2) {
  const int nd = x.ndim();
  int a = normalize_axis(axis1, nd, "swapaxes"), b = normalize_axis(axis2, nd, "swapaxes");
  std::vector<int64_t> perm(nd);
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[a], perm[b]);
  return transpose(x, perm);
}

Array squeeze(const Array& x, Axis axis) {
  std::vector<int64_t> dims;
  if (axis.is_none()) {
    for (int i = 0; i < x.ndim(); ++i) {
      if (x.shape()[i] == 1) dims.push_back(i);
    }
  } else {
    dims = canonicalize_axes("squeeze", axis.axes(), x.ndim());
    for (int64_t d : dims) {
      if (x.shape()[d] != 1) {
        throw ValueError(
            "squeeze: cannot select an axis to squeeze out which has size not equal to one, "
            "got shape=" +
            x.shape().str() + " and dimensions=" + vec_str(dims));
      }
    }
  }
  if (dims.empty()) return x;
  return lax::squeeze(x, dims);
}

Array expand_dims(const Array& x, Axis axis) {
  if (axis.is_none()) throw ValueError("expand_dims: axis must be given");
  const int out_nd = x.ndim() + static_cast<int>(axis.axes().size());
  std::vector<int64_t> dims = canonicalize_axes("expand_dims", axis.axes(), out_nd);
  if (dims.empty()) return x;
  return lax::expand_dims(x, dims);
}

Array broadcast_to(const Array& x, const Shape& shape) {
  for (int64_t d : shape) {
    if (d < 0) throw ValueError("broadcast_to: negative dimension in shape " + shape.str());
  }
  return numpy_detail::broadcast_to("broadcast_to", x, shape);
}

Shape broadcast_shapes(const std::vector<Shape>& shapes) {
  if (shapes.empty()) return Shape{};
  return numpy_detail::broadcast_shapes("broadcast_shapes", shapes);
}

std::vector<Array> broadcast_arrays(const std::vector<Array>& arrays) {
  std::vector<Shape> shapes;
  for (const auto& a : arrays) shapes.push_back(a.shape());
  if (arrays.empty()) return {};
  Shape target = numpy_detail::broadcast_shapes("broadcast_arrays", shapes);
  std::vector<Array> out;
  for (const auto& a : arrays)
    out.push_back(numpy_detail::broadcast_to("broadcast_arrays", a, target));
  return out;
}

Array concatenate(const std::vector<Array>& arrays, std::optional<int64_t> axis) {
  if (arrays.empty()) throw ValueError("concatenate: need at least one array to concatenate");
  std::vector<Array> ops = numpy_detail::promote_dtypes(arrays);
  int64_t ax = 0;
  if (!axis) {
    for (auto& a : ops) a = ravel(a);
  } else {
    if (ops[0].ndim() == 0) {
      throw ValueError("concatenate: zero-dimensional arrays cannot be concatenated");
    }
    ax = normalize_axis(*axis, ops[0].ndim(), "concatenate");
    for (size_t i = 1; i < ops.size(); ++i) {
      const Shape& s0 = ops[0].shape();
      const Shape& si = ops[i].shape();
      if (si.size() != s0.size()) {
        throw ShapeError(
            "concatenate: all the input arrays must have same number of dimensions, "
            "but the array at index 0 has " +
            std::to_string(s0.size()) + " dimension(s) and the array at index " +
            std::to_string(i) + " has " + std::to_string(si.size()) + " dimension(s)");
      }
      for (size_t d = 0; d < s0.size(); ++d) {
        if (static_cast<int64_t>(d) != ax && s0[d] != si[d]) {
          throw ShapeError(
              "concatenate: all the input array dimensions except for the concatenation axis "
              "must match exactly, but along dimension " +
              std::to_string(d) + ", the array at index 0 has size " + std::to_string(s0[d]) +
              " and the array at index " + std::to_string(i) + " has size " +
              std::to_string(si[d]));
        }
      }
    }
  }
  if (ops.size() == 1) return ops[0];
  return lax::concatenate(ops, ax);
}

Array stack(const std::vector<Array>& arrays, int64_t axis) {
  if (arrays.empty()) throw ValueError("stack: need at least one array to stack");
  for (size_t i = 1; i < arrays.size(); ++i) {
    if (!(arrays[i].shape() == arrays[0].shape())) {
      throw ShapeError("stack: all input arrays must have the same shape, got " +
                       arrays[0].shape().str() + " at index 0 and " + arrays[i].shape().str() +
                       " at index " + std::to_string(i));
    }
  }
  std::vector<Array> ops = numpy_detail::promote_dtypes(arrays);
  const int ax = normalize_axis(axis, ops[0].ndim() + 1, "stack");
  for (auto& a : ops) a = lax::expand_dims(a, {ax});
  if (ops.size() == 1) return ops[0];
  return lax::concatenate(ops, ax);
}

namespace {
std::vector<Array> split_at(const Array& x, std::vector<int64_t> bounds, int ax) {
  const int64_t n = x.shape()[ax];
  std::vector<Array> out;
  std::vector<int64_t> start(x.ndim(), 0), limit(x.shape().begin(), x.shape().end());
  int64_t prev = 0;
  bounds.push_back(n);
  for (int64_t b : bounds) {
    // numpy clamps the split points into [prev, n] (an index past the end gives empty pieces).
    int64_t lo = std::clamp<int64_t>(prev, 0, n);
    int64_t hi = std::clamp<int64_t>(b, lo, n);
    start[ax] = lo;
    limit[ax] = hi;
    out.push_back(lax::slice(x, start, limit));
    prev = b;
  }
  return out;
}
}  // namespace

std::vector<Array> split(const Array& x, int64_t sections, int64_t axis) {
  if (x.ndim() == 0) throw ValueError("split: cannot split a zero-dimensional array");
  const int ax = normalize_axis(axis, x.ndim(), "split");
  if (sections <= 0) throw ValueError("split: number sections must be larger than 0.");
  const int64_t n = x.shape()[ax];
  if (n % sections != 0) {
    throw ValueError("split: array split does not result in an equal division: axis " +
                     std::to_string(ax) + " of size " + std::to_string(n) + " into " +
                     std::to_string(sections) + " sections");
  }
  std::vector<int64_t> bounds;
  for (int64_t i = 1; i < sections; ++i) bounds.push_back(i * (n / sections));
  return split_at(x, bounds, ax);
}

std::vector<Array> split(const Array& x, const std::vector<int64_t>& indices, int64_t axis) {
  if (x.ndim() == 0) throw ValueError("split: cannot split a zero-dimensional array");
  const int ax = normalize_axis(axis, x.ndim(), "split");
  const int64_t n = x.shape()[ax];
  std::vector<int64_t> bounds;
  for (int64_t i : indices) bounds.push_back(i < 0 ? std::max<int64_t>(i + n, 0) : i);
  return split_at(x, bounds, ax);
}

Array flip(const Array& x, Axis axis) {
  std::vector<int64_t> dims;
  if (axis.is_none()) {
    for (int i = 0; i < x.ndim(); ++i) dims.push_back(i);
  } else {
    dims = canonicalize_axes("flip", axis.axes(), x.ndim());
  }
  if (dims.empty()) return x;
  return lax::rev(x, dims);
}

Array take(const Array& x, const Array& indices, std::optional<int64_t> axis,
           std::string_view mode) {
  check_int_indices("take", indices);
  if (mode != "fill" && mode != "clip" && mode != "wrap") {
    throw ValueError("take: invalid mode '" + std::string(mode) +
                     "'; expected 'fill', 'clip' or 'wrap'");
  }
  Array a = x;
  int ax = 0;
  if (!axis) {
    a = ravel(x);
  } else {
    if (x.ndim() == 0)
      throw IndexError("take: axis " + std::to_string(*axis) +
                       " is out of bounds for array of dimension 0");
    ax = normalize_axis(*axis, x.ndim(), "take");
  }
  const int64_t n = a.shape()[ax];
  Array idx = as_index_dtype(indices);
  lax::GatherScatterMode gmode = lax::GatherScatterMode::kFillOrDrop;
  if (mode == "fill") {
    idx = normalize_indices(idx, n);
  } else if (mode == "wrap") {
    if (n == 0 && indices.size() > 0) {
      throw IndexError("take: cannot do a non-empty take from an empty axis");
    }
    if (n > 0) idx = wrap_indices(idx, n);
    gmode = lax::GatherScatterMode::kClip;
  } else {
    if (n == 0 && indices.size() > 0) {
      throw IndexError("take: cannot do a non-empty take from an empty axis");
    }
    gmode = lax::GatherScatterMode::kClip;
  }
  const int ni = indices.ndim();
  Shape ishape = idx.shape();
  ishape.push_back(1);
  Array start = lax::reshape(idx, ishape);
  lax::GatherDimensionNumbers dn;
  for (int d = 0; d < a.ndim(); ++d) {
    if (d < ax) dn.offset_dims.push_back(d);
    if (d > ax) dn.offset_dims.push_back(d - 1 + ni);
  }
  dn.collapsed_slice_dims = {ax};
  dn.start_index_map = {ax};
  std::vector<int64_t> sizes(a.shape().begin(), a.shape().end());
  sizes[ax] = 1;
  return lax::gather(a, start, dn, sizes, gmode);
}

Array take_along_axis(const Array& x, const Array& indices, int64_t axis) {
  check_int_indices("take_along_axis", indices);
  if (indices.ndim() != x.ndim()) {
    throw ValueError("take_along_axis: indices and arr must have the same number of dimensions; " +
                     std::to_string(indices.ndim()) + " vs. " + std::to_string(x.ndim()));
  }
  if (x.ndim() == 0) throw ValueError("take_along_axis: arr must have at least one dimension");
  const int nd = x.ndim();
  const int ax = normalize_axis(axis, nd, "take_along_axis");
  // Broadcast the non-axis dimensions of x and indices against each other (as numpy does).
  Shape xs = x.shape(), is = indices.shape();
  Shape target_x = xs, target_i = is;
  for (int d = 0; d < nd; ++d) {
    if (d == ax) continue;
    int64_t a = xs[d], b = is[d];
    if (a != b && a != 1 && b != 1) {
      throw ShapeError("take_along_axis: Incompatible shapes for broadcasting: " + xs.str() +
                       " and " + is.str() + " (dimension " + std::to_string(d) + ")");
    }
    target_x[d] = target_i[d] = std::max(a, b);
    if (a == 0 || b == 0) target_x[d] = target_i[d] = 0;
  }
  Array a = numpy_detail::broadcast_to("take_along_axis", x, target_x);
  Array idx = numpy_detail::broadcast_to("take_along_axis", as_index_dtype(indices), target_i);
  idx = normalize_indices(idx, xs[ax]);
  return primitives::gather_along_axis(a, idx, ax, lax::GatherScatterMode::kFillOrDrop);
}

}  // namespace jx::numpy
