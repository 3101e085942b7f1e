// Tests of gather and the scatter family: numpy indexing patterns expressed as XLA dimension
// numbers, batching dims, out-of-bounds modes, every dtype, and the shape rule's errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "ir/primitive.h"
#include "jx/lax.h"
#include "test_util.h"

namespace {

using jx::Array;
using jx::lax::GatherDimensionNumbers;
using jx::lax::GatherScatterMode;
using jx::lax::ScatterDimensionNumbers;
using jx::testing::arr;
using jx::testing::expect_array_eq;
using jx::testing::expect_error;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr auto kClip = GatherScatterMode::kClip;
constexpr auto kFill = GatherScatterMode::kFillOrDrop;
constexpr auto kPromise = GatherScatterMode::kPromiseInBounds;

// Array::to_vector<bool> cannot exist (std::vector<bool> has no data()), so bool results are
// compared through uint8; other types go to expect_array_eq.
template <class T>
void expect_eq(const Array& a, const std::vector<T>& expected, const jx::Shape& shape) {
  if constexpr (std::is_same_v<T, bool>) {
    ASSERT_EQ(a.shape(), shape);
    ASSERT_EQ(a.dtype(), jx::bool_);
    EXPECT_EQ(a.to_vector<uint8_t>(), std::vector<uint8_t>(expected.begin(), expected.end()));
  } else {
    expect_array_eq<T>(a, expected, shape);
  }
}
void expect_bool_eq(const Array& a, const std::vector<bool>& expected, const jx::Shape& shape) {
  expect_eq<bool>(a, expected, shape);
}

std::vector<float> iota_f(int n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[size_t(i)] = float(i);
  return v;
}

// x[idx] on a 1-D array: each index picks one element (numpy's x[[0, 4, 2, 2]]).
GatherDimensionNumbers take_1d() { return {{}, {0}, {0}}; }

// ---- gather: numpy indexing patterns -------------------------------------------------------

TEST(Gather, IntegerIndexPicksRow) {  // x[1] of a (3, 4) array
  Array x = arr<float>(iota_f(12), {3, 4});
  Array out = jx::lax::gather(x, arr<int32_t>({1}, {1}), {{0}, {0}, {0}}, {1, 4});
  expect_array_eq<float>(out, {4, 5, 6, 7}, {4});
}

TEST(Gather, IndexArrayOn1D) {  // x[[0, 4, 2, 2]]
  Array x = arr<int32_t>({10, 11, 12, 13, 14});
  Array idx = arr<int32_t>({0, 4, 2, 2}, {4, 1});
  expect_array_eq<int32_t>(jx::lax::gather(x, idx, take_1d(), {1}), {10, 14, 12, 12}, {4});
}

TEST(Gather, IndexArrayPicksRows) {  // x[[2, 0]] of a (3, 4) array: whole contiguous rows
  Array x = arr<float>(iota_f(12), {3, 4});
  Array out = jx::lax::gather(x, arr<int64_t>({2, 0}, {2, 1}), {{1}, {0}, {0}}, {1, 4});
  expect_array_eq<float>(out, {8, 9, 10, 11, 0, 1, 2, 3}, {2, 4});
}

TEST(Gather, IndexArrayOnSecondAxis) {  // x[:, [3, 1]]; expected from numpy
  Array x = arr<float>(iota_f(12), {3, 4});
  Array out = jx::lax::gather(x, arr<int32_t>({3, 1}, {2, 1}), {{0}, {1}, {1}}, {3, 1});
  expect_array_eq<float>(out, {3, 1, 7, 5, 11, 9}, {3, 2});
}

TEST(Gather, MiddleAxisOf3D) {  // b[:, 2] and b[:, :, [3, 0]] of arange(24).reshape(2, 3, 4)
  std::vector<int64_t> b(24);
  for (int i = 0; i < 24; ++i) b[size_t(i)] = i;
  Array x = arr<int64_t>(b, {2, 3, 4});
  expect_array_eq<int64_t>(
      jx::lax::gather(x, arr<int32_t>({2}, {1}), {{0, 1}, {1}, {1}}, {2, 1, 4}),
      {8, 9, 10, 11, 20, 21, 22, 23}, {2, 4});
  // numpy: b[:, :, [3, 0]].ravel()
  expect_array_eq<int64_t>(
      jx::lax::gather(x, arr<int32_t>({3, 0}, {2, 1}), {{false, true}, {2}, {2}}, {2, 3, 1}),
      {3, 0, 7, 4, 11, 8, 15, 12, 19, 16, 23, 20}, {2, 3, 2});
}

TEST(Gather, PointGather2D) {  // x[[0, 2, 1], [1, 3, 0]]; expected from numpy
  Array x = arr<float>(iota_f(12), {3, 4});
  Array idx = arr<int32_t>({0, 1, 2, 3, 1, 0}, {3, 2});
  expect_array_eq<float>(jx::lax::gather(x, idx, {{}, {0, 1}, {0, 1}}, {1, 1}), {1, 11, 4}, {3});
}

TEST(Gather, StartIndexMapReversed) {  // index vectors given as (col, row)
  Array x = arr<float>(iota_f(12), {3, 4});
  Array idx = arr<int32_t>({1, 0, 3, 2}, {2, 2});
  expect_array_eq<float>(jx::lax::gather(x, idx, {{}, {0, 1}, {1, 0}}, {1, 1}), {1, 11}, {2});
}

TEST(Gather, WindowsAtStartPoints) {  // x[0:2, 0:2] and x[1:3, 2:4] stacked; from numpy
  Array x = arr<float>(iota_f(12), {3, 4});
  Array idx = arr<int32_t>({0, 0, 1, 2}, {2, 2});
  expect_array_eq<float>(jx::lax::gather(x, idx, {{1, 2}, {}, {0, 1}}, {2, 2}),
                         {0, 1, 4, 5, 6, 7, 10, 11}, {2, 2, 2});
}

TEST(Gather, OffsetDimsBeforeBatchDims) {  // windows land in dims 0, 1; batch dim last
  Array x = arr<float>(iota_f(12), {3, 4});
  Array idx = arr<int32_t>({0, 0, 1, 2}, {2, 2});
  // out[i, j, b] = x[start_b + (i, j)]: the transposition of WindowsAtStartPoints.
  expect_array_eq<float>(jx::lax::gather(x, idx, {{0, 1}, {}, {0, 1}}, {2, 2}),
                         {0, 6, 1, 7, 4, 10, 5, 11}, {2, 2, 2});
}

TEST(Gather, TakeAlongAxisWithBatchingDims) {  // np.take_along_axis(a, idx, axis=1)
  Array a = arr<int32_t>({3, 1, 0, 2, 9, 8, 7, 6, 5, 4, 6, 4}, {3, 4});
  Array idx = arr<int32_t>({2, 0, 3, 3, 1, 2}, {3, 2, 1});
  GatherDimensionNumbers dn{{}, {1}, {1}, {0}, {0}};
  expect_array_eq<int32_t>(jx::lax::gather(a, idx, dn, {1, 1}), {0, 3, 6, 6, 4, 6}, {3, 2});
}

TEST(Gather, BatchingDimNotLeading) {  // batch dim 1 of the operand paired with dim 1 of indices
  // a is (4, 2); for batch b in {0, 1} pick a[idx[i, b], b].
  Array a = arr<int32_t>({0, 1, 10, 11, 20, 21, 30, 31}, {4, 2});
  Array idx = arr<int32_t>({3, 0, 1, 2, 0, 3}, {3, 2, 1});
  GatherDimensionNumbers dn{{}, {0}, {0}, {1}, {1}};
  expect_array_eq<int32_t>(jx::lax::gather(a, idx, dn, {1, 1}), {30, 1, 10, 21, 0, 31}, {3, 2});
}

TEST(Gather, ScalarOperandWithEmptyIndexVectors) {
  Array x = arr<float>({7}, {});
  Array idx = Array::from_vector<int32_t>({}, {3, 0});
  expect_array_eq<float>(jx::lax::gather(x, idx, {{}, {}, {}}, {}), {7, 7, 7}, {3});
}

TEST(Gather, EmptyIndexArrays) {
  Array x = arr<float>(iota_f(12), {3, 4});
  Array idx = Array::from_vector<int32_t>({}, {0, 1});
  expect_array_eq<float>(jx::lax::gather(x, idx, {{1}, {0}, {0}}, {1, 4}), {}, {0, 4});
  expect_array_eq<float>(jx::lax::gather(x, idx, {{}, {0, 1}, {0}}, {1, 1}), {}, {0});
}

TEST(Gather, ZeroSizedSlices) {
  Array x = arr<float>(iota_f(12), {3, 4});
  Array out = jx::lax::gather(x, arr<int32_t>({1, 2}, {2, 1}), {{1}, {0}, {0}}, {1, 0});
  expect_array_eq<float>(out, {}, {2, 0});
}

TEST(Gather, KeepsOperandWeakType) {
  Array x = jx::lax::gather(Array(2.5), Array::from_vector<int32_t>({}, {2, 0}), {{}, {}, {}}, {});
  EXPECT_TRUE(x.weak_type());
  EXPECT_EQ(x.dtype(), jx::float32);
}

// ---- gather: out-of-bounds modes -----------------------------------------------------------

TEST(Gather, FillModeFillsOutOfBoundsElements) {
  Array x = arr<float>(iota_f(5));
  Array idx = arr<int32_t>({1, 5, -1, 3}, {4, 1});
  expect_array_eq<float>(jx::lax::gather(x, idx, take_1d(), {1}, kFill), {1, kNaN, kNaN, 3}, {4});
  expect_array_eq<float>(jx::lax::gather(x, idx, take_1d(), {1}, kFill, -2.0), {1, -2, -2, 3}, {4});
}

TEST(Gather, FillModeFillsWholeWindowWhenAnyPartIsOut) {
  Array x = arr<float>(iota_f(5));
  Array idx = arr<int32_t>({3, 4, 0}, {3, 1});
  // Window of 2 starting at 4 overruns the end: the whole window (even x[4]) becomes fill.
  expect_array_eq<float>(jx::lax::gather(x, idx, {{1}, {}, {0}}, {2}, kFill),
                         {3, 4, kNaN, kNaN, 0, 1}, {3, 2});
}

TEST(Gather, FillModeDefaultsPerDType) {
  Array idx = arr<int32_t>({0, 3}, {2, 1});
  expect_array_eq<int32_t>(jx::lax::gather(arr<int32_t>({5, 6, 7}), idx, take_1d(), {1}),
                           {5, std::numeric_limits<int32_t>::min()}, {2});
  expect_array_eq<int64_t>(jx::lax::gather(arr<int64_t>({5, 6, 7}), idx, take_1d(), {1}),
                           {5, std::numeric_limits<int64_t>::min()}, {2});
  expect_array_eq<uint8_t>(jx::lax::gather(arr<uint8_t>({5, 6, 7}), idx, take_1d(), {1}), {5, 255},
                           {2});
  expect_array_eq<uint32_t>(jx::lax::gather(arr<uint32_t>({5, 6, 7}), idx, take_1d(), {1}),
                            {5, 4294967295u}, {2});
  expect_bool_eq(jx::lax::gather(arr<bool>({false, false, false}), idx, take_1d(), {1}),
                 {false, true}, {2});
  Array f64 = jx::lax::gather(arr<double>({5, 6, 7}), idx, take_1d(), {1});
  EXPECT_EQ(f64.to_vector<double>()[0], 5.0);
  EXPECT_TRUE(std::isnan(f64.to_vector<double>()[1]));
}

TEST(Gather, FillValueIsConvertedToTheDType) {
  Array idx = arr<int32_t>({9}, {1, 1});
  expect_array_eq<uint8_t>(jx::lax::gather(arr<uint8_t>({1}), idx, take_1d(), {1}, kFill, 7.0), {7},
                           {1});
  expect_array_eq<int32_t>(jx::lax::gather(arr<int32_t>({1}), idx, take_1d(), {1}, kFill, -3.0),
                           {-3}, {1});
  expect_bool_eq(jx::lax::gather(arr<bool>({true}), idx, take_1d(), {1}, kFill, 0.0), {false}, {1});
}

TEST(Gather, ClipAndPromiseInBoundsClampStarts) {
  Array x = arr<float>(iota_f(5));
  Array idx = arr<int32_t>({7, -2, 2}, {3, 1});
  for (auto mode : {kClip, kPromise}) {
    expect_array_eq<float>(jx::lax::gather(x, idx, take_1d(), {1}, mode), {4, 0, 2}, {3});
    // Windows of 2: starts clamp into [0, 3].
    expect_array_eq<float>(jx::lax::gather(x, idx, {{1}, {}, {0}}, {2}, mode), {3, 4, 0, 1, 2, 3},
                           {3, 2});
  }
}

TEST(Gather, FillModeOnlyChecksIndexedDims) {  // 2-D points, one coordinate out of range
  Array x = arr<int32_t>({0, 1, 2, 3, 4, 5}, {2, 3});
  Array idx = arr<int32_t>({1, 2, 2, 0, 0, -1, 1, 1}, {4, 2});
  int32_t m = std::numeric_limits<int32_t>::min();
  expect_array_eq<int32_t>(jx::lax::gather(x, idx, {{}, {0, 1}, {0, 1}}, {1, 1}, kFill),
                           {5, m, m, 4}, {4});
  expect_array_eq<int32_t>(jx::lax::gather(x, idx, {{}, {0, 1}, {0, 1}}, {1, 1}, kClip),
                           {5, 3, 0, 4}, {4});
}

// ---- gather: dtypes ------------------------------------------------------------------------

template <class T>
void check_take_rows() {
  Array x = arr<T>({T(1), T(0), T(1), T(1), T(0), T(0)}, {3, 2});
  Array idx = arr<int32_t>({2, 0, 1}, {3, 1});
  expect_eq<T>(jx::lax::gather(x, idx, {{1}, {0}, {0}}, {1, 2}),
               {T(0), T(0), T(1), T(0), T(1), T(1)}, {3, 2});
  expect_eq<T>(jx::lax::gather(x, arr<int32_t>({1, 0, 2, 1}, {2, 2}), {{}, {0, 1}, {0, 1}}, {1, 1}),
               {T(1), T(0)}, {2});
}

TEST(Gather, EveryOperandDType) {
  check_take_rows<bool>();
  check_take_rows<uint8_t>();
  check_take_rows<uint32_t>();
  check_take_rows<int32_t>();
  check_take_rows<int64_t>();
  check_take_rows<float>();
  check_take_rows<double>();
}

TEST(Gather, EveryIndexDType) {
  Array x = arr<float>({10, 11, 12, 13});
  expect_array_eq<float>(jx::lax::gather(x, arr<int64_t>({3, 1}, {2, 1}), take_1d(), {1}), {13, 11},
                         {2});
  expect_array_eq<float>(jx::lax::gather(x, arr<uint32_t>({3, 1}, {2, 1}), take_1d(), {1}),
                         {13, 11}, {2});
  expect_array_eq<float>(jx::lax::gather(x, arr<uint8_t>({3, 1}, {2, 1}), take_1d(), {1}), {13, 11},
                         {2});
  // Huge unsigned indices are out of bounds, not negative.
  expect_array_eq<float>(
      jx::lax::gather(x, arr<uint32_t>({4294967295u}, {1, 1}), take_1d(), {1}, kClip), {13}, {1});
}

TEST(Gather, LargeRowGatherMatchesLoop) {  // exercises the parallel path
  const int64_t rows = 1000, cols = 64, n = 6000;
  std::vector<float> xv(static_cast<size_t>(rows * cols));
  for (size_t i = 0; i < xv.size(); ++i) xv[i] = float(i % 977) * 0.5f;
  std::mt19937 gen(3);
  std::vector<int32_t> iv(static_cast<size_t>(n));
  for (auto& v : iv) v = int32_t(gen() % rows);
  Array out = jx::lax::gather(arr<float>(xv, {rows, cols}), arr<int32_t>(iv, {n, 1}),
                              {{1}, {0}, {0}}, {1, cols});
  std::vector<float> expected(static_cast<size_t>(n * cols));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < cols; ++j) {
      expected[size_t(i * cols + j)] = xv[size_t(iv[size_t(i)] * cols + j)];
    }
  }
  expect_array_eq<float>(out, expected, {n, cols});
  // And the column pattern x[:, idx], whose innermost loop runs along the batch.
  Array cols_out =
      jx::lax::gather(arr<float>(xv, {rows, cols}),
                      arr<int32_t>(std::vector<int32_t>(iv.begin(), iv.begin() + 50), {50, 1}),
                      {{0}, {0}, {0}}, {1, cols});
  EXPECT_EQ(cols_out.shape(), (jx::Shape{cols, 50}));
  std::vector<float> got = cols_out.to_vector<float>();
  for (int64_t j = 0; j < cols; ++j) {
    for (int64_t i = 0; i < 50; ++i) {
      ASSERT_EQ(got[size_t(j * 50 + i)], xv[size_t(iv[size_t(i)] * cols + j)]);
    }
  }
}

