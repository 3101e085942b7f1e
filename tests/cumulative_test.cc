// Tests of cumsum/cumprod/cummax/cummin. Expected values are hand-derived.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "jx/lax.h"
#include "test_util.h"

namespace {

using jx::Array;
using jx::testing::arr;
using jx::testing::expect_array_eq;
using jx::testing::expect_error;
namespace lax = jx::lax;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(Cumulative, AxesAndReverse) {
  Array x = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_array_eq<float>(lax::cumsum(x, 1), {1, 3, 6, 4, 9, 15}, {2, 3});
  expect_array_eq<float>(lax::cumsum(x, 0), {1, 2, 3, 5, 7, 9}, {2, 3});
  expect_array_eq<float>(lax::cumsum(x, 1, true), {6, 5, 3, 15, 11, 6}, {2, 3});
  expect_array_eq<float>(lax::cumprod(x, 1), {1, 2, 6, 4, 20, 120}, {2, 3});
  expect_array_eq<float>(lax::cumprod(x, 0, true), {4, 10, 18, 4, 5, 6}, {2, 3});
  Array y = arr<int32_t>({3, 1, 4, 1, 5, 9, 2, 6}, {8});
  expect_array_eq<int32_t>(lax::cummax(y, 0), {3, 3, 4, 4, 5, 9, 9, 9}, {8});
  expect_array_eq<int32_t>(lax::cummin(y, 0), {3, 1, 1, 1, 1, 1, 1, 1}, {8});
  expect_array_eq<int32_t>(lax::cummax(y, 0, true), {9, 9, 9, 9, 9, 9, 6, 6}, {8});
}

TEST(Cumulative, DtypesNaNAndWrap) {
  expect_array_eq<float>(lax::cummax(arr<float>({1, kNaN, 3}), 0), {1, kNaN, kNaN}, {3});
  expect_array_eq<float>(lax::cummin(arr<float>({1, 0, kNaN}), 0, true), {kNaN, kNaN, kNaN}, {3});
  expect_array_eq<uint8_t>(lax::cumsum(arr<uint8_t>({200, 100, 1}), 0), {200, 44, 45}, {3});
  expect_array_eq<int64_t>(lax::cumprod(arr<int64_t>({2, 3, 4}), 0), {2, 6, 24}, {3});
  expect_array_eq<double>(lax::cumsum(arr<double>({0.5, 0.25}), 0), {0.5, 0.75}, {2});
  expect_array_eq<uint32_t>(lax::cummin(arr<uint32_t>({7, 9, 2}), 0), {7, 7, 2}, {3});
  expect_array_eq<float>(lax::cumsum(arr<float>({}, {0, 2}), 0), {}, {0, 2});
}

TEST(Cumulative, LargeScansUseTheParallelPath) {
  const int64_t n = 1'000'003;
  Array ones = arr<int32_t>(std::vector<int32_t>(n, 1), {n});
  std::vector<int32_t> got = lax::cumsum(ones, 0).to_vector<int32_t>();
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(got[size_t(i)], i + 1) << i;
  got = lax::cumsum(ones, 0, true).to_vector<int32_t>();
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(got[size_t(i)], n - i) << i;
  Array tall = arr<int32_t>(std::vector<int32_t>(4 * 500'000, 1), {500'000, 4});
  got = lax::cumsum(tall, 0).to_vector<int32_t>();
  for (int64_t i = 0; i < 500'000; ++i) ASSERT_EQ(got[size_t(4 * i + 3)], i + 1) << i;
}

TEST(Cumulative, Errors) {
  expect_error<jx::DTypeError>([] { lax::cumsum(arr<bool>({true}), 0); },
                               {"cumsum does not accept dtype bool"});
  expect_error<jx::IndexError>(
      [] {
        lax::cummax(arr<float>({1, 2}), 1);
      },
      {"cummax", "axis 1 is out of bounds for array of shape (2,)"});
  expect_error<jx::IndexError>([] { lax::cumsum(arr<float>({1, 2}), -1); }, {"negative"});
  expect_error<jx::IndexError>([] { lax::cumprod(Array(2.0f), 0); }, {"out of bounds"});
}

}  // namespace
