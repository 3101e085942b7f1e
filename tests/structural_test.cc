// Tests of iota, broadcast_in_dim, reshape, transpose, squeeze, expand_dims and rev. Expected
// values are hand-derived or computed with numpy (noted), never with jx itself.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <vector>

#include "core/array_impl.h"
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

Array lax_as_u8(const Array& a) {
  return Array::from_vector<uint8_t>(a.to_vector<uint8_t>(), a.shape());
}

// Array::to_vector<bool> does not compile (std::vector<bool> has no data()), so bool results are
// compared through uint8.
void expect_bool_eq(const Array& a, const std::vector<uint8_t>& expected, const Shape& shape) {
  ASSERT_EQ(a.dtype(), jx::bool_);
  expect_array_eq<uint8_t>(lax_as_u8(a), expected, shape);
}

// ---- iota -------------------------------------------------------------------------------------

TEST(Iota, EveryNumericDtype) {
  expect_array_eq<int32_t>(lax::iota(jx::int32, 5), {0, 1, 2, 3, 4}, {5});
  expect_array_eq<int64_t>(lax::iota(jx::int64, 3), {0, 1, 2}, {3});
  expect_array_eq<uint8_t>(lax::iota(jx::uint8, 4), {0, 1, 2, 3}, {4});
  expect_array_eq<uint32_t>(lax::iota(jx::uint32, 2), {0, 1}, {2});
  expect_array_eq<float>(lax::iota(jx::float32, 4), {0.f, 1.f, 2.f, 3.f}, {4});
  expect_array_eq<double>(lax::iota(jx::float64, 3), {0.0, 1.0, 2.0}, {3});
  EXPECT_FALSE(lax::iota(jx::float32, 3).weak_type());
}

TEST(Iota, Broadcasted) {
  expect_array_eq<int32_t>(lax::broadcasted_iota(jx::int32, {2, 3}, 0), {0, 0, 0, 1, 1, 1}, {2, 3});
  expect_array_eq<int32_t>(lax::broadcasted_iota(jx::int32, {2, 3}, 1), {0, 1, 2, 0, 1, 2}, {2, 3});
  // numpy: np.broadcast_to(np.arange(3)[None,:,None], (2,3,4)).ravel()
  expect_array_eq<float>(lax::broadcasted_iota(jx::float32, {2, 3, 4}, 1),
                         {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2},
                         {2, 3, 4});
}

TEST(Iota, Empty) {
  expect_array_eq<int32_t>(lax::iota(jx::int32, 0), {}, {0});
  expect_array_eq<float>(lax::broadcasted_iota(jx::float32, {0, 3}, 1), {}, {0, 3});
  expect_array_eq<float>(lax::broadcasted_iota(jx::float32, {3, 0}, 0), {}, {3, 0});
}

TEST(Iota, Large) {
  const int64_t n = int64_t{1} << 20;
  std::vector<int32_t> v = lax::iota(jx::int32, n).to_vector<int32_t>();
  ASSERT_EQ(v.size(), size_t(n));
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(v[size_t(i)], i);
  // Row r of a (700, 1000) iota along dim 0 holds r everywhere; along dim 1 column c holds c.
  std::vector<double> r = lax::broadcasted_iota(jx::float64, {700, 1000}, 0).to_vector<double>();
  std::vector<int64_t> c = lax::broadcasted_iota(jx::int64, {700, 1000}, 1).to_vector<int64_t>();
  for (int64_t i = 0; i < 700 * 1000; ++i) {
    ASSERT_EQ(r[size_t(i)], double(i / 1000));
    ASSERT_EQ(c[size_t(i)], i % 1000);
  }
}

TEST(Iota, Errors) {
  expect_error<jx::DTypeError>([] { lax::iota(jx::bool_, 3); },
                               {"iota does not accept dtype bool"});
  expect_error<jx::ValueError>(
      [] {
        lax::broadcasted_iota(jx::int32, {2, 3}, 2);
      },
      {"iota dimension must be between 0 and len(shape), got dimension=2 for shape=(2, 3)"});
  expect_error<jx::ValueError>([] { lax::broadcasted_iota(jx::int32, {}, 0); },
                               {"dimension=0 for shape=()"});
  expect_error<jx::ShapeError>([] { lax::iota(jx::int32, -1); },
                               {"iota shape must have every element be nonnegative, got (-1,)."});
}

// ---- broadcast_in_dim -------------------------------------------------------------------------

