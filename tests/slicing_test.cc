// Tests of concatenate, pad, slice, dynamic_slice and dynamic_update_slice. Expected values are
// hand-derived or computed with numpy (noted), never with jx itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "core/array_impl.h"
#include "interpreters/trace.h"
#include "ir/primitive.h"
#include "jx/lax.h"
#include "test_util.h"

namespace {

using jx::Array;
using jx::Shape;
using jx::testing::arr;
using jx::testing::expect_array_eq;
using jx::testing::expect_error;
namespace lax = jx::lax;

// Array::to_vector<bool> does not compile (std::vector<bool> has no data()), so bool results are
// compared through uint8.
void expect_bool_eq(const Array& a, const std::vector<uint8_t>& expected, const Shape& shape) {
  ASSERT_EQ(a.dtype(), jx::bool_);
  expect_array_eq<uint8_t>(Array::from_vector<uint8_t>(a.to_vector<uint8_t>(), a.shape()), expected,
                           shape);
}

Array i32(int32_t v) { return arr<int32_t>({v}, {}); }

// ---- concatenate ------------------------------------------------------------------------------

TEST(Concatenate, Values) {
  Array a = arr<float>({1, 2, 3, 4}, {2, 2});
  // numpy: np.concatenate([a, [[5], [6]]], 1) and np.concatenate([a, [[7, 8]]], 0)
  expect_array_eq<float>(lax::concatenate({a, arr<float>({5, 6}, {2, 1})}, 1), {1, 2, 5, 3, 4, 6},
                         {2, 3});
  expect_array_eq<float>(lax::concatenate({a, arr<float>({7, 8}, {1, 2})}, 0), {1, 2, 3, 4, 7, 8},
                         {3, 2});
  expect_array_eq<int64_t>(
      lax::concatenate({arr<int64_t>({1}), arr<int64_t>({2, 3}), arr<int64_t>({4, 5, 6})}, 0),
      {1, 2, 3, 4, 5, 6}, {6});
  expect_bool_eq(lax::concatenate({arr<bool>({1}), arr<bool>({0, 1})}, 0), {1, 0, 1}, {3});
  expect_array_eq<uint8_t>(lax::concatenate({arr<uint8_t>({1, 2}, {2, 1}), arr<uint8_t>({}, {2, 0}),
                                             arr<uint8_t>({3, 4}, {2, 1})},
                                            1),
                           {1, 3, 2, 4}, {2, 2});
  expect_array_eq<uint32_t>(lax::concatenate({arr<uint32_t>({9, 8})}, 0), {9, 8}, {2});
  expect_array_eq<double>(lax::concatenate({arr<double>({}, {0, 3}), arr<double>({}, {0, 3})}, 0),
                          {}, {0, 3});
  expect_array_eq<int32_t>(
      lax::concatenate({arr<int32_t>({1, 2}, {1, 2}), arr<int32_t>({}, {1, 0})}, 1), {1, 2},
      {1, 2});
}

TEST(Concatenate, WeakType) {
  Array w = lax::broadcast_in_dim(Array(1.5), {2}, {});
  EXPECT_TRUE(lax::concatenate({w, w}, 0).weak_type());
  EXPECT_FALSE(lax::concatenate({w, arr<float>({1, 2})}, 0).weak_type());
}

TEST(Concatenate, Large) {
  const int64_t rows = 1000;
  std::vector<float> a(rows * 300), b(rows * 200);
  for (size_t i = 0; i < a.size(); ++i) a[i] = float(i);
  for (size_t i = 0; i < b.size(); ++i) b[i] = -float(i);
  std::vector<float> c =
      lax::concatenate({arr<float>(a, {rows, 300}), arr<float>(b, {rows, 200})}, 1)
          .to_vector<float>();
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < 500; ++j) {
      float want = j < 300 ? a[size_t(r * 300 + j)] : b[size_t(r * 200 + j - 300)];
      ASSERT_EQ(c[size_t(r * 500 + j)], want);
    }
  }
}

