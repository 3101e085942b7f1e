// Built against the installed jx (CMake package and pkg-config): a matmul plus a broadcast add.
#include <jx/jx.h>

#include <iostream>

namespace jnp = jx::numpy;

int main() {
  jx::Array x = jnp::array({{1.0f, 2.0f}, {3.0f, 4.0f}});
  jx::Array y = jnp::matmul(x, x) + 1.0;
  std::cout << y << "\n";
  return y.to_vector<float>() == std::vector<float>{8, 11, 16, 23} ? 0 : 1;
}
