// StagingTrace: records primitives applied to its tracers as equations of a jaxpr (JAX's
// DynamicJaxprTrace). Arrays that are not its own tracers (concrete values, or tracers of an
// enclosing transformation) become the jaxpr's constants.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/array_impl.h"
#include "interpreters/trace.h"
#include "ir/jaxpr.h"

namespace jx {

class StagingTracer : public Tracer {
 public:
  // `origin`: the primitive whose output this is, or nullopt for an input of the jaxpr.
  StagingTracer(uint64_t trace_id, int var, std::optional<Prim> origin = std::nullopt)
      : Tracer(trace_id), var_(var), origin_(origin) {}
  int var() const { return var_; }
  std::string origin() const override;

 private:
  int var_;
  std::optional<Prim> origin_;
};

class StagingTrace : public Trace {
 public:
  // With partial_eval, an operation that involves none of this trace's tracers is not recorded
  // but runs under the parent (JAX's partial evaluation: known values are computed now, only the
  // unknown part is staged; linearize stages just the tangent computation this way).
  StagingTrace(Trace* parent, bool partial_eval) : Trace(parent), partial_eval_(partial_eval) {}

  // A new input variable of the jaxpr, as a tracer of this trace.
  Array new_arg(const ShapedArray& aval);
  std::vector<Array> process_primitive(Prim p, std::span<const Array> args,
                                       const Params& params) override;
  // A function with custom rules is recorded as one equation (custom_jvp_call /
  // custom_vjp_call) carrying the function as a jaxpr and the rules as parameters, so the rules
  // survive staging (jit of a function using them, then grad). Under partial_eval when none of
  // args is this trace's, the call goes to the parent instead, like a known primitive.
  std::vector<Array> process_custom_jvp(const FlatFn& fun, const FlatJvpFn& jvp,
                                        std::span<const Array> args) override;
  std::vector<Array> process_custom_vjp(const FlatFn& fun, const FlatFwdFn& fwd,
                                        const FlatBwdFn& bwd, std::span<const Array> args) override;
  // Records p applied to args as an equation (shape rule only) and returns its outputs.
  std::vector<Array> stage(Prim p, std::span<const Array> args, const Params& params);
  // The recorded jaxpr with `outs` as its outputs (a null entry is a symbolic zero of the
  // corresponding out_aval). The trace must not be used afterwards.
  Jaxpr finish(std::span<const Array> outs, std::span<const ShapedArray> out_avals);

 private:
  Atom atom(const Array& a);
  // True when partial_eval and no arg is this trace's tracer: the operation is not staged.
  bool known(std::span<const Array> args) const;

  bool partial_eval_;
  Jaxpr jaxpr_;
  std::unordered_map<const ArrayImpl*, int> const_vars_;
};

}  // namespace jx
