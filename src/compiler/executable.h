// jit's executable: a jaxpr planned once for repeated execution. A cached call does no tracing,
// shape inference or rule lookup: the kernels are resolved, the operands of each step are slot
// indices, and every intermediate buffer is released right after its last use, so the caching
// allocator hands it to the next step that needs one (a steady-state call allocates nothing
// from the OS). Chains of elementwise equations run as one generated loop (compiler/fusion.h,
// compiler/codegen.h).
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "ir/jaxpr.h"

namespace jx::compiler {

class Executable {
 public:
  // Plans `jaxpr`, which must already be optimised (no nested calls left).
  explicit Executable(const Jaxpr& jaxpr);
  // Runs the program on concrete arguments of the jaxpr's input types (not checked here: the
  // caller's signature lookup or shape rule did). Thread-safe. An argument whose handle and
  // buffer the caller gave up (jit's donate_argnums) may be overwritten in place.
  std::vector<Array> run(std::vector<Array> args) const;
  size_t num_steps() const { return steps_.size(); }

 private:
  // An operand: a slot of the environment (>= 0) or constant ~index (< 0).
  using Operand = int32_t;
  struct Step {
    const ImplRule* impl;
    std::shared_ptr<const ImplRule> owned_impl;  // a fused loop's (impl points at it)
    Params params;
    std::vector<Operand> in;
    std::vector<ShapedArray> out_avals;
    std::vector<int32_t> out;
    std::vector<int32_t> release;  // slots whose last use is this step
    // Operand positions whose buffer may become the output's (an elementwise kernel reading
    // element i before writing it, and an operand dying here with the output's size): at run
    // time the first whose buffer nothing else holds is used.
    std::vector<int> in_place;
  };
  std::vector<Step> steps_;
  std::vector<Array> constants_;
  std::vector<int32_t> in_slots_;  // -1: an input nothing uses
  std::vector<Operand> outputs_;
  size_t num_slots_ = 0;
  size_t max_arity_ = 0;
};

// The executable of a jaxpr: optimised (compiler/passes.h) and planned on first use, then
// kept with the jaxpr.
std::shared_ptr<const Executable> executable_for(const Jaxpr& jaxpr);
// How many equations of primitive p the compiler has been given in this process, nested calls
// inlined (tests check every primitive runs under jit).
int64_t compiled_count(Prim p);

}  // namespace jx::compiler
