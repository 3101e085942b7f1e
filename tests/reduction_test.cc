// Tests of reduce_{sum,max,min,prod,and,or} and argmax/argmin. Expected values come from numpy
// (/usr/bin/python3, pasted as literals) or are derived by hand / in closed form.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "jx/lax.h"
#include "test_util.h"

namespace {

using jx::Array;
using jx::Shape;
using jx::testing::arr;
using jx::testing::expect_array_eq;
using jx::testing::expect_error;
namespace lax = jx::lax;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

template <class T>
Array iota_like(int64_t n, Shape shape) {
  std::vector<T> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<T>(i);
  return arr<T>(v, shape);
}

// expect_array_eq for bool results (Array::to_vector<bool> cannot fill a std::vector<bool>).
void expect_bools(const Array& a, const std::vector<int>& expected, const Shape& shape) {
  ASSERT_EQ(a.dtype(), jx::bool_);
  ASSERT_EQ(a.shape(), shape);
  std::vector<uint8_t> got = a.to_vector<uint8_t>();
  EXPECT_EQ(got, std::vector<uint8_t>(expected.begin(), expected.end()));
}

// x[i] = (i * 37 % 101) - 50 over a [4, 5, 6, 7] array (inputs of the multi-pass tests).
template <class T>
Array scrambled() {
  std::vector<T> v(840);
  for (int64_t i = 0; i < 840; ++i) v[static_cast<size_t>(i)] = static_cast<T>(i * 37 % 101 - 50);
  return arr<T>(v, {4, 5, 6, 7});
}

TEST(ReduceSum, EveryAxisSetOfRank3) {
  // numpy: np.arange(24, dtype=np.float32).reshape(2, 3, 4).sum(axis=...)
  Array x = iota_like<float>(24, {2, 3, 4});
  expect_array_eq<float>(lax::reduce_sum(x, {0}), {12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34},
                         {3, 4});
  expect_array_eq<float>(lax::reduce_sum(x, {1}), {12, 15, 18, 21, 48, 51, 54, 57}, {2, 4});
  expect_array_eq<float>(lax::reduce_sum(x, {2}), {6, 22, 38, 54, 70, 86}, {2, 3});
  expect_array_eq<float>(lax::reduce_sum(x, {0, 1}), {60, 66, 72, 78}, {4});
  expect_array_eq<float>(lax::reduce_sum(x, {0, 2}), {60, 92, 124}, {3});
  expect_array_eq<float>(lax::reduce_sum(x, {2, 0}), {60, 92, 124}, {3});  // any order
  expect_array_eq<float>(lax::reduce_sum(x, {1, 2}), {66, 210}, {2});
  expect_array_eq<float>(lax::reduce_sum(x, {0, 1, 2}), {276}, {});
  // No axes: the identity.
  expect_array_eq<float>(lax::reduce_sum(x, {}), x.to_vector<float>(), {2, 3, 4});
}

TEST(ReduceSum, NonAdjacentAxesTakeSeveralPasses) {
  // numpy: x = (np.arange(840).reshape(4,5,6,7) * 37 % 101 - 50); x.sum(axis=...).ravel()
  std::vector<int64_t> s02 = {49,  28,   108, -14, -136, 146, 24, -126, 55,  34,  -88,  194,
                              -29, -151, 103, -19, -141, 141, 19, -103, 78,  29,  -194, 88,
                              -34, -55,  126, 4,   -146, 136, 14, -108, -28, -49, 31};
  std::vector<int64_t> s13 = {17,  -8, -33, 43,  -83, -7, -26, -51, 25,  0,  -25, 51,
                              -69, 7,  83,  -43, 33,  8,  -11, 65,  -61, 15, -10, 66};
  std::vector<int64_t> s03 = {0,   81,   -40,  142,  -80, 102, -120, 62,   42,  -79,
                              103, -119, 63,   -159, 23,  3,   -17,  165,  -57, 125,
                              -97, 85,   -137, 45,   25,  -96, 86,   -136, 46,  -75};
  std::vector<int64_t> s013 = {-89, 13, 14, 15, -85, 118};
  Array xi = scrambled<int64_t>();
  expect_array_eq<int64_t>(lax::reduce_sum(xi, {0, 2}), s02, {5, 7});
  expect_array_eq<int64_t>(lax::reduce_sum(xi, {1, 3}), s13, {4, 6});
  expect_array_eq<int64_t>(lax::reduce_sum(xi, {0, 3}), s03, {5, 6});
  expect_array_eq<int64_t>(lax::reduce_sum(xi, {0, 1, 3}), s013, {6});
  Array xf = scrambled<float>();
  std::vector<float> f02(s02.begin(), s02.end()), f13(s13.begin(), s13.end());
  expect_array_eq<float>(lax::reduce_sum(xf, {0, 2}), f02, {5, 7});
  expect_array_eq<float>(lax::reduce_sum(xf, {3, 1}), f13, {4, 6});
  // numpy: x.max(axis=(1, 3)).ravel() and x.max(axis=(0, 1, 3))
  expect_array_eq<int32_t>(lax::reduce_max(scrambled<int32_t>(), {1, 3}),
                           {50, 46, 49, 48, 50, 49, 45, 49, 48, 50, 47, 50,
                            49, 48, 50, 45, 50, 47, 50, 49, 44, 50, 47, 50},
                           {4, 6});
  expect_array_eq<double>(lax::reduce_max(scrambled<double>(), {0, 1, 3}), {50, 49, 50, 50, 50, 50},
                          {6});
}

TEST(ReduceSum, EachNumberDtype) {
  // Integers wrap around (numpy: np.array([200, 100, 50], np.uint8).sum(dtype=np.uint8) == 94).
  expect_array_eq<uint8_t>(lax::reduce_sum(arr<uint8_t>({200, 100, 50}), {0}), {94}, {});
  expect_array_eq<int32_t>(lax::reduce_sum(arr<int32_t>({2147483647, 5}), {0}), {-2147483644}, {});
  expect_array_eq<uint32_t>(lax::reduce_sum(arr<uint32_t>({4000000000u, 300000000u}), {0}),
                            {5032704u}, {});  // 4.3e9 - 2^32
  expect_array_eq<int64_t>(lax::reduce_sum(arr<int64_t>({1, 2, 3, 4}, {2, 2}), {1}), {3, 7}, {2});
  expect_array_eq<double>(lax::reduce_sum(arr<double>({0.5, 0.25, 0.125}), {0}), {0.875}, {});
  expect_error<jx::DTypeError>(
      [] {
        lax::reduce_sum(arr<bool>({true, false}), {0});
      },
      {"reduce_sum does not accept dtype bool", "Accepted dtypes are subtypes of number"});
}

TEST(ReduceSum, EmptyAndScalarInputs) {
  // Reducing a zero-length axis gives the identity; keeping one gives an empty result.
  Array e = arr<float>({}, {0, 3});
  expect_array_eq<float>(lax::reduce_sum(e, {0}), {0, 0, 0}, {3});
  expect_array_eq<float>(lax::reduce_sum(e, {1}), {}, {0});
  expect_array_eq<float>(lax::reduce_prod(e, {0}), {1, 1, 1}, {3});
  expect_array_eq<int32_t>(lax::reduce_sum(arr<int32_t>({}, {0}), {0}), {0}, {});
  // Rank 0: only the empty axis set is valid.
  Array s = arr<float>({2.5f}, {});
  expect_array_eq<float>(lax::reduce_sum(s, {}), {2.5f}, {});
  expect_array_eq<float>(lax::reduce_max(s, {}), {2.5f}, {});
  // Size-1 dims are reduced like any other.
  expect_array_eq<float>(lax::reduce_sum(arr<float>({1, 2, 3}, {1, 3, 1}), {0, 2}), {1, 2, 3}, {3});
}

TEST(Reduce, KeepsDtypeAndWeakType) {
  Array w = 3.0;  // weak float32
  ASSERT_TRUE(w.weak_type());
  Array r = lax::reduce_sum(w, {});
  EXPECT_TRUE(r.weak_type());
  EXPECT_EQ(r.dtype(), jx::float32);
  EXPECT_FALSE(lax::reduce_max(arr<float>({1, 2}), {0}).weak_type());
}

TEST(ReduceMaxMin, FloatsIntsAndNaN) {
  // numpy: y = (np.arange(24).reshape(2,3,4) * 7 % 11 - 5); y.max/min(axis=...)
  std::vector<float> y = {-5, 2,  -2, 5, 1,  -3, 4, 0,  -4, 3,  -1, -5,
                          2,  -2, 5,  1, -3, 4,  0, -4, 3,  -1, -5, 2};
  Array x = arr<float>(y, {2, 3, 4});
  expect_array_eq<float>(lax::reduce_max(x, {2}), {5, 4, 3, 5, 4, 3}, {2, 3});
  expect_array_eq<float>(lax::reduce_min(x, {2}), {-5, -3, -5, -2, -4, -5}, {2, 3});
  expect_array_eq<float>(lax::reduce_max(x, {0, 2}), {5, 4, 3}, {3});
  expect_array_eq<float>(lax::reduce_min(x, {0, 2}), {-5, -4, -5}, {3});
  expect_array_eq<float>(lax::reduce_max(x, {1}), {1, 3, 4, 5, 3, 4, 5, 2}, {2, 4});
  expect_array_eq<float>(lax::reduce_min(x, {1}), {-5, -3, -2, -5, -3, -2, -5, -4}, {2, 4});
  std::vector<int32_t> yi(y.begin(), y.end());
  expect_array_eq<int32_t>(lax::reduce_max(arr<int32_t>(yi, {2, 3, 4}), {0}),
                           {2, 2, 5, 5, 1, 4, 4, 0, 3, 3, -1, 2}, {3, 4});
  // NaN propagates, wherever it is.
  Array n = arr<float>({1, kNaN, 3, -kInf, 2, 7}, {2, 3});
  expect_array_eq<float>(lax::reduce_max(n, {1}), {kNaN, 7}, {2});
  expect_array_eq<float>(lax::reduce_min(n, {1}), {kNaN, -kInf}, {2});
  expect_array_eq<float>(lax::reduce_max(n, {0}), {1, kNaN, 7}, {3});
  expect_array_eq<double>(lax::reduce_min(arr<double>({3, 2, std::nan("")}), {0}), {std::nan("")},
                          {});
  // Unsigned and wide integers.
  expect_array_eq<uint8_t>(lax::reduce_max(arr<uint8_t>({3, 250, 7}), {0}), {250}, {});
  expect_array_eq<uint32_t>(lax::reduce_min(arr<uint32_t>({3000000000u, 250, 7}), {0}), {7}, {});
  expect_array_eq<int64_t>(lax::reduce_min(arr<int64_t>({-(int64_t{1} << 40), 5}), {0}),
                           {-(int64_t{1} << 40)}, {});
}

TEST(ReduceMaxMin, BoolAndEmptyIdentities) {
  Array b = arr<bool>({false, true, false, false}, {2, 2});
  expect_bools(lax::reduce_max(b, {1}), {1, 0}, {2});
  expect_bools(lax::reduce_min(b, {0}), {0, 0}, {2});
  expect_bools(lax::reduce_max(arr<bool>({}, {0}), {0}), {0}, {});
  expect_bools(lax::reduce_min(arr<bool>({}, {0}), {0}), {1}, {});
  expect_array_eq<float>(lax::reduce_max(arr<float>({}, {0}), {0}), {-kInf}, {});
  expect_array_eq<float>(lax::reduce_min(arr<float>({}, {2, 0}), {1}), {kInf, kInf}, {2});
  expect_array_eq<int32_t>(lax::reduce_max(arr<int32_t>({}, {0}), {0}),
                           {std::numeric_limits<int32_t>::min()}, {});
  expect_array_eq<int32_t>(lax::reduce_min(arr<int32_t>({}, {0}), {0}),
                           {std::numeric_limits<int32_t>::max()}, {});
  expect_array_eq<uint8_t>(lax::reduce_max(arr<uint8_t>({}, {0}), {0}), {0}, {});
  expect_array_eq<uint8_t>(lax::reduce_min(arr<uint8_t>({}, {0}), {0}), {255}, {});
}

TEST(ReduceProd, NumbersWrapAndFloats) {
  // numpy: y.prod(axis=2) for y above -> [[100, -0, -60], [-20, 0, 30]]
  std::vector<float> y = {-5, 2,  -2, 5, 1,  -3, 4, 0,  -4, 3,  -1, -5,
                          2,  -2, 5,  1, -3, 4,  0, -4, 3,  -1, -5, 2};
  expect_array_eq<float>(lax::reduce_prod(arr<float>(y, {2, 3, 4}), {2}),
                         {100, -0.0f, -60, -20, 0, 30}, {2, 3});
  // numpy: np.array([65537, 65537], np.int32).prod(dtype=np.int32) == 131073
  expect_array_eq<int32_t>(lax::reduce_prod(arr<int32_t>({65537, 65537}), {0}), {131073}, {});
  // numpy: np.array([3, 5, 7, 200], np.uint8).prod(dtype=np.uint8) == 8
  expect_array_eq<uint8_t>(lax::reduce_prod(arr<uint8_t>({3, 5, 7, 200}), {0}), {8}, {});
  expect_array_eq<double>(lax::reduce_prod(arr<double>({0.5, 4, 3}), {0}), {6}, {});
  expect_error<jx::DTypeError>([] { lax::reduce_prod(arr<bool>({true}), {0}); },
                               {"reduce_prod", "bool"});
}

TEST(ReduceAndOr, LogicalOnBoolBitwiseOnInts) {
  Array b = arr<bool>({true, true, false, true}, {2, 2});
  expect_bools(lax::reduce_and(b, {1}), {1, 0}, {2});
  expect_bools(lax::reduce_or(b, {0}), {1, 1}, {2});
  expect_bools(lax::reduce_and(arr<bool>({}, {0}), {0}), {1}, {});
  expect_bools(lax::reduce_or(arr<bool>({}, {0}), {0}), {0}, {});
  // numpy: np.bitwise_and.reduce([[0b1110, 0b0111], [0b1011, 0b1111]], axis=0) == [10, 7]
  expect_array_eq<uint8_t>(lax::reduce_and(arr<uint8_t>({14, 7, 11, 15}, {2, 2}), {0}), {10, 7},
                           {2});
  // numpy: np.bitwise_or.reduce([[1, 2], [4, 8]], axis=1) == [3, 12]
  expect_array_eq<int32_t>(lax::reduce_or(arr<int32_t>({1, 2, 4, 8}, {2, 2}), {1}), {3, 12}, {2});
  expect_array_eq<int32_t>(lax::reduce_and(arr<int32_t>({}, {0}), {0}), {-1}, {});
  expect_array_eq<uint32_t>(lax::reduce_and(arr<uint32_t>({}, {0}), {0}), {0xFFFFFFFFu}, {});
  expect_error<jx::DTypeError>(
      [] { lax::reduce_or(arr<float>({1.0f}), {0}); },
      {"reduce_or", "logical reduction requires operand dtype bool or int, got float32"});
}

TEST(Reduce, AxisErrors) {
  Array x = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_error<jx::ValueError>(
      [&] {
        lax::reduce_sum(x, {1, 1});
      },
      {"reduce_sum", "duplicate value in 'axes' of reduction: (1, 1)"});
  expect_error<jx::IndexError>(
      [&] {
        lax::reduce_max(x, {0, 2});
      },
      {"reduce_max", "reduction axes (0, 2) contains out-of-bounds indices for f32[2,3]"});
  expect_error<jx::IndexError>([&] { lax::reduce_min(x, {-1}); }, {"out-of-bounds"});
  expect_error<jx::IndexError>([] { lax::reduce_sum(arr<float>({1}, {}), {0}); },
                               {"reduce_sum", "f32[]"});
}

// ---- large inputs: the parallel and multi-accumulator paths --------------------------------

TEST(ReduceSumLarge, Float32IsAccurate) {
  // 2^24 + 2^23 ones: a single float32 accumulator stops at 2^24 = 16777216.
  const int64_t n = (int64_t{1} << 24) + (int64_t{1} << 23);
  Array ones = arr<float>(std::vector<float>(static_cast<size_t>(n), 1.0f), {n});
  EXPECT_EQ(lax::reduce_sum(ones, {0}).item<float>(), 25165824.0f);
  // 1e7 copies of 0.1f: pairwise summation keeps the relative error near float epsilon.
  const int64_t m = 10'000'000;
  Array tenths = arr<float>(std::vector<float>(static_cast<size_t>(m), 0.1f), {m});
  const double exact = static_cast<double>(m) * static_cast<double>(0.1f);
  EXPECT_NEAR(lax::reduce_sum(tenths, {0}).item<float>(), exact, exact * 1e-6);
  // 1e7 ones, as a [1e7] vector and as [10, 1e6] rows.
  Array ones7 = arr<float>(std::vector<float>(10'000'000, 1.0f), {10, 1'000'000});
  EXPECT_EQ(lax::reduce_sum(ones7, {0, 1}).item<float>(), 1e7f);
  expect_array_eq<float>(lax::reduce_sum(ones7, {1}), std::vector<float>(10, 1e6f), {10});
}

// x[i, j] = (i % 7) + j: every partial sum is an integer below 2^24, so float32 results are
// exact in any summation order.
Array tall(int64_t rows, int64_t cols) {
  std::vector<float> v(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) v[static_cast<size_t>(i * cols + j)] = float(i % 7 + j);
  }
  return arr<float>(v, {rows, cols});
}
// sum over i < rows of (i % 7), in closed form.
int64_t sum_mod7(int64_t rows) { return rows / 7 * 21 + (rows % 7) * (rows % 7 - 1) / 2; }

