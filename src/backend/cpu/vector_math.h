// The elementary functions whose float32 kernels are polynomial approximations (Eigen's packet
// math, vectorised), with one definition shared by the eager kernels and jit's generated code:
// a generated loop calls these very functions (by the vector width it runs at), so its results
// equal the eager kernels' bit for bit.
//
// float32: each value goes through the packet code in a block of kMathBlock values (a value's
// result never depends on its neighbours, or on where it sits in an array); where Eigen's
// approximation loses accuracy or range (subnormal or overflowing results, huge arguments, NaN
// and infinities) the value is recomputed with libm. The results are within a few ulp of the
// correctly rounded value (tests/unary_test.cc sweeps them). float64: libm.
#pragma once

#include <cstdint>
#include <span>

namespace jx::cpu {

enum class MathFn { kExp, kLog, kLog1p, kExpm1, kSin, kCos, kTanh, kLogistic };
inline constexpr int kNumMathFns = 8;
inline constexpr int64_t kMathBlock = 16;

// out[0, kMathBlock) = fn(in[0, kMathBlock)) (out may be in).
void math_block_f32(MathFn fn, const float* in, float* out);
// out[i] = fn(x[i]) for i < n, split over the thread pool.
void math_f32(MathFn fn, const float* x, float* out, int64_t n);
void math_f64(MathFn fn, const double* x, double* out, int64_t n);

// The entry points a generated loop calls: fn on one value (float32, float64) and on vectors
// of `width` float32 values passed in vector registers, as LLVM's vector ABI for
// <width x float> on this machine (only the widths the library was compiled for).
struct MathSymbol {
  MathFn fn;
  bool f64;
  int width;  // 1: a scalar function
  const char* name;
  void* address;
};
std::span<const MathSymbol> math_symbols();

// The elementary functions the eager kernels compute one value at a time (libm's, and
// special_math.h's erf_inv, lgamma and digamma), for generated loops to call the very same:
// "jx_<name>_f32" and "jx_<name>_f64" for name in exp2 cbrt tan asin acos atan sinh cosh asinh
// acosh atanh erf erfc erf_inv lgamma digamma (one operand), pow atan2 nextafter fmod (two).
struct ScalarMathSymbol {
  const char* name;
  int arity;
  void* address;
};
std::span<const ScalarMathSymbol> scalar_math_symbols();

}  // namespace jx::cpu
