// Tests of dot_general and lax.dot. Expected values are from numpy (/usr/bin/python3: matmul,
// tensordot or einsum on the inputs described next to each literal) or hand-derived; the large
// products are compared with a naive triple loop written in this file.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
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
using Dims = lax::DotDimensionNumbers;

// Values f(0), f(1), ... in the given shape.
template <class T, class F>
Array fill(const Shape& shape, F f) {
  std::vector<T> v(static_cast<size_t>(shape.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(f(int64_t(i)));
  return arr<T>(v, shape);
}

// Row-major [rows, cols] -> [cols, rows].
template <class T>
std::vector<T> transposed(const std::vector<T>& x, int64_t rows, int64_t cols) {
  std::vector<T> t(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) t[size_t(c * rows + r)] = x[size_t(r * cols + c)];
  }
  return t;
}

// a [M, K] @ b [K, N] == expected, with each operand stored as given and transposed (the
// contracting dim then leading in lhs / trailing in rhs), and as a 2-batch product.
template <class T>
void check_all_layouts(const std::vector<T>& a, const std::vector<T>& b, int64_t M, int64_t K,
                       int64_t N, const std::vector<T>& expected) {
  SCOPED_TRACE(std::string(jx::dtype_name(jx::dtype_of<T>())));
  const Array A = arr<T>(a, {M, K}), B = arr<T>(b, {K, N});
  const Array At = arr<T>(transposed(a, M, K), {K, M}), Bt = arr<T>(transposed(b, K, N), {N, K});
  expect_array_eq<T>(lax::dot(A, B), expected, {M, N});
  expect_array_eq<T>(lax::dot_general(At, B, Dims{{{0}, {0}}, {{}, {}}}), expected, {M, N});
  expect_array_eq<T>(lax::dot_general(A, Bt, Dims{{{1}, {1}}, {{}, {}}}), expected, {M, N});
  expect_array_eq<T>(lax::dot_general(At, Bt, Dims{{{0}, {1}}, {{}, {}}}), expected, {M, N});
  // The rhs free dim first and the lhs second: (B^T A^T) = (A B)^T.
  expect_array_eq<T>(lax::dot_general(Bt, At, Dims{{{1}, {0}}, {{}, {}}}),
                     transposed(expected, M, N), {N, M});
  std::vector<T> a2 = a, b2 = b, e2 = expected;
  a2.insert(a2.end(), a.begin(), a.end());
  b2.insert(b2.end(), b.begin(), b.end());
  e2.insert(e2.end(), expected.begin(), expected.end());
  expect_array_eq<T>(
      lax::dot_general(arr<T>(a2, {2, M, K}), arr<T>(b2, {2, K, N}), Dims{{{2}, {1}}, {{0}, {0}}}),
      e2, {2, M, N});
}

TEST(DotGeneral, EveryDtypeAndLayout) {
  // numpy: [[1, -2, 3], [4, 5, -6]] @ [[7, -1], [0, 2], [-3, 4]] = [[-2, 7], [46, -18]]
  const std::vector<int> a = {1, -2, 3, 4, 5, -6}, b = {7, -1, 0, 2, -3, 4}, e = {-2, 7, 46, -18};
  auto as = [](const std::vector<int>& v, auto tag) {
    using T = decltype(tag);
    return std::vector<T>(v.begin(), v.end());
  };
  check_all_layouts(as(a, float{}), as(b, float{}), 2, 3, 2, as(e, float{}));
  check_all_layouts(as(a, double{}), as(b, double{}), 2, 3, 2, as(e, double{}));
  check_all_layouts(as(a, int32_t{}), as(b, int32_t{}), 2, 3, 2, as(e, int32_t{}));
  check_all_layouts(as(a, int64_t{}), as(b, int64_t{}), 2, 3, 2, as(e, int64_t{}));
  // numpy uint8: [[200, 3, 7], [1, 255, 2]] @ [[2, 1], [3, 0], [5, 9]] wraps mod 256.
  check_all_layouts<uint8_t>({200, 3, 7, 1, 255, 2}, {2, 1, 3, 0, 5, 9}, 2, 3, 2, {188, 7, 9, 19});
  // numpy uint32: the same lhs times 40000000, same rhs (wraps mod 2^32).
  check_all_layouts<uint32_t>({8000000000u % 4294967296u, 120000000u, 280000000u, 40000000u,
                               10200000000u % 4294967296u, 80000000u},
                              {2, 1, 3, 0, 5, 9}, 2, 3, 2,
                              {580130816u, 1930065408u, 1015228928u, 760000000u});
  // numpy int32: [[100000, -3], [7, 50000]] @ [[100000, 1], [2, -60000]] wraps mod 2^32.
  check_all_layouts<int32_t>({100000, -3, 7, 50000}, {100000, 1, 2, -60000}, 2, 2, 2,
                             {1410065402, 280000, 800000, 1294967303});
  check_all_layouts<int64_t>({100000, -3, 7, 50000}, {100000, 1, 2, -60000}, 2, 2, 2,
                             {9999999994, 280000, 800000, -2999999993});
  // bool is logical or of ands (hand-derived): rows of a: TFT, FFT, FFF; columns of b: FTT, TFF.
  check_all_layouts<bool>({true, false, true, false, false, true, false, false, false},
                          {false, true, true, false, true, false}, 3, 3, 2,
                          {true, true, true, false, false, false});
}

TEST(DotGeneral, VectorCases) {
  Array a = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_array_eq<float>(lax::dot(arr<float>({1, 2, 3}), arr<float>({4, 5, 6})), {32}, {});
  expect_array_eq<float>(lax::dot(a, arr<float>({1, 1, 1})), {6, 15}, {2});
  expect_array_eq<float>(lax::dot(arr<float>({1, -1}), a), {-3, -3, -3}, {3});
  // No contracting dims: outer product; batch dims only: elementwise product.
  expect_array_eq<int32_t>(
      lax::dot_general(arr<int32_t>({1, 2, 3}), arr<int32_t>({10, -1}), Dims{{{}, {}}, {{}, {}}}),
      {10, -1, 20, -2, 30, -3}, {3, 2});
  expect_array_eq<double>(
      lax::dot_general(arr<double>({1, 2, 3}), arr<double>({4, 5, 6}), Dims{{{}, {}}, {{0}, {0}}}),
      {4, 10, 18}, {3});
  // Rank-0 operands: a scalar product.
  expect_array_eq<float>(
      lax::dot_general(arr<float>({3}, {}), arr<float>({-2}, {}), Dims{{{}, {}}, {{}, {}}}), {-6},
      {});
}

TEST(DotGeneral, SeveralContractingDims) {
  // numpy: L = (arange(24) % 7 - 3).reshape(2, 3, 4), R = (arange(60) % 5 - 2).reshape(3, 4, 5),
  // tensordot(L, R, axes=([1, 2], [0, 1])).
  const std::vector<int32_t> want = {10, 5, 0, -5, -10, 2, 1, 0, -1, -2};
  Array L = fill<int32_t>({2, 3, 4}, [](int64_t i) { return i % 7 - 3; });
  Array R = fill<int32_t>({3, 4, 5}, [](int64_t i) { return i % 5 - 2; });
  expect_array_eq<int32_t>(lax::dot_general(L, R, Dims{{{1, 2}, {0, 1}}, {{}, {}}}), want, {2, 5});
  expect_array_eq<int32_t>(lax::dot_general(L, R, Dims{{{2, 1}, {1, 0}}, {{}, {}}}), want, {2, 5});
  // R2 = R.transpose(1, 2, 0) stored contiguously, shape (4, 5, 3): R2[k2, n, k1] = R[k1, k2, n].
  std::vector<int32_t> r = R.to_vector<int32_t>(), r2(60);
  for (int k1 = 0; k1 < 3; ++k1)
    for (int k2 = 0; k2 < 4; ++k2)
      for (int n = 0; n < 5; ++n)
        r2[size_t((k2 * 5 + n) * 3 + k1)] = r[size_t((k1 * 4 + k2) * 5 + n)];
  Array R2 = arr<int32_t>(r2, {4, 5, 3});
  expect_array_eq<int32_t>(lax::dot_general(L, R2, Dims{{{2, 1}, {0, 2}}, {{}, {}}}), want, {2, 5});
  expect_array_eq<int32_t>(lax::dot_general(L, R2, Dims{{{1, 2}, {2, 0}}, {{}, {}}}), want, {2, 5});
  std::vector<float> wantf(want.begin(), want.end());
  expect_array_eq<float>(
      lax::dot_general(fill<float>({2, 3, 4}, [](int64_t i) { return i % 7 - 3; }),
                       fill<float>({3, 4, 5}, [](int64_t i) { return i % 5 - 2; }),
                       Dims{{{1, 2}, {0, 1}}, {{}, {}}}),
      wantf, {2, 5});
}

TEST(DotGeneral, SeveralBatchDimsNotLeading) {
  // numpy: Lb = (arange(48) % 9 - 4).reshape(3, 2, 4, 2), Rb = (arange(80) % 6 - 2).reshape(2, 5,
  // 2, 4), einsum('mqkp,pnqk->pqmn', Lb, Rb): lhs batch (3, 1) with rhs batch (0, 2).
  const std::vector<int64_t> want = {
      12, 4,  -16, 12, 4,  -2, -8,  -2, -2, -8,  -7,  -11, 21, -7,  -11, 0,   -4, -2, 0,   -4,
      23, -9, -5,  23, -9, 1,  -5,  1,  1,  -5,  -14, 10,  10, -14, 10,  0,   -4, -2, 0,   -4,
      23, -9, -5,  23, -9, 4,  -16, 12, 4,  -16, -8,  -2,  -2, -8,  -2,  -11, 21, -7, -11, 21};
  auto lb = [](int64_t i) { return i % 9 - 4; };
  auto rb = [](int64_t i) { return i % 6 - 2; };
  const Dims dims{{{2}, {3}}, {{3, 1}, {0, 2}}};
  expect_array_eq<int64_t>(
      lax::dot_general(fill<int64_t>({3, 2, 4, 2}, lb), fill<int64_t>({2, 5, 2, 4}, rb), dims),
      want, {2, 2, 3, 5});
  expect_array_eq<double>(
      lax::dot_general(fill<double>({3, 2, 4, 2}, lb), fill<double>({2, 5, 2, 4}, rb), dims),
      std::vector<double>(want.begin(), want.end()), {2, 2, 3, 5});
  expect_array_eq<float>(
      lax::dot_general(fill<float>({3, 2, 4, 2}, lb), fill<float>({2, 5, 2, 4}, rb), dims),
      std::vector<float>(want.begin(), want.end()), {2, 2, 3, 5});

  // A middle batch dim that leaves both operands readable in place. numpy: Lv = (arange(24) % 5
  // - 2).reshape(3, 2, 4), Rv = (arange(40) % 7 - 3).reshape(4, 2, 5), einsum('mbk,kbn->bmn').
  const std::vector<int32_t> want2 = {5, 3, 1,  -1, 4,  -8, 6, 6, 6,  -8, 4,  -1, 1, 3, 5,
                                      7, 6, -9, -3, -4, 6,  7, 8, -5, -4, -5, -7, 5, 3, 1};
  auto lv = [](int64_t i) { return i % 5 - 2; };
  auto rv = [](int64_t i) { return i % 7 - 3; };
  const Dims dims2{{{2}, {0}}, {{1}, {1}}};
  expect_array_eq<int32_t>(
      lax::dot_general(fill<int32_t>({3, 2, 4}, lv), fill<int32_t>({4, 2, 5}, rv), dims2), want2,
      {2, 3, 5});
  expect_array_eq<float>(
      lax::dot_general(fill<float>({3, 2, 4}, lv), fill<float>({4, 2, 5}, rv), dims2),
      std::vector<float>(want2.begin(), want2.end()), {2, 3, 5});
  expect_array_eq<uint8_t>(
      lax::dot_general(fill<uint8_t>({3, 2, 4}, lv), fill<uint8_t>({4, 2, 5}, rv), dims2),
      std::vector<uint8_t>(want2.begin(), want2.end()), {2, 3, 5});
}

TEST(DotGeneral, OperandsThatNeedPackedCopies) {
  // lhs free dims (0, 2) of (2, 3, 4) are not adjacent, so lhs is packed. numpy: Lp = (arange(24)
  // % 5 - 2).reshape(2, 3, 4), Rp = (arange(30) % 7 - 3).reshape(3, 2, 5), einsum('akb,kcd->abcd').
  const std::vector<int32_t> want = {9,  3, 4,  5,  -8, -7, -6, 9,  3,  4,  9,  -6, -7, -8, 5,  4,
                                     3,  9, -6, -7, -6, 5,  2,  -1, 3,  0,  -3, -6, 5,  2,  -6, 1,
                                     1,  1, 1,  1,  1,  -6, 1,  1,  -6, 5,  2,  -1, 3,  0,  -3, -6,
                                     5,  2, -6, 1,  1,  1,  1,  1,  1,  -6, 1,  1,  -6, -3, 0,  3,
                                     -1, 2, 5,  -6, -3, 0,  9,  3,  4,  5,  -8, -7, -6, 9,  3,  4};
  auto lp = [](int64_t i) { return i % 5 - 2; };
  auto rp = [](int64_t i) { return i % 7 - 3; };
  const Dims dims{{{1}, {0}}, {{}, {}}};
  expect_array_eq<float>(
      lax::dot_general(fill<float>({2, 3, 4}, lp), fill<float>({3, 2, 5}, rp), dims),
      std::vector<float>(want.begin(), want.end()), {2, 4, 2, 5});
  expect_array_eq<int32_t>(
      lax::dot_general(fill<int32_t>({2, 3, 4}, lp), fill<int32_t>({3, 2, 5}, rp), dims), want,
      {2, 4, 2, 5});
  expect_array_eq<double>(
      lax::dot_general(fill<double>({2, 3, 4}, lp), fill<double>({3, 2, 5}, rp), dims),
      std::vector<double>(want.begin(), want.end()), {2, 4, 2, 5});
  // Both operands' contracting dims are non-adjacent in any order. numpy: Rq = (arange(40) % 3 -
  // 1).reshape(4, 5, 2), einsum('amb,bna->mn', Lp, Rq).
  const std::vector<int32_t> want2 = {0, 4, -4, 0, 4, -4, 4, 0, -4, 4, -3, -1, 4, -3, -1};
  auto rq = [](int64_t i) { return i % 3 - 1; };
  const Dims dims2{{{0, 2}, {2, 0}}, {{}, {}}};
  expect_array_eq<float>(
      lax::dot_general(fill<float>({2, 3, 4}, lp), fill<float>({4, 5, 2}, rq), dims2),
      std::vector<float>(want2.begin(), want2.end()), {3, 5});
  expect_array_eq<int64_t>(
      lax::dot_general(fill<int64_t>({2, 3, 4}, lp), fill<int64_t>({4, 5, 2}, rq), dims2),
      std::vector<int64_t>(want2.begin(), want2.end()), {3, 5});
  // bool through the packed path: any over (x, y) of a[x, m, y] & b[y, n, x] with a all true and
  // b true where its flat index (10 y + 2 n + x) % 5 == 2, i.e. (2 n + x) % 5 == 2 for some x in
  // {0, 1}: n = 1 (x = 0) and n = 3 (x = 1), by hand.
  expect_array_eq<bool>(
      lax::dot_general(fill<bool>({2, 3, 4}, [](int64_t) { return true; }),
                       fill<bool>({4, 5, 2}, [](int64_t i) { return i % 5 == 2; }), dims2),
      {false, true, false, true, false, false, true, false, true, false, false, true, false, true,
       false},
      {3, 5});
}

TEST(DotGeneral, PreferredElementType) {
  Array l = arr<int32_t>({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2});
  Array r = arr<int32_t>({1, 1, 0, 2, 1, 0, 0, 1}, {2, 2, 2});  // r[k, n, b]
  // Hand-derived: b=0: [[1, 2], [3, 4]] @ [[1, 0], [1, 0]]; b=1: [[5, 6], [7, 8]] @ [[1, 2], [0,
  // 1]]
  expect_array_eq<int32_t>(lax::dot_general(l, r, {{{2}, {0}}, {{0}, {2}}}),
                           {3, 0, 7, 0, 5, 16, 7, 22}, {2, 2, 2});
  expect_array_eq<float>(lax::dot_general(l, r, {{{2}, {0}}, {{0}, {2}}}, jx::float32),
                         {3, 0, 7, 0, 5, 16, 7, 22}, {2, 2, 2});
  expect_array_eq<double>(lax::dot_general(l, r, {{{2}, {0}}, {{0}, {2}}}, jx::float64),
                          {3, 0, 7, 0, 5, 16, 7, 22}, {2, 2, 2});
  // Same dtype as the input is a no-op.
  expect_array_eq<int32_t>(lax::dot_general(l, r, {{{2}, {0}}, {{0}, {2}}}, jx::int32),
                           {3, 0, 7, 0, 5, 16, 7, 22}, {2, 2, 2});
  // 200 + 100 wraps to 44 in uint8; a wider preferred type accumulates without wrapping.
  const Array u = arr<uint8_t>({200, 100}), ones = arr<uint8_t>({1, 1});
  const Dims vv{{{0}, {0}}, {{}, {}}};
  expect_array_eq<uint8_t>(lax::dot(u, ones), {44}, {});
  expect_array_eq<int32_t>(lax::dot_general(u, ones, vv, jx::int32), {300}, {});
  expect_array_eq<uint32_t>(lax::dot_general(u, ones, vv, jx::uint32), {300}, {});
  expect_array_eq<int64_t>(lax::dot_general(u, ones, vv, jx::int64), {300}, {});
  expect_array_eq<float>(lax::dot_general(u, ones, vv, jx::float32), {300}, {});
  // int32 products past 2^31 are exact in int64 (numpy int64 matmul, see EveryDtypeAndLayout).
  expect_array_eq<int64_t>(lax::dot_general(arr<int32_t>({100000, -3, 7, 50000}, {2, 2}),
                                            arr<int32_t>({100000, 1, 2, -60000}, {2, 2}),
                                            {{{1}, {0}}, {{}, {}}}, jx::int64),
                           {9999999994, 280000, 800000, -2999999993}, {2, 2});
  // uint32 -> int64 (unsigned input may widen to signed).
  expect_array_eq<int64_t>(
      lax::dot_general(arr<uint32_t>({4000000000u, 2u}), arr<uint32_t>({2u, 3u}), vv, jx::int64),
      {8000000006}, {});
  // float32 -> float64: 2^24 + 1 is not a float32 but 16777216 * 1 + 1 * 1 is exact in float64.
  expect_array_eq<double>(
      lax::dot_general(arr<float>({16777216.0f, 1.0f}), arr<float>({1, 1}), vv, jx::float64),
      {16777217.0}, {});
  // bool -> int32 counts the true pairs instead of or-ing them.
  Array t = fill<bool>({2, 3}, [](int64_t i) { return i != 4; });  // [[T, T, T], [T, F, T]]
  Array s = fill<bool>({3, 2}, [](int64_t) { return true; });
  expect_array_eq<int32_t>(lax::dot_general(t, s, {{{1}, {0}}, {{}, {}}}, jx::int32), {3, 3, 2, 2},
                           {2, 2});
  expect_array_eq<bool>(lax::dot_general(t, s, {{{1}, {0}}, {{}, {}}}), {true, true, true, true},
                        {2, 2});
}

TEST(DotGeneral, EmptyDims) {
  // K = 0: the sum over nothing is zero (false for bool), whatever the layout.
  expect_array_eq<float>(lax::dot(arr<float>({}, {2, 0}), arr<float>({}, {0, 3})),
                         std::vector<float>(6, 0.0f), {2, 3});
  const Dims bdims{{{2}, {1}}, {{0}, {0}}};
  expect_array_eq<int32_t>(
      lax::dot_general(arr<int32_t>({}, {2, 3, 0}), arr<int32_t>({}, {2, 0, 4}), bdims),
      std::vector<int32_t>(24, 0), {2, 3, 4});
  expect_array_eq<double>(
      lax::dot_general(arr<double>({}, {2, 3, 0}), arr<double>({}, {2, 0, 4}), bdims),
      std::vector<double>(24, 0.0), {2, 3, 4});
  expect_array_eq<bool>(lax::dot_general(arr<bool>({}, {2, 3, 0}), arr<bool>({}, {2, 0, 4}), bdims),
                        std::vector<bool>(24, false), {2, 3, 4});
  expect_array_eq<float>(lax::dot_general(arr<uint8_t>({}, {1, 0}), arr<uint8_t>({}, {0, 2}),
                                          {{{1}, {0}}, {{}, {}}}, jx::float32),
                         {0, 0}, {1, 2});
  // Two contracting dims, one of size 0.
  expect_array_eq<float>(lax::dot_general(arr<float>({}, {2, 0, 5}), arr<float>({}, {0, 5, 3}),
                                          {{{1, 2}, {0, 1}}, {{}, {}}}),
                         std::vector<float>(6, 0.0f), {2, 3});
  // Empty free or batch dims give empty outputs.
  expect_array_eq<float>(lax::dot(arr<float>({}, {0, 2}), arr<float>({1, 2, 3, 4}, {2, 2})), {},
                         {0, 2});
  expect_array_eq<int64_t>(lax::dot(arr<int64_t>({1, 2}, {1, 2}), arr<int64_t>({}, {2, 0})), {},
                           {1, 0});
  expect_array_eq<float>(
      lax::dot_general(arr<float>({}, {0, 2, 3}), arr<float>({}, {0, 3, 4}), bdims), {}, {0, 2, 4});
}

// ---- large products against a naive loop ---------------------------------------------------

uint64_t lcg(uint64_t& state) {
  state = state * 6364136223846793005ull + 1442695040888963407ull;
  return state >> 33;
}

// out[b, m, n] = sum_k A(b, m, k) * B(b, k, n), accumulated in double (floats) or in uint64
// (integers: wrapping mod 2^64 then truncating is the same as wrapping mod 2^bits).
template <class T, class FA, class FB>
std::vector<T> naive(int64_t nb, int64_t M, int64_t N, int64_t K, FA A, FB B) {
  std::vector<T> out(static_cast<size_t>(nb * M * N));
  for (int64_t b = 0; b < nb; ++b) {
    for (int64_t m = 0; m < M; ++m) {
      for (int64_t n = 0; n < N; ++n) {
        if constexpr (std::is_floating_point_v<T>) {
          double acc = 0;
          for (int64_t k = 0; k < K; ++k) acc += double(A(b, m, k)) * double(B(b, k, n));
          out[size_t((b * M + m) * N + n)] = static_cast<T>(acc);
        } else {
          uint64_t acc = 0;
          for (int64_t k = 0; k < K; ++k) {
            acc += static_cast<uint64_t>(A(b, m, k)) * static_cast<uint64_t>(B(b, k, n));
          }
          out[size_t((b * M + m) * N + n)] = static_cast<T>(acc);
        }
      }
    }
  }
  return out;
}

template <class T>
std::vector<T> random_values(size_t n, uint64_t seed) {
  std::vector<T> v(n);
  for (auto& x : v) {
    const uint64_t r = lcg(seed);
    if constexpr (std::is_floating_point_v<T>) {
      x = static_cast<T>(double(int64_t(r % 2001) - 1000) / 1000.0);  // in [-1, 1]
    } else {
      x = static_cast<T>(r * 0x9E3779B97F4A7C15ull);  // any bits: arithmetic wraps
    }
  }
  return v;
}

// Exact for integers; |got - want| <= 1e-4 * (1 + |want|) plus K-scaled rounding for floats.
template <class T>
void expect_close(const Array& got, const std::vector<T>& want, const Shape& shape, int64_t K) {
  ASSERT_EQ(got.shape(), shape);
  ASSERT_EQ(got.dtype(), jx::dtype_of<T>());
  const std::vector<T> g = got.to_vector<T>();
  ASSERT_EQ(g.size(), want.size());
  const double tol = std::is_same_v<T, float> ? 1e-6 * double(K) : 1e-12 * double(K);
  for (size_t i = 0; i < g.size(); ++i) {
    bool ok;
    if constexpr (std::is_floating_point_v<T>) {
      ok = std::abs(double(g[i]) - double(want[i])) <= tol * (1.0 + std::abs(double(want[i])));
    } else {
      ok = g[i] == want[i];
    }
    if (!ok) {
      ADD_FAILURE() << "first mismatch at flat index " << i << ": got " << +g[i] << ", expected "
                    << +want[i];
      return;
    }
  }
}

// nb batches of [M, K] x [K, N], lhs as [nb, M, K], rhs as [nb, K, N] (or, with rhs_nbk,
// as [N, nb, K]: batch dim in the middle and the contracting dim last).
template <class T>
void check_batched(int64_t nb, int64_t M, int64_t K, int64_t N, bool rhs_nbk, uint64_t seed) {
  SCOPED_TRACE(std::string(jx::dtype_name(jx::dtype_of<T>())) + " " + std::to_string(nb) + " x " +
               std::to_string(M) + "x" + std::to_string(K) + "x" + std::to_string(N) +
               (rhs_nbk ? " rhs [N, B, K]" : ""));
  const std::vector<T> a = random_values<T>(size_t(nb * M * K), seed);
  const std::vector<T> b = random_values<T>(size_t(nb * K * N), seed + 1);
  auto A = [&](int64_t i, int64_t m, int64_t k) { return a[size_t((i * M + m) * K + k)]; };
  Array got;
  std::vector<T> want;
  if (rhs_nbk) {
    auto B = [&](int64_t i, int64_t k, int64_t n) { return b[size_t((n * nb + i) * K + k)]; };
    want = naive<T>(nb, M, N, K, A, B);
    got = lax::dot_general(arr<T>(a, {nb, M, K}), arr<T>(b, {N, nb, K}),
                           Dims{{{2}, {2}}, {{0}, {1}}});
  } else {
    auto B = [&](int64_t i, int64_t k, int64_t n) { return b[size_t((i * K + k) * N + n)]; };
    want = naive<T>(nb, M, N, K, A, B);
    got = lax::dot_general(arr<T>(a, {nb, M, K}), arr<T>(b, {nb, K, N}),
                           Dims{{{2}, {1}}, {{0}, {0}}});
  }
  expect_close<T>(got, want, {nb, M, N}, K);
}

TEST(DotGeneralLarge, SixtyFourBatchesOf64Cubed) {
  check_batched<float>(64, 64, 64, 64, false, 1);
  check_batched<float>(64, 64, 64, 64, true, 2);
  check_batched<double>(64, 64, 64, 64, false, 3);
  check_batched<int32_t>(64, 64, 64, 64, false, 4);
  check_batched<uint8_t>(64, 64, 64, 64, true, 5);
}

TEST(DotGeneralLarge, EightBatchesOf300x200x100) {
  check_batched<float>(8, 300, 200, 100, false, 6);
  check_batched<float>(8, 300, 200, 100, true, 7);
  check_batched<double>(8, 300, 200, 100, true, 8);
  check_batched<int64_t>(8, 300, 200, 100, true, 9);
  check_batched<uint32_t>(8, 300, 200, 100, false, 10);
}

TEST(DotGeneralLarge, Single512x384x256InEveryLayout) {
  const int64_t M = 512, K = 384, N = 256;
  const std::vector<float> a = random_values<float>(size_t(M * K), 11);
  const std::vector<float> b = random_values<float>(size_t(K * N), 12);
  const std::vector<float> want = naive<float>(
      1, M, N, K, [&](int64_t, int64_t m, int64_t k) { return a[size_t(m * K + k)]; },
      [&](int64_t, int64_t k, int64_t n) { return b[size_t(k * N + n)]; });
  const Array A = arr<float>(a, {M, K}), B = arr<float>(b, {K, N});
  const Array At = arr<float>(transposed(a, M, K), {K, M});
  const Array Bt = arr<float>(transposed(b, K, N), {N, K});
  expect_close<float>(lax::dot(A, B), want, {M, N}, K);
  expect_close<float>(lax::dot_general(At, B, Dims{{{0}, {0}}, {{}, {}}}), want, {M, N}, K);
  expect_close<float>(lax::dot_general(A, Bt, Dims{{{1}, {1}}, {{}, {}}}), want, {M, N}, K);
  expect_close<float>(lax::dot_general(At, Bt, Dims{{{0}, {1}}, {{}, {}}}), want, {M, N}, K);
  // float64 and int32 of the same shape.
  const std::vector<double> ad(a.begin(), a.end()), bd(b.begin(), b.end());
  std::vector<double> wantd = naive<double>(
      1, M, N, K, [&](int64_t, int64_t m, int64_t k) { return ad[size_t(m * K + k)]; },
      [&](int64_t, int64_t k, int64_t n) { return bd[size_t(k * N + n)]; });
  expect_close<double>(lax::dot(arr<double>(ad, {M, K}), arr<double>(bd, {K, N})), wantd, {M, N},
                       K);
  const std::vector<int32_t> ai = random_values<int32_t>(size_t(M * K), 13);
  const std::vector<int32_t> bi = random_values<int32_t>(size_t(K * N), 14);
  const std::vector<int32_t> wanti = naive<int32_t>(
      1, M, N, K, [&](int64_t, int64_t m, int64_t k) { return ai[size_t(m * K + k)]; },
      [&](int64_t, int64_t k, int64_t n) { return bi[size_t(k * N + n)]; });
  expect_close<int32_t>(
      lax::dot_general(arr<int32_t>(transposed(ai, M, K), {K, M}),
                       arr<int32_t>(transposed(bi, K, N), {N, K}), Dims{{{0}, {1}}, {{}, {}}}),
      wanti, {M, N}, K);
}

TEST(DotGeneralLarge, PackedOperandWithTwoContractingDims) {
  // lhs (10, 300, 20) contracting (0, 2): K = 200 split around the free dim, so lhs is packed.
  const int64_t K1 = 10, M = 300, K2 = 20, N = 100, K = K1 * K2;
  const std::vector<float> a = random_values<float>(size_t(K1 * M * K2), 15);
  const std::vector<float> b = random_values<float>(size_t(K1 * K2 * N), 16);
  const std::vector<float> want = naive<float>(
      1, M, N, K,
      [&](int64_t, int64_t m, int64_t k) { return a[size_t(((k / K2) * M + m) * K2 + k % K2)]; },
      [&](int64_t, int64_t k, int64_t n) { return b[size_t(k * N + n)]; });
  expect_close<float>(lax::dot_general(arr<float>(a, {K1, M, K2}), arr<float>(b, {K1, K2, N}),
                                       Dims{{{0, 2}, {0, 1}}, {{}, {}}}),
                      want, {M, N}, K);
}

// ---- errors -------------------------------------------------------------------------------------

TEST(DotGeneral, ShapeRuleErrors) {
  const Array a = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Array b3 = fill<float>({2, 3, 4}, [](int64_t i) { return i; });
  const std::string ab = " (lhs f32[2,3], rhs f32[2,3])";
  expect_error<jx::IndexError>(
      [&] {
        lax::dot_general(a, a, {{{2}, {1}}, {{}, {}}});
      },
      {"dot_general requires lhs dimension numbers to be nonnegative and less than the number of "
       "axes of the lhs value, got lhs_batch of () and lhs_contracting of (2,) for lhs of rank 2"});
  expect_error<jx::IndexError>(
      [&] {
        lax::dot_general(a, a, {{{1}, {-1}}, {{}, {}}});
      },
      {"dot_general requires rhs dimension numbers to be nonnegative and less than the number of "
       "axes of the rhs value, got rhs_batch of () and rhs_contracting of (-1,) for rhs of rank "
       "2"});
  expect_error<jx::IndexError>(
      [&] {
        lax::dot_general(a, a, {{{1}, {1}}, {{5}, {0}}});
      },
      {"lhs_batch of (5,) and lhs_contracting of (1,)"});
  expect_error<jx::ShapeError>(
      [&] {
        lax::dot_general(b3, b3, {{{2}, {2}}, {{0, 1}, {0}}});
      },
      {"dot_general requires equal numbers of lhs_batch and rhs_batch dimensions, got lhs_batch "
       "(0, 1) and rhs_batch (0,)."});
  expect_error<jx::ValueError>(
      [&] {
        lax::dot_general(b3, b3, {{{2}, {2}}, {{0, 0}, {0, 1}}});
      },
      {"dot_general requires lhs batch dimensions to be distinct, got lhs_batch (0, 0)."});
  expect_error<jx::ValueError>(
      [&] {
        lax::dot_general(b3, b3, {{{2}, {2}}, {{0, 1}, {1, 1}}});
      },
      {"dot_general requires rhs batch dimensions to be distinct, got rhs_batch (1, 1)."});
  expect_error<jx::ValueError>(
      [&] {
        lax::dot_general(b3, b3, {{{2, 2}, {1, 2}}, {{}, {}}});
      },
      {"dot_general requires lhs contracting dimensions to be distinct, got lhs_contracting "
       "(2, 2)."});
  expect_error<jx::ValueError>(
      [&] {
        lax::dot_general(b3, b3, {{{1, 2}, {0, 0}}, {{}, {}}});
      },
      {"dot_general requires rhs contracting dimensions to be distinct, got rhs_contracting "
       "(0, 0)."});
  expect_error<jx::ValueError>(
      [&] {
        lax::dot_general(b3, b3, {{{0, 2}, {0, 2}}, {{0}, {1}}});
      },
      {"dot_general requires lhs batch dimensions to be disjoint from contracting dimensions, "
       "got lhs_batch (0,) and lhs_contracting (0, 2)."});
  expect_error<jx::ValueError>(
      [&] {
        lax::dot_general(b3, b3, {{{2}, {2}}, {{0}, {2}}});
      },
      {"dot_general requires rhs batch dimensions to be disjoint from contracting dimensions, "
       "got rhs_batch (2,) and rhs_contracting (2,)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::dot_general(b3, b3, {{{2}, {2}}, {{0}, {1}}});
      },
      {"dot_general requires lhs batch dimensions and rhs batch dimensions to have the same "
       "shape, got (2,) and (3,).",
       "(lhs f32[2,3,4], rhs f32[2,3,4])"});
  expect_error<jx::ShapeError>(
      [&] {
        lax::dot_general(a, a, {{{1}, {0}}, {{}, {}}});
      },
      {"dot_general requires contracting dimensions to have the same shape, got (3,) and (2,).",
       ab});
  // Unequal numbers of contracting dims surface as a contracting-shape mismatch, as in JAX.
  expect_error<jx::ShapeError>(
      [&] {
        lax::dot_general(b3, b3, {{{2}, {2, 1}}, {{}, {}}});
      },
      {"dot_general requires contracting dimensions to have the same shape, got (4,) and (4, 3)."});
  expect_error<jx::DTypeError>(
      [&] {
        lax::dot_general(a, arr<int32_t>({1, 2, 3}), {{{1}, {0}}, {{}, {}}});
      },
      {"lax.dot_general requires arguments to have the same dtypes, got float32, int32. (Tip: "
       "jnp.dot and jnp.matmul promote their inputs.)"});
}

TEST(DotGeneral, PreferredElementTypeErrors) {
  const Dims vv{{{0}, {0}}, {{}, {}}};
  const std::string incompatible =
      "dot_general: Input type is incompatible with `preferred_element_type`. The compatible "
      "combinations of (input_type, preferred_element_type) are (integral, integral), (integral, "
      "floating), (floating, floating); got ";
  const Array f = arr<float>({1, 2}), d = arr<double>({1, 2}), i = arr<int32_t>({1, 2});
  const Array l = arr<int64_t>({1, 2});
  expect_error<jx::DTypeError>([&] { lax::dot_general(f, f, vv, jx::int32); },
                               {incompatible + "(float32, int32)"});
  expect_error<jx::DTypeError>([&] { lax::dot_general(d, d, vv, jx::int64); },
                               {incompatible + "(float64, int64)"});
  expect_error<jx::DTypeError>([&] { lax::dot_general(i, i, vv, jx::bool_); },
                               {incompatible + "(int32, bool)"});
  expect_error<jx::DTypeError>(
      [&] { lax::dot_general(i, i, vv, jx::uint32); },
      {"dot_general: `preferred_element_type` must have the same signedness as the original "
       "type; got int32 and uint32"});
  expect_error<jx::DTypeError>(
      [&] { lax::dot_general(l, l, vv, jx::int32); },
      {"dot_general: `preferred_element_type` must not be narrower than the original type; got "
       "int64 and int32"});
  expect_error<jx::DTypeError>(
      [&] { lax::dot_general(d, d, vv, jx::float32); },
      {"dot_general: `preferred_element_type` must not be narrower than the original type; got "
       "float64 and float32"});
  expect_error<jx::DTypeError>([&] { lax::dot_general(l, l, vv, jx::float32); },
                               {"narrower", "int64 and float32"});
}

TEST(DotGeneral, DotErrors) {
  const Array a = arr<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_error<jx::ShapeError>([&] { lax::dot(a, a); },
                               {"Incompatible shapes for dot: got (2, 3) and (2, 3)."});
  expect_error<jx::ShapeError>(
      [&] {
        lax::dot(fill<float>({2, 3, 1}, [](int64_t) { return 0; }), a);
      },
      {"Incompatible shapes for dot: got (2, 3, 1) and (2, 3)."});
  expect_error<jx::ShapeError>([&] { lax::dot(arr<float>({1}, {}), a); },
                               {"Incompatible shapes for dot: got () and (2, 3)."});
}

}  // namespace

