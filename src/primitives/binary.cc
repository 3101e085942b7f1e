// Elementwise binary primitives: arithmetic, bitwise, shifts and comparisons. Operands share one
// dtype; their shapes broadcast as lax's do (a rank-0 operand, or size-1 dimensions of an
// operand of equal rank: no copy is made). jx::numpy promotes dtypes and ranks first; vmap's
// rule inserts a size-1 axis for an unmapped operand instead of materialising it per example.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <type_traits>
#include <vector>

#include "backend/cpu/special_math.h"
#include "interpreters/ad.h"
#include "interpreters/batching.h"
#include "interpreters/transpose.h"
#include "jx/lax.h"
#include "primitives/def.h"
#include "primitives/families.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

// XLA's integer division: x / 0 == -1 (all ones for unsigned), INT_MIN / -1 == INT_MIN.
template <class T>
T int_div(T x, T y) {
  if (y == 0) return static_cast<T>(-1);
  if constexpr (std::is_signed_v<T>) {
    if (x == std::numeric_limits<T>::min() && y == -1) return x;
  }
  return static_cast<T>(x / y);
}
// XLA's integer remainder: x % 0 == x, INT_MIN % -1 == 0.
template <class T>
T int_rem(T x, T y) {
  if (y == 0) return x;
  if constexpr (std::is_signed_v<T>) {
    if (y == -1) return 0;
  }
  return static_cast<T>(x % y);
}

// Integer add/sub/mul wrap modulo 2^bits as in XLA; computed in the unsigned type because
// signed overflow is undefined behaviour in C++ (and uint8 would otherwise promote to int).
template <class T, class F>
T wrapping(T x, T y, F f) {
  if constexpr (kIsFloat<T>) {
    return f(x, y);
  } else {
    using U = std::make_unsigned_t<std::common_type_t<T, unsigned>>;
    return static_cast<T>(f(static_cast<U>(x), static_cast<U>(y)));
  }
}

template <class T>
T shift_left_op(T x, T y) {
  using U = std::make_unsigned_t<T>;
  auto s = static_cast<U>(y);
  if (s >= sizeof(T) * 8) return 0;
  return static_cast<T>(static_cast<U>(x) << s);
}
template <class T>
T shift_right_logical_op(T x, T y) {
  using U = std::make_unsigned_t<T>;
  auto s = static_cast<U>(y);
  if (s >= sizeof(T) * 8) return 0;
  return static_cast<T>(static_cast<U>(x) >> s);
}
template <class T>
T shift_right_arithmetic_op(T x, T y) {
  using S = std::make_signed_t<T>;
  using U = std::make_unsigned_t<T>;
  auto s = static_cast<U>(y);
  if (s >= sizeof(T) * 8) s = sizeof(T) * 8 - 1;
  return static_cast<T>(static_cast<S>(x) >> s);
}

template <class T>
T max_op(T x, T y) {
  if constexpr (kIsFloat<T>) {
    if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
  }
  return x > y ? x : y;
}
template <class T>
T min_op(T x, T y) {
  if constexpr (kIsFloat<T>) {
    if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
  }
  return x < y ? x : y;
}

