// jx::numpy elementwise functions: values, JAX's result dtypes (weak scalars included),
// broadcasting, empty arrays and error messages. Expected values are hand-derived or computed
// with numpy in float32 (`/usr/bin/python3 -c 'import numpy as np; ...'`) and pasted.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "jx/numpy.h"
#include "test_util.h"

namespace jnp = jx::numpy;
using jx::Array;
using jx::DType;
using jx::Shape;
using jx::testing::arr;
using jx::testing::expect_array_eq;
using jx::testing::expect_array_near;
using jx::testing::expect_error;

namespace {
const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();
}  // namespace

// ---- arithmetic and promotion --------------------------------------------------------------

TEST(NumpyElementwise, AddBroadcastsAndPromotes) {
  Array a = arr<int32_t>({1, 2, 3}, {3});
  Array b = arr<float>({10, 20}, {2, 1});
  expect_array_eq<float>(jnp::add(a, b), {11, 12, 13, 21, 22, 23}, {2, 3});
  // int32 + int64 -> int64; uint8 + int32 -> int32; uint8 + uint32 -> uint32.
  expect_array_eq<int64_t>(jnp::add(a, arr<int64_t>({1, 1, 1}, {3})), {2, 3, 4}, {3});
  expect_array_eq<int32_t>(jnp::add(arr<uint8_t>({250}, {1}), arr<int32_t>({10}, {1})), {260}, {1});
  expect_array_eq<uint32_t>(jnp::add(arr<uint8_t>({1}, {1}), arr<uint32_t>({7}, {1})), {8}, {1});
  // float32 + float64 -> float64.
  expect_array_eq<double>(jnp::add(arr<float>({0.5f}, {1}), arr<double>({0.25}, {1})), {0.75}, {1});
}

TEST(NumpyElementwise, WeakScalarsKeepTheArrayDtype) {
  Array f = arr<float>({1.5f, -2.0f}, {2});
  Array r = jnp::multiply(f, 2.0);
  expect_array_eq<float>(r, {3.0f, -4.0f}, {2});
  EXPECT_FALSE(r.weak_type());
  Array i = arr<int32_t>({1, 2}, {2});
  expect_array_eq<int32_t>(jnp::add(i, 2), {3, 4}, {2});
  // A float scalar with an int array gives the default float.
  expect_array_eq<float>(jnp::add(i, 0.5), {1.5f, 2.5f}, {2});
  // A weak int with a uint8 array stays uint8.
  expect_array_eq<uint8_t>(jnp::add(arr<uint8_t>({1, 2}, {2}), 3), {4, 5}, {2});
  // Two weak scalars stay weak.
  Array w = jnp::add(Array(1.0), Array(2));
  EXPECT_EQ(w.dtype(), DType::float32);
  EXPECT_TRUE(w.weak_type());
  EXPECT_EQ(w.item<float>(), 3.0f);
}

TEST(NumpyElementwise, OutOfRangeWeakIntWrapsLikeJax) {
  // JAX converts a Python int to the array's dtype with numpy's astype (no overflow check):
  // jnp.array([1], jnp.uint8) + 300 == 45 (300 wraps to 44).
  expect_array_eq<uint8_t>(jnp::add(arr<uint8_t>({1}, {1}), 300), {45}, {1});
  expect_array_eq<uint8_t>(jnp::add(arr<uint8_t>({5}, {1}), -1), {4}, {1});
}

TEST(NumpyElementwise, WeakFloat64LiteralIsExactWhenPromotedToFloat64) {
  // 0.1 + float64 array: the literal converts from its exact double value, not float32(0.1).
  Array r = jnp::add(arr<double>({0.0}, {1}), 0.1);
  expect_array_eq<double>(r, {0.1}, {1});
}

TEST(NumpyElementwise, BoolArithmetic) {
  Array t = arr<bool>({true, true, false, false}, {4});
  Array u = arr<bool>({true, false, true, false}, {4});
  expect_array_eq<bool>(jnp::add(t, u), {true, true, true, false}, {4});         // logical or
  expect_array_eq<bool>(jnp::multiply(t, u), {true, false, false, false}, {4});  // logical and
  expect_error<jx::DTypeError>([&] { jnp::subtract(t, u); }, {"sub", "bool"});
  // bool + weak int -> int32.
  expect_array_eq<int32_t>(jnp::add(t, 1), {2, 2, 1, 1}, {4});
}

