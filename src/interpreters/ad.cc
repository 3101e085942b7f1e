#include "interpreters/ad.h"

#include <atomic>
#include <memory>
#include <string>

#include "interpreters/staging.h"
#include "ir/ops.h"

namespace jx {
namespace {
std::atomic<int64_t> g_jvp_rule_calls[kNumPrimitives];
}

Array JVPTrace::box(Array primal, Array tangent) const {
  if (ad::is_zero(tangent)) return primal;
  if (!(tangent.shape() == primal.shape())) {
    // A jvp rule broke its contract: a bug in jx, not in the user's program.
    throw std::logic_error("jvp: tangent of shape " + tangent.shape().str() +
                           " for a primal of shape " + primal.shape().str());
  }
  ShapedArray aval = primal.aval();
  return make_tracer(aval,
                     std::make_shared<JVPTracer>(id(), std::move(primal), std::move(tangent)));
}

std::pair<Array, Array> JVPTrace::unbox(const Array& a) const {
  if (!owns(a)) return {a, Array()};
  const auto* t = static_cast<const JVPTracer*>(tracer_of(a));
  return {t->primal(), t->tangent()};
}

bool JVPTrace::unbox_all(std::span<const Array> args, std::vector<Array>& primals,
                         std::vector<Array>& tangents) const {
  primals.reserve(args.size());
  tangents.reserve(args.size());
  bool any_tangent = false;
  for (const Array& a : args) {
    auto [primal, tangent] = unbox(a);
    any_tangent |= !ad::is_zero(tangent);
    primals.push_back(std::move(primal));
    tangents.push_back(std::move(tangent));
  }
  return any_tangent;
}

std::vector<Array> JVPTrace::process_custom_jvp(const FlatFn& fun, const FlatJvpFn& jvp,
                                                std::span<const Array> args) {
  std::vector<Array> primals, tangents;
  bool any_tangent = unbox_all(args, primals, tangents);
  TraceScope under_parent(parent());
  if (!any_tangent) return custom_jvp_call(fun, jvp, primals);
  auto [outs, tangent_outs] = ad::custom_jvp_rule(jvp, primals, tangents);
  for (size_t i = 0; i < outs.size(); ++i) {
    outs[i] = box(std::move(outs[i]), std::move(tangent_outs[i]));
  }
  return outs;
}

std::vector<Array> JVPTrace::process_custom_vjp(const FlatFn& fun, const FlatFwdFn& fwd,
                                                const FlatBwdFn& bwd, std::span<const Array> args) {
  std::vector<Array> primals, tangents;
  bool any_tangent = unbox_all(args, primals, tangents);
  TraceScope under_parent(parent());
  if (!any_tangent) return custom_vjp_call(fun, fwd, bwd, primals);
  auto [outs, tangent_outs] = ad::custom_vjp_rule(fwd, bwd, primals, tangents);
  for (size_t i = 0; i < outs.size(); ++i) {
    outs[i] = box(std::move(outs[i]), std::move(tangent_outs[i]));
  }
  return outs;
}

std::vector<Array> JVPTrace::process_primitive(Prim p, std::span<const Array> args,
                                               const Params& params) {
  std::vector<Array> primals, tangents;
  bool any_tangent = unbox_all(args, primals, tangents);
  TraceScope under_parent(parent());
  // Nothing to differentiate: the primitive runs as is on the primals.
  if (!any_tangent) return bind(p, primals, params);
  const PrimitiveRules& r = rules(p);
  if (!r.jvp) {
    throw NotSupportedError("jvp: the primitive " + std::string(primitive_name(p)) +
                            " has no differentiation rule yet");
  }
  g_jvp_rule_calls[static_cast<int>(p)].fetch_add(1, std::memory_order_relaxed);
  auto [outs, tangent_outs] = r.jvp(primals, tangents, params);
  for (size_t i = 0; i < outs.size(); ++i) {
    outs[i] = box(std::move(outs[i]), std::move(tangent_outs[i]));
  }
  return outs;
}

namespace ad {

int64_t rule_calls(Prim p) { return g_jvp_rule_calls[static_cast<int>(p)].load(); }

bool has_tangent_space(const ShapedArray& primal) { return is_floating(primal.dtype); }

Array scalar_like(double c, const Array& x) {
  return ops::convert_element_type(Array(c), x.dtype(), true);
}

Array zeros_like_aval(const ShapedArray& aval) { return ops::full(aval, 0.0); }

Array full_like(double c, const Array& x) { return ops::full(x.aval(), c); }

Array broadcast_like(const Array& t, const Array& out) {
  if (t.shape() == out.shape()) return t;
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < t.ndim(); ++d) dims.push_back(d);
  return ops::broadcast_in_dim(t, out.shape(), dims);
}

Array balanced_eq(const Array& x, const Array& z, const Array& y) {
  const DType d = z.dtype();
  const bool weak = z.weak_type();
  return ops::div(ops::convert_element_type(ops::eq(x, z), d, weak),
                  ops::add(scalar_like(1, z), ops::convert_element_type(ops::eq(y, z), d, weak)));
}

std::pair<std::vector<Array>, std::vector<Array>> custom_jvp_rule(const FlatJvpFn& jvp,
                                                                  std::span<const Array> primals,
                                                                  std::span<const Array> tangents) {
  std::vector<Array> ts;
  for (size_t i = 0; i < tangents.size(); ++i) ts.push_back(instantiate(tangents[i], primals[i]));
  auto [outs, tangent_outs] = jvp(primals, ts);
  if (tangent_outs.size() != outs.size()) {
    throw ValueError(
        "Custom JVP rule must produce primal and tangent outputs with equal "
        "container (pytree) structures, but got " +
        std::to_string(outs.size()) + " primal and " + std::to_string(tangent_outs.size()) +
        " tangent outputs.");
  }
  for (size_t i = 0; i < outs.size(); ++i) {
    if (!(outs[i].shape() == tangent_outs[i].shape()) ||
        outs[i].dtype() != tangent_outs[i].dtype()) {
      throw ShapeError(
          "Custom JVP rule must produce primal and tangent outputs with "
          "corresponding shapes and dtypes, but got " +
          outs[i].aval().str() + " and " + tangent_outs[i].aval().str() + " respectively.");
    }
  }
  return {std::move(outs), std::move(tangent_outs)};
}

std::pair<std::vector<Array>, std::vector<Array>> custom_vjp_rule(const FlatFwdFn& fwd,
                                                                  const FlatBwdFn& bwd,
                                                                  std::span<const Array> primals,
                                                                  std::span<const Array> tangents) {
  // custom_lin is only ever transposed: reverse mode stages it (the current trace is
  // linearize's staging trace, make_jaxpr's or jit's). Under any other trace this is forward
  // mode (jvp, jacfwd, jvp of jvp), which must fail with JAX's message, not with custom_lin's
  // missing batch or jvp rule.
  if (dynamic_cast<const StagingTrace*>(current_trace()) == nullptr) {
    throw NotSupportedError("can't apply forward-mode autodiff (jvp) to a custom_vjp function.");
  }
  auto [outs, residuals] = fwd(primals);
  auto param = std::make_shared<CustomLinParam>();
  param->bwd = bwd;
  for (const Array& o : outs) param->out_avals.push_back(o.aval());
  std::vector<Array> lin_args = residuals;
  for (size_t i = 0; i < tangents.size(); ++i) {
    lin_args.push_back(instantiate(tangents[i], primals[i]));
  }
  std::vector<Array> tangent_outs =
      bind(Prim::custom_lin, lin_args,
           {{"num_res", static_cast<int64_t>(residuals.size())},
            {"bwd", std::shared_ptr<const OpaqueParam>(std::move(param))}});
  for (size_t i = 0; i < outs.size(); ++i) {
    if (!has_tangent_space(outs[i].aval())) tangent_outs[i] = Array();
  }
  return {std::move(outs), std::move(tangent_outs)};
}

Array instantiate(const Array& t, const Array& primal) {
  return is_zero(t) ? full_like(0, primal) : t;
}

Array add_tangents(const Array& a, const Array& b) {
  if (is_zero(a)) return b;
  if (is_zero(b)) return a;
  return ops::add(a, b);
}

namespace {
std::pair<std::vector<Array>, std::vector<Array>> one(Array out, Array tangent) {
  std::vector<Array> outs, tangents;
  outs.push_back(std::move(out));
  tangents.push_back(std::move(tangent));
  return {std::move(outs), std::move(tangents)};
}
}  // namespace

JvpRule defjvp(Prim p, std::vector<PartialJvp> partials) {
  return
      [p, partials = std::move(partials)](std::span<const Array> primals,
                                          std::span<const Array> tangents, const Params& params) {
        Array out = bind1(p, primals, params);
        Array tangent;
        for (size_t i = 0; i < tangents.size(); ++i) {
          if (is_zero(tangents[i]) || i >= partials.size() || !partials[i]) continue;
          tangent = add_tangents(tangent, partials[i](tangents[i], primals, out, params));
        }
        return one(std::move(out), std::move(tangent));
      };
}

JvpRule deflinear_in(Prim p, std::vector<int> linear_args) {
  return
      [p, linear_args = std::move(linear_args)](
          std::span<const Array> primals, std::span<const Array> tangents, const Params& params) {
        std::vector<Array> outs = bind(p, primals, params);
        bool any = false;
        for (int i : linear_args) any |= !is_zero(tangents[i]);
        std::vector<Array> tangent_outs(outs.size());
        if (any) {
          std::vector<Array> args(primals.begin(), primals.end());
          for (int i : linear_args) args[i] = instantiate(tangents[i], primals[i]);
          tangent_outs = bind(p, args, params);
        }
        return std::make_pair(std::move(outs), std::move(tangent_outs));
      };
}

JvpRule deflinear(Prim p) {
  return
      [p](std::span<const Array> primals, std::span<const Array> tangents, const Params& params) {
        std::vector<int> all(primals.size());
        for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
        return deflinear_in(p, all)(primals, tangents, params);
      };
}

JvpRule defbilinear(Prim p) {
  return
      [p](std::span<const Array> primals, std::span<const Array> tangents, const Params& params) {
        Array out = bind1(p, primals, params);
        Array tangent;
        if (!is_zero(tangents[0])) tangent = bind1(p, {tangents[0], primals[1]}, params);
        if (!is_zero(tangents[1])) {
          tangent = add_tangents(tangent, bind1(p, {primals[0], tangents[1]}, params));
        }
        return one(std::move(out), std::move(tangent));
      };
}

JvpRule zero_jvp(Prim p) {
  return [p](std::span<const Array> primals, std::span<const Array>, const Params& params) {
    std::vector<Array> outs = bind(p, primals, params);
    std::vector<Array> tangents(outs.size());
    return std::make_pair(std::move(outs), std::move(tangents));
  };
}

}  // namespace ad
}  // namespace jx
