// Tests of the variadic sort primitive: JAX's float order (NaNs last, -0.0 == 0.0, stable),
// integer and bool keys, payload operands (argsort), num_keys=2, each dimension, errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "ir/primitive.h"
#include "jx/lax.h"
#include "test_util.h"

namespace {

using jx::Array;
using jx::testing::arr;
using jx::testing::expect_array_eq;
using jx::testing::expect_error;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(Sort, FloatsNaNLastAndSignedZerosTie) {
  // Values, signs and order all from numpy: np.sort(x, kind="stable") and np.argsort.
  Array x = arr<float>({3.0f, kNaN, -0.0f, 0.0f, -kInf, 1.5f, -kNaN, kInf, -2.0f, 0.0f, -0.0f});
  Array iota = arr<int32_t>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  std::vector<Array> out = jx::lax::sort({x, iota}, -1, true, 1);
  ASSERT_EQ(out.size(), 2u);
  expect_array_eq<float>(out[0], {-kInf, -2, -0.0f, 0, 0, -0.0f, 1.5f, 3, kInf, kNaN, kNaN}, {11});
  std::vector<float> got = out[0].to_vector<float>();
  std::vector<bool> signbit = {true,  true,  true,  false, false, true,
                               false, false, false, false, true};
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(std::signbit(got[i]), signbit[i]) << i;
  expect_array_eq<int32_t>(out[1], {4, 8, 2, 3, 9, 10, 5, 0, 7, 1, 6}, {11});
}

TEST(Sort, Float64) {
  Array x = arr<double>({2.5, -1e300, std::nan(""), 1e-310, -1e-310, 0.0});
  expect_array_eq<double>(jx::lax::sort(x), {-1e300, -1e-310, 0.0, 1e-310, 2.5, std::nan("")}, {6});
}

TEST(Sort, SignedIntegersWithExtremes) {  // expected from numpy
  Array x = arr<int32_t>({5, -3, 2147483647, 0, -2147483648, 5, -1});
  Array iota = arr<int32_t>({0, 1, 2, 3, 4, 5, 6});
  std::vector<Array> out = jx::lax::sort({x, iota});
  expect_array_eq<int32_t>(out[0], {-2147483648, -3, -1, 0, 5, 5, 2147483647}, {7});
  expect_array_eq<int32_t>(out[1], {4, 1, 6, 3, 0, 5, 2}, {7});
  int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  expect_array_eq<int64_t>(jx::lax::sort(arr<int64_t>({hi, 0, lo, -1, 1})), {lo, -1, 0, 1, hi},
                           {5});
}

TEST(Sort, UnsignedIntegers) {  // expected from numpy
  expect_array_eq<uint32_t>(jx::lax::sort(arr<uint32_t>({4294967295u, 0, 7, 3000000000u, 1})),
                            {0, 1, 7, 3000000000u, 4294967295u}, {5});
  expect_array_eq<uint8_t>(jx::lax::sort(arr<uint8_t>({200, 3, 255, 0, 128})),
                           {0, 3, 128, 200, 255}, {5});
}

TEST(Sort, BoolFalseBeforeTrue) {
  Array b = arr<bool>({true, false, true, false});
  Array iota = arr<int32_t>({0, 1, 2, 3});
  std::vector<Array> out = jx::lax::sort({b, iota});
  EXPECT_EQ(out[0].dtype(), jx::bool_);
  EXPECT_EQ(out[0].to_vector<uint8_t>(), (std::vector<uint8_t>{0, 0, 1, 1}));
  expect_array_eq<int32_t>(out[1], {1, 3, 0, 2}, {4});
}

TEST(Sort, EachDimensionOf2D) {  // np.sort(m, axis=0) and axis=1
  Array m = arr<int32_t>({3, 1, 2, 0, 5, -1, 2, 2, 9, 1, 0, 0}, {4, 3});
  expect_array_eq<int32_t>(jx::lax::sort(m, 0), {0, 0, -1, 1, 1, 0, 2, 2, 2, 3, 5, 9}, {4, 3});
  expect_array_eq<int32_t>(jx::lax::sort(m, 1), {1, 2, 3, -1, 0, 5, 2, 2, 9, 0, 0, 1}, {4, 3});
  expect_array_eq<int32_t>(jx::lax::sort(m, -1), {1, 2, 3, -1, 0, 5, 2, 2, 9, 0, 0, 1}, {4, 3});
  expect_array_eq<int32_t>(jx::lax::sort(m, -2), {0, 0, -1, 1, 1, 0, 2, 2, 2, 3, 5, 9}, {4, 3});
}

TEST(Sort, MiddleDimensionOf3D) {  // np.sort(t, axis=1)
  Array t = arr<float>({4, 1, 2, 8, 3, 0, 9, 9, 1, 5, 7, 2}, {2, 3, 2});
  expect_array_eq<float>(jx::lax::sort(t, 1), {2, 0, 3, 1, 4, 8, 1, 2, 7, 5, 9, 9}, {2, 3, 2});
}

TEST(Sort, ArgsortIsStable) {  // np.argsort([3, 1, 3, 2, 1], kind="stable")
  Array k = arr<int64_t>({3, 1, 3, 2, 1});
  std::vector<Array> out = jx::lax::sort({k, arr<int32_t>({0, 1, 2, 3, 4})}, 0, true, 1);
  expect_array_eq<int32_t>(out[1], {1, 4, 3, 0, 2}, {5});
  expect_array_eq<int64_t>(out[0], {1, 1, 2, 3, 3}, {5});
}

TEST(Sort, TwoKeysLexicographic) {  // np.lexsort((k2, k1)) with a payload
  Array k1 = arr<int32_t>({2, 1, 2, 1, 0, 2});
  Array k2 = arr<float>({5, 7, 1, 3, 9, 1});
  Array payload = arr<int64_t>({10, 11, 12, 13, 14, 15});
  std::vector<Array> out = jx::lax::sort({k1, k2, payload}, 0, true, 2);
  ASSERT_EQ(out.size(), 3u);
  expect_array_eq<int32_t>(out[0], {0, 1, 1, 2, 2, 2}, {6});
  expect_array_eq<float>(out[1], {9, 3, 7, 1, 1, 5}, {6});
  expect_array_eq<int64_t>(out[2], {14, 13, 11, 12, 15, 10}, {6});
  // With one key only, ties on k1 keep the input order instead.
  out = jx::lax::sort({k1, k2, payload}, 0, true, 1);
  expect_array_eq<int64_t>(out[2], {14, 11, 13, 10, 12, 15}, {6});
}

TEST(Sort, SecondKeyOrdersNaNsAndZeros) {
  Array k1 = arr<int32_t>({1, 1, 1, 0});
  Array k2 = arr<float>({kNaN, 0.0f, -1.0f, kNaN});
  std::vector<Array> out = jx::lax::sort({k1, k2}, 0, false, 2);
  expect_array_eq<int32_t>(out[0], {0, 1, 1, 1}, {4});
  expect_array_eq<float>(out[1], {kNaN, -1, 0, kNaN}, {4});
}

TEST(Sort, UnstableRequestStillSorts) {
  expect_array_eq<float>(jx::lax::sort(arr<float>({2, 1, 3}), 0, false), {1, 2, 3}, {3});
}

TEST(Sort, EmptyAndTrivialShapes) {
  Array e = Array::from_vector<float>({}, {0, 3});
  expect_array_eq<float>(jx::lax::sort(e, 0), {}, {0, 3});
  expect_array_eq<float>(jx::lax::sort(e, 1), {}, {0, 3});
  Array one = arr<float>({3, 1, 2}, {3, 1});
  expect_array_eq<float>(jx::lax::sort(one, 1), {3, 1, 2}, {3, 1});
  expect_array_eq<float>(jx::lax::sort(one, 0), {1, 2, 3}, {3, 1});
}

TEST(Sort, AbstractEvalKeepsEachOperandsAval) {
  std::vector<jx::ShapedArray> in = {{jx::Shape{2, 3}, jx::float32, true},
                                     {jx::Shape{2, 3}, jx::int32, false}};
  std::vector<jx::ShapedArray> out = jx::rules(jx::Prim::sort)
                                         .abstract_eval(in, jx::Params{{"dimension", int64_t{1}},
                                                                       {"is_stable", true},
                                                                       {"num_keys", int64_t{1}}});
  EXPECT_EQ(out, in);
}

TEST(Sort, LargeRowsMatchStdSort) {  // exercises the parallel row split
  const int64_t rows = 64, n = 4096;
  std::mt19937 gen(11);
  std::uniform_real_distribution<float> dist(-100, 100);
  std::vector<float> v(static_cast<size_t>(rows * n));
  for (auto& f : v) f = dist(gen);
  std::vector<float> expected = v;
  for (int64_t r = 0; r < rows; ++r) {
    std::sort(expected.begin() + r * n, expected.begin() + (r + 1) * n);
  }
  expect_array_eq<float>(jx::lax::sort(arr<float>(v, {rows, n})), expected, {rows, n});
  // Along dimension 0 as well: column c of the result is the sorted column c.
  Array t = jx::lax::sort(arr<float>(v, {rows, n}), 0);
  std::vector<float> got = t.to_vector<float>();
  for (int64_t c = 0; c < n; c += 97) {
    std::vector<float> col(static_cast<size_t>(rows));
    for (int64_t r = 0; r < rows; ++r) col[size_t(r)] = v[size_t(r * n + c)];
    std::sort(col.begin(), col.end());
    for (int64_t r = 0; r < rows; ++r) ASSERT_EQ(got[size_t(r * n + c)], col[size_t(r)]);
  }
}

// Reference order for the long-row (radix) path, written independently of the kernel: NaN
// after everything, otherwise plain <, where -0.0 < 0.0 is false.
template <class T>
bool ref_less(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
  }
  return a < b;
}

