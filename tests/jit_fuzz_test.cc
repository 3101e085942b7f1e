// Random programs under jit: chains of operations chosen to meet every optimisation pass
// (identities for the rewrite patterns, repeated subexpressions for CSE, constant-only
// subexpressions for folding, dead values, nested jits for inlining), checked bit for bit
// against eager evaluation (reductions fused into generated loops included): each pass alone on the
// traced jaxpr, all of them together, and the compiled executable (whose in-place reuse of dying
// buffers is exercised too).
#include <gtest/gtest.h>

#include <jx/jx.h>

#include <cstring>
#include <functional>
#include <random>
#include <string>

#include "compiler/passes.h"
#include "ir/jaxpr.h"

namespace jx {
namespace {
namespace jnp = numpy;

struct Step {
  std::string name;
  std::function<Array(const Array&)> f;
};

// Steps valid for a value of shape [rows, cols] that keep that shape.
std::vector<Step> all_steps(int64_t rows, int64_t cols) {
  Array c = jnp::arange(static_cast<double>(cols)).astype(DType::float32) * 0.25f;
  return {
      {"sin", [](const Array& v) { return jnp::sin(v); }},
      {"x*1", [](const Array& v) { return lax::mul(v, jnp::full_like(v, 1.0f)); }},
      {"1*x", [](const Array& v) { return lax::mul(Array(1.0f), v); }},
      {"x+(-0.)", [](const Array& v) { return lax::add(v, Array(-0.0f)); }},
      {"x+0. (kept: -0. + 0. = 0.)", [](const Array& v) { return lax::add(v, Array(0.0f)); }},
      {"x-0.", [](const Array& v) { return lax::sub(v, Array(0.0f)); }},
      {"x/1", [](const Array& v) { return lax::div(v, Array(1.0f)); }},
      {"neg(neg x)", [](const Array& v) { return lax::neg(lax::neg(v)); }},
      {"neg", [](const Array& v) { return lax::neg(v); }},
      {"convert to itself",
       [](const Array& v) { return lax::convert_element_type(v, v.dtype(), v.weak_type()); }},
      {"f64 round trip",
       [](const Array& v) { return v.astype(DType::float64).astype(DType::float32); }},
      {"reshape chain",
       [rows, cols](const Array& v) {
         return lax::reshape(lax::reshape(v, {rows * cols}), {rows, cols});
       }},
      {"transpose twice",
       [](const Array& v) {
         return lax::transpose(lax::transpose(v, {1, 0}), {1, 0});
       }},
      {"broadcast chain",
       [rows, cols](const Array& v) {
         Array b = lax::broadcast_in_dim(lax::broadcast_in_dim(v[0], {1, cols}, {1}), {rows, cols},
                                         {0, 1});
         return v + b;
       }},
      {"select constant true",
       [](const Array& v) {
         return lax::select_n(Array(true), {-v, v * 2.0f});
       }},
      {"select constant false",
       [](const Array& v) {
         return lax::select_n(Array(false), {-v, v * 2.0f});
       }},
      {"CSE: exp(v) + exp(v)",
       [](const Array& v) { return jnp::exp(v * 0.1f) + jnp::exp(v * 0.1f); }},
      {"folded constant row", [c](const Array& v) { return v * (jnp::cos(c) + 1.0f); }},
      {"dead value",
       [](const Array& v) {
         Array unused = jnp::tanh(v) * 3.0f;
         (void)unused;
         return v - 0.5f;
       }},
      {"stop_gradient", [](const Array& v) { return lax::stop_gradient(v) * 0.5f; }},
      {"nested jit",
       [](const Array& v) { return jit([](const Array& x) { return x * x - 1.0f; })(v); }},
      {"sum keepdims", [](const Array& v) { return v - jnp::sum(v, 1, true) * 0.1f; }},
      {"max keepdims", [](const Array& v) { return v - jnp::max(v, 1, true); }},
      {"mean and variance",
       [](const Array& v) { return (v - jnp::mean(v, 1, true)) / (jnp::var(v, 1, true) + 1.0f); }},
      {"column sum", [](const Array& v) { return v + jnp::sum(v, 0, true); }},
      {"reversed",
       [](const Array& v) {
         return v * lax::rev(v, {0, 1}) + lax::rev(v, {1});
       }},
      {"strided slice of a repeat",
       [rows, cols](const Array& v) {
         Array twice = jnp::concatenate({v, v * 2.0f}, 1);  // [rows, 2 cols]
         return v - lax::slice(twice, {0, 1}, {rows, 2 * cols}, {{1, 2}});
       }},
      {"maximum", [](const Array& v) { return jnp::maximum(v, -0.25f); }},
      {"where", [](const Array& v) { return jnp::where(v > 0.0f, v, v * 0.1f); }},
  };
}

void expect_bitwise(const Array& a, const Array& b, const std::string& where) {
  ASSERT_EQ(a.aval(), b.aval()) << where;
  ASSERT_EQ(std::memcmp(a.data(), b.data(), a.nbytes()), 0)
      << where << "\n got " << a << "\n want " << b;
}

TEST(JitFuzz, RandomProgramsEqualEagerUnderEveryPass) {
  std::mt19937_64 rng(2026);
  const std::vector<std::pair<std::string, std::function<void(Jaxpr&)>>> passes{
      {"inline_calls", compiler::inline_calls},         {"cse", compiler::cse},
      {"fold_constants", compiler::fold_constants},     {"simplify", compiler::simplify},
      {"dead_code_elimination", dead_code_elimination}, {"optimize", compiler::optimize}};
  for (int program = 0; program < 60; ++program) {
    const int64_t rows = std::uniform_int_distribution<int64_t>(1, 4)(rng);
    // Rows long enough to cross the generated reductions' lane counts.
    const int64_t cols = std::uniform_int_distribution<int64_t>(1, 40)(rng);
    std::vector<Step> steps = all_steps(rows, cols);
    std::vector<size_t> chosen;
    const int depth = std::uniform_int_distribution<int>(1, 8)(rng);
    std::string name = "program " + std::to_string(program) + ":";
    for (int d = 0; d < depth; ++d) {
      chosen.push_back(std::uniform_int_distribution<size_t>(0, steps.size() - 1)(rng));
      name += " " + steps[chosen.back()].name + ";";
    }
    auto f = [&](const Array& x) {
      Array v = x;
      for (size_t k : chosen) v = steps[k].f(v);
      return std::pair{v, jnp::sum(v * x)};
    };
    Array x = random::normal(random::PRNGKey(static_cast<uint64_t>(program)), {rows, cols});
    auto [want, want_sum] = f(x);
    ClosedJaxpr traced = make_jaxpr(f)(x);
    for (const auto& [pass_name, pass] : passes) {
      Jaxpr j = traced.jaxpr();
      pass(j);
      std::vector<Array> got = eval_jaxpr(j, std::vector<Array>{x});
      expect_bitwise(got[0], want, name + " after " + pass_name);
      expect_bitwise(got[1], want_sum, name + " after " + pass_name + " (sum)");
    }
    auto jf = jit(f);
    for (int call = 0; call < 2; ++call) {
      auto [got, got_sum] = jf(x);
      expect_bitwise(got, want, name + " under jit");
      expect_bitwise(got_sum, want_sum, name + " under jit (sum)");
    }
  }
}

TEST(JitFuzz, OptimizedProgramsDropWhatThePatternsRemove) {
  auto f = [](const Array& x) {
    Array y = lax::neg(lax::neg(lax::mul(x, Array(1.0f))));
    y = lax::reshape(lax::reshape(y, {6}), {2, 3});
    Array unused = jnp::exp(y);
    (void)unused;
    return lax::add(jnp::sin(y), jnp::sin(y));
  };
  ClosedJaxpr traced = make_jaxpr(f)(jnp::ones({2, 3}));
  Jaxpr j = traced.jaxpr();
  compiler::optimize(j);
  // What is left: one sin (CSE) and the add.
  ASSERT_EQ(j.eqns.size(), 2u) << j.str();
  EXPECT_EQ(j.eqns[0].prim, Prim::sin);
  EXPECT_EQ(j.eqns[1].prim, Prim::add);
}

}  // namespace
}  // namespace jx
