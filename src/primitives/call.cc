// Higher-order primitives carrying closed jaxprs (JAX's jit_p, custom_jvp_call_p,
// custom_vjp_call_p). Their rules transform the body with the shared jaxpr transforms
// (interpreters/jaxpr_transforms.h) and bind the primitive again on the result, so jit composes
// with vmap, jvp, grad and itself through rules, like any primitive.
#include <string>

#include "compiler/executable.h"
#include "interpreters/ad.h"
#include "interpreters/batching.h"
#include "interpreters/jaxpr_transforms.h"
#include "primitives/def.h"
#include "primitives/families.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

const JaxprRef& body_ref(const Params& params, std::string_view key) {
  return params.get<JaxprRef>(key);
}

// The body's input types must be the operands' (a jit body is traced for exactly them).
std::vector<ShapedArray> call_abstract_eval(std::string_view op, std::span<const ShapedArray> in,
                                            const Jaxpr& body) {
  if (in.size() != body.invars.size()) {
    throw ValueError(std::string(op) + ": called with " + std::to_string(in.size()) +
                     " operands; its jaxpr takes " + std::to_string(body.invars.size()));
  }
  for (size_t i = 0; i < in.size(); ++i) {
    const ShapedArray& want = body.avals[static_cast<size_t>(body.invars[i])];
    if (!(in[i].shape == want.shape) || in[i].dtype != want.dtype) {
      throw ShapeError(std::string(op) + ": operand " + std::to_string(i) + " has type " +
                       in[i].str() + " but the jaxpr expects " + want.str());
    }
  }
  return body.out_avals;
}

std::vector<Array> run_body(std::span<const Array> args, const Jaxpr& body) {
  return compiler::executable_for(body)->run(std::vector<Array>(args.begin(), args.end()));
}

Params with_body(const Params& params, std::string_view key, const JaxprRef& body) {
  Params p = params;
  p.set(key, body);
  return p;
}