TEST(ReduceSumLarge, OuterAxisOfTallMatrices) {
  for (int64_t cols : {1, 3, 1500, 5000}) {  // few columns: split over rows; many: tiles
    const int64_t rows = cols >= 1500 ? 1000 : 1'000'003;
    Array x = tall(rows, cols);
    std::vector<float> expected;
    for (int64_t j = 0; j < cols; ++j) expected.push_back(float(sum_mod7(rows) + j * rows));
    expect_array_eq<float>(lax::reduce_sum(x, {0}), expected, {cols});
    std::vector<float> mx;
    for (int64_t j = 0; j < cols; ++j) mx.push_back(float(6 + j));
    expect_array_eq<float>(lax::reduce_max(x, {0}), mx, {cols});
  }
}

TEST(ReduceSumLarge, InnerAxisOfManyRows) {
  Array x = tall(300'000, 7);  // row i sums to 7 * (i % 7) + 21
  Array s = lax::reduce_sum(x, {1});
  std::vector<float> got = s.to_vector<float>();
  ASSERT_EQ(got.size(), 300'000u);
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], float(7 * (i % 7) + 21)) << i;
}

TEST(ReduceLarge, IntegerAndLogicalOnManyElements) {
  const int64_t n = 3'000'001;
  std::vector<int32_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<int32_t>(i % 1000);
  v[1234567] = -5;
  Array x = arr<int32_t>(v, {n});
  // sum of i % 1000 over [0, n) is 3000 * 499500 + 0; minus the overwritten 567, plus -5.
  EXPECT_EQ(lax::reduce_sum(x, {0}).item<int64_t>(), 3000LL * 499500 - 567 - 5);
  EXPECT_EQ(lax::reduce_min(x, {0}).item<int32_t>(), -5);
  EXPECT_EQ(lax::reduce_max(x, {0}).item<int32_t>(), 999);
  std::vector<bool> bits(static_cast<size_t>(n), true);
  bits[2'999'999] = false;
  Array b = arr<bool>(bits, {n});
  EXPECT_FALSE(lax::reduce_and(b, {0}).item<bool>());
  EXPECT_TRUE(lax::reduce_or(b, {0}).item<bool>());
  std::vector<float> f(static_cast<size_t>(n), 1.0f);
  f[2'500'000] = kNaN;
  EXPECT_TRUE(std::isnan(lax::reduce_max(arr<float>(f, {n}), {0}).item<float>()));
}

