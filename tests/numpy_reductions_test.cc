// jx::numpy reductions, cumulative reductions and sorting: JAX's result dtypes (sum of uint8 is
// uint32, mean of ints is float32), axis forms (none, negative, lists), keepdims, empty arrays
// and numpy's error messages. Expected values are hand-derived or pasted from numpy.
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
Array x23() { return arr<int32_t>({1, 2, 3, 4, 5, 6}, {2, 3}); }
}  // namespace

TEST(NumpyReductions, SumAxesAndKeepdims) {
  Array x = x23();
  expect_array_eq<int32_t>(jnp::sum(x), {21}, {});
  expect_array_eq<int32_t>(jnp::sum(x, 0), {5, 7, 9}, {3});
  expect_array_eq<int32_t>(jnp::sum(x, 1), {6, 15}, {2});
  expect_array_eq<int32_t>(jnp::sum(x, -1), {6, 15}, {2});
  expect_array_eq<int32_t>(jnp::sum(x, -2, true), {5, 7, 9}, {1, 3});
  expect_array_eq<int32_t>(jnp::sum(x, {0, 1}), {21}, {});
  expect_array_eq<int32_t>(jnp::sum(x, {-1, 0}), {21}, {});
  expect_array_eq<int32_t>(jnp::sum(x, jx::none, true), {21}, {1, 1});
  expect_array_eq<int32_t>(jnp::sum(x, std::vector<int64_t>{}), {1, 2, 3, 4, 5, 6}, {2, 3});
  Array f = arr<float>({0.5f, -1.25f, 3.0f, 2.0f, 7.5f, -4.0f}, {2, 3});
  expect_array_eq<float>(jnp::sum(f, 1), {2.25f, 5.5f}, {2});
  expect_array_eq<double>(jnp::sum(f, 0, false, DType::float64), {2.5, 6.25, -1.0}, {3});
  // A rank-0 input.
  expect_array_eq<float>(jnp::sum(Array(2.5f)), {2.5f}, {});
  EXPECT_FALSE(jnp::sum(Array(2.5f)).weak_type());
}

TEST(NumpyReductions, SumAndProdDtypesFollowJax) {
  // JAX: sum of bool -> int32, uint8 -> uint32, int32 stays, int64 stays.
  expect_array_eq<int32_t>(jnp::sum(arr<bool>({true, true, false}, {3})), {2}, {});
  expect_array_eq<uint32_t>(jnp::sum(arr<uint8_t>({200, 100}, {2})), {300}, {});
  expect_array_eq<int64_t>(jnp::sum(arr<int64_t>({1, 2}, {2})), {3}, {});
  expect_array_eq<uint32_t>(jnp::prod(arr<uint8_t>({20, 30}, {2})), {600}, {});
  expect_array_eq<int32_t>(jnp::prod(arr<bool>({true, false}, {2})), {0}, {});
  expect_array_eq<double>(jnp::sum(arr<double>({0.25, 0.5}, {2})), {0.75}, {});
  // An explicit dtype wins (also bool, reduced with or / and).
  expect_array_eq<uint8_t>(jnp::sum(arr<uint8_t>({200, 100}, {2}), jx::none, false, DType::uint8),
                           {44}, {});
  expect_array_eq<bool>(jnp::sum(arr<int32_t>({0, 3}, {2}), jx::none, false, DType::bool_), {true},
                        {});
  expect_array_eq<bool>(jnp::prod(arr<int32_t>({0, 3}, {2}), jx::none, false, DType::bool_),
                        {false}, {});
}

TEST(NumpyReductions, Prod) {
  Array x = x23();
  expect_array_eq<int32_t>(jnp::prod(x), {720}, {});
  expect_array_eq<int32_t>(jnp::prod(x, 0), {4, 10, 18}, {3});
  expect_array_eq<int32_t>(jnp::prod(x, 1, true), {6, 120}, {2, 1});
  expect_array_eq<float>(jnp::prod(arr<float>({0.5f, -4, 3}, {3})), {-6}, {});
}

