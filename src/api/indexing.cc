// numpy indexing for jx::Array (x[...], x.at(...)) with JAX's semantics, on jx::lax:
// basic indexing (integers, slices, newaxis, ellipsis) is a slice + rev + reshape; advanced
// (integer / concrete boolean arrays) is one gather; updates are one scatter.
#include <algorithm>
#include <charconv>
#include <sstream>

#include "api/promote.h"
#include "core/array_impl.h"
#include "jx/index.h"
#include "jx/lax.h"
#include "jx/numpy.h"

namespace jx {
namespace {

// One entry of a normalised index, covering exactly one dimension of the operand after the
// newaxis entries have been inserted into it.
struct Item {
  enum Kind { kFull, kInt, kSlice, kAdv, kNew } kind = kFull;
  int64_t size = 0;  // operand dimension size (kNew: 1, or 0 for an x[False] axis)
  int64_t start = 0, step = 1, count = 0;  // kSlice; kInt uses start
  Array adv;                               // kAdv: an integer index array (not yet normalised)
  // x[True] / x[False]: numpy makes it an advanced index over a new length-1 axis; alone it
  // is just a new axis of length 1 / 0 (kNew), with other advanced indices it becomes kAdv.
  bool bool_scalar = false, bool_value = false, new_axis = false;
};

std::string index_position_error(int64_t i, int axis, int64_t n) {
  return "index " + std::to_string(i) + " is out of bounds for axis " + std::to_string(axis) +
         " with size " + std::to_string(n);
}

// Python's slice.indices(n), then the number of selected elements.
Item normalize_slice(const Slice& s, int64_t n) {
  Item it;
  it.kind = Item::kSlice;
  it.size = n;
  const int64_t step = s.step.value_or(1);
  if (step == 0) throw ValueError("slice step cannot be zero");
  int64_t start, stop;
  if (step > 0) {
    start = s.start.value_or(0);
    stop = s.stop.value_or(n);
    if (start < 0) start += n;
    if (stop < 0) stop += n;
    start = std::clamp<int64_t>(start, 0, n);
    stop = std::clamp<int64_t>(stop, 0, n);
    it.count = stop > start ? (stop - start + step - 1) / step : 0;
  } else {
    start = s.start.value_or(n - 1);
    if (s.start && start < 0) start += n;
    stop = -1;
    if (s.stop) {
      stop = *s.stop < 0 ? *s.stop + n : *s.stop;
    }
    start = std::clamp<int64_t>(start, -1, n - 1);
    stop = std::clamp<int64_t>(stop, -1, n - 1);
    it.count = start > stop ? (start - stop - step - 1) / (-step) : 0;
  }
  it.start = start;
  it.step = step;
  if (step == 1 && start == 0 && it.count == n) it.kind = Item::kFull;
  return it;
}

// The coordinates of the true elements of a concrete boolean mask, one int32 array per mask
// dimension.
std::vector<Array> mask_coordinates(const Array& mask) {
  if (!mask.is_concrete()) {
    throw IndexError("Array boolean indices must be concrete; got ShapedArray(" +
                     mask.aval().str() +
                     ") (JAX's NonConcreteBooleanIndexError: the shape of the result would "
                     "depend on the values of the mask; use jnp.where instead)");
  }
  const int nd = mask.ndim();
  const bool* m = mask.data<bool>();
  const int64_t total = mask.size();
  std::vector<int64_t> strides = contiguous_strides(mask.shape());
  std::vector<std::vector<int32_t>> coords(nd);
  for (int64_t f = 0; f < total; ++f) {
    if (!m[f]) continue;
    int64_t rem = f;
    for (int d = 0; d < nd; ++d) {
      coords[d].push_back(static_cast<int32_t>(rem / strides[d]));
      rem %= strides[d];
    }
  }
  std::vector<Array> out;
  for (auto& c : coords) out.push_back(Array::from_vector<int32_t>(c));
  return out;
}

// Expands the ellipsis, validates every index against the operand and returns one Item per
// dimension of the operand-with-newaxes.
std::vector<Item> parse(const Array& x, const std::vector<Index>& indices) {
  const int nd = x.ndim();
  int consumed = 0, ellipses = 0;
  for (const auto& ix : indices) {
    const auto& v = ix.value();
    if (std::holds_alternative<Ellipsis>(v)) {
      ++ellipses;
    } else if (std::holds_alternative<NewAxis>(v)) {
    } else if (const Array* a = std::get_if<Array>(&v); a && a->dtype() == DType::bool_) {
      consumed += a->ndim();
    } else {
      ++consumed;
    }
  }
  if (ellipses > 1) throw IndexError("an index can only have a single ellipsis ('...')");
  if (consumed > nd) {
    throw IndexError("Too many indices: " + std::to_string(nd) +
                     "-dimensional array indexed with " + std::to_string(consumed) +
                     " regular indices.");
  }
  std::vector<Item> items;
  int d = 0;
  auto full = [&](int dim) {
    Item it;
    it.kind = Item::kFull;
    it.size = x.shape()[dim];
    items.push_back(it);
  };
  for (size_t pos = 0; pos < indices.size(); ++pos) {
    const auto& v = indices[pos].value();
    if (std::holds_alternative<Ellipsis>(v)) {
      for (int k = 0; k < nd - consumed; ++k) full(d++);
    } else if (std::holds_alternative<NewAxis>(v)) {
      Item it;
      it.kind = Item::kNew;
      it.size = 1;
      items.push_back(it);
    } else if (const int64_t* i = std::get_if<int64_t>(&v)) {
      const int64_t n = x.shape()[d];
      if (*i < -n || *i >= n) throw IndexError(index_position_error(*i, d, n));
      Item it;
      it.kind = Item::kInt;
      it.size = n;
      it.start = *i < 0 ? *i + n : *i;
      items.push_back(it);
      ++d;
    } else if (const Slice* s = std::get_if<Slice>(&v)) {
      items.push_back(normalize_slice(*s, x.shape()[d]));
      ++d;
    } else {
      const Array& a = std::get<Array>(v);
      if (a.dtype() == DType::bool_ && a.ndim() == 0) {
        // numpy's x[True] / x[False]: a new axis of length 1 / 0.
        if (!a.is_concrete()) mask_coordinates(a);  // throws the non-concrete error
        Item it;
        it.kind = Item::kNew;
        it.bool_scalar = true;
        it.bool_value = *a.data<bool>();
        it.size = it.bool_value ? 1 : 0;
        items.push_back(it);
      } else if (a.dtype() == DType::bool_) {
        for (int k = 0; k < a.ndim(); ++k) {
          if (a.shape()[k] != x.shape()[d + k]) {
            throw IndexError(
                "boolean index did not match indexed array along axis " + std::to_string(d + k) +
                "; size of axis is " + std::to_string(x.shape()[d + k]) +
                " but size of corresponding boolean axis is " + std::to_string(a.shape()[k]));
          }
        }
        std::vector<Array> coords = mask_coordinates(a);
        for (auto& c : coords) {
          Item it;
          it.kind = Item::kAdv;
          it.size = x.shape()[d++];
          it.adv = c;
          items.push_back(it);
        }
      } else {
        if (!is_integer(a.dtype())) {
          throw DTypeError("Indexer must have integer or boolean type, got indexer with type " +
                           std::string(dtype_name(a.dtype())) + " at position " +
                           std::to_string(pos));
        }
        Item it;
        it.kind = Item::kAdv;
        it.size = x.shape()[d++];
        it.adv = a;
        items.push_back(it);
      }
    }
  }
  while (d < nd) full(d++);
  return items;
}

bool has_advanced(const std::vector<Item>& items) {
  for (const auto& it : items) {
    if (it.kind == Item::kAdv) return true;
  }
  return false;
}

// With an advanced index present, integers become (0-d) advanced indices too, as in numpy, and
// scalar booleans advanced indices of shape (1,) / (0,) over their new axis.
void ints_to_advanced(std::vector<Item>& items) {
  for (auto& it : items) {
    if (it.bool_scalar) {
      it.kind = Item::kAdv;
      it.new_axis = true;
      it.size = 1;
      it.adv = Array::from_vector<int32_t>(it.bool_value ? std::vector<int32_t>{0}
                                                         : std::vector<int32_t>{});
    }
    if (it.kind == Item::kInt) {
      it.kind = Item::kAdv;
      it.adv = Array::from_vector<int32_t>({static_cast<int32_t>(it.start)}, Shape{});
      if (it.start > INT32_MAX) it.adv = Array::from_vector<int64_t>({it.start}, Shape{});
    }
  }
}

DType index_dtype(const std::vector<Item>& items) {
  for (const auto& it : items) {
    if (it.kind == Item::kAdv &&
        (it.adv.dtype() == DType::int64 || it.adv.dtype() == DType::uint32)) {
      return DType::int64;
    }
  }
  return DType::int32;
}

Array scalar_const(int64_t v, DType dtype, const Shape& shape) {
  Array c = make_array(Shape{}, dtype, false);
  dispatch_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    *mutable_data<T>(c) = static_cast<T>(v);
  });
  if (shape.empty()) return c;
  return lax::broadcast_in_dim(c, shape, {});
}

