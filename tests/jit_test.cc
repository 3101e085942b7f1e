// jx::jit: traced once per signature and cached; equal to eager evaluation; composing with vmap,
// grad, jacfwd/jacrev, custom rules and itself; pytree and static arguments; errors; the cache's
// bound, log and thread safety; no allocation from the OS in steady state.
#include <gtest/gtest.h>

#include <jx/jx.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "compiler/codegen.h"
#include "ir/primitive.h"
#include "test_util.h"

namespace jx {
namespace {
namespace jnp = numpy;
using testing::expect_error;

void expect_same(const Array& a, const Array& b) {
  ASSERT_EQ(a.shape(), b.shape());
  ASSERT_EQ(a.dtype(), b.dtype());
  EXPECT_EQ(a.weak_type(), b.weak_type());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.nbytes()), 0) << a << "\n vs \n" << b;
}

void expect_close(const Array& a, const Array& b, double tol = 1e-5) {
  ASSERT_EQ(a.shape(), b.shape());
  ASSERT_EQ(a.dtype(), b.dtype());
  std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], y[i], tol * (1 + std::abs(y[i])));
}

Array f_elementwise(const Array& x) { return jnp::tanh(jnp::sin(x) * 2.0 + 1.0) / (x * x + 1.0); }

TEST(Jit, EqualsEagerAndTracesOncePerSignature) {
  auto jf = jit(f_elementwise);
  Array x = jnp::linspace(-2.0, 2.0, 7);
  expect_same(jf(x), f_elementwise(x));
  EXPECT_EQ(jf.trace_count(), 1);
  expect_same(jf(x * 3.0), f_elementwise(x * 3.0));
  EXPECT_EQ(jf.trace_count(), 1) << "same signature: no retrace";
  Array y = jnp::ones({2, 3});
  expect_same(jf(y), f_elementwise(y));
  EXPECT_EQ(jf.trace_count(), 2) << "new shape: one retrace";
  jf(y);
  EXPECT_EQ(jf.trace_count(), 2);
  expect_same(jf(x.astype(DType::float64)), f_elementwise(x.astype(DType::float64)));
  EXPECT_EQ(jf.trace_count(), 3) << "new dtype";
  EXPECT_EQ(jf.cache_size(), 3u);
}

TEST(Jit, WeakTypeIsPartOfTheSignature) {
  int traces = 0;
  auto jf = jit([&traces](const Array& x) {
    ++traces;
    return x * 2;
  });
  Array weak = jf(3.0);  // a C++ number traces as a weakly typed scalar, as in JAX
  EXPECT_TRUE(weak.weak_type());
  EXPECT_EQ(weak.item<float>(), 6.0f);
  Array strong = jf(jnp::array(3.0f));
  EXPECT_FALSE(strong.weak_type());
  EXPECT_EQ(traces, 2);
}

struct Mlp {
  Array w;
  Array b;
};
JX_REGISTER_PYTREE(Mlp, w, b)

TEST(Jit, PytreeArgumentsAndResults) {
  auto f = [](const Dict& params, const std::tuple<Array, Array>& xy, const Mlp& m) {
    auto [x, y] = xy;
    Array h = jnp::matmul(x, params["w"]) + params["b"];
    return std::pair{Dict{{"h", h}, {"s", jnp::sum(h * y)}}, Mlp{m.w * 2.0, m.b + h[0]}};
  };
  Dict params{{"w", jnp::ones({3, 2})}, {"b", jnp::array({1.0f, -1.0f})}};
  auto xy = std::tuple{jnp::arange(6.0f).reshape({2, 3}), jnp::ones({2, 2})};
  Mlp m{jnp::ones({2}), jnp::zeros({2})};
  auto jf = jit(f);
  auto [d1, m1] = jf(params, xy, m);
  auto [d2, m2] = f(params, xy, m);
  expect_same(d1["h"], d2["h"]);
  expect_same(d1["s"], d2["s"]);
  expect_same(m1.w, m2.w);
  expect_same(m1.b, m2.b);
  jf(params, xy, m);
  EXPECT_EQ(jf.trace_count(), 1);
  // A different tree structure is a different signature.
  Dict more{{"w", params["w"]}, {"b", params["b"]}, {"extra", jnp::ones({1})}};
  jf(more, xy, m);
  EXPECT_EQ(jf.trace_count(), 2);
}

