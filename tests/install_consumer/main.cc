// Built against the installed jx (CMake package and pkg-config): a matmul plus a broadcast add,
// per-example gradients (vmap of grad), and the same jitted, through the public headers only.
#include <jx/jx.h>

#include <iostream>

namespace jnp = jx::numpy;

int main() {
  jx::Array x = jnp::array({{1.0f, 2.0f}, {3.0f, 4.0f}});
  jx::Array y = jnp::matmul(x, x) + 1.0;
  std::cout << y << "\n";
  auto loss = [](const jx::Array& w, const jx::Array& row) { return jnp::sum(row * w * w); };
  jx::Array g = jx::vmap(jx::grad(loss), {jx::none, 0})(jnp::array({1.0f, -1.0f}), x);
  std::cout << g << "\n";  // 2 * row * w
  auto fast = jx::jit(jx::vmap(jx::grad(loss), {jx::none, 0}));
  jx::Array gj = fast(jnp::array({1.0f, -1.0f}), x);
  return y.to_vector<float>() == std::vector<float>{8, 11, 16, 23} &&
                 g.to_vector<float>() == std::vector<float>{2, -4, 6, -8} &&
                 gj.to_vector<float>() == g.to_vector<float>()
             ? 0
             : 1;
}