// Broadcast shape of the advanced indices (numpy's "shape mismatch" error otherwise).
Shape advanced_shape(const std::vector<Item>& items) {
  std::vector<Shape> shapes;
  for (const auto& it : items) {
    if (it.kind == Item::kAdv) shapes.push_back(it.adv.shape());
  }
  try {
    return numpy_detail::broadcast_shapes("indexing", shapes);
  } catch (const ShapeError&) {
    std::string msg = "shape mismatch: indexing arrays could not be broadcast together with shapes";
    for (const auto& s : shapes) msg += " " + s.str();
    throw IndexError(msg);
  }
}

// The advanced index of `it`, converted to dtype, negative entries wrapped, broadcast to b.
Array normalized_advanced(const Item& it, DType dtype, const Shape& b) {
  Array idx = it.adv.dtype() == dtype ? it.adv : lax::convert_element_type(it.adv, dtype);
  Array neg = lax::lt(idx, scalar_const(0, dtype, idx.shape()));
  idx = lax::select_n(neg, {idx, lax::add(idx, scalar_const(it.size, dtype, idx.shape()))});
  return numpy_detail::broadcast_to("indexing", idx, b);
}

bool advanced_contiguous(const std::vector<Item>& items, size_t* first) {
  std::vector<size_t> pos;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].kind == Item::kAdv) pos.push_back(i);
  }
  *first = pos.empty() ? 0 : pos[0];
  return !pos.empty() && pos.back() - pos.front() + 1 == pos.size();
}

