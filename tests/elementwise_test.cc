// Tests of select_n, clamp, convert_element_type and bitcast_convert_type
// (src/primitives/elementwise.cc). Expected values are hand-derived or from numpy
// (/usr/bin/python3), as noted.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/array_impl.h"
#include "jx/lax.h"
#include "test_util.h"

namespace {

using namespace jx;
using jx::testing::arr;
using jx::testing::expect_array_eq;
using jx::testing::expect_error;

constexpr float kInfF = std::numeric_limits<float>::infinity();
constexpr float kNanF = std::numeric_limits<float>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr int32_t kI32Min = std::numeric_limits<int32_t>::min();
constexpr int32_t kI32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

// ---- select_n ------------------------------------------------------------------------------

template <class T>
void check_select_bool_which() {
  Array which = arr<bool>({true, false, true, false}, {2, 2});
  Array a = arr<T>({T(0), T(1), T(0), T(1)}, {2, 2});
  Array b = arr<T>({T(1), T(0), T(1), T(0)}, {2, 2});
  // which false picks case 0 (a), true picks case 1 (b).
  expect_array_eq<T>(lax::select_n(which, {a, b}), {T(1), T(1), T(1), T(1)}, Shape{2, 2});
  expect_array_eq<T>(lax::select_n(which, {b, a}), {T(0), T(0), T(0), T(0)}, Shape{2, 2});
}

TEST(SelectN, BoolWhichEveryCaseDType) {
  check_select_bool_which<bool>();
  check_select_bool_which<uint8_t>();
  check_select_bool_which<uint32_t>();
  check_select_bool_which<int32_t>();
  check_select_bool_which<int64_t>();
  check_select_bool_which<float>();
  check_select_bool_which<double>();
}

TEST(SelectN, IntegerWhichManyCases) {
  Array c0 = arr<float>({10, 11, 12, 13, 14});
  Array c1 = arr<float>({20, 21, 22, 23, 24});
  Array c2 = arr<float>({30, 31, 32, 33, 34});
  expect_array_eq<float>(lax::select_n(arr<int32_t>({2, 0, 1, 2, 0}), {c0, c1, c2}),
                         {30, 11, 22, 33, 14}, Shape{5});
  // Other integer dtypes for `which` are accepted too, as in JAX.
  expect_array_eq<float>(lax::select_n(arr<uint8_t>({1, 1, 0, 2, 2}), {c0, c1, c2}),
                         {20, 21, 12, 33, 34}, Shape{5});
  expect_array_eq<float>(lax::select_n(arr<int64_t>({0, 1, 2, 1, 0}), {c0, c1, c2}),
                         {10, 21, 32, 23, 14}, Shape{5});
  // Out-of-range values pick the nearest case (XLA's lowering compares `which < k`).
  expect_array_eq<float>(lax::select_n(arr<int32_t>({-1, 3, 99, kI32Min, 1}), {c0, c1, c2}),
                         {10, 31, 32, 13, 24}, Shape{5});
  expect_array_eq<float>(lax::select_n(arr<uint32_t>({4000000000u, 0, 0, 0, 0}), {c0, c1, c2}),
                         {30, 11, 12, 13, 14}, Shape{5});
  // A single case is returned as is.
  expect_array_eq<float>(lax::select_n(arr<int32_t>({0, 0, 0, 0, 0}), {c1}), {20, 21, 22, 23, 24},
                         Shape{5});
  expect_array_eq<float>(lax::select_n(arr<bool>({true}, {}), {c1}), {20, 21, 22, 23, 24},
                         Shape{5});
  expect_array_eq<float>(lax::select_n(arr<bool>({true, false, true, true, false}), {c1}),
                         {20, 21, 22, 23, 24}, Shape{5});
}

TEST(SelectN, ScalarWhichAndRankZero) {
  Array a = arr<int32_t>({1, 2, 3}, {3});
  Array b = arr<int32_t>({4, 5, 6}, {3});
  expect_array_eq<int32_t>(lax::select_n(arr<bool>({true}, {}), {a, b}), {4, 5, 6}, Shape{3});
  expect_array_eq<int32_t>(lax::select_n(arr<int32_t>({0}, {}), {a, b}), {1, 2, 3}, Shape{3});
  Array s = lax::select_n(arr<bool>({false}, {}), {arr<double>({1.5}, {}), arr<double>({2.5}, {})});
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.item<double>(), 1.5);
}

