// numpy/JAX indexing of jx::Array: x[...], x.at(...), jx::s, astype, reshape. Expected values
// are from numpy (/usr/bin/python3, pasted) or hand-derived as noted.
#include <gtest/gtest.h>

#include <limits>

#include "core/array_impl.h"
#include "jx/index.h"
#include "jx/numpy.h"
#include "test_util.h"

using jx::Array;
using jx::ellipsis;
using jx::Index;
using jx::newaxis;
using jx::none;
using jx::Shape;
using jx::slice;
using jx::testing::arr;
using jx::testing::expect_array_eq;
using jx::testing::expect_error;

using jx::testing::iota;

TEST(Indexing, Integers) {
  Array x = iota<float>({2, 3});
  expect_array_eq<float>(x[1], {3, 4, 5}, {3});
  expect_array_eq<float>(x[-1], {3, 4, 5}, {3});
  expect_array_eq<float>(x[{0, -1}], {2}, {});
  expect_array_eq<float>(x[{-2, 1}], {1}, {});
  expect_array_eq<int32_t>(iota<int32_t>({4})[3], {3}, {});
  expect_array_eq<uint8_t>(iota<uint8_t>({2, 2})[{1, 0}], {2}, {});
  expect_array_eq<bool>(arr<bool>({true, false})[1], {false}, {});
  EXPECT_EQ(iota<int64_t>({3, 0})[2].shape(), (Shape{0}));
}

TEST(Indexing, IntegerErrors) {
  Array x = iota<float>({3});
  expect_error<jx::IndexError>([&] { x[5]; }, {"index 5 is out of bounds for axis 0 with size 3"});
  expect_error<jx::IndexError>([&] { x[-4]; },
                               {"index -4 is out of bounds for axis 0 with size 3"});
  expect_error<jx::IndexError>(
      [&] {
        iota<float>({2, 3})[{0, 3}];
      },
      {"index 3 is out of bounds for axis 1 with size 3"});
  expect_error<jx::IndexError>([&] { x[{0, 0}]; }, {"Too many indices", "1-dimensional"});
  expect_error<jx::IndexError>([] { Array(1.0f)[0]; }, {"Too many indices", "0-dimensional"});
  expect_error<jx::IndexError>([&] { x[{ellipsis, 0, ellipsis}]; }, {"single ellipsis"});
  expect_error<jx::DTypeError>([&] { x[arr<float>({0})]; },
                               {"Indexer must have integer or boolean type", "float32"});
}

TEST(Indexing, Slices) {
  Array y = iota<double>({10});
  // numpy: y[7:2:-2], y[-3:], y[:-8:-3], y[100:], y[-100:2], y[5:-100:-1], y[2:7:10]
  expect_array_eq<double>(y[slice(7, 2, -2)], {7, 5, 3}, {3});
  expect_array_eq<double>(y[slice(-3, none)], {7, 8, 9}, {3});
  expect_array_eq<double>(y[slice(none, -8, -3)], {9, 6, 3}, {3});
  expect_array_eq<double>(y[slice(100, none)], {}, {0});
  expect_array_eq<double>(y[slice(-100, 2)], {0, 1}, {2});
  expect_array_eq<double>(y[slice(5, -100, -1)], {5, 4, 3, 2, 1, 0}, {6});
  expect_array_eq<double>(y[slice(2, 7, 10)], {2}, {1});
  expect_array_eq<double>(y[slice(none, none, -4)], {9, 5, 1}, {3});
  expect_array_eq<double>(y[slice(3, 3)], {}, {0});
  expect_error<jx::ValueError>([&] { y[slice(none, none, 0)]; }, {"slice step cannot be zero"});

  Array x = iota<int32_t>({2, 3, 4});
  // numpy: x[1, ::-1, 1:3]
  expect_array_eq<int32_t>(x[{1, slice(none, none, -1), slice(1, 3)}], {21, 22, 17, 18, 13, 14},
                           {3, 2});
  // x[{slice(1, 3), slice(none, none, 2)}] is x[1:3, ::2]
  Array m = iota<float>({4, 4});
  expect_array_eq<float>(m[{slice(1, 3), slice(none, none, 2)}], {4, 6, 8, 10}, {2, 2});
}

