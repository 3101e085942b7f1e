// jit's performance targets ("jit, part 1"), each beside its baseline in the same run:
//   dispatch: a cached call of a tiny jitted function (f32[8] -> x * 2 + 1) vs the same two ops
//       eagerly (target: <= 1 us a call; JAX's cached call costs 5-10 us from Python)
//   first call: trace + optimise + plan of each of the tour's functions (a fresh jit each time;
//       their loops are compiled once per process, so this excludes code generation), and the
//       cost of generating a new 10-op loop with LLVM
//   W1-W7 (../shared/peers/README.md; W4's loop unrolled): jit(f) vs f eagerly. Without fusion
//       ("jit, part 2") the compiled program runs the same kernels, so the gain is the removed
//       per-op dispatch and buffers freed at their last use.
//   J2: 10 elementwise ops on 16M float32 under jit vs eagerly (part 2's fusion target)
// Every benchmark reports os_allocs_per_call: blocks taken from the OS per steady-state call
// (0: the caching allocator serves every buffer).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <thread>
#include <vector>

#include "compiler/codegen.h"
#include "jx/jx.h"

namespace {
namespace jnp = jx::numpy;
using jx::Array;
using jx::none;

Array normal(jx::Shape shape, int seed) {
  return jx::random::normal(jx::random::PRNGKey(seed), std::move(shape));
}

// Runs `call` in the benchmark loop after two warm-up calls and reports OS allocations per call.
template <class F>
void run(benchmark::State& state, F&& call) {
  benchmark::DoNotOptimize(call());
  benchmark::DoNotOptimize(call());
  size_t before = jx::memory::stats().os_allocations;
  int64_t calls = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(call());
    ++calls;
  }
  state.counters["os_allocs_per_call"] =
      static_cast<double>(jx::memory::stats().os_allocations - before) /
      std::max<int64_t>(calls, 1);
}

// ---- dispatch ------------------------------------------------------------------------------
Array tiny(const Array& x) { return x * 2.0f + 1.0f; }

void BM_jit_dispatch(benchmark::State& state) {
  Array x = jnp::arange(8.0f);
  auto f = jx::jit(tiny);
  run(state, [&] { return f(x); });
}
void BM_eager_dispatch(benchmark::State& state) {
  Array x = jnp::arange(8.0f);
  run(state, [&] { return tiny(x); });
}

// ---- the tour's functions: first call (trace + plan) ---------------------------------------
Array predict(const jx::Dict& params, const Array& features) {
  Array logits = jnp::matmul(features, params["w"]) + params["b"];
  return jnp::stack({logits, jx::nn::sigmoid(logits)});
}
Array euclidean_distance(const Array& x, const Array& y) {
  return jnp::sqrt(jnp::sum(jnp::square(x - y)));
}
Array normalize(const Array& x) { return (x - jnp::mean(x)) / jnp::std(x); }
Array loss_per_example(const jx::Dict& params, const Array& x, const Array& y) {
  Array logits = jnp::matmul(x, params["w"]) + params["b"];
  return jnp::mean(jx::optax::sigmoid_binary_cross_entropy(logits, y));
}
Array dropout(const Array& key, const Array& x) {
  Array keep = jx::random::bernoulli(key, 0.9, x.shape());
  return jnp::where(keep, x / 0.9f, 0.0f);
}

// Trace + optimise + plan of a fresh jit each iteration; with `codegen`, the generated loops
// are compiled by LLVM again too, as on a first call in a fresh process.
template <class F, class... Args>
void first_call(benchmark::State& state, const F& f, const Args&... args) {
  const bool codegen = state.range(0) != 0;
  for (auto _ : state) {
    if (codegen) jx::compiler::forget_compiled_kernels();
    auto jf = jx::jit(f);  // a fresh cache: every call traces and plans
    benchmark::DoNotOptimize(jf(args...));
  }
}