// Applies the slices of `items` to x (in place: each slice keeps its dimension) and inserts
// the newaxis dimensions; the result has one dimension per item.
Array apply_slices(const Array& x, const std::vector<Item>& items) {
  std::vector<int64_t> start, limit, stride, rev;
  bool need_slice = false;
  std::vector<int64_t> new_dims;
  int d = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const Item& it = items[i];
    if (it.kind == Item::kNew || it.new_axis) {
      new_dims.push_back(static_cast<int64_t>(i));
      continue;
    }
    int64_t lo = 0, hi = it.size, st = 1;
    if (it.kind == Item::kSlice) {
      need_slice = true;
      if (it.count == 0) {
        hi = 0;
      } else if (it.step > 0) {
        lo = it.start;
        hi = it.start + (it.count - 1) * it.step + 1;
        st = it.step;
      } else {
        lo = it.start + (it.count - 1) * it.step;
        hi = it.start + 1;
        st = -it.step;
        if (it.count > 1) rev.push_back(d);
      }
    } else if (it.kind == Item::kInt) {
      need_slice = true;
      lo = it.start;
      hi = it.start + 1;
    }
    start.push_back(lo);
    limit.push_back(hi);
    stride.push_back(st);
    ++d;
  }
  Array y = x;
  if (need_slice) {
    bool unit = std::all_of(stride.begin(), stride.end(), [](int64_t s) { return s == 1; });
    y = lax::slice(y, start, limit, unit ? std::vector<int64_t>{} : stride);
  }
  if (!rev.empty()) y = lax::rev(y, rev);
  if (!new_dims.empty()) {
    y = lax::expand_dims(y, new_dims);
    // A new axis from x[False] has length 0.
    std::vector<int64_t> lo(y.ndim(), 0), hi(y.shape().begin(), y.shape().end());
    bool empty = false;
    for (int64_t nd : new_dims) {
      if (items[nd].kind == Item::kNew && items[nd].size == 0) {
        hi[nd] = 0;
        empty = true;
      }
    }
    if (empty) y = lax::slice(y, lo, hi);
  }
  return y;
}

