// After all the batch-rule tests ran, every primitive's batch rule must have been exercised by
// check_vmap: a primitive missing from the tests fails here, by name.
#include <gtest/gtest.h>

#include "compiler/executable.h"
#include "interpreters/batching.h"

namespace jx {
namespace {

class EveryRuleExercised : public ::testing::Environment {
 public:
  void TearDown() override {
    // A filtered run checks only what it ran.
    if (::testing::GTEST_FLAG(filter) != "*") return;
    for (int i = 0; i < kNumPrimitives; ++i) {
      Prim p = static_cast<Prim>(i);
      // iota has no operands, so it is never mapped and has no batch rule (as in JAX); the
      // internal custom_lin is only ever transposed (see coverage_test).
      if (!rules(p).batch) continue;
      EXPECT_GT(batching::rule_calls(p), 0) << primitive_name(p) << " (" << primitive_family(p)
                                            << "): no check_vmap test exercised its batch rule";
      // check_vmap runs every function under jit too. Collectives never reach the compiler:
      // vmap rewrites them first (collective.cc checks vmap of jit); jit and the custom calls
      // are inlined (jit_test).
      if (rules(p).collective || primitive_family(p) == "call") continue;
      EXPECT_GT(compiler::compiled_count(p), 0) << primitive_name(p) << " (" << primitive_family(p)
                                                << "): no check_vmap test ran it under jit";
    }
  }
};

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new EveryRuleExercised);

}  // namespace
}  // namespace jx