TEST(Jit, StaticArguments) {
  int traces = 0;
  auto f = [&traces](const Array& x, int n, const std::string& mode) {
    ++traces;
    Array y = jnp::concatenate(std::vector<Array>(static_cast<size_t>(n), x));  // n: a shape
    return mode == "double" ? y * 2.0 : y;
  };
  auto jf = jit(f, static_argnums<1, 2>);
  Array x = jnp::array({1.0f, 2.0f});
  expect_same(jf(x, 2, std::string("double")), f(x, 2, "double"));
  expect_same(jf(x, 3, std::string("double")), f(x, 3, "double"));
  expect_same(jf(x, 3, std::string("plain")), f(x, 3, "plain"));
  EXPECT_EQ(jf.trace_count(), 3);
  jf(x, 2, std::string("double"));
  EXPECT_EQ(jf.trace_count(), 3);
}

TEST(Jit, ReadingATracedValueIsAConcretizationError) {
  auto f = [](const Array& x) {
    if (jnp::sum(x).item<float>() > 0) return x;
    return -x;
  };
  expect_error<ConcretizationError>([&] { jit(f)(jnp::ones({3})); },
                                    {"Abstract tracer value encountered where concrete value is "
                                     "expected: traced array with shape float32[]",
                                     "the output of reduce_sum", "jx::lax::cond", "static_argnums",
                                     "while tracing the jitted function"});
  // The fix JAX suggests: make it static.
  auto g = [](const Array& x, bool positive) { return positive ? x : -x; };
  EXPECT_EQ(jit(g, static_argnums<1>)(jnp::ones({3}), false).to_vector<float>()[0], -1.0f);
  expect_error<ConcretizationError>(
      [&] { jit([](const Array& x) { return Array(x.to_vector<float>()[0]); })(jnp::ones({2})); },
      {"float32[2]", "an argument of the traced function"});
}

TEST(Jit, ShapeErrorsSayTheyHappenedWhileTracing) {
  auto f = [](const Array& x, const Array& y) { return jnp::matmul(x, y); };
  expect_error<ShapeError>(
      [&] {
        jit(f, JitOptions{"matmul_fn"})(jnp::ones({2, 3}), jnp::ones({2, 3}));
      },
      {"matmul: Input operand 1 has a mismatch", "while tracing the jitted function matmul_fn",
       "f32[2,3], f32[2,3]"});
}

TEST(Jit, VmapOfJitAndJitOfVmap) {
  auto predict = [](const Array& w, const Array& x) { return jnp::tanh(jnp::matmul(w, x)); };
  Array w = jnp::arange(6.0f).reshape({2, 3}) / 6.0;
  Array xs = jnp::arange(12.0f).reshape({4, 3}) / 12.0;
  Array expected = vmap(predict, {none, 0})(w, xs);
  auto jpred = jit(predict);
  expect_close(vmap(jpred, {none, 0})(w, xs), expected);
  expect_close(jit(vmap(predict, {none, 0}))(w, xs), expected);
  // vmap(jit) maps the jitted function's body: one equation in the batched program.
  EXPECT_NE(make_jaxpr(vmap(jpred, {none, 0}))(w, xs).str().find("jit["), std::string::npos);
  // Nested vmaps of jit, with the batch axis last.
  Array xss = jnp::stack({xs, xs * 2.0}, 0);
  expect_close(vmap(vmap(jpred, {none, 0}), {none, 1}, 1)(w, jnp::moveaxis(xss, 0, 1)),
               jnp::moveaxis(vmap(vmap(predict, {none, 0}), {none, 0})(w, xss), 0, 1));
}

TEST(Jit, GradOfJitAndJitOfGrad) {
  auto loss = [](const Array& w, const Array& x) {
    return jnp::sum(jnp::square(jnp::tanh(jnp::matmul(x, w)) - 0.5));
  };
  Array w = jnp::arange(6.0f).reshape({3, 2}) / 10.0;
  Array x = jnp::arange(12.0f).reshape({4, 3}) / 12.0;
  Array expected = grad(loss)(w, x);
  auto jloss = jit(loss);
  expect_close(grad(jloss)(w, x), expected);
  expect_close(jit(grad(loss))(w, x), expected);
  expect_close(jit(grad(jloss))(w, x), expected);
  auto [v, g] = value_and_grad(jloss)(w, x);
  expect_close(v, loss(w, x));
  expect_close(g, expected);
  // grad(jit(f)) runs the forward pass as one call and the backward pass as another.
  std::string j = make_jaxpr(grad(jloss))(w, x).str();
  size_t first = j.find("jit[");
  ASSERT_NE(first, std::string::npos) << j;
  EXPECT_NE(j.find("jit[", first + 1), std::string::npos) << j;
  // Per-example gradients through jit, jitted.
  auto per_example = jit(vmap(grad(jloss), {none, 0}));
  Array xs = jnp::stack({x, x * 0.5}, 0);
  expect_close(per_example(w, xs), vmap(grad(loss), {none, 0})(w, xs));
}

