// jit's optimisation passes over a jaxpr, run before it is planned for execution. Each keeps the
// program's results bit for bit (tests/jit_passes_test.cc checks them on random programs).
#pragma once

#include "ir/jaxpr.h"

namespace jx::compiler {

// Splices the bodies of nested calls (jit, custom_jvp_call, custom_vjp_call) into the
// program: at run time their rules no longer matter, and one flat program plans and fuses best.
void inline_calls(Jaxpr& jaxpr);
// Common-subexpression elimination: an equation equal to an earlier one (same primitive,
// params and operands) reuses its outputs.
void cse(Jaxpr& jaxpr);
// Evaluates equations whose operands are all constants and whose results are small
// (at most kMaxFoldedElements each), replacing them by literals.
inline constexpr int64_t kMaxFoldedElements = 64;
void fold_constants(Jaxpr& jaxpr);
// Algebraic simplification by a table of rewrite patterns (x*1, x+(-0.), neg(neg x), reshape or
// transpose chains, converts to the same type, select_n with a constant predicate, ...).
void simplify(Jaxpr& jaxpr);
// All of them, then dead-code elimination, until nothing changes.
void optimize(Jaxpr& jaxpr);

}  // namespace jx::compiler