TEST(BroadcastInDim, Values) {
  expect_array_eq<int32_t>(lax::broadcast_in_dim(arr<int32_t>({10, 20}, {2, 1}), {2, 3}, {0, 1}),
                           {10, 10, 10, 20, 20, 20}, {2, 3});
  expect_array_eq<float>(lax::broadcast_in_dim(arr<float>({1.5f, -2.f, 3.f}), {2, 3}, {1}),
                         {1.5f, -2.f, 3.f, 1.5f, -2.f, 3.f}, {2, 3});
  // numpy: np.broadcast_to(np.array([[1,2,3]])[None], (2,4,3)).ravel()
  expect_array_eq<int64_t>(
      lax::broadcast_in_dim(arr<int64_t>({1, 2, 3}, {1, 3}), {2, 4, 3}, {1, 2}),
      {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}, {2, 4, 3});
  expect_array_eq<uint8_t>(lax::broadcast_in_dim(arr<uint8_t>({7}, {}), {2, 2}, {}), {7, 7, 7, 7},
                           {2, 2});
  expect_bool_eq(lax::broadcast_in_dim(arr<bool>({1, 0}), {2, 1, 2}, {2}), {1, 0, 1, 0}, {2, 1, 2});
  expect_array_eq<uint32_t>(lax::broadcast_in_dim(arr<uint32_t>({4, 5}), {2, 2}, {0}), {4, 4, 5, 5},
                            {2, 2});
  expect_array_eq<double>(lax::broadcast(arr<double>({0.5, 1.5}), {3}),
                          {0.5, 1.5, 0.5, 1.5, 0.5, 1.5}, {3, 2});
  // Unordered broadcast_dimensions (allowed by JAX) transpose: numpy np.arange(6).reshape(2,3).T
  expect_array_eq<int32_t>(
      lax::broadcast_in_dim(arr<int32_t>({0, 1, 2, 3, 4, 5}, {2, 3}), {3, 2}, {1, 0}),
      {0, 3, 1, 4, 2, 5}, {3, 2});
}

TEST(BroadcastInDim, EmptyScalarViewAndWeak) {
  expect_array_eq<float>(lax::broadcast_in_dim(arr<float>({}, {0}), {2, 0}, {1}), {}, {2, 0});
  expect_array_eq<float>(lax::broadcast_in_dim(arr<float>({1.f}, {1}), {0, 1}, {1}), {}, {0, 1});
  Array s = 2.5;  // weak scalar
  Array b = lax::broadcast_in_dim(s, {3}, {});
  expect_array_eq<float>(b, {2.5f, 2.5f, 2.5f}, {3});
  EXPECT_TRUE(b.weak_type());
  EXPECT_FALSE(lax::broadcast_in_dim(arr<float>({1.f}, {}), {3}, {}).weak_type());
  expect_array_eq<int32_t>(lax::broadcast_in_dim(arr<int32_t>({4}, {}), {}, {}), {4}, {});
  // Inserting size-1 dims moves no data.
  Array x = arr<float>({1.f, 2.f, 3.f});
  Array v = lax::broadcast_in_dim(x, {1, 3, 1}, {1});
  EXPECT_EQ(v.data(), x.data());
  expect_array_eq<float>(v, {1.f, 2.f, 3.f}, {1, 3, 1});
}

TEST(BroadcastInDim, Large) {
  std::vector<float> row(1000);
  std::iota(row.begin(), row.end(), 0.f);
  std::vector<float> a =
      lax::broadcast_in_dim(arr<float>(row), {2000, 1000}, {1}).to_vector<float>();
  std::vector<int64_t> col(1500);
  std::iota(col.begin(), col.end(), int64_t{-7});
  std::vector<int64_t> b =
      lax::broadcast_in_dim(arr<int64_t>(col, {1500, 1}), {1500, 700}, {0, 1}).to_vector<int64_t>();
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], float(i % 1000));
  for (size_t i = 0; i < b.size(); ++i) ASSERT_EQ(b[i], int64_t(i / 700) - 7);
  // Broadcast along a middle dim: out[i, j, k] = x[i, k].
  std::vector<uint8_t> m(300 * 50);
  for (size_t i = 0; i < m.size(); ++i) m[i] = uint8_t(i * 7);
  std::vector<uint8_t> c =
      lax::broadcast_in_dim(arr<uint8_t>(m, {300, 50}), {300, 40, 50}, {0, 2}).to_vector<uint8_t>();
  for (size_t i = 0; i < c.size(); ++i) ASSERT_EQ(c[i], m[(i / 2000) * 50 + i % 50]);
}