std::vector<Array> concat(std::vector<Array> a, std::span<const Array> b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// ---- jit -------------------------------------------------------------------------------------

std::vector<ShapedArray> jit_abstract_eval(std::span<const ShapedArray> in, const Params& params) {
  return call_abstract_eval("jit", in, params.get_jaxpr("jaxpr"));
}

std::vector<Array> jit_impl(std::span<const Array> args, const Params& params,
                            const KernelOutputs&) {
  return run_body(args, params.get_jaxpr("jaxpr"));
}

std::pair<std::vector<Array>, std::vector<BatchDim>> jit_batch(std::span<const Array> args,
                                                               std::span<const BatchDim> dims,
                                                               const Params& params,
                                                               const AxisData& axis) {
  BatchedJaxpr b = batch_jaxpr_cached(body_ref(params, "jaxpr"), axis, dims);
  std::vector<Array> outs =
      bind(Prim::jit, concat(b.traced.lifted, args), with_body(params, "jaxpr", b.traced.jaxpr));
  return {std::move(outs), std::move(b.out_dims)};
}

std::pair<std::vector<Array>, std::vector<Array>> jit_jvp(std::span<const Array> primals,
                                                          std::span<const Array> tangents,
                                                          const Params& params) {
  std::vector<bool> nonzero(primals.size());
  std::vector<Array> args = {primals.begin(), primals.end()};
  for (size_t i = 0; i < primals.size(); ++i) {
    nonzero[i] = !ad::is_zero(tangents[i]);
    if (nonzero[i]) args.push_back(tangents[i]);
  }
  JvpJaxpr j = jvp_jaxpr_cached(body_ref(params, "jaxpr"), nonzero);
  std::vector<Array> outs =
      bind(Prim::jit, concat(j.traced.lifted, args), with_body(params, "jaxpr", j.traced.jaxpr));
  const size_t n = j.out_nonzero.size();
  std::vector<Array> tangent_outs(n);
  size_t t = n;
  for (size_t i = 0; i < n; ++i) {
    if (j.out_nonzero[i]) tangent_outs[i] = std::move(outs[t++]);
  }
  outs.resize(n);
  return {std::move(outs), std::move(tangent_outs)};
}

// grad(jit(f)): the known half (the forward pass and the residuals) runs now as one call; the
// unknown half (the linear tangent computation) is staged as another, to be transposed.
std::vector<Array> jit_partial_eval(std::span<const Array> args, const std::vector<bool>& unknown,
                                    const Params& params, const StageFn& stage) {
  PartialEvalJaxpr pe = partial_eval_jaxpr_cached(body_ref(params, "jaxpr"), unknown);
  std::vector<Array> known_args = pe.known.lifted, unknown_args;
  for (size_t i = 0; i < args.size(); ++i)
    (unknown[i] ? unknown_args : known_args).push_back(args[i]);
  std::vector<Array> known_outs =
      bind(Prim::jit, known_args, with_body(params, "jaxpr", pe.known.jaxpr));
  const size_t num_known = known_outs.size() - pe.num_res;
  std::vector<Array> staged_args(known_outs.begin() + static_cast<std::ptrdiff_t>(num_known),
                                 known_outs.end());
  staged_args.insert(staged_args.end(), unknown_args.begin(), unknown_args.end());
  std::vector<Array> staged =
      stage(Prim::jit, staged_args, with_body(params, "jaxpr", pe.unknown.jaxpr));
  std::vector<Array> outs;
  size_t k = 0, u = 0;
  for (bool is_unknown : pe.out_unknown) {
    outs.push_back(is_unknown ? std::move(staged[u++]) : std::move(known_outs[k++]));
  }
  return outs;
}

std::vector<Array> jit_transpose(std::span<const Array> cts, std::span<const Array> args,
                                 std::span<const ShapedArray>, const Params& params) {
  std::vector<bool> linear(args.size()), ct_nonzero(cts.size());
  std::vector<Array> operands;
  for (size_t i = 0; i < args.size(); ++i) {
    linear[i] = !args[i].valid();
    if (!linear[i]) operands.push_back(args[i]);
  }
  for (size_t i = 0; i < cts.size(); ++i) {
    ct_nonzero[i] = cts[i].valid();
    if (ct_nonzero[i]) operands.push_back(cts[i]);
  }
  TracedJaxpr t = transpose_jaxpr_cached(body_ref(params, "jaxpr"), linear, ct_nonzero);
  std::vector<Array> in_cts =
      bind(Prim::jit, concat(t.lifted, operands), with_body(params, "jaxpr", t.jaxpr));
  std::vector<Array> out(args.size());
  size_t k = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    if (linear[i]) out[i] = std::move(in_cts[k++]);
  }
  return out;
}

std::vector<bool> jit_dce(const std::vector<bool>& used_outputs, Eqn& eqn) {
  auto [body, used_inputs] = dce_jaxpr(eqn.params.get_jaxpr("jaxpr"), used_outputs);
  std::vector<Atom> inputs;
  for (size_t i = 0; i < eqn.inputs.size(); ++i) {
    if (used_inputs[i]) inputs.push_back(std::move(eqn.inputs[i]));
  }
  std::vector<int> outputs;
  for (size_t i = 0; i < eqn.outputs.size(); ++i) {
    if (used_outputs[i]) outputs.push_back(eqn.outputs[i]);
  }
  eqn.inputs = std::move(inputs);
  eqn.outputs = std::move(outputs);
  eqn.params.set("jaxpr", std::make_shared<const Jaxpr>(std::move(body)));
  return used_inputs;
}

// ---- custom_jvp_call / custom_vjp_call ----------------------------------------------------
// Operands: the body's lifted constants (num_consts), then the function's arguments; the
// user's rules see the arguments only.

const CustomRuleParam& custom_rule(const Params& params, std::string_view key) {
  return static_cast<const CustomRuleParam&>(*params.get<std::shared_ptr<const OpaqueParam>>(key));
}

FlatFn body_fn(const Params& params) {
  JaxprRef body = body_ref(params, "call_jaxpr");
  return [body](std::span<const Array> args) { return eval_jaxpr(*body, args); };
}

size_t num_consts(const Params& params) {
  return static_cast<size_t>(params.get_int("num_consts"));
}

