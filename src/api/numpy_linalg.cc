// jx::numpy linear algebra: matmul/dot/vdot/inner/outer/tensordot as single lax::dot_general
// calls, and linalg::norm.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "api/promote.h"
#include "core/array_impl.h"
#include "jx/lax.h"
#include "jx/numpy.h"

namespace jx::numpy {
namespace {

std::vector<Array> promote2(const Array& a, const Array& b) {
  std::vector<Array> args{a, b};
  return numpy_detail::promote_dtypes(args);
}

// numpy multiply of promoted, broadcast operands (bool: logical and, as jnp.multiply).
Array multiply_promoted(std::string_view fn, const Array& a, const Array& b) {
  std::vector<Array> args{a, b};
  std::vector<Array> p = numpy_detail::promote_args(fn, args);
  if (p[0].dtype() == DType::bool_) return lax::bitwise_and(p[0], p[1]);
  return lax::mul(p[0], p[1]);
}

// lax::dot_general, with bool operands computed in int32 and tested for non-zero (a logical
// or of ands, which is what jnp.matmul returns for bool).
Array dot_any(const Array& a, const Array& b, const lax::DotDimensionNumbers& dn) {
  if (a.dtype() != DType::bool_) return lax::dot_general(a, b, dn);
  Array r = lax::dot_general(lax::convert_element_type(a, DType::int32),
                             lax::convert_element_type(b, DType::int32), dn);
  return lax::convert_element_type(r, DType::bool_);
}

Array scalar_const(double v, DType dtype, const Shape& shape) {
  Array c = make_array(Shape{}, dtype, false);
  dispatch_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    *mutable_data<T>(c) = static_cast<T>(v);
  });
  if (shape.empty()) return c;
  return lax::broadcast_in_dim(c, shape, {});
}

}  // namespace

