// jit's code generator ("jit, part 2"): fused loops compiled to native code in process with
// LLVM's ORC JIT (no compiler is run), vectorised for the host CPU. Every operation gives the
// eager kernel's bits: IEEE add, sub, mul, div, sqrt, abs and neg; max/min with the eager NaN
// rule; comparisons, select and is_finite; wrapping integer arithmetic, bitwise ops and shifts
// with XLA's rules for large amounts; converts (not float -> integer) and bitcasts; the
// elementary functions through the eager kernels' own code (backend/cpu/vector_math.h);
// reductions in the eager kernel's order; JAX's threefry random bits. Floating-point
// contraction is off, so separately rounded operations stay separate.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "backend/cpu/vector_math.h"
#include "ir/primitive.h"

namespace jx::compiler {

// A loop body: values 0..inputs.size()-1 are the inputs (an array read at each element, a
// broadcast array read at a remapped index, or a scalar read once); value inputs.size() + k is
// ops[k]'s result.
//
// A flat program (reduced == 0) runs one loop over the elements of its shape; every value is
// per element. A row program (reduced = R > 0) runs over rows o of R contiguous elements each
// (its shape, with the reduced dimensions last); its values are per row (rows of inputs with no
// `inner` terms, results of reduce_sum/reduce_max/reduce_min ops and of ops on those) or per
// element. Per row, each reduction phase runs over the row's R elements, computing the
// elementwise values it needs; sibling reductions share a phase; a last pass writes the
// per-element outputs. A broadcast_in_dim op (of a per-row value) is that value at every element.
// A row program may have no reduction at all: a loop run as rows of its last dimension, so that
// an input read the same in every row is read contiguously within each.
// Reductions add in the eager kernel's order (cpu::reduce: kLanes independent accumulators combined
// as a tree for float sums, then the tail), so results are equal bit for bit.
struct LoopProgram {
  struct Input {
    DType dtype;
    bool scalar;
    // Element i reads the operand at sum over terms of ((i / divide) % modulo) * stride (modulo
    // 0: no remainder taken). Flat programs: over the element index (no terms: i itself). Row
    // programs: `outer` over the row index o, plus `inner` over the index r within the row (no
    // inner terms: the input is one value per row).
    struct Term {
      int64_t divide, modulo, stride;
    };
    std::vector<Term> outer;
    std::vector<Term> inner;
    int64_t offset = 0;  // added to every index (scalars: the element read)
  };
  struct Op {
    Prim prim;
    std::vector<int> operands;
    DType dtype;  // of the result
    // random_bits (partitionable, 32 or 8 bits; operands: the two key words): the elements per
    // key. Element i hashes the counter i % count (i when 0: one key) with JAX's threefry2x32.
    int64_t count = 0;
  };
  std::vector<Input> inputs;
  std::vector<Op> ops;
  // Per-element outputs are stored at the element's index (o * R + r), per-row ones at o.
  std::vector<int> outputs;
  // Per output (or none at all): where its elements are stored instead, as terms over the
  // element index (flat programs) or over o and r (row programs), plus an offset: a transpose of
  // a value of the loop, fused as its store (row programs gather a block of rows in a tile
  // first, so that the transposed stores of neighbouring rows land together), or an operand of
  // a concatenate (flat programs), stored into the buffer of the output `into` (an earlier
  // one) at its place in the concatenation. Outputs stored into another's have no buffer.
  struct Store {
    std::vector<Input::Term> outer, inner;
    int64_t offset = 0;
    int into = -1;
  };
  std::vector<Store> stores;
  int64_t reduced = 0;
  // >= 0: output 0 is written over this input (an array of its dtype whose value dies here),
  // through the same pointer, so the kernel takes no buffer for output 0. Flat programs whose
  // stores are not remapped only.
  int in_place_input = -1;
  // Identifies the computation (kernels are cached process-wide by it).
  std::string key() const;
};

// buffers: the inputs' data then the outputs' data (those with a buffer of their own, and not
// output 0 when in place); computes
// elements (flat programs) or rows (row programs) [begin, end).
using LoopKernel = void (*)(void* const* buffers, int64_t begin, int64_t end);

// True when the code generator implements p on operands of these types (and code generation is
// on: JX_JIT_CODEGEN=0 turns it off, leaving every equation to its kernel).
bool codegen_supports(Prim p, std::span<const ShapedArray> in, const ShapedArray& out);
// True when generated loops can read and write arrays of this dtype (and code generation is on).
bool codegen_loads(DType d);
// The eager kernel's elementary function (backend/cpu/vector_math.h) a generated loop calls for
// p (exp, log, log1p, expm1, sin, cos, tanh, logistic), if p is one.
std::optional<cpu::MathFn> elementary_function(Prim p);
// The function of backend/cpu/vector_math.h's scalar_math_symbols() that generated loops call
// one value at a time for p (asin, erf, lgamma, pow, ...: "jx_<name>_f32"/"_f64"), if p is one.
struct ScalarFunction {
  const char* name;
  int arity;
};
std::optional<ScalarFunction> scalar_function(Prim p);
// True when row programs implement the reduction p (reduce_sum, reduce_max, reduce_min) of
// rows of `row` elements of dtype d in the eager kernel's order (float sums: rows of at most 128
// leaves of its pairwise summation).
bool codegen_reduces(Prim p, DType d, int64_t row);
// Turns code generation on or off for programs compiled from now on (tests compare the two).
void set_codegen_enabled(bool enabled);
// The native kernel of a loop program, compiled on first use. Thread-safe.
LoopKernel compile_loop(const LoopProgram& program);
// How many loop kernels have been compiled in this process (tests check the cache).
int64_t compiled_kernels();
// Makes the next compile of every computation generate new code, as in a fresh process
// (benchmarks time code generation with it). Kernels already handed out stay valid.
void forget_compiled_kernels();

}  // namespace jx::compiler
