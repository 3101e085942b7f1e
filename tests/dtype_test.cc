// Type promotion against JAX's published binary promotion table (docs: "Type promotion
// semantics"), restricted to the dtypes jx stores. i* / f* are weakly typed ints / floats.
#include <gtest/gtest.h>

#include "jx/array.h"

namespace jx {
namespace {

TEST(DType, NamesAndSizes) {
  EXPECT_EQ(dtype_name(float32), "float32");
  EXPECT_EQ(dtype_name(bool_), "bool");
  EXPECT_EQ(dtype_short_name(uint8), "u8");
  EXPECT_EQ(itemsize(int64), 8u);
  EXPECT_EQ(itemsize(bool_), 1u);
  EXPECT_TRUE(is_floating(float64));
  EXPECT_TRUE(is_unsigned_integer(uint32));
  EXPECT_FALSE(is_integer(bool_));
}

TEST(DType, StrongPromotionMatchesJaxTable) {
  struct Case {
    DType a, b, expected;
  };
  // Rows/columns of JAX's table: b1 u1 u4 i4 i8 f4 f8.
  const Case cases[] = {
      {bool_, bool_, bool_},      {bool_, uint8, uint8},       {bool_, int32, int32},
      {bool_, float32, float32},  {uint8, uint32, uint32},     {uint8, int32, int32},
      {uint8, int64, int64},      {uint32, int32, int64},      {uint32, int64, int64},
      {int32, int64, int64},      {int32, float32, float32},   {int64, float32, float32},
      {uint32, float32, float32}, {float32, float64, float64}, {int64, float64, float64},
      {uint8, float64, float64},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(promote_types(c.a, c.b), c.expected) << c.a << " + " << c.b;
    EXPECT_EQ(promote_types(c.b, c.a), c.expected) << c.b << " + " << c.a;
  }
}

TEST(DType, WeakPromotionMatchesJaxTable) {
  struct Case {
    TypedKind a, b;
    DType expected;
    bool weak;
  };
  const TypedKind wi{int32, true}, wf{float32, true};
  const Case cases[] = {
      {{uint8, false}, wi, uint8, false},  // u1 + i* = u1
      {{int32, false}, wi, int32, false},  // i4 + i* = i4
      {{int64, false}, wi, int64, false},
      {{bool_, false}, wi, int32, true},    // b1 + i* = i*
      {{bool_, false}, wf, float32, true},  // b1 + f* = f*
      {{int32, false}, wf, float32, true},  // i4 + f* = f*
      {{uint32, false}, wf, float32, true},
      {{float32, false}, wf, float32, false},  // f4 + f* = f4
      {{float64, false}, wf, float64, false},
      {wi, wf, float32, true},  // i* + f* = f*
      {wi, wi, int32, true},
  };
  for (const auto& c : cases) {
    TypedKind r = result_type(c.a, c.b);
    EXPECT_EQ(r.dtype, c.expected) << c.a.dtype << " + " << c.b.dtype;
    EXPECT_EQ(r.weak_type, c.weak) << c.a.dtype << " + " << c.b.dtype;
    TypedKind s = result_type(c.b, c.a);
    EXPECT_EQ(s.dtype, c.expected);
    EXPECT_EQ(s.weak_type, c.weak);
  }
}

TEST(DType, ScalarsAreWeak) {
  Array f = 2.5;
  EXPECT_EQ(f.dtype(), float32);
  EXPECT_TRUE(f.weak_type());
  EXPECT_EQ(f.item<double>(), 2.5);
  Array i = 7;
  EXPECT_EQ(i.dtype(), int32);
  EXPECT_TRUE(i.weak_type());
  Array big = int64_t{1} << 40;
  EXPECT_EQ(big.dtype(), int64);
  Array b = true;
  EXPECT_EQ(b.dtype(), bool_);
  EXPECT_FALSE(b.weak_type());
}

TEST(Shape, PrintsLikeNumpy) {
  EXPECT_EQ(Shape({3, 2}).str(), "(3, 2)");
  EXPECT_EQ(Shape({3}).str(), "(3,)");
  EXPECT_EQ(Shape{}.str(), "()");
  Shape big{1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(big.numel(), 40320);
  big.push_back(2);
  EXPECT_EQ(big.size(), 9u);
  EXPECT_EQ(big[8], 2);
  Shape copy = big;
  EXPECT_EQ(copy, big);
}

TEST(Array, FromVectorChecksSize) {
  Array a = Array::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(a.shape(), Shape({2, 3}));
  EXPECT_EQ(a.to_vector<int>(), (std::vector<int>{1, 2, 3, 4, 5, 6}));
  EXPECT_THROW(Array::from_vector<float>({1, 2, 3}, {2, 2}), ShapeError);
  EXPECT_THROW(a.item<float>(), ValueError);
  EXPECT_THROW(a.data<int32_t>(), DTypeError);
  Array null;
  EXPECT_THROW(null.shape(), ValueError);
}

}  // namespace
}  // namespace jx