// out[i] = f(x[.], y[.]) where x and y broadcast to `shape` (size-1 or rank-0 operands). The
// dimensions are collapsed where both operands are contiguous or both broadcast, then each
// thread walks rows of the last collapsed dimension with one of four inner loops.
template <class T, class R, class F>
void broadcast_binary(const T* x, const Shape& xs, const T* y, const Shape& ys, R* out,
                      const Shape& shape, F f) {
  const int rank = shape.ndim();
  auto strides_of = [&](const Shape& s) {
    std::vector<int64_t> st(rank, 0);
    if (s.ndim() == 0) return st;
    int64_t acc = 1;
    for (int d = rank - 1; d >= 0; --d) {
      st[d] = s[d] == 1 ? 0 : acc;
      acc *= s[d];
    }
    return st;
  };
  std::vector<int64_t> sx = strides_of(xs), sy = strides_of(ys), dims;
  std::vector<int64_t> cx, cy;  // collapsed strides, innermost last
  for (int d = 0; d < rank; ++d) {
    if (shape[d] == 1) continue;
    if (!dims.empty() && cx.back() == sx[d] * shape[d] && cy.back() == sy[d] * shape[d]) {
      dims.back() *= shape[d];
      cx.back() = sx[d];
      cy.back() = sy[d];
      continue;
    }
    dims.push_back(shape[d]);
    cx.push_back(sx[d]);
    cy.push_back(sy[d]);
  }
  if (dims.empty()) {  // a single element
    out[0] = f(x[0], y[0]);
    return;
  }
  const int n = static_cast<int>(dims.size());
  const int64_t inner = dims[n - 1], ix = cx[n - 1], iy = cy[n - 1];
  const int64_t rows = shape.numel() / inner;
  int64_t grain = std::max<int64_t>(cpu::kParallelBytes / (inner * int64_t(3 * sizeof(T))), 1);
  cpu::parallel_for(rows, grain, [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      int64_t ox = 0, oy = 0, rest = row;
      for (int d = n - 2; d >= 0; --d) {
        int64_t i = rest % dims[d];
        rest /= dims[d];
        ox += i * cx[d];
        oy += i * cy[d];
      }
      const T* xr = x + ox;
      const T* yr = y + oy;
      R* o = out + row * inner;
      if (ix && iy) {
        for (int64_t i = 0; i < inner; ++i) o[i] = f(xr[i], yr[i]);
      } else if (ix) {
        const T yv = yr[0];
        for (int64_t i = 0; i < inner; ++i) o[i] = f(xr[i], yv);
      } else if (iy) {
        const T xv = xr[0];
        for (int64_t i = 0; i < inner; ++i) o[i] = f(xv, yr[i]);
      } else {
        const R v = f(xr[0], yr[0]);
        for (int64_t i = 0; i < inner; ++i) o[i] = v;
      }
    }
  });
}

// Defines a binary primitive whose kernel is op.template operator()<T>(x, y), instantiated
// only for the dtypes in `cls`: its shape rule, kernel and batch rule. Comparisons produce bool.
// The caller chains the rest (jvp, transpose) onto the returned PrimitiveDef.
template <class Op>
PrimitiveDef def_binary(Prim p, DTypeClass cls, bool comparison, Op op) {
  std::string_view name = primitive_name(p);
  auto shape = [name, cls, comparison](std::span<const ShapedArray> in, const Params&) {
    check_arity(name, in, 2);
    check_same_dtypes(name, in);
    check_dtype_class(name, in[0].dtype, cls);
    Shape shape = broadcasting_shape(name, in);
    if (comparison) return single(ShapedArray{shape, DType::bool_, false});
    return single(ShapedArray{shape, in[0].dtype, all_weak(in)});
  };
  auto impl = [op](std::span<const Array> in, const Params&, const KernelOutputs& out) {
    Array result = out.make(0);
    const int64_t n = result.size();
    dispatch_dtype(in[0].dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (Op::template accepts<T>) {
        using R = std::conditional_t<Op::kComparison, bool, T>;
        auto f = [&](T x, T y) { return op.template apply<T>(x, y); };
        if (in[0].shape() == in[1].shape()) {
          map_binary(typed_data<T>(in[0]), typed_data<T>(in[1]), mutable_data<R>(result), n, f);
        } else if (n > 0) {
          broadcast_binary(typed_data<T>(in[0]), in[0].shape(), typed_data<T>(in[1]), in[1].shape(),
                           mutable_data<R>(result), result.shape(), f);
        }
      }
    });
    return single(std::move(result));
  };
  return def(p)
      .shape(std::move(shape))
      .impl(std::move(impl))
      .batch(batching::broadcasting(p, {true}, /*size_one_broadcasts=*/true));
}

// Each op: which element types it instantiates for, and what it computes.
#define JX_BINARY_OP(NAME, CMP, ACCEPTS, ...) \
  struct NAME {                               \
    static constexpr bool kComparison = CMP;  \
    template <class T>                        \
    static constexpr bool accepts = ACCEPTS;  \
    template <class T>                        \
    auto apply(T x, T y) const {              \
      return __VA_ARGS__;                     \
    }                                         \
  };