TEST(SelectN, EmptyWeakAndLarge) {
  Array e = lax::select_n(arr<bool>({}, {0, 2}), {arr<float>({}, {0, 2}), arr<float>({}, {0, 2})});
  EXPECT_EQ(e.shape(), (Shape{0, 2}));
  EXPECT_EQ(e.dtype(), DType::float32);
  // Weak only if every case is weak (`which` does not count).
  EXPECT_TRUE(lax::select_n(Array(true), {Array(1.0), Array(2.0)}).weak_type());
  EXPECT_FALSE(lax::select_n(Array(true), {Array(1.0), arr<float>({2.0f}, {})}).weak_type());
  // > 1M elements: the parallel path.
  const int64_t n = (int64_t{1} << 21) + 5;
  std::vector<bool> w(n);
  std::vector<int32_t> x(n), y(n);
  for (int64_t i = 0; i < n; ++i) {
    w[i] = i % 3 == 0;
    x[i] = static_cast<int32_t>(i);
    y[i] = static_cast<int32_t>(-i);
  }
  std::vector<int32_t> r =
      lax::select_n(arr<bool>(w), {arr<int32_t>(x), arr<int32_t>(y)}).to_vector<int32_t>();
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) bad += r[i] != (i % 3 == 0 ? -i : i);
  EXPECT_EQ(bad, 0);
  std::vector<int32_t> wi(n);
  for (int64_t i = 0; i < n; ++i) wi[i] = static_cast<int32_t>(i % 3);
  Array z = lax::select_n(arr<int32_t>(wi), {arr<int32_t>(x), arr<int32_t>(y), arr<int32_t>(x)});
  std::vector<int32_t> rz = z.to_vector<int32_t>();
  bad = 0;
  for (int64_t i = 0; i < n; ++i) bad += rz[i] != (i % 3 == 1 ? -i : i);
  EXPECT_EQ(bad, 0);
}

TEST(SelectN, Errors) {
  Array a = arr<float>({1, 2, 3});
  Array b = arr<float>({4, 5, 6});
  expect_error<ValueError>(
      [&] {
        lax::select_n(arr<bool>({true, false, true}), {});
      },
      {"select must have at least one case"});
  expect_error<ShapeError>(
      [&] {
        lax::select_n(arr<bool>({true, false, true}), {a, arr<float>({1, 2})});
      },
      {"select cases must have the same shapes, got [(3,), (2,)]."});
  expect_error<ShapeError>(
      [&] {
        lax::select_n(arr<bool>({true, false}), {a, b});
      },
      {"select `which` must be scalar or have the same shape as cases, got "
       "`which` shape (2,) but case shape (3,)."});
  expect_error<DTypeError>(
      [&] {
        lax::select_n(arr<float>({1, 0, 1}), {a, b});
      },
      {"select `which` must be boolean or integer type, got float32."});
  expect_error<DTypeError>(
      [&] {
        lax::select_n(arr<bool>({true, false, true}), {a, b, a});
      },
      {"select with boolean `which` cannot have > 2 cases"});
  expect_error<DTypeError>(
      [&] {
        lax::select_n(arr<bool>({true, false, true}), {a, arr<double>({1, 2, 3})});
      },
      {"select_n requires arguments to have the same dtypes, got float32, float64."});
}

// ---- clamp ---------------------------------------------------------------------------------