// ---- gather: errors ------------------------------------------------------------------------

TEST(Gather, RejectsNonIntegerIndices) {
  Array x = arr<float>(iota_f(4));
  expect_error<jx::DTypeError>(
      [&] {
        jx::lax::gather(x, arr<float>({1}, {1, 1}), take_1d(), {1});
      },
      {"gather indices must have an integer type", "float32"});
  expect_error<jx::DTypeError>(
      [&] {
        jx::lax::gather(x, arr<bool>({true}, {1, 1}), take_1d(), {1});
      },
      {"bool"});
}

TEST(Gather, RejectsMalformedDimensionNumbers) {
  Array x = arr<float>(iota_f(12), {3, 4});
  Array idx = arr<int32_t>({0, 1}, {2, 1});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::gather(x, arr<int32_t>({1}, {}), {{0}, {0}, {0}}, {1, 4});
      },
      {"rank >= 1", "indices shape ()"});
  expect_error<jx::ValueError>(
      [&] {
        jx::lax::gather(x, idx, {{2, 1}, {}, {0}}, {1, 4});
      },
      {"offset_dims in gather op must be sorted; got (2, 1).", "operand shape (3, 4)",
       "indices shape (2, 1)"});
  expect_error<jx::IndexError>(
      [&] {
        jx::lax::gather(x, idx, {{2}, {0}, {0}}, {1, 4});
      },
      {"Offset dimension 0 in gather op is out of bounds; got 2"});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::gather(x, idx, {{1}, {0}, {0, 1}}, {1, 4});
      },
      {"Gather op has 2 elements in start_index_map and the bound of dimension "
       "index_vector_dim=1 of indices is 1"});
  expect_error<jx::IndexError>(
      [&] {
        jx::lax::gather(x, idx, {{1}, {0}, {2}}, {1, 4});
      },
      {"Invalid start_index_map; domain is [0, 2), got: 0->2."});
  expect_error<jx::IndexError>(
      [&] {
        jx::lax::gather(x, idx, {{1}, {3}, {0}}, {1, 4});
      },
      {"Invalid collapsed_slice_dims set in gather op"});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::gather(x, idx, {{1}, {0}, {0}}, {1});
      },
      {"one slice size for every input dimension"});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::gather(x, idx, {{1}, {}, {0}}, {1, 4});
      },
      {"must either be a offset dimension or explicitly collapsed/batching"});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::gather(x, idx, {{1}, {0}, {0}}, {1, 5});
      },
      {"Slice size at index 1 in gather op is out of range, must be within [0, 4 + 1), got 5."});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::gather(x, idx, {{1}, {0}, {0}}, {2, 4});
      },
      {"Gather op can only collapse slice dims with bound 1, but bound is 2 for index 0"});
}