TEST(Jit, JacobiansAndHessianThroughJit) {
  auto f = [](const Array& x) { return jnp::sin(x) * jnp::sum(x * x); };
  Array x = jnp::array({0.5f, -1.0f, 2.0f});
  auto jf = jit(f);
  expect_close(jacrev(jf)(x), jacrev(f)(x));
  expect_close(jacfwd(jf)(x), jacfwd(f)(x));
  auto s = [](const Array& x) { return jnp::sum(jnp::exp(x) * x); };
  expect_close(hessian(jit(s))(x), hessian(s)(x));
  expect_close(jit(hessian(s))(x), hessian(s)(x));
}

TEST(Jit, JitOfJitIsOneCallInlinedByTheCompiler) {
  auto inner = jit([](const Array& x) { return x * 2.0; }, JitOptions{"inner"});
  auto outer = jit([&](const Array& x) { return inner(x) + inner(x + 1.0); }, JitOptions{"outer"});
  Array x = jnp::arange(4.0f);
  expect_same(outer(x), x * 2.0 + (x + 1.0) * 2.0);
  std::string j = make_jaxpr(outer)(x).str();
  EXPECT_NE(j.find("name=outer"), std::string::npos) << j;
  EXPECT_NE(j.find("name=inner"), std::string::npos) << j;
}

TEST(Jit, MakeJaxprPrintsTheCallAsJaxDoes) {
  auto f = jit([](const Array& x) { return lax::mul(lax::sin(x), Array(2.0f)); }, JitOptions{"f"});
  // Printed by JAX 0.10 for jax.make_jaxpr(jax.jit(f)) with the same f.
  EXPECT_EQ(make_jaxpr(f)(jnp::zeros({3})).str(),
            "{ lambda ; a:f32[3]. let\n"
            "    b:f32[3] = jit[\n"
            "      name=f\n"
            "      jaxpr={ lambda ; a:f32[3]. let\n"
            "          c:f32[3] = sin a\n"
            "          b:f32[3] = mul c 2.0:f32[]\n"
            "        in (b,) }\n"
            "    ] a\n"
            "  in (b,) }");
  auto g = jit([](const Array& x) { return lax::sin(x); }, JitOptions{"sin"});
  EXPECT_EQ(make_jaxpr(g)(Array(1.0f)).str(),
            "{ lambda ; a:f32[]. let\n"
            "    b:f32[] = jit[\n"
            "      name=sin\n"
            "      jaxpr={ lambda ; a:f32[]. let b:f32[] = sin a in (b,) }\n"
            "    ] a\n"
            "  in (b,) }");
}

TEST(Jit, MakeJaxprOfGradOfJitShowsTheForwardAndBackwardCalls) {
  auto jf = jit([](const Array& x) { return lax::mul(lax::sin(x), Array(2.0f)); }, JitOptions("f"));
  auto g = [&](const Array& x) { return lax::reduce_sum(jf(x), {0}); };
  // JAX 0.10 prints the same program for jax.make_jaxpr(jax.grad(g)), except that it names the
  // dropped primal output `_` and prints its sharding parameters (`out_sharding=None`).
  EXPECT_EQ(make_jaxpr(grad(g))(jnp::zeros({3})).str(),
            "{ lambda ; a:f32[3]. let\n"
            "    b:f32[3] c:f32[3] = jit[\n"
            "      name=f\n"
            "      jaxpr={ lambda ; a:f32[3]. let\n"
            "          d:f32[3] = sin a\n"
            "          c:f32[3] = cos a\n"
            "          b:f32[3] = mul d 2.0:f32[]\n"
            "        in (b, c) }\n"
            "    ] a\n"
            "    e:f32[] = reduce_sum[axes=(0,)] b\n"
            "    f:f32[3] = broadcast_in_dim[broadcast_dimensions=() shape=(3,)] 1.0:f32[]\n"
            "    g:f32[3] = jit[\n"
            "      name=f\n"
            "      jaxpr={ lambda ; c:f32[3] f:f32[3]. let\n"
            "          h:f32[3] = mul f 2.0:f32[]\n"
            "          g:f32[3] = mul h c\n"
            "        in (g,) }\n"
            "    ] c f\n"
            "  in (g,) }");
}