TEST(Concatenate, Errors) {
  Array a = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_error<jx::ValueError>([] { lax::concatenate({}, 0); },
                               {"concatenate expects at least one operand, got 0."});
  expect_error<jx::DTypeError>(
      [&] {
        lax::concatenate({a, arr<int32_t>({1, 2, 3}, {1, 3})}, 0);
      },
      {"lax.concatenate requires arguments to have the same dtypes, got "
       "float32, int32."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::concatenate({a, arr<float>({1, 2})}, 0);
      },
      {"Cannot concatenate arrays with different numbers of dimensions: got (2, 3), (2,)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::concatenate({a, a}, 2);
      },
      {"concatenate dimension out of bounds: dimension 2 for shapes (2, 3), (2, 3)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::concatenate({a, arr<float>({1, 2, 3, 4}, {2, 2})}, 0);
      },
      {"Cannot concatenate arrays with shapes that differ in dimensions other than the one being "
       "concatenated: concatenating along dimension 0 for shapes (2, 3), (2, 2)."});
}

// ---- pad --------------------------------------------------------------------------------------
// Expected values from a numpy reference of lax.pad (dilate by interior with np.full + strided
// assignment, then np.concatenate / slicing for lo and hi).

TEST(Pad, Values) {
  Array x = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_array_eq<float>(lax::pad(x, arr<float>({-1}, {}), {{1, 2, 0}, {0, 1, 1}}),
                         {-1, -1, -1, -1, -1, -1, 1,  -1, 2,  -1, 3,  -1, 4,  -1, 5,
                          -1, 6,  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1},
                         {5, 6});
  expect_array_eq<float>(lax::pad(x, arr<float>({-1}, {}), {{-1, 1, 0}, {2, -2, 1}}),
                         {-1, -1, 4, -1, 5, -1, -1, -1, -1, -1}, {2, 5});
  expect_array_eq<int32_t>(
      lax::pad(arr<int32_t>({1, 2, 3, 4, 5, 6}, {2, 3}), i32(0), {{0, 0, 2}, {-2, -1, 2}}),
      {0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0}, {4, 4});
  expect_bool_eq(lax::pad(arr<bool>({1, 0, 1}), arr<bool>({0}, {}), {{1, 1, 1}}),
                 {0, 1, 0, 0, 0, 1, 0}, {7});
  expect_array_eq<uint8_t>(lax::pad(arr<uint8_t>({7, 8}), arr<uint8_t>({255}, {}), {{-3, 2, 3}}),
                           {255, 8, 255, 255}, {4});
  expect_array_eq<int64_t>(lax::pad(arr<int64_t>({5, 6}), arr<int64_t>({0}, {}), {{0, 0, 0}}),
                           {5, 6}, {2});
  expect_array_eq<uint32_t>(lax::pad(arr<uint32_t>({5, 6}), arr<uint32_t>({1}, {}), {{-1, -1, 0}}),
                            {}, {0});
  expect_array_eq<double>(
      lax::pad(arr<double>({}, {0, 2}), arr<double>({2.5}, {}), {{1, 1, 3}, {0, 0, 0}}),
      {2.5, 2.5, 2.5, 2.5}, {2, 2});
  expect_array_eq<double>(lax::pad(arr<double>({4}, {}), arr<double>({1}, {}), {}), {4}, {});
}

TEST(Pad, WeakType) {
  Array w = lax::broadcast_in_dim(Array(1.5), {2}, {});
  EXPECT_TRUE(lax::pad(w, Array(0.0), {{1, 1, 0}}).weak_type());
  EXPECT_FALSE(lax::pad(w, arr<float>({0}, {}), {{1, 1, 0}}).weak_type());
}