TEST(Clamp, ScalarAndArrayBounds) {
  // Hand-derived: clamp(lo, x, hi) = min(max(x, lo), hi).
  Array x = arr<float>({-5, -1, 0, 0.5f, 3, 10});
  expect_array_eq<float>(lax::clamp(arr<float>({-1}, {}), x, arr<float>({2}, {})),
                         {-1, -1, 0, 0.5f, 2, 2}, Shape{6});
  expect_array_eq<float>(
      lax::clamp(arr<float>({0, 0, 0, 1, 1, 1}), x, arr<float>({1, 1, 1, 2, 2, 20})),
      {0, 0, 0, 1, 2, 10}, Shape{6});
  expect_array_eq<float>(lax::clamp(arr<float>({0}, {}), x, arr<float>({4, 4, 4, 4, 4, 4})),
                         {0, 0, 0, 0.5f, 3, 4}, Shape{6});
  expect_array_eq<float>(lax::clamp(arr<float>({1, 1, 1, 1, 1, 1}), x, arr<float>({4}, {})),
                         {1, 1, 1, 1, 3, 4}, Shape{6});
  // lo > hi: the result is hi.
  expect_array_eq<float>(lax::clamp(arr<float>({5}, {}), x, arr<float>({1}, {})),
                         {1, 1, 1, 1, 1, 1}, Shape{6});
}

TEST(Clamp, EveryDTypeAndNaN) {
  expect_array_eq<double>(lax::clamp(arr<double>({0.0}, {}), arr<double>({kNan, -kInf, kInf, 0.5}),
                                     arr<double>({1.0}, {})),
                          {kNan, 0.0, 1.0, 0.5}, Shape{4});
  // NaN bounds propagate as well (NaN-propagating max/min).
  expect_array_eq<float>(
      lax::clamp(arr<float>({kNanF}, {}), arr<float>({0.5f}), arr<float>({1}, {})), {kNanF},
      Shape{1});
  expect_array_eq<int32_t>(
      lax::clamp(arr<int32_t>({-3}, {}), arr<int32_t>({kI32Min, -4, 0, 9, kI32Max}),
                 arr<int32_t>({7}, {})),
      {-3, -3, 0, 7, 7}, Shape{5});
  expect_array_eq<int64_t>(lax::clamp(arr<int64_t>({0}, {}), arr<int64_t>({kI64Min, 5, kI64Max}),
                                      arr<int64_t>({int64_t{1} << 40}, {})),
                           {0, 5, int64_t{1} << 40}, Shape{3});
  expect_array_eq<uint8_t>(
      lax::clamp(arr<uint8_t>({10}, {}), arr<uint8_t>({0, 50, 255}), arr<uint8_t>({200}, {})),
      {10, 50, 200}, Shape{3});
  expect_array_eq<uint32_t>(lax::clamp(arr<uint32_t>({1}, {}), arr<uint32_t>({0, 4000000000u}),
                                       arr<uint32_t>({3000000000u}, {})),
                            {1, 3000000000u}, Shape{2});
  expect_array_eq<bool>(
      lax::clamp(arr<bool>({true}, {}), arr<bool>({false, true}), arr<bool>({true}, {})),
      {true, true}, Shape{2});
}

TEST(Clamp, EmptyScalarWeakLarge) {
  EXPECT_EQ(lax::clamp(arr<float>({0}, {}), arr<float>({}, {3, 0}), arr<float>({1}, {})).shape(),
            (Shape{3, 0}));
  Array s = lax::clamp(Array(0.0), Array(7.5), Array(2.0));
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_TRUE(s.weak_type());
  EXPECT_EQ(s.item<float>(), 2.0f);
  EXPECT_FALSE(lax::clamp(Array(0.0), arr<float>({7.5f}, {}), Array(2.0)).weak_type());
  const int64_t n = (int64_t{1} << 21) + 1;
  std::vector<double> x(n);
  for (int64_t i = 0; i < n; ++i) x[i] = static_cast<double>(i % 100) - 50;
  std::vector<double> r =
      lax::clamp(arr<double>({-10}, {}), arr<double>(x), arr<double>({10}, {})).to_vector<double>();
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    double e = x[i] < -10 ? -10 : (x[i] > 10 ? 10 : x[i]);
    bad += r[i] != e;
  }
  EXPECT_EQ(bad, 0);
}

