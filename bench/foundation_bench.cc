// The foundation's performance targets, each next to its baseline in the same run:
//   add (16M float32)       vs std::transform, and vs a plain 2-thread loop (bandwidth)
//   sum (64M float32)       vs std::accumulate-style loop, and vs a plain 2-thread loop
//   matmul 2048^3 float32   vs dnnl_sgemm called directly
//   dispatch of add on 1-element arrays
// scripts/run-bench turns the JSON output into the ratio table.
#include <benchmark/benchmark.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <thread>
#include <vector>

#include "backend/cpu/thread_pool.h"
#include "jx/lax.h"

namespace {

constexpr int64_t kAddN = int64_t{16} << 20;
constexpr int64_t kSumN = int64_t{64} << 20;
constexpr int64_t kMatN = 2048;

jx::Array filled(int64_t n, float v) {
  return jx::Array::from_vector<float>(std::vector<float>(static_cast<size_t>(n), v));
}

// Two plain threads, each over half the range: what hand-written C++ gets from both cores.
void plain_parallel(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  std::thread t([&] { fn(n / 2, n); });
  fn(0, n / 2);
  t.join();
}

void set_bytes(benchmark::State& state, int64_t bytes) {
  state.SetBytesProcessed(state.iterations() * bytes);
}

void BM_add_jx(benchmark::State& state) {
  jx::Array a = filled(kAddN, 1.0f), b = filled(kAddN, 2.0f);
  for (auto _ : state) benchmark::DoNotOptimize(jx::lax::add(a, b));
  set_bytes(state, 3 * kAddN * 4);
}
void BM_add_std_transform(benchmark::State& state) {
  std::vector<float> a(kAddN, 1.0f), b(kAddN, 2.0f), c(kAddN);
  for (auto _ : state) {
    std::transform(a.begin(), a.end(), b.begin(), c.begin(), std::plus<float>());
    benchmark::DoNotOptimize(c.data());
  }
  set_bytes(state, 3 * kAddN * 4);
}
void BM_add_plain_2threads(benchmark::State& state) {
  std::vector<float> a(kAddN, 1.0f), b(kAddN, 2.0f), c(kAddN);
  for (auto _ : state) {
    plain_parallel(kAddN, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) c[i] = a[i] + b[i];
    });
    benchmark::DoNotOptimize(c.data());
  }
  set_bytes(state, 3 * kAddN * 4);
}

void BM_sum_jx(benchmark::State& state) {
  jx::Array a = filled(kSumN, 1.0f);
  for (auto _ : state) benchmark::DoNotOptimize(jx::lax::reduce_sum(a, {0}));
  set_bytes(state, kSumN * 4);
}
void BM_sum_std_accumulate(benchmark::State& state) {
  std::vector<float> a(kSumN, 1.0f);
  for (auto _ : state) benchmark::DoNotOptimize(std::accumulate(a.begin(), a.end(), 0.0f));
  set_bytes(state, kSumN * 4);
}
void BM_sum_plain_2threads(benchmark::State& state) {
  std::vector<float> a(kSumN, 1.0f);
  for (auto _ : state) {
    float partial[2] = {0, 0};
    plain_parallel(kSumN, [&](int64_t s, int64_t e) {
      // 16 independent accumulators so the loop vectorises without -ffast-math.
      float acc[16] = {};
      int64_t i = s;
      for (; i + 16 <= e; i += 16) {
        for (int k = 0; k < 16; ++k) acc[k] += a[i + k];
      }
      for (; i < e; ++i) acc[0] += a[i];
      float t = 0;
      for (float v : acc) t += v;
      partial[s == 0 ? 0 : 1] = t;
    });
    benchmark::DoNotOptimize(partial[0] + partial[1]);
  }
  set_bytes(state, kSumN * 4);
}

void set_flops(benchmark::State& state, int64_t n) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      static_cast<double>(2 * n * n * n) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}
void BM_matmul_jx(benchmark::State& state) {
  jx::Array a = filled(kMatN * kMatN, 0.5f).reshape({kMatN, kMatN});
  jx::Array b = filled(kMatN * kMatN, 0.25f).reshape({kMatN, kMatN});
  jx::lax::DotDimensionNumbers dn{{{1}, {0}}, {{}, {}}};
  for (auto _ : state) benchmark::DoNotOptimize(jx::lax::dot_general(a, b, dn));
  set_flops(state, kMatN);
}
void BM_matmul_dnnl_sgemm(benchmark::State& state) {
  std::vector<float> a(kMatN * kMatN, 0.5f), b(kMatN * kMatN, 0.25f), c(kMatN * kMatN);
  for (auto _ : state) {
    dnnl_sgemm('N', 'N', kMatN, kMatN, kMatN, 1.0f, a.data(), kMatN, b.data(), kMatN, 0.0f,
               c.data(), kMatN);
    benchmark::DoNotOptimize(c.data());
  }
  set_flops(state, kMatN);
}

// Arrays are always contiguous (no strided views): a transpose is a copy. This measures what
// that copy costs next to the cheapest possible pass over the same bytes (memcpy).
constexpr int64_t kTransN = 4096;
void BM_transpose_jx(benchmark::State& state) {
  jx::Array a = filled(kTransN * kTransN, 1.0f).reshape({kTransN, kTransN});
  for (auto _ : state) benchmark::DoNotOptimize(jx::lax::transpose(a, {1, 0}));
  set_bytes(state, 2 * kTransN * kTransN * 4);
}
void BM_copy_memcpy(benchmark::State& state) {
  std::vector<float> a(kTransN * kTransN, 1.0f), c(kTransN * kTransN);
  for (auto _ : state) {
    plain_parallel(kTransN * kTransN, [&](int64_t s, int64_t e) {
      std::copy(a.begin() + s, a.begin() + e, c.begin() + s);
    });
    benchmark::DoNotOptimize(c.data());
  }
  set_bytes(state, 2 * kTransN * kTransN * 4);
}

void BM_dispatch_add_1elem(benchmark::State& state) {
  jx::Array a = filled(1, 1.0f), b = filled(1, 2.0f);
  for (auto _ : state) benchmark::DoNotOptimize(jx::lax::add(a, b));
}

BENCHMARK(BM_add_jx)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_add_std_transform)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_add_plain_2threads)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_sum_jx)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_sum_std_accumulate)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_sum_plain_2threads)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_matmul_jx)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_matmul_dnnl_sgemm)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_transpose_jx)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_copy_memcpy)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_dispatch_add_1elem)->Unit(benchmark::kNanosecond);

}  // namespace

BENCHMARK_MAIN();