void BM_first_call_predict(benchmark::State& state) {
  jx::Dict params{{"w", jnp::array({1.5f, -0.5f})}, {"b", 0.25f}};
  first_call(state, jx::vmap(predict, {none, 0}), params, normal({3, 2}, 1));
}
void BM_first_call_normalize(benchmark::State& state) {
  first_call(state, jx::vmap(normalize), normal({2, 28, 28}, 2));
}
void BM_first_call_pairwise(benchmark::State& state) {
  auto pairwise = jx::vmap(jx::vmap(euclidean_distance, {none, 0}), {0, none});
  first_call(state, pairwise, normal({3, 2}, 3), normal({2, 2}, 4));
}
void BM_first_call_per_example_grad(benchmark::State& state) {
  jx::Dict params{{"w", jnp::array({1.0f, -2.0f})}, {"b", 0.3f}};
  auto per_example = jx::vmap(jx::grad(loss_per_example), {none, 0, 0});
  first_call(state, per_example, params, normal({3, 2}, 5), jnp::ones({3, 3}));
}
void BM_first_call_jacrev_softmax(benchmark::State& state) {
  first_call(state, jx::jacrev([](const Array& t) { return jx::nn::softmax(t); }),
             jnp::array({1.0f, 0.0f, -1.0f}));
}
void BM_first_call_dropout(benchmark::State& state) {
  first_call(state, jx::vmap(dropout), jx::random::split(jx::random::PRNGKey(0), 4),
             jnp::ones({4, 5}));
}

// The cost of generating one fused loop: a 10-op elementwise chain never compiled before in
// this process (its ops chosen from the iteration count), traced, planned and compiled by LLVM.
void BM_first_call_new_loop_10_ops(benchmark::State& state) {
  Array x = jnp::ones({16});
  static int64_t serial = 0;  // across repetitions too: every iteration compiles a new loop
  for (auto _ : state) {
    const int64_t code = serial++;
    auto chain = [code](const Array& v) {
      Array y = v;
      for (int k = 0; k < 10; ++k) {
        y = ((code >> k) & 1) ? jx::lax::mul(y, v) : jx::lax::add(y, v);
      }
      return y;
    };
    benchmark::DoNotOptimize(jx::jit(chain)(x));
  }
}

// ---- W1-W7 under jit vs eagerly ------------------------------------------------------------
template <class F, class... Args>
void jit_or_eager(benchmark::State& state, bool jitted, const F& f, const Args&... args) {
  if (jitted) {
    auto jf = jx::jit(f);
    run(state, [&] { return jf(args...); });
  } else {
    run(state, [&] { return f(args...); });
  }
}

void W1(benchmark::State& state, bool jitted) {
  jx::Dict params{{"w", normal({16}, 1)}, {"b", 0.25f}};
  jit_or_eager(state, jitted, jx::vmap(predict, {none, 0}), params, normal({1000000, 16}, 2));
}
void W2(benchmark::State& state, bool jitted) {
  auto pairwise = jx::vmap(jx::vmap(euclidean_distance, {none, 0}), {0, none});
  jit_or_eager(state, jitted, pairwise, normal({2048, 64}, 3), normal({2048, 64}, 4));
}
// W3's parameters, inputs and labels (B=512, D=256, H=256).
struct W3Data {
  jx::Dict params{{"W1", normal({256, 256}, 1) / 16.0f},
                  {"b1", jnp::zeros({256})},
                  {"W2", normal({256, 1}, 2) / 16.0f},
                  {"b2", jnp::zeros({1})}};
  Array x = normal({512, 256}, 3);
  Array y = jx::lax::convert_element_type(
      jx::random::bernoulli(jx::random::PRNGKey(1), 0.5, jx::Shape{512, 1}), jx::DType::float32);
};

