// Tests of cumsum/cumprod/cummax/cummin. Expected values are hand-derived, pasted from numpy
// (/usr/bin/python3, noted where used), or, for the sweeps over dtypes/axes and the large arrays,
// computed by the serial reference scan below (an independent index loop, one element at a time).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
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
constexpr double kNaNd = std::numeric_limits<double>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

enum class Op { kSum, kProd, kMax, kMin };
constexpr Op kOps[] = {Op::kSum, Op::kProd, Op::kMax, Op::kMin};

const char* op_name(Op op) {
  switch (op) {
    case Op::kSum:
      return "cumsum";
    case Op::kProd:
      return "cumprod";
    case Op::kMax:
      return "cummax";
    case Op::kMin:
      return "cummin";
  }
  return "";
}

Array run(Op op, const Array& x, int64_t axis, bool reverse) {
  switch (op) {
    case Op::kSum:
      return lax::cumsum(x, axis, reverse);
    case Op::kProd:
      return lax::cumprod(x, axis, reverse);
    case Op::kMax:
      return lax::cummax(x, axis, reverse);
    case Op::kMin:
      return lax::cummin(x, axis, reverse);
  }
  return x;
}

// One step of the scan, with XLA's semantics: integers wrap modulo 2^bits, max/min propagate NaN.
template <class T>
T combine(Op op, T acc, T v) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case Op::kSum:
        return acc + v;
      case Op::kProd:
        return acc * v;
      case Op::kMax:
        return (std::isnan(acc) || std::isnan(v)) ? std::numeric_limits<T>::quiet_NaN()
                                                  : std::max(acc, v);
      case Op::kMin:
        return (std::isnan(acc) || std::isnan(v)) ? std::numeric_limits<T>::quiet_NaN()
                                                  : std::min(acc, v);
    }
  } else {
    using U = std::make_unsigned_t<T>;
    switch (op) {
      case Op::kSum:
        return static_cast<T>(static_cast<U>(static_cast<U>(acc) + static_cast<U>(v)));
      case Op::kProd:
        // uint64_t product so that uint8/uint16 promotion to int cannot overflow.
        return static_cast<T>(static_cast<U>(static_cast<uint64_t>(static_cast<U>(acc)) *
                                             static_cast<uint64_t>(static_cast<U>(v))));
      case Op::kMax:
        return std::max(acc, v);
      case Op::kMin:
        return std::min(acc, v);
    }
  }
  return acc;
}

// Serial scan of a row-major array along `axis`.
template <class T>
std::vector<T> reference_scan(Op op, const std::vector<T>& x, const Shape& shape, int64_t axis,
                              bool reverse) {
  int64_t outer = 1, inner = 1;
  const int64_t len = shape[size_t(axis)];
  for (int64_t d = 0; d < axis; ++d) outer *= shape[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  std::vector<T> out(x.size());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      T acc{};
      for (int64_t s = 0; s < len; ++s) {
        const int64_t r = reverse ? len - 1 - s : s;
        const size_t k = size_t((o * len + r) * inner + i);
        acc = s == 0 ? x[k] : combine(op, acc, x[k]);
        out[k] = acc;
      }
    }
  }
  return out;
}

template <class T>
bool same(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) && std::isnan(b)) return true;
  }
  return a == b;
}

// Exact comparison that reports only the first mismatch (the large cases have millions).
template <class T>
void expect_matches_reference(Op op, const std::vector<T>& x, const Shape& shape, int64_t axis,
                              bool reverse) {
  SCOPED_TRACE(std::string(op_name(op)) + " of " + std::string(jx::dtype_name(jx::dtype_of<T>())) +
               std::string(" shape ") + shape.str() + " axis " + std::to_string(axis) +
               (reverse ? " reverse" : ""));
  Array got = run(op, arr<T>(x, shape), axis, reverse);
  ASSERT_EQ(got.shape(), shape);
  ASSERT_EQ(got.dtype(), jx::dtype_of<T>());
  const std::vector<T> want = reference_scan(op, x, shape, axis, reverse);
  const std::vector<T> g = got.to_vector<T>();
  ASSERT_EQ(g.size(), want.size());
  for (size_t k = 0; k < g.size(); ++k) {
    if (!same(g[k], want[k])) {
      ADD_FAILURE() << "first mismatch at flat index " << k << ": got " << +g[k] << ", expected "
                    << +want[k];
      return;
    }
  }
}