namespace jx {
namespace {

// A product without contraction is one multiply per element, as XLA computes it (a multiply of
// broadcasts): -0 stays -0 (a GEMM accumulating from 0 would give +0), batched and transposed.
TEST(DotGeneral, NoContractionIsAnExactProduct) {
  Array a = Array::from_vector(std::vector<float>{1.0f, -2.0f, 0.0f}).reshape({1, 3});
  Array b = Array::from_vector(std::vector<float>{-0.0f, 3.0f}).reshape({1, 2});
  Array outer = lax::dot_general(a, b, lax::DotDimensionNumbers{{{}, {}}, {{0}, {0}}});
  ASSERT_EQ(outer.shape(), Shape({1, 3, 2}));
  const std::vector<float> got = outer.to_vector<float>();
  const std::vector<float> want{-0.0f, 3.0f, 0.0f, -6.0f, -0.0f, 0.0f};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i], want[i]) << i;
    EXPECT_EQ(std::signbit(got[i]), std::signbit(want[i])) << i;
  }
  // Contracting dimensions of size 1 are no accumulation either; the rhs read transposed.
  Array at = a.reshape({3, 1}), bt = b.reshape({2, 1});
  Array p = lax::dot_general(at, bt, lax::DotDimensionNumbers{{{1}, {1}}, {{}, {}}});
  ASSERT_EQ(p.shape(), Shape({3, 2}));
  const std::vector<float> pv = p.to_vector<float>();
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(std::signbit(pv[i]), std::signbit(want[i]));
}

}  // namespace
}  // namespace jx