void W3(benchmark::State& state, bool jitted) {
  auto loss = [](const jx::Dict& p, const Array& x, const Array& y) {
    Array h = jnp::tanh(jnp::matmul(x, p["W1"]) + p["b1"]);
    Array z = jnp::matmul(h, p["W2"]) + p["b2"];
    return jnp::mean(jx::optax::sigmoid_binary_cross_entropy(z, y));
  };
  W3Data d;
  jit_or_eager(state, jitted, jx::vmap(jx::grad(loss), {none, 0, 0}), d.params, d.x, d.y);
}
// The seed's section-6 RNN, its 100 steps unrolled by a C++ loop (lax.scan comes with control
// flow): 600 small ops a call, where eager dispatch dominates.
void W4(benchmark::State& state, bool jitted) {
  constexpr int64_t kT = 100, kB = 64, kH = 128, kD = 32;
  jx::Dict params{{"Whh", normal({kH, kH}, 1) / 12.0f},
                  {"Wxh", normal({kD, kH}, 2) / 6.0f},
                  {"b", jnp::zeros({kH})}};
  auto run_sequence = [](const jx::Dict& p, const Array& xs) {
    Array h = jnp::zeros({kH});
    for (int64_t t = 0; t < kT; ++t) {
      h = jnp::tanh(jnp::matmul(h, p["Whh"]) + jnp::matmul(xs[t], p["Wxh"]) + p["b"]);
    }
    return h;
  };
  jit_or_eager(state, jitted, jx::vmap(run_sequence, {none, 0}), params, normal({kB, kT, kD}, 3));
}
void W5(benchmark::State& state, bool jitted) {
  jit_or_eager(state, jitted, jx::jacrev([](const Array& t) { return jx::nn::softmax(t); }),
               normal({512}, 1));
}
void W6(benchmark::State& state, bool jitted) {
  jit_or_eager(state, jitted, jx::vmap(normalize), normal({4096, 28, 28}, 5));
}
void W7(benchmark::State& state, bool jitted) {
  auto drop = [](const Array& key, const Array& x) {
    Array keep = jx::random::bernoulli(key, 0.9, x.shape());
    return keep * x / 0.9f;
  };
  jit_or_eager(state, jitted, drop, jx::random::PRNGKey(42), jnp::ones({10000000}));
}
void J2(benchmark::State& state, bool jitted) {
  auto chain = [](const Array& x) {
    Array y = x * 1.5f + 0.25f;
    y = jnp::maximum(y, 0.3f) - x;
    y = y * y + 1.0f;
    y = jnp::sqrt(y) * 0.5f;
    return jnp::minimum(y, 4.0f) / (x + 1.0f);
  };
  jit_or_eager(
      state, jitted, chain,
      jx::random::uniform(jx::random::PRNGKey(0), {1 << 24}, jx::DType::float32, 0.5, 1.5));
}

// Registered first: the dispatch loop runs before the large workloads leave oneDNN's OpenMP
// threads spinning for a while after each matmul (which steals the core the loop runs on).
BENCHMARK(BM_jit_dispatch)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_eager_dispatch)->Unit(benchmark::kMicrosecond)->UseRealTime();
// Argument 0: kernels compiled once per process (trace + plan only); 1: with code generation.
BENCHMARK(BM_first_call_predict)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_first_call_normalize)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_first_call_pairwise)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_first_call_per_example_grad)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_first_call_jacrev_softmax)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_first_call_dropout)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_first_call_new_loop_10_ops)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(64);

// J2's chain as a plain C++ loop over 2 threads (this file is compiled with -fno-math-errno so
// the sqrt vectorises): the bandwidth bound the generated loop is measured against.
void BM_J2_hand_2threads(benchmark::State& state) {
  Array x = jx::random::uniform(jx::random::PRNGKey(0), {1 << 24}, jx::DType::float32, 0.5, 1.5);
  std::vector<float> out(static_cast<size_t>(x.size()));
  const float* in = x.data<float>();
  const int64_t n = x.size();
  auto chain = [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      float v = in[i];
      float y = v * 1.5f + 0.25f;
      y = std::max(y, 0.3f) - v;
      y = y * y + 1.0f;
      y = std::sqrt(y) * 0.5f;
      out[static_cast<size_t>(i)] = std::min(y, 4.0f) / (v + 1.0f);
    }
  };
  for (auto _ : state) {
    std::thread other(chain, n / 2, n);
    chain(0, n / 2);
    other.join();
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_J2_hand_2threads)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- issue 11's targets: generated code against hand-written 2-thread loops ----------------

// Runs fn(begin, end) over [0, n) on this thread and one other.
template <class F>
void two_threads(int64_t n, const F& fn) {
  std::thread other([&] { fn(n / 2, n); });
  fn(0, n / 2);
  other.join();
}