TEST(Clamp, Errors) {
  Array x = arr<float>({1, 2, 3});
  expect_error<ShapeError>(
      [&] {
        lax::clamp(arr<float>({0, 0}), x, arr<float>({1}, {}));
      },
      {"clamp requires min.shape == operand.shape or min.shape == (), got (2,)"});
  expect_error<ShapeError>(
      [&] {
        lax::clamp(arr<float>({0}, {}), x, arr<float>({1, 1}, {1, 2}));
      },
      {"clamp requires max.shape == operand.shape or max.shape == (), got (1, 2)"});
  expect_error<DTypeError>([&] { lax::clamp(arr<int32_t>({0}, {}), x, arr<float>({1}, {})); },
                           {"clamp requires arguments to have the same dtypes, got int32, float32, "
                            "float32."});
}

// ---- convert_element_type ------------------------------------------------------------------

TEST(ConvertElementType, FloatToIntSaturatesAndNaNIsZero) {
  // Hand-derived from XLA CPU's saturating conversion: truncation toward zero, out-of-range and
  // infinite values clamp to the integer range, NaN gives 0. 2147483520 is the largest float32
  // below 2^31; 4294967040 the largest below 2^32.
  expect_array_eq<int32_t>(
      lax::convert_element_type(arr<float>({kNanF, kInfF, -kInfF, 3e9f, -3e9f, 2.9f, -2.9f, -0.0f,
                                            2147483520.0f, 2147483648.0f, -2147483648.0f}),
                                DType::int32),
      {0, kI32Max, kI32Min, kI32Max, kI32Min, 2, -2, 0, 2147483520, kI32Max, kI32Min}, Shape{11});
  expect_array_eq<uint8_t>(
      lax::convert_element_type(
          arr<double>({kNan, -1.5, -0.5, 0.9, 255.9, 256.0, 1e10, kInf, -kInf}), DType::uint8),
      {0, 0, 0, 0, 255, 255, 255, 255, 0}, Shape{9});
  expect_array_eq<uint32_t>(
      lax::convert_element_type(arr<float>({4294967040.0f, 4294967296.0f, -1.0f, kNanF, 7.7f}),
                                DType::uint32),
      {4294967040u, 4294967295u, 0, 0, 7}, Shape{5});
  expect_array_eq<int64_t>(
      lax::convert_element_type(arr<double>({9.3e18, -9.3e18, 4611686018427387904.0, kNan, -kInf}),
                                DType::int64),
      {kI64Max, kI64Min, int64_t{1} << 62, 0, kI64Min}, Shape{5});
  expect_array_eq<int32_t>(
      lax::convert_element_type(arr<double>({2147483647.9, -2147483648.9, 1e300}), DType::int32),
      {kI32Max, kI32Min, kI32Max}, Shape{3});
}

TEST(ConvertElementType, IntegersWrapAndFloatsRound) {
  // numpy: astype with C semantics (modular for integers, round-to-nearest-even for floats).
  expect_array_eq<uint8_t>(lax::convert_element_type(arr<int32_t>({-1, 256, 300}), DType::uint8),
                           {255, 0, 44}, Shape{3});
  expect_array_eq<int32_t>(
      lax::convert_element_type(arr<int64_t>({(int64_t{1} << 32) + 5, -1}), DType::int32), {5, -1},
      Shape{2});
  expect_array_eq<int32_t>(lax::convert_element_type(arr<uint32_t>({4000000000u}), DType::int32),
                           {-294967296}, Shape{1});
  expect_array_eq<int64_t>(lax::convert_element_type(arr<uint32_t>({4000000000u}), DType::int64),
                           {4000000000}, Shape{1});
  expect_array_eq<double>(
      lax::convert_element_type(arr<int64_t>({(int64_t{1} << 53) + 1}), DType::float64),
      {9007199254740992.0}, Shape{1});
  expect_array_eq<float>(lax::convert_element_type(arr<int32_t>({16777217}), DType::float32),
                         {16777216.0f}, Shape{1});
  expect_array_eq<float>(
      lax::convert_element_type(arr<double>({1e300, -1e300, 0.1, kNan}), DType::float32),
      {kInfF, -kInfF, 0.1f, kNanF}, Shape{4});
  expect_array_eq<double>(lax::convert_element_type(arr<float>({0.1f, -0.0f}), DType::float64),
                          {static_cast<double>(0.1f), -0.0}, Shape{2});
  expect_array_eq<uint32_t>(lax::convert_element_type(arr<uint8_t>({0, 255}), DType::uint32),
                            {0, 255}, Shape{2});
}