JX_BINARY_OP(AddOp, false, kNotBool<T>, wrapping(x, y, [](auto a, auto b) { return a + b; }))
JX_BINARY_OP(SubOp, false, kNotBool<T>, wrapping(x, y, [](auto a, auto b) { return a - b; }))
JX_BINARY_OP(MulOp, false, kNotBool<T>, wrapping(x, y, [](auto a, auto b) { return a * b; }))
JX_BINARY_OP(DivOp, false, kNotBool<T>, [&] {
  if constexpr (kIsFloat<T>)
    return x / y;
  else
    return int_div(x, y);
}())
JX_BINARY_OP(RemOp, false, kNotBool<T>, [&] {
  if constexpr (kIsFloat<T>)
    return std::fmod(x, y);
  else
    return int_rem(x, y);
}())
JX_BINARY_OP(PowOp, false, kIsFloat<T>, static_cast<T>(std::pow(x, y)))
JX_BINARY_OP(MaxOp, false, true, max_op(x, y))
JX_BINARY_OP(MinOp, false, true, min_op(x, y))
JX_BINARY_OP(Atan2Op, false, kIsFloat<T>, static_cast<T>(std::atan2(x, y)))
JX_BINARY_OP(NextafterOp, false, kIsFloat<T>, static_cast<T>(std::nextafter(x, y)))
JX_BINARY_OP(PolygammaOp, false, kIsFloat<T>, cpu::polygamma(x, y))
JX_BINARY_OP(AndOp, false, !kIsFloat<T>, static_cast<T>(x& y))
JX_BINARY_OP(OrOp, false, !kIsFloat<T>, static_cast<T>(x | y))
JX_BINARY_OP(XorOp, false, !kIsFloat<T>, static_cast<T>(x ^ y))
JX_BINARY_OP(ShiftLeftOp, false, kIsInt<T>, shift_left_op(x, y))
JX_BINARY_OP(ShiftRightLogicalOp, false, kIsInt<T>, shift_right_logical_op(x, y))
JX_BINARY_OP(ShiftRightArithmeticOp, false, kIsInt<T>, shift_right_arithmetic_op(x, y))
JX_BINARY_OP(EqOp, true, true, x == y)
JX_BINARY_OP(NeOp, true, true, x != y)
JX_BINARY_OP(LtOp, true, true, x < y)
JX_BINARY_OP(LeOp, true, true, x <= y)
JX_BINARY_OP(GtOp, true, true, x > y)
JX_BINARY_OP(GeOp, true, true, x >= y)
#undef JX_BINARY_OP

// ---- jvp rules (JAX's, in lax.py), written with lax primitives -----------------------------

// fmod's quotient rounded toward zero: d rem(x, y) / dy = -trunc(x / y).
Array trunc_div(const Array& x, const Array& y) {
  using namespace lax;
  Array q = div(x, y);
  return mul(sign(q), floor(abs(q)));
}

// x with its zeros replaced by ones (JAX's _replace_zero).
Array replace_zero(const Array& x) {
  return lax::select_n(lax::eq(x, ad::scalar_like(0, x)),
                       {x, lax::broadcast_in_dim(ad::scalar_like(1, x), x.shape(), {})});
}

using Partial =
    std::function<Array(const Array& g, const Array& x, const Array& y, const Array& ans)>;
JvpRule binary_jvp(Prim p, Partial dx, Partial dy) {
  // An operand may be a scalar or have size-1 axes: its contribution takes the output's shape.
  auto wrap = [](Partial f) -> ad::PartialJvp {
    return [f = std::move(f)](const Array& g, std::span<const Array> primals, const Array& out,
                              const Params&) {
      return ad::broadcast_like(f(g, primals[0], primals[1], out), out);
    };
  };
  return ad::defjvp(p, {wrap(std::move(dx)), wrap(std::move(dy))});
}

// max/min: the tangent of the operand equal to the result (split evenly on ties).
JvpRule max_min_jvp(Prim p) {
  using namespace lax;
  return binary_jvp(
      p,
      [](const Array& g, const Array& x, const Array& y, const Array& ans) {
        return mul(g, ad::balanced_eq(x, ans, y));
      },
      [](const Array& g, const Array& x, const Array& y, const Array& ans) {
        return mul(g, ad::balanced_eq(y, ans, x));
      });
}

