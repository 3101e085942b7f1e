// stop_gradient: the identity on values whose derivative is zero (JAX's lax.stop_gradient), so
// a function can use a quantity without differentiating through it (logsumexp's max shift,
// straight-through estimators, targets in losses).
#include "interpreters/ad.h"
#include "interpreters/batching.h"
#include "jx/lax.h"
#include "primitives/def.h"
#include "primitives/families.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

const CustomLinParam& custom_lin_param(const Params& params) {
  return static_cast<const CustomLinParam&>(*params.get<std::shared_ptr<const OpaqueParam>>("bwd"));
}

std::vector<ShapedArray> stop_gradient_rule(std::span<const ShapedArray> in, const Params&) {
  check_arity("stop_gradient", in, 1);
  return single(in[0]);
}

// The same data: a view of the operand.
std::vector<Array> stop_gradient_impl(std::span<const Array> in, const Params&,
                                      std::span<const ShapedArray> out) {
  return single(make_view(out[0], in[0].impl()->buffer, in[0].impl()->offset));
}

// custom_lin(residuals..., tangents...): the output tangents of a custom_vjp function, recorded
// by linearize and only ever transposed (to the user's backward pass).
std::vector<ShapedArray> custom_lin_rule(std::span<const ShapedArray>, const Params& params) {
  return custom_lin_param(params).out_avals;
}

std::vector<Array> custom_lin_impl(std::span<const Array>, const Params&,
                                   std::span<const ShapedArray>) {
  throw NotSupportedError("can't apply forward-mode autodiff (jvp) to a custom_vjp function.");
}

std::vector<Array> custom_lin_transpose(std::span<const Array> cts, std::span<const Array> args,
                                        std::span<const ShapedArray> avals, const Params& params) {
  const CustomLinParam& p = custom_lin_param(params);
  const auto num_res = static_cast<size_t>(params.get_int("num_res"));
  std::vector<Array> cotangents;
  for (size_t i = 0; i < cts.size(); ++i) {
    cotangents.push_back(cts[i].valid() ? cts[i] : ad::zeros_like_aval(p.out_avals[i]));
  }
  std::vector<Array> in_cts = p.bwd(args.subspan(0, num_res), cotangents);
  const size_t num_in = args.size() - num_res;
  if (in_cts.size() != num_in) {
    throw ValueError(
        "Custom VJP bwd rule must produce an output with the same container "
        "(pytree) structure as the args tuple of the primal function: expected " +
        std::to_string(num_in) + " cotangents, got " + std::to_string(in_cts.size()) + ".");
  }
  std::vector<Array> out(args.size());
  for (size_t i = 0; i < num_in; ++i) {
    const ShapedArray& want = avals[num_res + i];
    Array& ct = in_cts[i];
    if (!ct.valid()) continue;  // a zero cotangent
    if (!(ct.shape() == want.shape)) {
      throw ShapeError(
          "Custom VJP bwd rule must produce an output with the same shape/dtypes "
          "as the args tuple of the primal function, but at output position " +
          std::to_string(i) + " the bwd rule produced an output of shape " + ct.shape().str() +
          " corresponding to an input of shape " + want.shape.str() + ".");
    }
    out[num_res + i] = ct.dtype() == want.dtype
                           ? std::move(ct)
                           : lax::convert_element_type(ct, want.dtype, want.weak_type);
  }
  return out;
}

}  // namespace

void register_ad_util() {
  def(Prim::stop_gradient)
      .shape(stop_gradient_rule)
      .impl(stop_gradient_impl)
      .batch(batching::vectorized(Prim::stop_gradient))
      .jvp(ad::zero_jvp(Prim::stop_gradient));
  // No batch or jvp rule: evaluating custom_lin forward is jvp of a custom_vjp function, which JAX
  // rejects too.
  def(Prim::custom_lin)
      .shape(custom_lin_rule)
      .impl(custom_lin_impl)
      .transpose(custom_lin_transpose);
}

}  // namespace jx::primitives

namespace jx::lax {

Array stop_gradient(const Array& x) { return bind1(Prim::stop_gradient, {x}); }

}  // namespace jx::lax