TEST(Indexing, NewaxisAndEllipsis) {
  Array x = iota<int32_t>({2, 3, 4});
  // numpy: x[None, 0, ..., ::2]
  expect_array_eq<int32_t>(x[{newaxis, 0, ellipsis, slice(none, none, 2)}], {0, 2, 4, 6, 8, 10},
                           {1, 3, 2});
  EXPECT_EQ(x[{ellipsis}].shape(), (Shape{2, 3, 4}));
  EXPECT_EQ((x[{ellipsis, newaxis}].shape()), (Shape{2, 3, 4, 1}));
  EXPECT_EQ(x[{newaxis}].shape(), (Shape{1, 2, 3, 4}));
  expect_array_eq<int32_t>(x[{ellipsis, 1, 2}], {6, 18}, {2});
  expect_array_eq<float>(Array(2.5f)[{newaxis}], {2.5f}, {1});
  expect_array_eq<float>(Array(2.5f)[{ellipsis}], {2.5f}, {});
}

TEST(Indexing, IntegerArrays) {
  Array x = iota<int32_t>({2, 3, 4});
  // numpy: x[:, [2, 0], 1]
  expect_array_eq<int32_t>(x[{slice(none, none), arr<int32_t>({2, 0}), 1}], {9, 1, 21, 13}, {2, 2});
  // numpy: x[[1, 0], :, [3, -1]] (advanced indices not adjacent: broadcast dims first)
  expect_array_eq<int32_t>(x[{arr<int64_t>({1, 0}), slice(none, none), arr<int32_t>({3, -1})}],
                           {15, 19, 23, 3, 7, 11}, {2, 3});
  // numpy: x[1, [0, 2], 1:3] and x[:, 1, [0, 2]]
  expect_array_eq<int32_t>(x[{1, arr<int32_t>({0, 2}), slice(1, 3)}], {13, 14, 21, 22}, {2, 2});
  expect_array_eq<int32_t>(x[{slice(none, none), 1, arr<int32_t>({0, 2})}], {4, 6, 16, 18}, {2, 2});
  // numpy: x[0, 1:, None, [0, 3]] -> (2, 2, 1); x[0, None, [0, 2], 1] -> (2, 1)
  expect_array_eq<int32_t>(x[{0, slice(1, none), newaxis, arr<int32_t>({0, 3})}], {4, 8, 7, 11},
                           {2, 2, 1});
  expect_array_eq<int32_t>(x[{0, newaxis, arr<int32_t>({0, 2}), 1}], {1, 9}, {2, 1});
  // numpy: x[..., [[0], [1]], [1, 2]].shape == (2, 2, 2)
  EXPECT_EQ((x[{ellipsis, arr<int32_t>({0, 1}, {2, 1}), arr<int32_t>({1, 2})}].shape()),
            (Shape{2, 2, 2}));
  // A single index array on a vector, with negative entries and a 2-D index shape.
  Array v = arr<float>({10, 20, 30});
  expect_array_eq<float>(v[arr<int32_t>({-1, 0, 1, 1}, {2, 2})], {30, 10, 20, 20}, {2, 2});
  expect_array_eq<float>(v[arr<uint8_t>({2})], {30}, {1});
  expect_array_eq<float>(v[arr<int32_t>({}, {0})], {}, {0});
  // Out of range: JAX clamps reads (indices are promised in bounds; XLA clamps).
  expect_array_eq<float>(v[arr<int32_t>({7})], {30}, {1});
  expect_error<jx::IndexError>(
      [&] {
        x[{arr<int32_t>({0, 1}), arr<int32_t>({0, 1, 2})}];
      },
      {"shape mismatch: indexing arrays could not be broadcast together", "(2,)", "(3,)"});
}