Array get(const Array& x, const std::vector<Index>& indices) {
  std::vector<Item> items = parse(x, indices);
  if (!has_advanced(items)) {
    Array y = apply_slices(x, items);
    Shape out;
    for (const auto& it : items) {
      if (it.kind == Item::kFull || it.kind == Item::kNew) out.push_back(it.size);
      if (it.kind == Item::kSlice) out.push_back(it.count);
    }
    if (out == y.shape()) return y;
    return lax::reshape(y, out);
  }
  ints_to_advanced(items);
  Array y = apply_slices(x, items);
  const Shape b = advanced_shape(items);
  const DType it_dtype = index_dtype(items);
  std::vector<int64_t> adv_dims;
  Shape cshape = b;
  cshape.push_back(1);
  std::vector<Array> coords;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].kind != Item::kAdv) continue;
    adv_dims.push_back(static_cast<int64_t>(i));
    coords.push_back(lax::reshape(normalized_advanced(items[i], it_dtype, b), cshape));
  }
  Array start =
      coords.size() == 1 ? coords[0] : lax::concatenate(coords, static_cast<int64_t>(b.size()));
  size_t first = 0;
  const bool contiguous = advanced_contiguous(items, &first);
  const int64_t nb = static_cast<int64_t>(b.size());
  const int64_t out_rank = nb + y.ndim() - static_cast<int64_t>(adv_dims.size());
  const int64_t b0 = contiguous ? static_cast<int64_t>(first) : 0;
  lax::GatherDimensionNumbers dn;
  for (int64_t p = 0; p < out_rank; ++p) {
    if (p < b0 || p >= b0 + nb) dn.offset_dims.push_back(p);
  }
  dn.collapsed_slice_dims = adv_dims;
  dn.start_index_map = adv_dims;
  std::vector<int64_t> sizes(y.shape().begin(), y.shape().end());
  for (int64_t a : adv_dims) sizes[a] = 1;
  // JAX's x[idx] promises in-bounds indices, which XLA implements by clamping.
  return lax::gather(y, start, dn, sizes, lax::GatherScatterMode::kClip);
}

enum class UpdateOp { kSet, kAdd, kMul, kMin, kMax };

Array combine(UpdateOp op, const Array& x, const Array& v) {
  switch (op) {
    case UpdateOp::kSet:
      return v;
    case UpdateOp::kAdd:
      return lax::add(x, v);
    case UpdateOp::kMul:
      return lax::mul(x, v);
    case UpdateOp::kMin:
      return lax::min(x, v);
    case UpdateOp::kMax:
      return lax::max(x, v);
  }
  return v;
}

