#include "backend/cpu/vector_math.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

// Eigen 3.4's AVX-512 headers trip -Wunused-variable and -Wmaybe-uninitialized; they are
// included with -I rather than as system headers, so silence them at their source.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <Eigen/Core>
#pragma GCC diagnostic pop
#if defined(__SSE__)
#include <immintrin.h>
#endif

#include "backend/cpu/special_math.h"
#include "backend/cpu/thread_pool.h"

namespace jx::cpu {
namespace {

// 1 / (1 + exp(-x)) without overflow: for x < 0 exp(-x) can overflow, so use e / (1 + e)
// with e = exp(x) there.
template <class T>
T logistic(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  T e = std::exp(x);
  return e / (T(1) + e);
}

template <class T>
T libm(MathFn fn, T x) {
  switch (fn) {
    case MathFn::kExp:
      return std::exp(x);
    case MathFn::kLog:
      return std::log(x);
    case MathFn::kLog1p:
      return std::log1p(x);
    case MathFn::kExpm1:
      return std::expm1(x);
    case MathFn::kSin:
      return std::sin(x);
    case MathFn::kCos:
      return std::cos(x);
    case MathFn::kTanh:
      return std::tanh(x);
    case MathFn::kLogistic:
      return logistic(x);
  }
  return x;
}

constexpr float kF32Max = std::numeric_limits<float>::max();
constexpr float kF32MinNormal = std::numeric_limits<float>::min();

// Where Eigen's float32 approximation is kept, from sweeping Eigen 3.4 against float64 libm:
// exp overflows early above ~88.37 and loses accuracy near the subnormal range. (tanh saturates
// to +-1 from 7.9, within 4 ulp of the true value there.) NaN fails every test. Written with
// `&` so that the check of a block vectorises.
template <MathFn kFn>
bool packet_valid(float v) {
  if constexpr (kFn == MathFn::kExp) return (v >= -87.33f) & (v <= 88.3f);
  if constexpr (kFn == MathFn::kLog) return (v >= kF32MinNormal) & (v <= kF32Max);
  if constexpr (kFn == MathFn::kLog1p) return (v >= -0.99999994f) & (v <= kF32Max);
  if constexpr (kFn == MathFn::kExpm1) return (v >= -80.0f) & (v <= 80.0f);
  if constexpr (kFn == MathFn::kSin || kFn == MathFn::kCos || kFn == MathFn::kTanh) {
    return std::fabs(v) <= kF32Max;
  }
  if constexpr (kFn == MathFn::kLogistic) return (v >= -87.0f) & (v <= kF32Max);
}

using Block = Eigen::Array<float, kMathBlock, 1>;

template <MathFn kFn>
void packet(const Eigen::Map<const Block>& a, Eigen::Map<Block>& o) {
  if constexpr (kFn == MathFn::kExp) o = a.exp();
  if constexpr (kFn == MathFn::kLog) o = a.log();
  if constexpr (kFn == MathFn::kLog1p) o = a.log1p();
  if constexpr (kFn == MathFn::kExpm1) o = a.expm1();
  if constexpr (kFn == MathFn::kSin) o = a.sin();
  if constexpr (kFn == MathFn::kCos) o = a.cos();
  if constexpr (kFn == MathFn::kTanh) o = a.tanh();
  if constexpr (kFn == MathFn::kLogistic) {
    // Eigen's own logistic is inaccurate (thousands of ulp near -9): the stable formula on
    // Eigen's exp.
    // One division: the numerator selected first (the same IEEE operations per element as
    // dividing in both branches and selecting).
    o = (-a.abs()).exp();
    o = (a >= 0.0f).select(Block::Ones(), o) / (1.0f + o);
  }
}

template <MathFn kFn>
void block(const float* in, float* out) {
  // A copy of the inputs: out may be in, and the libm fix-up reads them after the packet code
  // wrote.
  alignas(64) float x[kMathBlock];
  std::copy(in, in + kMathBlock, x);
  Eigen::Map<const Block> a(x);
  Eigen::Map<Block> o(out);
  packet<kFn>(a, o);
  bool invalid = false;
  for (int64_t i = 0; i < kMathBlock; ++i) invalid |= !packet_valid<kFn>(x[i]);
  if (!invalid) return;
  for (int64_t i = 0; i < kMathBlock; ++i) {
    if (!packet_valid<kFn>(x[i])) out[i] = libm(kFn, x[i]);
  }
}

// f(std::integral_constant<MathFn, fn>) for the runtime fn.
template <class F>
void with_fn(MathFn fn, F&& f) {
  switch (fn) {
    case MathFn::kExp:
      return f(std::integral_constant<MathFn, MathFn::kExp>{});
    case MathFn::kLog:
      return f(std::integral_constant<MathFn, MathFn::kLog>{});
    case MathFn::kLog1p:
      return f(std::integral_constant<MathFn, MathFn::kLog1p>{});
    case MathFn::kExpm1:
      return f(std::integral_constant<MathFn, MathFn::kExpm1>{});
    case MathFn::kSin:
      return f(std::integral_constant<MathFn, MathFn::kSin>{});
    case MathFn::kCos:
      return f(std::integral_constant<MathFn, MathFn::kCos>{});
    case MathFn::kTanh:
      return f(std::integral_constant<MathFn, MathFn::kTanh>{});
    case MathFn::kLogistic:
      return f(std::integral_constant<MathFn, MathFn::kLogistic>{});
  }
}

// A vector entry point: `width` values through one block (padded with 1s).
template <MathFn kFn, int kWidth, class V>
V vector_entry(V x) {
  alignas(64) float in[kMathBlock], out[kMathBlock];
  std::fill(in, in + kMathBlock, 1.0f);
  std::memcpy(in, &x, sizeof(V));
  block<kFn>(in, out);
  V r;
  std::memcpy(&r, out, sizeof(V));
  return r;
}

template <MathFn kFn>
float scalar_f32(float x) {
  alignas(64) float in[kMathBlock], out[kMathBlock];
  std::fill(in, in + kMathBlock, 1.0f);
  in[0] = x;
  block<kFn>(in, out);
  return out[0];
}
template <MathFn kFn>
double scalar_f64(double x) {
  return libm(kFn, x);
}

}  // namespace

void math_block_f32(MathFn fn, const float* in, float* out) {
  with_fn(fn, [&](auto f) { block<decltype(f)::value>(in, out); });
}

void math_f32(MathFn fn, const float* x, float* out, int64_t n) {
  with_fn(fn, [&](auto f) {
    constexpr MathFn kFn = decltype(f)::value;
    // These kernels cost tens of cycles per element, so smaller chunks are worth a thread.
    parallel_for(n, kParallelBytes / 32, [&](int64_t b, int64_t e) {
      int64_t i = b;
      for (; i + kMathBlock <= e; i += kMathBlock) block<kFn>(x + i, out + i);
      if (i < e) {
        float xs[kMathBlock], os[kMathBlock];
        std::fill(xs, xs + kMathBlock, 1.0f);
        std::copy(x + i, x + e, xs);
        block<kFn>(xs, os);
        std::copy(os, os + (e - i), out + i);
      }
    });
  });
}

void math_f64(MathFn fn, const double* x, double* out, int64_t n) {
  parallel_for(n, kParallelBytes / 16, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = libm(fn, x[i]);
  });
}

