// Elementwise unary primitives: sign manipulation, rounding, transcendental and special
// functions, is_finite and not. The output has the operand's shape, dtype and weak type
// (is_finite: strong bool).
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <type_traits>

// Eigen 3.4's AVX-512 headers trip -Wunused-variable and -Wmaybe-uninitialized; they are
// included with -I rather than as system headers, so silence them at their source.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <Eigen/Core>
#pragma GCC diagnostic pop
#if defined(__AVX512F__) || defined(__AVX__)
#include <immintrin.h>
#endif

#include "backend/cpu/special_math.h"
#include "backend/cpu/vector_math.h"
#include "interpreters/ad.h"
#include "interpreters/batching.h"
#include "interpreters/transpose.h"
#include "jx/lax.h"
#include "primitives/def.h"
#include "primitives/families.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

// Two's-complement negation without signed overflow: -INT_MIN wraps to INT_MIN, as in XLA.
template <class T>
T wrapping_neg(T x) {
  if constexpr (kIsFloat<T>) {
    return -x;
  } else {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(U(0) - static_cast<U>(x));
  }
}

template <class T>
T abs_op(T x) {
  if constexpr (kIsFloat<T>)
    return std::fabs(x);
  else
    return x < 0 ? wrapping_neg(x) : x;
}

// XLA's sign: -1/0/1 for integers; for floats +-1, and zeros (keeping their sign) and NaN
// map to themselves.
template <class T>
T sign_op(T x) {
  if constexpr (kIsFloat<T>) {
    return (x == T(0) || std::isnan(x)) ? x : std::copysign(T(1), x);
  } else if constexpr (std::is_unsigned_v<T>) {
    return static_cast<T>(x != 0);
  } else {
    return static_cast<T>((x > 0) - (x < 0));
  }
}

// out[i] = f(x[i]) via Eigen's vectorised array expressions (AVX-512 packets under
// -march=native): vec(a, o) assigns the output map o from the input map a, chunk by chunk.
// Used where GCC does not vectorise the plain loop (floor/ceil/round, as they may trap) and for
// the float32 transcendental functions.
template <class T, class Vec>
void map_eigen(const T* x, T* out, int64_t n, int64_t grain, Vec vec) {
  using A = Eigen::Array<T, Eigen::Dynamic, 1>;
  cpu::parallel_for(n, grain, [&](int64_t b, int64_t e) {
    Eigen::Map<const A> in(x + b, e - b);
    Eigen::Map<A> o(out + b, e - b);
    vec(in, o);
  });
}

// sqrt and 1/sqrt, correctly rounded. GCC keeps std::sqrt scalar because it may set errno
// (-fmath-errno is the default and jx's flags are not ours to change), so the vector ISA's
// sqrt instruction is used directly where available; the tail and other ISAs use std::sqrt.
template <bool kReciprocal, class T>
void sqrt_kernel(const T* x, T* out, int64_t n) {
  map_eigen(x, out, n, cpu::kParallelBytes / int64_t(2 * sizeof(T)), [](const auto& a, auto& o) {
    const T* xs = a.data();
    T* os = o.data();
    const int64_t m = a.size();
    int64_t i = 0;
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<T, float>) {
      const __m512 one = _mm512_set1_ps(1.0f);
      for (; i + 16 <= m; i += 16) {
        __m512 r = _mm512_sqrt_ps(_mm512_loadu_ps(xs + i));
        _mm512_storeu_ps(os + i, kReciprocal ? _mm512_div_ps(one, r) : r);
      }
    } else {
      const __m512d one = _mm512_set1_pd(1.0);
      for (; i + 8 <= m; i += 8) {
        __m512d r = _mm512_sqrt_pd(_mm512_loadu_pd(xs + i));
        _mm512_storeu_pd(os + i, kReciprocal ? _mm512_div_pd(one, r) : r);
      }
    }
#elif defined(__AVX__)
    if constexpr (std::is_same_v<T, float>) {
      const __m256 one = _mm256_set1_ps(1.0f);
      for (; i + 8 <= m; i += 8) {
        __m256 r = _mm256_sqrt_ps(_mm256_loadu_ps(xs + i));
        _mm256_storeu_ps(os + i, kReciprocal ? _mm256_div_ps(one, r) : r);
      }
    } else {
      const __m256d one = _mm256_set1_pd(1.0);
      for (; i + 4 <= m; i += 4) {
        __m256d r = _mm256_sqrt_pd(_mm256_loadu_pd(xs + i));
        _mm256_storeu_pd(os + i, kReciprocal ? _mm256_div_pd(one, r) : r);
      }
    }
#endif
    for (; i < m; ++i) os[i] = kReciprocal ? T(1) / std::sqrt(xs[i]) : std::sqrt(xs[i]);
  });
}

