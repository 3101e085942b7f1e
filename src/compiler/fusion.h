// jit's fusion planner ("jit, part 2"): groups of equations run as one generated loop
// (compiler/codegen.h), so a chain of operations reads its inputs once and writes only the
// values used outside it; the intermediates live in registers.
//  - Loop fusion: elementwise equations of one shape; operands are arrays of the loop's shape,
//    rank-0 scalars (read once), size-1 broadcasts, or arrays read through index-remapping
//    equations (broadcast_in_dim, transpose, slice with strides, rev, and chains of them: their
//    views compose) at remapped indices instead of materialising the remapped copy.
//  - JAX's partitionable random bits, hashed from each element's index inside the loop.
//  - A loop reading an input that wraps along its last dimension (a bias added to every row)
//    runs as rows of that dimension (a row program without reductions), so it vectorises.
//  - A transpose of a value of the loop is its store (at the transposed index; row programs
//    write blocks of rows transposed in registers).
//  - Input fusion into reductions (row programs): reduce_sum/max/min over the last dimensions
//    of an operand computed in the loop, sibling reductions of the same rows in one pass, and
//    the operations on their per-row results (the nested-vmap pairwise distance: the square of
//    the difference, its sum over D and the sqrt are one loop nest that never materialises
//    N x M x D; normalize: mean, variance and the normalised row in one kernel per row).
#pragma once

#include <vector>

#include "compiler/codegen.h"
#include "ir/jaxpr.h"

namespace jx::compiler {

struct Fusion {
  std::vector<size_t> members;  // equation indices, in order (the loop runs at the last one)
  std::vector<Atom> inputs;     // the loop's operands, in LoopProgram::inputs order
  std::vector<int> outputs;     // the variables it materialises, in LoopProgram::outputs order
  int64_t iterations;           // elements (flat programs) or rows (row programs)
  LoopProgram program;
};

// Maximal groups of at least two fusible equations whose placement at the group's last member
// keeps every use after its definition, in program order. A reduction joins only when the
// generated pass adds in the eager kernel's order (codegen_reduces, cpu::reduces_rows_whole).
std::vector<Fusion> plan_fusions(const Jaxpr& jaxpr);

}  // namespace jx::compiler