TEST(Indexing, BooleanMasks) {
  Array x = iota<int32_t>({2, 3, 4});
  Array m = arr<bool>({true, false, true});
  // numpy: x[:, m] and x[:, m, 0]
  expect_array_eq<int32_t>(x[{slice(none, none), m}],
                           {0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23}, {2, 2, 4});
  expect_array_eq<int32_t>(x[{slice(none, none), m, 0}], {0, 8, 12, 20}, {2, 2});
  // numpy: x[0][x[0] > 5]
  Array x0 = x[0];
  std::vector<bool> gt5;
  for (int32_t v : x0.to_vector<int32_t>()) gt5.push_back(v > 5);
  expect_array_eq<int32_t>(x0[arr<bool>(gt5, {3, 4})], {6, 7, 8, 9, 10, 11}, {6});
  expect_array_eq<float>(iota<float>({3})[arr<bool>({false, false, false})], {}, {0});
  expect_error<jx::IndexError>(
      [&] {
        x[arr<bool>({true, false, true})];
      },
      {"boolean index did not match indexed array along axis 0",
       "size of axis is 2 but size of corresponding boolean axis is 3"});
  expect_error<jx::IndexError>(
      [&] {
        x[{0, arr<bool>({true, false})}];
      },
      {"along axis 1", "size of axis is 3"});
}

TEST(Indexing, BooleanMaskMustBeConcrete) {
  // A stand-in tracer (an abstract bool[3] without data), as a transformation would pass.
  auto impl = std::make_shared<jx::ArrayImpl>();
  impl->aval = jx::ShapedArray{Shape{3}, jx::bool_, false};
  impl->tracer = std::make_shared<jx::Tracer>(0);
  Array traced_mask(impl);
  expect_error<jx::IndexError>([&] { iota<float>({3})[traced_mask]; },
                               {"Array boolean indices must be concrete", "bool[3]"});
  expect_error<jx::IndexError>([&] { iota<float>({3}).at(traced_mask).set(0); },
                               {"Array boolean indices must be concrete"});
  expect_error<jx::IndexError>(
      [] {
        iota<float>({3})[arr<bool>({true, true})];
      },
      {"boolean index did not match"});
}

TEST(Indexing, AtSetAddMultiplyMinMax) {
  // numpy: z[1:, ::2] = [1, 2]
  Array z = arr<float>(std::vector<float>(12, 0.0f), {3, 4});
  expect_array_eq<float>(z.at({slice(1, none), slice(none, none, 2)}).set(arr<float>({1, 2})),
                         {0, 0, 0, 0, 1, 0, 2, 0, 1, 0, 2, 0}, {3, 4});
  // numpy: z[[0, 2], 1] = 5 (a weak int scalar converted to float32)
  expect_array_eq<float>(z.at({arr<int32_t>({0, 2}), 1}).set(5),
                         {0, 5, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0}, {3, 4});
  // numpy: np.add.at(z, ([0, 0, 2], [1, 1, 3]), [1, 2, 3]): duplicates accumulate.
  Array zi = arr<int32_t>(std::vector<int32_t>(12, 0), {3, 4});
  expect_array_eq<int32_t>(
      zi.at({arr<int32_t>({0, 0, 2}), arr<int32_t>({1, 1, 3})}).add(arr<int32_t>({1, 2, 3})),
      {0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3}, {3, 4});
  // numpy: z = arange(12).reshape(3, 4); z[:, [3, 0]] = [[7], [8], [9]]
  Array a = iota<int32_t>({3, 4});
  expect_array_eq<int32_t>(
      a.at({slice(none, none), arr<int32_t>({3, 0})}).set(arr<int32_t>({7, 8, 9}, {3, 1})),
      {7, 1, 2, 7, 8, 5, 6, 8, 9, 9, 10, 9}, {3, 4});
  // numpy: z[::-1, 1] = [10, 20, 30]
  expect_array_eq<int32_t>(a.at({slice(none, none, -1), 1}).set(arr<int32_t>({10, 20, 30})),
                           {0, 30, 2, 3, 4, 20, 6, 7, 8, 10, 10, 11}, {3, 4});
  // numpy: z[[1, 0], :, [3, -1]] = arange(6).reshape(2, 3) * 100
  Array b = iota<int32_t>({2, 3, 4});
  expect_array_eq<int32_t>(
      b.at({arr<int32_t>({1, 0}), slice(none, none), arr<int32_t>({3, -1})})
          .set(arr<int32_t>({0, 100, 200, 300, 400, 500}, {2, 3})),
      {0, 1, 2, 300, 4, 5, 6, 400, 8, 9, 10, 500, 12, 13, 14, 0, 16, 17, 18, 100, 20, 21, 22, 200},
      {2, 3, 4});
  // Hand-derived: multiply/min/max on a slice of [0 1 2 3].
  Array v = iota<float>({4});
  expect_array_eq<float>(v.at(slice(1, 3)).multiply(10), {0, 10, 20, 3}, {4});
  expect_array_eq<float>(v.at(slice(none, none, 2)).min(1), {0, 1, 1, 3}, {4});
  expect_array_eq<float>(v.at(-1).max(arr<float>({5})), {0, 1, 2, 5}, {4});
  expect_array_eq<float>(v.at({ellipsis}).add(1), {1, 2, 3, 4}, {4});
  expect_array_eq<float>(v.at(1).get(), {1}, {});
  // Out-of-bounds updates are dropped; negative indices wrap.
  expect_array_eq<float>(v.at(arr<int32_t>({9, -1})).set(7), {0, 1, 2, 7}, {4});
  // Masks in updates: v[v > 1] = 0.
  expect_array_eq<float>(v.at(arr<bool>({false, false, true, true})).set(0), {0, 1, 0, 0}, {4});
  // The original is untouched.
  expect_array_eq<float>(v, {0, 1, 2, 3}, {4});
  expect_error<jx::ShapeError>(
      [&] {
        v.at(slice(0, 2)).set(arr<float>({1, 2, 3}));
      },
      {"(3,)", "(2,)"});
  expect_error<jx::IndexError>([&] { v.at(4).set(1); },
                               {"index 4 is out of bounds for axis 0 with size 4"});
}

