#include "api/promote.h"

#include <algorithm>
#include <sstream>

#include "core/array_impl.h"
#include "jx/lax.h"

namespace jx::numpy_detail {

Array convert(const Array& x, DType dtype, bool weak_type) {
  if (x.dtype() == dtype && x.weak_type() == weak_type) return x;
  const auto& literal = x.impl()->literal;
  if (x.is_concrete() && literal.index() != 0 && dtype != x.dtype()) {
    Array out = make_array(Shape{}, dtype, weak_type);
    dispatch_dtype(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      std::visit(
          [&](auto v) {
            if constexpr (!std::is_same_v<decltype(v), std::monostate>) {
              *mutable_data<T>(out) = static_cast<T>(v);
            }
          },
          literal);
    });
    return out;
  }
  return lax::convert_element_type(x, dtype, weak_type);
}

TypedKind result_kind(std::span<const Array> args) {
  TypedKind k{args[0].dtype(), args[0].weak_type()};
  for (size_t i = 1; i < args.size(); ++i)
    k = result_type(k, {args[i].dtype(), args[i].weak_type()});
  return k;
}

Shape broadcast_shapes(std::string_view fn, std::span<const Shape> shapes) {
  size_t rank = 0;
  for (const auto& s : shapes) rank = std::max(rank, s.size());
  Shape out;
  for (size_t i = 0; i < rank; ++i) out.push_back(1);
  for (const auto& s : shapes) {
    size_t off = rank - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t d = s[i];
      int64_t& o = out[off + i];
      if (d == o || d == 1) continue;
      if (o == 1) {
        o = d;
        continue;
      }
      std::ostringstream msg;
      msg << fn << ": Incompatible shapes for broadcasting: shapes=[";
      for (size_t j = 0; j < shapes.size(); ++j) msg << (j ? ", " : "") << shapes[j];
      msg << "]";
      throw ShapeError(msg.str());
    }
  }
  return out;
}

Array broadcast_to(std::string_view fn, const Array& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  const Shape& s = x.shape();
  if (s.size() > shape.size()) {
    throw ShapeError(std::string(fn) + ": cannot broadcast an array of shape " + s.str() +
                     " to the lower-rank shape " + shape.str());
  }
  size_t off = shape.size() - s.size();
  std::vector<int64_t> dims(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != 1 && s[i] != shape[off + i]) {
      throw ShapeError(std::string(fn) + ": Incompatible shapes for broadcasting: " + s.str() +
                       " and requested shape " + shape.str());
    }
    dims[i] = static_cast<int64_t>(off + i);
  }
  return lax::broadcast_in_dim(x, shape, dims);
}

std::vector<Array> promote_dtypes(std::span<const Array> args) {
  TypedKind k = result_kind(args);
  std::vector<Array> out;
  out.reserve(args.size());
  for (const auto& a : args) out.push_back(convert(a, k.dtype, k.weak_type));
  return out;
}

std::vector<Array> promote_dtypes_inexact(std::span<const Array> args) {
  TypedKind k = result_kind(args);
  if (!is_floating(k.dtype)) k.dtype = kDefaultFloat;
  std::vector<Array> out;
  out.reserve(args.size());
  for (const auto& a : args) out.push_back(convert(a, k.dtype, k.weak_type));
  return out;
}

namespace {
// JAX's _promote_shapes: operands get one rank by leading size-1 axes (a free reshape); the lax
// ops broadcast size-1 axes themselves, so nothing is materialised here.
std::vector<Array> promote_shapes(std::string_view fn, std::vector<Array> args) {
  bool same = true;
  for (const auto& a : args) same = same && a.shape() == args[0].shape();
  if (same) return args;
  std::vector<Shape> shapes;
  for (const auto& a : args) shapes.push_back(a.shape());
  Shape target = broadcast_shapes(fn, shapes);
  for (auto& a : args) {
    if (a.ndim() == target.ndim() || a.ndim() == 0) continue;
    std::vector<int64_t> ranked(target.size() - a.shape().size(), 1);
    ranked.insert(ranked.end(), a.shape().begin(), a.shape().end());
    a = lax::reshape(a, Shape(ranked));
  }
  return args;
}
}  // namespace

std::vector<Array> broadcast_arrays(std::string_view fn, std::vector<Array> args) {
  std::vector<Shape> shapes;
  for (const auto& a : args) shapes.push_back(a.shape());
  Shape target = broadcast_shapes(fn, shapes);
  for (auto& a : args) a = broadcast_to(fn, a, target);
  return args;
}

std::vector<Array> promote_args(std::string_view fn, std::span<const Array> args) {
  return promote_shapes(fn, promote_dtypes(args));
}

std::vector<Array> promote_args_inexact(std::string_view fn, std::span<const Array> args) {
  return promote_shapes(fn, promote_dtypes_inexact(args));
}

std::vector<int64_t> canonicalize_axes(std::string_view fn, const std::vector<int64_t>& axes,
                                       int ndim) {
  std::vector<int64_t> out;
  for (int64_t a : axes) {
    int n = normalize_axis(a, ndim, fn);
    if (std::find(out.begin(), out.end(), n) != out.end()) {
      throw ValueError(std::string(fn) + ": repeated axis " + std::to_string(a));
    }
    out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace jx::numpy_detail