// Defines a unary primitive whose kernel is op.template apply<T>(x), instantiated only for
// the dtypes in `cls`: its shape rule, kernel and batch rule. The caller chains the rest (jvp,
// transpose) onto the returned PrimitiveDef.
template <class Op>
PrimitiveDef def_unary(Prim p, DTypeClass cls, Op op) {
  std::string_view name = primitive_name(p);
  auto shape = [name, cls](std::span<const ShapedArray> in, const Params& params) {
    check_arity(name, in, 1);
    check_dtype_class(name, in[0].dtype, cls);
    Op::check_params(name, params);
    if (Op::kBoolResult) return single(ShapedArray{in[0].shape, DType::bool_, false});
    return single(ShapedArray{in[0].shape, in[0].dtype, in[0].weak_type});
  };
  auto impl = [op](std::span<const Array> in, const Params& params, const KernelOutputs& out) {
    Array result = out.make(0);
    const int64_t n = result.size();
    dispatch_dtype(in[0].dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (Op::template accepts<T>) {
        using R = std::conditional_t<Op::kBoolResult, bool, T>;
        op.template run<T, R>(typed_data<T>(in[0]), mutable_data<R>(result), n, params);
      }
    });
    return single(std::move(result));
  };
  return def(p).shape(std::move(shape)).impl(std::move(impl)).batch(batching::vectorized(p));
}

// An op without params: a per-element expression, mapped over the array.
#define JX_UNARY_OP(NAME, BOOL_RESULT, ACCEPTS, ...)               \
  struct NAME {                                                    \
    static constexpr bool kBoolResult = BOOL_RESULT;               \
    template <class T>                                             \
    static constexpr bool accepts = ACCEPTS;                       \
    static void check_params(std::string_view, const Params&) {}   \
    template <class T, class R>                                    \
    void run(const T* x, R* out, int64_t n, const Params&) const { \
      map_unary(x, out, n, [](T x) -> R { return __VA_ARGS__; });  \
    }                                                              \
  };

// A floating-only op of backend/cpu/vector_math.h (whose functions jit's generated loops call).
#define JX_UNARY_MATH(NAME, FN)                                    \
  struct NAME {                                                    \
    static constexpr bool kBoolResult = false;                     \
    template <class T>                                             \
    static constexpr bool accepts = kIsFloat<T>;                   \
    static void check_params(std::string_view, const Params&) {}   \
    template <class T, class R>                                    \
    void run(const T* x, R* out, int64_t n, const Params&) const { \
      if constexpr (std::is_same_v<T, float>) {                    \
        cpu::math_f32(cpu::MathFn::FN, x, out, n);                 \
      } else {                                                     \
        cpu::math_f64(cpu::MathFn::FN, x, out, n);                 \
      }                                                            \
    }                                                              \
  };

// A floating-only op computed exactly by Eigen for float32 and float64. (Not sqrt: with
// Eigen's default EIGEN_FAST_MATH its AVX-512 sqrt is an approximation, wrong at -0 and inf.)
#define JX_UNARY_OP_EIGEN(NAME, EIGEN_EXPR)                              \
  struct NAME {                                                          \
    static constexpr bool kBoolResult = false;                           \
    template <class T>                                                   \
    static constexpr bool accepts = kIsFloat<T>;                         \
    static void check_params(std::string_view, const Params&) {}         \
    template <class T, class R>                                          \
    void run(const T* x, R* out, int64_t n, const Params&) const {       \
      map_eigen(x, out, n, cpu::kParallelBytes / int64_t(2 * sizeof(T)), \
                [](const auto& a, auto& o) { EIGEN_EXPR; });             \
    }                                                                    \
  };
