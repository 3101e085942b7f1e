// The C++ operators of jx::Array: jax.numpy semantics (broadcasting, JAX's promotion with C++
// scalars as weak types). Expected values are hand-derived.
#include <gtest/gtest.h>

#include "jx/numpy.h"
#include "test_util.h"

namespace jnp = jx::numpy;
using jx::Array;
using jx::DType;
using jx::Shape;
using jx::testing::arr;
using jx::testing::expect_array_eq;
using jx::testing::expect_error;

TEST(Operators, ArithmeticWithWeakScalars) {
  Array x = arr<float>({1, 2, 3}, {3});
  Array r = x * 2.0;  // a C++ double is weak: stays float32
  expect_array_eq<float>(r, {2, 4, 6}, {3});
  EXPECT_FALSE(r.weak_type());
  expect_array_eq<float>(x + 1, {2, 3, 4}, {3});
  expect_array_eq<float>(1 - x, {0, -1, -2}, {3});
  expect_array_eq<float>(x / 2, {0.5f, 1, 1.5f}, {3});
  expect_array_eq<float>(6.0f / x, {6, 3, 2}, {3});
  Array i = arr<int32_t>({7, -7, 4}, {3});
  expect_array_eq<int32_t>(i + 2, {9, -5, 6}, {3});
  expect_array_eq<int32_t>(i * 3, {21, -21, 12}, {3});
  expect_array_eq<float>(i / 2, {3.5f, -3.5f, 2}, {3});  // true division -> float32
  expect_array_eq<float>(i * 0.5, {3.5f, -3.5f, 2}, {3});
  expect_array_eq<int32_t>(i % 3, {1, 2, 1}, {3});  // sign of the divisor, as numpy
  expect_array_eq<int32_t>(i % -3, {-2, -1, -2}, {3});
  expect_array_eq<double>(arr<double>({1.5}, {1}) * 2.0f, {3.0}, {1});
  expect_array_eq<int64_t>(arr<int64_t>({1}, {1}) + 1, {2}, {1});
  expect_array_eq<uint8_t>(arr<uint8_t>({250}, {1}) + 10, {4}, {1});  // wraps in uint8
}

TEST(Operators, UnaryOperators) {
  Array x = arr<float>({1.5f, -2}, {2});
  expect_array_eq<float>(-x, {-1.5f, 2}, {2});
  expect_array_eq<float>(+x, {1.5f, -2}, {2});
  Array i = arr<int32_t>({0, 5, -1}, {3});
  expect_array_eq<int32_t>(~i, {-1, -6, 0}, {3});
  expect_array_eq<bool>(!i, {true, false, false}, {3});
  expect_array_eq<bool>(~arr<bool>({true, false}, {2}), {false, true}, {2});
  expect_array_eq<bool>(!arr<bool>({true, false}, {2}), {false, true}, {2});
}

TEST(Operators, Comparisons) {
  Array x = arr<int32_t>({1, 2, 3}, {3});
  expect_array_eq<bool>(x == 2, {false, true, false}, {3});
  expect_array_eq<bool>(x != 2, {true, false, true}, {3});
  expect_array_eq<bool>(x < 2, {true, false, false}, {3});
  expect_array_eq<bool>(x <= 2, {true, true, false}, {3});
  expect_array_eq<bool>(x > 2, {false, false, true}, {3});
  expect_array_eq<bool>(x >= 2, {false, true, true}, {3});
  expect_array_eq<bool>(x > 1.5, {false, true, true}, {3});
  expect_array_eq<bool>(2 < x, {false, false, true}, {3});
  expect_array_eq<bool>(x == arr<float>({1, 2.5f, 3}, {3}), {true, false, true}, {3});
}

TEST(Operators, BitwiseAndShifts) {
  Array a = arr<int32_t>({12, 5}, {2});
  Array b = arr<int32_t>({10, 3}, {2});
  expect_array_eq<int32_t>(a & b, {8, 1}, {2});
  expect_array_eq<int32_t>(a | b, {14, 7}, {2});
  expect_array_eq<int32_t>(a ^ b, {6, 6}, {2});
  expect_array_eq<int32_t>(a << 2, {48, 20}, {2});
  expect_array_eq<int32_t>(arr<int32_t>({-16, 16}, {2}) >> 2, {-4, 4}, {2});
  expect_array_eq<uint32_t>(arr<uint32_t>({0x80000000u}, {1}) >> 31, {1u}, {1});
  Array t = arr<bool>({true, false}, {2});
  expect_array_eq<bool>(t & true, {true, false}, {2});
  expect_array_eq<bool>(t | false, {true, false}, {2});
  expect_array_eq<bool>(t ^ true, {false, true}, {2});
  // Bool arithmetic follows numpy: + is or, * is and.
  expect_array_eq<bool>(t + t, {true, false}, {2});
  expect_array_eq<bool>(t * arr<bool>({false, false}, {2}), {false, false}, {2});
}

TEST(Operators, Broadcasting) {
  Array col = arr<float>({1, 2}, {2, 1});
  Array row = arr<float>({10, 20, 30}, {3});
  expect_array_eq<float>(col + row, {11, 21, 31, 12, 22, 32}, {2, 3});
  expect_array_eq<float>(row - col, {9, 19, 29, 8, 18, 28}, {2, 3});
  expect_array_eq<bool>(col < arr<float>({1.5f}, {1}), {true, false}, {2, 1});
  expect_error<jx::ShapeError>(
      [&] {
        return arr<float>({1, 2}, {2}) * row;
      },
      {"multiply", "Incompatible shapes for broadcasting", "(2,)", "(3,)"});
}

TEST(Operators, MixedDtypesFollowJaxLattice) {
  Array u8 = arr<uint8_t>({3}, {1});
  Array i32 = arr<int32_t>({4}, {1});
  Array f32 = arr<float>({0.5f}, {1});
  Array f64 = arr<double>({0.25}, {1});
  EXPECT_EQ((u8 + i32).dtype(), DType::int32);
  EXPECT_EQ((u8 * f32).dtype(), DType::float32);
  EXPECT_EQ((i32 * f32).dtype(), DType::float32);
  EXPECT_EQ((f32 + f64).dtype(), DType::float64);
  EXPECT_EQ((i32 == f64).dtype(), DType::bool_);
  EXPECT_EQ((u8 / u8).dtype(), DType::float32);
  EXPECT_EQ((arr<int64_t>({1}, {1}) / 2).dtype(), DType::float32);
  EXPECT_EQ((arr<bool>({true}, {1}) + 1.0).dtype(), DType::float32);
}

TEST(Operators, ScalarsAndChains) {
  // Two C++ scalars stay weak; a chain with an array takes the array's dtype.
  Array w = Array(2) * Array(3);
  EXPECT_EQ(w.dtype(), DType::int32);
  EXPECT_TRUE(w.weak_type());
  EXPECT_EQ(w.item<int32_t>(), 6);
  Array x = arr<float>({1, 2}, {2});
  Array y = (x * 2.0 + 1) / 4 - 0.25;
  expect_array_eq<float>(y, {0.5f, 1.0f}, {2});
  EXPECT_FALSE(y.weak_type());
  Array s = Array::from_vector<float>({3.0f}, {});
  expect_array_eq<float>(-s * s, {-9.0f}, {});
  Array e = arr<int32_t>({}, {0});
  EXPECT_EQ((e + 1).shape(), Shape({0}));
  EXPECT_EQ((e / 2).dtype(), DType::float32);
}
