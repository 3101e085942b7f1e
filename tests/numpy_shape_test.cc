// jx::numpy shape manipulation and joining. Expected values are hand-derived (row-major
// layouts of small iotas) or from numpy where noted.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>

#include "jx/numpy.h"
#include "test_util.h"

namespace jnp = jx::numpy;
using jx::Array;
using jx::Shape;
using jx::testing::arr;
using jx::testing::expect_array_eq;
using jx::testing::expect_error;

using jx::testing::iota;

TEST(NumpyShape, ReshapeInfersMinusOne) {
  expect_array_eq<int32_t>(jnp::reshape(iota<int32_t>({6}), {2, -1}), {0, 1, 2, 3, 4, 5}, {2, 3});
  expect_array_eq<float>(jnp::reshape(iota<float>({2, 3}), {-1}), {0, 1, 2, 3, 4, 5}, {6});
  expect_array_eq<double>(jnp::reshape(iota<double>({2, 3}), {3, 1, 2}), {0, 1, 2, 3, 4, 5},
                          {3, 1, 2});
  expect_array_eq<float>(jnp::reshape(iota<float>({0, 3}), {3, -1}), {}, {3, 0});
  expect_array_eq<uint8_t>(jnp::reshape(iota<uint8_t>({1}), {}), {0}, {});
  expect_array_eq<int64_t>(iota<int64_t>({4}).reshape({2, 2}), {0, 1, 2, 3}, {2, 2});
  expect_array_eq<int64_t>(iota<int64_t>({4}).reshape({-1, 1}), {0, 1, 2, 3}, {4, 1});
}

TEST(NumpyShape, ReshapeErrors) {
  Array x = iota<float>({6});
  expect_error<jx::ShapeError>([&] { jnp::reshape(x, {4}); },
                               {"cannot reshape array of size 6 into shape (4,)"});
  expect_error<jx::ShapeError>(
      [&] {
        jnp::reshape(x, {4, -1});
      },
      {"cannot reshape array of size 6 into shape (4, -1)"});
  expect_error<jx::ValueError>(
      [&] {
        jnp::reshape(x, {-1, -1});
      },
      {"can only specify one unknown dimension"});
  expect_error<jx::ValueError>([&] { jnp::reshape(x, {-2, 3}); }, {"negative dimensions"});
  expect_error<jx::ShapeError>(
      [&] {
        jnp::reshape(iota<float>({0}), {0, -1});
      },
      {"cannot reshape array of size 0"});
}

TEST(NumpyShape, Ravel) {
  expect_array_eq<int32_t>(jnp::ravel(iota<int32_t>({2, 2})), {0, 1, 2, 3}, {4});
  expect_array_eq<bool>(jnp::ravel(arr<bool>({true}, {})), {true}, {1});
  expect_array_eq<float>(jnp::ravel(iota<float>({2, 0})), {}, {0});
}

TEST(NumpyShape, Transpose) {
  // [[0 1 2] [3 4 5]].T = [[0 3] [1 4] [2 5]]
  expect_array_eq<float>(jnp::transpose(iota<float>({2, 3})), {0, 3, 1, 4, 2, 5}, {3, 2});
  // np.arange(24).reshape(2,3,4).transpose(1,0,2).ravel()
  std::vector<int32_t> e = {0,  1,  2,  3,  12, 13, 14, 15, 4,  5,  6,  7,
                            16, 17, 18, 19, 8,  9,  10, 11, 20, 21, 22, 23};
  expect_array_eq<int32_t>(jnp::transpose(iota<int32_t>({2, 3, 4}), std::vector<int64_t>{1, 0, 2}),
                           e, {3, 2, 4});
  expect_array_eq<int32_t>(
      jnp::transpose(iota<int32_t>({2, 3, 4}), std::vector<int64_t>{-2, -3, -1}), e, {3, 2, 4});
  expect_array_eq<double>(jnp::transpose(iota<double>({})), {0}, {});
  expect_array_eq<float>(jnp::transpose(iota<float>({0, 2})), {}, {2, 0});
  expect_error<jx::ValueError>(
      [] {
        jnp::transpose(iota<float>({2, 3}), std::vector<int64_t>{0});
      },
      {"transpose", "axes don't match array"});
  expect_error<jx::ValueError>(
      [] {
        jnp::transpose(iota<float>({2, 3}), std::vector<int64_t>{1, 1});
      },
      {"repeated axis"});
  expect_error<jx::IndexError>(
      [] {
        jnp::transpose(iota<float>({2, 3}), std::vector<int64_t>{0, 2});
      },
      {"axis 2 is out of bounds for array of dimension 2"});
}