JX_UNARY_OP_EIGEN(FloorOp, o = a.floor())
JX_UNARY_OP_EIGEN(CeilOp, o = a.ceil())
#undef JX_UNARY_OP_EIGEN

template <bool kReciprocal>
struct SqrtOpT {
  static constexpr bool kBoolResult = false;
  template <class T>
  static constexpr bool accepts = kIsFloat<T>;
  static void check_params(std::string_view, const Params&) {}
  template <class T, class R>
  void run(const T* x, R* out, int64_t n, const Params&) const {
    sqrt_kernel<kReciprocal>(x, out, n);
  }
};
using SqrtOp = SqrtOpT<false>;
using RsqrtOp = SqrtOpT<true>;

JX_UNARY_MATH(ExpOp, kExp)
JX_UNARY_MATH(LogOp, kLog)
JX_UNARY_MATH(Log1pOp, kLog1p)
JX_UNARY_MATH(Expm1Op, kExpm1)
JX_UNARY_MATH(SinOp, kSin)
JX_UNARY_MATH(CosOp, kCos)
JX_UNARY_MATH(TanhOp, kTanh)
JX_UNARY_MATH(LogisticOp, kLogistic)
#undef JX_UNARY_MATH

JX_UNARY_OP(NegOp, false, kNotBool<T>, wrapping_neg(x))
JX_UNARY_OP(AbsOp, false, kNotBool<T>&& std::is_signed_v<T>, abs_op(x))
JX_UNARY_OP(SignOp, false, kNotBool<T>, sign_op(x))
JX_UNARY_OP(Exp2Op, false, kIsFloat<T>, std::exp2(x))
JX_UNARY_OP(CbrtOp, false, kIsFloat<T>, std::cbrt(x))
JX_UNARY_OP(TanOp, false, kIsFloat<T>, std::tan(x))
JX_UNARY_OP(AsinOp, false, kIsFloat<T>, std::asin(x))
JX_UNARY_OP(AcosOp, false, kIsFloat<T>, std::acos(x))
JX_UNARY_OP(AtanOp, false, kIsFloat<T>, std::atan(x))
JX_UNARY_OP(SinhOp, false, kIsFloat<T>, std::sinh(x))
JX_UNARY_OP(CoshOp, false, kIsFloat<T>, std::cosh(x))
JX_UNARY_OP(AsinhOp, false, kIsFloat<T>, std::asinh(x))
JX_UNARY_OP(AcoshOp, false, kIsFloat<T>, std::acosh(x))
JX_UNARY_OP(AtanhOp, false, kIsFloat<T>, std::atanh(x))
JX_UNARY_OP(ErfOp, false, kIsFloat<T>, std::erf(x))
JX_UNARY_OP(ErfcOp, false, kIsFloat<T>, std::erfc(x))
JX_UNARY_OP(ErfInvOp, false, kIsFloat<T>, cpu::erf_inv(x))
JX_UNARY_OP(LgammaOp, false, kIsFloat<T>, cpu::lgamma(x))
JX_UNARY_OP(DigammaOp, false, kIsFloat<T>, cpu::digamma(x))
JX_UNARY_OP(IsFiniteOp, true, kIsFloat<T>, std::isfinite(x))
JX_UNARY_OP(NotOp, false, !kIsFloat<T>, [&] {
  if constexpr (std::is_same_v<T, bool>)
    return !x;
  else
    return T(~x);
}())
#undef JX_UNARY_OP