TEST(NumpyReductions, EmptyReductionsUseTheIdentity) {
  Array e = arr<float>({}, {0, 3});
  expect_array_eq<float>(jnp::sum(e, 0), {0, 0, 0}, {3});
  expect_array_eq<float>(jnp::sum(e), {0}, {});
  expect_array_eq<float>(jnp::prod(e, 0), {1, 1, 1}, {3});
  expect_array_eq<float>(jnp::sum(e, 1), {}, {0});
  expect_array_eq<bool>(jnp::all(e), {true}, {});
  expect_array_eq<bool>(jnp::any(e), {false}, {});
  // max over the non-empty axis of an empty array is fine: nothing to reduce per output.
  EXPECT_EQ(jnp::max(e, 1).shape(), Shape({0}));
}

TEST(NumpyReductions, MaxMin) {
  Array x = arr<int32_t>({1, 5, 3, 4, 2, 6}, {2, 3});
  expect_array_eq<int32_t>(jnp::max(x), {6}, {});
  expect_array_eq<int32_t>(jnp::max(x, 0), {4, 5, 6}, {3});
  expect_array_eq<int32_t>(jnp::min(x, 1), {1, 2}, {2});
  expect_array_eq<int32_t>(jnp::min(x, -1, true), {1, 2}, {2, 1});
  expect_array_eq<int32_t>(jnp::amax(x, 1), {5, 6}, {2});
  expect_array_eq<int32_t>(jnp::amin(x), {1}, {});
  expect_array_eq<uint8_t>(jnp::max(arr<uint8_t>({3, 250, 7}, {3})), {250}, {});
  expect_array_eq<bool>(jnp::max(arr<bool>({false, true}, {2})), {true}, {});
  expect_array_eq<bool>(jnp::min(arr<bool>({false, true}, {2})), {false}, {});
  // NaN propagates.
  expect_array_eq<float>(jnp::max(arr<float>({1, kNaN, 3}, {3})), {kNaN}, {});
  expect_array_eq<double>(jnp::min(arr<double>({1, -2.5}, {2})), {-2.5}, {});
}

TEST(NumpyReductions, MaxMinOfEmptyIsAnError) {
  expect_error<jx::ValueError>(
      [] { jnp::max(arr<float>({}, {0})); },
      {"zero-size array to reduction operation max which has no identity"});
  expect_error<jx::ValueError>(
      [] {
        jnp::amin(arr<int32_t>({}, {2, 0}), 1);
      },
      {"zero-size array to reduction operation min which has no identity"});
}

TEST(NumpyReductions, AxisErrors) {
  Array x = x23();
  expect_error<jx::IndexError>([&] { jnp::sum(x, 2); },
                               {"axis 2 is out of bounds for array of dimension 2"});
  expect_error<jx::IndexError>([&] { jnp::mean(x, -3); }, {"out of bounds"});
  expect_error<jx::ValueError>([&] { jnp::sum(x, {0, -2}); }, {"duplicate value in 'axis'"});
  expect_error<jx::IndexError>([&] { jnp::argmax(x, 5); }, {"out of bounds"});
  expect_error<jx::IndexError>([&] { jnp::cumsum(x, -3); }, {"out of bounds"});
}

TEST(NumpyReductions, AllAny) {
  Array f = arr<float>({0, 1, 2, 3}, {2, 2});
  expect_array_eq<bool>(jnp::all(f), {false}, {});
  expect_array_eq<bool>(jnp::any(f), {true}, {});
  expect_array_eq<bool>(jnp::all(f, 0), {false, true}, {2});
  expect_array_eq<bool>(jnp::all(f, 1, true), {false, true}, {2, 1});
  expect_array_eq<bool>(jnp::any(f, 1), {true, true}, {2});
  expect_array_eq<bool>(jnp::any(arr<int32_t>({0, 0}, {2})), {false}, {});
  expect_array_eq<bool>(jnp::all(arr<bool>({true, true}, {2})), {true}, {});
  expect_array_eq<bool>(jnp::any(arr<float>({kNaN}, {1})), {true}, {});  // NaN is truthy
}

