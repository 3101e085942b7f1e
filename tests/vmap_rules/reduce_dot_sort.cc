// Batch rules of the reductions (reduce_*, argmax/argmin), the cumulative scans, dot_general and
// sort, against loops (check_vmap); and the jnp functions built on them, under vmap.
#include <jx/jx.h>

#include "interpreters/batching.h"
#include "vmap_harness.h"

namespace jx {
namespace {
namespace jnp = jx::numpy;
using testing::check_vmap;
using testing::fn1;
using testing::random_array;
using D = DType;

// Summation order may change with the batch layout: float sums/products/dots compare within a
// tolerance; everything else bitwise.
constexpr double kSumTol = 1e-5;

std::string dname(DType d) { return std::string(dtype_name(d)); }
std::string tstr(const std::vector<int64_t>& v) { return Shape(v).str(); }
double tol_for(DType d) { return d == D::float32 || d == D::float64 ? kSumTol : 0; }

// Random arrays of the given shapes, all of one dtype.
testing::Gen gen_arrays(std::vector<Shape> shapes, DType dtype, double lo = -2, double hi = 2) {
  return [=](uint64_t seed) {
    std::mt19937_64 rng(seed * 7919 + 17);
    std::vector<Array> args;
    for (const Shape& s : shapes) args.push_back(random_array(rng, s, dtype, lo, hi));
    return args;
  };
}

TEST(VmapRulesReduce, Reductions) {
  using R = Array (*)(const Array&, const std::vector<int64_t>&);
  struct Op {
    const char* name;
    R f;
    std::vector<DType> dtypes;
    bool exact;
  };
  const std::vector<Op> ops = {
      {"reduce_sum", lax::reduce_sum, {D::float32, D::float64, D::int32}, false},
      {"reduce_prod", lax::reduce_prod, {D::float32, D::float64, D::int32}, false},
      {"reduce_max", lax::reduce_max, {D::float32, D::float64, D::int32, D::bool_}, true},
      {"reduce_min", lax::reduce_min, {D::float32, D::float64, D::int32, D::bool_}, true},
      {"reduce_and", lax::reduce_and, {D::bool_, D::int32}, true},
      {"reduce_or", lax::reduce_or, {D::bool_, D::int32}, true},
  };
  const std::vector<std::vector<int64_t>> axes_choices = {{},     {0},    {1},      {2},
                                                          {0, 2}, {1, 2}, {0, 1, 2}};
  for (const Op& op : ops) {
    for (DType dt : op.dtypes) {
      for (const auto& axes : axes_choices) {
        R f = op.f;
        check_vmap(std::string(op.name) + " " + dname(dt) + " axes=" + tstr(axes),
                   fn1([f, axes](const std::vector<Array>& a) { return f(a[0], axes); }),
                   gen_arrays({Shape{2, 3, 4}}, dt), testing::within(op.exact ? 0 : tol_for(dt)));
      }
    }
  }
  // A rank-1 operand reduced to a scalar.
  check_vmap("reduce_sum rank 1",
             fn1([](const std::vector<Array>& a) { return lax::reduce_sum(a[0], {0}); }),
             gen_arrays({Shape{5}}, D::float32), testing::within(kSumTol));
}

TEST(VmapRulesReduce, ArgReductions) {
  for (bool is_max : {true, false}) {
    for (DType dt : {D::float32, D::float64, D::int32, D::bool_}) {
      for (int64_t axis : {0, 1, 2}) {
        for (DType index_dtype : {D::int32, D::int64}) {
          check_vmap(std::string(is_max ? "argmax " : "argmin ") + dname(dt) +
                         " axis=" + std::to_string(axis) + " " + dname(index_dtype),
                     fn1([=](const std::vector<Array>& a) {
                       return is_max ? lax::argmax(a[0], axis, index_dtype)
                                     : lax::argmin(a[0], axis, index_dtype);
                     }),
                     gen_arrays({Shape{2, 3, 4}}, dt));
        }
      }
    }
  }
}

TEST(VmapRulesReduce, Cumulative) {
  using C = Array (*)(const Array&, int64_t, bool);
  struct Op {
    const char* name;
    C f;
    bool exact;
  };
  const std::vector<Op> ops = {{"cumsum", lax::cumsum, false},
                               {"cumprod", lax::cumprod, false},
                               {"cummax", lax::cummax, true},
                               {"cummin", lax::cummin, true}};
  for (const Op& op : ops) {
    for (DType dt : {D::float32, D::float64, D::int32}) {
      for (int64_t axis : {0, 1, 2}) {
        for (bool reverse : {false, true}) {
          C f = op.f;
          check_vmap(std::string(op.name) + " " + dname(dt) + " axis=" + std::to_string(axis) +
                         (reverse ? " reverse" : ""),
                     fn1([=](const std::vector<Array>& a) { return f(a[0], axis, reverse); }),
                     gen_arrays({Shape{2, 3, 4}}, dt), testing::within(op.exact ? 0 : tol_for(dt)));
        }
      }
    }
  }
}

TEST(VmapRulesDot, DotGeneral) {
  struct Case {
    const char* name;
    Shape lhs, rhs;
    lax::DotDimensionNumbers dn;
  };
  const std::vector<Case> cases = {
      {"vector.vector", {4}, {4}, {{{0}, {0}}, {{}, {}}}},
      {"matrix.vector", {3, 4}, {4}, {{{1}, {0}}, {{}, {}}}},
      {"vector.matrix", {4}, {4, 3}, {{{0}, {0}}, {{}, {}}}},
      {"matmul", {2, 3}, {3, 4}, {{{1}, {0}}, {{}, {}}}},
      {"transposed operands", {4, 3}, {5, 4}, {{{0}, {1}}, {{}, {}}}},
      {"outer", {3}, {2}, {{{}, {}}, {{}, {}}}},
      {"two contracting", {2, 3, 4}, {4, 3, 5}, {{{1, 2}, {1, 0}}, {{}, {}}}},
      {"batched matmul", {2, 3, 4}, {2, 4, 5}, {{{2}, {1}}, {{0}, {0}}}},
      {"batch dims inside", {3, 2, 4}, {4, 5, 2}, {{{2}, {0}}, {{1}, {2}}}},
      {"two batch dims, free on both", {2, 3, 2, 4}, {3, 4, 2, 5}, {{{3}, {1}}, {{0, 1}, {2, 0}}}},
  };
  for (const Case& c : cases) {
    for (DType dt : {D::float32, D::float64, D::int32}) {
      auto dn = c.dn;
      check_vmap(
          std::string("dot_general ") + c.name + " " + dname(dt),
          fn1([dn](const std::vector<Array>& a) { return lax::dot_general(a[0], a[1], dn); }),
          gen_arrays({c.lhs, c.rhs}, dt), testing::within(tol_for(dt)));
    }
  }
  // preferred_element_type is kept: int32 accumulated in float32, float32 in float64.
  lax::DotDimensionNumbers mm{{{1}, {0}}, {{}, {}}};
  for (auto [in, out] : {std::pair{D::int32, D::float32}, std::pair{D::float32, D::float64},
                         std::pair{D::int32, D::int64}}) {
    check_vmap("dot_general preferred " + dname(in) + "->" + dname(out),
               fn1([mm, out](const std::vector<Array>& a) {
                 return lax::dot_general(a[0], a[1], mm, out);
               }),
               gen_arrays({Shape{2, 3}, Shape{3, 4}}, in), testing::within(tol_for(out)));
  }
}

// One mapped operand: the batch becomes a free dim of the product, so vmap of a vector-matrix
// product is one [N, 16] x [16, 8] matrix product, with the result batch dim where it lands.
TEST(VmapRulesDot, OneMappedOperandIsOneProduct) {
  std::mt19937_64 rng(3);
  Array w = random_array(rng, {16, 8}, D::float32);
  Array xs = random_array(rng, {5, 16}, D::float32);
  int64_t before = batching::rule_calls(Prim::dot_general);
  Array out = vmap([&](const Array& x) { return jnp::matmul(x, w); })(xs);
  EXPECT_EQ(batching::rule_calls(Prim::dot_general), before + 1);
  Array expected = lax::dot_general(xs, w, {{{1}, {0}}, {{}, {}}});
  ASSERT_EQ(out.shape(), (Shape{5, 8}));
  std::vector<float> a = out.to_vector<float>(), e = expected.to_vector<float>();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], e[i], 1e-5f * (1 + std::abs(e[i])));
}

