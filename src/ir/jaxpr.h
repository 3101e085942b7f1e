// Jaxpr: a small typed SSA program (JAX's core.Jaxpr). Variables are numbered and carry avals;
// constants (constvars) are held as arrays, which may be tracers of enclosing transformations
// (a jaxpr recorded inside vmap or grad closes over that transformation's values).
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "ir/primitive.h"

namespace jx {

// An operand of an equation or an output of a jaxpr: a variable, or a constant (`var < 0`,
// `value` holds it; a null value is a symbolic zero of `aval`).
struct Atom {
  int var = -1;
  Array value;
  bool is_var() const { return var >= 0; }
};

struct Eqn {
  Prim prim;
  std::vector<Atom> inputs;
  Params params;
  std::vector<int> outputs;
};

// A value the compiler attaches to one jaxpr (its executable), opaque to the IR. Filled at most
// once, under a lock; a copy of a jaxpr is a different program and starts empty.
class CompiledSlot {
 public:
  CompiledSlot() = default;
  CompiledSlot(const CompiledSlot&) {}
  CompiledSlot& operator=(const CompiledSlot&) {
    std::lock_guard<std::mutex> lock(mu_);
    value_.reset();
    return *this;
  }
  // The stored value, made by `make` on first use.
  template <class T, class Make>
  std::shared_ptr<const T> get_or_make(Make&& make) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (!value_) value_ = make();
    return std::static_pointer_cast<const T>(value_);
  }

 private:
  mutable std::mutex mu_;
  mutable std::shared_ptr<const void> value_;
};

struct Jaxpr {
  std::vector<ShapedArray> avals;  // of every variable, by number
  std::vector<int> invars;
  std::vector<int> constvars;
  std::vector<Array> consts;  // the values of constvars
  std::vector<Eqn> eqns;
  std::vector<Atom> outvars;
  std::vector<ShapedArray> out_avals;  // kept for symbolic-zero outputs
  CompiledSlot compiled;

  int new_var(const ShapedArray& aval) {
    avals.push_back(aval);
    return static_cast<int>(avals.size()) - 1;
  }
  // JAX's text form: { lambda a:f32[3]; b:f32[3]. let c:f32[3] = mul a b in (c,) }
  std::string str() const;
};

// Drops the equations (and then the constants) that no output depends on; equations with a dce
// rule (calls) drop their unused outputs too. Returns which inputs are still used.
std::vector<bool> dead_code_elimination(Jaxpr& jaxpr);

// Runs the jaxpr on `args` (one per invar) by binding every equation under the current trace
// (so evaluating a jaxpr inside vmap or jvp transforms it). Symbolic-zero outputs become zeros.
std::vector<Array> eval_jaxpr(const Jaxpr& jaxpr, std::span<const Array> args);

}  // namespace jx
