// One registration block per primitive: a small builder holding all of its rules,
//   def(Prim::reshape).shape(reshape_rule).impl(view_impl).batch(reshape_batch).linear(back);
// where .linear registers the jvp and the transpose together, as JAX's deflinear2.
#pragma once

#include <utility>
#include <vector>

#include "interpreters/ad.h"
#include "interpreters/transpose.h"
#include "ir/primitive.h"

namespace jx::primitives {

class PrimitiveDef {
 public:
  explicit PrimitiveDef(Prim p) : p_(p), r_(mutable_rules(p)) {}

  PrimitiveDef& shape(AbstractEvalRule rule) {
    r_.abstract_eval = std::move(rule);
    return *this;
  }
  PrimitiveDef& impl(ImplRule rule) {
    r_.impl = std::move(rule);
    return *this;
  }
  PrimitiveDef& batch(BatchRule rule) {
    r_.batch = std::move(rule);
    return *this;
  }
  PrimitiveDef& jvp(JvpRule rule) {
    r_.jvp = std::move(rule);
    return *this;
  }
  PrimitiveDef& transpose(TransposeRule rule) {
    r_.transpose = std::move(rule);
    return *this;
  }
  PrimitiveDef& partial_eval(PartialEvalRule rule) {
    r_.partial_eval = std::move(rule);
    return *this;
  }
  PrimitiveDef& dce(DceRule rule) {
    r_.dce = std::move(rule);
    return *this;
  }
  // Linear in each operand that has an entry (JAX's deflinear2): the tangent is the primitive
  // applied to the tangents (other operands fixed), and the cotangent of operand i is
  // transposes[i] of the output cotangent.
  PrimitiveDef& linear(std::vector<ad::LinearTranspose> transposes) {
    std::vector<int> operands;
    for (size_t i = 0; i < transposes.size(); ++i) {
      if (transposes[i]) operands.push_back(static_cast<int>(i));
    }
    r_.jvp = ad::deflinear_in(p_, std::move(operands));
    r_.transpose = ad::deftranspose(std::move(transposes));
    return *this;
  }
  PrimitiveDef& linear(ad::LinearTranspose transpose) {
    return linear(std::vector<ad::LinearTranspose>{std::move(transpose)});
  }
  PrimitiveDef& multiple_results() {
    r_.multiple_results = true;
    return *this;
  }
  // Names an axis in params["axis_name"] (see PrimitiveRules::collective).
  PrimitiveDef& collective() {
    r_.collective = true;
    return *this;
  }

 private:
  Prim p_;
  PrimitiveRules& r_;
};

inline PrimitiveDef def(Prim p) { return PrimitiveDef(p); }

}  // namespace jx::primitives