TEST(BroadcastInDim, Errors) {
  Array x = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_error<jx::ShapeError>(
      [&] {
        lax::broadcast_in_dim(x, {2, 3}, {0});
      },
      {"broadcast_in_dim broadcast_dimensions must have length equal to operand ndim; got "
       "broadcast_dimensions (0,) for operand ndim 2."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::broadcast_in_dim(arr<float>({1}, {1, 1, 1}), {3, 3}, {0, 1, 2});
      },
      {"target broadcast shape must have equal or higher rank to the operand shape; got operand "
       "ndim 3 and target broadcast ndim 2."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::broadcast_in_dim(x, {2, 3}, {0, 2});
      },
      {"broadcast_dimensions must be a subset of output dimensions, got (0, 2) for operand ndim "
       "2 and shape (2, 3)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::broadcast_in_dim(x, {2, 4}, {0, 1});
      },
      {"operand dimension sizes must either be 1, or be equal to their corresponding dimensions "
       "in the target broadcast shape; got operand of shape (2, 3), target broadcast shape (2, "
       "4), broadcast_dimensions (0, 1)"});
  expect_error<jx::ShapeError>(
      [&] {
        lax::broadcast_in_dim(arr<float>({1}, {1, 1}), {3, 3}, {1, 1});
      },
      {"must not contain duplicates, got broadcast_dimensions (1, 1)"});
  expect_error<jx::ShapeError>(
      [&] {
        lax::broadcast_in_dim(x, {2, -3}, {0, 1});
      },
      {"broadcast_in_dim shape must have every element be nonnegative"});
}

// ---- reshape ----------------------------------------------------------------------------------

TEST(Reshape, ValuesAndView) {
  Array x = arr<int32_t>({1, 2, 3, 4, 5, 6}, {3, 2});
  Array y = lax::reshape(x, {2, 3});
  expect_array_eq<int32_t>(y, {1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(y.data(), x.data());
  expect_bool_eq(lax::reshape(arr<bool>({1, 0}), {2, 1}), {1, 0}, {2, 1});
  expect_array_eq<double>(lax::reshape(arr<double>({3.5}, {}), {1, 1}), {3.5}, {1, 1});
  expect_array_eq<uint8_t>(lax::reshape(arr<uint8_t>({9}, {1, 1}), {}), {9}, {});
  expect_array_eq<float>(lax::reshape(arr<float>({}, {0, 3}), {3, 0, 5}), {}, {3, 0, 5});
  Array w = 1.5;
  EXPECT_TRUE(lax::reshape(w, {1}).weak_type());
}

TEST(Reshape, Errors) {
  Array x = arr<float>({1, 2, 3, 4, 5, 6}, {3, 2});
  expect_error<jx::ShapeError>(
      [&] {
        lax::reshape(x, {4, 5});
      },
      {"reshape total size must be unchanged, got new_sizes (4, 5) for shape (3, 2)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::reshape(x, {-2, -3});
      },
      {"reshape new_sizes must all be positive, got (-2, -3)."});
  expect_error<jx::NotSupportedError>(
      [&] {
        jx::bind1(
            jx::Prim::reshape, {x},
            {{"new_sizes", std::vector<int64_t>{6}}, {"dimensions", std::vector<int64_t>{1, 0}}});
      },
      {"reshape: only dimensions=None is supported"});
}

// ---- transpose --------------------------------------------------------------------------------

TEST(Transpose, Values) {
  expect_array_eq<float>(lax::transpose(arr<float>({1, 2, 3, 4, 5, 6}, {2, 3}), {1, 0}),
                         {1, 4, 2, 5, 3, 6}, {3, 2});
  std::vector<int64_t> a(24);
  std::iota(a.begin(), a.end(), 0);
  // numpy: np.arange(24).reshape(2,3,4).transpose(2,0,1).ravel()
  expect_array_eq<int64_t>(
      lax::transpose(arr<int64_t>(a, {2, 3, 4}), {2, 0, 1}),
      {0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23},
      {4, 2, 3});
  // numpy: .transpose(1,0,2): the inner dim stays contiguous
  expect_array_eq<int64_t>(
      lax::transpose(arr<int64_t>(a, {2, 3, 4}), {1, 0, 2}),
      {0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7, 16, 17, 18, 19, 8, 9, 10, 11, 20, 21, 22, 23},
      {3, 2, 4});
  expect_bool_eq(lax::transpose(arr<bool>({1, 1, 0, 0}, {2, 2}), {1, 0}), {1, 0, 1, 0}, {2, 2});
  expect_array_eq<uint8_t>(lax::transpose(arr<uint8_t>({1, 2, 3}, {1, 3}), {1, 0}), {1, 2, 3},
                           {3, 1});
  expect_array_eq<uint32_t>(lax::transpose(arr<uint32_t>({1, 2, 3, 4}, {2, 2}), {1, 0}),
                            {1, 3, 2, 4}, {2, 2});
  expect_array_eq<double>(lax::transpose(arr<double>({1.25}, {}), {}), {1.25}, {});
  expect_array_eq<int32_t>(lax::transpose(arr<int32_t>({}, {0, 4}), {1, 0}), {}, {4, 0});
  Array x = arr<float>({1, 2});
  EXPECT_EQ(lax::transpose(x, {0}).data(), x.data());
}

template <class T>
void check_transpose_2d(int64_t rows, int64_t cols) {
  std::vector<T> v(size_t(rows * cols));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(i * 31 + 7);
  std::vector<T> t = lax::transpose(arr<T>(v, {rows, cols}), {1, 0}).template to_vector<T>();
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) ASSERT_EQ(t[size_t(j * rows + i)], v[size_t(i * cols + j)]);
  }
}