TEST(Indexing, StringSlices) {
  auto idx = jx::s("1:3, ::2");
  ASSERT_EQ(idx.size(), 2u);
  Array m = iota<float>({4, 4});
  expect_array_eq<float>(m[jx::s("1:3, ::2")], {4, 6, 8, 10}, {2, 2});
  expect_array_eq<float>(m[jx::s("-1")], {12, 13, 14, 15}, {4});
  expect_array_eq<float>(m[jx::s("..., ::-2")], {3, 1, 7, 5, 11, 9, 15, 13}, {4, 2});
  EXPECT_EQ((m[jx::s("None, :, 0")].shape()), (Shape{1, 4}));
  EXPECT_EQ((m[jx::s(":, newaxis")].shape()), (Shape{4, 1, 4}));
  EXPECT_EQ(m[jx::s("")].shape(), (Shape{4, 4}));
  expect_array_eq<float>(m[jx::s(" 2 , -3:-1 ")], {9, 10}, {2});
  expect_error<jx::ValueError>([] { jx::s("1:2:3:4"); }, {"at most two ':'"});
  expect_error<jx::ValueError>([] { jx::s("a"); }, {"cannot parse 'a'"});
  expect_error<jx::ValueError>([] { jx::s("1,,2"); }, {"empty index"});
}

TEST(Indexing, AstypeAndReshape) {
  Array x = arr<float>({1.5f, -2.7f, 0.0f});
  expect_array_eq<int32_t>(x.astype(jx::int32), {1, -2, 0}, {3});
  expect_array_eq<bool>(x.astype(jx::bool_), {true, true, false}, {3});
  expect_array_eq<double>(x.astype(jx::float64), {1.5, static_cast<double>(-2.7f), 0.0}, {3});
  Array w = Array(0.1);  // a weak float scalar converts from its exact value
  Array w64 = w.astype(jx::float64);
  EXPECT_EQ(w64.item<double>(), 0.1);
  EXPECT_FALSE(w64.weak_type());
  EXPECT_FALSE(Array(1.0f).astype(jx::float32).weak_type());
  expect_array_eq<float>(iota<float>({6}).reshape({3, 2}), {0, 1, 2, 3, 4, 5}, {3, 2});
  expect_error<jx::ShapeError>([] { iota<float>({6}).reshape({4}); },
                               {"cannot reshape array of size 6 into shape (4,)"});
}

