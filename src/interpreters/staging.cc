#include "interpreters/staging.h"

#include <memory>
#include <string>

#include "interpreters/jaxpr_transforms.h"

namespace jx {

Array StagingTrace::new_arg(const ShapedArray& aval) {
  int v = jaxpr_.new_var(aval);
  jaxpr_.invars.push_back(v);
  return make_tracer(aval, std::make_shared<StagingTracer>(id(), v));
}

Atom StagingTrace::atom(const Array& a) {
  if (owns(a)) return Atom{static_cast<const StagingTracer*>(tracer_of(a))->var(), Array()};
  // A concrete scalar (a C++ number in the program) is a literal, as JAX prints `mul b 2.0:f32[]`.
  if (!partial_eval_ && a.ndim() == 0 && a.is_concrete()) return Atom{-1, a};
  auto [it, inserted] = const_vars_.try_emplace(a.impl(), -1);
  if (inserted) {
    it->second = jaxpr_.new_var(a.aval());
    jaxpr_.constvars.push_back(it->second);
    jaxpr_.consts.push_back(a);
  }
  return Atom{it->second, Array()};
}

bool StagingTrace::known(std::span<const Array> args) const {
  if (!partial_eval_) return false;
  for (const Array& a : args) {
    if (owns(a)) return false;
  }
  return true;
}

std::string StagingTracer::origin() const {
  if (!origin_) return "an argument of the traced function";
  return "the output of " + std::string(primitive_name(*origin_));
}

namespace {

// A function with custom rules as one equation of primitive p: its body traced to a closed
// jaxpr, the values it closes over (tracers of enclosing transformations) lifted to leading
// operands, and the rules kept as the parameter `rule_key`.
std::vector<Array> stage_custom_call(StagingTrace& trace, Prim p, std::string_view rule_key,
                                     std::shared_ptr<const CustomRuleParam> rule, const FlatFn& fun,
                                     std::span<const Array> args) {
  std::vector<ShapedArray> avals;
  for (const Array& a : args) avals.push_back(a.aval());
  TracedJaxpr body = trace_to_jaxpr(fun, avals);
  std::vector<Array> operands = body.lifted;
  operands.insert(operands.end(), args.begin(), args.end());
  Params params{{"call_jaxpr", body.jaxpr},
                {"num_consts", static_cast<int64_t>(body.lifted.size())}};
  params.set(rule_key, std::shared_ptr<const OpaqueParam>(std::move(rule)));
  return trace.process_primitive(p, operands, params);
}

}  // namespace

std::vector<Array> StagingTrace::process_custom_jvp(const FlatFn& fun, const FlatJvpFn& jvp,
                                                    std::span<const Array> args) {
  if (known(args)) {
    TraceScope under_parent(parent());
    return custom_jvp_call(fun, jvp, args);
  }
  auto rule = std::make_shared<CustomRuleParam>();
  rule->jvp = jvp;
  return stage_custom_call(*this, Prim::custom_jvp_call, "jvp", std::move(rule), fun, args);
}

std::vector<Array> StagingTrace::process_custom_vjp(const FlatFn& fun, const FlatFwdFn& fwd,
                                                    const FlatBwdFn& bwd,
                                                    std::span<const Array> args) {
  if (known(args)) {
    TraceScope under_parent(parent());
    return custom_vjp_call(fun, fwd, bwd, args);
  }
  auto rule = std::make_shared<CustomRuleParam>();
  rule->fwd = fwd;
  rule->bwd = bwd;
  return stage_custom_call(*this, Prim::custom_vjp_call, "bwd", std::move(rule), fun, args);
}

std::vector<Array> StagingTrace::process_primitive(Prim p, std::span<const Array> args,
                                                   const Params& params) {
  if (known(args)) {
    TraceScope under_parent(parent());
    return bind(p, args, params);
  }
  const PrimitiveRules& r = rules(p);
  if (partial_eval_ && r.partial_eval) {
    std::vector<bool> unknown(args.size());
    bool any_known = false;
    for (size_t i = 0; i < args.size(); ++i) {
      unknown[i] = owns(args[i]);
      any_known |= !unknown[i];
    }
    if (any_known) {
      TraceScope under_parent(parent());
      return r.partial_eval(
          args, unknown, params,
          [this](Prim q, std::span<const Array> a, const Params& ps) { return stage(q, a, ps); });
    }
  }
  return stage(p, args, params);
}

std::vector<Array> StagingTrace::stage(Prim p, std::span<const Array> args, const Params& params) {
  const PrimitiveRules& r = rules(p);
  if (!r.abstract_eval) {
    throw NotSupportedError(std::string(primitive_name(p)) + " has no shape rule registered");
  }
  std::vector<ShapedArray> in_avals;
  in_avals.reserve(args.size());
  for (const Array& a : args) {
    if (!a.valid()) {
      throw ValueError(std::string(primitive_name(p)) + ": an argument is a null jx::Array");
    }
    in_avals.push_back(a.aval());
  }
  std::vector<ShapedArray> out_avals = r.abstract_eval(in_avals, params);
  Eqn eqn{p, {}, params, {}};
  eqn.inputs.reserve(args.size());
  for (const Array& a : args) eqn.inputs.push_back(atom(a));
  std::vector<Array> outs;
  for (const ShapedArray& aval : out_avals) {
    check_aval_size(primitive_name(p), aval);
    int v = jaxpr_.new_var(aval);
    eqn.outputs.push_back(v);
    outs.push_back(make_tracer(aval, std::make_shared<StagingTracer>(id(), v, p)));
  }
  jaxpr_.eqns.push_back(std::move(eqn));
  return outs;
}

Jaxpr StagingTrace::finish(std::span<const Array> outs, std::span<const ShapedArray> out_avals) {
  for (const Array& o : outs) {
    if (!o.valid()) {
      jaxpr_.outvars.push_back(Atom{});
    } else if (owns(o)) {
      jaxpr_.outvars.push_back(atom(o));
    } else {
      jaxpr_.outvars.push_back(Atom{-1, o});  // a value that does not depend on the inputs
    }
  }
  jaxpr_.out_avals.assign(out_avals.begin(), out_avals.end());
  const_vars_.clear();
  return std::move(jaxpr_);
}

}  // namespace jx