Array matmul(const Array& a_in, const Array& b_in) {
  for (int i = 0; i < 2; ++i) {
    const Array& x = i ? b_in : a_in;
    if (x.ndim() == 0) {
      throw ValueError("matmul: Input operand " + std::to_string(i) +
                       " does not have enough dimensions (has 0, gufunc core with signature "
                       "(n?,k),(k,m?)->(n?,m?) requires 1)");
    }
  }
  std::vector<Array> p = promote2(a_in, b_in);
  Array a = p[0], b = p[1];
  const int na = a.ndim(), nb = b.ndim();
  const int a_k = na - 1, b_k = nb >= 2 ? nb - 2 : 0;
  if (a.shape()[a_k] != b.shape()[b_k]) {
    throw ShapeError(
        "matmul: Input operand 1 has a mismatch in its core dimension 0, with "
        "gufunc signature (n?,k),(k,m?)->(n?,m?) (size " +
        std::to_string(b.shape()[b_k]) + " is different from " + std::to_string(a.shape()[a_k]) +
        "); shapes " + a.shape().str() + " and " + b.shape().str());
  }
  const int ba = std::max(na - 2, 0), bb = std::max(nb - 2, 0);
  const int nbatch = std::max(ba, bb);
  // Classify each broadcast batch position: shared (a dot_general batch dim), or owned by one
  // operand (a free dim of it; the other's size-1 dim is squeezed, no copy is made).
  enum Owner { kShared, kA, kB, kNone };
  std::vector<Owner> owner(nbatch);
  std::vector<int64_t> a_squeeze, b_squeeze, batch_a, batch_b;
  for (int i = 0; i < nbatch; ++i) {
    const int ia = i - (nbatch - ba), ib = i - (nbatch - bb);
    const int64_t sa = ia >= 0 ? a.shape()[ia] : -1, sb = ib >= 0 ? b.shape()[ib] : -1;
    if (sa >= 0 && sb >= 0 && sa == sb) {
      owner[i] = kShared;
    } else if (sa >= 0 && (sb < 0 || sb == 1)) {
      owner[i] = kA;
      if (sb == 1) b_squeeze.push_back(ib);
    } else if (sb >= 0 && (sa < 0 || sa == 1)) {
      owner[i] = kB;
      if (sa == 1) a_squeeze.push_back(ia);
    } else {
      throw ShapeError("matmul: Incompatible shapes for broadcasting: shapes=[" + a.shape().str() +
                       ", " + b.shape().str() + "]");
    }
  }
  auto squeeze_and_map = [](Array x, const std::vector<int64_t>& dims) {
    if (!dims.empty()) x = lax::squeeze(x, dims);
    return x;
  };
  // Dimension index of original dim d after squeezing `dims` out.
  auto after = [](int64_t d, const std::vector<int64_t>& dims) {
    return d - std::count_if(dims.begin(), dims.end(), [&](int64_t s) { return s < d; });
  };
  lax::DotDimensionNumbers dn;
  for (int i = 0; i < nbatch; ++i) {
    if (owner[i] != kShared) continue;
    dn.batch.first.push_back(after(i - (nbatch - ba), a_squeeze));
    dn.batch.second.push_back(after(i - (nbatch - bb), b_squeeze));
  }
  dn.contracting.first = {after(a_k, a_squeeze)};
  dn.contracting.second = {after(b_k, b_squeeze)};
  Array out = dot_any(squeeze_and_map(a, a_squeeze), squeeze_and_map(b, b_squeeze), dn);
  // dot_general gives [shared batch][a's own batch dims, n][b's own batch dims, m]; permute
  // to [batch in broadcast order][n][m].
  const bool has_n = na >= 2, has_m = nb >= 2;
  int64_t n_shared = 0, n_a = 0, n_b = 0;
  for (Owner o : owner) {
    n_shared += o == kShared;
    n_a += o == kA;
  }
  std::vector<int64_t> perm;
  int64_t ia = 0, ib = 0, is = 0;
  for (int i = 0; i < nbatch; ++i) {
    if (owner[i] == kShared)
      perm.push_back(is++);
    else if (owner[i] == kA)
      perm.push_back(n_shared + ia++);
    else
      perm.push_back(n_shared + n_a + has_n + ib++);
  }
  n_b = ib;
  if (has_n) perm.push_back(n_shared + n_a);
  if (has_m) perm.push_back(n_shared + n_a + has_n + n_b);
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i)
    identity = identity && perm[i] == static_cast<int64_t>(i);
  if (!identity) out = lax::transpose(out, perm);
  return out;
}

Array dot(const Array& a_in, const Array& b_in) {
  if (a_in.ndim() == 0 || b_in.ndim() == 0) return multiply_promoted("dot", a_in, b_in);
  std::vector<Array> p = promote2(a_in, b_in);
  const Array &a = p[0], &b = p[1];
  const int64_t a_k = a.ndim() - 1, b_k = b.ndim() >= 2 ? b.ndim() - 2 : 0;
  if (a.shape()[a_k] != b.shape()[b_k]) {
    throw ShapeError("dot: shapes " + a.shape().str() + " and " + b.shape().str() +
                     " not aligned: " + std::to_string(a.shape()[a_k]) + " (dim " +
                     std::to_string(a_k) + ") != " + std::to_string(b.shape()[b_k]) + " (dim " +
                     std::to_string(b_k) + ")");
  }
  lax::DotDimensionNumbers dn;
  dn.contracting = {{a_k}, {b_k}};
  return dot_any(a, b, dn);
}

Array vdot(const Array& a, const Array& b) {
  if (a.size() != b.size()) {
    throw ShapeError("vdot: input arrays must have the same number of elements, got shapes " +
                     a.shape().str() + " and " + b.shape().str());
  }
  return dot(ravel(a), ravel(b));
}