TEST(Gather, RejectsBadBatchingDims) {
  Array a = arr<int32_t>(std::vector<int32_t>(12, 0), {3, 4});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::gather(a, Array::from_vector<int32_t>(std::vector<int32_t>(4, 0), {2, 2, 1}),
                        {{}, {1}, {1}, {0}, {0}}, {1, 1});
      },
      {"operand batching dimensions and indices batching dimensions to have the same shape, "
       "got (3,) and (2,)."});
  Array idx = Array::from_vector<int32_t>(std::vector<int32_t>(6, 0), {3, 2, 1});
  expect_error<jx::ValueError>(
      [&] {
        jx::lax::gather(a, idx, {{}, {0}, {1}, {0}, {0}}, {1, 1});
      },
      {"collapsed_slice_dims and operand_batching_dims in gather op "
       "must be disjoint"});
  expect_error<jx::ValueError>(
      [&] {
        jx::lax::gather(a, idx, {{}, {1}, {0}, {0}, {0}}, {1, 1});
      },
      {"start_index_map and operand_batching_dims"});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::gather(a, idx, {{}, {1}, {1}, {0}, {2}}, {1, 1});
      },
      {"index vector dimension as a batching dimension"});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::gather(a, idx, {{}, {1}, {1}, {0}, {}}, {1, 1});
      },
      {"equal numbers of operand_batching_dims"});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::gather(a, idx, {{}, {1}, {1}, {0}, {0}}, {2, 1});
      },
      {"operand batching dims with bound 0/1, but bound is 2"});
}