// W2 by hand: y transposed once, then per row of x a block of 512 distances kept in L1 while
// the sum over D runs, vectorised over j.
void BM_W2_hand_2threads(benchmark::State& state) {
  constexpr int64_t kN = 2048, kM = 2048, kD = 64, kBlock = 512;
  Array xa = normal({kN, kD}, 3), ya = normal({kM, kD}, 4);
  const float* x = xa.data<float>();
  const float* y = ya.data<float>();
  std::vector<float> yt(kD * kM), out(kN * kM);
  for (auto _ : state) {
    for (int64_t j = 0; j < kM; ++j) {
      for (int64_t d = 0; d < kD; ++d) yt[static_cast<size_t>(d * kM + j)] = y[j * kD + d];
    }
    two_threads(kN, [&](int64_t b, int64_t e) {
      alignas(64) float acc[kBlock];
      for (int64_t i = b; i < e; ++i) {
        for (int64_t j0 = 0; j0 < kM; j0 += kBlock) {
          std::fill(acc, acc + kBlock, 0.0f);
          for (int64_t d = 0; d < kD; ++d) {
            const float xv = x[i * kD + d];
            const float* row = yt.data() + d * kM + j0;
            for (int64_t j = 0; j < kBlock; ++j) {
              const float t = xv - row[j];
              acc[j] += t * t;
            }
          }
          float* o = out.data() + i * kM + j0;
          for (int64_t j = 0; j < kBlock; ++j) o[j] = std::sqrt(acc[j]);
        }
      }
    });
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_W2_hand_2threads)->Unit(benchmark::kMillisecond)->UseRealTime();

// W6 by hand: per image, the mean, the variance and the normalised image, each pass over the
// 784 values (L1-resident) with 16 independent accumulators so that it vectorises.
void BM_W6_hand_2threads(benchmark::State& state) {
  constexpr int64_t kImages = 4096, kPixels = 28 * 28, kAcc = 16;
  Array xa = normal({kImages, 28, 28}, 5);
  const float* x = xa.data<float>();
  std::vector<float> out(kImages * kPixels);
  auto sum = [](const float* v, float shift, bool square) {
    float acc[kAcc] = {};
    for (int64_t k = 0; k < kPixels; k += kAcc) {
      for (int64_t l = 0; l < kAcc; ++l) {
        const float t = v[k + l] - shift;
        acc[l] += square ? t * t : t;
      }
    }
    float s = 0;
    for (float a : acc) s += a;
    return s;
  };
  static_assert(kPixels % kAcc == 0);
  for (auto _ : state) {
    two_threads(kImages, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const float* v = x + i * kPixels;
        const float mean = sum(v, 0.0f, false) / kPixels;
        const float sd = std::sqrt(sum(v, mean, true) / kPixels);
        float* o = out.data() + i * kPixels;
        for (int64_t k = 0; k < kPixels; ++k) o[k] = (v[k] - mean) / sd;
      }
    });
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_W6_hand_2threads)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_W6_jit_out_axes_last(benchmark::State& state) {
  jit_or_eager(state, true, jx::vmap(normalize, 0, -1), normal({4096, 28, 28}, 5));
}
BENCHMARK(BM_W6_jit_out_axes_last)->Unit(benchmark::kMillisecond)->UseRealTime();

// W7's baseline: the random bits of the same size alone.
void BM_W7_random_bits(benchmark::State& state) {
  auto bits = jx::jit(
      [](const Array& key) { return jx::random::bits(key, {10000000}, jx::DType::uint32); });
  Array key = jx::random::PRNGKey(42);
  run(state, [&] { return bits(key); });
}
BENCHMARK(BM_W7_random_bits)->Unit(benchmark::kMillisecond)->UseRealTime();

