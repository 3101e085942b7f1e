// Primitives and their rule table. Each primitive is named once in primitives.def; the file of
// its family (src/primitives/<family>.cc) registers all of its rules together in one block.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ir/params.h"
#include "jx/array.h"

namespace jx {

enum class Prim : uint16_t {
#define JX_PRIMITIVE(id, name, family, traits) id,
#include "ir/primitives.def"
#undef JX_PRIMITIVE
};

inline constexpr int kNumPrimitives = 0
#define JX_PRIMITIVE(id, name, family, traits) +1
#include "ir/primitives.def"
#undef JX_PRIMITIVE
    ;

std::string_view primitive_name(Prim p);
std::string_view primitive_family(Prim p);

// What kind of computation a primitive is (the traits column of primitives.def).
enum PrimTraits : uint32_t {
  kElementwise = 1,   // out[i] depends on in[i] only
  kBroadcasting = 2,  // rank-0 operands broadcast to the others' shape
  kMovement = 4,      // moves or copies elements (an index remapping)
  kReduction = 8,     // combines elements along axes
  kOpaque = 16,       // a kernel of its own (GEMM, sort, gather, a call)
  kLinear = 32,       // linear in some operand: it has a transpose rule
};
uint32_t primitive_traits(Prim p);
inline bool has_trait(Prim p, PrimTraits t) { return (primitive_traits(p) & t) != 0; }

struct Eqn;
struct LoweringContext;

// Shape/dtype rule: the output avals for the input avals, or a jx::Error naming the op, the
// shapes and the problem.
using AbstractEvalRule =
    std::function<std::vector<ShapedArray>(std::span<const ShapedArray>, const Params&)>;
// The outputs a CPU kernel produces: their types and, optionally, a destination for each: an
// array of that type whose buffer the kernel writes into (destination passing: jit's executable
// hands planned buffers, reusing one whose value is dead). A kernel that can return a view
// (reshape, a contiguous slice) may ignore its destination.
class KernelOutputs {
 public:
  KernelOutputs(std::span<const ShapedArray> avals, std::span<const Array> dests = {})
      : avals_(avals), dests_(dests) {}
  // Kernels that never write into a destination take the types alone.
  operator std::span<const ShapedArray>() const { return avals_; }  // NOLINT: implicit on purpose
  const ShapedArray& operator[](size_t i) const { return avals_[i]; }
  size_t size() const { return avals_.size(); }
  // The array output i is written into: its destination, or a fresh array.
  Array make(size_t i) const;

 private:
  std::span<const ShapedArray> avals_;
  std::span<const Array> dests_;
};
// CPU kernel: concrete inputs (already checked by abstract_eval) to concrete outputs.
using ImplRule = std::function<std::vector<Array>(std::span<const Array>, const Params&,
                                                  const KernelOutputs& out)>;
// vmap: inputs with their batch dims (none = not mapped) to outputs with theirs.
using BatchDim = std::optional<int>;
// The axis a vmap maps over: its size and its name (empty when unnamed), as JAX's AxisData.
struct AxisData {
  int64_t size = 0;
  std::string name;
};
using BatchRule = std::function<std::pair<std::vector<Array>, std::vector<BatchDim>>(
    std::span<const Array>, std::span<const BatchDim>, const Params&, const AxisData&)>;
// Forward mode: (primals, tangents) to (primal outputs, tangent outputs), written with
// primitives so it can itself be transformed.
using JvpRule = std::function<std::pair<std::vector<Array>, std::vector<Array>>(
    std::span<const Array> primals, std::span<const Array> tangents, const Params&)>;
// Transpose of a linear primitive (reverse mode): cotangents of the outputs (a null entry is a
// zero; a single-output rule always gets a real one) to cotangents of the inputs. args[i] is the
// value of an input the primitive is not linear in, and a null Array for a linear input (whose
// shape and dtype are avals[i]). Returns one entry per input: null for non-linear inputs and for
// zero cotangents. Written with primitives, so it can itself be transformed.
using TransposeRule =
    std::function<std::vector<Array>(std::span<const Array> cotangents, std::span<const Array> args,
                                     std::span<const ShapedArray> avals, const Params&)>;

// Partial evaluation (reverse mode's known/unknown split) of a primitive whose operands are
// partly known: `unknown[i]` marks the operands that are the staging trace's tracers; the others
// are values of its parent, under which the rule runs. The rule computes what it can now and
// records the rest with `stage` (an equation on the staging trace, returning its outputs), as
// JAX's partial_eval_jaxpr_custom rules: jit runs its known half as one call and stages the
// other.
using StageFn = std::function<std::vector<Array>(Prim, std::span<const Array>, const Params&)>;
using PartialEvalRule = std::function<std::vector<Array>(
    std::span<const Array> args, const std::vector<bool>& unknown, const Params&, const StageFn&)>;
// Dead-code elimination of one equation given which of its outputs are used: may rewrite the
// equation (a call drops the unused outputs of its body) and returns which inputs it uses.
using DceRule = std::function<std::vector<bool>(const std::vector<bool>& used_outputs, Eqn& eqn)>;
// Code generation for jit's compiler (filled by the code generator, "jit, part 2").
using LoweringRule = std::function<void(LoweringContext&, const Eqn&)>;

struct PrimitiveRules {
  AbstractEvalRule abstract_eval;
  ImplRule impl;
  BatchRule batch;
  JvpRule jvp;
  TransposeRule transpose;       // linear primitives only
  PartialEvalRule partial_eval;  // default: staged whole when any input is unknown
  DceRule dce;                   // default: kept whole when any output is used
  LoweringRule lowering;
  bool multiple_results = false;
  // Collectives (psum, axis_index, ...) name an axis in params["axis_name"]: the trace binding
  // that name must run the batch rule even when no operand is mapped.
  bool collective = false;
};

// The rule slots of p (filled once, on first use, by the family registrations).
const PrimitiveRules& rules(Prim p);
// For registration code only.
PrimitiveRules& mutable_rules(Prim p);

// Applies p to args under the current transformation (or runs its kernel when there is none).
std::vector<Array> bind(Prim p, std::span<const Array> args, const Params& params = {});
// bind for single-result primitives.
Array bind1(Prim p, std::span<const Array> args, const Params& params = {});
inline Array bind1(Prim p, std::initializer_list<Array> args, const Params& params = {}) {
  return bind1(p, std::span<const Array>(args.begin(), args.size()), params);
}

}  // namespace jx