// ---- scatter family ------------------------------------------------------------------------

ScatterDimensionNumbers put_1d() { return {{}, {0}, {0}}; }

TEST(Scatter, LastDuplicateWins) {
  Array op = arr<float>({0, 0, 0, 0, 0});
  Array idx = arr<int32_t>({1, 3, 1}, {3, 1});
  Array upd = arr<float>({10, 20, 30});
  expect_array_eq<float>(jx::lax::scatter(op, idx, upd, put_1d()), {0, 30, 0, 20, 0}, {5});
}

TEST(Scatter, AddAccumulatesDuplicates) {
  Array op = arr<float>({1, 1, 1, 1, 1});
  Array idx = arr<int32_t>({1, 3, 1}, {3, 1});
  Array upd = arr<float>({10, 20, 30});
  expect_array_eq<float>(jx::lax::scatter_add(op, idx, upd, put_1d()), {1, 41, 1, 21, 1}, {5});
}

TEST(Scatter, MulMinMax) {
  Array op = arr<int32_t>({2, 2, 2, 2, 2});
  Array idx = arr<int32_t>({1, 3, 1, 4}, {4, 1});
  Array upd = arr<int32_t>({10, 20, 30, -1});
  expect_array_eq<int32_t>(jx::lax::scatter_mul(op, idx, upd, put_1d()), {2, 600, 2, 40, -2}, {5});
  Array upd2 = arr<int32_t>({5, 1, -7, 3});
  expect_array_eq<int32_t>(jx::lax::scatter_min(op, idx, upd2, put_1d()), {2, -7, 2, 1, 2}, {5});
  expect_array_eq<int32_t>(jx::lax::scatter_max(op, idx, upd2, put_1d()), {2, 5, 2, 2, 3}, {5});
}