TEST(NumpyElementwise, SubtractMultiplyDivide) {
  Array a = arr<float>({6, 7, -8}, {3});
  expect_array_eq<float>(jnp::subtract(a, 1.0f), {5, 6, -9}, {3});
  expect_array_eq<float>(jnp::multiply(a, a), {36, 49, 64}, {3});
  expect_array_eq<float>(jnp::divide(a, 2), {3, 3.5f, -4}, {3});
  // True division of ints gives float32.
  Array i = arr<int32_t>({1, 7, -8}, {3});
  expect_array_eq<float>(jnp::true_divide(i, 2), {0.5f, 3.5f, -4}, {3});
  expect_array_eq<float>(jnp::divide(arr<bool>({true, false}, {2}), 2), {0.5f, 0.0f}, {2});
  expect_array_eq<double>(jnp::divide(arr<int64_t>({3}, {1}), arr<double>({2.0}, {1})), {1.5}, {1});
  expect_array_eq<float>(jnp::divide(arr<float>({1, -1, 0}, {3}), 0.0f), {kInf, -kInf, kNaN}, {3});
}

TEST(NumpyElementwise, FloorDivideAndRemainderFollowNumpySigns) {
  // numpy: np.floor_divide([7,-7,7,-7],[2,2,-2,-2]) = [3,-4,-4,3];
  // np.remainder(...) = [1,1,-1,-1]; np.fmod(...) = [1,-1,1,-1].
  Array x = arr<int32_t>({7, -7, 7, -7}, {4});
  Array y = arr<int32_t>({2, 2, -2, -2}, {4});
  expect_array_eq<int32_t>(jnp::floor_divide(x, y), {3, -4, -4, 3}, {4});
  expect_array_eq<int32_t>(jnp::remainder(x, y), {1, 1, -1, -1}, {4});
  expect_array_eq<int32_t>(jnp::mod(x, y), {1, 1, -1, -1}, {4});
  expect_array_eq<int32_t>(jnp::fmod(x, y), {1, -1, 1, -1}, {4});
  // Exact multiples need no adjustment.
  expect_array_eq<int32_t>(jnp::floor_divide(arr<int32_t>({-6, 6}, {2}), 3), {-2, 2}, {2});
  expect_array_eq<int32_t>(jnp::remainder(arr<int32_t>({-6, 6}, {2}), 3), {0, 0}, {2});
  // numpy: np.floor_divide([7.5,-7.5,7.5,-7.5],[2,2,-2,-2]) = [3,-4,-4,3];
  // np.remainder = [1.5,0.5,-0.5,-1.5]; np.fmod = [1.5,-1.5,1.5,-1.5].
  Array xf = arr<float>({7.5f, -7.5f, 7.5f, -7.5f}, {4});
  Array yf = arr<float>({2, 2, -2, -2}, {4});
  expect_array_eq<float>(jnp::floor_divide(xf, yf), {3, -4, -4, 3}, {4});
  expect_array_eq<float>(jnp::remainder(xf, yf), {1.5f, 0.5f, -0.5f, -1.5f}, {4});
  expect_array_eq<float>(jnp::fmod(xf, yf), {1.5f, -1.5f, 1.5f, -1.5f}, {4});
  // Unsigned: plain division and remainder.
  Array u = arr<uint8_t>({7, 200}, {2});
  expect_array_eq<uint8_t>(jnp::floor_divide(u, 3), {2, 66}, {2});
  expect_array_eq<uint8_t>(jnp::remainder(u, 3), {1, 2}, {2});
  // Integer remainder by zero is 0 (jnp replaces a zero divisor by one).
  expect_array_eq<int32_t>(jnp::remainder(arr<int32_t>({5, -5}, {2}), 0), {0, 0}, {2});
  expect_array_eq<int32_t>(jnp::fmod(arr<int32_t>({5, -5}, {2}), 0), {0, 0}, {2});
  // Bools promote to int32.
  expect_array_eq<int32_t>(jnp::floor_divide(arr<bool>({true}, {1}), arr<bool>({true}, {1})), {1},
                           {1});
}