TEST(NumpyReductions, Mean) {
  Array x = x23();
  // JAX: mean of int32 is float32.
  expect_array_eq<float>(jnp::mean(x), {3.5f}, {});
  expect_array_eq<float>(jnp::mean(x, 0), {2.5f, 3.5f, 4.5f}, {3});
  expect_array_eq<float>(jnp::mean(x, 1, true), {2, 5}, {2, 1});
  expect_array_eq<float>(jnp::mean(x, {0, 1}, true), {3.5f}, {1, 1});
  expect_array_eq<double>(jnp::mean(x, jx::none, false, DType::float64), {3.5}, {});
  expect_array_eq<double>(jnp::mean(arr<double>({1, 2}, {2})), {1.5}, {});
  expect_array_eq<float>(jnp::mean(arr<bool>({true, false, true, true}, {4})), {0.75f}, {});
  // numpy: np.mean(np.float32([[0.5,-1.25,3],[2,7.5,-4]]), axis=1) = [0.75, 1.8333334]
  expect_array_near<float>(
      jnp::mean(arr<float>({0.5f, -1.25f, 3.0f, 2.0f, 7.5f, -4.0f}, {2, 3}), 1),
      {0.75f, 1.8333334f}, {2});
  // The mean of nothing is NaN, as numpy.
  expect_array_eq<float>(jnp::mean(arr<float>({}, {0})), {kNaN}, {});
}

TEST(NumpyReductions, VarStd) {
  Array x = x23();
  // numpy (float32): np.var(x) = 2.9166667, np.var(x, 0) = [2.25]*3, np.var(x, 1, ddof=1) = [1, 1]
  expect_array_near<float>(jnp::var(x), {2.9166667f}, {});
  expect_array_near<float>(jnp::var(x, 0), {2.25f, 2.25f, 2.25f}, {3});
  expect_array_near<float>(jnp::var(x, 1, false, 1), {1, 1}, {2});
  expect_array_near<float>(jnp::var(x, 1, true, 1), {1, 1}, {2, 1});
  // np.std(x) = 1.7078252; np.std(x, 0, ddof=1) = [2.1213202]*3
  expect_array_near<float>(jnp::std(x), {1.7078252f}, {});
  expect_array_near<float>(jnp::std(x, 0, false, 1), {2.1213202f, 2.1213202f, 2.1213202f}, {3});
  Array y = arr<float>({0.5f, -1.25f, 3.0f, 2.0f, 7.5f, -4.0f}, {2, 3});
  // np.var(y, axis=1) = [3.0416667, 22.055557]; np.std(y) = 3.5835755
  expect_array_near<float>(jnp::var(y, -1), {3.0416667f, 22.055557f}, {2});
  expect_array_near<float>(jnp::std(y), {3.5835755f}, {});
  expect_array_near<double>(jnp::var(arr<double>({1, 2, 3, 4}, {4})), {1.25}, {}, 1e-15, 0);
  // No degrees of freedom left: NaN.
  expect_array_eq<float>(jnp::var(x, 0, false, 2), {kNaN, kNaN, kNaN}, {3});
  expect_array_eq<float>(jnp::std(arr<float>({}, {0})), {kNaN}, {});
}

TEST(NumpyReductions, ArgmaxArgmin) {
  Array x = arr<int32_t>({1, 5, 3, 4, 2, 6}, {2, 3});
  expect_array_eq<int32_t>(jnp::argmax(x), {5}, {});
  expect_array_eq<int32_t>(jnp::argmax(x, 0), {1, 0, 1}, {3});
  expect_array_eq<int32_t>(jnp::argmax(x, -1), {1, 2}, {2});
  expect_array_eq<int32_t>(jnp::argmax(x, 1, true), {1, 2}, {2, 1});
  expect_array_eq<int32_t>(jnp::argmax(x, std::nullopt, true), {5}, {1, 1});
  expect_array_eq<int32_t>(jnp::argmin(x), {0}, {});
  expect_array_eq<int32_t>(jnp::argmin(x, 1), {0, 1}, {2});
  // Ties: the first occurrence.
  expect_array_eq<int32_t>(jnp::argmax(arr<float>({3, 3, 1}, {3})), {0}, {});
  expect_array_eq<int32_t>(jnp::argmin(arr<uint8_t>({2, 1, 1}, {3})), {1}, {});
  expect_array_eq<int32_t>(jnp::argmax(arr<bool>({false, true, true}, {3})), {1}, {});
  // NaN counts as the extreme, as numpy (np.argmax([1, nan, 3]) == 1).
  expect_array_eq<int32_t>(jnp::argmax(arr<float>({1, kNaN, 3}, {3})), {1}, {});
  expect_array_eq<int32_t>(jnp::argmin(arr<float>({1, kNaN, 0}, {3})), {1}, {});
  expect_error<jx::ValueError>([] { jnp::argmax(arr<float>({}, {0})); },
                               {"attempt to get argmax of an empty sequence"});
  expect_error<jx::ValueError>(
      [] {
        jnp::argmin(arr<float>({}, {3, 0}), 1);
      },
      {"attempt to get argmin of an empty sequence"});
}