TEST(ConvertElementType, Bool) {
  // To bool: x != 0 (NaN is nonzero).
  expect_array_eq<bool>(
      lax::convert_element_type(arr<float>({0.0f, -0.0f, kNanF, 0.5f, -kInfF}), DType::bool_),
      {false, false, true, true, true}, Shape{5});
  expect_array_eq<bool>(lax::convert_element_type(arr<int32_t>({0, -3, 256}), DType::bool_),
                        {false, true, true}, Shape{3});
  expect_array_eq<bool>(lax::convert_element_type(arr<uint8_t>({0, 2}), DType::bool_),
                        {false, true}, Shape{2});
  // From bool: 0 or 1.
  expect_array_eq<float>(lax::convert_element_type(arr<bool>({true, false}), DType::float32),
                         {1.0f, 0.0f}, Shape{2});
  expect_array_eq<int64_t>(lax::convert_element_type(arr<bool>({true, false}), DType::int64),
                           {1, 0}, Shape{2});
  expect_array_eq<uint8_t>(lax::convert_element_type(arr<bool>({true, false}), DType::uint8),
                           {1, 0}, Shape{2});
}

TEST(ConvertElementType, WeakTypeAndLiterals) {
  Array w = lax::convert_element_type(arr<int32_t>({3}, {}), DType::float32, true);
  EXPECT_TRUE(w.weak_type());
  EXPECT_EQ(w.item<float>(), 3.0f);
  // Same dtype: only weak_type changes.
  Array x = arr<float>({1.5f, 2.5f});
  Array xw = lax::convert_element_type(x, DType::float32, true);
  EXPECT_TRUE(xw.weak_type());
  expect_array_eq<float>(lax::convert_element_type(xw, DType::float32), {1.5f, 2.5f}, Shape{2});
  EXPECT_FALSE(lax::convert_element_type(xw, DType::float32).weak_type());
  // A C++ scalar is weak float32 but converts from its exact value: 0.1 becomes the float64
  // nearest 0.1, not the float32 0.1 widened.
  Array d = lax::convert_element_type(Array(0.1), DType::float64);
  EXPECT_EQ(d.item<double>(), 0.1);
  EXPECT_FALSE(d.weak_type());
  EXPECT_EQ(lax::convert_element_type(Array(1e40), DType::float64).item<double>(), 1e40);
  EXPECT_EQ(lax::convert_element_type(Array(-3.7), DType::int32).item<int32_t>(), -3);
  // Kept through a weak-to-weak no-op conversion.
  Array keep = lax::convert_element_type(Array(0.1), DType::float32, true);
  EXPECT_EQ(lax::convert_element_type(keep, DType::float64).item<double>(), 0.1);
}

TEST(ConvertElementType, EmptyScalarLarge) {
  Array e = lax::convert_element_type(arr<double>({}, {0, 4}), DType::int32);
  EXPECT_EQ(e.shape(), (Shape{0, 4}));
  EXPECT_EQ(e.dtype(), DType::int32);
  Array s = lax::convert_element_type(arr<double>({-7.9}, {}), DType::int64);
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.item<int64_t>(), -7);
  const int64_t n = (int64_t{1} << 21) + 7;
  std::vector<double> x(n);
  for (int64_t i = 0; i < n; ++i) x[i] = static_cast<double>(i) + 0.75;
  std::vector<int32_t> r =
      lax::convert_element_type(arr<double>(x), DType::int32).to_vector<int32_t>();
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) bad += r[i] != i;
  EXPECT_EQ(bad, 0);
}

// ---- bitcast_convert_type ------------------------------------------------------------------

