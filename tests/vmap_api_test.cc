// jx::vmap's API: the seed's examples, in_axes/out_axes prefixes over pytrees, nesting,
// closures over outer tracers, axis_size, named axes with collectives, and the errors.
#include <gtest/gtest.h>

#include <jx/jx.h>

#include <random>
#include <sstream>

#include "test_util.h"

namespace jx {
namespace {
namespace jnp = numpy;
using testing::expect_array_eq;
using testing::expect_array_near;
using testing::expect_error;

std::string str(const Array& a) {
  std::ostringstream os;
  os << a;
  return os.str();
}

Array predict(const Dict& params, const Array& features) {
  Array logits = jnp::matmul(features, params["w"]) + params["b"];
  return jnp::stack({logits, lax::logistic(logits)});
}

TEST(Vmap, SeedPredict) {
  auto batched_predict = vmap(predict, {none, 0});
  Dict params{{"w", jnp::array({1.5f, -0.5f})}, {"b", 0.25f}};
  Array X = jnp::array({{1.0f, 2.0f}, {2.5f, -1.0f}, {-0.25f, 0.75f}});
  Array out = batched_predict(params, X);
  EXPECT_EQ(out.shape(), Shape({3, 2}));
  EXPECT_EQ(str(out[0]), "[0.75      0.6791787]");
  EXPECT_EQ(str(out),
            "[[ 0.75        0.6791787 ]\n [ 4.5         0.9890131 ]\n [-0.5         0.37754068]]");
}

TEST(Vmap, SeedScaledLossAndNormalize) {
  auto scaled_loss = [](const Array& scale, const Array& preds, const Array& targets) {
    Array residual = preds - targets;
    return scale * jnp::sum(jnp::square(residual));
  };
  auto batched_loss = vmap(scaled_loss, {none, 0, 0});
  Array preds = jnp::array({{0.2f, 0.8f}, {0.6f, 0.4f}});
  Array targets = jnp::array({{0.0f, 1.0f}, {1.0f, 0.0f}});
  EXPECT_EQ(str(batched_loss(jnp::array(0.5f), preds, targets)), "[0.04 0.16]");

  auto normalize = [](const Array& x) { return (x - jnp::mean(x)) / jnp::std(x); };
  Array images = jnp::reshape(jnp::arange(2 * 28 * 28, DType::float32), {2, 28, 28});
  Array a = vmap(normalize, 0, 0)(images);
  Array b = vmap(normalize, 0, -1)(images);
  EXPECT_EQ(a.shape(), Shape({2, 28, 28}));
  EXPECT_EQ(b.shape(), Shape({28, 28, 2}));
  expect_array_near(a[1], normalize(images[1]).to_vector<float>(), {28, 28}, 1e-6f);
  expect_array_near(jnp::moveaxis(b, -1, 0)[0], a[0].to_vector<float>(), {28, 28}, 0.0f);
}

TEST(Vmap, SeedPairwiseDistances) {
  auto euclidean_distance = [](const Array& x, const Array& y) {
    return jnp::sqrt(jnp::sum(jnp::square(x - y)));
  };
  auto pairwise_dist = vmap(vmap(euclidean_distance, {none, 0}), {0, none});
  Array P = jnp::array({{0.f, 0.f}, {1.f, 0.f}, {0.f, 1.f}});
  Array Q = jnp::array({{0.f, 0.f}, {1.f, 1.f}});
  EXPECT_EQ(str(pairwise_dist(P, Q)),
            "[[0.        1.4142135]\n [1.        1.       ]\n [1.        1.       ]]");
}

TEST(Vmap, PytreeInAndOutAxes) {
  // A dict argument mapped per key, a tuple result with per-leaf out_axes.
  auto f = [](const Dict& d, const Array& y) { return std::make_tuple(d["a"] * y, d["b"] + 1.0f); };
  Dict d{{"a", jnp::array({{1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}})}, {"b", jnp::array({7.f, 8.f})}};
  Array y = jnp::array({10.f, 20.f});
  auto [p, q] = vmap(f, {AxisSpec::dict({{"a", 0}, {"b", none}}), none}, {1, 0})(d, y);
  expect_array_eq<float>(p, {10, 30, 50, 40, 80, 120}, {2, 3});
  // d["b"] is unmapped: its result is broadcast along out axis 0.
  expect_array_eq<float>(q, {8, 9, 8, 9, 8, 9}, {3, 2});
  // in_axes as one int applies to every leaf; a mapped axis may be negative.
  auto g = [](const std::vector<Array>& xs) { return xs[0] + xs[1]; };
  Array x0 = jnp::array({{1.f, 2.f}, {3.f, 4.f}});
  expect_array_eq<float>(vmap(g, -1)(std::vector<Array>{x0, x0}), {2, 6, 4, 8}, {2, 2});
}

struct Layer {
  Array w;
  Array b;
};
JX_REGISTER_PYTREE(Layer, w, b)

TEST(Vmap, RegisteredStructAndOutAxesNone) {
  auto f = [](const Layer& l, const Array& x) { return Layer{l.w * x, l.b}; };
  Layer l{jnp::array({1.f, 2.f}), jnp::array(3.f)};
  Layer out = vmap(f, {none, 0}, AxisSpec::dict({{"w", 0}, {"b", none}}))(
      l, jnp::array({{1.f, 1.f}, {2.f, 2.f}, {3.f, 3.f}}));
  expect_array_eq<float>(out.w, {1, 2, 2, 4, 3, 6}, {3, 2});
  expect_array_eq<float>(out.b, {3}, {});
}

TEST(Vmap, NestedThreeDeepAndClosures) {
  Array x = jnp::reshape(jnp::arange(24, DType::float32), {2, 3, 4});
  auto f = [](const Array& v) { return v * 2.0f + 1.0f; };
  expect_array_eq<float>(vmap(vmap(vmap(f)))(x), (x * 2.0f + 1.0f).to_vector<float>(), {2, 3, 4});
  // The inner function closes over the outer tracer `a`.
  auto outer = [](const Array& a) {
    auto inner = [&a](const Array& b) { return a * b; };
    return vmap(inner)(jnp::array({1.f, 10.f}));
  };
  expect_array_eq<float>(vmap(outer)(jnp::array({1.f, 2.f, 3.f})), {1, 10, 2, 20, 3, 30}, {3, 2});
}

TEST(Vmap, AxisSizeWithNoMappedArgument) {
  auto f = [](const Array& x) { return x + 1.0f; };
  Array out = vmap(f, none, 0, std::nullopt, 4)(jnp::array({1.f, 2.f}));
  expect_array_eq<float>(out, {2, 3, 2, 3, 2, 3, 2, 3}, {4, 2});
}

TEST(VmapErrors, UnboundAxisName) {
  Array x = jnp::array({1.f, 2.f});
  expect_error<NameError>([&] { lax::psum(x, "batch"); },
                          {"unbound axis name: batch", "available to collective operations: []"});
  auto f = [](const Array& v) { return lax::psum(v, "j"); };
  expect_error<NameError>([&] { vmap(f, 0, 0, "i")(x); },
                          {"unbound axis name: j", "collective operations: ['i']"});
}

TEST(VmapErrors, InconsistentSizes) {
  auto h = [](const Array& a, const Array& b) { return jnp::sum(a) + jnp::sum(b); };
  Array X = jnp::ones({10, 4});
  Array U = jnp::ones({10, 2});
  expect_error<ValueError>(
      [&] {
        vmap(h, {0, 1})(X, U);
      },
      {"vmap got inconsistent sizes for array axes to be mapped:\n"
       "  * one axis had size 10: axis 0 of args[0] of type float32[10,4];\n"
       "  * one axis had size 2: axis 1 of args[1] of type float32[10,2]"});
  auto h3 = [](const Array& a, const Array& b, const Array& c) { return a; };
  expect_error<ValueError>(
      [&] {
        vmap(h3, {0, 1, 0})(X, U, X);
      },
      {"  * most axes (2 of them) had size 10, e.g. axis 0 of args[0] of type float32[10,4];\n"
       "  * one axis had size 2: axis 1 of args[1] of type float32[10,2]"});
  // Dict leaves are named by their key path; the axis_size argument is listed.
  auto hd = [](const Dict& d) { return d["w"]; };
  Dict d{{"w", jnp::ones({3})}, {"b", jnp::ones({4})}};
  expect_error<ValueError>(
      [&] { vmap(hd, 0, 0, std::nullopt, 5)(d); },
      {"axis 0 of args[0]['b'] of type float32[4]", "axis 0 of args[0]['w'] of type float32[3]",
       "the axis_size argument to vmap is 5"});
}

TEST(VmapErrors, InAxesNotAPrefix) {
  auto f = [](const Array& x) { return x; };
  expect_error<ValueError>(
      [&] {
        vmap(f, {0, 0})(jnp::ones({3}));
      },
      {"len(in_axes)=2, len(args)=1"});
  auto g = [](const std::tuple<Array, Array>& t) { return std::get<0>(t); };
  expect_error<ValueError>(
      [&] {
        vmap(g, AxisSpec::sequence({{0, 0, 0}}))(std::make_tuple(jnp::ones({3}), jnp::ones({3})));
      },
      {"vmap in_axes specification must be a tree prefix of the corresponding value",
       "in_axes[0]"});
}

TEST(VmapErrors, RankTooSmall) {
  auto f = [](const Array& x) { return x; };
  expect_error<ValueError>(
      [&] {
        vmap(f, 2)(jnp::ones({4, 5}));
      },
      {"vmap was requested to map its argument along axis 2, which implies "
       "that its rank should be at least 3, but is only 2 (its shape is "
       "(4, 5))"});
  expect_error<ValueError>(
      [&] {
        vmap(f, -3)(jnp::ones({4, 5}));
      },
      {"along axis -3, which implies that its rank should be at least 3"});
}

TEST(VmapErrors, MappedOutputWithOutAxesNone) {
  auto f = [](const Array& x) { return x * 2.0f; };
  expect_error<ValueError>([&] { vmap(f, 0, none)(jnp::ones({3})); },
                           {"vmap has mapped output", "but out_axes is None"});
}

TEST(VmapErrors, NoMappedArgument) {
  auto f = [](const Array& x) { return x; };
  expect_error<ValueError>([&] { vmap(f, none)(jnp::ones({3})); },
                           {"vmap must have at least one non-None value in in_axes"});
}

TEST(VmapErrors, EscapedTracer) {
  Array leaked;
  auto f = [&leaked](const Array& x) {
    leaked = x;
    return x;
  };
  vmap(f)(jnp::ones({3}));
  expect_error<ValueError>([&] { lax::neg(leaked); }, {"escaped tracer"});
  // Inside another vmap the stale tracer is not mistaken for one of the new trace's.
  auto g = [&leaked](const Array& x) { return x + leaked; };
  expect_error<ValueError>([&] { vmap(g)(jnp::ones({3})); }, {"escaped tracer"});
}

TEST(VmapErrors, ConcreteValueInsideVmap) {
  auto f = [](const Array& x) { return Array(x.item<float>()); };
  expect_error<ConcretizationError>([&] { vmap(f)(jnp::ones({3})); },
                                    {"Abstract tracer value encountered", "float32[]", "static"});
}

// Randomized specs, ranks and sizes (valid or not): vmap either works or throws a jx::Error,
// never anything else (a logic_error from a rule would mean a batch rule broke its contract).
TEST(VmapErrors, RandomSpecsOnlyEverThrowJxErrors) {
  std::mt19937 rng(123);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<std::function<Array(const Array&, const Array&)>> fns = {
      [](const Array& a, const Array& b) { return a * b; },
      [](const Array& a, const Array& b) { return jnp::sum(a, -1) + jnp::sum(b); },
      [](const Array& a, const Array& b) { return jnp::matmul(a, b); },
      [](const Array& a, const Array& b) { return jnp::moveaxis(a, 0, -1); },
      [](const Array& a, const Array& b) {
        return jnp::concatenate({a, b}, 0);
      },
  };
  int ok = 0, errors = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    auto shape = [&] {
      std::vector<int64_t> s(static_cast<size_t>(pick(0, 3)));
      for (auto& d : s) d = pick(0, 6) == 0 ? 0 : 3;
      return Shape(s);
    };
    auto axis = [&]() -> AxisSpec {
      int a = pick(-4, 4);
      return a == 4 ? AxisSpec(none) : AxisSpec(a);
    };
    Array a = jnp::ones(shape());
    Array b = pick(0, 1) ? a : jnp::ones(shape());
    AxisSpec in_axes = pick(0, 3) == 0 ? axis() : AxisSpec{axis(), axis()};
    AxisSpec out_axes = axis();
    std::optional<int64_t> size;
    if (pick(0, 4) == 0) size = pick(0, 3);
    const auto& f = fns[static_cast<size_t>(pick(0, static_cast<int>(fns.size()) - 1))];
    try {
      if (pick(0, 1)) {
        vmap(f, in_axes, out_axes, std::nullopt, size)(a, b);
      } else {
        vmap(vmap(f, in_axes, out_axes), {0, axis()})(a, b);
      }
      ++ok;
    } catch (const Error&) {
      ++errors;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "trial " << trial << ": not a jx::Error: " << e.what();
    }
  }
  // Both outcomes occur often enough for the check to mean something.
  EXPECT_GT(ok, 50);
  EXPECT_GT(errors, 500);
}

}  // namespace
}  // namespace jx