// ---- argmax / argmin ------------------------------------------------------------------------

TEST(ArgMaxMin, SmallMatricesAndTies) {
  // numpy: a.argmax(0), a.argmax(1), a.argmin(0), a.argmin(1)
  Array a = arr<int32_t>({3, 7, 7, 1, 9, 2, 9, 9, 0, 0, -1, 5}, {3, 4});
  expect_array_eq<int32_t>(lax::argmax(a, 0, jx::int32), {1, 0, 1, 1}, {4});
  expect_array_eq<int32_t>(lax::argmax(a, 1, jx::int32), {1, 0, 3}, {3});
  expect_array_eq<int64_t>(lax::argmin(a, 0, jx::int64), {2, 2, 2, 0}, {4});
  expect_array_eq<int64_t>(lax::argmin(a, 1, jx::int64), {3, 1, 2}, {3});
  expect_array_eq<uint8_t>(lax::argmax(arr<double>({1, 5, 5}), 0, jx::uint8), {1}, {});
  expect_array_eq<int32_t>(lax::argmax(arr<bool>({false, true, true}), 0), {1}, {});
  expect_array_eq<int32_t>(lax::argmin(arr<uint32_t>({4, 2, 9, 2}), 0), {1}, {});
  Array r = lax::argmax(arr<float>({2.0f}, {1}), 0);
  expect_array_eq<int32_t>(r, {0}, {});
  EXPECT_FALSE(lax::argmax(arr<float>({1, 2}), 0).weak_type());
}