TEST(NumpyElementwise, PowerIntegerExponents) {
  Array i = arr<int32_t>({2, -3, 0, 5}, {4});
  // A concrete integer scalar exponent: exact, dtype of the base.
  expect_array_eq<int32_t>(jnp::power(i, 3), {8, -27, 0, 125}, {4});
  expect_array_eq<int32_t>(jnp::power(i, 0), {1, 1, 1, 1}, {4});
  expect_array_eq<uint8_t>(jnp::power(arr<uint8_t>({3}, {1}), 2), {9}, {1});
  expect_array_eq<float>(jnp::power(arr<float>({1.5f, -2}, {2}), 2), {2.25f, 4}, {2});
  expect_array_eq<float>(jnp::power(arr<float>({2, 4}, {2}), -2), {0.25f, 0.0625f}, {2});
  expect_error<jx::DTypeError>([&] { jnp::power(i, -1); },
                               {"Integers cannot be raised to negative powers"});
  // Integer exponent arrays: binary exponentiation, exact.
  Array e = arr<int32_t>({10, 3, 0, 2}, {4});
  expect_array_eq<int32_t>(jnp::power(i, e), {1024, -27, 1, 25}, {4});
  expect_array_eq<int32_t>(jnp::power(arr<int32_t>({0, 0}, {2}), arr<int32_t>({0, 5}, {2})), {1, 0},
                           {2});
  // Float base with an int exponent array: promoted, lax.pow.
  expect_array_near<float>(jnp::power(arr<float>({2, 9}, {2}), arr<int32_t>({3, 1}, {2})), {8, 9},
                           {2});
  // Fractional exponent: numpy np.power(np.float32([4, 2]), np.float32(0.5)) = [2, 1.4142135].
  expect_array_near<float>(jnp::power(arr<float>({4, 2}, {2}), 0.5), {2.0f, 1.4142135f}, {2});
  // Int base with a float scalar exponent: float32.
  expect_array_near<float>(jnp::power(arr<int32_t>({4}, {1}), 0.5), {2.0f}, {1});
}

TEST(NumpyElementwise, UnarySignsAndRounding) {
  Array f = arr<float>({-2.5f, -0.5f, 0.5f, 1.5f, 2.5f, -1.7f}, {6});
  expect_array_eq<float>(jnp::negative(f), {2.5f, 0.5f, -0.5f, -1.5f, -2.5f, 1.7f}, {6});
  expect_array_eq<float>(jnp::positive(f), {-2.5f, -0.5f, 0.5f, 1.5f, 2.5f, -1.7f}, {6});
  expect_array_eq<float>(jnp::abs(f), {2.5f, 0.5f, 0.5f, 1.5f, 2.5f, 1.7f}, {6});
  expect_array_eq<float>(jnp::absolute(f), {2.5f, 0.5f, 0.5f, 1.5f, 2.5f, 1.7f}, {6});
  expect_array_eq<float>(jnp::sign(f), {-1, -1, 1, 1, 1, -1}, {6});
  expect_array_eq<float>(jnp::floor(f), {-3, -1, 0, 1, 2, -2}, {6});
  expect_array_eq<float>(jnp::ceil(f), {-2, -0.0f, 1, 2, 3, -1}, {6});
  expect_array_eq<float>(jnp::trunc(f), {-2, -0.0f, 0, 1, 2, -1}, {6});
  // Halves round to even, as numpy.
  expect_array_eq<float>(jnp::round(f), {-2, -0.0f, 0, 2, 2, -2}, {6});
  expect_array_eq<float>(jnp::rint(f), {-2, -0.0f, 0, 2, 2, -2}, {6});
  // numpy: np.round(np.float32([1.234, 2.5678, -0.125]), 2) = [1.23, 2.57, -0.12]
  expect_array_near<float>(jnp::round(arr<float>({1.234f, 2.5678f, -0.125f}, {3}), 2),
                           {1.23f, 2.57f, -0.12f}, {3});
  // numpy: np.round(np.float32([1234, 1250, 1350]), -2) = [1200, 1200, 1400]
  expect_array_eq<float>(jnp::round(arr<float>({1234, 1250, 1350}, {3}), -2), {1200, 1200, 1400},
                         {3});
  Array i = arr<int32_t>({-3, 0, 4}, {3});
  expect_array_eq<int32_t>(jnp::negative(i), {3, 0, -4}, {3});
  expect_array_eq<int32_t>(jnp::abs(i), {3, 0, 4}, {3});
  expect_array_eq<int32_t>(jnp::sign(i), {-1, 0, 1}, {3});
  expect_array_eq<int32_t>(jnp::floor(i), {-3, 0, 4}, {3});
  expect_array_eq<int32_t>(jnp::ceil(i), {-3, 0, 4}, {3});
  expect_array_eq<int32_t>(jnp::trunc(i), {-3, 0, 4}, {3});
  expect_array_eq<int32_t>(jnp::round(i), {-3, 0, 4}, {3});
  expect_array_eq<float>(jnp::rint(i), {-3, 0, 4}, {3});  // jnp.rint of ints is float32
  expect_error<jx::NotSupportedError>([&] { jnp::round(i, -1); }, {"decimals < 0"});
  expect_array_eq<uint8_t>(jnp::abs(arr<uint8_t>({200}, {1})), {200}, {1});
  expect_array_eq<bool>(jnp::abs(arr<bool>({true, false}, {2})), {true, false}, {2});
  expect_error<jx::DTypeError>([&] { jnp::negative(arr<bool>({true}, {1})); }, {"neg", "bool"});
}