Array inner(const Array& a_in, const Array& b_in) {
  if (a_in.ndim() == 0 || b_in.ndim() == 0) return multiply_promoted("inner", a_in, b_in);
  std::vector<Array> p = promote2(a_in, b_in);
  const Array &a = p[0], &b = p[1];
  const int64_t a_k = a.ndim() - 1, b_k = b.ndim() - 1;
  if (a.shape()[a_k] != b.shape()[b_k]) {
    throw ShapeError("inner: shapes " + a.shape().str() + " and " + b.shape().str() +
                     " not aligned: the last dimensions differ (" + std::to_string(a.shape()[a_k]) +
                     " != " + std::to_string(b.shape()[b_k]) + ")");
  }
  lax::DotDimensionNumbers dn;
  dn.contracting = {{a_k}, {b_k}};
  return dot_any(a, b, dn);
}

Array outer(const Array& a, const Array& b) {
  Array fa = ravel(a), fb = ravel(b);
  Array ca = lax::reshape(fa, Shape{fa.size(), 1});
  Array cb = lax::reshape(fb, Shape{1, fb.size()});
  return multiply_promoted("outer", ca, cb);
}

Array tensordot(const Array& a, const Array& b, int64_t axes) {
  if (axes < 0)
    throw ValueError("tensordot: axes must be non-negative, got " + std::to_string(axes));
  if (axes > a.ndim() || axes > b.ndim()) {
    throw ShapeError("tensordot: number of axes " + std::to_string(axes) + " exceeds input ranks " +
                     std::to_string(a.ndim()) + " and " + std::to_string(b.ndim()));
  }
  std::vector<int64_t> ax_a, ax_b;
  for (int64_t i = 0; i < axes; ++i) {
    ax_a.push_back(a.ndim() - axes + i);
    ax_b.push_back(i);
  }
  return tensordot(a, b, {ax_a, ax_b});
}

Array tensordot(const Array& a_in, const Array& b_in,
                const std::pair<std::vector<int64_t>, std::vector<int64_t>>& axes) {
  if (axes.first.size() != axes.second.size()) {
    throw ValueError("tensordot: requires axes lists to have equal length, got " +
                     std::to_string(axes.first.size()) + " and " +
                     std::to_string(axes.second.size()));
  }
  std::vector<Array> p = promote2(a_in, b_in);
  const Array &a = p[0], &b = p[1];
  lax::DotDimensionNumbers dn;
  for (size_t i = 0; i < axes.first.size(); ++i) {
    int64_t x = normalize_axis(axes.first[i], a.ndim(), "tensordot");
    int64_t y = normalize_axis(axes.second[i], b.ndim(), "tensordot");
    if (a.shape()[x] != b.shape()[y]) {
      throw ShapeError("tensordot: shape mismatch for sum: axis " + std::to_string(x) + " of " +
                       a.shape().str() + " has size " + std::to_string(a.shape()[x]) +
                       " but axis " + std::to_string(y) + " of " + b.shape().str() + " has size " +
                       std::to_string(b.shape()[y]));
    }
    dn.contracting.first.push_back(x);
    dn.contracting.second.push_back(y);
  }
  numpy_detail::canonicalize_axes("tensordot", dn.contracting.first, a.ndim());
  numpy_detail::canonicalize_axes("tensordot", dn.contracting.second, b.ndim());
  return dot_any(a, b, dn);
}

namespace linalg {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

Array keep(const Array& r, const Shape& in, const std::vector<int64_t>& axes, bool keepdims) {
  if (!keepdims) return r;
  Shape s = in;
  for (int64_t a : axes) s[a] = 1;
  return lax::reshape(r, s);
}

Array vector_norm(const Array& x, double ord, const std::vector<int64_t>& ax) {
  const DType dt = x.dtype();
  if (ord == kInf) return lax::reduce_max(lax::abs(x), ax);
  if (ord == -kInf) return lax::reduce_min(lax::abs(x), ax);
  if (ord == 0) {
    Array nz = lax::ne(x, scalar_const(0, dt, x.shape()));
    return lax::reduce_sum(lax::convert_element_type(nz, dt), ax);
  }
  if (ord == 1) return lax::reduce_sum(lax::abs(x), ax);
  if (ord == 2) return lax::sqrt(lax::reduce_sum(lax::mul(x, x), ax));
  Array s = lax::reduce_sum(lax::pow(lax::abs(x), scalar_const(ord, dt, x.shape())), ax);
  return lax::pow(s, scalar_const(1.0 / ord, dt, s.shape()));
}

}  // namespace