// Sorts (key, iota) with lax::sort and checks the payload against std::stable_sort.
template <class T>
void check_long_row(const std::vector<T>& keys) {
  const int64_t n = int64_t(keys.size());
  std::vector<int32_t> iota(keys.size());
  for (int32_t i = 0; i < int32_t(n); ++i) iota[size_t(i)] = i;
  std::vector<int32_t> expected = iota;
  std::stable_sort(expected.begin(), expected.end(), [&](int32_t a, int32_t b) {
    return ref_less(keys[size_t(a)], keys[size_t(b)]);
  });
  std::vector<Array> out = jx::lax::sort({Array::from_vector<T>(keys), arr<int32_t>(iota)});
  expect_array_eq<int32_t>(out[1], expected, {n});
  if constexpr (!std::is_same_v<T, bool>) {
    std::vector<T> got = out[0].to_vector<T>();
    for (int64_t i = 0; i < n; ++i) {
      T want = keys[size_t(expected[size_t(i)])];
      if constexpr (std::is_floating_point_v<T>) {
        ASSERT_EQ(std::signbit(got[size_t(i)]), std::signbit(want)) << i;
        if (std::isnan(want)) {
          ASSERT_TRUE(std::isnan(got[size_t(i)])) << i;
          continue;
        }
      }
      ASSERT_EQ(got[size_t(i)], want) << i;
    }
  }
}