namespace {

template <MathFn kFn>
void add_symbols(std::vector<MathSymbol>& out, const char* f32, const char* f64,
                 [[maybe_unused]] const char* x4, [[maybe_unused]] const char* x8,
                 [[maybe_unused]] const char* x16) {
  out.push_back({kFn, false, 1, f32, reinterpret_cast<void*>(&scalar_f32<kFn>)});
  out.push_back({kFn, true, 1, f64, reinterpret_cast<void*>(&scalar_f64<kFn>)});
#if defined(__SSE__)
  out.push_back({kFn, false, 4, x4, reinterpret_cast<void*>(&vector_entry<kFn, 4, __m128>)});
#endif
#if defined(__AVX__)
  out.push_back({kFn, false, 8, x8, reinterpret_cast<void*>(&vector_entry<kFn, 8, __m256>)});
#endif
#if defined(__AVX512F__)
  out.push_back({kFn, false, 16, x16, reinterpret_cast<void*>(&vector_entry<kFn, 16, __m512>)});
#endif
}

}  // namespace

std::span<const MathSymbol> math_symbols() {
  static const std::vector<MathSymbol> symbols = [] {
    std::vector<MathSymbol> s;
#define JX_MATH(FN, NAME)                                                               \
  add_symbols<MathFn::FN>(s, "jx_" NAME "_f32", "jx_" NAME "_f64", "jx_" NAME "_f32x4", \
                          "jx_" NAME "_f32x8", "jx_" NAME "_f32x16");
    JX_MATH(kExp, "exp")
    JX_MATH(kLog, "log")
    JX_MATH(kLog1p, "log1p")
    JX_MATH(kExpm1, "expm1")
    JX_MATH(kSin, "sin")
    JX_MATH(kCos, "cos")
    JX_MATH(kTanh, "tanh")
    JX_MATH(kLogistic, "logistic")
#undef JX_MATH
    return s;
  }();
  return symbols;
}