TEST(Scatter, MinMaxPropagateNaN) {
  Array op = arr<float>({1, 2, kNaN});
  Array idx = arr<int32_t>({0, 2}, {2, 1});
  Array upd = arr<float>({kNaN, 5});
  expect_array_eq<float>(jx::lax::scatter_max(op, idx, upd, put_1d()), {kNaN, 2, kNaN}, {3});
  expect_array_eq<float>(jx::lax::scatter_min(op, idx, upd, put_1d()), {kNaN, 2, kNaN}, {3});
}

TEST(Scatter, SetRows) {  // x.at[[2, 0]].set(u) on a (3, 4) array
  Array op = arr<float>(std::vector<float>(12, 0), {3, 4});
  Array idx = arr<int32_t>({2, 0}, {2, 1});
  Array upd = arr<float>({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4});
  expect_array_eq<float>(jx::lax::scatter(op, idx, upd, {{1}, {0}, {0}}),
                         {5, 6, 7, 8, 0, 0, 0, 0, 1, 2, 3, 4}, {3, 4});
}

TEST(Scatter, AddColumnsWithDuplicates) {  // np.add.at(o, (slice(None), [1, 1, 3]), u); numpy
  Array op = arr<float>(std::vector<float>(12, 0), {3, 4});
  Array idx = arr<int32_t>({1, 1, 3}, {3, 1});
  Array upd = arr<float>({1, 2, 3, 4, 5, 6, 7, 8, 9}, {3, 3});
  expect_array_eq<float>(jx::lax::scatter_add(op, idx, upd, {{0}, {1}, {1}}),
                         {0, 3, 0, 3, 0, 9, 0, 6, 0, 15, 0, 9}, {3, 4});
}

