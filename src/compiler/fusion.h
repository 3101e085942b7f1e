// jit's fusion planner (first step of "jit, part 2"): loop fusion of elementwise equations of
// one shape into a single generated loop (compiler/codegen.h), so a chain of operations reads
// its inputs once and writes only the values used outside it; the intermediates live in
// registers. Operands are arrays of the loop's shape, rank-0 scalars (read once), or the
// operands of broadcast_in_dim equations, read at remapped indices instead of materialised.
#pragma once

#include <vector>

#include "compiler/codegen.h"
#include "ir/jaxpr.h"

namespace jx::compiler {

struct Fusion {
  std::vector<size_t> members;  // equation indices, in order (the loop runs at the last one)
  std::vector<Atom> inputs;     // the loop's operands, in LoopProgram::inputs order
  std::vector<int> outputs;     // the variables it materialises, in LoopProgram::outputs order
  LoopProgram program;
};

// Maximal groups of at least two fusible equations (codegen_supports, one output of one shape)
// whose placement at the group's last member keeps every use after its definition.
std::vector<Fusion> plan_fusions(const Jaxpr& jaxpr);

}  // namespace jx::compiler
