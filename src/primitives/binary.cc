// Elementwise binary primitives: arithmetic, bitwise, shifts and comparisons. Operands share one
// shape and one dtype (jx::numpy broadcasts and promotes before binding these).
#include <cmath>
#include <limits>
#include <type_traits>

#include "jx/lax.h"
#include "primitives/families.h"
#include "interpreters/batching.h"
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

// Registers a binary primitive whose kernel is op.template operator()<T>(x, y), instantiated
// only for the dtypes in `cls`. Comparisons produce bool.
template <class Op>
void def_binary(Prim p, DTypeClass cls, bool comparison, Op op) {
  PrimitiveRules& r = mutable_rules(p);
  std::string_view name = primitive_name(p);
  r.batch = batching::broadcasting(p);
  r.abstract_eval = [name, cls, comparison](std::span<const ShapedArray> in, const Params&) {
    check_arity(name, in, 2);
    check_same_dtypes(name, in);
    check_dtype_class(name, in[0].dtype, cls);
    check_same_shapes(name, in);
    if (comparison) return single(ShapedArray{in[0].shape, DType::bool_, false});
    return single(ShapedArray{in[0].shape, in[0].dtype, all_weak(in)});
  };
  r.impl = [cls, op](std::span<const Array> in, const Params&, std::span<const ShapedArray> out) {
    Array result = make_array(out[0]);
    const int64_t n = result.size();
    dispatch_dtype(in[0].dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (Op::template accepts<T>) {
        using R = std::conditional_t<Op::kComparison, bool, T>;
        map_binary(typed_data<T>(in[0]), typed_data<T>(in[1]), mutable_data<R>(result), n,
                   [&](T x, T y) { return op.template apply<T>(x, y); });
      }
    });
    return single(std::move(result));
  };
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

}  // namespace

void register_binary() {
  using C = DTypeClass;
  def_binary(Prim::add, C::kNumber, false, AddOp{});
  def_binary(Prim::sub, C::kNumber, false, SubOp{});
  def_binary(Prim::mul, C::kNumber, false, MulOp{});
  def_binary(Prim::div, C::kNumber, false, DivOp{});
  def_binary(Prim::rem, C::kNumber, false, RemOp{});
  def_binary(Prim::pow, C::kFloating, false, PowOp{});
  def_binary(Prim::max, C::kAny, false, MaxOp{});
  def_binary(Prim::min, C::kAny, false, MinOp{});
  def_binary(Prim::atan2, C::kFloating, false, Atan2Op{});
  def_binary(Prim::nextafter, C::kFloating, false, NextafterOp{});
  def_binary(Prim::and_, C::kIntOrBool, false, AndOp{});
  def_binary(Prim::or_, C::kIntOrBool, false, OrOp{});
  def_binary(Prim::xor_, C::kIntOrBool, false, XorOp{});
  def_binary(Prim::shift_left, C::kInteger, false, ShiftLeftOp{});
  def_binary(Prim::shift_right_logical, C::kInteger, false, ShiftRightLogicalOp{});
  def_binary(Prim::shift_right_arithmetic, C::kInteger, false, ShiftRightArithmeticOp{});
  def_binary(Prim::eq, C::kAny, true, EqOp{});
  def_binary(Prim::ne, C::kAny, true, NeOp{});
  def_binary(Prim::lt, C::kAny, true, LtOp{});
  def_binary(Prim::le, C::kAny, true, LeOp{});
  def_binary(Prim::gt, C::kAny, true, GtOp{});
  def_binary(Prim::ge, C::kAny, true, GeOp{});
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