TEST(Scatter, PointsIn2D) {  // x.at[[0, 1], [2, 0]].add(u)
  Array op = arr<int64_t>({1, 1, 1, 1, 1, 1}, {2, 3});
  Array idx = arr<int32_t>({0, 2, 1, 0}, {2, 2});
  Array upd = arr<int64_t>({5, 7});
  expect_array_eq<int64_t>(jx::lax::scatter_add(op, idx, upd, {{}, {0, 1}, {0, 1}}),
                           {1, 1, 6, 8, 1, 1}, {2, 3});
}

TEST(Scatter, WindowUpdates) {  // dynamic_update_slice-like windows at (0, 1) and (1, 2)
  Array op = arr<float>(std::vector<float>(12, 0), {3, 4});
  Array idx = arr<int32_t>({0, 1, 1, 2}, {2, 2});
  Array upd = arr<float>({1, 1, 1, 1, 2, 2, 2, 2}, {2, 2, 2});
  expect_array_eq<float>(jx::lax::scatter_add(op, idx, upd, {{1, 2}, {}, {0, 1}}),
                         {0, 1, 1, 0, 0, 1, 3, 2, 0, 0, 2, 2}, {3, 4});
}

TEST(Scatter, PutAlongAxisWithBatchingDims) {  // np.put_along_axis(p, idx, v, axis=1); numpy
  Array op = arr<int32_t>(std::vector<int32_t>(6, 0), {2, 3});
  Array idx = arr<int32_t>({2, 0, 1, 1}, {2, 2, 1});
  Array upd = arr<int32_t>({5, 6, 7, 8}, {2, 2});
  ScatterDimensionNumbers dn{{}, {1}, {1}, {0}, {0}};
  expect_array_eq<int32_t>(jx::lax::scatter(op, idx, upd, dn), {6, 0, 5, 0, 8, 0}, {2, 3});
  expect_array_eq<int32_t>(jx::lax::scatter_add(op, idx, upd, dn), {6, 0, 5, 0, 15, 0}, {2, 3});
}