// ---- hand-derived / numpy cases ---------------------------------------------------------------

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
  expect_array_eq<int32_t>(lax::cummin(y, 0, true), {1, 1, 1, 1, 2, 2, 2, 6}, {8});
}

// x = (arange(24) * 7 % 11 - 5).reshape(2, 3, 4); every expected row below is numpy's
// cumsum / cumprod / maximum.accumulate / minimum.accumulate (reverse = flip, scan, flip).
template <class T>
void check_numpy_3d() {
  SCOPED_TRACE(std::string(jx::dtype_name(jx::dtype_of<T>())));
  const Shape s{2, 3, 4};
  Array x = arr<T>(
      {-5, 2, -2, 5, 1, -3, 4, 0, -4, 3, -1, -5, 2, -2, 5, 1, -3, 4, 0, -4, 3, -1, -5, 2}, s);
  expect_array_eq<T>(
      lax::cumsum(x, 0),
      {-5, 2, -2, 5, 1, -3, 4, 0, -4, 3, -1, -5, -3, 0, 3, 6, -2, 1, 4, -4, -1, 2, -6, -3}, s);
  expect_array_eq<T>(
      lax::cumsum(x, 0, true),
      {-3, 0, 3, 6, -2, 1, 4, -4, -1, 2, -6, -3, 2, -2, 5, 1, -3, 4, 0, -4, 3, -1, -5, 2}, s);
  expect_array_eq<T>(
      lax::cumsum(x, 1),
      {-5, 2, -2, 5, -4, -1, 2, 5, -8, 2, 1, 0, 2, -2, 5, 1, -1, 2, 5, -3, 2, 1, 0, -1}, s);
  expect_array_eq<T>(
      lax::cumsum(x, 1, true),
      {-8, 2, 1, 0, -3, 0, 3, -5, -4, 3, -1, -5, 2, 1, 0, -1, 0, 3, -5, -2, 3, -1, -5, 2}, s);
  expect_array_eq<T>(
      lax::cumsum(x, 2),
      {-5, -3, -5, 0, 1, -2, 2, 2, -4, -1, -2, -7, 2, 0, 5, 6, -3, 1, 1, -3, 3, 2, -3, -1}, s);
  expect_array_eq<T>(
      lax::cumsum(x, 2, true),
      {0, 5, 3, 5, 2, 1, 4, 0, -7, -3, -6, -5, 6, 4, 6, 1, -3, 0, -4, -4, -1, -4, -3, 2}, s);
  expect_array_eq<T>(
      lax::cumprod(x, 1),
      {-5, 2, -2, 5, -5, -6, -8, 0, 20, -18, 8, 0, 2, -2, 5, 1, -6, -8, 0, -4, -18, 8, 0, -8}, s);
  expect_array_eq<T>(lax::cumprod(x, 2, true), {100, -20, -10, 5, 0, 0, 0, 0,  -60, 15, 5,   -5,
                                                -20, -10, 5,   1, 0, 0, 0, -4, 30,  10, -10, 2},
                     s);
  expect_array_eq<T>(lax::cummax(x, 2),
                     {-5, 2, 2, 5, 1, 1, 4, 4, -4, 3, 3, 3, 2, 2, 5, 5, -3, 4, 4, 4, 3, 3, 3, 3},
                     s);
  expect_array_eq<T>(lax::cummax(x, 0, true),
                     {2, 2, 5, 5, 1, 4, 4, 0, 3, 3, -1, 2, 2, -2, 5, 1, -3, 4, 0, -4, 3, -1, -5, 2},
                     s);
  expect_array_eq<T>(
      lax::cummin(x, 1),
      {-5, 2, -2, 5, -5, -3, -2, 0, -5, -3, -2, -5, 2, -2, 5, 1, -3, -2, 0, -4, -3, -2, -5, -4}, s);
  expect_array_eq<T>(lax::cummin(x, 2, true), {-5, -2, -2, 5, -3, -3, 0,  0,  -5, -5, -5, -5,
                                               -2, -2, 1,  1, -4, -4, -4, -4, -5, -5, -5, 2},
                     s);
}