// J3: sums of a 4096 x 4096 float32 matrix under jit, in bytes read per second, beside a
// hand-written 2-thread read of the same matrix (16 accumulators: the bandwidth bound).
void J3(benchmark::State& state, std::optional<int64_t> axis) {
  Array x = normal({4096, 4096}, 6);
  auto sum = jx::jit([axis](const Array& m) { return axis ? jnp::sum(m, *axis) : jnp::sum(m); });
  run(state, [&] { return sum(x); });
  state.SetBytesProcessed(state.iterations() * x.nbytes());
}
void BM_J3_sum_all_jit(benchmark::State& state) { J3(state, std::nullopt); }
void BM_J3_sum_axis0_jit(benchmark::State& state) { J3(state, 0); }
void BM_J3_sum_axis1_jit(benchmark::State& state) { J3(state, 1); }
void BM_J3_read_hand_2threads(benchmark::State& state) {
  Array xa = normal({4096, 4096}, 6);
  const float* x = xa.data<float>();
  float partial[2];
  for (auto _ : state) {
    two_threads(xa.size(), [&](int64_t b, int64_t e) {
      float acc[16] = {};
      for (int64_t i = b; i + 16 <= e; i += 16) {
        for (int64_t l = 0; l < 16; ++l) acc[l] += x[i + l];
      }
      float s = 0;
      for (float a : acc) s += a;
      partial[b == 0 ? 0 : 1] = s;
    });
    benchmark::DoNotOptimize(partial);
  }
  state.SetBytesProcessed(state.iterations() * xa.nbytes());
}
BENCHMARK(BM_J3_sum_all_jit)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_J3_sum_axis0_jit)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_J3_sum_axis1_jit)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_J3_read_hand_2threads)->Unit(benchmark::kMillisecond)->UseRealTime();

// W5 batched: jit(vmap(jacrev(softmax))) on 64 x 512, beside writing its 64 x 512 x 512 output
// once (two threads filling it).
void BM_W5_batched_jit(benchmark::State& state) {
  jit_or_eager(state, true, jx::vmap(jx::jacrev([](const Array& t) { return jx::nn::softmax(t); })),
               normal({64, 512}, 1));
}
void BM_W5_batched_write_once(benchmark::State& state) {
  std::vector<float> out(64 * 512 * 512);
  for (auto _ : state) {
    two_threads(static_cast<int64_t>(out.size()),
                [&](int64_t b, int64_t e) { std::fill(out.begin() + b, out.begin() + e, 1.0f); });
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_W5_batched_jit)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_W5_batched_write_once)->Unit(benchmark::kMillisecond)->UseRealTime();

// W3's baseline: the per-example gradients derived by hand, batched, under jit.
void BM_W3_hand_jit(benchmark::State& state) {
  auto hand = [](const jx::Dict& p, const Array& x, const Array& y) {
    Array h = jnp::tanh(jnp::matmul(x, p["W1"]) + p["b1"]);
    Array z = jnp::matmul(h, p["W2"]) + p["b2"];
    Array dz = jx::nn::sigmoid(z) - y;
    Array da = jnp::matmul(dz, jnp::transpose(p["W2"])) * (1.0f - h * h);
    return jx::Dict{{"W1", jnp::expand_dims(x, 2) * jnp::expand_dims(da, 1)},
                    {"b1", da},
                    {"W2", jnp::expand_dims(h, 2) * jnp::expand_dims(dz, 1)},
                    {"b2", dz}};
  };
  W3Data d;
  jit_or_eager(state, true, hand, d.params, d.x, d.y);
}
BENCHMARK(BM_W3_hand_jit)->Unit(benchmark::kMillisecond)->UseRealTime();

#define JX_JIT_PAIR(W)                                                   \
  void BM_##W##_jit(benchmark::State& state) { W(state, true); }         \
  void BM_##W##_eager(benchmark::State& state) { W(state, false); }      \
  BENCHMARK(BM_##W##_jit)->Unit(benchmark::kMillisecond)->UseRealTime(); \
  BENCHMARK(BM_##W##_eager)->Unit(benchmark::kMillisecond)->UseRealTime();
JX_JIT_PAIR(W1)
JX_JIT_PAIR(W2)
JX_JIT_PAIR(W3)
JX_JIT_PAIR(W4)
JX_JIT_PAIR(W5)
JX_JIT_PAIR(W6)
JX_JIT_PAIR(W7)
JX_JIT_PAIR(J2)

}  // namespace

BENCHMARK_MAIN();
