// Forward-mode automatic differentiation: JVPTrace, whose tracers pair a primal with a tangent,
// and the combinators the primitives' jvp rules are written with (JAX's interpreters/ad.py).
// A tangent that is an invalid (null) Array is a symbolic zero: rules skip the work for it, and
// it is only made into an array of zeros where an operation needs one (instantiate).
#pragma once

#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "core/array_impl.h"
#include "interpreters/trace.h"

namespace jx {

class JVPTracer : public Tracer {
 public:
  JVPTracer(uint64_t trace_id, Array primal, Array tangent)
      : Tracer(trace_id), primal_(std::move(primal)), tangent_(std::move(tangent)) {}
  const Array& primal() const { return primal_; }
  const Array& tangent() const { return tangent_; }

 private:
  Array primal_;
  Array tangent_;
};

class JVPTrace : public Trace {
 public:
  explicit JVPTrace(Trace* parent) : Trace(parent) {}

  // A tracer of this trace for (primal, tangent), or the primal itself when the tangent is a
  // symbolic zero (a constant to this trace).
  Array box(Array primal, Array tangent) const;
  // (primal, tangent) as this trace sees `a`: its own tracers are unpacked; anything else is a
  // constant with a zero tangent.
  std::pair<Array, Array> unbox(const Array& a) const;

  std::vector<Array> process_primitive(Prim p, std::span<const Array> args,
                                       const Params& params) override;
  // The user's jvp rule on (primals, tangents), run under the parent.
  std::vector<Array> process_custom_jvp(const FlatFn& fun, const FlatJvpFn& jvp,
                                        std::span<const Array> args) override;
  // The forward pass under the parent; the output tangents are custom_lin of the input
  // tangents, a linear primitive whose transpose is the user's backward pass (so it works in
  // reverse mode only, as in JAX).
  std::vector<Array> process_custom_vjp(const FlatFn& fun, const FlatFwdFn& fwd,
                                        const FlatBwdFn& bwd, std::span<const Array> args) override;

 private:
  // Unboxes args; true when any tangent is nonzero.
  bool unbox_all(std::span<const Array> args, std::vector<Array>& primals,
                 std::vector<Array>& tangents) const;
};

// custom_lin's params: the backward pass and the avals of the outputs it transposes.
struct CustomLinParam : OpaqueParam {
  FlatBwdFn bwd;
  std::vector<ShapedArray> out_avals;
  std::string str() const override { return "<custom_vjp bwd>"; }
};

namespace ad {

// True for a symbolic zero tangent.
inline bool is_zero(const Array& t) { return !t.valid(); }
// The tangent space of a primal: same shape, its float dtype (integer/bool primals have no
// tangent space: their tangents are always symbolic zeros).
bool has_tangent_space(const ShapedArray& primal);
// The weakly typed scalar c in x's dtype (JAX's _const): formulas keep x's dtype and weakness.
Array scalar_like(double c, const Array& x);
// Zeros of aval's shape, dtype and weak type.
Array zeros_like_aval(const ShapedArray& aval);
// An array of x's shape, dtype and weak type filled with c.
Array full_like(double c, const Array& x);
// t broadcast to out's shape (t is a scalar, has out's shape, or size-1 axes where out is
// larger), as JAX's _brcast: the tangent of a broadcasting operand.
Array broadcast_like(const Array& t, const Array& out);
// max/min's share of the tangent for the operand x of result z (y the other operand): 1 where
// x == z, 1/2 where y == z too (JAX's _balanced_eq: ties split the tangent evenly).
Array balanced_eq(const Array& x, const Array& z, const Array& y);
// t, or an array of zeros of the primal's shape and dtype when t is a symbolic zero.
Array instantiate(const Array& t, const Array& primal);
// a + b, where either may be a symbolic zero.
Array add_tangents(const Array& a, const Array& b);

// The jvp of a function with a custom_jvp rule: the rule on (primals, tangents) with zero
// tangents instantiated, its result checked with JAX's messages. Runs under the current trace.
std::pair<std::vector<Array>, std::vector<Array>> custom_jvp_rule(const FlatJvpFn& jvp,
                                                                  std::span<const Array> primals,
                                                                  std::span<const Array> tangents);
// The jvp of a function with a custom_vjp rule: the forward pass now; the output tangents are
// custom_lin of the input tangents, a linear primitive whose transpose is the user's backward
// pass (so it works in reverse mode only, as in JAX).
std::pair<std::vector<Array>, std::vector<Array>> custom_vjp_rule(const FlatFwdFn& fwd,
                                                                  const FlatBwdFn& bwd,
                                                                  std::span<const Array> primals,
                                                                  std::span<const Array> tangents);

// How many times p's jvp rule has run in this process (tests check every rule is exercised).
int64_t rule_calls(Prim p);

// ---- combinators -------------------------------------------------------------------------
// The tangent contribution of one operand: given that operand's tangent g (never zero), the
// primals and the primal output, returns d(out) = (d out / d in_i) . g (JAX's defjvp).
using PartialJvp = std::function<Array(const Array& g, std::span<const Array> primals,
                                       const Array& out, const Params& params)>;
// A single-output primitive whose tangent is the sum of per-operand contributions (null
// entries: the output does not depend on that operand differentiably).
JvpRule defjvp(Prim p, std::vector<PartialJvp> partials);
// A primitive linear in all operands: the tangent is the primitive applied to the tangents
// (zeros instantiated where some but not all are zero).
JvpRule deflinear(Prim p);
// A primitive linear in operand `linear_arg` for fixed other operands (which must have zero
// tangents or be non-differentiable), e.g. reshape, slice, transpose of one operand.
JvpRule deflinear_in(Prim p, std::vector<int> linear_args);
// A primitive bilinear in operands 0 and 1 (mul, dot_general): d(x*y) = dx*y + x*dy.
JvpRule defbilinear(Prim p);
// Outputs that are piecewise constant or non-differentiable (comparisons, floor, argmax,
// integer ops, random bits): every output tangent is a symbolic zero.
JvpRule zero_jvp(Prim p);

}  // namespace ad
}  // namespace jx