TEST(VmapRulesSort, Sort) {
  // One operand, every dimension, several dtypes (keys with ties for the ints and bools).
  for (DType dt : {D::float32, D::float64, D::int32, D::bool_}) {
    for (int64_t dim : {0, 1, 2}) {
      for (bool stable : {true, false}) {
        check_vmap(
            "sort " + dname(dt) + " dimension=" + std::to_string(dim) + (stable ? " stable" : ""),
            [=](const std::vector<Array>& a) {
              return lax::sort(std::vector<Array>{a[0]}, dim, stable, 1);
            },
            gen_arrays({Shape{2, 3, 4}}, dt));
      }
    }
  }
  // Several operands sorted together, by one key or two; unmapped ones are broadcast.
  for (int64_t num_keys : {1, 2}) {
    for (int64_t dim : {0, 1}) {
      check_vmap(
          "sort 3 operands num_keys=" + std::to_string(num_keys) +
              " dimension=" + std::to_string(dim),
          [=](const std::vector<Array>& a) { return lax::sort(a, dim, true, num_keys); },
          [](uint64_t seed) {
            std::mt19937_64 rng(seed * 31 + 5);
            return std::vector<Array>{random_array(rng, {4, 5}, D::int32, -2, 2),
                                      random_array(rng, {4, 5}, D::float32),
                                      random_array(rng, {4, 5}, D::int32, -100, 100)};
          });
    }
  }
}