TEST(Jit, ClosuresOverOuterTracers) {
  // Inside vmap, a jitted function closing over a batched value: the value becomes an operand.
  Array xs = jnp::arange(6.0f).reshape({3, 2});
  auto per_row = [](const Array& row) {
    return jit([&row](const Array& y) { return y * row + 1.0; })(jnp::ones({2}));
  };
  expect_same(vmap(per_row)(xs), xs + 1.0);
  // Inside grad, closing over the differentiated variable: the derivative flows through.
  auto f = [](const Array& x) {
    return jit([&x](const Array& y) { return jnp::sum(jnp::sin(x) * y); })(jnp::ones({3}));
  };
  Array x = jnp::array({0.1f, 0.2f, 0.3f});
  expect_close(grad(f)(x), jnp::cos(x));
}

TEST(Jit, CustomJvpRuleSurvivesJit) {
  static std::atomic<int> rule_calls{0};
  auto f = custom_jvp([](const Array& x) { return jnp::sin(x); },
                      [](const std::tuple<Array>& p, const std::tuple<Array>& t) {
                        ++rule_calls;
                        auto [x] = p;
                        auto [dx] = t;
                        return std::pair{jnp::sin(x), dx * 100.0};  // not cos: the rule is used
                      });
  auto loss = [&](const Array& x) { return jnp::sum(f(x)); };
  Array x = jnp::array({0.5f, 1.0f});
  Array expected = jnp::ones({2}) * 100.0f;
  rule_calls = 0;
  expect_same(grad(jit(loss))(x), expected);
  EXPECT_GT(rule_calls.load(), 0);
  rule_calls = 0;
  expect_same(jit(grad(loss))(x), expected);
  EXPECT_GT(rule_calls.load(), 0);
  expect_same(vmap(grad(jit(loss)))(jnp::ones({3, 2})), jnp::ones({3, 2}) * 100.0f);
  expect_same(jit(f)(x), jnp::sin(x));
  std::string j = make_jaxpr(jit(loss))(x).str();
  EXPECT_NE(j.find("custom_jvp_call["), std::string::npos) << j;
  // jvp through jit uses the rule too.
  auto [y, dy] = jvp(jit(f), std::tuple{x}, std::tuple{jnp::ones({2})});
  expect_same(dy, expected);
}

TEST(Jit, CustomVjpRuleSurvivesJit) {
  static std::atomic<int> bwd_calls{0};
  auto clip = custom_vjp([](const Array& x) { return x * 3.0; },
                         [](const Array& x) {
                           return std::pair{x * 3.0, x};
                         },
                         [](const Array&, const Array& g) {
                           ++bwd_calls;
                           return std::tuple{jnp::clip(g, -1.0, 1.0)};
                         });
  auto loss = [&](const Array& x) { return jnp::sum(clip(x) * 5.0); };
  Array x = jnp::array({0.5f, 1.0f});
  bwd_calls = 0;
  expect_same(grad(jit(loss))(x), jnp::ones({2}));
  EXPECT_GT(bwd_calls.load(), 0);
  bwd_calls = 0;
  expect_same(jit(grad(loss))(x), jnp::ones({2}));
  EXPECT_GT(bwd_calls.load(), 0);
  expect_same(vmap(grad(jit(loss)))(jnp::ones({3, 2})), jnp::ones({3, 2}));
  expect_error<NotSupportedError>(
      [&] { jvp(jit(clip), std::tuple{x}, std::tuple{x}); },
      "can't apply forward-mode autodiff (jvp) to a custom_vjp function.");
}

