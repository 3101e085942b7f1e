#include "interpreters/transpose.h"

#include <atomic>
#include <string>

#include "interpreters/ad.h"
#include "ir/ops.h"

namespace jx {
namespace {
std::atomic<int64_t> g_transpose_calls[kNumPrimitives];
}

std::vector<Array> backward_pass(const Jaxpr& linear, std::span<const Array> cotangents) {
  std::vector<Array> ct(linear.avals.size());
  std::vector<bool> is_const(linear.avals.size(), false);
  for (int v : linear.constvars) is_const[static_cast<size_t>(v)] = true;
  auto accumulate = [&](int v, Array c) {
    if (!c.valid() || is_const[static_cast<size_t>(v)]) return;
    Array& slot = ct[static_cast<size_t>(v)];
    slot = ad::add_tangents(slot, std::move(c));
  };
  for (size_t i = 0; i < linear.outvars.size(); ++i) {
    if (linear.outvars[i].is_var()) accumulate(linear.outvars[i].var, cotangents[i]);
  }
  std::vector<Array> env(linear.avals.size());
  for (size_t i = 0; i < linear.constvars.size(); ++i) {
    env[static_cast<size_t>(linear.constvars[i])] = linear.consts[i];
  }
  // Equations on constants alone are the non-linear part (a transposed call's body can compute
  // from its residuals): they run forward first, and their outputs are constants too.
  std::vector<bool> forward(linear.eqns.size(), false);
  std::vector<Array> ins;
  for (size_t k = 0; k < linear.eqns.size(); ++k) {
    const Eqn& e = linear.eqns[k];
    bool all_const = true;
    for (const Atom& a : e.inputs) all_const &= !a.is_var() || is_const[static_cast<size_t>(a.var)];
    if (!all_const) continue;
    forward[k] = true;
    ins.clear();
    for (const Atom& a : e.inputs)
      ins.push_back(a.is_var() ? env[static_cast<size_t>(a.var)] : a.value);
    std::vector<Array> outs = bind(e.prim, ins, e.params);
    for (size_t i = 0; i < outs.size(); ++i) {
      env[static_cast<size_t>(e.outputs[i])] = std::move(outs[i]);
      is_const[static_cast<size_t>(e.outputs[i])] = true;
    }
  }
  std::vector<Array> cts_out, args;
  std::vector<ShapedArray> avals;
  for (size_t k = linear.eqns.size(); k-- > 0;) {
    if (forward[k]) continue;
    const Eqn& e = linear.eqns[k];
    cts_out.clear();
    bool any = false;
    for (int o : e.outputs) {
      // Each output's cotangent is final here (SSA: its uses come later); release it.
      cts_out.push_back(std::move(ct[static_cast<size_t>(o)]));
      any |= cts_out.back().valid();
    }
    if (!any) continue;
    const PrimitiveRules& r = rules(e.prim);
    if (!r.transpose) {
      throw NotSupportedError("Transpose rule (for reverse-mode differentiation) for '" +
                              std::string(primitive_name(e.prim)) + "' not implemented");
    }
    args.clear();
    avals.clear();
    for (const Atom& a : e.inputs) {
      // Linear inputs are the recorded variables; constants are the residuals.
      bool constant = !a.is_var() || is_const[static_cast<size_t>(a.var)];
      args.push_back(!constant ? Array() : a.is_var() ? env[static_cast<size_t>(a.var)] : a.value);
      avals.push_back(a.is_var() ? linear.avals[static_cast<size_t>(a.var)] : a.value.aval());
    }
    g_transpose_calls[static_cast<int>(e.prim)].fetch_add(1, std::memory_order_relaxed);
    std::vector<Array> cts_in = r.transpose(cts_out, args, avals, e.params);
    for (size_t i = 0; i < e.inputs.size() && i < cts_in.size(); ++i) {
      if (!args[i].valid() && e.inputs[i].is_var())
        accumulate(e.inputs[i].var, std::move(cts_in[i]));
    }
  }
  std::vector<Array> out;
  for (int v : linear.invars) out.push_back(std::move(ct[static_cast<size_t>(v)]));
  return out;
}

namespace ad {

int64_t transpose_calls(Prim p) { return g_transpose_calls[static_cast<int>(p)].load(); }

Array unbroadcast(const Array& ct, const ShapedArray& in) {
  Array out = ct;
  if (!(ct.shape() == in.shape)) {
    std::vector<int64_t> axes;
    if (in.ndim() == 0) {
      for (int64_t d = 0; d < ct.ndim(); ++d) axes.push_back(d);
    } else {
      for (int d = 0; d < ct.ndim(); ++d) {
        if (in.shape[d] == 1 && ct.shape()[d] != 1) axes.push_back(d);
      }
    }
    out = ops::reshape(ops::reduce_sum(ct, axes), in.shape);
  }
  if (out.dtype() != in.dtype || out.weak_type() != in.weak_type) {
    out = ops::convert_element_type(out, in.dtype, in.weak_type);
  }
  return out;
}

TransposeRule deftranspose(std::vector<LinearTranspose> transposes) {
  return [transposes = std::move(transposes)](
             std::span<const Array> cts, std::span<const Array> args,
             std::span<const ShapedArray> avals, const Params& params) {
    std::vector<Array> out(args.size());
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i].valid()) continue;
      if (i >= transposes.size() || !transposes[i]) {
        // Recorded with a tangent where the primitive is not linear: a jvp rule is wrong.
        throw std::logic_error("transpose: operand " + std::to_string(i) +
                               " is not a linear input");
      }
      out[i] = transposes[i](cts[0], avals[i], args, params);
    }
    return out;
  };
}

}  // namespace ad
}  // namespace jx