// The jnp functions built on these primitives, under vmap.
TEST(VmapRulesJnp, ReductionsAndScans) {
  auto gen = gen_arrays({Shape{3, 4}}, D::float32);
  auto geni = gen_arrays({Shape{3, 4}}, D::int32);
  using F = std::function<Array(const Array&)>;
  struct Case {
    const char* name;
    F f;
    bool exact;
  };
  const std::vector<Case> cases = {
      {"jnp.sum", [](const Array& x) { return jnp::sum(x); }, false},
      {"jnp.sum axis=1", [](const Array& x) { return jnp::sum(x, 1); }, false},
      {"jnp.sum axis=0 keepdims", [](const Array& x) { return jnp::sum(x, 0, true); }, false},
      {"jnp.mean", [](const Array& x) { return jnp::mean(x); }, false},
      {"jnp.mean axis=0", [](const Array& x) { return jnp::mean(x, 0); }, false},
      {"jnp.var axis=1", [](const Array& x) { return jnp::var(x, 1); }, false},
      {"jnp.std", [](const Array& x) { return jnp::std(x); }, false},
      {"jnp.max", [](const Array& x) { return jnp::max(x); }, true},
      {"jnp.max axis=1", [](const Array& x) { return jnp::max(x, 1); }, true},
      {"jnp.argmax axis=0", [](const Array& x) { return jnp::argmax(x, 0); }, true},
      {"jnp.argmax", [](const Array& x) { return jnp::argmax(x); }, true},
      {"jnp.cumsum axis=1", [](const Array& x) { return jnp::cumsum(x, 1); }, false},
      {"jnp.cumsum", [](const Array& x) { return jnp::cumsum(x); }, false},
      {"jnp.sort", [](const Array& x) { return jnp::sort(x); }, true},
      {"jnp.sort axis=0", [](const Array& x) { return jnp::sort(x, 0); }, true},
      {"jnp.argsort", [](const Array& x) { return jnp::argsort(x); }, true},
      {"jnp.argsort axis=0", [](const Array& x) { return jnp::argsort(x, 0); }, true},
  };
  for (const Case& c : cases) {
    F f = c.f;
    auto fn = fn1([f](const std::vector<Array>& a) { return f(a[0]); });
    check_vmap(std::string(c.name) + " float32", fn, gen, testing::within(c.exact ? 0 : kSumTol));
    check_vmap(std::string(c.name) + " int32", fn, geni, testing::within(c.exact ? 0 : kSumTol));
  }
}

TEST(VmapRulesJnp, Products) {
  using F = std::function<Array(const Array&, const Array&)>;
  struct Case {
    const char* name;
    Shape a, b;
    F f;
  };
  const std::vector<Case> cases = {
      {"matmul vector.matrix", {16}, {16, 8}, [](auto& a, auto& b) { return jnp::matmul(a, b); }},
      {"matmul matrix.vector", {3, 4}, {4}, [](auto& a, auto& b) { return jnp::matmul(a, b); }},
      {"matmul matrix.matrix", {2, 3}, {3, 4}, [](auto& a, auto& b) { return jnp::matmul(a, b); }},
      {"matmul broadcast batch",
       {2, 2, 3},
       {3, 4},
       [](auto& a, auto& b) { return jnp::matmul(a, b); }},
      {"dot vector.vector", {4}, {4}, [](auto& a, auto& b) { return jnp::dot(a, b); }},
      {"dot 3d.matrix", {2, 3, 4}, {4, 2}, [](auto& a, auto& b) { return jnp::dot(a, b); }},
      {"einsum ij,jk->ik",
       {2, 3},
       {3, 4},
       [](auto& a, auto& b) {
         return jnp::einsum("ij,jk->ik", {a, b});
       }},
      {"einsum i,i->",
       {4},
       {4},
       [](auto& a, auto& b) {
         return jnp::einsum("i,i->", {a, b});
       }},
      {"einsum bij,bjk->bki",
       {2, 3, 4},
       {2, 4, 5},
       [](auto& a, auto& b) {
         return jnp::einsum("bij,bjk->bki", {a, b});
       }},
      {"tensordot axes=1",
       {2, 3},
       {3, 4},
       [](auto& a, auto& b) { return jnp::tensordot(a, b, 1); }},
      {"tensordot axes=((0,2),(1,0))",
       {2, 3, 4},
       {4, 2, 5},
       [](auto& a, auto& b) {
         return jnp::tensordot(a, b, {{0, 2}, {1, 0}});
       }},
  };
  for (const Case& c : cases) {
    F f = c.f;
    for (DType dt : {D::float32, D::int32}) {
      check_vmap(std::string("jnp.") + c.name + " " + dname(dt),
                 fn1([f](const std::vector<Array>& a) { return f(a[0], a[1]); }),
                 gen_arrays({c.a, c.b}, dt), testing::within(tol_for(dt)));
    }
  }
}

}  // namespace
}  // namespace jx