TEST(NumpyElementwise, TranscendentalFloat32) {
  Array x = arr<float>({0.5f, 1.0f, 2.0f, 4.0f}, {4});
  // Pasted from numpy in float32 (np.exp(np.float32([0.5, 1, 2, 4])), ...).
  expect_array_near<float>(jnp::exp(x), {1.6487212f, 2.7182820f, 7.3890557f, 54.598148f}, {4});
  expect_array_near<float>(jnp::exp2(x), {1.4142135f, 2.0f, 4.0f, 16.0f}, {4});
  expect_array_near<float>(jnp::expm1(x), {0.64872128f, 1.7182819f, 6.3890562f, 53.598148f}, {4});
  expect_array_near<float>(jnp::log(x), {-0.69314718f, 0.0f, 0.69314718f, 1.3862944f}, {4});
  expect_array_near<float>(jnp::log2(x), {-1, 0, 1, 2}, {4});
  expect_array_near<float>(jnp::log10(x), {-0.30103001f, 0.0f, 0.30103001f, 0.60206002f}, {4});
  expect_array_near<float>(jnp::log1p(x), {0.40546513f, 0.69314718f, 1.0986123f, 1.6094379f}, {4});
  expect_array_near<float>(jnp::sqrt(x), {0.70710677f, 1.0f, 1.4142135f, 2.0f}, {4});
  expect_array_near<float>(jnp::cbrt(x), {0.79370052f, 1.0f, 1.2599211f, 1.5874010f}, {4});
  expect_array_near<float>(jnp::sin(x), {0.47942555f, 0.84147102f, 0.90929741f, -0.75680250f}, {4});
  expect_array_near<float>(jnp::cos(x), {0.87758255f, 0.54030228f, -0.41614681f, -0.65364361f},
                           {4});
  expect_array_near<float>(jnp::tan(x), {0.54630250f, 1.5574077f, -2.1850400f, 1.1578212f}, {4});
  expect_array_near<float>(jnp::sinh(x), {0.52109528f, 1.1752012f, 3.6268604f, 27.289917f}, {4});
  expect_array_near<float>(jnp::cosh(x), {1.1276261f, 1.5430807f, 3.7621956f, 27.308235f}, {4});
  expect_array_near<float>(jnp::tanh(x), {0.46211720f, 0.76159418f, 0.96402758f, 0.99932933f}, {4});
  expect_array_near<float>(jnp::arcsinh(x), {0.48121181f, 0.88137358f, 1.4436355f, 2.0947125f},
                           {4});
  Array y = arr<float>({-0.5f, 0.0f, 0.25f, 0.9f}, {4});
  expect_array_near<float>(jnp::arcsin(y), {-0.52359879f, 0.0f, 0.25268024f, 1.1197696f}, {4});
  expect_array_near<float>(jnp::arccos(y), {2.0943952f, 1.5707964f, 1.3181162f, 0.45102686f}, {4});
  expect_array_near<float>(jnp::arctan(y), {-0.46364760f, 0.0f, 0.24497867f, 0.73281509f}, {4});
  expect_array_near<float>(jnp::arctanh(y), {-0.54930615f, 0.0f, 0.25541282f, 1.4722193f}, {4});
  expect_array_near<float>(jnp::arccosh(arr<float>({1, 2, 3, 10}, {4})),
                           {0.0f, 1.3169580f, 1.7627472f, 2.9932230f}, {4});
  // Out-of-domain inputs give NaN / -inf, as numpy.
  expect_array_eq<float>(jnp::log(arr<float>({0.0f}, {1})), {-kInf}, {1});
  expect_array_eq<float>(jnp::sqrt(arr<float>({-1.0f}, {1})), {kNaN}, {1});
}

