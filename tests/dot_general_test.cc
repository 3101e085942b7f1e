// Tests of dot_general and lax.dot. Expected values from numpy (/usr/bin/python3) or by hand.
#include <gtest/gtest.h>

#include <vector>

#include "jx/lax.h"
#include "test_util.h"

namespace {

using jx::Array;
using jx::testing::arr;
using jx::testing::expect_array_eq;
using jx::testing::expect_error;
namespace lax = jx::lax;

TEST(DotGeneral, MatmulAndTransposedLayouts) {
  Array a = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  Array b = arr<float>({1, 0, 2, 1, 0, 1}, {3, 2});
  // numpy: a @ b = [[5, 5], [14, 11]]
  expect_array_eq<float>(lax::dot(a, b), {5, 5, 14, 11}, {2, 2});
  // a^T-contracting: contract lhs dim 0 of a^T stored as [3, 2]
  Array at = arr<float>({1, 4, 2, 5, 3, 6}, {3, 2});
  expect_array_eq<float>(lax::dot_general(at, b, {{{0}, {0}}, {{}, {}}}), {5, 5, 14, 11}, {2, 2});
  Array bt = arr<float>({1, 2, 0, 0, 1, 1}, {2, 3});
  expect_array_eq<float>(lax::dot_general(a, bt, {{{1}, {1}}, {{}, {}}}), {5, 5, 14, 11}, {2, 2});
  expect_array_eq<double>(
      lax::dot_general(arr<double>({1, 4, 2, 5, 3, 6}, {3, 2}),
                       arr<double>({1, 2, 0, 0, 1, 1}, {2, 3}), {{{0}, {1}}, {{}, {}}}),
      {5, 5, 14, 11}, {2, 2});
  // vector cases
  expect_array_eq<float>(lax::dot(arr<float>({1, 2, 3}), arr<float>({4, 5, 6})), {32}, {});
  expect_array_eq<float>(lax::dot(a, arr<float>({1, 1, 1})), {6, 15}, {2});
}

TEST(DotGeneral, BatchDimsAndIntsAndPreferred) {
  // lhs [2, 2, 2] batch 0; rhs [2, 2, 2] batch at dim 2 (non-leading).
  Array l = arr<int32_t>({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2});
  Array r = arr<int32_t>({1, 1, 0, 2, 1, 0, 0, 1}, {2, 2, 2});  // r[k, n, b]
  // b=0: R0[k][n] = r[k, n, 0] = [[1, 0], [1, 0]]; L0 = [[1, 2], [3, 4]] -> [[3, 0], [7, 0]]
  // b=1: R1 = [[1, 2], [0, 1]]; L1 = [[5, 6], [7, 8]] -> [[5, 16], [7, 22]]
  expect_array_eq<int32_t>(lax::dot_general(l, r, {{{2}, {0}}, {{0}, {2}}}),
                           {3, 0, 7, 0, 5, 16, 7, 22}, {2, 2, 2});
  expect_array_eq<float>(lax::dot_general(l, r, {{{2}, {0}}, {{0}, {2}}}, jx::float32),
                         {3, 0, 7, 0, 5, 16, 7, 22}, {2, 2, 2});
  // 300 wraps to 44 in uint8; with preferred int32 it does not.
  expect_array_eq<uint8_t>(lax::dot(arr<uint8_t>({200, 100}), arr<uint8_t>({1, 1})), {44}, {});
  expect_array_eq<int32_t>(lax::dot_general(arr<uint8_t>({200, 100}), arr<uint8_t>({1, 1}),
                                            {{{0}, {0}}, {{}, {}}}, jx::int32),
                           {300}, {});
}

TEST(DotGeneral, EmptyDims) {
  Array a = arr<float>({}, {2, 0});
  Array b = arr<float>({}, {0, 3});
  expect_array_eq<float>(lax::dot(a, b), {0, 0, 0, 0, 0, 0}, {2, 3});
  expect_array_eq<float>(lax::dot(arr<float>({}, {0, 2}), arr<float>({1, 2, 3, 4}, {2, 2})), {},
                         {0, 2});
}

TEST(DotGeneral, Errors) {
  Array a = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_error<jx::ShapeError>(
      [&] {
        lax::dot_general(a, a, {{{1}, {0}}, {{}, {}}});
      },
      {"dot_general requires contracting dimensions to have the same "
       "shape, got (3,) and (2,)."});
  expect_error<jx::IndexError>(
      [&] {
        lax::dot_general(a, a, {{{2}, {1}}, {{}, {}}});
      },
      {"lhs dimension numbers"});
  expect_error<jx::DTypeError>(
      [&] {
        lax::dot_general(a, arr<int32_t>({1, 2, 3}), {{{1}, {0}}, {{}, {}}});
      },
      {"same dtypes"});
  expect_error<jx::DTypeError>(
      [&] {
        lax::dot_general(a, a, {{{1}, {1}}, {{}, {}}}, jx::int32);
      },
      {"preferred_element_type"});
  expect_error<jx::ShapeError>([&] { lax::dot(a, a); },
                               {"Incompatible shapes for dot: got (2, 3) and (2, 3)."});
}

}  // namespace