Array norm(const Array& x_in, Ord ord, Axis axis, bool keepdims) {
  std::vector<Array> args{x_in};
  const Array x = numpy_detail::promote_dtypes_inexact(args)[0];
  const int nd = x.ndim();
  std::vector<int64_t> ax;
  if (axis.is_none()) {
    if (std::holds_alternative<std::monostate>(ord)) {
      std::vector<int64_t> all(nd);
      std::iota(all.begin(), all.end(), 0);
      return keep(vector_norm(x, 2, all), x.shape(), all, keepdims);
    }
    if (nd != 1 && nd != 2) {
      throw ValueError("norm: Improper number of dimensions to norm: an array of shape " +
                       x.shape().str() + " with ord given needs axis");
    }
    for (int i = 0; i < nd; ++i) ax.push_back(i);
  } else {
    for (int64_t a : axis.axes()) ax.push_back(normalize_axis(a, nd, "norm"));
    if (ax.size() == 2 && ax[0] == ax[1]) throw ValueError("norm: Duplicate axes given.");
  }
  if (ax.size() == 1) {
    if (const std::string* s = std::get_if<std::string>(&ord)) {
      throw ValueError("norm: Invalid norm order '" + *s + "' for vectors");
    }
    const double p = std::holds_alternative<double>(ord) ? std::get<double>(ord) : 2.0;
    return keep(vector_norm(x, p, ax), x.shape(), ax, keepdims);
  }
  if (ax.size() != 2) {
    throw ValueError("norm: Improper number of dimensions to norm: got " +
                     std::to_string(ax.size()) + " axes");
  }
  const int64_t row = ax[0], col = ax[1];
  std::vector<int64_t> both{std::min(row, col), std::max(row, col)};
  Array r;
  if (std::holds_alternative<std::monostate>(ord) ||
      (std::holds_alternative<std::string>(ord) && std::get<std::string>(ord) == "fro")) {
    r = lax::sqrt(lax::reduce_sum(lax::mul(x, x), both));
  } else if (const std::string* s = std::get_if<std::string>(&ord)) {
    if (*s == "nuc") {
      throw NotSupportedError(
          "norm: ord='nuc' needs a singular value decomposition, which jx "
          "does not provide yet");
    }
    throw ValueError("norm: Invalid norm order '" + *s + "' for matrices");
  } else {
    const double p = std::get<double>(ord);
    // ord 1/-1: extreme column sum (sum over rows); inf/-inf: extreme row sum.
    int64_t sum_axis, red_axis;
    if (p == 1 || p == -1) {
      sum_axis = row;
      red_axis = col;
    } else if (p == kInf || p == -kInf) {
      sum_axis = col;
      red_axis = row;
    } else if (p == 2 || p == -2) {
      throw NotSupportedError("norm: matrix ord=" + std::to_string(static_cast<int>(p)) +
                              " needs a singular value decomposition, which jx does not provide "
                              "yet");
    } else {
      throw ValueError("norm: Invalid norm order " + std::to_string(p) + " for matrices");
    }
    Array sums = lax::reduce_sum(lax::abs(x), {sum_axis});
    if (red_axis > sum_axis) --red_axis;
    r = p > 0 ? lax::reduce_max(sums, {red_axis}) : lax::reduce_min(sums, {red_axis});
  }
  return keep(r, x.shape(), both, keepdims);
}

}  // namespace linalg
}  // namespace jx::numpy