// round: Params {"rounding_method": 0 (halves away from zero) or 1 (halves to even)}.
struct RoundOp {
  static constexpr bool kBoolResult = false;
  template <class T>
  static constexpr bool accepts = kIsFloat<T>;
  static int64_t method(const Params& params) {
    return params.has("rounding_method") ? params.get_int("rounding_method") : 0;
  }
  static void check_params(std::string_view name, const Params& params) {
    int64_t m = method(params);
    if (m != 0 && m != 1) {
      throw ValueError(std::string(name) +
                       ": rounding_method must be 0 (AWAY_FROM_ZERO) or 1 "
                       "(TO_NEAREST_EVEN), got " +
                       std::to_string(m));
    }
  }
  template <class T, class R>
  void run(const T* x, R* out, int64_t n, const Params& params) const {
    // rint rounds halves to even in the default rounding mode, which jx never changes.
    const int64_t grain = cpu::kParallelBytes / int64_t(2 * sizeof(T));
    if (method(params) == 0) {
      map_eigen(x, out, n, grain, [](const auto& a, auto& o) { o = a.round(); });
    } else {
      map_eigen(x, out, n, grain, [](const auto& a, auto& o) { o = a.rint(); });
    }
  }
};

// ---- jvp rules (JAX's, in lax.py), written with lax primitives -----------------------------

// d(out) = partial(g, x, out): the tangent of a single-operand primitive.
JvpRule unary_jvp(Prim p,
                  std::function<Array(const Array& g, const Array& x, const Array& ans)> f) {
  return ad::defjvp(
      p, {[f = std::move(f)](const Array& g, std::span<const Array> primals, const Array& out,
                             const Params&) { return f(g, primals[0], out); }});
}

constexpr double kTwoOverSqrtPi = 1.1283791670955126;   // 2 / sqrt(pi)
constexpr double kSqrtPiOverTwo = 0.88622692545275801;  // sqrt(pi) / 2
constexpr double kLn2 = 0.69314718055994531;

// neg is linear (JAX's deflinear2): the cotangent is negated back.
Array neg_transpose(const Array& ct, const ShapedArray&, std::span<const Array>, const Params&) {
  return lax::neg(ct);
}

}  // namespace