TEST(ArgMaxMin, NaNIsTheExtremeAndTheFirstWins) {
  // numpy: np.argmax/argmin of [[1, nan, 3, nan], [2, 5, nan, -1]] along 1 and 0
  Array f = arr<float>({1, kNaN, 3, kNaN, 2, 5, kNaN, -1}, {2, 4});
  expect_array_eq<int32_t>(lax::argmax(f, 1), {1, 2}, {2});
  expect_array_eq<int32_t>(lax::argmin(f, 1), {1, 2}, {2});
  expect_array_eq<int32_t>(lax::argmax(f, 0), {1, 0, 1, 0}, {4});
  expect_array_eq<int32_t>(lax::argmin(f, 0), {0, 0, 1, 0}, {4});
}

TEST(ArgMaxMin, LargeInputsUseEveryPath) {
  const int64_t n = 2'000'000;
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = float(i % 1000);
  v[1'500'000] = 5000;
  v[1'700'000] = 5000;  // a later tie loses
  v[300'000] = -1;
  Array x = arr<float>(v, {n});
  EXPECT_EQ(lax::argmax(x, 0).item<int32_t>(), 1'500'000);
  EXPECT_EQ(lax::argmin(x, 0).item<int32_t>(), 300'000);
  v[1'900'000] = kNaN;
  v[1'950'000] = kNaN;
  EXPECT_EQ(lax::argmax(arr<float>(v, {n}), 0).item<int32_t>(), 1'900'000);
  EXPECT_EQ(lax::argmin(arr<float>(v, {n}), 0).item<int32_t>(), 1'900'000);
  // Along the outer axis of [n / 4, 4] (one index row of 4 carried over all rows).
  Array m = arr<float>(v, {n / 4, 4});
  // Flat 1'500'000 is (375000, 0); 1'900'000 is (475000, 0); 300'000 is (75000, 0). Column 1
  // holds (4 * i + 1) % 1000: its first maximum, 997, is at row 249.
  expect_array_eq<int64_t>(lax::argmax(m, 0, jx::int64), {475000, 249, 249, 249}, {4});
}

TEST(ArgMaxMin, Errors) {
  expect_error<jx::ValueError>(
      [] {
        lax::argmax(arr<float>({}, {0, 3}), 0);
      },
      {"attempt to get argmax of an empty sequence", "operand.shape=(0, 3) axis=0"});
  expect_error<jx::ValueError>(
      [] {
        lax::argmin(arr<float>({}, {2, 0}), 1);
      },
      {"attempt to get argmin of an empty sequence"});
  expect_error<jx::IndexError>(
      [] {
        lax::argmax(arr<float>({1, 2}), 1);
      },
      {"argmax", "Invalid axis 1 for operand shape (2,)"});
  expect_error<jx::IndexError>([] { lax::argmax(Array(2.0), 0); }, {"Invalid axis 0"});
  expect_error<jx::DTypeError>(
      [] {
        lax::argmin(arr<float>({1, 2}), 0, jx::float32);
      },
      {"index_dtype must be an integer type, but got float32"});
  expect_array_eq<int32_t>(lax::argmax(arr<float>({}, {0, 2}), 1), {}, {0});
}

}  // namespace