TEST(Scatter, OutOfBoundsModes) {
  Array op = arr<float>({0, 0, 0, 0, 0});
  Array idx = arr<int32_t>({-1, 5, 2, 9}, {4, 1});
  Array upd = arr<float>({1, 2, 3, 4});
  // fill_or_drop and promise_in_bounds drop out-of-bounds updates (as XLA does).
  expect_array_eq<float>(jx::lax::scatter_add(op, idx, upd, put_1d(), kFill), {0, 0, 3, 0, 0}, {5});
  expect_array_eq<float>(jx::lax::scatter_add(op, idx, upd, put_1d(), kPromise), {0, 0, 3, 0, 0},
                         {5});
  // clip clamps them into range.
  expect_array_eq<float>(jx::lax::scatter_add(op, idx, upd, put_1d(), kClip), {1, 0, 3, 0, 6}, {5});
}

TEST(Scatter, PartiallyOutOfBoundsWindowIsDroppedWhole) {
  Array op = arr<float>({0, 0, 0, 0, 0});
  Array idx = arr<int32_t>({4, 1}, {2, 1});
  Array upd = arr<float>({1, 2, 3, 4}, {2, 2});
  expect_array_eq<float>(jx::lax::scatter(op, idx, upd, {{1}, {}, {0}}), {0, 3, 4, 0, 0}, {5});
  expect_array_eq<float>(jx::lax::scatter(op, idx, upd, {{1}, {}, {0}}, kClip), {0, 3, 4, 1, 2},
                         {5});
}

TEST(Scatter, EmptyUpdatesReturnOperand) {
  Array op = arr<float>({1, 2, 3});
  Array idx = Array::from_vector<int32_t>({}, {0, 1});
  Array upd = Array::from_vector<float>({}, {0});
  expect_array_eq<float>(jx::lax::scatter_add(op, idx, upd, put_1d()), {1, 2, 3}, {3});
  expect_array_eq<float>(jx::lax::scatter(op, idx, upd, put_1d()), {1, 2, 3}, {3});
}

TEST(Scatter, BoolAddIsOrAndMulIsAnd) {
  Array op = arr<bool>({false, true, false});
  Array idx = arr<int32_t>({0, 1, 2}, {3, 1});
  Array upd = arr<bool>({true, false, false});
  expect_bool_eq(jx::lax::scatter_add(op, idx, upd, put_1d()), {true, true, false}, {3});
  expect_bool_eq(jx::lax::scatter_mul(op, idx, upd, put_1d()), {false, false, false}, {3});
  expect_bool_eq(jx::lax::scatter_max(op, idx, upd, put_1d()), {true, true, false}, {3});
  expect_bool_eq(jx::lax::scatter_min(op, idx, upd, put_1d()), {false, false, false}, {3});
}

TEST(Scatter, IntegerAddWraps) {
  Array op = arr<uint8_t>({250, 1});
  Array idx = arr<int64_t>({0, 1}, {2, 1});
  expect_array_eq<uint8_t>(jx::lax::scatter_add(op, idx, arr<uint8_t>({10, 2}), put_1d()), {4, 3},
                           {2});
  Array op32 = arr<int32_t>({std::numeric_limits<int32_t>::max()});
  expect_array_eq<int32_t>(
      jx::lax::scatter_add(op32, arr<uint32_t>({0}, {1, 1}), arr<int32_t>({1}), put_1d()),
      {std::numeric_limits<int32_t>::min()}, {1});
}

template <class T>
void check_scatter_dtype() {
  Array op = arr<T>({T(1), T(2), T(3), T(4)}, {2, 2});
  Array idx = arr<int32_t>({1}, {1, 1});
  Array upd = arr<T>({T(5), T(6)}, {1, 2});
  expect_array_eq<T>(jx::lax::scatter(op, idx, upd, {{1}, {0}, {0}}), {T(1), T(2), T(5), T(6)},
                     {2, 2});
  expect_array_eq<T>(jx::lax::scatter_add(op, idx, upd, {{1}, {0}, {0}}), {T(1), T(2), T(8), T(10)},
                     {2, 2});
  expect_array_eq<T>(jx::lax::scatter_mul(op, idx, upd, {{1}, {0}, {0}}),
                     {T(1), T(2), T(15), T(24)}, {2, 2});
  expect_array_eq<T>(jx::lax::scatter_max(op, idx, upd, {{1}, {0}, {0}}), {T(1), T(2), T(5), T(6)},
                     {2, 2});
  expect_array_eq<T>(jx::lax::scatter_min(op, idx, upd, {{1}, {0}, {0}}), {T(1), T(2), T(3), T(4)},
                     {2, 2});
}