void register_unary() {
  using namespace lax;
  using C = DTypeClass;
  def_unary(Prim::neg, C::kNumber, NegOp{}).linear(neg_transpose);
  // As current JAX: abs rejects unsigned integers (jnp.abs returns them unchanged itself).
  // abs: the tangent passes unchanged at 0 (JAX: select(x >= 0, g, -g)).
  def_unary(Prim::abs, C::kSignedOrFloat, AbsOp{})
      .jvp(unary_jvp(Prim::abs, [](const Array& g, const Array& x, const Array&) {
        return select_n(ge(x, ad::scalar_like(0, x)), {neg(g), g});
      }));
  // Piecewise constant (sign, floor, ceil, round), or integer/bool results (is_finite, not):
  // zero tangents.
  def_unary(Prim::sign, C::kNumber, SignOp{}).jvp(ad::zero_jvp(Prim::sign));
  def_unary(Prim::floor, C::kFloating, FloorOp{}).jvp(ad::zero_jvp(Prim::floor));
  def_unary(Prim::ceil, C::kFloating, CeilOp{}).jvp(ad::zero_jvp(Prim::ceil));
  def_unary(Prim::round, C::kFloating, RoundOp{}).jvp(ad::zero_jvp(Prim::round));
  def_unary(Prim::exp, C::kFloating, ExpOp{})
      .jvp(unary_jvp(Prim::exp,
                     [](const Array& g, const Array&, const Array& ans) { return mul(g, ans); }));
  def_unary(Prim::exp2, C::kFloating, Exp2Op{})
      .jvp(unary_jvp(Prim::exp2, [](const Array& g, const Array& x, const Array& ans) {
        return mul(g, mul(ad::scalar_like(kLn2, x), ans));
      }));
  def_unary(Prim::log, C::kFloating, LogOp{})
      .jvp(unary_jvp(Prim::log,
                     [](const Array& g, const Array& x, const Array&) { return div(g, x); }));
  def_unary(Prim::log1p, C::kFloating, Log1pOp{})
      .jvp(unary_jvp(Prim::log1p, [](const Array& g, const Array& x, const Array&) {
        return div(g, add(x, ad::scalar_like(1, x)));
      }));
  def_unary(Prim::expm1, C::kFloating, Expm1Op{})
      .jvp(unary_jvp(Prim::expm1, [](const Array& g, const Array&, const Array& ans) {
        return mul(g, add(ans, ad::scalar_like(1, ans)));
      }));
  def_unary(Prim::sqrt, C::kFloating, SqrtOp{})
      .jvp(unary_jvp(Prim::sqrt, [](const Array& g, const Array&, const Array& ans) {
        return mul(g, div(ad::scalar_like(0.5, ans), ans));
      }));
  def_unary(Prim::rsqrt, C::kFloating, RsqrtOp{})
      .jvp(unary_jvp(Prim::rsqrt, [](const Array& g, const Array& x, const Array& ans) {
        return mul(g, mul(ad::scalar_like(-0.5, x), div(ans, x)));
      }));
  def_unary(Prim::cbrt, C::kFloating, CbrtOp{})
      .jvp(unary_jvp(Prim::cbrt, [](const Array& g, const Array& x, const Array& ans) {
        return mul(g, div(ad::scalar_like(1.0 / 3.0, x), mul(ans, ans)));
      }));
  def_unary(Prim::sin, C::kFloating, SinOp{})
      .jvp(unary_jvp(Prim::sin,
                     [](const Array& g, const Array& x, const Array&) { return mul(g, cos(x)); }));
  def_unary(Prim::cos, C::kFloating, CosOp{})
      .jvp(unary_jvp(Prim::cos, [](const Array& g, const Array& x, const Array&) {
        return neg(mul(g, sin(x)));
      }));
  def_unary(Prim::tan, C::kFloating, TanOp{})
      .jvp(unary_jvp(Prim::tan, [](const Array& g, const Array& x, const Array& ans) {
        return mul(g, add(ad::scalar_like(1, x), mul(ans, ans)));
      }));
  def_unary(Prim::asin, C::kFloating, AsinOp{})
      .jvp(unary_jvp(Prim::asin, [](const Array& g, const Array& x, const Array&) {
        return mul(g, rsqrt(sub(ad::scalar_like(1, x), mul(x, x))));
      }));
  def_unary(Prim::acos, C::kFloating, AcosOp{})
      .jvp(unary_jvp(Prim::acos, [](const Array& g, const Array& x, const Array&) {
        return neg(mul(g, rsqrt(sub(ad::scalar_like(1, x), mul(x, x)))));
      }));
  def_unary(Prim::atan, C::kFloating, AtanOp{})
      .jvp(unary_jvp(Prim::atan, [](const Array& g, const Array& x, const Array&) {
        return div(g, add(ad::scalar_like(1, x), mul(x, x)));
      }));
  def_unary(Prim::sinh, C::kFloating, SinhOp{})
      .jvp(unary_jvp(Prim::sinh,
                     [](const Array& g, const Array& x, const Array&) { return mul(g, cosh(x)); }));
  def_unary(Prim::cosh, C::kFloating, CoshOp{})
      .jvp(unary_jvp(Prim::cosh,
                     [](const Array& g, const Array& x, const Array&) { return mul(g, sinh(x)); }));
  // (g + g*ans) * (1 - ans) = g * (1 - ans^2), as JAX writes it.
  def_unary(Prim::tanh, C::kFloating, TanhOp{})
      .jvp(unary_jvp(Prim::tanh, [](const Array& g, const Array& x, const Array& ans) {
        return mul(add(g, mul(g, ans)), sub(ad::scalar_like(1, x), ans));
      }));
  def_unary(Prim::asinh, C::kFloating, AsinhOp{})
      .jvp(unary_jvp(Prim::asinh, [](const Array& g, const Array& x, const Array&) {
        return mul(g, rsqrt(add(mul(x, x), ad::scalar_like(1, x))));
      }));
  def_unary(Prim::acosh, C::kFloating, AcoshOp{})
      .jvp(unary_jvp(Prim::acosh, [](const Array& g, const Array& x, const Array&) {
        return mul(g, rsqrt(mul(sub(x, ad::scalar_like(1, x)), add(x, ad::scalar_like(1, x)))));
      }));
  def_unary(Prim::atanh, C::kFloating, AtanhOp{})
      .jvp(unary_jvp(Prim::atanh, [](const Array& g, const Array& x, const Array&) {
        return div(div(g, sub(ad::scalar_like(1, x), x)), add(ad::scalar_like(1, x), x));
      }));
  def_unary(Prim::logistic, C::kFloating, LogisticOp{})
      .jvp(unary_jvp(Prim::logistic, [](const Array& g, const Array& x, const Array& ans) {
        return mul(g, mul(ans, sub(ad::scalar_like(1, x), ans)));
      }));
  def_unary(Prim::erf, C::kFloating, ErfOp{})
      .jvp(unary_jvp(Prim::erf, [](const Array& g, const Array& x, const Array&) {
        return mul(ad::scalar_like(kTwoOverSqrtPi, x), mul(g, exp(neg(mul(x, x)))));
      }));
  def_unary(Prim::erfc, C::kFloating, ErfcOp{})
      .jvp(unary_jvp(Prim::erfc, [](const Array& g, const Array& x, const Array&) {
        return mul(ad::scalar_like(-kTwoOverSqrtPi, x), mul(g, exp(neg(mul(x, x)))));
      }));
  def_unary(Prim::erf_inv, C::kFloating, ErfInvOp{})
      .jvp(unary_jvp(Prim::erf_inv, [](const Array& g, const Array& x, const Array& ans) {
        return mul(g, mul(ad::scalar_like(kSqrtPiOverTwo, x), exp(mul(ans, ans))));
      }));
  def_unary(Prim::lgamma, C::kFloating, LgammaOp{})
      .jvp(unary_jvp(Prim::lgamma, [](const Array& g, const Array& x, const Array&) {
        return mul(g, digamma(x));
      }));
  def_unary(Prim::digamma, C::kFloating, DigammaOp{})
      .jvp(unary_jvp(Prim::digamma, [](const Array& g, const Array& x, const Array&) {
        return mul(g, polygamma(ad::scalar_like(1, x), x));
      }));
  def_unary(Prim::is_finite, C::kFloating, IsFiniteOp{}).jvp(ad::zero_jvp(Prim::is_finite));
  def_unary(Prim::not_, C::kIntOrBool, NotOp{}).jvp(ad::zero_jvp(Prim::not_));
}

}  // namespace jx::primitives