// ---- transpose rules: add and sub are linear in both operands, mul in either one given the
// other, div in its numerator. A broadcast operand's cotangent is summed back to its shape.
Array same_transpose(const Array& ct, const ShapedArray& in, std::span<const Array>,
                     const Params&) {
  return ad::unbroadcast(ct, in);
}

Array negated_transpose(const Array& ct, const ShapedArray& in, std::span<const Array>,
                        const Params&) {
  return ad::unbroadcast(lax::neg(ct), in);
}

// mul's cotangent for operand 0 (times the other operand, args[1]) and for operand 1 (args[0]).
Array mul_transpose_lhs(const Array& ct, const ShapedArray& in, std::span<const Array> args,
                        const Params&) {
  return ad::unbroadcast(lax::mul(ct, args[1]), in);
}

Array mul_transpose_rhs(const Array& ct, const ShapedArray& in, std::span<const Array> args,
                        const Params&) {
  return ad::unbroadcast(lax::mul(args[0], ct), in);
}

Array div_transpose(const Array& ct, const ShapedArray& in, std::span<const Array> args,
                    const Params&) {
  return ad::unbroadcast(lax::div(ct, args[1]), in);
}

}  // namespace

void register_binary() {
  using namespace lax;
  using C = DTypeClass;
  def_binary(Prim::add, C::kNumber, false, AddOp{})
      .jvp(binary_jvp(
          Prim::add, [](const Array& g, const Array&, const Array&, const Array& ans) { return g; },
          [](const Array& g, const Array&, const Array&, const Array& ans) { return g; }))
      .transpose(ad::deftranspose({same_transpose, same_transpose}));
  def_binary(Prim::sub, C::kNumber, false, SubOp{})
      .jvp(binary_jvp(
          Prim::sub, [](const Array& g, const Array&, const Array&, const Array& ans) { return g; },
          [](const Array& g, const Array&, const Array&, const Array& ans) { return neg(g); }))
      .transpose(ad::deftranspose({same_transpose, negated_transpose}));
  def_binary(Prim::mul, C::kNumber, false, MulOp{})
      .jvp(binary_jvp(
          Prim::mul,
          [](const Array& g, const Array&, const Array& y, const Array& ans) { return mul(g, y); },
          [](const Array& g, const Array& x, const Array&, const Array& ans) { return mul(x, g); }))
      .transpose(ad::deftranspose({mul_transpose_lhs, mul_transpose_rhs}));
  def_binary(Prim::div, C::kNumber, false, DivOp{})
      .jvp(binary_jvp(
          Prim::div,
          [](const Array& g, const Array&, const Array& y, const Array& ans) { return div(g, y); },
          [](const Array& g, const Array& x, const Array& y, const Array& ans) {
            return div(mul(neg(g), x), mul(y, y));
          }))
      .transpose(ad::deftranspose({div_transpose}));
  def_binary(Prim::rem, C::kNumber, false, RemOp{})
      .jvp(binary_jvp(
          Prim::rem, [](const Array& g, const Array&, const Array&, const Array& ans) { return g; },
          [](const Array& g, const Array& x, const Array& y, const Array& ans) {
            return mul(neg(g), trunc_div(x, y));
          }));
  // pow (float operands): d/dx = y * x^(y-1); d/dy = log(x) * x^y, with log(0) read as 0.
  def_binary(Prim::pow, C::kFloating, false, PowOp{})
      .jvp(binary_jvp(
          Prim::pow,
          [](const Array& g, const Array& x, const Array& y, const Array& ans) {
            return mul(g, mul(y, pow(x, sub(y, ad::scalar_like(1, y)))));
          },
          [](const Array& g, const Array& x, const Array&, const Array& ans) {
            return mul(g, mul(log(replace_zero(x)), ans));
          }));
  def_binary(Prim::max, C::kAny, false, MaxOp{}).jvp(max_min_jvp(Prim::max));
  def_binary(Prim::min, C::kAny, false, MinOp{}).jvp(max_min_jvp(Prim::min));
  def_binary(Prim::atan2, C::kFloating, false, Atan2Op{})
      .jvp(binary_jvp(
          Prim::atan2,
          [](const Array& g, const Array& x, const Array& y, const Array& ans) {
            return mul(g, div(y, add(mul(x, x), mul(y, y))));
          },
          [](const Array& g, const Array& x, const Array& y, const Array& ans) {
            return mul(g, div(neg(x), add(mul(x, x), mul(y, y))));
          }));
  // nextafter: no jvp, as in JAX (nextafter_p has none).
  def_binary(Prim::nextafter, C::kFloating, false, NextafterOp{});
  // polygamma(m, x): d/dx = polygamma(m + 1, x); m (an order) has no derivative, as in JAX.
  def_binary(Prim::polygamma, C::kFloating, false, PolygammaOp{})
      .jvp(binary_jvp(
          Prim::polygamma,
          [](const Array&, const Array&, const Array&, const Array&) -> Array {
            throw ValueError("polygamma gradient with respect to m is not supported");
          },
          [](const Array& g, const Array& m, const Array& x, const Array&) {
            return mul(g, polygamma(add(m, ad::scalar_like(1, m)), x));
          }));
  // Bitwise ops, shifts (integer results) and comparisons (bool results): zero tangents.
  def_binary(Prim::and_, C::kIntOrBool, false, AndOp{}).jvp(ad::zero_jvp(Prim::and_));
  def_binary(Prim::or_, C::kIntOrBool, false, OrOp{}).jvp(ad::zero_jvp(Prim::or_));
  def_binary(Prim::xor_, C::kIntOrBool, false, XorOp{}).jvp(ad::zero_jvp(Prim::xor_));
  def_binary(Prim::shift_left, C::kInteger, false, ShiftLeftOp{})
      .jvp(ad::zero_jvp(Prim::shift_left));
  def_binary(Prim::shift_right_logical, C::kInteger, false, ShiftRightLogicalOp{})
      .jvp(ad::zero_jvp(Prim::shift_right_logical));
  def_binary(Prim::shift_right_arithmetic, C::kInteger, false, ShiftRightArithmeticOp{})
      .jvp(ad::zero_jvp(Prim::shift_right_arithmetic));
  def_binary(Prim::eq, C::kAny, true, EqOp{}).jvp(ad::zero_jvp(Prim::eq));
  def_binary(Prim::ne, C::kAny, true, NeOp{}).jvp(ad::zero_jvp(Prim::ne));
  def_binary(Prim::lt, C::kAny, true, LtOp{}).jvp(ad::zero_jvp(Prim::lt));
  def_binary(Prim::le, C::kAny, true, LeOp{}).jvp(ad::zero_jvp(Prim::le));
  def_binary(Prim::gt, C::kAny, true, GtOp{}).jvp(ad::zero_jvp(Prim::gt));
  def_binary(Prim::ge, C::kAny, true, GeOp{}).jvp(ad::zero_jvp(Prim::ge));
}

}  // namespace jx::primitives