TEST(Pad, Large) {
  const int64_t n = 1000;
  std::vector<int32_t> v(n * n);
  std::iota(v.begin(), v.end(), 0);
  std::vector<int32_t> p =
      lax::pad(arr<int32_t>(v, {n, n}), i32(-1), {{1, 1, 0}, {2, -1, 1}}).to_vector<int32_t>();
  const int64_t rows = n + 2, cols = 2 + (2 * n - 1) - 1;
  ASSERT_EQ(p.size(), size_t(rows * cols));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) {
      const int64_t xi = i - 1, xj2 = j - 2;
      int32_t want = -1;
      if (xi >= 0 && xi < n && xj2 >= 0 && xj2 % 2 == 0) want = v[size_t(xi * n + xj2 / 2)];
      ASSERT_EQ(p[size_t(i * cols + j)], want) << i << "," << j;
    }
  }
}

TEST(Pad, Errors) {
  Array x = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_error<jx::ShapeError>(
      [&] {
        lax::pad(x, arr<float>({0, 0}), {{0, 0, 0}, {0, 0, 0}});
      },
      {"pad padding_value must be a scalar"});
  expect_error<jx::DTypeError>(
      [&] {
        lax::pad(x, i32(0), {{0, 0, 0}, {0, 0, 0}});
      },
      {"pad operand and padding_value must be same dtype: got float32 and int32."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::pad(x, arr<float>({0}, {}), {{1, 1, 0}});
      },
      {"length of padding_config must equal the number of axes of operand, got padding_config "
       "((1, 1, 0),) for operand shape (2, 3)"});
  expect_error<jx::ShapeError>(
      [&] {
        lax::pad(x, arr<float>({0}, {}), {{0, 0, -1}, {0, 0, 0}});
      },
      {"interior padding in padding_config must be nonnegative, got padding_config ((0, 0, -1), "
       "(0, 0, 0))"});
  expect_error<jx::ShapeError>(
      [&] {
        lax::pad(x, arr<float>({0}, {}), {{-2, -1, 0}, {0, 0, 0}});
      },
      {"Dimension size after padding is not at least 0, got result shape (-1, 3)"});
}

// ---- slice ------------------------------------------------------------------------------------

TEST(Slice, Values) {
  std::vector<float> s(12);
  for (size_t i = 0; i < s.size(); ++i) s[i] = 1.5f * float(i);
  // numpy: (np.arange(12).reshape(3,4) * 1.5)[1:3, 0:4:2]
  expect_array_eq<float>(lax::slice(arr<float>(s, {3, 4}), {1, 0}, {3, 4}, {1, 2}), {6, 9, 12, 15},
                         {2, 2});
  std::vector<int64_t> a(24);
  std::iota(a.begin(), a.end(), 0);
  // numpy: np.arange(24).reshape(2,3,4)[0:2, 1:3, 1:4:2]
  expect_array_eq<int64_t>(lax::slice(arr<int64_t>(a, {2, 3, 4}), {0, 1, 1}, {2, 3, 4}, {1, 1, 2}),
                           {5, 7, 9, 11, 17, 19, 21, 23}, {2, 2, 2});
  expect_bool_eq(lax::slice(arr<bool>({1, 0, 1, 1}), {1}, {4}, {2}), {0, 1}, {2});
  expect_array_eq<uint8_t>(lax::slice(arr<uint8_t>({1, 2, 3, 4}, {2, 2}), {0, 1}, {2, 2}), {2, 4},
                           {2, 1});
  expect_array_eq<uint32_t>(lax::slice(arr<uint32_t>({1, 2, 3}), {1}, {1}), {}, {0});
  expect_array_eq<int32_t>(lax::slice(arr<int32_t>({7}, {}), {}, {}), {7}, {});
  expect_array_eq<double>(lax::slice(arr<double>({1, 2, 3, 4, 5}), {0}, {5}, {3}), {1, 4}, {2});
}