namespace jx::lax {
#define JX_LAX_UNARY(fn, prim) \
  Array fn(const Array& x) { return bind1(Prim::prim, {x}); }
JX_LAX_UNARY(neg, neg)
JX_LAX_UNARY(abs, abs)
JX_LAX_UNARY(sign, sign)
JX_LAX_UNARY(floor, floor)
JX_LAX_UNARY(ceil, ceil)
JX_LAX_UNARY(exp, exp)
JX_LAX_UNARY(exp2, exp2)
JX_LAX_UNARY(log, log)
JX_LAX_UNARY(log1p, log1p)
JX_LAX_UNARY(expm1, expm1)
JX_LAX_UNARY(sqrt, sqrt)
JX_LAX_UNARY(rsqrt, rsqrt)
JX_LAX_UNARY(cbrt, cbrt)
JX_LAX_UNARY(sin, sin)
JX_LAX_UNARY(cos, cos)
JX_LAX_UNARY(tan, tan)
JX_LAX_UNARY(asin, asin)
JX_LAX_UNARY(acos, acos)
JX_LAX_UNARY(atan, atan)
JX_LAX_UNARY(sinh, sinh)
JX_LAX_UNARY(cosh, cosh)
JX_LAX_UNARY(tanh, tanh)
JX_LAX_UNARY(asinh, asinh)
JX_LAX_UNARY(acosh, acosh)
JX_LAX_UNARY(atanh, atanh)
JX_LAX_UNARY(logistic, logistic)
JX_LAX_UNARY(erf, erf)
JX_LAX_UNARY(erfc, erfc)
JX_LAX_UNARY(erf_inv, erf_inv)
JX_LAX_UNARY(lgamma, lgamma)
JX_LAX_UNARY(digamma, digamma)
JX_LAX_UNARY(is_finite, is_finite)
JX_LAX_UNARY(bitwise_not, not_)
#undef JX_LAX_UNARY

Array round(const Array& x, RoundingMethod method) {
  return bind1(Prim::round, {x}, Params{{"rounding_method", static_cast<int64_t>(method)}});
}
}  // namespace jx::lax
