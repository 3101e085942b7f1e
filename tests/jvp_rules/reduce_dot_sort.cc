// jvp rules of the reduction, cumulative, dot_general, sort, collective and prng families:
// check_jvp (finite differences in float64, vmap of jvp, jvp of jvp) over several params and
// both float dtypes (float32 through conversions at the boundary, with a coarser step), plus
// the non-differentiable points where JAX fixes a convention (max/min ties, zeros of products)
// checked against exact values, and the collectives under a named vmap with jvp inside it.
#include <gtest/gtest.h>

#include <jx/jx.h>

#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "jvp_harness.h"
#include "test_util.h"

namespace jx {
namespace {
namespace jnp = numpy;
using testing::ArgSpec;
using testing::check_jvp;
using testing::Fn;
using testing::gen;
using testing::JvpCheck;

constexpr DType f64 = DType::float64;
constexpr DType f32 = DType::float32;

// f evaluated in `dtype`: float64 arguments are converted to it, and float results back to
// float64, so finite differences are taken in float64 either way.
Fn in_dtype(DType dtype, Fn f) {
  if (dtype == f64) return f;
  return [dtype, f](const std::vector<Array>& xs) {
    std::vector<Array> in;
    for (const Array& x : xs) {
      in.push_back(x.dtype() == f64 ? lax::convert_element_type(x, dtype) : x);
    }
    std::vector<Array> out = f(in);
    for (Array& y : out) {
      if (y.dtype() == dtype) y = lax::convert_element_type(y, f64);
    }
    return out;
  };
}

// float32: a coarser step (the perturbation must survive the rounding to float32) and no
// second-order check (its fixed step is below float32's resolution of the first derivative).
JvpCheck opts_for(DType dtype) {
  JvpCheck c;
  if (dtype == f32) {
    c.tol = 2e-3;
    c.eps = 1e-3;
    c.second_order = false;
  }
  return c;
}

// dot_general in float32: vmap folds the batch of tangents into one larger GEMM, whose blocking
// may round differently from the separate products (the batch rule's own tests compare within
// a tolerance), so the bitwise vmap-of-jvp comparison is left to float64.
JvpCheck dot_opts(DType dtype) {
  JvpCheck c = opts_for(dtype);
  if (dtype == f32) c.vmap_of_jvp = false;
  return c;
}

std::string label(const std::string& name, DType dtype, const std::vector<int64_t>& v = {}) {
  return name + " " + std::string(dtype_name(dtype)) + " " + Shape(v).str();
}

// Arguments with some entries exactly zero (every `every`-th element, starting at `first`).
testing::Gen with_zeros(Shape shape, int64_t first, int64_t every) {
  return [shape, first, every](uint64_t seed) {
    std::vector<Array> args = gen({{shape, f64, 0.5, 2}})(seed);
    std::vector<double> v = args[0].to_vector<double>();
    for (size_t i = static_cast<size_t>(first); i < v.size(); i += static_cast<size_t>(every)) {
      v[i] = 0;
    }
    // Some negative factors too.
    for (size_t i = 1; i < v.size(); i += 3) v[i] = -v[i];
    return std::vector<Array>{Array::from_vector(v, shape)};
  };
}

std::vector<double> values(const Array& a) { return a.to_vector<double>(); }

// The tangent of f (one array in, one out) at x along t.
Array tangent_of(const std::function<Array(const Array&)>& f, const Array& x, const Array& t) {
  return jvp(f, std::tuple<Array>(x), std::tuple<Array>(t)).second;
}

struct ReduceCase {
  Shape shape;
  std::vector<int64_t> axes;
};
const std::vector<ReduceCase> kReduceCases = {
    {{3, 4}, {1}}, {{3, 4}, {0, 1}}, {{2, 3, 4}, {0, 2}}, {{3, 4}, {}}, {{5}, {0}}, {{7, 3}, {0}},
};

TEST(JvpRules, ReduceSumMaxMin) {
  using R = Array (*)(const Array&, const std::vector<int64_t>&);
  const std::vector<std::pair<std::string, R>> ops = {{"reduce_sum", lax::reduce_sum},
                                                      {"reduce_max", lax::reduce_max},
                                                      {"reduce_min", lax::reduce_min}};
  for (const auto& [name, op] : ops) {
    for (DType dtype : {f64, f32}) {
      for (const ReduceCase& c : kReduceCases) {
        Fn f = [op = op, axes = c.axes](const std::vector<Array>& x) {
          return std::vector<Array>{op(x[0], axes)};
        };
        check_jvp(label(name, dtype, c.axes), in_dtype(dtype, f), gen({{c.shape, f64}}),
                  opts_for(dtype));
      }
    }
  }
}

// JAX's _reduce_chooser_jvp_rule: ties share the tangent equally; the other entries get none.
TEST(JvpRules, ReduceMaxMinTies) {
  Array x = jnp::array({1.0, 3.0, 3.0, 2.0, 3.0});
  Array t = jnp::array({1.0, 2.0, 4.0, 8.0, 16.0});
  auto mx = [](const Array& a) { return lax::reduce_max(a, {0}); };
  EXPECT_DOUBLE_EQ(values(tangent_of(mx, x, t))[0], (2.0 + 4.0 + 16.0) / 3);
  Array y = jnp::array({{5.0, -1.0, 5.0}, {0.0, 0.0, 0.0}});
  Array ty = jnp::array({{1.0, 2.0, 4.0}, {8.0, 16.0, 32.0}});
  auto mn = [](const Array& a) { return lax::reduce_min(a, {1}); };
  auto mx1 = [](const Array& a) { return lax::reduce_max(a, {1}); };
  EXPECT_EQ(values(tangent_of(mn, y, ty)), (std::vector<double>{2.0, 56.0 / 3}));
  EXPECT_EQ(values(tangent_of(mx1, y, ty)), (std::vector<double>{2.5, 56.0 / 3}));
  // float32, and an integer operand (no tangent space: a zero tangent).
  Array xf = lax::convert_element_type(x, f32), tf = lax::convert_element_type(t, f32);
  EXPECT_EQ(tangent_of(mx, xf, tf).dtype(), f32);
  EXPECT_FLOAT_EQ(tangent_of(mx, xf, tf).to_vector<float>()[0], 22.0f / 3);
  Array xi = jnp::array({1, 4, 2});
  EXPECT_EQ(values(tangent_of(mx, xi, jnp::zeros({3}, DType::int32))), std::vector<double>{0.0});
}

TEST(JvpRules, ReduceProd) {
  for (DType dtype : {f64, f32}) {
    for (const ReduceCase& c : kReduceCases) {
      Fn f = [axes = c.axes](const std::vector<Array>& x) {
        return std::vector<Array>{lax::reduce_prod(x[0], axes)};
      };
      check_jvp(label("reduce_prod", dtype, c.axes), in_dtype(dtype, f),
                gen({{c.shape, f64, 0.5, 1.5}}), opts_for(dtype));
      // One zero factor per reduced group, or two, or every third: the product is a polynomial,
      // so finite differences hold there too.
      for (auto [first, every] : {std::pair<int64_t, int64_t>{2, 1000}, {1, 2}, {0, 3}}) {
        check_jvp(label("reduce_prod zeros", dtype, c.axes), in_dtype(dtype, f),
                  with_zeros(c.shape, first, every), opts_for(dtype));
      }
    }
    // An empty reduced axis: the product is 1 and its tangent 0.
    Fn empty = [](const std::vector<Array>& x) {
      return std::vector<Array>{lax::reduce_prod(x[0], {0})};
    };
    check_jvp(label("reduce_prod empty", dtype), in_dtype(dtype, empty), gen({{{0, 3}, f64}}),
              opts_for(dtype));
  }
  // Exact values at zeros: d(prod) = sum_i t_i * prod_{j != i} x_j.
  auto prod = [](const Array& a) { return lax::reduce_prod(a, {0}); };
  Array t = jnp::array({1.0, 10.0, 100.0});
  EXPECT_EQ(values(tangent_of(prod, jnp::array({2.0, 0.0, 3.0}), t)), std::vector<double>{60.0});
  EXPECT_EQ(values(tangent_of(prod, jnp::array({0.0, 0.0, 3.0}), t)), std::vector<double>{0.0});
  EXPECT_EQ(values(tangent_of(prod, jnp::array({0.0, 5.0, 0.0}), t)), std::vector<double>{0.0});
  EXPECT_EQ(values(tangent_of(prod, jnp::array({0.0, 5.0, 4.0}), t)), std::vector<double>{20.0});
}

// argmax/argmin: integer results, zero tangents (alongside a differentiable result).
TEST(JvpRules, ArgmaxArgmin) {
  for (DType dtype : {f64, f32}) {
    for (int64_t axis : {0, 1}) {
      for (DType index : {DType::int32, DType::int64}) {
        Fn f = [axis, index](const std::vector<Array>& x) {
          return std::vector<Array>{lax::argmax(x[0], axis, index), lax::argmin(x[0], axis, index),
                                    lax::reduce_max(x[0], {axis})};
        };
        check_jvp(label("argmax/argmin", dtype, {axis}), in_dtype(dtype, f), gen({{{3, 4}, f64}}),
                  opts_for(dtype));
      }
    }
  }
}

TEST(JvpRules, Cumulative) {
  using C = Array (*)(const Array&, int64_t, bool);
  const std::vector<std::pair<std::string, C>> ops = {{"cumsum", lax::cumsum},
                                                      {"cumprod", lax::cumprod},
                                                      {"cummax", lax::cummax},
                                                      {"cummin", lax::cummin}};
  struct Case {
    Shape shape;
    int64_t axis;
  };
  // Lengths 1, 2, odd and even along the axis (the scan's branches).
  const std::vector<Case> cases = {{{5, 3}, 0}, {{3, 8}, 1},    {{1, 3}, 0}, {{2}, 0},
                                   {{7}, 0},    {{2, 6, 3}, 1}, {{3, 0}, 1}};
  for (const auto& [name, op] : ops) {
    for (DType dtype : {f64, f32}) {
      for (const Case& c : cases) {
        for (bool reverse : {false, true}) {
          Fn f = [op = op, axis = c.axis, reverse](const std::vector<Array>& x) {
            return std::vector<Array>{op(x[0], axis, reverse)};
          };
          check_jvp(label(name + (reverse ? " reverse" : ""), dtype, {c.axis}), in_dtype(dtype, f),
                    gen({{c.shape, f64, 0.5, 1.5}}), opts_for(dtype));
        }
      }
    }
  }
  // cumprod through zeros (a polynomial: finite differences hold).
  for (bool reverse : {false, true}) {
    for (auto [first, every] : {std::pair<int64_t, int64_t>{3, 1000}, {1, 3}, {0, 4}}) {
      Fn f = [reverse](const std::vector<Array>& x) {
        return std::vector<Array>{lax::cumprod(x[0], 0, reverse)};
      };
      check_jvp("cumprod zeros", f, with_zeros({7, 2}, first, every));
    }
  }
}

TEST(JvpRules, CumulativeExactValues) {
  // cumprod at zeros: out_i = prod_{j <= i} x_j.
  Array x = jnp::array({2.0, 0.0, 3.0, 0.0, 5.0});
  Array t = jnp::array({1.0, 10.0, 100.0, 1000.0, 10000.0});
  auto cp = [](const Array& a) { return lax::cumprod(a, 0); };
  EXPECT_EQ(values(tangent_of(cp, x, t)), (std::vector<double>{1.0, 20.0, 60.0, 0.0, 0.0}));
  auto cpr = [](const Array& a) { return lax::cumprod(a, 0, true); };
  // Reverse: out_i = prod_{j >= i} x_j = {0, 0, 0, 0, 5}.
  EXPECT_EQ(values(tangent_of(cpr, x, t)),
            (std::vector<double>{0.0, 0.0, 15000.0, 5000.0, 10000.0}));
  // cummax ties, as the jvp of JAX's associative scan of max shares them: [3, 1, 3] gives
  // [t0, t0, (t0 + t2) / 2].
  auto cm = [](const Array& a) { return lax::cummax(a, 0); };
  EXPECT_EQ(values(tangent_of(cm, jnp::array({3.0, 1.0, 3.0}), jnp::array({2.0, 8.0, 4.0}))),
            (std::vector<double>{2.0, 2.0, 3.0}));
  // Without ties the tangent follows the running maximum / minimum.
  auto cmin = [](const Array& a) { return lax::cummin(a, 0); };
  EXPECT_EQ(
      values(tangent_of(cmin, jnp::array({3.0, 1.0, 2.0, 0.0}), jnp::array({1.0, 2.0, 4.0, 8.0}))),
      (std::vector<double>{1.0, 2.0, 2.0, 8.0}));
  // Integer operands: zero tangents.
  EXPECT_EQ(values(tangent_of(cp, jnp::array({1, 2}), jnp::zeros({2}, DType::int32))),
            (std::vector<double>{0.0, 0.0}));
}

TEST(JvpRules, DotGeneral) {
  struct Case {
    Shape lhs, rhs;
    lax::DotDimensionNumbers dn;
  };
  const std::vector<Case> cases = {
      {{3, 4}, {4, 5}, {{{1}, {0}}, {{}, {}}}},              // matmul
      {{4}, {4}, {{{0}, {0}}, {{}, {}}}},                    // inner product
      {{3}, {4}, {{{}, {}}, {{}, {}}}},                      // outer product
      {{2, 3, 4}, {2, 4, 5}, {{{2}, {1}}, {{0}, {0}}}},      // batched matmul
      {{4, 2, 3}, {3, 5, 4}, {{{0, 2}, {2, 0}}, {{}, {}}}},  // two contracting dims
      {{3, 2, 4}, {4, 2}, {{{2}, {0}}, {{1}, {1}}}},         // batch dim not leading
  };
  for (DType dtype : {f64, f32}) {
    for (const Case& c : cases) {
      Fn f = [dn = c.dn](const std::vector<Array>& x) {
        return std::vector<Array>{lax::dot_general(x[0], x[1], dn)};
      };
      check_jvp(label("dot_general", dtype, c.lhs.to_vector()), in_dtype(dtype, f),
                gen({{c.lhs, f64}, {c.rhs, f64}}), dot_opts(dtype));
      // Only one operand differentiable (the other a constant).
      Array fixed = testing::gen({{c.rhs, f64}})(5)[0];
      Fn left = [dn = c.dn, fixed](const std::vector<Array>& x) {
        return std::vector<Array>{
            lax::dot_general(x[0], lax::convert_element_type(fixed, x[0].dtype()), dn)};
      };
      check_jvp(label("dot_general lhs only", dtype, c.lhs.to_vector()), in_dtype(dtype, left),
                gen({{c.lhs, f64}}), dot_opts(dtype));
    }
  }
  // preferred_element_type: float32 operands accumulated into float64 (the tangent too).
  Fn pref = [](const std::vector<Array>& x) {
    return std::vector<Array>{lax::dot_general(lax::convert_element_type(x[0], f32),
                                               lax::convert_element_type(x[1], f32),
                                               {{{1}, {0}}, {{}, {}}}, f64)};
  };
  JvpCheck c32 = dot_opts(f32);
  check_jvp("dot_general preferred float64", pref, gen({{{3, 4}, f64}, {{4, 2}, f64}}), c32);
  auto [y, dy] = jvp(
      [](const Array& a) {
        return lax::dot_general(a, a, {{{0}, {0}}, {{}, {}}}, f64);
      },
      std::tuple<Array>(jnp::array({1.0f, 2.0f})), std::tuple<Array>(jnp::array({1.0f, 0.5f})));
  EXPECT_EQ(y.dtype(), f64);
  EXPECT_EQ(dy.dtype(), f64);
  EXPECT_EQ(values(dy), std::vector<double>{4.0});  // 2 * (1*1 + 2*0.5)
  // Integer operands with a float preferred type: a zero tangent.
  Fn ints = [](const std::vector<Array>& x) {
    Array n = lax::convert_element_type(lax::floor(x[0]), DType::int32);
    return std::vector<Array>{lax::mul(x[0], x[0]),
                              lax::dot_general(n, n, {{{1}, {1}}, {{0}, {0}}}, f64)};
  };
  check_jvp("dot_general int preferred float64", ints, gen({{{2, 3}, f64}}));
}

TEST(JvpRules, Sort) {
  for (DType dtype : {f64, f32}) {
    for (int64_t dim : {0, 1}) {
      for (bool stable : {true, false}) {
        Fn one = [dim, stable](const std::vector<Array>& x) {
          return std::vector<Array>{lax::sort(x[0], dim, stable)};
        };
        check_jvp(label("sort", dtype, {dim}), in_dtype(dtype, one), gen({{{4, 5}, f64}}),
                  opts_for(dtype));
      }
      // A key with float payloads, and two keys (the second breaking the first's ties).
      Fn payload = [dim](const std::vector<Array>& x) {
        return lax::sort({x[0], x[1], x[2]}, dim, true, 1);
      };
      check_jvp(label("sort payload", dtype, {dim}), in_dtype(dtype, payload),
                gen({{{4, 5}, f64}, {{4, 5}, f64}, {{4, 5}, f64}}), opts_for(dtype));
      Fn two_keys = [dim](const std::vector<Array>& x) {
        Array coarse = lax::floor(x[0]);  // many ties
        return lax::sort({coarse, x[1], x[2]}, dim, true, 2);
      };
      check_jvp(label("sort two keys", dtype, {dim}), in_dtype(dtype, two_keys),
                gen({{{4, 5}, f64}, {{4, 5}, f64}, {{4, 5}, f64}}), opts_for(dtype));
    }
  }
  // Integer keys ordering a float payload; rank 1 and rank 3.
  Fn int_key = [](const std::vector<Array>& x) { return lax::sort({x[0], x[1]}, 0, true, 1); };
  check_jvp("sort int key", int_key, gen({{{6}, DType::int32, -3, 3}, {{6}, f64}}));
  Fn rank3 = [](const std::vector<Array>& x) { return std::vector<Array>{lax::sort(x[0], 2)}; };
  check_jvp("sort rank 3", rank3, gen({{{2, 3, 4}, f64}}));
  // Exact: the tangents follow the values (stable among equal keys).
  auto s = [](const Array& a) { return lax::sort(a, 0); };
  EXPECT_EQ(
      values(tangent_of(s, jnp::array({3.0, 1.0, 2.0, 1.0}), jnp::array({1.0, 2.0, 3.0, 4.0}))),
      (std::vector<double>{2.0, 4.0, 3.0, 1.0}));
}

// Collectives have meaning only under a vmap binding their axis name: jvp runs inside it (so the
// collectives meet the jvp rules) and is compared with finite differences of the named vmap.
void check_collective_jvp(const std::string& name, const Fn& g, const testing::Gen& gen_examples,
                          const JvpCheck& opt = {}) {
  using testing::detail::expect_close;
  using testing::detail::jvp_tangents;
  using testing::detail::random_tangents;
  using testing::detail::step;
  const double eps = opt.eps;
  for (uint64_t seed : {uint64_t{1}, uint64_t{2}}) {
    std::vector<Array> x = gen_examples(seed);  // examples along axis 0 of every argument
    std::vector<Array> t = random_tangents(x, seed + 77);
    auto named = vmap(g, 0, 0, "b");
    auto push = vmap([&](const std::vector<Array>& xv,
                         const std::vector<Array>& tv) { return jvp_tangents(g, xv, tv); },
                     0, 0, "b");
    std::vector<Array> dy;
    try {
      dy = push(x, t);
    } catch (const std::exception& e) {
      ADD_FAILURE() << name << ": jvp under the named vmap threw " << e.what();
      return;
    }
    std::vector<Array> plus = named(step(x, t, eps)), minus = named(step(x, t, -eps));
    for (size_t k = 0; k < dy.size(); ++k) {
      Array fd = lax::div(lax::sub(plus[k], minus[k]),
                          lax::convert_element_type(Array(2 * eps), plus[k].dtype()));
      expect_close(dy[k], fd, opt.tol, name + " seed " + std::to_string(seed));
    }
    if (!opt.second_order) continue;
    std::vector<Array> t2 = random_tangents(x, seed + 9);
    auto second = vmap(
        [&](const std::vector<Array>& xv, const std::vector<Array>& tv,
            const std::vector<Array>& t2v) {
          Fn first = [&](const std::vector<Array>& xs) { return jvp_tangents(g, xs, tv); };
          return jvp_tangents(first, xv, t2v);
        },
        0, 0, "b");
    std::vector<Array> d2 = second(x, t, t2);
    std::vector<Array> p2 = push(step(x, t2, 1e-4), t), m2 = push(step(x, t2, -1e-4), t);
    for (size_t k = 0; k < d2.size(); ++k) {
      Array fd =
          lax::div(lax::sub(p2[k], m2[k]), lax::convert_element_type(Array(2e-4), p2[k].dtype()));
      expect_close(d2[k], fd, 1e-4, name + " jvp of jvp, seed " + std::to_string(seed));
    }
  }
}

TEST(JvpRules, Collectives) {
  auto examples = gen({{{5, 3}, f64}});
  check_collective_jvp(
      "psum", [](const std::vector<Array>& x) { return std::vector<Array>{lax::psum(x[0], "b")}; },
      examples);
  // Nonlinear around the collective: x / psum(x * x).
  check_collective_jvp(
      "psum normalize",
      [](const std::vector<Array>& x) {
        return std::vector<Array>{lax::div(x[0], lax::psum(lax::mul(x[0], x[0]), "b"))};
      },
      examples);
  check_collective_jvp(
      "pmean",
      [](const std::vector<Array>& x) { return std::vector<Array>{lax::pmean(x[0], "b")}; },
      examples);
  auto matrices = gen({{{5, 3, 2}, f64}});
  for (int64_t axis : {0, 1}) {
    for (bool tiled : {false, true}) {
      check_collective_jvp(
          "all_gather " + std::to_string(axis) + (tiled ? " tiled" : ""),
          [axis, tiled](const std::vector<Array>& x) {
            return std::vector<Array>{lax::all_gather(x[0], "b", axis, tiled)};
          },
          matrices);
    }
  }
  // axis_index: an integer with no tangent, usable alongside differentiated values.
  check_collective_jvp(
      "axis_index",
      [](const std::vector<Array>& x) {
        Array i = lax::convert_element_type(lax::axis_index("b"), f64);
        return std::vector<Array>{lax::mul(x[0], lax::broadcast_in_dim(i, x[0].shape(), {}))};
      },
      examples);
  // float32 inside the named vmap.
  check_collective_jvp("psum float32",
                       in_dtype(f32,
                                [](const std::vector<Array>& x) {
                                  return std::vector<Array>{lax::psum(x[0], "b")};
                                }),
                       examples, opts_for(f32));
}

// pmax/pmin have no jvp rule in JAX (differentiating them raises); neither here.
TEST(JvpRules, PmaxPminAreNotDifferentiable) {
  for (auto op : {lax::pmax, lax::pmin}) {
    auto f = vmap(
        [op](const Array& x, const Array& t) {
          return jvp([op](const Array& a) { return op(a, "b"); }, std::tuple<Array>(x),
                     std::tuple<Array>(t))
              .second;
        },
        0, 0, "b");
    EXPECT_THROW(f(jnp::array({1.0, 2.0}), jnp::array({1.0, 1.0})), NotSupportedError);
  }
}

// threefry2x32/random_bits: integer inputs and outputs; under jvp they run on the primals, and
// samples built on them carry no tangent of their own.
TEST(JvpRules, RandomBitsHaveNoTangent) {
  Array key = random::PRNGKey(3);
  auto f = [key](const Array& x) { return lax::mul(x, random::uniform(key, {4}, f64)); };
  Array u = random::uniform(key, {4}, f64);
  auto [y, dy] = jvp(f, std::tuple<Array>(jnp::ones({4}, f64)),
                     std::tuple<Array>(jnp::full({4}, Array(2.0), f64)));
  EXPECT_EQ(values(y), values(u));
  EXPECT_EQ(values(dy), values(lax::mul(u, jnp::full({4}, Array(2.0), f64))));
}

}  // namespace
}  // namespace jx