TEST(NumpyShape, MoveaxisAndSwapaxes) {
  Array x = iota<int32_t>({2, 3, 4});
  EXPECT_EQ(jnp::moveaxis(x, 0, -1).shape(), (Shape{3, 4, 2}));
  EXPECT_EQ(jnp::moveaxis(x, -1, 0).shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(jnp::moveaxis(x, {0, 1}, {-1, -2}).shape(), (Shape{4, 3, 2}));
  // np.moveaxis(np.arange(6).reshape(2,3), 0, 1) is the transpose.
  expect_array_eq<int32_t>(jnp::moveaxis(iota<int32_t>({2, 3}), 0, 1), {0, 3, 1, 4, 2, 5}, {3, 2});
  expect_array_eq<float>(jnp::swapaxes(iota<float>({2, 3}), 0, -1), {0, 3, 1, 4, 2, 5}, {3, 2});
  EXPECT_EQ(jnp::swapaxes(x, 0, 2).shape(), (Shape{4, 3, 2}));
  expect_error<jx::ValueError>(
      [&] {
        jnp::moveaxis(x, {0, 1}, {0});
      },
      {"Inconsistent number of elements"});
  expect_error<jx::ValueError>([&] { jnp::moveaxis(x, {0, 0}, {1, 2}); }, {"repeated axis"});
  expect_error<jx::IndexError>([&] { jnp::swapaxes(x, 0, 3); }, {"swapaxes", "axis 3"});
}

TEST(NumpyShape, Squeeze) {
  Array x = iota<float>({1, 3, 1});
  expect_array_eq<float>(jnp::squeeze(x), {0, 1, 2}, {3});
  EXPECT_EQ(jnp::squeeze(x, 0).shape(), (Shape{3, 1}));
  EXPECT_EQ(jnp::squeeze(x, -1).shape(), (Shape{1, 3}));
  EXPECT_EQ(jnp::squeeze(x, {0, 2}).shape(), (Shape{3}));
  EXPECT_EQ(jnp::squeeze(iota<int32_t>({1, 1})).shape(), (Shape{}));
  EXPECT_EQ(jnp::squeeze(iota<int32_t>({0, 1})).shape(), (Shape{0}));
  expect_error<jx::ValueError>(
      [&] { jnp::squeeze(x, 1); },
      {"cannot select an axis to squeeze out which has size not equal to one", "(1, 3, 1)"});
  expect_error<jx::IndexError>([&] { jnp::squeeze(x, 3); }, {"axis 3 is out of bounds"});
}

TEST(NumpyShape, ExpandDims) {
  Array x = iota<int64_t>({2, 3});
  expect_array_eq<int64_t>(jnp::expand_dims(x, 0), {0, 1, 2, 3, 4, 5}, {1, 2, 3});
  EXPECT_EQ(jnp::expand_dims(x, -1).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(jnp::expand_dims(x, {0, -1}).shape(), (Shape{1, 2, 3, 1}));
  EXPECT_EQ(jnp::expand_dims(x, {1, 2}).shape(), (Shape{2, 1, 1, 3}));
  EXPECT_EQ(jnp::expand_dims(iota<float>({}), 0).shape(), (Shape{1}));
  expect_error<jx::IndexError>([&] { jnp::expand_dims(x, 3); }, {"expand_dims", "axis 3"});
  expect_error<jx::ValueError>([&] { jnp::expand_dims(x, {0, 0}); }, {"repeated axis"});
}

TEST(NumpyShape, Broadcasting) {
  expect_array_eq<float>(jnp::broadcast_to(iota<float>({3}), {2, 3}), {0, 1, 2, 0, 1, 2}, {2, 3});
  expect_array_eq<int32_t>(jnp::broadcast_to(iota<int32_t>({2, 1}), {2, 2}), {0, 0, 1, 1}, {2, 2});
  expect_array_eq<float>(jnp::broadcast_to(Array(1.5f), {2}), {1.5f, 1.5f}, {2});
  EXPECT_EQ(jnp::broadcast_to(iota<float>({1}), {0}).shape(), (Shape{0}));
  expect_error<jx::ShapeError>([] { jnp::broadcast_to(iota<float>({3}), {4}); },
                               {"broadcast_to", "(3,)", "(4,)"});
  expect_error<jx::ShapeError>(
      [] {
        jnp::broadcast_to(iota<float>({2, 3}), {3});
      },
      {"broadcast_to"});

  EXPECT_EQ(jnp::broadcast_shapes({{2, 1}, {3}, {1, 1, 1}}), (Shape{1, 2, 3}));
  EXPECT_EQ(jnp::broadcast_shapes({{0, 1}, {4}}), (Shape{0, 4}));
  EXPECT_EQ(jnp::broadcast_shapes({}), (Shape{}));
  expect_error<jx::ShapeError>(
      [] {
        jnp::broadcast_shapes({{2}, {3}});
      },
      {"Incompatible shapes for broadcasting", "(2,)", "(3,)"});

  auto out = jnp::broadcast_arrays({iota<int32_t>({3}), iota<float>({2, 1})});
  ASSERT_EQ(out.size(), 2u);
  expect_array_eq<int32_t>(out[0], {0, 1, 2, 0, 1, 2}, {2, 3});
  expect_array_eq<float>(out[1], {0, 0, 0, 1, 1, 1}, {2, 3});
}

TEST(NumpyShape, Stack) {
  Array a = arr<float>({1, 2}), b = arr<float>({3, 4});
  expect_array_eq<float>(jnp::stack({a, b}), {1, 2, 3, 4}, {2, 2});
  expect_array_eq<float>(jnp::stack({a, b}, -1), {1, 3, 2, 4}, {2, 2});
  expect_array_eq<float>(jnp::stack({a}), {1, 2}, {1, 2});
  // Promotion: int32 with float32 gives float32; with a weak scalar stays int32.
  expect_array_eq<float>(jnp::stack({arr<int32_t>({1}), arr<float>({2.5f})}), {1, 2.5f}, {2, 1});
  expect_array_eq<int32_t>(jnp::stack({arr<int32_t>({7}, {}), Array(3)}), {7, 3}, {2});
  expect_array_eq<int64_t>(jnp::stack({arr<int64_t>({}, {0}), arr<int64_t>({}, {0})}, 1), {},
                           {0, 2});
  expect_error<jx::ShapeError>(
      [&] {
        jnp::stack({a, arr<float>({1, 2, 3})});
      },
      {"all input arrays must have the same shape"});
  expect_error<jx::ValueError>([] { jnp::stack({}); }, {"need at least one array"});
  expect_error<jx::IndexError>([&] { jnp::stack({a, b}, 2); }, {"stack", "axis 2"});
}

TEST(NumpyShape, Concatenate) {
  Array a = iota<int32_t>({2, 2}), b = arr<int32_t>({9, 8}, {1, 2});
  expect_array_eq<int32_t>(jnp::concatenate({a, b}), {0, 1, 2, 3, 9, 8}, {3, 2});
  expect_array_eq<int32_t>(jnp::concatenate({a, jnp::transpose(b)}, 1), {0, 1, 9, 2, 3, 8}, {2, 3});
  expect_array_eq<int32_t>(jnp::concatenate({a, b}, jx::none), {0, 1, 2, 3, 9, 8}, {6});
  expect_array_eq<int32_t>(jnp::concatenate({a, arr<int32_t>({}, {0, 2})}, -2), {0, 1, 2, 3},
                           {2, 2});
  // uint8 with int32 promotes to int32; int32 with int64 to int64.
  expect_array_eq<int32_t>(jnp::concatenate({arr<uint8_t>({200}), arr<int32_t>({-1})}), {200, -1},
                           {2});
  expect_array_eq<int64_t>(jnp::concatenate({arr<int32_t>({1}), arr<int64_t>({2})}), {1, 2}, {2});
  expect_array_eq<bool>(jnp::concatenate({arr<bool>({true}), arr<bool>({false})}), {true, false},
                        {2});
  expect_error<jx::ShapeError>(
      [&] {
        jnp::concatenate({a, iota<int32_t>({2, 3})});
      },
      {"along dimension 1", "size 2", "size 3"});
  expect_error<jx::ShapeError>(
      [&] {
        jnp::concatenate({a, iota<int32_t>({2})});
      },
      {"same number of dimensions"});
  expect_error<jx::ValueError>(
      [] {
        jnp::concatenate({Array(1), Array(2)});
      },
      {"zero-dimensional arrays cannot be concatenated"});
}

TEST(NumpyShape, SplitSections) {
  auto parts = jnp::split(iota<float>({6}), 3);
  ASSERT_EQ(parts.size(), 3u);
  expect_array_eq<float>(parts[0], {0, 1}, {2});
  expect_array_eq<float>(parts[2], {4, 5}, {2});
  auto cols = jnp::split(iota<int32_t>({2, 4}), 2, -1);
  expect_array_eq<int32_t>(cols[0], {0, 1, 4, 5}, {2, 2});
  expect_array_eq<int32_t>(cols[1], {2, 3, 6, 7}, {2, 2});
  auto empty = jnp::split(iota<int32_t>({0, 2}), 2);
  ASSERT_EQ(empty.size(), 2u);
  EXPECT_EQ(empty[1].shape(), (Shape{0, 2}));
  expect_error<jx::ValueError>([] { jnp::split(iota<float>({5}), 2); },
                               {"array split does not result in an equal division"});
  expect_error<jx::ValueError>([] { jnp::split(iota<float>({5}), 0); }, {"larger than 0"});
}

TEST(NumpyShape, SplitIndices) {
  // np.split(np.arange(5), [1, 3]) -> [0], [1 2], [3 4]
  auto p = jnp::split(iota<int64_t>({5}), std::vector<int64_t>{1, 3});
  ASSERT_EQ(p.size(), 3u);
  expect_array_eq<int64_t>(p[0], {0}, {1});
  expect_array_eq<int64_t>(p[1], {1, 2}, {2});
  expect_array_eq<int64_t>(p[2], {3, 4}, {2});
  // np.split(np.arange(5), [-2, 7]) -> [0 1 2], [3 4], []
  auto q = jnp::split(iota<int64_t>({5}), std::vector<int64_t>{-2, 7});
  ASSERT_EQ(q.size(), 3u);
  expect_array_eq<int64_t>(q[0], {0, 1, 2}, {3});
  expect_array_eq<int64_t>(q[1], {3, 4}, {2});
  expect_array_eq<int64_t>(q[2], {}, {0});
  // np.split(np.arange(5), [3, 1]) -> [0 1 2], [], [1 2 3 4]
  auto r = jnp::split(iota<int64_t>({5}), std::vector<int64_t>{3, 1});
  expect_array_eq<int64_t>(r[1], {}, {0});
  expect_array_eq<int64_t>(r[2], {1, 2, 3, 4}, {4});
}

TEST(NumpyShape, Flip) {
  expect_array_eq<float>(jnp::flip(iota<float>({2, 3})), {5, 4, 3, 2, 1, 0}, {2, 3});
  expect_array_eq<int32_t>(jnp::flip(iota<int32_t>({2, 3}), 0), {3, 4, 5, 0, 1, 2}, {2, 3});
  expect_array_eq<uint8_t>(jnp::flip(iota<uint8_t>({2, 3}), {-1}), {2, 1, 0, 5, 4, 3}, {2, 3});
  expect_array_eq<float>(jnp::flip(iota<float>({0})), {}, {0});
  expect_error<jx::IndexError>([] { jnp::flip(iota<float>({2}), 1); }, {"flip", "axis 1"});
}

TEST(NumpyShape, TakeFlattenedAndAxis) {
  Array x = iota<float>({2, 3});
  expect_array_eq<float>(jnp::take(x, arr<int32_t>({4, 0, -1})), {4, 0, 5}, {3});
  // np.take(np.arange(6).reshape(2,3), [[2, 0]], axis=1) -> [[[2 0]] [[5 3]]]
  expect_array_eq<float>(jnp::take(x, arr<int32_t>({2, 0}, {1, 2}), 1), {2, 0, 5, 3}, {2, 1, 2});
  expect_array_eq<float>(jnp::take(x, arr<int64_t>({1}, {}), 0), {3, 4, 5}, {3});
  expect_array_eq<float>(jnp::take(x, arr<int32_t>({1, 0}), -2), {3, 4, 5, 0, 1, 2}, {2, 3});
  expect_array_eq<float>(jnp::take(x, arr<int32_t>({}, {0}), 1), {}, {2, 0});
  expect_array_eq<int32_t>(jnp::take(iota<int32_t>({4}), arr<uint8_t>({3, 1})), {3, 1}, {2});
}

TEST(NumpyShape, TakeModes) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // fill (JAX's default): out-of-range gives NaN / INT_MIN / UINT_MAX / True; -n..-1 wrap.
  expect_array_eq<float>(jnp::take(iota<float>({3}), arr<int32_t>({3, -1, -4, 1})),
                         {nan, 2, nan, 1}, {4});
  expect_array_eq<int32_t>(jnp::take(iota<int32_t>({3}), arr<int32_t>({5})),
                           {std::numeric_limits<int32_t>::min()}, {1});
  expect_array_eq<uint8_t>(jnp::take(iota<uint8_t>({3}), arr<int32_t>({5})), {255}, {1});
  expect_array_eq<bool>(jnp::take(arr<bool>({false}), arr<int32_t>({1})), {true}, {1});
  // clip: clamp into [0, n-1] (negative -> 0, as numpy's clip mode).
  expect_array_eq<double>(jnp::take(iota<double>({3}), arr<int32_t>({5, -1, 1}), jx::none, "clip"),
                          {2, 0, 1}, {3});
  // wrap: Python modulo.
  expect_array_eq<int64_t>(jnp::take(iota<int64_t>({3}), arr<int32_t>({4, -1, -5}), 0, "wrap"),
                           {1, 2, 1}, {3});
  expect_error<jx::ValueError>([] { jnp::take(iota<float>({3}), arr<int32_t>({0}), 0, "raise"); },
                               {"invalid mode 'raise'"});
  expect_error<jx::DTypeError>([] { jnp::take(iota<float>({3}), arr<float>({0})); },
                               {"take", "integer"});
  expect_error<jx::IndexError>([] { jnp::take(iota<float>({3}), arr<int32_t>({0}), 1); },
                               {"axis 1 is out of bounds"});
  expect_error<jx::IndexError>([] { jnp::take(iota<float>({0}), arr<int32_t>({0}), 0, "wrap"); },
                               {"non-empty take from an empty axis"});
}

TEST(NumpyShape, TakeAlongAxis) {
  Array x = arr<float>({10, 30, 20, 60, 40, 50}, {2, 3});
  // np.take_along_axis(x, np.argsort(x, axis=1), axis=1)
  Array order = arr<int32_t>({0, 2, 1, 1, 2, 0}, {2, 3});
  expect_array_eq<float>(jnp::take_along_axis(x, order, 1), {10, 20, 30, 40, 50, 60}, {2, 3});
  expect_array_eq<float>(jnp::take_along_axis(x, order, -1), {10, 20, 30, 40, 50, 60}, {2, 3});
  // Along axis 0 with one row of indices: np.take_along_axis(x, [[1, 0, 1]], 0)
  expect_array_eq<float>(jnp::take_along_axis(x, arr<int32_t>({1, 0, 1}, {1, 3}), 0), {60, 30, 50},
                         {1, 3});
  // Negative indices wrap; indices broadcast over x's non-axis dims: [[-1], [0]] along 1.
  expect_array_eq<float>(jnp::take_along_axis(x, arr<int64_t>({-1, 0}, {2, 1}), 1), {20, 60},
                         {2, 1});
  expect_array_eq<int32_t>(
      jnp::take_along_axis(iota<int32_t>({1, 3}), arr<int32_t>({2, 1, 0, 0}, {2, 2}), 1),
      {2, 1, 0, 0}, {2, 2});
  // Out of range fills (NaN), as JAX's default mode.
  Array f = jnp::take_along_axis(x, arr<int32_t>({3, 0}, {2, 1}), 1);
  EXPECT_TRUE(std::isnan(f.to_vector<float>()[0]));
  EXPECT_EQ(f.to_vector<float>()[1], 60.0f);
  expect_array_eq<float>(jnp::take_along_axis(x, arr<int32_t>({}, {2, 0}), 1), {}, {2, 0});
  expect_error<jx::ValueError>([&] { jnp::take_along_axis(x, arr<int32_t>({0}), 1); },
                               {"same number of dimensions"});
  expect_error<jx::ShapeError>(
      [&] {
        jnp::take_along_axis(x, arr<int32_t>({0, 0, 0}, {3, 1}), 1);
      },
      {"take_along_axis", "Incompatible shapes"});
}
