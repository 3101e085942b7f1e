// The seed tutorial's examples (JAX 103), as far as the foundation reaches: every array below is
// computed with jx::numpy and printed exactly as numpy prints it. The functions are batched by
// hand here; the vmap issue replaces each with the single-example function lifted by jx::vmap.
#include <jx/jx.h>

#include <iostream>

namespace jnp = jx::numpy;
using jx::Array;

int main() {
  // 1. Why vmap exists: predict over a batch of 3 examples.
  jx::Dict params{{"w", jnp::array({1.5f, -0.5f})}, {"b", 0.25f}};
  Array X = jnp::array({{1.0f, 2.0f}, {2.5f, -1.0f}, {-0.25f, 0.75f}});
  Array logits = jnp::matmul(X, params["w"]) + params["b"];
  Array logits_probs = jnp::stack({logits, jx::lax::logistic(logits)}, 1);
  std::cout << "1. predict (batched by hand)\n";
  std::cout << "shape: " << logits_probs.shape() << "\n";
  std::cout << "first row: " << logits_probs[0] << "\n";
  std::cout << logits_probs << "\n\n";

  // 2. Broadcasting one argument: scaled_loss per example.
  Array preds = jnp::array({{0.2f, 0.8f}, {0.6f, 0.4f}});
  Array targets = jnp::array({{0.0f, 1.0f}, {1.0f, 0.0f}});
  Array scale = 0.5f;
  std::cout << "2. scaled_loss per example\n";
  std::cout << scale * jnp::sum(jnp::square(preds - targets), 1) << "\n\n";

  // 3. Pairwise Euclidean distances, by broadcasting rows of P against rows of Q.
  Array P = jnp::array({{0.f, 0.f}, {1.f, 0.f}, {0.f, 1.f}});
  Array Q = jnp::array({{0.f, 0.f}, {1.f, 1.f}});
  Array diff = jnp::expand_dims(P, 1) - jnp::expand_dims(Q, 0);
  std::cout << "3. pairwise distances\n";
  std::cout << jnp::sqrt(jnp::sum(jnp::square(diff), -1)) << "\n";
  return 0;
}
