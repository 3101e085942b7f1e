// Batch rules of the structural primitives (broadcast_in_dim, reshape, transpose, squeeze,
// expand_dims, rev; iota has no operands and is never batched) and of select_n, clamp and the
// dtype conversions, against loops (check_vmap), and the jnp functions built on them.
#include <jx/jx.h>

#include "ir/primitive.h"
#include "vmap_harness.h"

namespace jx {
namespace {
using testing::check_vmap;
using testing::fn1;
using testing::random_array;
using D = DType;

using testing::ArgSpec;
using testing::gen;

const std::vector<DType> kDTypes = {D::float32, D::int32, D::bool_, D::float64};

std::string label(const std::string& op, const Shape& shape, DType dtype) {
  return op + " " + shape.str() + " " + std::string(dtype_name(dtype));
}

// ---- structural ------------------------------------------------------------------------------

TEST(VmapRulesStructural, BroadcastInDim) {
  struct Case {
    Shape in, out;
    std::vector<int64_t> dims;
  };
  std::vector<Case> cases = {
      {{3}, {2, 3}, {1}},       {{3}, {3, 2}, {0}},
      {{3, 1}, {3, 4}, {0, 1}}, {{2, 3}, {2, 4, 3}, {0, 2}},
      {{}, {2, 3}, {}},         {{1}, {2, 3}, {1}},
      {{2, 3}, {2, 3}, {0, 1}}, {{2, 1, 3}, {4, 2, 5, 3}, {1, 2, 3}},
      {{2}, {2, 1}, {0}},
  };
  for (const Case& c : cases) {
    for (DType dt : kDTypes) {
      auto f = fn1(
          [c](const std::vector<Array>& a) { return lax::broadcast_in_dim(a[0], c.out, c.dims); });
      check_vmap(label("broadcast_in_dim", c.in, dt) + " to " + c.out.str(), f, gen({{c.in, dt}}));
    }
  }
}

TEST(VmapRulesStructural, Reshape) {
  struct Case {
    Shape in, out;
  };
  std::vector<Case> cases = {
      {{2, 3}, {6}}, {{2, 3}, {3, 2}}, {{2, 3}, {1, 6, 1}}, {{2, 3, 4}, {4, 6}}, {{}, {1, 1}},
      {{6}, {2, 3}}, {{1}, {}},        {{2, 3, 4}, {24}},   {{2, 0}, {0, 5}},
  };
  for (const Case& c : cases) {
    for (DType dt : kDTypes) {
      auto f = fn1([c](const std::vector<Array>& a) { return lax::reshape(a[0], c.out); });
      check_vmap(label("reshape", c.in, dt) + " to " + c.out.str(), f, gen({{c.in, dt}}));
    }
  }
}

TEST(VmapRulesStructural, Transpose) {
  struct Case {
    Shape in;
    std::vector<int64_t> perm;
  };
  std::vector<Case> cases = {
      {{2, 3}, {1, 0}},
      {{2, 3}, {0, 1}},
      {{2, 3, 4}, {2, 0, 1}},
      {{2, 3, 4}, {1, 2, 0}},
      {{2, 3, 4}, {0, 2, 1}},
      {{}, {}},
      {{4}, {0}},
  };
  for (const Case& c : cases) {
    for (DType dt : kDTypes) {
      auto f = fn1([c](const std::vector<Array>& a) { return lax::transpose(a[0], c.perm); });
      check_vmap(label("transpose", c.in, dt), f, gen({{c.in, dt}}));
    }
  }
}

TEST(VmapRulesStructural, Squeeze) {
  struct Case {
    Shape in;
    std::vector<int64_t> dims;
  };
  std::vector<Case> cases = {
      {{1, 3, 1}, {0}}, {{1, 3, 1}, {2}},       {{1, 3, 1}, {0, 2}}, {{2, 1}, {1}},
      {{1}, {0}},       {{2, 1, 1, 3}, {1, 2}}, {{2, 3}, {}},
  };
  for (const Case& c : cases) {
    for (DType dt : kDTypes) {
      auto f = fn1([c](const std::vector<Array>& a) { return lax::squeeze(a[0], c.dims); });
      check_vmap(label("squeeze", c.in, dt), f, gen({{c.in, dt}}));
    }
  }
}

TEST(VmapRulesStructural, ExpandDims) {
  struct Case {
    Shape in;
    std::vector<int64_t> dims;
  };
  std::vector<Case> cases = {
      {{2, 3}, {0}},    {{2, 3}, {1}}, {{2, 3}, {2}}, {{2, 3}, {0, 3}},
      {{2, 3}, {1, 2}}, {{}, {0}},     {{}, {0, 1}},  {{2, 3, 4}, {0, 2, 4, 5}},
      {{4}, {1}},
  };
  for (const Case& c : cases) {
    for (DType dt : kDTypes) {
      auto f = fn1([c](const std::vector<Array>& a) { return lax::expand_dims(a[0], c.dims); });
      check_vmap(label("expand_dims", c.in, dt), f, gen({{c.in, dt}}));
    }
  }
}

TEST(VmapRulesStructural, Rev) {
  struct Case {
    Shape in;
    std::vector<int64_t> dims;
  };
  std::vector<Case> cases = {
      {{2, 3}, {0}},    {{2, 3}, {1}},       {{2, 3}, {0, 1}}, {{2, 3}, {}},
      {{2, 3, 4}, {1}}, {{2, 3, 4}, {2, 0}}, {{5}, {0}},       {{}, {}},
  };
  for (const Case& c : cases) {
    for (DType dt : kDTypes) {
      auto f = fn1([c](const std::vector<Array>& a) { return lax::rev(a[0], c.dims); });
      check_vmap(label("rev", c.in, dt), f, gen({{c.in, dt}}));
    }
  }
}

// iota has no operands: under vmap it runs once, unmapped, and only what combines it with a
// mapped value is batched.
TEST(VmapRulesStructural, IotaStaysUnmapped) {
  auto f = fn1([](const std::vector<Array>& a) {
    return lax::add(a[0], lax::broadcasted_iota(D::int32, {2, 3}, 1));
  });
  check_vmap("iota + x", f, gen({{{2, 3}, D::int32}}));
  // A result that does not depend on the mapped input is broadcast along the out axis.
  auto g = [](const std::vector<Array>& a) {
    (void)a;
    return std::vector<Array>{lax::broadcasted_iota(D::float32, {2, 3}, 0)};
  };
  check_vmap("iota alone", g, gen({{{4}, D::float32}}));
}

// Malformed params fail under vmap as outside it, also where the batched call alone would pass.
TEST(VmapRulesStructural, ExampleShapeErrors) {
  Array empty_batch = numpy::zeros({0, 2, 3}, D::float32);
  EXPECT_THROW(vmap([](const Array& x) { return lax::reshape(x, {7}); })(empty_batch), ShapeError);
  Array x = numpy::zeros({4, 2, 3}, D::float32);
  auto bad_broadcast = [](const Array& a) {
    return bind1(
        Prim::broadcast_in_dim, {a},
        {{"shape", std::vector<int64_t>{2, 3}}, {"broadcast_dimensions", std::vector<int64_t>{0}}});
  };
  EXPECT_THROW(vmap(bad_broadcast, 2)(x), ShapeError);
  EXPECT_THROW(vmap([](const Array& a) { return lax::transpose(a, {1, 2}); })(x), ShapeError);
  EXPECT_THROW(vmap([](const Array& a) { return lax::rev(a, {2}); }, 2)(x), ShapeError);
}

// ---- elementwise: select_n, clamp, conversions -----------------------------------------------

TEST(VmapRulesElementwise, SelectN) {
  struct Case {
    std::string name;
    Shape which_shape, case_shape;
    DType which_dtype;
    int num_cases;
    double wlo, whi;
  };
  std::vector<Case> cases = {
      {"bool which", {2, 3}, {2, 3}, D::bool_, 2, -2, 2},
      {"int which, 3 cases", {2, 3}, {2, 3}, D::int32, 3, 0, 3},
      {"int which out of range", {2, 3}, {2, 3}, D::int32, 3, -2, 5},
      {"scalar bool which", {}, {2, 3}, D::bool_, 2, -2, 2},
      {"scalar int which", {}, {4}, D::int32, 3, 0, 3},
      {"uint8 which", {3}, {3}, D::uint8, 2, 0, 2},
      {"all scalars", {}, {}, D::bool_, 2, -2, 2},
      {"all scalars int", {}, {}, D::int32, 3, 0, 3},
      {"one case", {2}, {2}, D::int32, 1, 0, 2},
  };
  for (const Case& c : cases) {
    for (DType dt : kDTypes) {
      std::vector<ArgSpec> specs{{c.which_shape, c.which_dtype, c.wlo, c.whi}};
      for (int k = 0; k < c.num_cases; ++k) specs.push_back({c.case_shape, dt});
      auto f = fn1([](const std::vector<Array>& a) {
        return lax::select_n(a[0], std::vector<Array>(a.begin() + 1, a.end()));
      });
      check_vmap("select_n " + c.name + " " + std::string(dtype_name(dt)), f, gen(specs));
    }
  }
}

TEST(VmapRulesElementwise, Clamp) {
  struct Case {
    std::string name;
    Shape lo, x, hi;
  };
  std::vector<Case> cases = {
      {"scalar bounds", {}, {2, 3}, {}}, {"full bounds", {2, 3}, {2, 3}, {2, 3}},
      {"scalar lo", {}, {2, 3}, {2, 3}}, {"scalar hi", {4}, {4}, {}},
      {"all scalars", {}, {}, {}},
  };
  for (const Case& c : cases) {
    for (DType dt : {D::float32, D::int32, D::float64, D::uint8}) {
      double lo = dt == D::uint8 ? 0 : -3, hi = dt == D::uint8 ? 200 : 3;
      auto f = fn1([](const std::vector<Array>& a) { return lax::clamp(a[0], a[1], a[2]); });
      check_vmap("clamp " + c.name + " " + std::string(dtype_name(dt)), f,
                 gen({{c.lo, dt, lo, hi}, {c.x, dt, lo, hi}, {c.hi, dt, lo, hi}}));
    }
  }
}

TEST(VmapRulesElementwise, ConvertElementType) {
  struct Case {
    DType from, to;
    bool weak;
    double lo = -3, hi = 3;
  };
  std::vector<Case> cases = {
      {D::float32, D::int32, false},         {D::int32, D::float64, false},
      {D::float64, D::bool_, false},         {D::bool_, D::float32, false},
      {D::float32, D::float32, true},        {D::int32, D::int32, false},
      {D::float64, D::uint8, false, 0, 255}, {D::int64, D::float32, true},
  };
  for (const Case& c : cases) {
    for (const Shape& shape : {Shape{2, 3}, Shape{}, Shape{5}}) {
      auto f = fn1([c](const std::vector<Array>& a) {
        return lax::convert_element_type(a[0], c.to, c.weak);
      });
      check_vmap(
          label("convert_element_type", shape, c.from) + " to " + std::string(dtype_name(c.to)), f,
          gen({{shape, c.from, c.lo, c.hi}}));
    }
  }
}

TEST(VmapRulesElementwise, BitcastConvertType) {
  struct Case {
    Shape shape;
    DType from, to;
    double lo = -100, hi = 100;
  };
  std::vector<Case> cases = {
      {{2, 3}, D::float32, D::int32},          // same itemsize
      {{}, D::float32, D::uint32},             // same itemsize, scalar
      {{2, 3}, D::float64, D::uint32},         // splits into a new last axis of 2
      {{3}, D::int64, D::uint8},               // splits into 8
      {{}, D::float32, D::uint8},              // a scalar split
      {{2, 4}, D::uint8, D::float32, 0, 255},  // merges the last axis
      {{3, 2}, D::int32, D::float64},          // merges the last axis
      {{2}, D::uint32, D::int64, 0, 100},      // merges the only axis
      {{2, 3, 8}, D::uint8, D::int64, 0, 255},
  };
  for (const Case& c : cases) {
    auto f =
        fn1([c](const std::vector<Array>& a) { return lax::bitcast_convert_type(a[0], c.to); });
    check_vmap(
        label("bitcast_convert_type", c.shape, c.from) + " to " + std::string(dtype_name(c.to)), f,
        gen({{c.shape, c.from, c.lo, c.hi}}));
  }
  // Each example a scalar: merging needs a last axis even when the batch would supply one.
  auto merge = [](const Array& a) { return lax::bitcast_convert_type(a, D::float32); };
  EXPECT_THROW(vmap(merge)(numpy::zeros({4}, D::uint8)), ShapeError);
}

// ---- jnp functions built on these primitives -------------------------------------------------

TEST(VmapRulesStructural, JnpShapes) {
  for (DType dt : kDTypes) {
    std::string t = " " + std::string(dtype_name(dt));
    check_vmap("jnp.reshape -1" + t, fn1([](const std::vector<Array>& a) {
                 return numpy::reshape(a[0], {-1, 2});
               }),
               gen({{{2, 3, 2}, dt}}));
    check_vmap("jnp.ravel" + t, fn1([](const std::vector<Array>& a) { return numpy::ravel(a[0]); }),
               gen({{{2, 3}, dt}}));
    check_vmap("jnp.moveaxis" + t,
               fn1([](const std::vector<Array>& a) { return numpy::moveaxis(a[0], 0, -1); }),
               gen({{{2, 3, 4}, dt}}));
    check_vmap("jnp.moveaxis multi" + t, fn1([](const std::vector<Array>& a) {
                 return numpy::moveaxis(a[0], std::vector<int64_t>{0, 2}, {2, 1});
               }),
               gen({{{2, 3, 4}, dt}}));
    check_vmap("jnp.squeeze all" + t,
               fn1([](const std::vector<Array>& a) { return numpy::squeeze(a[0]); }),
               gen({{{1, 3, 1}, dt}}));
    check_vmap("jnp.squeeze -1" + t,
               fn1([](const std::vector<Array>& a) { return numpy::squeeze(a[0], -1); }),
               gen({{{2, 1}, dt}}));
    check_vmap("jnp.expand_dims" + t, fn1([](const std::vector<Array>& a) {
                 return numpy::expand_dims(a[0], {0, -1});
               }),
               gen({{{2, 3}, dt}}));
    check_vmap("jnp.flip" + t, fn1([](const std::vector<Array>& a) { return numpy::flip(a[0]); }),
               gen({{{2, 3}, dt}}));
    check_vmap("jnp.flip axis" + t,
               fn1([](const std::vector<Array>& a) { return numpy::flip(a[0], 1); }),
               gen({{{2, 3, 2}, dt}}));
    check_vmap("jnp.broadcast_to" + t, fn1([](const std::vector<Array>& a) {
                 return numpy::broadcast_to(a[0], {4, 2, 3});
               }),
               gen({{{2, 1}, dt}}));
  }
}

TEST(VmapRulesElementwise, JnpWhereClipAstype) {
  for (DType dt : {D::float32, D::int32, D::float64}) {
    std::string t = " " + std::string(dtype_name(dt));
    auto where = fn1([](const std::vector<Array>& a) { return numpy::where(a[0], a[1], a[2]); });
    check_vmap("jnp.where" + t, where, gen({{{2, 3}, D::bool_}, {{2, 3}, dt}, {{2, 3}, dt}}));
    check_vmap("jnp.where broadcast" + t, where, gen({{{3}, D::bool_}, {{2, 3}, dt}, {{}, dt}}));
    check_vmap("jnp.where scalar condition" + t, where,
               gen({{{}, D::bool_}, {{2, 3}, dt}, {{2, 3}, dt}}));
    auto clip = fn1([](const std::vector<Array>& a) { return numpy::clip(a[0], a[1], a[2]); });
    check_vmap("jnp.clip" + t, clip, gen({{{2, 3}, dt}, {{}, dt}, {{3}, dt}}));
    check_vmap("jnp.clip lo only" + t,
               fn1([](const std::vector<Array>& a) { return numpy::clip(a[0], a[1]); }),
               gen({{{2, 3}, dt}, {{2, 3}, dt}}));
    for (DType to : {D::float32, D::int32, D::bool_, D::float64, D::uint8}) {
      check_vmap("astype" + t + " to " + std::string(dtype_name(to)),
                 fn1([to](const std::vector<Array>& a) { return a[0].astype(to); }),
                 gen({{{2, 3}, dt, 0, 5}}));
    }
  }
}

}  // namespace
}  // namespace jx