TEST(Scatter, NumericDTypes) {
  check_scatter_dtype<uint8_t>();
  check_scatter_dtype<uint32_t>();
  check_scatter_dtype<int32_t>();
  check_scatter_dtype<int64_t>();
  check_scatter_dtype<float>();
  check_scatter_dtype<double>();
}

TEST(Scatter, KeepsOperandWeakTypeAndShape) {
  Array out = jx::lax::scatter_add(Array(1.0), Array::from_vector<int32_t>({}, {0}), Array(2.0f),
                                   {{}, {}, {}});
  EXPECT_TRUE(out.weak_type());
  expect_array_eq<float>(out, {3}, {});
}

TEST(Scatter, LargeAddMatchesLoop) {
  const int64_t n = 50000, m = 1000;
  std::mt19937 gen(7);
  std::vector<int32_t> iv(static_cast<size_t>(n));
  std::vector<int64_t> uv(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    iv[size_t(i)] = int32_t(gen() % (m + 10)) - 5;  // some out of bounds: dropped
    uv[size_t(i)] = int64_t(gen() % 100);
  }
  std::vector<int64_t> expected(static_cast<size_t>(m), 0);
  for (int64_t i = 0; i < n; ++i) {
    if (iv[size_t(i)] >= 0 && iv[size_t(i)] < m) expected[size_t(iv[size_t(i)])] += uv[size_t(i)];
  }
  Array out = jx::lax::scatter_add(arr<int64_t>(std::vector<int64_t>(size_t(m), 0)),
                                   arr<int32_t>(iv, {n, 1}), arr<int64_t>(uv), put_1d());
  expect_array_eq<int64_t>(out, expected, {m});
}

TEST(Scatter, Errors) {
  Array op = arr<float>(iota_f(12), {3, 4});
  Array idx = arr<int32_t>({0, 1}, {2, 1});
  Array upd = arr<float>(iota_f(8), {2, 4});
  expect_error<jx::DTypeError>(
      [&] {
        jx::lax::scatter_add(op, idx, arr<int32_t>({0, 0, 0, 0, 0, 0, 0, 0}, {2, 4}),
                             {{1}, {0}, {0}});
      },
      {"lax.scatter_add requires arguments to have the same dtypes, got float32, int32"});
  expect_error<jx::DTypeError>(
      [&] {
        jx::lax::scatter(op, arr<float>({0, 1}, {2, 1}), upd, {{1}, {0}, {0}});
      },
      {"scatter indices must have an integer type"});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::scatter(op, idx, upd, {{}, {0}, {0}});
      },
      {"Updates tensor must be of rank 1; got 2.", "scatter with", "updates shape (2, 4)"});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::scatter_mul(op, idx, upd, {{1}, {}, {0}});
      },
      {"Scatter op has window of size 1; doesn't match operand of rank 2."});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::scatter(op, idx, arr<float>(iota_f(10), {2, 5}), {{1}, {0}, {0}});
      },
      {"Bounds of the window dimensions of updates must not exceed the bounds of the "
       "corresponding dimensions of operand. For dimension 1, updates bound is 5, operand bound "
       "is 4."});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::scatter(op, idx, arr<float>(iota_f(12), {3, 4}), {{1}, {0}, {0}});
      },
      {"Bounds of the scatter dimensions of updates must be the same as the bounds of the "
       "corresponding dimensions of scatter indices. For scatter dimension 0, updates bound is "
       "3, indices bound is 2."});
  expect_error<jx::IndexError>(
      [&] {
        jx::lax::scatter_min(op, idx, upd, {{1}, {0}, {2}});
      },
      {"Invalid scatter_dims_to_operand_dims mapping; domain is [0, 2), got: 0->2."});
  expect_error<jx::ValueError>(
      [&] {
        jx::lax::scatter_max(op, idx, upd, {{1}, {0, 0}, {0}});
      },
      {"inserted_window_dims in scatter-max op must not repeat"});
  expect_error<jx::ShapeError>(
      [&] {
        jx::lax::scatter(op, idx, upd, {{1}, {0}, {0, 1}});
      },
      {"Scatter op has 2 elements in scatter_dims_to_operand_dims"});
}

TEST(GatherScatter, RegisteredAsSingleResult) {
  EXPECT_FALSE(jx::rules(jx::Prim::gather).multiple_results);
  EXPECT_FALSE(jx::rules(jx::Prim::scatter_add).multiple_results);
}

}  // namespace