TEST(Transpose, Large) {
  check_transpose_2d<float>(513, 1027);
  check_transpose_2d<uint8_t>(1001, 999);
  check_transpose_2d<int64_t>(700, 300);
  // 3-D reversal of axes: out[k, j, i] = x[i, j, k].
  const int64_t I = 64, J = 33, K = 130;
  std::vector<double> v(size_t(I * J * K));
  for (size_t i = 0; i < v.size(); ++i) v[i] = double(i) * 0.5;
  std::vector<double> t = lax::transpose(arr<double>(v, {I, J, K}), {2, 1, 0}).to_vector<double>();
  for (int64_t i = 0; i < I; ++i)
    for (int64_t j = 0; j < J; ++j)
      for (int64_t k = 0; k < K; ++k)
        ASSERT_EQ(t[size_t((k * J + j) * I + i)], v[size_t((i * J + j) * K + k)]);
}

TEST(Transpose, Errors) {
  Array x = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_error<jx::ShapeError>(
      [&] {
        lax::transpose(x, {0, 0});
      },
      {"transpose permutation isn't a permutation of operand dimensions, got permutation (0, 0) "
       "for operand shape (2, 3)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::transpose(x, {1, 0, 2});
      },
      {"got permutation (1, 0, 2) for operand shape (2, 3)."});
}

// ---- squeeze / expand_dims --------------------------------------------------------------------

TEST(Squeeze, ValuesViewsAndErrors) {
  Array x = arr<float>({1, 2, 3}, {1, 3, 1});
  Array y = lax::squeeze(x, {0, 2});
  expect_array_eq<float>(y, {1, 2, 3}, {3});
  EXPECT_EQ(y.data(), x.data());
  expect_array_eq<int32_t>(lax::squeeze(arr<int32_t>({5, 6, 7}, {1, 3, 1}), {-1}), {5, 6, 7},
                           {1, 3});
  expect_bool_eq(lax::squeeze(arr<bool>({1}, {1}), {0}), {1}, {});
  expect_array_eq<uint8_t>(lax::squeeze(arr<uint8_t>({}, {0, 1}), {1}), {}, {0});
  expect_error<jx::ValueError>(
      [&] { lax::squeeze(x, {1}); },
      {"cannot select an axis to squeeze out which has size not equal to one, got shape=(1, 3, "
       "1) and dimensions=(1,)"});
  expect_error<jx::ValueError>(
      [&] {
        lax::squeeze(x, {0, -3});
      },
      {"squeeze: dimensions are not unique: (0, 0)"});
  expect_error<jx::IndexError>([&] { lax::squeeze(x, {3}); },
                               {"axis 3 is out of bounds for array of dimension 3"});
  expect_error<jx::ValueError>(
      [&] {
        jx::bind1(jx::Prim::squeeze, {x}, {{"dimensions", std::vector<int64_t>{3}}});
      },
      {"squeeze: dimensions outside range [0, ndim): (3,)"});
}

TEST(ExpandDims, ValuesViewsAndErrors) {
  Array x = arr<double>({1, 2});
  Array y = lax::expand_dims(x, {0, 2});
  expect_array_eq<double>(y, {1, 2}, {1, 2, 1});
  EXPECT_EQ(y.data(), x.data());
  expect_array_eq<double>(lax::expand_dims(x, {-1}), {1, 2}, {2, 1});
  expect_array_eq<uint32_t>(lax::expand_dims(arr<uint32_t>({3}, {}), {0}), {3}, {1});
  expect_array_eq<int64_t>(lax::expand_dims(arr<int64_t>({}, {0}), {1}), {}, {0, 1});
  expect_error<jx::ValueError>(
      [&] {
        lax::expand_dims(x, {0, -3});
      },
      {"expand_dims: repeated axis in dimensions (0, 0)"});
  expect_error<jx::IndexError>([&] { lax::expand_dims(x, {2}); },
                               {"axis 2 is out of bounds for array of dimension 2"});
  expect_error<jx::ValueError>(
      [&] {
        jx::bind1(jx::Prim::expand_dims, {x}, {{"dimensions", std::vector<int64_t>{4}}});
      },
      {"expand_dims: dimensions (4,) outside range [0, 2) for operand shape (2,)"});
}