TEST(NumpyElementwise, TranscendentalPromotesIntsToFloat32) {
  // JAX: jnp.exp(int32) is float32; jnp.sqrt(bool) is float32; float64 stays float64.
  expect_array_near<float>(jnp::exp(arr<int32_t>({0, 1, 2}, {3})), {1.0f, 2.7182820f, 7.3890557f},
                           {3});
  expect_array_eq<float>(jnp::sqrt(arr<bool>({true, false}, {2})), {1, 0}, {2});
  expect_array_eq<float>(jnp::sqrt(arr<uint8_t>({4, 9}, {2})), {2, 3}, {2});
  expect_array_near<double>(jnp::log(arr<double>({std::exp(1.0)}, {1})), {1.0}, {1}, 1e-15, 0);
  // A weak int scalar gives a weak float32.
  Array w = jnp::exp(Array(0));
  EXPECT_EQ(w.dtype(), DType::float32);
  EXPECT_TRUE(w.weak_type());
  EXPECT_EQ(w.item<float>(), 1.0f);
}

TEST(NumpyElementwise, SquareReciprocalArctan2Nextafter) {
  expect_array_eq<int32_t>(jnp::square(arr<int32_t>({-3, 4}, {2})), {9, 16}, {2});
  expect_array_eq<float>(jnp::square(arr<float>({1.5f}, {1})), {2.25f}, {1});
  expect_array_eq<int32_t>(jnp::square(arr<bool>({true, false}, {2})), {1, 0}, {2});
  expect_array_eq<float>(jnp::reciprocal(arr<float>({2, -4, 0}, {3})), {0.5f, -0.25f, kInf}, {3});
  expect_array_eq<float>(jnp::reciprocal(arr<int32_t>({2}, {1})), {0.5f}, {1});
  // numpy: np.arctan2(np.float32([1,-1,0,2]), np.float32([1,1,-1,0]))
  expect_array_near<float>(
      jnp::arctan2(arr<float>({1, -1, 0, 2}, {4}), arr<float>({1, 1, -1, 0}, {4})),
      {0.78539813f, -0.78539813f, 3.1415927f, 1.5707964f}, {4});
  expect_array_near<float>(jnp::arctan2(arr<int32_t>({1}, {1}), 1), {0.78539813f}, {1});
  // numpy: np.nextafter(np.float32([1, 0]), np.float32([2, -1])) = [1.0000001, -1.4e-45]
  expect_array_eq<float>(jnp::nextafter(arr<float>({1, 0}, {2}), arr<float>({2, -1}, {2})),
                         {1.00000012f, -1.40129846e-45f}, {2});
}

// ---- classification and comparisons --------------------------------------------------------

TEST(NumpyElementwise, IsFiniteIsNanIsInf) {
  Array f = arr<float>({1.0f, kNaN, kInf, -kInf}, {2, 2});
  expect_array_eq<bool>(jnp::isfinite(f), {true, false, false, false}, {2, 2});
  expect_array_eq<bool>(jnp::isnan(f), {false, true, false, false}, {2, 2});
  expect_array_eq<bool>(jnp::isinf(f), {false, false, true, true}, {2, 2});
  Array i = arr<int32_t>({1, 2}, {2});
  expect_array_eq<bool>(jnp::isfinite(i), {true, true}, {2});
  expect_array_eq<bool>(jnp::isnan(i), {false, false}, {2});
  expect_array_eq<bool>(jnp::isinf(i), {false, false}, {2});
  expect_array_eq<bool>(jnp::isnan(arr<double>({std::nan("")}, {1})), {true}, {1});
}