TEST(Jit, RandomKeysAndConfigInTheSignature) {
  auto sample = jit([](const Array& key) { return random::normal(key, {4}); });
  Array key = random::PRNGKey(0);
  expect_same(sample(key), random::normal(key, {4}));
  config::set_threefry_partitionable(false);
  expect_same(sample(key), random::normal(key, {4}));
  config::set_threefry_partitionable(true);
  EXPECT_EQ(sample.trace_count(), 2) << "the PRNG scheme changes results: it retraces";
}

TEST(Jit, CacheIsBoundedAndExplainsMisses) {
  size_t saved = config::jit_cache_size();
  config::set_jit_cache_size(2);
  auto jf = jit([](const Array& x) { return x + 1.0; }, JitOptions{"inc"});
  config::set_explain_cache_misses(true);
  ::testing::internal::CaptureStderr();
  jf(jnp::ones({1}));
  jf(jnp::ones({2}));
  jf(jnp::ones({3}));
  std::string log = ::testing::internal::GetCapturedStderr();
  config::set_explain_cache_misses(false);
  config::set_jit_cache_size(saved);
  EXPECT_EQ(jf.cache_size(), 2u);
  EXPECT_NE(log.find("TRACING CACHE MISS for jit(inc) because: never seen function"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("at args[0] (flattened), now f32[3] and before f32[2]"), std::string::npos)
      << log;
}

TEST(Jit, SharedJittedFunctionsAreThreadSafe) {
  auto f = [](const Array& x, const Array& y) {
    return jnp::sum(jnp::tanh(jnp::matmul(x, y)) * 2.0, 0);
  };
  auto jf = jit(f);
  auto jg = jit(grad([](const Array& w) { return jnp::sum(jnp::sin(w) * w); }));
  std::vector<Array> xs, expected, gexpected;
  for (int i = 0; i < 4; ++i) {
    xs.push_back(jnp::ones({3 + i, 4}) * (0.1 * (i + 1)));
    expected.push_back(f(xs.back(), jnp::ones({4, 5})));
    gexpected.push_back(grad([](const Array& w) { return jnp::sum(jnp::sin(w) * w); })(xs.back()));
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 50; ++rep) {
        int i = (t + rep) % 4;
        Array out = jf(xs[static_cast<size_t>(i)], jnp::ones({4, 5}));
        Array g = jg(xs[static_cast<size_t>(i)]);
        if (std::memcmp(out.data(), expected[static_cast<size_t>(i)].data(), out.nbytes()) != 0 ||
            std::memcmp(g.data(), gexpected[static_cast<size_t>(i)].data(), g.nbytes()) != 0) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(jf.trace_count(), 8 * 4) << "concurrent misses may trace twice, never per call";
  EXPECT_EQ(jf.cache_size(), 4u);
}

TEST(Jit, SteadyStateCallsAllocateNothingFromTheOs) {
  auto jf = jit([](const Array& x) {
    Array y = x;
    for (int i = 0; i < 10; ++i) y = jnp::sin(y) * 1.5 + 0.25;
    return jnp::sum(y);
  });
  Array x = jnp::linspace(0.0, 1.0, 1 << 16);
  for (int i = 0; i < 3; ++i) jf(x);  // warm: traced, planned, buffers cached
  size_t before = memory::stats().os_allocations;
  for (int i = 0; i < 20; ++i) jf(x);
  EXPECT_EQ(memory::stats().os_allocations, before);
}

TEST(Jit, DyingBuffersAreReusedInPlace) {
  // Ten elementwise steps: each intermediate dies at the next step, whose kernel writes into its
  // buffer. Only the first step (whose operand is the caller's array) needs a new buffer.
  auto chain = jit([](const Array& x) {
    Array y = jnp::sin(x);
    for (int i = 0; i < 9; ++i) y = y * 1.5f + 0.25f;
    return y;
  });
  Array x = jnp::linspace(0.0, 1.0, 1 << 14).astype(DType::float32);
  Array want = chain(x);
  auto allocations = [] { return memory::stats().os_allocations + memory::stats().cache_hits; };
  size_t before = allocations();
  Array got = chain(x);
  EXPECT_LE(allocations() - before, 2u) << "intermediates were not reused in place";
  EXPECT_EQ(std::memcmp(got.data(), want.data(), got.nbytes()), 0);
  // The caller's array is never overwritten.
  Array copy = x * 1.0f;
  chain(x);
  EXPECT_EQ(std::memcmp(copy.data(), x.data(), x.nbytes()), 0);
}

// Every elementwise kernel that the executable may run in place (its output written over a dying
// operand) gives the eager result: for each single-output kElementwise primitive, each operand
// in turn is an intermediate that dies at the primitive. With code
// generation off the kernels run in place; with it on, the generated loops do where they apply.
class JitInPlace : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { compiler::set_codegen_enabled(GetParam()); }
  void TearDown() override { compiler::set_codegen_enabled(true); }
};
INSTANTIATE_TEST_SUITE_P(Codegen, JitInPlace, ::testing::Bool());

TEST_P(JitInPlace, EveryElementwiseKernelIsCorrectInPlace) {
  const Array f = jnp::linspace(0.05, 0.95, 64).astype(DType::float32);
  const Array i = (jnp::arange(64) % 7 + 1).astype(DType::int32);
  const Array b = jnp::arange(64) % 3 == 0;
  int checked = 0;
  for (int k = 0; k < kNumPrimitives; ++k) {
    const Prim p = static_cast<Prim>(k);
    const std::string_view family = primitive_family(p);
    // The executable's in-place rule: single-output kElementwise primitives with operands.
    if (!has_trait(p, kElementwise) || p == Prim::iota || p == Prim::threefry2x32) continue;
    const size_t arity =
        family == "unary" || p == Prim::stop_gradient ? 1 : (p == Prim::clamp ? 3 : 2);
    for (const Array& sample : {f, i, b}) {
      std::vector<Array> args(arity, sample);
      Params params;
      if (p == Prim::convert_element_type || p == Prim::bitcast_convert_type) {
        params = p == Prim::convert_element_type
                     ? Params{{"new_dtype", DType::float32}, {"weak_type", false}}
                     : Params{{"new_dtype",
                               sample.dtype() == DType::bool_ ? DType::bool_ : DType::float32}};
        args.resize(1);
      }
      if (p == Prim::select_n) args[0] = b;
      try {
        std::vector<ShapedArray> avals;
        for (const Array& a : args) avals.push_back(a.aval());
        rules(p).abstract_eval(avals, params);
      } catch (const Error&) {
        continue;  // not a dtype this primitive takes
      }
      for (size_t operand = (p == Prim::select_n ? 1 : 0); operand < args.size(); ++operand) {
        auto program = [&](const std::vector<Array>& xs) {
          std::vector<Array> ops = xs;
          // An intermediate that dies at p.
          ops[operand] = ops[operand].dtype() == DType::bool_
                             ? lax::bitwise_not(ops[operand])
                             : lax::add(ops[operand], ops[operand]);
          return bind1(p, ops, params);
        };
        Array want = program(args);
        Array got = jit(program)(args);
        ASSERT_EQ(got.aval(), want.aval()) << primitive_name(p);
        EXPECT_EQ(std::memcmp(got.data(), want.data(), got.nbytes()), 0)
            << primitive_name(p) << " " << dtype_name(sample.dtype()) << " operand " << operand
            << "\n got " << got << "\n want " << want;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 60);
}

TEST(Jit, DonatedArgumentsAreUpdatedInPlaceAndDeleted) {
  auto step =
      jit([](const Array& p, const Array& g) { return p - g * 0.5f; }, JitOptions{"step", {0}});
  Array p = jnp::arange(1024.0f);
  Array g = jnp::ones({1024});
  const void* buffer = p.data();
  Array expected = p - g * 0.5f;
  Array q = step(p, g);
  EXPECT_EQ(q.data(), buffer) << "the donated buffer holds the result";
  EXPECT_EQ(std::memcmp(q.data(), expected.data(), q.nbytes()), 0);
  expect_error<ValueError>([&] { p.to_vector<float>(); },
                           "Array has been deleted with shape=f32[1024]");
  expect_error<ValueError>([&] { jnp::sin(p); }, "Array has been deleted");
  // Not donated: g is intact.
  EXPECT_EQ(g.to_vector<float>()[0], 1.0f);
  // The same array passed twice is not donated (it is still read by the other operand).
  auto twice = jit([](const Array& a, const Array& b) { return a + b; }, JitOptions{"twice", {0}});
  Array r = twice(g, g);
  EXPECT_EQ(r.to_vector<float>()[0], 2.0f);
  EXPECT_EQ(g.to_vector<float>()[0], 1.0f);
}

}  // namespace
}  // namespace jx