namespace jx::lax {
#define JX_LAX_BINARY(fn, prim) \
  Array fn(const Array& x, const Array& y) { return bind1(Prim::prim, {x, y}); }
JX_LAX_BINARY(add, add)
JX_LAX_BINARY(sub, sub)
JX_LAX_BINARY(mul, mul)
JX_LAX_BINARY(div, div)
JX_LAX_BINARY(rem, rem)
JX_LAX_BINARY(pow, pow)
JX_LAX_BINARY(max, max)
JX_LAX_BINARY(min, min)
JX_LAX_BINARY(atan2, atan2)
JX_LAX_BINARY(nextafter, nextafter)
JX_LAX_BINARY(polygamma, polygamma)
JX_LAX_BINARY(bitwise_and, and_)
JX_LAX_BINARY(bitwise_or, or_)
JX_LAX_BINARY(bitwise_xor, xor_)
JX_LAX_BINARY(shift_left, shift_left)
JX_LAX_BINARY(shift_right_logical, shift_right_logical)
JX_LAX_BINARY(shift_right_arithmetic, shift_right_arithmetic)
JX_LAX_BINARY(eq, eq)
JX_LAX_BINARY(ne, ne)
JX_LAX_BINARY(lt, lt)
JX_LAX_BINARY(le, le)
JX_LAX_BINARY(gt, gt)
JX_LAX_BINARY(ge, ge)
#undef JX_LAX_BINARY
}  // namespace jx::lax