TEST(NumpyElementwise, ComparisonsPromoteThenCompare) {
  Array i = arr<int32_t>({1, 2, 3}, {3});
  Array f = arr<float>({1.5f, 2.0f, 2.5f}, {3});
  expect_array_eq<bool>(jnp::equal(i, f), {false, true, false}, {3});
  expect_array_eq<bool>(jnp::not_equal(i, f), {true, false, true}, {3});
  expect_array_eq<bool>(jnp::less(i, f), {true, false, false}, {3});
  expect_array_eq<bool>(jnp::less_equal(i, f), {true, true, false}, {3});
  expect_array_eq<bool>(jnp::greater(i, f), {false, false, true}, {3});
  expect_array_eq<bool>(jnp::greater_equal(i, f), {false, true, true}, {3});
  expect_array_eq<bool>(jnp::equal(i, 2), {false, true, false}, {3});
  // Broadcasting against a column.
  expect_array_eq<bool>(jnp::less(i, arr<int32_t>({2, 3}, {2, 1})),
                        {true, false, false, true, true, false}, {2, 3});
  // NaN compares unequal to everything.
  expect_array_eq<bool>(jnp::equal(arr<float>({kNaN}, {1}), kNaN), {false}, {1});
  expect_array_eq<bool>(jnp::equal(arr<bool>({true, false}, {2}), true), {true, false}, {2});
}

TEST(NumpyElementwise, MaximumMinimumPropagateNaN) {
  Array a = arr<float>({1, kNaN, 3}, {3});
  Array b = arr<float>({2, 0, kNaN}, {3});
  expect_array_eq<float>(jnp::maximum(a, b), {2, kNaN, kNaN}, {3});
  expect_array_eq<float>(jnp::minimum(a, b), {1, kNaN, kNaN}, {3});
  expect_array_eq<int32_t>(jnp::maximum(arr<int32_t>({-1, 5}, {2}), 0), {0, 5}, {2});
  expect_array_eq<uint8_t>(jnp::minimum(arr<uint8_t>({1, 250}, {2}), 100), {1, 100}, {2});
  expect_array_eq<bool>(jnp::maximum(arr<bool>({true, false}, {2}), arr<bool>({false, false}, {2})),
                        {true, false}, {2});
}

TEST(NumpyElementwise, LogicalOpsTakeAnyDtype) {
  Array a = arr<float>({0.0f, 2.0f, 0.0f, -1.0f}, {4});
  Array b = arr<int32_t>({0, 0, 3, 4}, {4});
  expect_array_eq<bool>(jnp::logical_and(a, b), {false, false, false, true}, {4});
  expect_array_eq<bool>(jnp::logical_or(a, b), {false, true, true, true}, {4});
  expect_array_eq<bool>(jnp::logical_xor(a, b), {false, true, true, false}, {4});
  expect_array_eq<bool>(jnp::logical_not(a), {true, false, true, false}, {4});
  expect_array_eq<bool>(jnp::logical_not(arr<bool>({true, false}, {2})), {false, true}, {2});
  // NaN is truthy.
  expect_array_eq<bool>(jnp::logical_not(arr<float>({kNaN}, {1})), {false}, {1});
  expect_array_eq<bool>(jnp::logical_and(arr<uint8_t>({1, 2}, {2}), true), {true, true}, {2});
}

