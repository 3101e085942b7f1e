// vmap's performance targets (issue: vmap), each beside its baseline in the same run:
//   predict 1M x 16:       vmap(predict) vs the hand-batched expression (target: <= 1.2x)
//   pairwise 2048^2 x 64:  nested vmap vs the hand-written broadcasting expression
//   pairwise 128^2 x 64:   nested vmap vs a C++ loop calling the unbatched function per pair
//   normalize 4096x28x28:  vmap(normalize) vs the hand-batched jnp expression, and vs a plain
//                          2-thread C++ loop (two passes: statistics, then the output), i.e.
//                          memory bandwidth
// The same workloads in PyTorch: ../shared/peers/torch_bench.py W1 W2 W6.
#include <benchmark/benchmark.h>

#include <cmath>
#include <thread>
#include <vector>

#include "jx/jx.h"

namespace {
namespace jnp = jx::numpy;
using jx::Array;
using jx::none;

Array random_normal(jx::Shape shape, uint32_t seed) {
  // A cheap deterministic fill (values matter little for timing).
  std::vector<float> v(static_cast<size_t>(shape.numel()));
  uint32_t s = seed;
  for (float& x : v) {
    s = s * 1664525u + 1013904223u;
    x = static_cast<float>(s >> 8) / static_cast<float>(1 << 24) * 2.0f - 1.0f;
  }
  return Array::from_vector(v, shape);
}

// ---- W1: predict -------------------------------------------------------------------------
constexpr int64_t kN = 1'000'000, kD = 16;

Array predict(const jx::Dict& params, const Array& features) {
  Array logits = jnp::matmul(features, params["w"]) + params["b"];
  return jnp::stack({logits, jx::nn::sigmoid(logits)});
}

void BM_predict_vmap(benchmark::State& state) {
  jx::Dict params{{"w", random_normal({kD}, 1)}, {"b", 0.25f}};
  Array X = random_normal({kN, kD}, 2);
  auto batched = jx::vmap(predict, {none, 0});
  for (auto _ : state) benchmark::DoNotOptimize(batched(params, X));
}
void BM_predict_hand(benchmark::State& state) {
  jx::Dict params{{"w", random_normal({kD}, 1)}, {"b", 0.25f}};
  Array X = random_normal({kN, kD}, 2);
  for (auto _ : state) {
    Array logits = jnp::matmul(X, params["w"]) + params["b"];
    benchmark::DoNotOptimize(jnp::stack({logits, jx::nn::sigmoid(logits)}, 1));
  }
}

// ---- W2: pairwise distances ----------------------------------------------------------------
Array euclidean_distance(const Array& x, const Array& y) {
  return jnp::sqrt(jnp::sum(jnp::square(x - y)));
}

void pairwise_vmap(benchmark::State& state, int64_t n) {
  Array P = random_normal({n, 64}, 3), Q = random_normal({n, 64}, 4);
  auto pairwise = jx::vmap(jx::vmap(euclidean_distance, {none, 0}), {0, none});
  for (auto _ : state) benchmark::DoNotOptimize(pairwise(P, Q));
}
void BM_pairwise_vmap(benchmark::State& state) { pairwise_vmap(state, 2048); }
void BM_pairwise_broadcast(benchmark::State& state) {
  Array P = random_normal({2048, 64}, 3), Q = random_normal({2048, 64}, 4);
  for (auto _ : state) {
    Array diff = jnp::expand_dims(P, 1) - jnp::expand_dims(Q, 0);
    benchmark::DoNotOptimize(jnp::sqrt(jnp::sum(jnp::square(diff), -1)));
  }
}
constexpr int64_t kSmall = 128;
void BM_pairwise_small_vmap(benchmark::State& state) { pairwise_vmap(state, kSmall); }
void BM_pairwise_small_loop(benchmark::State& state) {
  Array P = random_normal({kSmall, 64}, 3), Q = random_normal({kSmall, 64}, 4);
  for (auto _ : state) {
    std::vector<Array> rows;
    for (int64_t i = 0; i < kSmall; ++i) {
      Array p = P[i];
      std::vector<Array> row;
      for (int64_t j = 0; j < kSmall; ++j) row.push_back(euclidean_distance(p, Q[j]));
      rows.push_back(jnp::stack(row));
    }
    benchmark::DoNotOptimize(jnp::stack(rows));
  }
}

// ---- W6: normalize -----------------------------------------------------------------------
constexpr int64_t kImages = 4096, kPixels = 28 * 28;

Array normalize(const Array& x) { return (x - jnp::mean(x)) / jnp::std(x); }

void set_bytes(benchmark::State& state) {
  state.SetBytesProcessed(state.iterations() * 2 * kImages * kPixels * 4);
}
void BM_normalize_vmap(benchmark::State& state) {
  Array images = random_normal({kImages, 28, 28}, 5);
  auto batched = jx::vmap(normalize);
  for (auto _ : state) benchmark::DoNotOptimize(batched(images));
  set_bytes(state);
}
void BM_normalize_vmap_out_last(benchmark::State& state) {
  Array images = random_normal({kImages, 28, 28}, 5);
  auto batched = jx::vmap(normalize, 0, -1);
  for (auto _ : state) benchmark::DoNotOptimize(batched(images));
  set_bytes(state);
}
void BM_normalize_hand(benchmark::State& state) {
  Array images = random_normal({kImages, 28, 28}, 5);
  for (auto _ : state) {
    Array mean = jnp::mean(images, {1, 2}, true);
    Array sd = jnp::std(images, {1, 2}, true);
    benchmark::DoNotOptimize((images - mean) / sd);
  }
  set_bytes(state);
}
// Hand-written C++ on 2 threads: per image, one pass for mean and variance, one to write.
void BM_normalize_plain_2threads(benchmark::State& state) {
  Array images = random_normal({kImages, 28, 28}, 5);
  std::vector<float> x = images.to_vector<float>(), out(x.size());
  auto work = [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const float* xi = x.data() + i * kPixels;
      float* oi = out.data() + i * kPixels;
      float sum = 0, sq = 0;
      for (int64_t k = 0; k < kPixels; ++k) sum += xi[k];
      float mean = sum / kPixels;
      for (int64_t k = 0; k < kPixels; ++k) sq += (xi[k] - mean) * (xi[k] - mean);
      float inv = 1.0f / std::sqrt(sq / kPixels);
      for (int64_t k = 0; k < kPixels; ++k) oi[k] = (xi[k] - mean) * inv;
    }
  };
  for (auto _ : state) {
    std::thread t([&] { work(kImages / 2, kImages); });
    work(0, kImages / 2);
    t.join();
    benchmark::DoNotOptimize(out.data());
  }
  set_bytes(state);
}

BENCHMARK(BM_predict_vmap)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_predict_hand)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_pairwise_vmap)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_pairwise_broadcast)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_pairwise_small_vmap)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_pairwise_small_loop)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_normalize_vmap)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_normalize_vmap_out_last)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_normalize_hand)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_normalize_plain_2threads)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
