// Special functions for the unary primitives, with XLA's edge-case semantics (NaN for domain
// errors and at poles where XLA gives NaN). All are thread-safe.
#pragma once

namespace jx::cpu {

// Inverse error function: erf_inv(erf(x)) == x; +-inf at +-1, NaN outside [-1, 1].
float erf_inv(float x);
double erf_inv(double x);

// log|Gamma(x)|: +inf at non-positive integers and at +-inf.
float lgamma(float x);
double lgamma(double x);

// Digamma (psi), the derivative of lgamma: NaN at zero and the negative integers (and at
// -inf), +inf at +inf.
float digamma(float x);
double digamma(double x);

}  // namespace jx::cpu