// ---- rev --------------------------------------------------------------------------------------

TEST(Rev, Values) {
  Array x = arr<float>({1.5f, -2.f, 3.f, 4.f, 5.f, -6.25f}, {2, 3});
  // numpy: x[::-1], x[:, ::-1], x[::-1, ::-1]
  expect_array_eq<float>(lax::rev(x, {0}), {4, 5, -6.25f, 1.5f, -2, 3}, {2, 3});
  expect_array_eq<float>(lax::rev(x, {1}), {3, -2, 1.5f, -6.25f, 5, 4}, {2, 3});
  expect_array_eq<float>(lax::rev(x, {0, 1}), {-6.25f, 5, 4, 3, -2, 1.5f}, {2, 3});
  std::vector<int32_t> a(24);
  std::iota(a.begin(), a.end(), 0);
  // numpy: np.arange(24).reshape(2,3,4)[::-1, :, ::-1].ravel()
  expect_array_eq<int32_t>(
      lax::rev(arr<int32_t>(a, {2, 3, 4}), {0, 2}),
      {15, 14, 13, 12, 19, 18, 17, 16, 23, 22, 21, 20, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8},
      {2, 3, 4});
  expect_bool_eq(lax::rev(arr<bool>({1, 0, 0}), {0}), {0, 0, 1}, {3});
  expect_array_eq<uint8_t>(lax::rev(arr<uint8_t>({1, 2}), {0}), {2, 1}, {2});
  expect_array_eq<uint32_t>(lax::rev(arr<uint32_t>({1, 2, 3}), {}), {1, 2, 3}, {3});
  expect_array_eq<int64_t>(lax::rev(arr<int64_t>({1, 2, 3}), {0}), {3, 2, 1}, {3});
  expect_array_eq<double>(lax::rev(arr<double>({}, {2, 0}), {1}), {}, {2, 0});
  expect_array_eq<double>(lax::rev(arr<double>({4}, {}), {}), {4}, {});
}

TEST(Rev, Large) {
  const int64_t n = 1 << 20;
  std::vector<int32_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  std::vector<int32_t> r = lax::rev(arr<int32_t>(v), {0}).to_vector<int32_t>();
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(r[size_t(i)], n - 1 - i);
  std::vector<float> m(600 * 500);
  for (size_t i = 0; i < m.size(); ++i) m[i] = float(i);
  std::vector<float> r0 = lax::rev(arr<float>(m, {600, 500}), {0}).to_vector<float>();
  std::vector<float> r1 = lax::rev(arr<float>(m, {600, 500}), {1}).to_vector<float>();
  for (int64_t i = 0; i < 600; ++i) {
    for (int64_t j = 0; j < 500; ++j) {
      ASSERT_EQ(r0[size_t(i * 500 + j)], m[size_t((599 - i) * 500 + j)]);
      ASSERT_EQ(r1[size_t(i * 500 + j)], m[size_t(i * 500 + 499 - j)]);
    }
  }
}

TEST(Rev, Errors) {
  Array x = arr<float>({1, 2, 3, 4}, {2, 2});
  expect_error<jx::ShapeError>(
      [&] {
        lax::rev(x, {0, 0});
      },
      {"rev dimensions must be unique, got (0, 0)."});
  expect_error<jx::ShapeError>(
      [&] { lax::rev(x, {2}); },
      {"rev dimensions must all be less than operand ndim, got dimensions (2,) for operand ndim "
       "2."});
  expect_error<jx::ShapeError>([&] { lax::rev(x, {-1}); },
                               {"rev dimensions must have every element be nonnegative"});
}

TEST(Structural, WeakTypePropagates) {
  Array w = lax::broadcast_in_dim(Array(2), {2, 3}, {});  // weak int32
  ASSERT_TRUE(w.weak_type());
  EXPECT_TRUE(lax::transpose(w, {1, 0}).weak_type());
  EXPECT_TRUE(lax::rev(w, {0}).weak_type());
  EXPECT_TRUE(lax::expand_dims(w, {0}).weak_type());
  EXPECT_TRUE(lax::squeeze(lax::expand_dims(w, {0}), {0}).weak_type());
}

}  // namespace
