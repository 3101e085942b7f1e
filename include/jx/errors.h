// The errors jx throws. Every failure on bad input is one of these, never an abort.
#pragma once

#include <stdexcept>
#include <string>

namespace jx {

// Base of every error jx raises on bad input.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Incompatible or invalid shapes (JAX raises TypeError/ValueError for these).
class ShapeError : public Error {
 public:
  using Error::Error;
};

// Wrong or incompatible dtypes (JAX's TypeError).
class DTypeError : public Error {
 public:
  using Error::Error;
};

// Out-of-range index or axis (JAX's IndexError / numpy's AxisError).
class IndexError : public Error {
 public:
  using Error::Error;
};

// A value that is invalid for the operation (JAX's ValueError).
class ValueError : public Error {
 public:
  using Error::Error;
};

// A collective names an axis no enclosing transformation binds (JAX's NameError).
class NameError : public Error {
 public:
  using Error::Error;
};

// A feature a transformation does not support for this input (JAX's NotImplementedError).
class NotSupportedError : public Error {
 public:
  using Error::Error;
};

// The value of a traced array was needed while tracing (JAX's ConcretizationTypeError): inside
// jit, arrays are abstract (a shape and a dtype), so item(), to_vector(), data() and printing
// the elements cannot run. Use jx::lax::cond or jnp::where for value-dependent choices, or make
// the argument static (jx::jit(f, jx::static_argnums<i>)).
class ConcretizationError : public Error {
 public:
  using Error::Error;
};

}  // namespace jx