TEST(NumpyReductions, CumsumCumprod) {
  Array x = x23();
  expect_array_eq<int32_t>(jnp::cumsum(x), {1, 3, 6, 10, 15, 21}, {6});
  expect_array_eq<int32_t>(jnp::cumsum(x, 0), {1, 2, 3, 5, 7, 9}, {2, 3});
  expect_array_eq<int32_t>(jnp::cumsum(x, -1), {1, 3, 6, 4, 9, 15}, {2, 3});
  expect_array_eq<int32_t>(jnp::cumprod(x), {1, 2, 6, 24, 120, 720}, {6});
  expect_array_eq<int32_t>(jnp::cumprod(x, 1), {1, 2, 6, 4, 20, 120}, {2, 3});
  // JAX: bools accumulate in int32; other dtypes keep theirs (uint8 wraps).
  expect_array_eq<int32_t>(jnp::cumsum(arr<bool>({true, false, true}, {3})), {1, 1, 2}, {3});
  expect_array_eq<uint8_t>(jnp::cumsum(arr<uint8_t>({200, 100}, {2})), {200, 44}, {2});
  expect_array_eq<float>(jnp::cumsum(x, 1, DType::float32), {1, 3, 6, 4, 9, 15}, {2, 3});
  expect_array_eq<float>(jnp::cumsum(arr<float>({1, kNaN, 2}, {3})), {1, kNaN, kNaN}, {3});
  expect_array_eq<bool>(jnp::cumsum(arr<int32_t>({0, 2, 0}, {3}), 0, DType::bool_),
                        {false, true, true}, {3});
  // A C++ scalar is flattened; an empty array stays empty.
  expect_array_eq<int32_t>(jnp::cumsum(Array(4), 0), {4}, {1});
  expect_array_eq<float>(jnp::cumsum(arr<float>({}, {0, 2}), 1), {}, {0, 2});
}

TEST(NumpyReductions, SortArgsort) {
  expect_array_eq<int32_t>(jnp::sort(arr<int32_t>({3, 1, 2}, {3})), {1, 2, 3}, {3});
  Array m = arr<float>({3, 1, 1, 3, 2, 2}, {3, 2});
  expect_array_eq<float>(jnp::sort(m), {1, 3, 1, 3, 2, 2}, {3, 2});
  expect_array_eq<float>(jnp::sort(m, 0), {1, 1, 2, 2, 3, 3}, {3, 2});
  expect_array_eq<float>(jnp::sort(m, std::nullopt), {1, 1, 2, 2, 3, 3}, {6});
  // NaN sorts last.
  expect_array_eq<float>(jnp::sort(arr<float>({kNaN, 2, -1}, {3})), {-1, 2, kNaN}, {3});
  expect_array_eq<bool>(jnp::sort(arr<bool>({true, false, true}, {3})), {false, true, true}, {3});
  // numpy: np.argsort([3,1,2,1], kind="stable") = [1, 3, 2, 0]
  expect_array_eq<int32_t>(jnp::argsort(arr<int32_t>({3, 1, 2, 1}, {4})), {1, 3, 2, 0}, {4});
  // numpy: np.argsort([[3,1],[1,3],[2,2]], axis=0, kind="stable") = [[1,0],[2,2],[0,1]]
  expect_array_eq<int32_t>(jnp::argsort(m, 0), {1, 0, 2, 2, 0, 1}, {3, 2});
  expect_array_eq<int32_t>(jnp::argsort(m), {1, 0, 0, 1, 0, 1}, {3, 2});
  expect_array_eq<int32_t>(jnp::argsort(m, std::nullopt), {1, 2, 4, 5, 0, 3}, {6});
  expect_array_eq<float>(jnp::sort(arr<float>({}, {0})), {}, {0});
  expect_error<jx::IndexError>([] { jnp::sort(arr<float>({1}, {})); }, {"out of bounds"});
  expect_error<jx::IndexError>([&] { jnp::argsort(m, 2); }, {"out of bounds"});
}