TEST(BitcastConvertType, SameSize) {
  // numpy: np.array([1.0, -2.0], np.float32).view(np.int32) etc.
  Array f = arr<float>({1.0f, -2.0f});
  expect_array_eq<int32_t>(lax::bitcast_convert_type(f, DType::int32), {1065353216, -1073741824},
                           Shape{2});
  expect_array_eq<uint32_t>(lax::bitcast_convert_type(f, DType::uint32), {0x3f800000u, 0xc0000000u},
                            Shape{2});
  expect_array_eq<float>(
      lax::bitcast_convert_type(arr<int32_t>({1065353216, -1073741824}, {1, 2}), DType::float32),
      {1.0f, -2.0f}, Shape{1, 2});
  expect_array_eq<int64_t>(lax::bitcast_convert_type(arr<double>({1.0}, {}), DType::int64),
                           {4607182418800017408}, Shape{});
  expect_array_eq<bool>(lax::bitcast_convert_type(arr<bool>({true, false}), DType::bool_),
                        {true, false}, Shape{2});
}

TEST(BitcastConvertType, ChangingItemsize) {
  // Wider to narrower appends a trailing dimension (little-endian bytes, from numpy's view).
  expect_array_eq<uint8_t>(lax::bitcast_convert_type(arr<float>({1.0f, -2.0f}), DType::uint8),
                           {0, 0, 128, 63, 0, 0, 0, 192}, Shape{2, 4});
  expect_array_eq<uint8_t>(lax::bitcast_convert_type(arr<double>({1.5, -7.25}), DType::uint8),
                           {0, 0, 0, 0, 0, 0, 248, 63, 0, 0, 0, 0, 0, 0, 29, 192}, Shape{2, 8});
  expect_array_eq<uint32_t>(lax::bitcast_convert_type(arr<double>({1.0}, {}), DType::uint32),
                            {0, 1072693248}, Shape{2});
  // Narrower to wider removes a trailing dimension equal to the ratio.
  expect_array_eq<float>(lax::bitcast_convert_type(
                             arr<uint8_t>({0, 0, 128, 63, 0, 0, 0, 192}, {2, 4}), DType::float32),
                         {1.0f, -2.0f}, Shape{2});
  expect_array_eq<int32_t>(lax::bitcast_convert_type(arr<uint8_t>({1, 0, 0, 0}), DType::int32), {1},
                           Shape{});
  expect_array_eq<double>(
      lax::bitcast_convert_type(arr<int32_t>({0, 1072693248}, {1, 2}), DType::float64), {1.0},
      Shape{1});
  // An operand starting at a byte offset that is misaligned for float32 (a view one byte into
  // its buffer) still reads the right bytes.
  Array base = arr<uint8_t>({7, 0, 0, 128, 63, 0, 0, 0, 192});
  Array shifted = make_view(ShapedArray{Shape{2, 4}, DType::uint8, false}, base.impl()->buffer,
                            base.impl()->offset + 1);
  expect_array_eq<float>(lax::bitcast_convert_type(shifted, DType::float32), {1.0f, -2.0f},
                         Shape{2});
  // Empty arrays keep their zero dimension.
  EXPECT_EQ(lax::bitcast_convert_type(arr<double>({}, {0, 3}), DType::uint8).shape(),
            (Shape{0, 3, 8}));
  // The result is strongly typed.
  EXPECT_FALSE(lax::bitcast_convert_type(Array(1.0), DType::int32).weak_type());
}

TEST(BitcastConvertType, Errors) {
  expect_error<ShapeError>(
      [] {
        lax::bitcast_convert_type(arr<int32_t>({1, 2, 3}), DType::float64);
      },
      {"Attempting to convert array of shape (3,) from int32 of size 4 to float64 of size 8, "
       "but 3 * 4 != 8"});
  expect_error<ShapeError>([] { lax::bitcast_convert_type(arr<uint8_t>({1}, {}), DType::float32); },
                           {"shape ()", "but 1 * 1 != 4"});
  expect_error<DTypeError>([] { lax::bitcast_convert_type(arr<bool>({true}), DType::uint8); },
                           {"`bitcast_convert_type` for operand type (bool) cannot have different "
                            "destination type (uint8)"});
  expect_error<DTypeError>([] { lax::bitcast_convert_type(arr<uint8_t>({1}), DType::bool_); },
                           {"operand type (uint8) cannot have different destination type (bool)"});
}

}  // namespace
