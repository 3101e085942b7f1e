// jx::grad, value_and_grad, vjp, linearize, jacrev, hessian: results against closed forms,
// pytree gradients, argnums/has_aux, composition with vmap and jvp both ways, JAX's errors.
#include <gtest/gtest.h>

#include <jx/jx.h>

#include <string>
#include <vector>

#include "jvp_harness.h"
#include "test_util.h"

namespace jx {
namespace {
namespace jnp = numpy;
using testing::ArgSpec;
using testing::expect_error;
using testing::gen;

TEST(GradApi, PolynomialAndItsSecondDerivative) {
  auto f = [](const Array& x) { return lax::add(lax::mul(lax::mul(x, x), x), x); };  // x^3 + x
  EXPECT_FLOAT_EQ(grad(f)(Array(2.0f)).item<float>(), 13.0f);
  EXPECT_FLOAT_EQ(grad(grad(f))(Array(2.0f)).item<float>(), 12.0f);
  EXPECT_FLOAT_EQ(grad(grad(grad(f)))(Array(2.0f)).item<float>(), 6.0f);
}

TEST(GradApi, ArgnumsAndHasAux) {
  auto f = [](const Array& x, const Array& w) { return lax::mul(lax::mul(x, w), x); };
  auto [dx, dw] = grad(f, argnums<0, 1>)(Array(2.0f), Array(5.0f));
  EXPECT_FLOAT_EQ(dx.item<float>(), 20.0f);
  EXPECT_FLOAT_EQ(dw.item<float>(), 4.0f);
  EXPECT_FLOAT_EQ(grad(f, argnums<1>)(Array(2.0f), Array(5.0f)).item<float>(), 4.0f);
  auto g = [](const Array& x) { return std::pair{lax::mul(x, x), lax::add(x, Array(1.0f))}; };
  auto [d, aux] = grad(g, argnums<0>, has_aux)(Array(3.0f));
  EXPECT_FLOAT_EQ(d.item<float>(), 6.0f);
  EXPECT_FLOAT_EQ(aux.item<float>(), 4.0f);
  auto [value, d2] = value_and_grad(f)(Array(2.0f), Array(5.0f));
  EXPECT_FLOAT_EQ(value.item<float>(), 20.0f);
  EXPECT_FLOAT_EQ(d2.item<float>(), 20.0f);
}

TEST(GradApi, CheckGradsOfBinaryOps) {
  for (DType d : {DType::float64}) {
    for (auto [name, f] : std::vector<std::pair<std::string, testing::Fn>>{
             {"add", [](const std::vector<Array>& a) { return std::vector{lax::add(a[0], a[1])}; }},
             {"sub", [](const std::vector<Array>& a) { return std::vector{lax::sub(a[0], a[1])}; }},
             {"mul", [](const std::vector<Array>& a) { return std::vector{lax::mul(a[0], a[1])}; }},
             {"div", [](const std::vector<Array>& a) { return std::vector{lax::div(a[0], a[1])}; }},
         }) {
      testing::check_grads(name, f, gen({ArgSpec{{3, 4}, d, 1, 2}, ArgSpec{{3, 4}, d, 1, 2}}));
    }
  }
}

Array vec(std::vector<float> v) { return Array::from_vector(v); }

TEST(GradApi, PytreeGradientsHaveTheArgumentsType) {
  auto loss = [](const Dict& p, const Array& x) {
    return jnp::sum(jnp::tanh(jnp::matmul(x, p["w"]) + p["b"]));
  };
  Dict params{{"w", vec({1.0f, -2.0f})}, {"b", Array(0.3f)}};
  Array x = jnp::array({{1.0f, 0.0f}, {0.5f, 1.5f}});
  Dict g = grad(loss)(params, x);
  ASSERT_EQ(g["w"].shape(), Shape({2}));
  ASSERT_EQ(g["b"].shape(), Shape({}));
  // d/dw sum(tanh(xw + b)) = x^T (1 - tanh^2), d/db = sum(1 - tanh^2)
  Array d = 1.0f - jnp::square(jnp::tanh(jnp::matmul(x, params["w"]) + params["b"]));
  testing::detail::expect_close(g["w"], jnp::matmul(d, x), 1e-6, "dw");
  testing::detail::expect_close(g["b"], jnp::sum(d), 1e-6, "db");
}

TEST(GradApi, ComposesWithVmapBothWays) {
  auto f = [](const Array& w, const Array& x) { return jnp::sum(jnp::sin(w * x) * w); };
  Array w = vec({0.5f, -1.0f, 2.0f});
  Array xs = jnp::array(
      {{1.0f, 2.0f, 3.0f}, {-1.0f, 0.5f, 0.0f}, {0.1f, 0.2f, 0.3f}, {2.0f, -2.0f, 1.0f}});
  // vmap of grad (per-example gradients) equals a loop of grads.
  Array per_example = vmap(grad(f), {none, 0})(w, xs);
  for (int i = 0; i < 4; ++i) {
    testing::detail::expect_close(per_example[i], grad(f)(w, xs[i]), 1e-6, "vmap(grad)");
  }
  // grad of a vmapped function equals the sum of per-example gradients.
  auto total = [&](const Array& w_) { return jnp::sum(vmap(f, {none, 0})(w_, xs)); };
  testing::detail::expect_close(grad(total)(w), jnp::sum(per_example, 0), 1e-5, "grad(vmap)");
  // vmap of jacrev equals a loop of jacrevs.
  auto g = [](const Array& x) { return jnp::sin(x) * jnp::sum(x); };
  Array jac = vmap(jacrev(g))(xs);
  for (int i = 0; i < 4; ++i) {
    testing::detail::expect_close(jac[i], jacrev(g)(xs[i]), 1e-6, "vmap(jacrev)");
    testing::detail::expect_close(jac[i], jacfwd(g)(xs[i]), 1e-5, "jacrev vs jacfwd");
  }
}

TEST(GradApi, HessianAgainstFiniteDifferencesOfTheGradient) {
  auto f = [](const Array& x) { return jnp::sum(jnp::exp(x * 0.5) * jnp::sin(x)) * jnp::sum(x); };
  Array x = Array::from_vector(std::vector<double>{0.3, -0.7, 1.1});
  Array h = hessian(f)(x);
  ASSERT_EQ(h.shape(), Shape({3, 3}));
  const double eps = 1e-5;
  for (int j = 0; j < 3; ++j) {
    Array e = jnp::zeros({3}, DType::float64).at(j).set(Array(eps));
    Array column = (grad(f)(x + e) - grad(f)(x - e)) / (2 * eps);
    testing::detail::expect_close(jnp::moveaxis(h, 1, 0)[j], column, 1e-6, "hessian column");
  }
  testing::detail::expect_close(h, jacrev(jacfwd(f))(x), 1e-12, "jacfwd(jacrev) vs jacrev(jacfwd)");
  testing::detail::expect_close(h, jacrev(jacrev(f))(x), 1e-12, "jacrev(jacrev)");
}

TEST(GradApi, VjpAndLinearize) {
  auto f = [](const Array& x, const Array& y) { return std::pair{x * y, jnp::sin(x)}; };
  Array x = vec({1.0f, 2.0f}), y = vec({3.0f, -1.0f});
  auto [out, pullback] = vjp(f, x, y);
  auto [dx, dy] = pullback(std::pair{vec({1.0f, 1.0f}), vec({2.0f, 0.0f})});
  testing::detail::expect_close(dx, y + 2.0f * jnp::cos(x) * vec({1.0f, 0.0f}), 1e-6, "dx");
  testing::detail::expect_close(dy, x, 0, "dy");
  auto [out2, f_jvp] = linearize(f, x, y);
  auto [t1, t2] = f_jvp(vec({1.0f, 0.5f}), vec({0.0f, 2.0f}));
  auto [p, tangents] = jvp(f, std::tuple{x, y}, std::tuple{vec({1.0f, 0.5f}), vec({0.0f, 2.0f})});
  testing::detail::expect_close(t1, tangents.first, 1e-6, "linearize vs jvp");
  testing::detail::expect_close(t2, tangents.second, 1e-6, "linearize vs jvp");
  // has_aux: (output, pullback, aux), aux returned as computed and not differentiated.
  auto with_aux = [](const Array& x) { return std::pair{jnp::sum(x * x), x + 1.0f}; };
  auto [value, pb_aux, aux] = vjp(with_aux, has_aux, vec({1.0f, 2.0f}));
  EXPECT_EQ(value.item<float>(), 5.0f);
  EXPECT_EQ(aux.to_vector<float>(), (std::vector<float>{2.0f, 3.0f}));
  EXPECT_EQ(std::get<0>(pb_aux(Array(1.0f))).to_vector<float>(), (std::vector<float>{2.0f, 4.0f}));
  // Integer arguments have no tangent space: their cotangent is zero (JAX's float0).
  auto scale = [](const Array& x, const Array& n) { return x * n.astype(DType::float32); };
  auto [o, pb] = vjp(scale, vec({1.0f, 2.0f}), Array::from_vector(std::vector<int32_t>{3, 4}));
  auto [cx, cn] = pb(vec({1.0f, 1.0f}));
  EXPECT_EQ(cn.dtype(), DType::int32);
  EXPECT_EQ(cn.to_vector<int32_t>(), (std::vector<int32_t>{0, 0}));
  testing::detail::expect_close(cx, vec({3.0f, 4.0f}), 0, "cx");
}

TEST(GradApi, ReverseModeKeepsOnlyTheResidualsItNeeds) {
  // exp(exp(x)) + 0 * x: the transpose needs exp(x) and exp(exp(x)), not x or the sum.
  auto f = [](const Array& x) { return jnp::exp(jnp::exp(x)); };
  std::vector<Array> leaves{vec({0.1f, 0.2f})};
  detail::LinearizeCall call(leaves, {true});
  Array out = f(leaves[0]);
  auto [po, lin] = call.finish({out});
  std::string s = lin.str();
  std::string consts = s.substr(0, s.find(';'));
  EXPECT_EQ(std::count(consts.begin(), consts.end(), ':'), 2) << s;
}

TEST(GradApi, CustomJvpRuleIsUsedUnderEveryTransformation) {
  int calls = 0;
  // The rule deliberately says 3 * dx, so we can tell it from differentiating f itself.
  auto f = custom_jvp([](const Array& x) { return jnp::sin(x); },
                      [&calls](const std::tuple<Array>& p, const std::tuple<Array>& t) {
                        ++calls;
                        return std::pair{jnp::sin(std::get<0>(p)), 3.0f * std::get<0>(t)};
                      });
  Array x = vec({0.1f, 0.2f, 0.3f});
  auto sum_f = [&](const Array& v) { return jnp::sum(f(v)); };
  testing::detail::expect_close(grad(sum_f)(x), jnp::full_like(x, 3.0f), 0, "grad");
  testing::detail::expect_close(jacfwd(f)(x), jnp::eye(3) * 3.0f, 0, "jacfwd");
  testing::detail::expect_close(vmap(grad(f))(x), jnp::full_like(x, 3.0f), 0, "vmap(grad)");
  auto vmapped = [&](const Array& v) { return jnp::sum(vmap(f)(v)); };
  testing::detail::expect_close(grad(vmapped)(x), jnp::full_like(x, 3.0f), 0, "grad(vmap)");
  EXPECT_GE(calls, 4);
  testing::detail::expect_close(f(x), jnp::sin(x), 0, "value");
  // The rule's own derivative: second order differentiates the rule (3 dx is linear: 0).
  testing::detail::expect_close(grad(grad(f))(Array(0.5f)), Array(0.0f), 0, "grad(grad)");
}

TEST(GradApi, CustomJvpMakesLog1pexpStable) {
  auto log1pexp = custom_jvp(
      [](const Array& x) { return jnp::log1p(jnp::exp(x)); },
      [](const std::tuple<Array>& p, const std::tuple<Array>& t) {
        auto [x] = p;
        auto [dx] = t;
        return std::pair{jnp::log1p(jnp::exp(x)), dx * (1.0f - 1.0f / (1.0f + jnp::exp(x)))};
      });
  EXPECT_FLOAT_EQ(grad(log1pexp)(Array(100.0f)).item<float>(), 1.0f);
  auto naive = [](const Array& x) { return jnp::log1p(jnp::exp(x)); };
  EXPECT_TRUE(std::isnan(grad(naive)(Array(100.0f)).item<float>()));
}

TEST(GradApi, CustomVjpBackwardPassIsUsed) {
  auto f =
      custom_vjp([](const Array& x) { return jnp::sin(x); },
                 [](const Array& x) {
                   return std::pair{jnp::sin(x), jnp::cos(x)};
                 },
                 [](const Array& cos_x, const Array& g) { return std::tuple{5.0f * g * cos_x}; });
  Array x = vec({0.1f, 0.2f, 0.3f});
  auto sum_f = [&](const Array& v) { return jnp::sum(f(v)); };
  testing::detail::expect_close(grad(sum_f)(x), 5.0f * jnp::cos(x), 1e-7, "grad");
  testing::detail::expect_close(vmap(grad(f))(x), 5.0f * jnp::cos(x), 1e-7, "vmap(grad)");
  auto vmapped = [&](const Array& v) { return jnp::sum(vmap(f)(v)); };
  testing::detail::expect_close(grad(vmapped)(x), 5.0f * jnp::cos(x), 1e-7, "grad(vmap)");
  testing::detail::expect_close(jacrev(f)(x), jnp::eye(3) * (5.0f * jnp::cos(x)), 1e-7, "jacrev");
  testing::detail::expect_close(f(x), jnp::sin(x), 0, "value");
  expect_error<NotSupportedError>(
      [&] { jvp(f, std::tuple{x}, std::tuple{x}); },
      "can't apply forward-mode autodiff (jvp) to a custom_vjp function.");
  // Gradient clipping, the classic use.
  auto clip_gradient = custom_vjp(
      [](const Array& x) { return x; },
      [](const Array& x) {
        return std::pair{x, x};
      },
      [](const Array&, const Array& g) { return std::tuple{jnp::clip(g, -1.0f, 1.0f)}; });
  auto loss = [&](const Array& v) { return jnp::sum(10.0f * clip_gradient(v)); };
  testing::detail::expect_close(grad(loss)(x), jnp::ones_like(x), 0, "clipped");
}

TEST(GradApi, Errors) {
  auto vector_out = [](const Array& x) { return jnp::sin(x); };
  expect_error<ShapeError>(
      [&] {
        grad(vector_out)(vec({1.0f, 2.0f, 3.0f}));
      },
      "Gradient only defined for scalar-output functions. Output had shape: "
      "(3,).");
  auto square = [](const Array& x) { return x * x; };
  expect_error<DTypeError>([&] { grad(square)(Array(3)); },
                           "grad requires real- or complex-valued inputs (input dtype that is a "
                           "sub-dtype of np.inexact), but got int32. If you want to use Boolean- "
                           "or integer-valued inputs, use vjp or set allow_int to True.");
  auto to_int = [](const Array& x) { return jnp::sum(x).astype(DType::int32); };
  expect_error<DTypeError>([&] { grad(to_int)(vec({1.0f})); },
                           "grad requires real-valued outputs (output dtype that is a sub-dtype of "
                           "np.floating), but got int32.");
  expect_error<ValueError>([&] { jacrev(square, 1)(vec({1.0f})); },
                           "jacrev: argnums 1 is out of range for a function of 1 positional "
                           "arguments");
  auto [y, pullback] = vjp(square, vec({1.0f, 2.0f}));
  expect_error<ShapeError>(
      [&] {
        pullback(vec({1.0f, 2.0f, 3.0f}));
      },
      "Shape of cotangent input to vjp pullback function (3,) must be the same "
      "as the shape of corresponding primal input (2,).");
  expect_error<DTypeError>(
      [&] {
        pullback(Array::from_vector(std::vector<double>{1.0, 2.0}));
      },
      "Type of cotangent input to vjp pullback function (float64) is not the expected tangent type "
      "(float32) of corresponding primal output with dtype float32.");
}

TEST(MakeJaxpr, PrintsTheProgramsThatTransformationsProduce) {
  auto f = [](const Array& x) { return lax::mul(lax::sin(x), Array(2.0f)); };
  Array x = numpy::zeros({3});
  // What JAX prints: short programs on one line (width 80, as JAX's pretty-printer).
  EXPECT_EQ(make_jaxpr(f)(x).str(),
            "{ lambda ; a:f32[3]. let b:f32[3] = sin a; c:f32[3] = mul b 2.0:f32[] in (c,) }");
  auto g = [](const Array& x) { return lax::mul(x, x); };
  // grad of x*x stages the forward product and the transposed tangent products.
  EXPECT_EQ(make_jaxpr(grad(g))(Array(1.0f)).str(),
            "{ lambda ; a:f32[]. let\n"
            "    b:f32[] = mul a a\n"
            "    c:f32[] = mul a 1.0:f32[]\n"
            "    d:f32[] = mul 1.0:f32[] a\n"
            "    e:f32[] = add c d\n"
            "  in (e,) }");
}

// Nested derivatives that close over an outer differentiation variable must keep the two
// perturbations apart (Siskind and Pearlmutter's perturbation confusion).
TEST(GradApi, NestedDerivativesDoNotConfusePerturbations) {
  auto outer = [](const Array& x) {
    auto inner = [&](const Array& y) { return lax::add(x, y); };
    return lax::mul(x, grad(inner)(Array(1.0f)));  // x * 1
  };
  EXPECT_EQ(grad(outer)(Array(2.0f)).item<float>(), 1.0f);
  auto mixed = [](const Array& x) {
    return grad([&](const Array& y) { return lax::mul(x, y); })(Array(3.0f));  // = x
  };
  EXPECT_EQ(grad(mixed)(Array(2.0f)).item<float>(), 1.0f);
  EXPECT_EQ(jacfwd(mixed)(Array(2.0f)).item<float>(), 1.0f);
  auto h = [](const Array& x) {  // d/dy (x y^2) at y = 3: 6x
    return grad([&](const Array& y) { return lax::mul(lax::mul(x, y), y); })(Array(3.0f));
  };
  Array xs = numpy::arange(3).astype(DType::float32);
  EXPECT_EQ(vmap(h)(xs).to_vector<float>(), (std::vector<float>{0, 6, 12}));
  EXPECT_EQ(vmap(grad(h))(xs).to_vector<float>(), (std::vector<float>{6, 6, 6}));
}

}  // namespace
}  // namespace jx