TEST(NumpyReductions, ResultType) {
  EXPECT_EQ(jnp::result_type({arr<int32_t>({1}, {1}), Array(1.0)}), DType::float32);
  EXPECT_EQ(jnp::result_type({arr<uint8_t>({1}, {1}), arr<int32_t>({1}, {1})}), DType::int32);
  EXPECT_EQ(jnp::result_type({arr<uint8_t>({1}, {1}), Array(1)}), DType::uint8);
  EXPECT_EQ(jnp::result_type({Array(1)}), DType::int32);
  EXPECT_EQ(jnp::result_type({arr<float>({1}, {1}), arr<double>({1}, {1})}), DType::float64);
  EXPECT_EQ(jnp::result_type({arr<bool>({true}, {1})}), DType::bool_);
  expect_error<jx::ValueError>([] { jnp::result_type({}); }, {"at least one array"});
}

TEST(NumpyReductions, MoreDtypes) {
  Array d = arr<double>({1, 2, 3, 4}, {2, 2});
  expect_array_eq<double>(jnp::sum(d, 0), {4, 6}, {2});
  expect_array_eq<double>(jnp::prod(d), {24}, {});
  expect_array_eq<double>(jnp::mean(d, -1), {1.5, 3.5}, {2});
  // numpy: np.var([1,2,3,4], ddof=1) = 1.6666666666666667; np.std([2,4,4,4,5,5,7,9]) = 2
  expect_array_near<double>(jnp::var(arr<double>({1, 2, 3, 4}, {4}), jx::none, false, 1),
                            {1.6666666666666667}, {}, 1e-15, 0);
  expect_array_near<double>(jnp::std(arr<double>({2, 4, 4, 4, 5, 5, 7, 9}, {8})), {2.0}, {}, 1e-15,
                            0);
  expect_array_eq<double>(jnp::cumprod(d, 0), {1, 2, 3, 8}, {2, 2});
  expect_array_eq<int32_t>(jnp::argmax(d, 0), {1, 1}, {2});
  Array u = arr<uint32_t>({4000000000u, 1u, 7u}, {3});
  expect_array_eq<uint32_t>(jnp::max(u), {4000000000u}, {});
  expect_array_eq<uint32_t>(jnp::min(u), {1u}, {});
  expect_array_eq<uint32_t>(jnp::sum(arr<uint32_t>({1u, 2u}, {2})), {3u}, {});
  expect_array_eq<uint32_t>(jnp::sort(u), {1u, 7u, 4000000000u}, {3});
  expect_array_eq<int32_t>(jnp::argsort(u), {1, 2, 0}, {3});
  expect_array_eq<float>(jnp::mean(u), {(4000000000.0f + 1.0f + 7.0f) / 3.0f}, {});
  Array i64 = arr<int64_t>({5, -3, 9}, {3});
  expect_array_eq<int64_t>(jnp::cumsum(i64), {5, 2, 11}, {3});
  expect_array_eq<int64_t>(jnp::min(i64), {-3}, {});
  expect_array_eq<int32_t>(jnp::argmin(i64), {1}, {});
  expect_array_eq<int64_t>(jnp::sort(i64), {-3, 5, 9}, {3});
  expect_array_eq<uint8_t>(jnp::cumprod(arr<uint8_t>({2, 3, 50}, {3})), {2, 6, 44}, {3});
  expect_array_eq<bool>(jnp::all(arr<uint8_t>({1, 2}, {2})), {true}, {});
  expect_array_eq<bool>(jnp::any(arr<double>({0, -0.0}, {2})), {false}, {});
}
