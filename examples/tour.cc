#include <iostream>

#include "jx/lax.h"

int main() {
  jx::Array x = 1.5f;
  jx::Array y = jx::lax::add(x, x);
  std::cout << y.item<float>() << "\n";
}