std::span<const ScalarMathSymbol> scalar_math_symbols() {
  using F1 = float (*)(float);
  using D1 = double (*)(double);
  using F2 = float (*)(float, float);
  using D2 = double (*)(double, double);
  auto address = [](auto f) { return reinterpret_cast<void*>(f); };
  static const std::vector<ScalarMathSymbol> symbols = {
#define JX_LIBM(NAME, F32, F64, ARITY)                             \
  {"jx_" NAME "_f32", ARITY, address(static_cast<F##ARITY>(F32))}, \
      {"jx_" NAME "_f64", ARITY, address(static_cast<D##ARITY>(F64))},
      JX_LIBM("exp2", ::exp2f, ::exp2, 1)                  //
      JX_LIBM("cbrt", ::cbrtf, ::cbrt, 1)                  //
      JX_LIBM("tan", ::tanf, ::tan, 1)                     //
      JX_LIBM("asin", ::asinf, ::asin, 1)                  //
      JX_LIBM("acos", ::acosf, ::acos, 1)                  //
      JX_LIBM("atan", ::atanf, ::atan, 1)                  //
      JX_LIBM("sinh", ::sinhf, ::sinh, 1)                  //
      JX_LIBM("cosh", ::coshf, ::cosh, 1)                  //
      JX_LIBM("asinh", ::asinhf, ::asinh, 1)               //
      JX_LIBM("acosh", ::acoshf, ::acosh, 1)               //
      JX_LIBM("atanh", ::atanhf, ::atanh, 1)               //
      JX_LIBM("erf", ::erff, ::erf, 1)                     //
      JX_LIBM("erfc", ::erfcf, ::erfc, 1)                  //
      JX_LIBM("erf_inv", &cpu::erf_inv, &cpu::erf_inv, 1)  //
      JX_LIBM("lgamma", &cpu::lgamma, &cpu::lgamma, 1)     //
      JX_LIBM("digamma", &cpu::digamma, &cpu::digamma, 1)  //
      JX_LIBM("pow", ::powf, ::pow, 2)                     //
      JX_LIBM("atan2", ::atan2f, ::atan2, 2)               //
      JX_LIBM("nextafter", ::nextafterf, ::nextafter, 2)   //
      JX_LIBM("fmod", ::fmodf, ::fmod, 2)                  //
#undef JX_LIBM
  };
  return symbols;
}

}  // namespace jx::cpu