TEST(NumpyElementwise, BitwiseAndShifts) {
  Array a = arr<int32_t>({12, -1, 5}, {3});
  Array b = arr<int32_t>({10, 7, 0}, {3});
  expect_array_eq<int32_t>(jnp::bitwise_and(a, b), {8, 7, 0}, {3});
  expect_array_eq<int32_t>(jnp::bitwise_or(a, b), {14, -1, 5}, {3});
  expect_array_eq<int32_t>(jnp::bitwise_xor(a, b), {6, -8, 5}, {3});
  expect_array_eq<int32_t>(jnp::bitwise_not(a), {-13, 0, -6}, {3});
  expect_array_eq<int32_t>(jnp::invert(a), {-13, 0, -6}, {3});
  expect_array_eq<uint8_t>(jnp::invert(arr<uint8_t>({0, 255, 15}, {3})), {255, 0, 240}, {3});
  expect_array_eq<bool>(jnp::invert(arr<bool>({true, false}, {2})), {false, true}, {2});
  expect_array_eq<bool>(
      jnp::bitwise_xor(arr<bool>({true, true}, {2}), arr<bool>({true, false}, {2})), {false, true},
      {2});
  expect_array_eq<int32_t>(jnp::left_shift(arr<int32_t>({1, 3, -1}, {3}), 2), {4, 12, -4}, {3});
  // Signed ints shift arithmetically, unsigned logically.
  expect_array_eq<int32_t>(jnp::right_shift(arr<int32_t>({-8, 8}, {2}), 1), {-4, 4}, {2});
  expect_array_eq<uint8_t>(jnp::right_shift(arr<uint8_t>({128, 255}, {2}), 4), {8, 15}, {2});
  expect_array_eq<uint32_t>(jnp::left_shift(arr<uint32_t>({1u}, {1}), 31), {2147483648u}, {1});
  // Bools shift as int32.
  expect_array_eq<int32_t>(jnp::left_shift(arr<bool>({true}, {1}), arr<bool>({true}, {1})), {2},
                           {1});
  expect_error<jx::DTypeError>([&] { jnp::bitwise_and(arr<float>({1}, {1}), 1); },
                               {"and", "float32"});
  expect_error<jx::DTypeError>([&] { jnp::left_shift(arr<float>({1}, {1}), 1); },
                               {"shift_left", "float32"});
}

// ---- where and clip ------------------------------------------------------------------------

TEST(NumpyElementwise, WhereBroadcastsAndPromotes) {
  Array c = arr<bool>({true, false, true}, {3});
  expect_array_eq<float>(jnp::where(c, arr<float>({1, 2, 3}, {3}), 0.0f), {1, 0, 3}, {3});
  // Condition of any dtype (nonzero is true), x/y promoted.
  Array ci = arr<int32_t>({0, 5}, {2, 1});
  expect_array_eq<float>(jnp::where(ci, arr<int32_t>({1, 2}, {2}), arr<float>({-1.5f}, {1})),
                         {-1.5f, -1.5f, 1, 2}, {2, 2});
  // A weak float with an int array -> float32; with a float32 array stays float32.
  Array r = jnp::where(c, arr<int32_t>({1, 2, 3}, {3}), 0.5);
  expect_array_eq<float>(r, {1, 0.5f, 3}, {3});
  Array x = arr<double>({1, 2, 3}, {3});
  expect_array_eq<double>(jnp::where(jnp::greater(x, 1.5), x, 0), {0, 2, 3}, {3});
  // Empty result.
  Array e = jnp::where(arr<bool>({}, {0}), arr<float>({}, {0}), 1.0f);
  EXPECT_EQ(e.shape(), Shape({0}));
  EXPECT_EQ(e.dtype(), DType::float32);
  expect_error<jx::ShapeError>(
      [&] {
        jnp::where(c, arr<float>({1, 2}, {2}), 0.0f);
      },
      {"where", "Incompatible shapes for broadcasting", "(3,)", "(2,)"});
}

TEST(NumpyElementwise, ClipWithOptionalBounds) {
  Array x = arr<float>({-2, 0.5f, 3, kNaN}, {4});
  expect_array_eq<float>(jnp::clip(x, Array(0.0f), Array(1.0f)), {0, 0.5f, 1, kNaN}, {4});
  expect_array_eq<float>(jnp::clip(x, Array(0.0f)), {0, 0.5f, 3, kNaN}, {4});
  expect_array_eq<float>(jnp::clip(x, std::nullopt, Array(1.0f)), {-2, 0.5f, 1, kNaN}, {4});
  expect_array_eq<float>(jnp::clip(x), {-2, 0.5f, 3, kNaN}, {4});
  Array i = arr<int32_t>({-5, 3, 9}, {3});
  expect_array_eq<int32_t>(jnp::clip(i, Array(0), Array(5)), {0, 3, 5}, {3});
  // Array bounds broadcast.
  expect_array_eq<int32_t>(jnp::clip(i, arr<int32_t>({0, 4, 0}, {3}), Array(8)), {0, 4, 8}, {3});
}

// ---- shapes and errors ---------------------------------------------------------------------