TEST(Cumulative, EveryAxisOf3DMatchesNumpySigned) {
  check_numpy_3d<int32_t>();
  check_numpy_3d<int64_t>();
  check_numpy_3d<float>();
  check_numpy_3d<double>();
}

TEST(Cumulative, UnsignedWrapMatchesNumpy) {
  // numpy: u = (arange(24) * 7 % 11 + 1).astype(uint8).reshape(2, 3, 4);
  // cumprod(u, axis=2, dtype=uint8) and the reversed cumsum along axis 1 (both wrap mod 256).
  const Shape s{2, 3, 4};
  Array u =
      arr<uint8_t>({1, 8, 4, 11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 11, 7, 3, 10, 6, 2, 9, 5, 1, 8}, s);
  expect_array_eq<uint8_t>(lax::cumprod(u, 2), {1, 8,  32, 96,  7, 21, 210, 236, 2, 18, 90, 90,
                                                8, 32, 96, 160, 3, 30, 180, 104, 9, 45, 45, 104},
                           s);
  expect_array_eq<uint8_t>(
      lax::cumsum(u, 1, true),
      {10, 20, 19, 18, 9, 12, 15, 7, 2, 9, 5, 1, 20, 19, 18, 17, 12, 15, 7, 10, 9, 5, 1, 8}, s);
  expect_array_eq<uint8_t>(lax::cumsum(arr<uint8_t>({200, 100, 1}), 0), {200, 44, 45}, {3});
  // uint32: 3e9 + 3e9 wraps to 6e9 - 2^32 = 1705032704; max/min order by unsigned value.
  Array w = arr<uint32_t>({3000000000u, 3000000000u, 7u}, {3});
  expect_array_eq<uint32_t>(lax::cumsum(w, 0), {3000000000u, 1705032704u, 1705032711u}, {3});
  expect_array_eq<uint32_t>(lax::cummin(w, 0), {3000000000u, 3000000000u, 7u}, {3});
  expect_array_eq<uint32_t>(lax::cummax(w, 0, true), {3000000000u, 3000000000u, 7u}, {3});
  // int32: 2^31 - 1 + 1 wraps to -2^31; int64 likewise.
  expect_array_eq<int32_t>(lax::cumsum(arr<int32_t>({2147483647, 1}), 0), {2147483647, -2147483648},
                           {2});
  expect_array_eq<int64_t>(lax::cumprod(arr<int64_t>({int64_t{1} << 62, 2, 4}), 0),
                           {int64_t{1} << 62, std::numeric_limits<int64_t>::min(), 0}, {3});
}

// Every dtype x op x axis x direction of a (3, 4, 5) array against the serial reference.
template <class T>
class CumulativeTyped : public ::testing::Test {};
using CumulativeDTypes = ::testing::Types<int32_t, int64_t, uint8_t, uint32_t, float, double>;
TYPED_TEST_SUITE(CumulativeTyped, CumulativeDTypes);

TYPED_TEST(CumulativeTyped, EveryOpAxisAndDirection) {
  using T = TypeParam;
  const Shape s{3, 4, 5};
  std::vector<T> x(60);
  // Values in [-5, 5] (wrapped for unsigned types); products of <= 5 of them stay exact.
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<T>(int((i * 7) % 11) - 5);
  for (Op op : kOps) {
    for (int64_t axis = 0; axis < 3; ++axis) {
      for (bool reverse : {false, true}) expect_matches_reference<T>(op, x, s, axis, reverse);
    }
  }
  // Rank 1 and rank 2, including length-1 axes.
  for (Op op : kOps) {
    for (bool reverse : {false, true}) {
      expect_matches_reference<T>(op, std::vector<T>(x.begin(), x.begin() + 7), {7}, 0, reverse);
      expect_matches_reference<T>(op, std::vector<T>(x.begin(), x.begin() + 5), {1, 5}, 0, reverse);
      expect_matches_reference<T>(op, std::vector<T>(x.begin(), x.begin() + 5), {5, 1}, 1, reverse);
    }
  }
}

