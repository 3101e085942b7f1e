// Walks the primitive list: every primitive must have its shape rule, its CPU kernel, its batch
// rule, and a unit test that calls its jx::lax wrapper. Rules owned by later layers (jvp,
// transpose) are reported as present/absent, never faked.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "compiler/codegen.h"
#include "ir/primitive.h"

namespace jx {
namespace {

std::vector<Prim> all_primitives() {
  std::vector<Prim> out;
  for (int i = 0; i < kNumPrimitives; ++i) out.push_back(static_cast<Prim>(i));
  return out;
}

std::string lax_function(Prim p) {
  std::string name(primitive_name(p));
  if (name == "not" || name == "and" || name == "or" || name == "xor") return "bitwise_" + name;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

std::string read_tests() {
  const char* src = std::getenv("JX_SOURCE_DIR");
  std::filesystem::path dir = std::filesystem::path(src ? src : JX_SOURCE_DIR_DEFAULT) / "tests";
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    std::string file = entry.path().filename().string();
    bool rule_test = entry.path().parent_path().filename() == "vmap_rules";
    if ((file.ends_with("_test.cc") || (rule_test && file.ends_with(".cc"))) &&
        file != "coverage_test.cc") {
      std::ifstream in(entry.path());
      std::stringstream ss;
      ss << in.rdbuf();
      all += ss.str();
    }
  }
  return all;
}

// Primitives that user code binds through another API than a jx::lax wrapper. custom_lin
// carries a custom_vjp function's tangents in the linear jaxprs of reverse mode and is only ever
// transposed (to the user's backward pass); evaluating it forward is jvp of a custom_vjp
// function, which JAX rejects too, so it has no batch or jvp rule (its tests: grad_api_test).
// The call family (jit, custom_jvp_call, custom_vjp_call) is bound by jx::jit and by staging
// jx::custom_jvp / jx::custom_vjp functions (tests: jit_test, vmap_rules/call.cc,
// jvp_rules/call.cc).
bool internal(Prim p) { return p == Prim::custom_lin || primitive_family(p) == "call"; }

TEST(Coverage, EveryPrimitiveHasShapeRuleAndKernel) {
  for (Prim p : all_primitives()) {
    const PrimitiveRules& r = rules(p);
    EXPECT_TRUE(static_cast<bool>(r.abstract_eval)) << primitive_name(p) << ": no shape rule";
    EXPECT_TRUE(static_cast<bool>(r.impl)) << primitive_name(p) << ": no CPU kernel";
  }
}

TEST(Coverage, EveryPrimitiveHasAUnitTest) {
  std::string tests = read_tests();
  ASSERT_FALSE(tests.empty()) << "could not read tests/ (set JX_SOURCE_DIR)";
  for (Prim p : all_primitives()) {
    if (internal(p)) continue;
    // A call `lax::exp(` or the function passed to a table `lax::exp,` / `lax::exp}`.
    std::regex use("lax::" + lax_function(p) + "\\b(?!_)");
    EXPECT_TRUE(std::regex_search(tests, use))
        << primitive_name(p) << ": no unit test uses lax::" << lax_function(p);
  }
}

// Every primitive with operands has a batch rule (vmap_rules_test checks each is exercised). iota
// has no operands: under vmap it runs once, unmapped, as in JAX.
TEST(Coverage, EveryPrimitiveHasABatchRule) {
  for (Prim p : all_primitives()) {
    if (p == Prim::iota || internal(p)) continue;
    EXPECT_TRUE(static_cast<bool>(rules(p).batch)) << primitive_name(p) << ": no batch rule";
  }
}

// The primitives linear in some operand (the kLinear trait of primitives.def; JAX gives them
// transpose rules): reverse mode transposes them when they carry tangents. jvp_rules_test checks
// each rule is exercised.
TEST(Coverage, EveryLinearPrimitiveHasATransposeRule) {
  for (Prim p : all_primitives()) {
    if (!has_trait(p, kLinear)) continue;
    EXPECT_TRUE(static_cast<bool>(rules(p).transpose))
        << primitive_name(p) << ": no transpose rule";
  }
}

TEST(Coverage, ReportTransformationRules) {
  int batch = 0, jvp = 0, transpose = 0, partial_eval = 0, dce = 0, lowering = 0;
  std::string no_jvp;
  for (Prim p : all_primitives()) {
    const PrimitiveRules& r = rules(p);
    batch += static_cast<bool>(r.batch);
    jvp += static_cast<bool>(r.jvp);
    if (!r.jvp) no_jvp += " " + std::string(primitive_name(p));
    transpose += static_cast<bool>(r.transpose);
    partial_eval += static_cast<bool>(r.partial_eval);
    dce += static_cast<bool>(r.dce);
  }
  // Under jit every primitive runs (its CPU kernel, called from the plan: the first test);
  // the code generator's table (compiler/codegen.h) also lowers some into fused loops: those
  // codegen_supports takes on float32, int32 or bool operands, the reductions row programs
  // generate, and what the planner fuses as index remapping, stores or random bits
  // (compiler/fusion.h).
  const std::vector<Prim> structural{
      Prim::reduce_sum,  Prim::reduce_max, Prim::reduce_min,  Prim::broadcast_in_dim,
      Prim::transpose,   Prim::slice,      Prim::rev,         Prim::reshape,
      Prim::expand_dims, Prim::squeeze,    Prim::concatenate, Prim::random_bits};
  std::string kernels_only;
  for (Prim p : all_primitives()) {
    bool generated = std::find(structural.begin(), structural.end(), p) != structural.end();
    for (DType d : {DType::float32, DType::int32, DType::bool_}) {
      for (size_t arity = 1; arity <= 3 && !generated; ++arity) {
        std::vector<ShapedArray> in(arity, ShapedArray{Shape({4}), d, false});
        if (p == Prim::select_n) in[0].dtype = DType::bool_;
        for (DType out : {d, DType::bool_, DType::float64}) {
          generated |= compiler::codegen_supports(p, in, ShapedArray{Shape({4}), out, false});
        }
      }
    }
    lowering += generated;
    if (!generated) kernels_only += " " + std::string(primitive_name(p));
  }
  EXPECT_GT(lowering, 60);
  std::cout << "primitives: " << kNumPrimitives << "; batch rules: " << batch
            << " (absent: " << kNumPrimitives - batch
            << ": iota, which has no operands, and the internal custom_lin); jvp rules: " << jvp
            << " (absent:" << no_jvp << "); transpose rules: " << transpose
            << "; partial_eval rules: " << partial_eval << "; dce rules: " << dce
            << "; lowered into generated loops: " << lowering
            << " (kernel calls only:" << kernels_only << ")\n";
}

}  // namespace
}  // namespace jx