// Shared by both: the body's types checked against the operands, and the body run as is.
AbstractEvalRule custom_call_abstract_eval(Prim p) {
  return [p](std::span<const ShapedArray> in, const Params& params) {
    return call_abstract_eval(primitive_name(p), in, params.get_jaxpr("call_jaxpr"));
  };
}

std::vector<Array> custom_call_impl(std::span<const Array> args, const Params& params,
                                    const KernelOutputs&) {
  return run_body(args, params.get_jaxpr("call_jaxpr"));
}

std::pair<std::vector<Array>, std::vector<Array>> custom_jvp_call_jvp(
    std::span<const Array> primals, std::span<const Array> tangents, const Params& params) {
  const size_t nc = num_consts(params);
  return ad::custom_jvp_rule(custom_rule(params, "jvp").jvp, primals.subspan(nc),
                             tangents.subspan(nc));
}

std::pair<std::vector<Array>, std::vector<BatchDim>> custom_jvp_call_batch(
    std::span<const Array> args, std::span<const BatchDim> dims, const Params& params,
    const AxisData& axis) {
  const size_t nc = num_consts(params);
  FlatJvpFn user = custom_rule(params, "jvp").jvp;
  FlatJvpFn jvp = [user, nc](std::span<const Array> p, std::span<const Array> t) {
    return user(p.subspan(nc), t.subspan(nc));
  };
  std::vector<Array> outs = batching::batch_custom_jvp(axis, body_fn(params), jvp, args, dims);
  std::vector<BatchDim> out_dims(outs.size(), BatchDim(0));
  return std::make_pair(std::move(outs), std::move(out_dims));
}

std::pair<std::vector<Array>, std::vector<Array>> custom_vjp_call_jvp(
    std::span<const Array> primals, std::span<const Array> tangents, const Params& params) {
  const size_t nc = num_consts(params);
  const CustomRuleParam& rule = custom_rule(params, "bwd");
  return ad::custom_vjp_rule(rule.fwd, rule.bwd, primals.subspan(nc), tangents.subspan(nc));
}

std::pair<std::vector<Array>, std::vector<BatchDim>> custom_vjp_call_batch(
    std::span<const Array> args, std::span<const BatchDim> dims, const Params& params,
    const AxisData& axis) {
  const size_t nc = num_consts(params);
  const CustomRuleParam& rule = custom_rule(params, "bwd");
  FlatFwdFn fwd = [user = rule.fwd, nc](std::span<const Array> p) { return user(p.subspan(nc)); };
  // The backward pass returns cotangents for the arguments only; the constants get none.
  FlatBwdFn bwd = [user = rule.bwd, nc](std::span<const Array> res, std::span<const Array> cts) {
    std::vector<Array> in_cts(nc);
    std::vector<Array> user_cts = user(res, cts);
    in_cts.insert(in_cts.end(), user_cts.begin(), user_cts.end());
    return in_cts;
  };
  std::vector<Array> outs = batching::batch_custom_vjp(axis, body_fn(params), fwd, bwd, args, dims);
  std::vector<BatchDim> out_dims(outs.size(), BatchDim(0));
  return std::make_pair(std::move(outs), std::move(out_dims));
}

}  // namespace

void register_call() {
  def(Prim::jit)
      .multiple_results()
      .shape(jit_abstract_eval)
      .impl(jit_impl)
      .batch(jit_batch)
      .jvp(jit_jvp)
      .partial_eval(jit_partial_eval)
      .transpose(jit_transpose)
      .dce(jit_dce);
  def(Prim::custom_jvp_call)
      .multiple_results()
      .shape(custom_call_abstract_eval(Prim::custom_jvp_call))
      .impl(custom_call_impl)
      .jvp(custom_jvp_call_jvp)
      .batch(custom_jvp_call_batch);
  def(Prim::custom_vjp_call)
      .multiple_results()
      .shape(custom_call_abstract_eval(Prim::custom_vjp_call))
      .impl(custom_call_impl)
      .jvp(custom_vjp_call_jvp)
      .batch(custom_vjp_call_batch);
}

}  // namespace jx::primitives