TYPED_TEST(CumulativeTyped, EmptyArraysKeepShapeAndDtype) {
  using T = TypeParam;
  const std::vector<Shape> shapes = {{0}, {0, 3}, {3, 0}, {2, 0, 3}, {2, 3, 0}};
  for (Op op : kOps) {
    for (const Shape& s : shapes) {
      for (int64_t axis = 0; axis < int64_t(s.size()); ++axis) {
        for (bool reverse : {false, true}) {
          SCOPED_TRACE(std::string(op_name(op)) + " " + s.str() + " axis " + std::to_string(axis));
          expect_array_eq<T>(run(op, arr<T>({}, s), axis, reverse), {}, s);
        }
      }
    }
  }
}

// Few long scans take the chunked two-pass path (local scans, chained chunk totals, carry fold);
// many independent scans take the one-pass path. Both are checked against the serial reference.
TYPED_TEST(CumulativeTyped, LargeArraysMatchSerialReference) {
  using T = TypeParam;
  const std::vector<std::pair<Shape, int64_t>> cases = {
      {{1'200'001}, 0},      // one long contiguous scan
      {{2, 300'001, 2}, 1},  // two outer scans of short rows
      {{1'100, 1'000}, 0},   // one scan of 1000-wide rows
      {{1'000, 1'100}, 1},   // many short contiguous scans
  };
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  for (const auto& [shape, axis] : cases) {
    const size_t n = size_t(shape.numel());
    std::vector<T> x(n);
    for (Op op : kOps) {
      for (size_t i = 0; i < n; ++i) {
        const uint64_t r = next();
        if constexpr (std::is_floating_point_v<T>) {
          // Exactly representable partial results, so any association order gives the same
          // bits: small integers for sums (totals < 2^24), +-1 for products.
          if (op == Op::kProd)
            x[i] = (r & 1) ? T(1) : T(-1);
          else if (op == Op::kSum)
            x[i] = T(r % 3);
          else
            x[i] = T(int64_t(r % 100'000) - 50'000);
        } else {
          // Integer arithmetic wraps, which is associative: any values work.
          x[i] = static_cast<T>(r * 0x2545F4914F6CDD1Dull);
        }
      }
      for (bool reverse : {false, true}) expect_matches_reference<T>(op, x, shape, axis, reverse);
    }
  }
}

// ---- NaN / inf ----------------------------------------------------------------------------------

TEST(Cumulative, NaNPropagates) {
  expect_array_eq<float>(lax::cummax(arr<float>({1, kNaN, 3}), 0), {1, kNaN, kNaN}, {3});
  expect_array_eq<float>(lax::cummin(arr<float>({1, 0, kNaN}), 0, true), {kNaN, kNaN, kNaN}, {3});
  expect_array_eq<float>(lax::cummin(arr<float>({2, kNaN, -1}), 0), {2, kNaN, kNaN}, {3});
  expect_array_eq<float>(lax::cummax(arr<float>({2, kNaN, -1, 5}), 0, true), {kNaN, kNaN, 5, 5},
                         {4});
  expect_array_eq<float>(lax::cumsum(arr<float>({1, kNaN, 2}), 0), {1, kNaN, kNaN}, {3});
  expect_array_eq<float>(lax::cumprod(arr<float>({2, 3, kNaN}), 0, true), {kNaN, kNaN, kNaN}, {3});
  expect_array_eq<double>(lax::cummax(arr<double>({kNaNd, 7}), 0), {kNaNd, kNaNd}, {2});
  expect_array_eq<double>(lax::cumsum(arr<double>({1, 2, kNaNd}), 0), {1, 3, kNaNd}, {3});
  // A NaN in the first of two scanned rows (axis 0, row-wise path) poisons its column only.
  expect_array_eq<float>(lax::cummax(arr<float>({kNaN, 1, 2, 0, 5, 1}, {3, 2}), 0),
                         {kNaN, 1, kNaN, 1, kNaN, 1}, {3, 2});
  expect_array_eq<float>(lax::cummin(arr<float>({3, 1, kNaN, 0, 5, 1}, {3, 2}), 0, true),
                         {kNaN, 0, kNaN, 0, 5, 1}, {3, 2});
  // inf: -inf + inf = NaN; cummax with -inf entries.
  expect_array_eq<float>(lax::cumsum(arr<float>({-kInf, 1, kInf, 2}), 0),
                         {-kInf, -kInf, kNaN, kNaN}, {4});
  expect_array_eq<float>(lax::cummax(arr<float>({-kInf, -kInf, -3}), 0), {-kInf, -kInf, -3}, {3});
  expect_array_eq<float>(lax::cummin(arr<float>({kInf, 4, -kInf}), 0), {kInf, 4, -kInf}, {3});
}

TEST(Cumulative, NaNPropagatesAcrossParallelChunks) {
  const int64_t n = 1'200'000;
  for (int64_t nan_at : {int64_t{100}, n / 2 + 17, n - 3}) {
    std::vector<float> x(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) x[size_t(i)] = float((i * 37) % 1001) - 500.0f;
    x[size_t(nan_at)] = kNaN;
    for (Op op : {Op::kSum, Op::kMax, Op::kMin}) {
      for (bool reverse : {false, true}) {
        SCOPED_TRACE(std::string(op_name(op)) + " NaN at " + std::to_string(nan_at));
        std::vector<float> got = run(op, arr<float>(x, {n}), 0, reverse).to_vector<float>();
        int64_t bad = -1;
        for (int64_t i = 0; i < n && bad < 0; ++i) {
          const bool after = reverse ? i <= nan_at : i >= nan_at;
          if (std::isnan(got[size_t(i)]) != after) bad = i;
        }
        EXPECT_EQ(bad, -1) << "NaN-ness wrong first at " << bad;
      }
    }
  }
}

// ---- errors -------------------------------------------------------------------------------------

TEST(Cumulative, BoolIsRejected) {
  for (Op op : kOps) {
    expect_error<jx::DTypeError>(
        [&] {
          run(op, arr<bool>({true, false}), 0, false);
        },
        {std::string(op_name(op)) +
         " does not accept dtype bool. Accepted dtypes are subtypes of number."});
  }
}

TEST(Cumulative, BadAxes) {
  for (Op op : kOps) {
    const std::string name = op_name(op);
    expect_error<jx::IndexError>(
        [&] {
          run(op, arr<float>({1, 2, 3, 4, 5, 6}, {2, 3}), 2, false);
        },
        {name + ": axis 2 is out of bounds for array of shape (2, 3)"});
    expect_error<jx::IndexError>(
        [&] {
          run(op, arr<int32_t>({1, 2}), -1, true);
        },
        {name + ": axis -1 is negative; XLA operations do not allow negative axes (operand shape "
                "(2,))"});
    expect_error<jx::IndexError>(
        [&] {
          run(op, arr<float>({}, {0, 4}), 5, false);
        },
        {name + ": axis 5 is out of bounds for array of shape (0, 4)"});
  }
}

// lax.cumsum & co. on a rank-0 operand: no axis is in range, so JAX's shape rule rejects it.
TEST(Cumulative, RankZeroHasNoAxis) {
  for (Op op : kOps) {
    const std::string name = op_name(op);
    expect_error<jx::IndexError>([&] { run(op, Array(2.0f), 0, false); },
                                 {name + ": axis 0 is out of bounds for array of shape ()"});
    expect_error<jx::IndexError>([&] { run(op, arr<int32_t>({3}, {}), 0, true); },
                                 {name + ": axis 0 is out of bounds for array of shape ()"});
  }
}

}  // namespace