TEST(Slice, ContiguousSliceIsAView) {
  std::vector<int32_t> a(24);
  std::iota(a.begin(), a.end(), 0);
  Array x = arr<int32_t>(a, {2, 3, 4});
  Array rows = lax::slice(x, {1, 0, 0}, {2, 3, 4});
  EXPECT_EQ(rows.data<int32_t>(), x.data<int32_t>() + 12);
  expect_array_eq<int32_t>(rows, {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}, {1, 3, 4});
  Array mid = lax::slice(x, {1, 1, 0}, {2, 3, 4});
  EXPECT_EQ(mid.data<int32_t>(), x.data<int32_t>() + 16);
  expect_array_eq<int32_t>(mid, {16, 17, 18, 19, 20, 21, 22, 23}, {1, 2, 4});
  Array cols = lax::slice(x, {0, 0, 1}, {2, 3, 3});
  EXPECT_NE(cols.data<int32_t>(), x.data<int32_t>() + 1);
  expect_array_eq<int32_t>(cols, {1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22}, {2, 3, 2});
}

TEST(Slice, Large) {
  const int64_t n = 1200;
  std::vector<double> v(n * n);
  for (size_t i = 0; i < v.size(); ++i) v[i] = double(i) * 0.25;
  std::vector<double> s =
      lax::slice(arr<double>(v, {n, n}), {3, 5}, {n - 1, n}, {2, 3}).to_vector<double>();
  const int64_t r = (n - 1 - 3 - 1) / 2 + 1, c = (n - 5 - 1) / 3 + 1;
  ASSERT_EQ(s.size(), size_t(r * c));
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j)
      ASSERT_EQ(s[size_t(i * c + j)], v[size_t((3 + 2 * i) * n + 5 + 3 * j)]);
}

TEST(Slice, Errors) {
  Array x = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_error<jx::ShapeError>(
      [&] { lax::slice(x, {0}, {1}); },
      {"slice start_indices must have length equal to the number of dimensions of the operand, "
       "got indices (0,) for operand shape (2, 3)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::slice(x, {0, 0}, {1});
      },
      {"slice limit_indices must have the same length as start_indices, "
       "got start_indices (0, 0) and limit_indices (1,)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::slice(x, {0, 0}, {3, 3});
      },
      {"slice limit_indices must be less than or equal to operand shape, "
       "got limit_indices (3, 3) for operand shape (2, 3)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::slice(x, {0, -1}, {1, 1});
      },
      {"slice start_indices must have every element be nonnegative, got "
       "(0, -1)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::slice(x, {1, 2}, {1, 1});
      },
      {"slice limit_indices must be greater than or equal to "
       "start_indices, got start_indices (1, 2) and limit_indices (1, "
       "1)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::slice(x, {0, 0}, {1, 1}, {1, 0});
      },
      {"slice strides must be positive, got (1, 0)"});
  expect_error<jx::ShapeError>(
      [&] {
        lax::slice(x, {0, 0}, {1, 1}, {1});
      },
      {"slice strides must have length equal to the number of dimensions "
       "of the operand, got strides (1,) for operand shape (2, 3)."});
}

// ---- dynamic_slice ----------------------------------------------------------------------------