TEST(Sort, LongRowsEveryKeyDType) {
  std::mt19937 gen(5);
  const size_t n = 1000;
  std::vector<float> f(n);
  std::vector<double> d(n);
  const float specials[] = {kNaN, -kNaN, 0.0f, -0.0f, kInf, -kInf, 1e-42f, -1e-42f};
  for (size_t i = 0; i < n; ++i) {
    f[i] = (gen() % 4 == 0) ? specials[gen() % 8] : float(int(gen() % 200) - 100) * 0.25f;
    d[i] = (gen() % 4 == 0) ? double(specials[gen() % 8]) : double(int(gen() % 200) - 100) * 1e200;
  }
  check_long_row(f);
  check_long_row(d);
  std::vector<int32_t> i32(n);
  std::vector<int64_t> i64(n);
  std::vector<uint32_t> u32(n);
  std::vector<uint8_t> u8(n);
  std::vector<bool> b(n);
  for (size_t i = 0; i < n; ++i) {
    i32[i] = int32_t(gen());  // the full range, negative included
    i64[i] = (gen() % 8 == 0) ? std::numeric_limits<int64_t>::min()
                              : static_cast<int64_t>((uint64_t(gen()) << 32) | gen());
    u32[i] = gen() % 7;  // few distinct values: most radix passes are skipped
    u8[i] = uint8_t(gen());
    b[i] = gen() % 2;
  }
  check_long_row(i32);
  check_long_row(i64);
  check_long_row(u32);
  check_long_row(u8);
  check_long_row(b);
}

