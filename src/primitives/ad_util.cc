// stop_gradient: the identity on values whose derivative is zero (JAX's lax.stop_gradient), so
// a function can use a quantity without differentiating through it (logsumexp's max shift,
// straight-through estimators, targets in losses).
#include "interpreters/ad.h"
#include "interpreters/batching.h"
#include "jx/lax.h"
#include "primitives/families.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {

void register_ad_util() {
  PrimitiveRules& r = mutable_rules(Prim::stop_gradient);
  r.abstract_eval = [](std::span<const ShapedArray> in, const Params&) {
    check_arity("stop_gradient", in, 1);
    return single(in[0]);
  };
  // The same data: a view of the operand.
  r.impl = [](std::span<const Array> in, const Params&, std::span<const ShapedArray> out) {
    return single(make_view(out[0], in[0].impl()->buffer, in[0].impl()->offset));
  };
  r.batch = batching::vectorized(Prim::stop_gradient);
  r.jvp = ad::zero_jvp(Prim::stop_gradient);
}

}  // namespace jx::primitives

namespace jx::lax {

Array stop_gradient(const Array& x) { return bind1(Prim::stop_gradient, {x}); }

}  // namespace jx::lax