Array update(const Array& x, const std::vector<Index>& indices, const Array& values_in,
             UpdateOp op) {
  std::vector<Item> items = parse(x, indices);
  const bool adv = has_advanced(items);
  if (adv) ints_to_advanced(items);
  const Shape b = adv ? advanced_shape(items) : Shape{};
  size_t first = 0;
  const bool contiguous = adv && advanced_contiguous(items, &first);

  // The indexed shape R, which result dims are windows (whole operand dims), and where each
  // item's result dims are.
  Shape r;
  std::vector<int64_t> window_dims;  // positions in R
  std::vector<int64_t> item_pos(items.size(), -1);
  int64_t block_pos = -1;
  auto place_block = [&] {
    block_pos = static_cast<int64_t>(r.size());
    for (int64_t s : b) r.push_back(s);
  };
  if (adv && !contiguous) place_block();
  for (size_t i = 0; i < items.size(); ++i) {
    const Item& it = items[i];
    if (it.kind == Item::kAdv) {
      if (contiguous && i == first) place_block();
      continue;
    }
    if (it.kind == Item::kInt) continue;
    item_pos[i] = static_cast<int64_t>(r.size());
    if (it.kind == Item::kFull) window_dims.push_back(static_cast<int64_t>(r.size()));
    r.push_back(it.kind == Item::kSlice ? it.count : it.size);
  }

  Array values = numpy_detail::convert(values_in, x.dtype(), false);
  while (values.ndim() > static_cast<int>(r.size()) && values.shape()[0] == 1) {
    Shape s(values.shape().begin() + 1, values.shape().end());
    values = lax::reshape(values, s);
  }
  Array updates = numpy_detail::broadcast_to("at[]", values, r);

  // Scatter dims of R (all but the windows) and the coordinate of each non-window operand dim.
  std::vector<int64_t> rn_of_r(r.size(), -1);
  Shape rn;
  for (size_t p = 0; p < r.size(); ++p) {
    if (std::find(window_dims.begin(), window_dims.end(), static_cast<int64_t>(p)) ==
        window_dims.end()) {
      rn_of_r[p] = static_cast<int64_t>(rn.size());
      rn.push_back(r[p]);
    }
  }
  const DType it_dtype = index_dtype(items);
  Shape cshape = rn;
  cshape.push_back(1);
  std::vector<Array> coords;
  std::vector<int64_t> operand_dims;
  int64_t od = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const Item& it = items[i];
    if (it.kind == Item::kNew || it.new_axis) continue;
    const int64_t dim = od++;
    if (it.kind == Item::kFull) continue;
    Array c;
    if (it.kind == Item::kInt) {
      c = scalar_const(it.start, it_dtype, rn);
    } else if (it.kind == Item::kSlice) {
      const int64_t p = rn_of_r[item_pos[i]];
      c = lax::broadcasted_iota(it_dtype, rn, p);
      if (it.step != 1) c = lax::mul(c, scalar_const(it.step, it_dtype, rn));
      if (it.start != 0) c = lax::add(c, scalar_const(it.start, it_dtype, rn));
    } else {
      Array a = normalized_advanced(it, it_dtype, b);
      std::vector<int64_t> bdims;
      for (size_t k = 0; k < b.size(); ++k) bdims.push_back(rn_of_r[block_pos + k]);
      c = b.size() == rn.size() ? a : lax::broadcast_in_dim(a, rn, bdims);
    }
    coords.push_back(lax::reshape(c, cshape));
    operand_dims.push_back(dim);
  }
  if (coords.empty()) {
    // Every operand dimension is whole (x.at[...] or only newaxes): an elementwise update,
    // or nothing at all under an x[False] axis.
    if (r.numel() != x.size()) return x;
    Array u = updates.shape() == x.shape() ? updates : lax::reshape(updates, x.shape());
    return combine(op, x, u);
  }
  Array idx =
      coords.size() == 1 ? coords[0] : lax::concatenate(coords, static_cast<int64_t>(rn.size()));
  lax::ScatterDimensionNumbers dn;
  dn.update_window_dims = window_dims;
  dn.inserted_window_dims = operand_dims;
  dn.scatter_dims_to_operand_dims = operand_dims;
  const auto mode = lax::GatherScatterMode::kFillOrDrop;
  switch (op) {
    case UpdateOp::kSet:
      return lax::scatter(x, idx, updates, dn, mode);
    case UpdateOp::kAdd:
      return lax::scatter_add(x, idx, updates, dn, mode);
    case UpdateOp::kMul:
      return lax::scatter_mul(x, idx, updates, dn, mode);
    case UpdateOp::kMin:
      return lax::scatter_min(x, idx, updates, dn, mode);
    case UpdateOp::kMax:
      return lax::scatter_max(x, idx, updates, dn, mode);
  }
  return x;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> parse_int(std::string_view tok, std::string_view expr, bool allow_empty) {
  tok = trim(tok);
  if (tok.empty()) {
    if (allow_empty) return std::nullopt;
    throw ValueError("jx::s: empty index in \"" + std::string(expr) + "\"");
  }
  if (tok == "None") return std::nullopt;
  int64_t v = 0;
  const char* b = tok.data();
  if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, tok.data() + tok.size(), v);
  if (ec != std::errc() || p != tok.data() + tok.size()) {
    throw ValueError("jx::s: cannot parse '" + std::string(tok) + "' as an integer in \"" +
                     std::string(expr) + "\"");
  }
  return v;
}

}  // namespace