TEST(NumpyElementwise, EmptyAndScalarShapes) {
  Array e = arr<float>({}, {0, 3});
  Array r = jnp::add(e, arr<float>({1, 2, 3}, {3}));
  EXPECT_EQ(r.shape(), Shape({0, 3}));
  EXPECT_EQ(jnp::exp(e).shape(), Shape({0, 3}));
  EXPECT_EQ(jnp::floor_divide(e, 2.0f).shape(), Shape({0, 3}));
  EXPECT_EQ(jnp::remainder(e, 2.0f).shape(), Shape({0, 3}));
  Array s = jnp::multiply(Array::from_vector<float>({3.0f}, {}), 2.0);
  EXPECT_EQ(s.shape(), Shape({}));
  EXPECT_EQ(s.item<float>(), 6.0f);
  EXPECT_FALSE(s.weak_type());
}

TEST(NumpyElementwise, IncompatibleShapesError) {
  expect_error<jx::ShapeError>(
      [] {
        jnp::add(arr<float>({1, 2, 3}, {3}), arr<float>({1, 2, 3, 4}, {4}));
      },
      {"add", "Incompatible shapes for broadcasting", "(3,)", "(4,)"});
  expect_error<jx::ShapeError>(
      [] {
        jnp::maximum(arr<int32_t>({1, 2}, {2, 1}), arr<int32_t>({1, 2, 3}, {1, 3, 1}));
      },
      {"maximum", "(2, 1)", "(1, 3, 1)"});
  expect_error<jx::ValueError>([] { jnp::add(Array(), 1); }, {"null"});
}

// ---- more dtypes ---------------------------------------------------------------------------

TEST(NumpyElementwise, Float64Int64Uint32) {
  Array d = arr<double>({0.5, 1.0, 2.0}, {3});
  // numpy float64: np.exp, np.tanh, np.log10 of [0.5, 1, 2]
  expect_array_near<double>(jnp::exp(d), {1.6487212707001282, 2.718281828459045, 7.38905609893065},
                            {3}, 1e-14, 0);
  expect_array_near<double>(
      jnp::tanh(d), {0.46211715726000974, 0.7615941559557649, 0.9640275800758169}, {3}, 1e-14, 0);
  expect_array_near<double>(jnp::log10(d), {-0.3010299956639812, 0.0, 0.3010299956639812}, {3},
                            1e-14, 1e-15);
  expect_array_eq<double>(jnp::remainder(arr<double>({7.5, -7.5}, {2}), 2.0), {1.5, 0.5}, {2});
  expect_array_eq<int64_t>(jnp::floor_divide(arr<int64_t>({7, -7}, {2}), 2), {3, -4}, {2});
  // Exact integer powers beyond float precision: 3**39 = 4052555153018976267.
  expect_array_eq<int64_t>(jnp::power(arr<int64_t>({3}, {1}), 39), {4052555153018976267LL}, {1});
  expect_array_eq<int64_t>(jnp::power(arr<int64_t>({3, -2}, {2}), arr<int64_t>({39, 5}, {2})),
                           {4052555153018976267LL, -32}, {2});
  Array u = arr<uint32_t>({4000000000u, 7u}, {2});
  expect_array_eq<uint32_t>(jnp::add(u, 1), {4000000001u, 8u}, {2});
  expect_array_eq<uint32_t>(jnp::floor_divide(u, 2), {2000000000u, 3u}, {2});
  expect_array_eq<bool>(jnp::greater(u, 5), {true, true}, {2});
  expect_array_eq<uint32_t>(jnp::maximum(u, 10u), {4000000000u, 10u}, {2});
  // uint32 with int32 promotes to int64 (JAX's lattice).
  expect_array_eq<int64_t>(jnp::subtract(u, arr<int32_t>({0, 8}, {2})), {4000000000LL, -1}, {2});
  expect_array_eq<bool>(jnp::isfinite(u), {true, true}, {2});
  expect_array_eq<double>(jnp::where(arr<bool>({true, false}, {2}), arr<double>({0.5}, {}), -1.0),
                          {0.5, -1.0}, {2});
  Array w = jnp::sqrt(Array(4.0));
  EXPECT_TRUE(w.weak_type());
  EXPECT_EQ(w.item<float>(), 2.0f);
  EXPECT_FALSE(jnp::less(Array(1.0), Array(2.0)).weak_type());
}