TEST(Sort, LongRowsTwoKeys) {
  std::mt19937 gen(9);
  const size_t n = 2000;
  std::vector<int32_t> k1(n), payload(n);
  std::vector<float> k2(n);
  for (size_t i = 0; i < n; ++i) {
    k1[i] = int32_t(gen() % 5) - 2;
    k2[i] = (gen() % 10 == 0) ? kNaN : float(gen() % 30) - 15.0f;
    payload[i] = int32_t(i);
  }
  std::vector<int32_t> expected = payload;
  std::stable_sort(expected.begin(), expected.end(), [&](int32_t a, int32_t b) {
    if (k1[size_t(a)] != k1[size_t(b)]) return k1[size_t(a)] < k1[size_t(b)];
    return ref_less(k2[size_t(a)], k2[size_t(b)]);
  });
  std::vector<Array> out =
      jx::lax::sort({arr<int32_t>(k1), arr<float>(k2), arr<int32_t>(payload)}, 0, true, 2);
  expect_array_eq<int32_t>(out[2], expected, {int64_t(n)});
}

TEST(Sort, RegisteredWithMultipleResults) {
  EXPECT_TRUE(jx::rules(jx::Prim::sort).multiple_results);
}

TEST(Sort, Errors) {
  Array a = arr<float>({1, 2, 3});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::sort({a, arr<float>({1, 2})});
      },
      {"Arguments to sort must have equal shapes, got: (3,) (2,)"});
  expect_error<jx::ValueError>(
      [&] {
        jx::lax::sort({a, a}, 0, true, 3);
      },
      {"num_keys=3 must be between 1 and len(operand)=2"});
  expect_error<jx::ValueError>([&] { jx::lax::sort({a}, 0, true, 0); }, {"num_keys=0"});
  expect_error<jx::ValueError>([&] { jx::lax::sort(std::vector<Array>{}); },
                               {"sort requires at least one operand"});
  expect_error<jx::IndexError>([&] { jx::lax::sort(a, 1); },
                               {"sort", "axis 1 is out of bounds for array of dimension 1"});
  expect_error<jx::IndexError>([&] { jx::lax::sort(Array(1.0f)); },
                               {"out of bounds for array of dimension 0"});
  // The primitive itself validates too (what a transformation would bind).
  expect_error<jx::IndexError>(
      [&] {
        jx::bind(
            jx::Prim::sort, std::vector<Array>{a},
            jx::Params{{"dimension", int64_t{-1}}, {"is_stable", true}, {"num_keys", int64_t{1}}});
      },
      {"sort: dimension -1 is out of bounds for array of dimension 1", "operand shape (3,)"});
}

}  // namespace