std::vector<Index> s(std::string_view expr) {
  std::vector<Index> out;
  if (trim(expr).empty()) return out;
  size_t pos = 0;
  while (true) {
    size_t comma = expr.find(',', pos);
    std::string_view tok = trim(
        expr.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    if (tok == "...") {
      out.emplace_back(ellipsis);
    } else if (tok == "None" || tok == "newaxis") {
      out.emplace_back(newaxis);
    } else if (tok.find(':') != std::string_view::npos) {
      std::vector<std::string_view> parts;
      size_t p = 0;
      while (true) {
        size_t c = tok.find(':', p);
        parts.push_back(
            tok.substr(p, c == std::string_view::npos ? std::string_view::npos : c - p));
        if (c == std::string_view::npos) break;
        p = c + 1;
      }
      if (parts.size() > 3) {
        throw ValueError("jx::s: a slice has at most two ':' in \"" + std::string(expr) + "\"");
      }
      Slice sl;
      sl.start = parse_int(parts[0], expr, true);
      sl.stop = parse_int(parts[1], expr, true);
      if (parts.size() == 3) sl.step = parse_int(parts[2], expr, true);
      out.emplace_back(sl);
    } else {
      std::optional<int64_t> v = parse_int(tok, expr, false);
      if (!v)
        out.emplace_back(newaxis);
      else
        out.emplace_back(*v);
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

Array Array::operator[](int64_t i) const { return get(*this, {Index(i)}); }
Array Array::operator[](const Index& index) const { return get(*this, {index}); }
Array Array::operator[](std::initializer_list<Index> indices) const {
  return get(*this, std::vector<Index>(indices));
}
Array Array::operator[](const std::vector<Index>& indices) const { return get(*this, indices); }

AtProxy Array::at(const Index& index) const { return AtProxy(*this, {index}); }
AtProxy Array::at(std::initializer_list<Index> indices) const {
  return AtProxy(*this, std::vector<Index>(indices));
}
AtProxy Array::at(const std::vector<Index>& indices) const { return AtProxy(*this, indices); }

Array AtProxy::get() const { return jx::get(array_, indices_); }
Array AtProxy::set(const Array& values) const {
  return update(array_, indices_, values, UpdateOp::kSet);
}
Array AtProxy::add(const Array& values) const {
  return update(array_, indices_, values, UpdateOp::kAdd);
}
Array AtProxy::multiply(const Array& values) const {
  return update(array_, indices_, values, UpdateOp::kMul);
}
Array AtProxy::min(const Array& values) const {
  return update(array_, indices_, values, UpdateOp::kMin);
}
Array AtProxy::max(const Array& values) const {
  return update(array_, indices_, values, UpdateOp::kMax);
}

Array Array::astype(DType dtype) const { return numpy_detail::convert(*this, dtype, false); }

Array Array::reshape(const Shape& shape) const { return numpy::reshape(*this, shape.to_vector()); }

}  // namespace jx
