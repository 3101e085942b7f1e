// The batch rules of the higher-order primitives: jit (its body batched as one program, which
// check_vmap runs for every primitive) and the custom_jvp/custom_vjp calls that jit stages,
// against loops.
#include <jx/jx.h>

#include "vmap_harness.h"

namespace jx {
namespace {
namespace jnp = numpy;
using testing::check_vmap;
using testing::gen;

TEST(VmapRules, JitCall) {
  auto body = jit([](const Array& x, const Array& y) {
    return std::pair{jnp::sin(x) * y, jnp::sum(x, 0)};
  });
  auto f = [body](const std::vector<Array>& a) {
    auto [p, s] = body(a[0], a[1]);
    return std::vector<Array>{p, s};
  };
  check_vmap("jit", f, gen({{{2, 3}, DType::float32}, {{3}, DType::float32}}));
}

auto softplus = custom_jvp([](const Array& x) { return jnp::log1p(jnp::exp(x)); },
                           [](const std::tuple<Array>& p, const std::tuple<Array>& t) {
                             auto [x] = p;
                             auto [dx] = t;
                             return std::pair{jnp::log1p(jnp::exp(x)), dx * nn::sigmoid(x)};
                           });
auto scale = custom_vjp([](const Array& x, const Array& s) { return x * s; },
                        [](const Array& x, const Array& s) {
                          return std::pair{x * s, s};
                        },
                        [](const Array& s, const Array& g) {
                          return std::tuple{g * s, Array()};
                        });

TEST(VmapRules, CustomCallsUnderJit) {
  auto f = testing::fn1([](const std::vector<Array>& a) {
    return jit([](const Array& x) { return softplus(x); })(a[0]);
  });
  check_vmap("jit(custom_jvp)", f, gen({{{2, 3}, DType::float32}}), testing::within(1e-6));
  auto g = testing::fn1([](const std::vector<Array>& a) {
    return jit([](const Array& x, const Array& s) { return scale(x, s); })(a[0], a[1]);
  });
  check_vmap("jit(custom_vjp)", g, gen({{{4}, DType::float32}, {{4}, DType::float32}}));
}

}  // namespace
}  // namespace jx
