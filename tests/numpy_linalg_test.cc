// jx::numpy linear algebra: matmul, dot, vdot, inner, outer, tensordot, einsum, linalg::norm.
// Expected values are from numpy (/usr/bin/python3, pasted as literals) unless noted.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "jx/numpy.h"
#include "test_util.h"

namespace jnp = jx::numpy;
using jx::Array;
using jx::Shape;
using jx::testing::arr;
using jx::testing::expect_array_eq;
using jx::testing::expect_array_near;
using jx::testing::expect_error;

namespace {

// start, start + 1, ... in the given shape.
template <class T>
Array iota(const Shape& shape, T start = 0) {
  std::vector<T> v(static_cast<size_t>(shape.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(static_cast<T>(i) + start);
  return arr<T>(v, shape);
}

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST(NumpyLinalg, Matmul2D) {
  // a = arange(6).reshape(2,3); b = arange(12).reshape(3,4) - 5; a @ b
  Array a = iota<float>({2, 3}), b = iota<float>({3, 4}, -5);
  expect_array_eq<float>(jnp::matmul(a, b), {5, 8, 11, 14, -4, 8, 20, 32}, {2, 4});
  expect_array_eq<double>(jnp::matmul(iota<double>({2, 3}), iota<double>({3, 4}, -5)),
                          {5, 8, 11, 14, -4, 8, 20, 32}, {2, 4});
  // int32 @ float32 promotes to float32.
  expect_array_eq<float>(jnp::matmul(iota<int32_t>({2, 3}), b), {5, 8, 11, 14, -4, 8, 20, 32},
                         {2, 4});
  // bool @ bool is a logical or of ands (hand-derived).
  expect_array_eq<bool>(jnp::matmul(arr<bool>({true, false, true, true}, {2, 2}),
                                    arr<bool>({false, true, false, false}, {2, 2})),
                        {false, true, false, true}, {2, 2});
  // Empty contraction gives zeros; empty free dims give empty results.
  expect_array_eq<float>(jnp::matmul(iota<float>({2, 0}), iota<float>({0, 2})), {0, 0, 0, 0},
                         {2, 2});
  expect_array_eq<float>(jnp::matmul(iota<float>({0, 3}), b), {}, {0, 4});
}

TEST(NumpyLinalg, MatmulVectorsAndBatches) {
  Array v = arr<int32_t>({1, -2, 3});
  expect_array_eq<int32_t>(jnp::matmul(iota<int32_t>({2, 3}), v), {4, 10}, {2});
  expect_array_eq<int32_t>(jnp::matmul(v, iota<int32_t>({3, 4})), {16, 18, 20, 22}, {4});
  expect_array_eq<int32_t>(jnp::matmul(v, v), {14}, {});
  // [1 2] @ arange(12).reshape(3,2,2) -> shape (3, 2)
  expect_array_eq<int32_t>(jnp::matmul(arr<int32_t>({1, 2}), iota<int32_t>({3, 2, 2})),
                           {4, 7, 16, 19, 28, 31}, {3, 2});
  // Broadcast batch dims: (2,1,3,4) @ (5,4,2) -> (2,5,3,2), B = arange(40).reshape(5,4,2) - 7.
  std::vector<int64_t> e = {-14,  -8,   -78,  -56,  -142, -104, 34,   40,   98,   120,  162,  200,
                            82,   88,   274,  296,  466,  504,  130,  136,  450,  472,  770,  808,
                            178,  184,  626,  648,  1074, 1112, -206, -152, -270, -200, -334, -248,
                            226,  280,  290,  360,  354,  440,  658,  712,  850,  920,  1042, 1128,
                            1090, 1144, 1410, 1480, 1730, 1816, 1522, 1576, 1970, 2040, 2418, 2504};
  expect_array_eq<int64_t>(jnp::matmul(iota<int64_t>({2, 1, 3, 4}), iota<int64_t>({5, 4, 2}, -7)),
                           e, {2, 5, 3, 2});
  // The same with the operands' batch roles swapped: (5,4,2)^T-ish via batch (1,5) @ (2,1).
  Array l = iota<float>({1, 2, 2}), r = iota<float>({3, 1, 2, 1});
  Array lr = jnp::matmul(l, r);
  EXPECT_EQ(lr.shape(), (Shape{3, 1, 2, 1}));
  // Hand-derived: l = [[0 1] [2 3]], r[k] = [2k, 2k+1]^T -> [2k+1, 10k+3].
  expect_array_eq<float>(lr, {1, 3, 3, 13, 5, 23}, {3, 1, 2, 1});
}

TEST(NumpyLinalg, MatmulErrors) {
  expect_error<jx::ShapeError>(
      [] {
        jnp::matmul(iota<float>({2, 2}), iota<float>({3, 4}));
      },
      {"matmul: Input operand 1 has a mismatch in its core dimension 0",
       "size 3 is different from 2", "(2, 2)", "(3, 4)"});
  expect_error<jx::ValueError>([] { jnp::matmul(Array(1.0f), iota<float>({2})); },
                               {"matmul: Input operand 0 does not have enough dimensions"});
  expect_error<jx::ShapeError>(
      [] {
        jnp::matmul(iota<float>({2, 2, 2}), iota<float>({3, 2, 2}));
      },
      {"matmul", "Incompatible shapes for broadcasting", "(2, 2, 2)", "(3, 2, 2)"});
}

TEST(NumpyLinalg, Dot) {
  expect_array_eq<float>(jnp::dot(iota<float>({2, 3}), iota<float>({3, 4}, -5)),
                         {5, 8, 11, 14, -4, 8, 20, 32}, {2, 4});
  expect_array_eq<int32_t>(jnp::dot(arr<int32_t>({1, 2, 3}), arr<int32_t>({4, 5, 6})), {32}, {});
  expect_array_eq<float>(jnp::dot(Array(2.0f), iota<float>({3})), {0, 2, 4}, {3});
  expect_array_eq<int32_t>(jnp::dot(iota<int32_t>({2}), 3), {0, 3}, {2});
  // np.dot(arange(12).reshape(2,3,2), arange(12).reshape(2,2,3)) -> (2, 3, 2, 3)
  expect_array_eq<int64_t>(
      jnp::dot(iota<int64_t>({2, 3, 2}), iota<int64_t>({2, 2, 3})),
      {3,  4,  5,  9,  10,  11,  9,  14, 19, 39,  44,  49,  15, 24, 33, 69,  78,  87,
       21, 34, 47, 99, 112, 125, 27, 44, 61, 129, 146, 163, 33, 54, 75, 159, 180, 201},
      {2, 3, 2, 3});
  expect_error<jx::ShapeError>(
      [] {
        jnp::dot(iota<float>({2, 3}), iota<float>({2, 3}));
      },
      {"dot", "not aligned", "(2, 3)"});
}

TEST(NumpyLinalg, VdotInnerOuter) {
  expect_array_eq<int32_t>(jnp::vdot(iota<int32_t>({2, 2}), arr<int32_t>({1, 2, 3, 4})), {20}, {});
  expect_error<jx::ShapeError>([] { jnp::vdot(iota<float>({3}), iota<float>({4})); },
                               {"vdot", "(3,)", "(4,)"});
  // np.inner(arange(6).reshape(2,3), arange(9).reshape(3,3))
  expect_array_eq<int32_t>(jnp::inner(iota<int32_t>({2, 3}), iota<int32_t>({3, 3})),
                           {5, 14, 23, 14, 50, 86}, {2, 3});
  expect_array_eq<float>(jnp::inner(iota<float>({2}), Array(2.0f)), {0, 2}, {2});
  expect_error<jx::ShapeError>([] { jnp::inner(iota<float>({2}), iota<float>({3})); },
                               {"inner", "(2,)", "(3,)"});
  // np.outer([1, 2], [[3, 4], [5, 6]])
  expect_array_eq<int32_t>(jnp::outer(arr<int32_t>({1, 2}), iota<int32_t>({2, 2}, 3)),
                           {3, 4, 5, 6, 6, 8, 10, 12}, {2, 4});
  expect_array_eq<float>(jnp::outer(arr<int32_t>({1, 2}), arr<float>({0.5f})), {0.5f, 1.0f},
                         {2, 1});
  expect_array_eq<bool>(jnp::outer(arr<bool>({true, false}), arr<bool>({true})), {true, false},
                        {2, 1});
  expect_array_eq<float>(jnp::outer(iota<float>({0}), iota<float>({3})), {}, {0, 3});
}

TEST(NumpyLinalg, Tensordot) {
  expect_array_eq<int32_t>(jnp::tensordot(iota<int32_t>({2, 3, 4}), iota<int32_t>({3, 4})),
                           {506, 1298}, {2});
  expect_array_eq<int32_t>(
      jnp::tensordot(iota<int32_t>({2, 3, 4}), iota<int32_t>({2, 3}), {{0, 1}, {0, 1}}),
      {220, 235, 250, 265}, {4});
  expect_array_eq<float>(jnp::tensordot(iota<float>({2, 3}), iota<float>({3, 4}), {{-1}, {0}}),
                         {20, 23, 26, 29, 56, 68, 80, 92}, {2, 4});
  // axes = 0 is the outer product.
  EXPECT_EQ(jnp::tensordot(iota<float>({2}), iota<float>({3}), 0).shape(), (Shape{2, 3}));
  expect_error<jx::ShapeError>([] { jnp::tensordot(iota<float>({2}), iota<float>({2}), 2); },
                               {"tensordot", "number of axes 2 exceeds input ranks 1 and 1"});
  expect_error<jx::ShapeError>(
      [] {
        jnp::tensordot(iota<float>({2, 3}), iota<float>({2, 3}), {{1}, {0}});
      },
      {"tensordot: shape mismatch", "axis 1 of (2, 3) has size 3"});
  expect_error<jx::ValueError>(
      [] {
        jnp::tensordot(iota<float>({2, 3}), iota<float>({2, 3}), {{0, 1}, {0}});
      },
      {"equal length"});
}

TEST(NumpyLinalg, Einsum) {
  Array a = iota<float>({2, 3}), b = iota<float>({3, 4}, -5);
  std::vector<float> ab = {5, 8, 11, 14, -4, 8, 20, 32};
  expect_array_eq<float>(jnp::einsum("ij,jk->ik", {a, b}), ab, {2, 4});
  expect_array_eq<float>(jnp::einsum("ij,jk", {a, b}), ab, {2, 4});
  expect_array_eq<float>(jnp::einsum(" ij , jk -> ik ", {a, b}), ab, {2, 4});
  Array sq = iota<float>({3, 3});
  expect_array_eq<float>(jnp::einsum("ii", {sq}), {12}, {});
  expect_array_eq<float>(jnp::einsum("ii->i", {sq}), {0, 4, 8}, {3});
  expect_array_eq<float>(jnp::einsum("ij->", {a}), {15}, {});
  expect_array_eq<float>(jnp::einsum("ij->j", {a}), {3, 5, 7}, {3});
  expect_array_eq<float>(jnp::einsum("ji", {a}), {0, 3, 1, 4, 2, 5}, {3, 2});
  Array x = iota<double>({2, 3, 4}), y = iota<double>({2, 4});
  expect_array_eq<double>(jnp::einsum("bij,bj->bi", {x, y}), {14, 38, 62, 302, 390, 478}, {2, 3});
  expect_array_eq<double>(jnp::einsum("...ij,...j->...i", {x, y}), {14, 38, 62, 302, 390, 478},
                          {2, 3});
  expect_array_eq<double>(jnp::einsum("i...->...", {x}),
                          {12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34}, {3, 4});
  expect_array_eq<float>(jnp::einsum("ij,jk,kl->il", {a, b, iota<float>({4, 2})}),
                         {144, 182, 288, 344}, {2, 2});
  expect_array_eq<float>(jnp::einsum("i,j", {arr<float>({1, 2}), arr<float>({3, 4, 5})}),
                         {3, 4, 5, 6, 8, 10}, {2, 3});
  expect_array_eq<float>(jnp::einsum("Bi,ai->aB", {iota<float>({2, 3}), iota<float>({1, 3})}),
                         {5, 14}, {1, 2});
  EXPECT_EQ(jnp::einsum("Ab", {a}).shape(), (Shape{2, 3}));  // 'A' sorts before 'b'
  // Size-1 dimensions broadcast.
  expect_array_eq<float>(jnp::einsum("ij,ij->ij", {iota<float>({2, 1}), iota<float>({2, 3})}),
                         {0, 0, 0, 3, 4, 5}, {2, 3});
  expect_array_eq<float>(jnp::einsum("iij->j", {iota<float>({3, 3, 2})}), {24, 27}, {2});
  expect_array_eq<int32_t>(jnp::einsum("i,i", {arr<int32_t>({1, 2, 3}), arr<int32_t>({4, 5, 6})}),
                           {32}, {});
  // Mixed dtypes promote (int32 with float32 -> float32).
  expect_array_eq<float>(jnp::einsum("i,i->", {arr<int32_t>({1, 2}), arr<float>({0.5f, 2})}),
                         {4.5f}, {});
  expect_array_eq<float>(jnp::einsum("ij,jk->ik", {iota<float>({2, 0}), iota<float>({0, 2})}),
                         {0, 0, 0, 0}, {2, 2});
}

TEST(NumpyLinalg, EinsumBroadcastManyOperandsBool) {
  // numpy: einsum("...ij,...jk->...ik", arange(12).reshape(2,1,2,3), arange(24).reshape(4,3,2)-10)
  expect_array_eq<double>(
      jnp::einsum("...ij,...jk->...ik", {iota<double>({2, 1, 2, 3}), iota<double>({4, 3, 2}, -10)}),
      {-20,  -17,  -92,  -80,  -2,  1,   -20, -8,  16, 19,  52,  64,  34,  37,  124, 136,
       -164, -143, -236, -206, -38, -17, -56, -26, 88, 109, 124, 154, 214, 235, 304, 334},
      {2, 4, 2, 2});
  Array x = iota<float>({2, 3}), y = iota<float>({3, 4}), z = iota<float>({4}, -1),
        w = iota<float>({2}, 1);
  expect_array_eq<float>(jnp::einsum("ij,jk,k,i->", {x, y, z, w}), {480}, {});
  expect_array_eq<float>(jnp::einsum("ij,jk,k,i->j", {x, y, z, w}), {48, 144, 288}, {3});
  expect_array_eq<bool>(
      jnp::einsum("i,i->i", {arr<bool>({true, false, true}), arr<bool>({true, true, false})}),
      {true, false, false}, {3});
  expect_array_eq<bool>(jnp::einsum("ij,j", {arr<bool>({true, false, false, false}, {2, 2}),
                                             arr<bool>({true, true})}),
                        {true, false}, {2});
}

TEST(NumpyLinalg, EinsumErrors) {
  Array a = iota<float>({2, 3});
  expect_error<jx::ValueError>([&] { jnp::einsum("ij,jk->ik", {a}); },
                               {"einsum", "2 terms given for 1 operands"});
  expect_error<jx::ValueError>([&] { jnp::einsum("ijk", {a}); },
                               {"einsum", "operand 0 has 2 dimensions", "3 labels"});
  expect_error<jx::ValueError>(
      [&] {
        jnp::einsum("ij,ij->i", {a, iota<float>({2, 4})});
      },
      {"size of label 'j'", "(4)", "(3)"});
  expect_error<jx::ValueError>([&] { jnp::einsum("ij->k", {a}); },
                               {"output subscript 'k' does not appear in the inputs"});
  expect_error<jx::ValueError>([&] { jnp::einsum("ij->ii", {a}); }, {"appears more than once"});
  expect_error<jx::ValueError>([&] { jnp::einsum("i2", {a}); }, {"invalid subscript '2'"});
  expect_error<jx::ValueError>([&] { jnp::einsum("i..j", {a}); }, {"invalid ellipsis"});
}

TEST(NumpyLinalg, VectorNorms) {
  Array v = arr<float>({3, -4, 0, 1});
  expect_array_near<float>(jnp::linalg::norm(v), {5.0990195f}, {});
  expect_array_near<float>(jnp::linalg::norm(v, 1.0), {8}, {});
  expect_array_near<float>(jnp::linalg::norm(v, 2.0), {5.0990195f}, {});
  expect_array_near<float>(jnp::linalg::norm(v, kInf), {4}, {});
  expect_array_near<float>(jnp::linalg::norm(v, -kInf), {0}, {});
  expect_array_near<float>(jnp::linalg::norm(v, 0.0), {3}, {});
  expect_array_near<float>(jnp::linalg::norm(v, 3.0), {4.5143576f}, {}, 1e-6);
  expect_array_near<float>(jnp::linalg::norm(v, 0.5), {22.392305f}, {}, 1e-6);
  // Integers promote to float32.
  expect_array_near<float>(jnp::linalg::norm(arr<int32_t>({3, 4})), {5}, {});
  expect_array_near<double>(jnp::linalg::norm(arr<double>({3, 4}), 1.0), {7}, {});
  Array m = arr<float>({1, -2, 3, -4, 5, -6}, {2, 3});
  expect_array_near<float>(jnp::linalg::norm(m, {}, 1), {3.7416575f, 8.774964f}, {2});
  expect_array_near<float>(jnp::linalg::norm(m, 1.0, 0), {5, 7, 9}, {3});
  EXPECT_EQ(jnp::linalg::norm(m, {}, 0, true).shape(), (Shape{1, 3}));
  expect_array_near<float>(jnp::linalg::norm(iota<float>({0})), {0}, {});
  // norm(arange(24.).reshape(2,3,4)) over everything.
  expect_array_near<double>(jnp::linalg::norm(iota<double>({2, 3, 4})), {65.75712889109438}, {},
                            1e-12);
  expect_error<jx::ValueError>([&] { jnp::linalg::norm(v, std::string("fro"), 0); },
                               {"Invalid norm order 'fro' for vectors"});
}

TEST(NumpyLinalg, MatrixNorms) {
  Array m = arr<float>({1, -2, 3, -4, 5, -6}, {2, 3});
  expect_array_near<float>(jnp::linalg::norm(m, std::string("fro")), {9.539392f}, {});
  expect_array_near<float>(jnp::linalg::norm(m, 1.0), {9}, {});
  expect_array_near<float>(jnp::linalg::norm(m, -1.0), {5}, {});
  expect_array_near<float>(jnp::linalg::norm(m, kInf), {15}, {});
  expect_array_near<float>(jnp::linalg::norm(m, -kInf), {6}, {});
  Array x = iota<double>({2, 3, 4});
  expect_array_near<double>(jnp::linalg::norm(x, {}, {1, 2}),
                            {22.494443758403985, 61.78996682310163}, {2}, 1e-12);
  expect_array_near<double>(jnp::linalg::norm(x, 1.0, {2, 0}), {54, 70, 86}, {3});
  expect_array_near<double>(jnp::linalg::norm(x, kInf, {-1, 1}, true), {21, 57}, {2, 1, 1});
  expect_error<jx::NotSupportedError>([&] { jnp::linalg::norm(m, std::string("nuc")); },
                                      {"nuc", "singular value decomposition"});
  expect_error<jx::NotSupportedError>([&] { jnp::linalg::norm(m, 2.0); },
                                      {"singular value decomposition"});
  expect_error<jx::ValueError>([&] { jnp::linalg::norm(m, 3.0); },
                               {"Invalid norm order", "matrices"});
  expect_error<jx::ValueError>([&] { jnp::linalg::norm(x, 1.0); },
                               {"Improper number of dimensions to norm"});
  expect_error<jx::ValueError>(
      [&] {
        jnp::linalg::norm(x, {}, {0, 1, 2});
      },
      {"Improper number of dimensions to norm"});
  expect_error<jx::ValueError>([&] { jnp::linalg::norm(m, {}, {1, -1}); }, {"Duplicate axes"});
}