TEST(DynamicSlice, ValuesAndClamping) {
  std::vector<int32_t> a(24);
  std::iota(a.begin(), a.end(), 0);
  Array x = arr<int32_t>(a, {2, 3, 4});
  // numpy: np.arange(24).reshape(2,3,4)[1:2, 0:2, 1:4]
  expect_array_eq<int32_t>(lax::dynamic_slice(x, {1, 0, 1}, {1, 2, 3}), {13, 14, 15, 17, 18, 19},
                           {1, 2, 3});
  // Starts (5, 1, 7) clamp to (0, 1, 2): numpy x[0:2, 1:3, 2:4]
  expect_array_eq<int32_t>(lax::dynamic_slice(x, {5, 1, 7}, {2, 2, 2}),
                           {6, 7, 10, 11, 18, 19, 22, 23}, {2, 2, 2});
  // Negative starts count from the end (JAX): -1 on dim 2 (size 4) is 3, clamped to 2 for size
  // 2; -100 stays negative after wrapping and clamps to 0.
  expect_array_eq<int32_t>(lax::dynamic_slice(x, {-1, -100, -1}, {1, 1, 2}), {14, 15}, {1, 1, 2});
  Array f = arr<float>({1.5f, 2.5f, 3.5f});
  expect_array_eq<float>(lax::dynamic_slice(f, {arr<int64_t>({1}, {})}, {2}), {2.5f, 3.5f}, {2});
  expect_array_eq<float>(lax::dynamic_slice(f, {arr<uint32_t>({4000000000u}, {})}, {1}), {3.5f},
                         {1});
  expect_array_eq<float>(lax::dynamic_slice(f, {arr<uint8_t>({0}, {})}, {0}), {}, {0});
  expect_bool_eq(lax::dynamic_slice(arr<bool>({1, 0, 1}), {1}, {2}), {0, 1}, {2});
  expect_array_eq<uint8_t>(lax::dynamic_slice(arr<uint8_t>({4, 5}), {1}, {1}), {5}, {1});
  expect_array_eq<uint32_t>(lax::dynamic_slice(arr<uint32_t>({4, 5}), {0}, {2}), {4, 5}, {2});
  expect_array_eq<int64_t>(lax::dynamic_slice(arr<int64_t>({4, 5}), {1}, {1}), {5}, {1});
  expect_array_eq<double>(lax::dynamic_slice(arr<double>({8}, {}), {}, {}), {8}, {});
  Array w = lax::broadcast_in_dim(Array(1.5), {3}, {});
  EXPECT_TRUE(lax::dynamic_slice(w, {1}, {2}).weak_type());
}

TEST(DynamicSlice, Large) {
  const int64_t n = 1 << 20;
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[size_t(i)] = float(i % 1000);
  std::vector<float> s = lax::dynamic_slice(arr<float>(v), {12345}, {n / 2}).to_vector<float>();
  for (int64_t i = 0; i < n / 2; ++i) ASSERT_EQ(s[size_t(i)], float((i + 12345) % 1000));
  std::vector<int32_t> m(1000 * 600);
  std::iota(m.begin(), m.end(), 0);
  std::vector<int32_t> t =
      lax::dynamic_slice(arr<int32_t>(m, {1000, 600}), {100, 7}, {800, 500}).to_vector<int32_t>();
  for (int64_t i = 0; i < 800; ++i)
    for (int64_t j = 0; j < 500; ++j) ASSERT_EQ(t[size_t(i * 500 + j)], (i + 100) * 600 + j + 7);
}

TEST(DynamicSlice, Errors) {
  Array x = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_error<jx::ShapeError>(
      [&] { lax::dynamic_slice(x, {0}, {1}); },
      {"dynamic_slice start_indices must have length equal to the number of dimensions of the "
       "operand, got 1 indices for operand shape (2, 3)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::dynamic_slice(x, {0, 0}, {1});
      },
      {"dynamic_slice slice_sizes must have the same length as "
       "start_indices, got start_indices length 2 and slice_sizes (1,)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::dynamic_slice(x, {0, 0}, {3, 1});
      },
      {"dynamic_slice slice_sizes must be less than or equal to operand shape, got slice_sizes "
       "(3, 1) for operand shape (2, 3)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::dynamic_slice(x, {0, 0}, {1, -1});
      },
      {"slice_sizes must be greater than or equal to zero"});
  expect_error<jx::DTypeError>(
      [&] {
        lax::dynamic_slice(x, {0, arr<int64_t>({0}, {})}, {1, 1});
      },
      {"index arguments to dynamic_slice must be integers of the same type, got int32, int64"});
  expect_error<jx::DTypeError>(
      [&] {
        lax::dynamic_slice(x, {arr<float>({0}, {}), arr<float>({0}, {})}, {1, 1});
      },
      {"index arguments to dynamic_slice must be integers of the same type, got float32, float32"});
  expect_error<jx::ShapeError>(
      [&] {
        lax::dynamic_slice(x, {arr<int32_t>({0, 0}), 0}, {1, 1});
      },
      {"start_indices arguments to dynamic_slice must be scalars, got indices with shapes (2,), "
       "()"});
}

