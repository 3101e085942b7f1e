// The jvp, partial-eval and transpose rules of the higher-order primitives: jit in both modes
// against finite differences (check_grads: jvp, vjp, their agreement, vmap of vjp, second
// order), and the custom_jvp/custom_vjp calls jit stages, whose rules must be the user's.
#include <gtest/gtest.h>

#include <jx/jx.h>

#include "jvp_harness.h"
#include "test_util.h"

namespace jx {
namespace {
namespace jnp = numpy;
using testing::check_grads;
using testing::gen;

TEST(JvpRules, JitCall) {
  auto body = jit([](const Array& x, const Array& y) {
    return std::pair{jnp::sin(x) * y + jnp::exp(y), jnp::sum(x * x, 0)};
  });
  auto f = [body](const std::vector<Array>& a) {
    auto [p, s] = body(a[0], a[1]);
    return std::vector<Array>{p, s};
  };
  check_grads("jit", f, gen({{{2, 3}, DType::float64}, {{3}, DType::float64}}));
  // An integer operand and an output that does not depend on the differentiated inputs.
  auto g = [](const std::vector<Array>& a) {
    return jit([](const Array& x, const Array& k) {
      return std::vector<Array>{x * lax::convert_element_type(k, DType::float64), k * 2};
    })(a[0], a[1]);
  };
  check_grads("jit with int operand", g, gen({{{3}, DType::float64}, {{3}, DType::int32}}));
}

TEST(JvpRules, CustomJvpCallUnderJit) {
  auto softplus = custom_jvp([](const Array& x) { return jnp::log1p(jnp::exp(x)); },
                             [](const std::tuple<Array>& p, const std::tuple<Array>& t) {
                               auto [x] = p;
                               auto [dx] = t;
                               return std::pair{jnp::log1p(jnp::exp(x)), dx * nn::sigmoid(x)};
                             });
  auto f = testing::fn1([softplus](const std::vector<Array>& a) {
    return jit([softplus](const Array& x) { return softplus(x) * x; })(a[0]);
  });
  check_grads("jit(custom_jvp)", f, gen({{{2, 3}, DType::float64}}));
}

TEST(JvpRules, CustomVjpCallUnderJit) {
  // Reverse mode only (forward mode of custom_vjp is an error, as in JAX): the gradient is the
  // backward pass's, which here differs from the function's true derivative on purpose.
  auto clip = custom_vjp(
      [](const Array& x) { return x * 3.0; },
      [](const Array& x) {
        return std::pair{x * 3.0, x};
      },
      [](const Array& x, const Array& g) { return std::tuple{jnp::clip(g * x, -1.0, 1.0)}; });
  auto loss = jit([clip](const Array& x) { return jnp::sum(clip(x)); });
  Array x = jnp::array({0.5, -2.0, 3.0});
  testing::expect_array_eq<double>(grad(loss)(x), {0.5, -1.0, 1.0}, {3});
  Array xs = jnp::stack({x, x * 0.5});
  testing::expect_array_eq<double>(vmap(grad(loss))(xs), {0.5, -1.0, 1.0, 0.25, -1.0, 1.0}, {2, 3});
}

}  // namespace
}  // namespace jx
