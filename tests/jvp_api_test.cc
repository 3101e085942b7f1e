// jx::jvp and jx::jacfwd: values against closed forms, pytree primals, composition with vmap
// both ways, jvp of jvp, closures, and JAX's error messages.
#include <gtest/gtest.h>

#include <jx/jx.h>

#include <cmath>

#include "test_util.h"

namespace jx {
namespace {
namespace jnp = numpy;
using testing::expect_array_near;
using testing::expect_error;

TEST(Jvp, ClosedForms) {
  auto f = [](const Array& x) { return jnp::sin(x) * x; };
  Array x = jnp::array({0.5, 1.0, 2.0});
  Array t = jnp::array({1.0, -2.0, 0.5});
  auto [y, dy] = jvp(f, std::tuple{x}, std::tuple{t});
  std::vector<double> xs = x.to_vector<double>(), ts = t.to_vector<double>(), expected;
  for (size_t i = 0; i < 3; ++i) {
    expected.push_back((std::cos(xs[i]) * xs[i] + std::sin(xs[i])) * ts[i]);
  }
  expect_array_near<double>(dy, expected, {3}, 1e-12);
  expect_array_near<double>(y, (jnp::sin(x) * x).to_vector<double>(), {3}, 0.0);
}

TEST(Jvp, PytreeArgumentsAndIntegerInputs) {
  auto f = [](const Dict& p, const Array& n) {
    return p["w"] * p["b"] + lax::convert_element_type(n, DType::float32);
  };
  Dict p{{"w", jnp::array({1.f, 2.f})}, {"b", jnp::array(3.f)}};
  Dict tp{{"w", jnp::array({1.f, 0.f})}, {"b", jnp::array(1.f)}};
  Array n = jnp::array({1, 2});
  auto [y, dy] = jvp(f, std::tuple{p, n}, std::tuple{tp, jnp::zeros({2}, DType::int32)});
  // d(w*b) = dw*b + w*db; the integer input contributes nothing.
  testing::expect_array_eq<float>(dy, {1 * 3 + 1 * 1, 0 * 3 + 2 * 1}, {2});
  testing::expect_array_eq<float>(y, {4, 8}, {2});
}

TEST(Jvp, JacfwdAndComposition) {
  Array x = jnp::array({0.3, -1.2});
  auto f = [](const Array& v) { return jnp::stack({v[0] * v[1], jnp::sin(v[0])}); };
  Array J = jacfwd(f)(x);
  EXPECT_EQ(J.shape(), Shape({2, 2}));
  expect_array_near<double>(J, {-1.2, 0.3, std::cos(0.3), 0.0}, {2, 2}, 1e-12);
  // Batched Jacobians: vmap of jacfwd equals jacfwd per example.
  Array xs = jnp::array({{0.3, -1.2}, {1.0, 2.0}, {-0.5, 0.25}});
  Array Js = vmap(jacfwd(f))(xs);
  EXPECT_EQ(Js.shape(), Shape({3, 2, 2}));
  for (int64_t i = 0; i < 3; ++i) {
    expect_array_near<double>(Js[i], jacfwd(f)(xs[i]).to_vector<double>(), {2, 2}, 0.0);
  }
  // jvp of a vmapped function equals vmap of the jvp.
  auto g = [](const Array& v) { return jnp::sin(v) * v; };
  Array t = jnp::ones({3, 2}, DType::float64);
  Array a = jvp(vmap(g), std::tuple{xs}, std::tuple{t}).second;
  Array b = vmap([&](const Array& v, const Array& tv) {
    return jvp(g, std::tuple{v}, std::tuple{tv}).second;
  })(xs, t);
  expect_array_near<double>(a, b.to_vector<double>(), {3, 2}, 0.0);
  // Second derivative of sin: jvp of jvp = -sin.
  auto d = [](const Array& v) {
    return jvp([](const Array& u) { return jnp::sin(u); }, std::tuple{v},
               std::tuple{jnp::ones_like(v)})
        .second;
  };
  Array x0 = jnp::array({0.7});
  expect_array_near<double>(jvp(d, std::tuple{x0}, std::tuple{jnp::ones_like(x0)}).second,
                            {-std::sin(0.7)}, {1}, 1e-12);
  // jacfwd of jacfwd: the Hessian of sum(x^3) is diag(6x).
  auto cube = [](const Array& v) { return jnp::sum(v * v * v); };
  Array H = jacfwd(jacfwd(cube))(x);
  expect_array_near<double>(H, {6 * 0.3, 0, 0, 6 * -1.2}, {2, 2}, 1e-12);
}

TEST(Jvp, ClosureOverOuterTracer) {
  // d/da [jvp of (x -> a * x) at x along 1] = d/da a = 1.
  auto outer = [](const Array& a) {
    auto inner = [&a](const Array& x) { return a * x; };
    return jvp(inner, std::tuple{jnp::array(2.0)}, std::tuple{jnp::array(1.0)}).second;
  };
  auto [v, dv] = jvp(outer, std::tuple{jnp::array(3.0)}, std::tuple{jnp::array(1.0)});
  EXPECT_EQ(v.item<double>(), 3.0);
  EXPECT_EQ(dv.item<double>(), 1.0);
}

TEST(JvpErrors, Messages) {
  auto f = [](const Array& x) { return x * 2.0f; };
  expect_error<DTypeError>(
      [&] { jvp(f, std::tuple{jnp::ones({3})}, std::tuple{jnp::ones({3}, DType::float64)}); },
      {"primal and tangent arguments to jax.jvp do not match; dtypes must be equal",
       "Got primal dtype float32", "but got tangent dtype float64 instead."});
  expect_error<ShapeError>([&] { jvp(f, std::tuple{jnp::ones({3})}, std::tuple{jnp::ones({4})}); },
                           {"jvp called with different primal and tangent shapes;Got primal "
                            "shape (3,) and tangent shape as (4,)"});
  auto g = [](const std::vector<Array>& v) { return v[0]; };
  expect_error<ValueError>(
      [&] {
        jvp(g, std::tuple{std::vector<Array>{jnp::ones({3})}},
            std::tuple{std::vector<Array>{jnp::ones({3}), jnp::ones({3})}});
      },
      {"primal and tangent arguments to jax.jvp must have the same tree structure"});
  expect_error<ValueError>([&] { jacfwd(f, 1)(jnp::ones({3})); },
                           {"jacfwd: argnums 1 is out of range"});
  expect_error<DTypeError>(
      [&] {
        jacfwd([](const Array& x) { return x; })(jnp::array({1, 2}));
      },
      {"jacfwd requires real-valued inputs"});
}

}  // namespace
}  // namespace jx