// ---- dynamic_update_slice ---------------------------------------------------------------------

TEST(DynamicUpdateSlice, Values) {
  std::vector<double> y(12);
  std::iota(y.begin(), y.end(), 0.0);
  Array x = arr<double>(y, {3, 4});
  Array u = arr<double>({-1, -2, -3, -4}, {2, 2});
  // numpy: z = y.copy(); z[1:3, 2:4] = u
  expect_array_eq<double>(lax::dynamic_update_slice(x, u, {1, 2}),
                          {0, 1, 2, 3, 4, 5, -1, -2, 8, 9, -3, -4}, {3, 4});
  // (7, 3) clamps to (1, 2); (-1, -2) wraps to (2, 2) then clamps to (1, 2).
  expect_array_eq<double>(lax::dynamic_update_slice(x, u, {7, 3}),
                          {0, 1, 2, 3, 4, 5, -1, -2, 8, 9, -3, -4}, {3, 4});
  expect_array_eq<double>(lax::dynamic_update_slice(x, u, {-1, -2}),
                          {0, 1, 2, 3, 4, 5, -1, -2, 8, 9, -3, -4}, {3, 4});
  // numpy: z[0:2, 0:2] = u
  expect_array_eq<double>(lax::dynamic_update_slice(x, u, {0, -9}),
                          {-1, -2, 2, 3, -3, -4, 6, 7, 8, 9, 10, 11}, {3, 4});
  // The operand is unchanged (functional update).
  expect_array_eq<double>(x, y, {3, 4});
  expect_bool_eq(lax::dynamic_update_slice(arr<bool>({0, 0, 0}), arr<bool>({1}), {1}), {0, 1, 0},
                 {3});
  expect_array_eq<uint8_t>(lax::dynamic_update_slice(arr<uint8_t>({1, 2, 3}), arr<uint8_t>({9, 9}),
                                                     {arr<uint8_t>({2}, {})}),
                           {1, 9, 9}, {3});
  expect_array_eq<uint32_t>(
      lax::dynamic_update_slice(arr<uint32_t>({1, 2}), arr<uint32_t>({}, {0}), {1}), {1, 2}, {2});
  expect_array_eq<int64_t>(
      lax::dynamic_update_slice(arr<int64_t>({1, 2}), arr<int64_t>({5}), {arr<int64_t>({0}, {})}),
      {5, 2}, {2});
  expect_array_eq<int32_t>(
      lax::dynamic_update_slice(arr<int32_t>({1}, {}), arr<int32_t>({2}, {}), {}), {2}, {});
  expect_array_eq<float>(
      lax::dynamic_update_slice(arr<float>({}, {0, 2}), arr<float>({}, {0, 1}), {0, 1}), {},
      {0, 2});
}

TEST(DynamicUpdateSlice, Large) {
  const int64_t n = 1000;
  std::vector<float> x(n * n, 0.f), u(500 * 300);
  for (size_t i = 0; i < u.size(); ++i) u[i] = float(i + 1);
  std::vector<float> r =
      lax::dynamic_update_slice(arr<float>(x, {n, n}), arr<float>(u, {500, 300}), {250, 650})
          .to_vector<float>();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      const bool in = i >= 250 && i < 750 && j >= 650 && j < 950;
      ASSERT_EQ(r[size_t(i * n + j)], in ? u[size_t((i - 250) * 300 + j - 650)] : 0.f);
    }
  }
}

