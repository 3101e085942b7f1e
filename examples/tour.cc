// The seed tutorial (JAX 103: vmap), sections 1 to 5, in C++: each function is written for one
// example and lifted over the batch by jx::vmap, differentiated by jx::grad / jx::jacrev, and
// compiled by jx::jit.
// Every array prints exactly as numpy prints it, and the random numbers are JAX's own bits.
// (Section 6 needs scan: it joins this tour as it lands.)
#include <jx/jx.h>

#include <iostream>

namespace jnp = jx::numpy;
using jx::Array;
using jx::none;

// 1. Why vmap exists ---------------------------------------------------------------------------
Array predict(const jx::Dict& params, const Array& features) {
  Array logits = jnp::matmul(features, params["w"]) + params["b"];
  return jnp::stack({logits, jx::nn::sigmoid(logits)});
}

int main() {
  std::cout << "1. Why vmap exists\n";
  auto batched_predict = jx::vmap(predict, {none, 0});  // in_axes=(None, 0)
  jx::Dict params{{"w", jnp::array({1.5f, -0.5f})}, {"b", 0.25f}};
  Array X = jnp::array({{1.0f, 2.0f}, {2.5f, -1.0f}, {-0.25f, 0.75f}});
  Array logits_probs = batched_predict(params, X);
  std::cout << "shape: " << logits_probs.shape() << "\n";
  std::cout << "first row: " << logits_probs[0] << "\n";
  std::cout << logits_probs << "\n";
  auto fast = jx::jit(batched_predict);  // the same function, traced and compiled once
  std::cout << "jit: " << fast(params, X)[1] << "\n";

  // 2. Controlling input and output axes -------------------------------------------------------
  std::cout << "\n2. Controlling input and output axes\n";
  auto scaled_loss = [](const Array& scale, const Array& preds, const Array& targets) {
    Array residual = preds - targets;
    return scale * jnp::sum(jnp::square(residual));
  };
  auto batched_loss = jx::vmap(scaled_loss, {none, 0, 0});
  Array preds = jnp::array({{0.2f, 0.8f}, {0.6f, 0.4f}});
  Array targets = jnp::array({{0.0f, 1.0f}, {1.0f, 0.0f}});
  std::cout << batched_loss(jnp::array(0.5f), preds, targets) << "\n";

  auto normalize = [](const Array& x) { return (x - jnp::mean(x)) / jnp::std(x); };
  Array images = jx::random::normal(jx::random::PRNGKey(0), {2, 28, 28});
  std::cout << jx::vmap(normalize, 0, 0)(images).shape() << "\n";
  std::cout << jx::vmap(normalize, 0, -1)(images).shape() << "\n";

  // 3. Multiple batch dimensions ---------------------------------------------------------------
  std::cout << "\n3. Multiple batch dimensions\n";
  auto euclidean_distance = [](const Array& x, const Array& y) {
    return jnp::sqrt(jnp::sum(jnp::square(x - y)));
  };
  auto pairwise_dist = jx::vmap(jx::vmap(euclidean_distance, {none, 0}), {0, none});
  Array P = jnp::array({{0.f, 0.f}, {1.f, 0.f}, {0.f, 1.f}});
  Array Q = jnp::array({{0.f, 0.f}, {1.f, 1.f}});
  std::cout << pairwise_dist(P, Q) << "\n";

  // 4. Differentiation across batches -------------------------------------------------------
  std::cout << "\n4. Differentiation across batches\n";
  auto loss_per_example = [](const jx::Dict& params, const Array& x, const Array& y) {
    Array logits = jnp::matmul(x, params["w"]) + params["b"];
    return jnp::mean(jx::optax::sigmoid_binary_cross_entropy(logits, y));
  };
  auto grad_per_example = jx::vmap(jx::grad(loss_per_example), {none, 0, 0});
  jx::Dict p2{{"w", jnp::array({1.0f, -2.0f})}, {"b", 0.3f}};
  Array features = jnp::array({{1.0f, 0.0f}, {0.5f, 1.5f}, {2.0f, -1.0f}});
  Array labels = jnp::array({{1.f, 0.f, 1.f}, {0.f, 1.f, 0.f}, {1.f, 0.f, 1.f}});
  jx::Dict grads = grad_per_example(p2, features, labels);  // same tree type as params
  std::cout << "dw shape: " << grads["w"].shape() << "\n";
  std::cout << "db shape: " << grads["b"].shape() << "\n";

  Array theta = jnp::array({1.0f, 0.0f, -1.0f});
  std::cout << jx::jacrev([](const Array& t) { return jx::nn::softmax(t); })(theta) << "\n";

  // 5. Randomness and vmap ---------------------------------------------------------------------
  std::cout << "\n5. Randomness and vmap\n";
  auto dropout_layer = [](const Array& key, const Array& x) {
    const float rate = 0.1f;
    Array keep = jx::random::bernoulli(key, 1.0f - rate, x.shape());
    return jnp::where(keep, x / (1.0f - rate), 0.0f);
  };
  auto batched_dropout = [&](const Array& key, const Array& inputs) {
    Array keys = jx::random::split(key, inputs.shape()[0]);
    return jx::vmap(dropout_layer)(keys, inputs);
  };
  Array activations = jnp::ones({4, 5});
  std::cout << batched_dropout(jx::random::PRNGKey(42), activations) << "\n";
  return 0;
}