TEST(Indexing, ScalarBooleans) {
  // numpy: x[True] adds a length-1 axis, x[False] a length-0 one; both count as no dimension.
  Array x = iota<int32_t>({2, 3});
  Array t = arr<bool>({true}, {}), f = arr<bool>({false}, {});
  expect_array_eq<int32_t>(x[t], {0, 1, 2, 3, 4, 5}, {1, 2, 3});
  EXPECT_EQ(x[f].shape(), (Shape{0, 2, 3}));
  expect_array_eq<int32_t>(x[{1, t}], {3, 4, 5}, {1, 3});
  // With other advanced indices it is an advanced index too (numpy: x[True, [1, 0]] and
  // x[True, :, [0, 1]]).
  expect_array_eq<int32_t>(x[{t, arr<int32_t>({1, 0})}], {3, 4, 5, 0, 1, 2}, {2, 3});
  expect_array_eq<int32_t>(x[{t, slice(none, none), arr<int32_t>({0, 1})}], {0, 3, 1, 4}, {2, 2});
  expect_error<jx::IndexError>([&] { x[{f, arr<int32_t>({1, 0})}]; }, {"shape mismatch"});
  // numpy: y[False] = 9; y[True, [1]] = 9; y[True, 0] = 9
  expect_array_eq<int32_t>(x.at(f).set(9), {0, 1, 2, 3, 4, 5}, {2, 3});
  expect_array_eq<int32_t>(x.at({t, arr<int32_t>({1})}).set(9), {0, 1, 2, 9, 9, 9}, {2, 3});
  expect_array_eq<int32_t>(x.at({t, 0}).set(9), {9, 9, 9, 3, 4, 5}, {2, 3});
}

TEST(Indexing, EmptyScalarAndDtypes) {
  EXPECT_EQ((iota<float>({0, 3})[{slice(none, none), 1}].shape()), (Shape{0}));
  EXPECT_EQ(iota<float>({2, 3})[arr<int32_t>({}, {0})].shape(), (Shape{0, 3}));
  EXPECT_EQ((iota<float>({2, 3})[{slice(1, 1), slice(none, none, -1)}].shape()), (Shape{0, 3}));
  Array v = iota<double>({4});
  expect_array_eq<double>(v.at(slice(2, 2)).set(9), {0, 1, 2, 3}, {4});
  expect_array_eq<double>(v.at(arr<int32_t>({}, {0})).add(9), {0, 1, 2, 3}, {4});
  expect_array_eq<float>(arr<float>({1}, {}).at({ellipsis}).set(2), {2}, {});
  // Updates take the array's dtype: uint8 wraps (250 + 10 = 4), int64 and double keep theirs.
  expect_array_eq<uint8_t>(arr<uint8_t>({250, 1}).at(0).add(10), {4, 1}, {2});
  expect_array_eq<int64_t>(
      arr<int64_t>({1, 2, 3}).at(arr<int32_t>({0, 2})).set(arr<float>({7.9f, -1.5f})), {7, 2, -1},
      {3});
  expect_array_eq<double>(v.at(arr<int64_t>({1, 1, 3})).min(arr<double>({0.5, -1, 4})),
                          {0, -1, 2, 3}, {4});
  expect_array_eq<int32_t>(iota<int32_t>({2, 2}).at(1).multiply(arr<int32_t>({3, -1})),
                           {0, 1, 6, -3}, {2, 2});
  expect_array_eq<bool>(arr<bool>({false, false, true}).at(slice(0, 2)).set(true),
                        {true, true, true}, {3});
  // A newaxis in the index adds a length-1 dimension the values may carry.
  expect_array_eq<float>(
      iota<float>({4}).at({newaxis, slice(0, 2)}).set(arr<float>({5, 6}, {1, 2})), {5, 6, 2, 3},
      {4});
  // Leading length-1 dimensions of the values beyond the indexed rank are dropped, as in JAX.
  expect_array_eq<float>(iota<float>({2, 2}).at(0).set(arr<float>({8, 9}, {1, 1, 2})), {8, 9, 2, 3},
                         {2, 2});
}