TEST(DynamicUpdateSlice, Errors) {
  Array x = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_error<jx::ShapeError>(
      [&] {
        lax::dynamic_update_slice(x, arr<float>({1}), {0, 0});
      },
      {"dynamic_update_slice update must have the same rank as operand, got update shape (1,) "
       "for operand shape (2, 3)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::dynamic_update_slice(x, arr<float>({1}, {1, 1}), {0});
      },
      {"dynamic_update_slice start_indices must have length equal to the rank of operand"});
  expect_error<jx::ShapeError>(
      [&] {
        lax::dynamic_update_slice(x, arr<float>({1, 2, 3, 4}, {1, 4}), {0, 0});
      },
      {"dynamic_update_slice update shape must be smaller than operand shape, got update shape "
       "(1, 4) for operand shape (2, 3)."});
  expect_error<jx::DTypeError>(
      [&] {
        lax::dynamic_update_slice(x, arr<int32_t>({1}, {1, 1}), {0, 0});
      },
      {"lax.dynamic_update_slice requires arguments to have the same "
       "dtypes, got float32, int32."});
  expect_error<jx::DTypeError>(
      [&] {
        lax::dynamic_update_slice(x, arr<float>({1}, {1, 1}), {0, arr<uint8_t>({0}, {})});
      },
      {"index arguments to dynamic_update_slice must be integers of the same type, got int32, "
       "uint8"});
}

TEST(DynamicUpdateSlice, WeakType) {
  Array w = lax::broadcast_in_dim(Array(1.5), {3}, {});
  Array wu = lax::broadcast_in_dim(Array(2.5), {1}, {});
  // C++ int indices are weak, so the result is weak only when operand and update both are.
  EXPECT_TRUE(lax::dynamic_update_slice(w, wu, {1}).weak_type());
  EXPECT_FALSE(lax::dynamic_update_slice(w, arr<float>({1}), {1}).weak_type());
}

// ---- negative indices under a trace -----------------------------------------------------------
// A trace whose tracers carry a hidden concrete value: it exercises the wrappers' traced-index
// path (which cannot read the index) while still producing numbers to check.

struct ValueTracer : jx::Tracer {
  explicit ValueTracer(Array v) : jx::Tracer(0), value(std::move(v)) {}
  Array value;
};

Array hide(const Array& v) {
  auto impl = std::make_shared<jx::ArrayImpl>();
  impl->aval = v.aval();
  impl->tracer = std::make_shared<ValueTracer>(v);
  return Array(impl);
}
Array reveal(const Array& t) { return static_cast<ValueTracer*>(t.impl()->tracer.get())->value; }

class HidingTrace : public jx::Trace {
 public:
  HidingTrace() : Trace(nullptr) {}
  std::vector<Array> process_primitive(jx::Prim p, std::span<const Array> args,
                                       const jx::Params& params) override {
    seen.emplace_back(jx::primitive_name(p));
    std::vector<Array> values;
    for (const Array& a : args) values.push_back(a.is_concrete() ? a : reveal(a));
    std::vector<Array> out = jx::eval_primitive(p, values, params);
    for (Array& o : out) o = hide(o);
    return out;
  }
  std::vector<std::string> seen;
};

TEST(DynamicSlice, TracedNegativeIndices) {
  Array x = arr<int32_t>({10, 11, 12, 13, 14});
  HidingTrace trace;
  Array out, upd;
  {
    jx::TraceScope scope(&trace);
    out = lax::dynamic_slice(x, {hide(i32(-2))}, {2});
    upd = lax::dynamic_update_slice(x, arr<int32_t>({0}), {hide(i32(-4))});
  }
  expect_array_eq<int32_t>(reveal(out), {13, 14}, {2});
  expect_array_eq<int32_t>(reveal(upd), {10, 0, 12, 13, 14}, {5});
  EXPECT_NE(std::find(trace.seen.begin(), trace.seen.end(), "dynamic_slice"), trace.seen.end());
  // A traced non-negative index is left as it is.
  {
    jx::TraceScope scope(&trace);
    out = lax::dynamic_slice(x, {hide(i32(1))}, {2});
  }
  expect_array_eq<int32_t>(reveal(out), {11, 12}, {2});
}

}  // namespace
