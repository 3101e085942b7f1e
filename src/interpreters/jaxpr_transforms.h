// Transformations of whole jaxprs, shared by every primitive that carries one (jit's call now;
// scan, cond and while_loop next), as JAX's pe/batching/ad modules provide them. Each works by
// evaluating the jaxpr under the transformation's trace inside a fresh staging trace, so the
// per-primitive rules do all the work and nested calls transform recursively.
#pragma once

#include <span>
#include <vector>

#include "interpreters/trace.h"
#include "ir/jaxpr.h"

namespace jx {

// A closed jaxpr and the values it closes over that are tracers of enclosing transformations:
// those are lifted to its leading inputs (JAX's num_consts), so a transformation of the
// primitive carrying it sees every batched or perturbed input. Concrete constants stay inside.
struct TracedJaxpr {
  JaxprRef jaxpr;
  std::vector<Array> lifted;  // operands for the leading invars
};

// The jaxpr of f on arguments of in_avals, traced under the current trace.
TracedJaxpr trace_to_jaxpr(const FlatFn& f, std::span<const ShapedArray> in_avals);
// Lifts the tracer constants of a recorded jaxpr (and outputs that are tracers) to leading
// inputs.
TracedJaxpr close_jaxpr(Jaxpr jaxpr);

// vmap of a jaxpr: inputs batched along in_dims (none: unmapped); returns the batched jaxpr,
// whose mapped outputs have their batch axis in front, and which outputs are mapped.
struct BatchedJaxpr {
  TracedJaxpr traced;
  std::vector<BatchDim> out_dims;  // 0 or none
};
BatchedJaxpr batch_jaxpr(const Jaxpr& jaxpr, const AxisData& axis,
                         std::span<const BatchDim> in_dims);

// jvp of a jaxpr: inputs (primals..., tangents of the inputs marked nonzero...), outputs
// (primal outputs..., tangents of the outputs marked in out_nonzero...).
struct JvpJaxpr {
  TracedJaxpr traced;
  std::vector<bool> out_nonzero;
};
JvpJaxpr jvp_jaxpr(const Jaxpr& jaxpr, const std::vector<bool>& nonzero);

// Partial evaluation given which inputs are unknown: the known jaxpr takes the known inputs and
// returns (known outputs..., residuals...); the unknown jaxpr takes (residuals..., unknown
// inputs...) and returns the unknown outputs. Reverse mode runs the known part now and stages
// the unknown (linear) part for transposition.
struct PartialEvalJaxpr {
  TracedJaxpr known, unknown;
  std::vector<bool> out_unknown;
  size_t num_res = 0;
};
PartialEvalJaxpr partial_eval_jaxpr(const Jaxpr& jaxpr, const std::vector<bool>& unknown);

// The transpose of a jaxpr linear in the inputs marked `linear`: inputs (the other inputs...,
// cotangents of the outputs marked ct_nonzero...), outputs the cotangents of the linear inputs
// (zeros where none flows).
TracedJaxpr transpose_jaxpr(const Jaxpr& jaxpr, const std::vector<bool>& linear,
                            const std::vector<bool>& ct_nonzero);

// The jaxpr computing only the used outputs, with only the inputs they need; returns it and
// which inputs are used. Equations with a dce rule (calls) are pruned inside too.
std::pair<Jaxpr, std::vector<bool>> dce_jaxpr(const Jaxpr& jaxpr,
                                              const std::vector<bool>& used_outputs);

// Memoised transforms (JAX's weakref_lru_cache on its jaxpr transforms): the same jaxpr
// transformed the same way gives the same result object, so vmap(jit(f)) or grad(jit(f)) called
// again reuses the transformed body and its compiled executable instead of tracing and planning
// it per call. Keyed by the jaxpr's identity (held weakly) and the transform's arguments;
// bounded; thread-safe. Results that lifted tracers (specific to one call) are not kept.
BatchedJaxpr batch_jaxpr_cached(const JaxprRef& jaxpr, const AxisData& axis,
                                std::span<const BatchDim> in_dims);
JvpJaxpr jvp_jaxpr_cached(const JaxprRef& jaxpr, const std::vector<bool>& nonzero);
PartialEvalJaxpr partial_eval_jaxpr_cached(const JaxprRef& jaxpr, const std::vector<bool>& unknown);
TracedJaxpr transpose_jaxpr_cached(const JaxprRef& jaxpr, const std::vector<bool>& linear,
                                   const std::vector<bool>& ct_nonzero);

// custom_jvp_call's and custom_vjp_call's rules, kept as a parameter of the equation.
struct CustomRuleParam : OpaqueParam {
  FlatJvpFn jvp;
  FlatFwdFn fwd;
  FlatBwdFn bwd;
  std::string str() const override { return jvp ? "<custom_jvp rule>" : "<custom_vjp rule>"; }
};

}  // namespace jx
