// jax.random's throughput (issue: random): GB/s of uint32 bits from jx::random::bits, beside a
// plain single-thread C++ loop of the same Threefry-2x32-20 hash (what scalar code gets) and
// the uniform sampler built on it. The machine's limit for this arithmetic is estimated in the
// note of the issue; torch.rand on the same sizes: scripts/compare-torch-random.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "jx/jx.h"

namespace {

constexpr int64_t kBig = int64_t{1} << 24;    // 64 MiB of uint32
constexpr int64_t kSmall = int64_t{1} << 18;  // 1 MiB: stays in cache

void bits_jx(benchmark::State& state, int64_t n) {
  jx::Array key = jx::random::PRNGKey(0);
  for (auto _ : state) benchmark::DoNotOptimize(jx::random::bits(key, {n}));
  state.SetBytesProcessed(state.iterations() * n * 4);
}
void BM_random_bits_jx(benchmark::State& state) { bits_jx(state, kBig); }
void BM_random_bits_jx_1MiB(benchmark::State& state) { bits_jx(state, kSmall); }

void BM_uniform_jx(benchmark::State& state) {
  jx::Array key = jx::random::PRNGKey(0);
  for (auto _ : state) benchmark::DoNotOptimize(jx::random::uniform(key, {kBig}));
  state.SetBytesProcessed(state.iterations() * kBig * 4);
}

inline uint32_t rotl(uint32_t v, int r) { return (v << r) | (v >> (32 - r)); }

// The same hash, one element at a time on one thread, rotations and key schedule as in JAX.
void BM_threefry_plain_1thread(benchmark::State& state) {
  std::vector<uint32_t> out(kBig);
  const uint32_t k1 = 0, k2 = 0;
  for (auto _ : state) {
    for (int64_t i = 0; i < kBig; ++i) {
      const uint32_t ks[3] = {k1, k2, k1 ^ k2 ^ 0x1BD11BDAu};
      const int rot[2][4] = {{13, 15, 26, 6}, {17, 29, 16, 24}};
      uint32_t x0 = ks[0], x1 = static_cast<uint32_t>(i) + ks[1];
      for (int r = 0; r < 5; ++r) {
        for (int k = 0; k < 4; ++k) {
          x0 += x1;
          x1 = rotl(x1, rot[r % 2][k]);
          x1 ^= x0;
        }
        x0 += ks[(r + 1) % 3];
        x1 += ks[(r + 2) % 3] + static_cast<uint32_t>(r + 1);
      }
      out[i] = x0 ^ x1;
      benchmark::ClobberMemory();
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * kBig * 4);
}

BENCHMARK(BM_random_bits_jx)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_random_bits_jx_1MiB)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_uniform_jx)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_threefry_plain_1thread)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
