#include "compiler/passes.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <optional>
#include <unordered_map>

#include "core/array_impl.h"
#include "interpreters/trace.h"
#include "ir/ops.h"

namespace jx::compiler {
namespace {

// Replacement atoms for variables whose equation a pass removed or forwarded.
class Substitution {
 public:
  void set(int var, Atom a) {
    if (static_cast<size_t>(var) >= map_.size()) map_.resize(static_cast<size_t>(var) + 1);
    map_[static_cast<size_t>(var)] = std::move(a);
  }
  Atom operator()(const Atom& a) const {
    if (a.is_var() && static_cast<size_t>(a.var) < map_.size() &&
        map_[static_cast<size_t>(a.var)]) {
      return *map_[static_cast<size_t>(a.var)];
    }
    return a;
  }
  void apply(std::vector<Atom>& atoms) const {
    for (Atom& a : atoms) a = (*this)(a);
  }

 private:
  std::vector<std::optional<Atom>> map_;
};

const ShapedArray& aval_of(const Jaxpr& j, const Atom& a) {
  return a.is_var() ? j.avals[static_cast<size_t>(a.var)] : a.value.aval();
}

// The concrete values of constvars, by variable.
std::vector<Array> const_values(const Jaxpr& j) {
  std::vector<Array> values(j.avals.size());
  for (size_t i = 0; i < j.constvars.size(); ++i) {
    values[static_cast<size_t>(j.constvars[i])] = j.consts[i];
  }
  return values;
}

// The value of an atom known at compile time (a literal or a constvar), else null.
Array known_value(const Atom& a, const std::vector<Array>& consts) {
  if (!a.is_var()) return a.value.valid() && a.value.is_concrete() ? a.value : Array();
  size_t v = static_cast<size_t>(a.var);
  return v < consts.size() ? consts[v] : Array();
}

Array zeros_of(const ShapedArray& aval) {
  TraceScope eager(nullptr);
  return ops::full(aval, 0.0);
}

const Jaxpr* call_body(const Eqn& e) {
  switch (e.prim) {
    case Prim::jit:
      return &e.params.get_jaxpr("jaxpr");
    case Prim::custom_jvp_call:
    case Prim::custom_vjp_call:
      return &e.params.get_jaxpr("call_jaxpr");
    default:
      return nullptr;
  }
}

}  // namespace

void inline_calls(Jaxpr& j) {
  Substitution subst;
  std::vector<Eqn> eqns;
  for (Eqn& e : j.eqns) {
    subst.apply(e.inputs);
    const Jaxpr* callee = call_body(e);
    if (callee == nullptr) {
      eqns.push_back(std::move(e));
      continue;
    }
    Jaxpr body = *callee;
    inline_calls(body);
    std::vector<Atom> map(body.avals.size());
    for (size_t i = 0; i < body.invars.size(); ++i) {
      map[static_cast<size_t>(body.invars[i])] = e.inputs[i];
    }
    for (size_t i = 0; i < body.constvars.size(); ++i) {
      int v = j.new_var(body.avals[static_cast<size_t>(body.constvars[i])]);
      j.constvars.push_back(v);
      j.consts.push_back(body.consts[i]);
      map[static_cast<size_t>(body.constvars[i])] = Atom{v, Array()};
    }
    auto mapped = [&](const Atom& a) { return a.is_var() ? map[static_cast<size_t>(a.var)] : a; };
    for (Eqn& be : body.eqns) {
      for (Atom& a : be.inputs) a = mapped(a);
      for (int& o : be.outputs) {
        int v = j.new_var(body.avals[static_cast<size_t>(o)]);
        map[static_cast<size_t>(o)] = Atom{v, Array()};
        o = v;
      }
      eqns.push_back(std::move(be));
    }
    for (size_t k = 0; k < e.outputs.size(); ++k) {
      const Atom& o = body.outvars[k];
      bool zero = !o.is_var() && !o.value.valid();
      subst.set(e.outputs[k], zero ? Atom{-1, zeros_of(body.out_avals[k])} : mapped(o));
    }
  }
  j.eqns = std::move(eqns);
  subst.apply(j.outvars);
}

namespace {

size_t hash_atom(const Atom& a) {
  if (a.is_var()) return std::hash<int>{}(a.var);
  return std::hash<const void*>{}(a.value.impl());
}

// Equal operands: the same variable, or literals of equal type and bytes.
bool same_atom(const Atom& a, const Atom& b) {
  if (a.is_var() || b.is_var()) return a.var == b.var;
  if (a.value.impl() == b.value.impl()) return true;
  if (!a.value.valid() || !b.value.valid() || !(a.value.aval() == b.value.aval())) return false;
  return a.value.is_concrete() && b.value.is_concrete() &&
         std::memcmp(a.value.data(), b.value.data(), a.value.nbytes()) == 0;
}

}  // namespace

void cse(Jaxpr& j) {
  Substitution subst;
  std::unordered_multimap<size_t, size_t> seen;  // hash -> index in eqns
  std::vector<Eqn> eqns;
  for (Eqn& e : j.eqns) {
    subst.apply(e.inputs);
    size_t h = std::hash<int>{}(static_cast<int>(e.prim)) ^ (e.params.hash() << 1);
    for (const Atom& a : e.inputs) h = h * 1000003u ^ hash_atom(a);
    const Eqn* match = nullptr;
    auto [lo, hi] = seen.equal_range(h);
    for (auto it = lo; it != hi && !match; ++it) {
      const Eqn& c = eqns[it->second];
      if (c.prim != e.prim || c.inputs.size() != e.inputs.size() || !(c.params == e.params)) {
        continue;
      }
      bool same = true;
      for (size_t i = 0; i < c.inputs.size() && same; ++i)
        same = same_atom(c.inputs[i], e.inputs[i]);
      if (same) match = &c;
    }
    if (match) {
      for (size_t k = 0; k < e.outputs.size(); ++k) {
        subst.set(e.outputs[k], Atom{match->outputs[k], Array()});
      }
      continue;
    }
    seen.emplace(h, eqns.size());
    eqns.push_back(std::move(e));
  }
  j.eqns = std::move(eqns);
  subst.apply(j.outvars);
}

void fold_constants(Jaxpr& j) {
  std::vector<Array> consts = const_values(j);
  Substitution subst;
  std::vector<Eqn> eqns;
  std::vector<Array> args;
  for (Eqn& e : j.eqns) {
    subst.apply(e.inputs);
    bool foldable = e.prim != Prim::custom_lin && call_body(e) == nullptr;
    args.clear();
    for (const Atom& a : e.inputs) {
      if (!foldable) break;
      args.push_back(known_value(a, consts));
      foldable = args.back().valid();
    }
    for (int o : e.outputs) {
      foldable = foldable && j.avals[static_cast<size_t>(o)].size() <= kMaxFoldedElements;
    }
    if (foldable) {
      std::vector<Array> outs;
      try {
        TraceScope eager(nullptr);
        outs = eval_primitive(e.prim, args, e.params);
      } catch (const Error&) {
        foldable = false;  // left for run time, where it raises the same error
      }
      if (foldable) {
        for (size_t k = 0; k < outs.size(); ++k) subst.set(e.outputs[k], Atom{-1, outs[k]});
        continue;
      }
    }
    eqns.push_back(std::move(e));
  }
  j.eqns = std::move(eqns);
  subst.apply(j.outvars);
}

namespace {

// True when the atom is a compile-time constant every element of which satisfies pred.
bool all_elements(const Atom& a, const std::vector<Array>& consts,
                  const std::function<bool(double)>& pred) {
  Array v = known_value(a, consts);
  if (!v.valid() || v.dtype() == DType::bool_) return false;
  for (double x : v.to_vector<double>()) {
    if (!pred(x)) return false;
  }
  return true;
}

struct PatternContext {
  const Jaxpr& jaxpr;
  const std::vector<Array>& consts;
  // The equation (already rewritten) defining each variable, if any.
  const std::vector<const Eqn*>& producer;
  const Eqn* defining(const Atom& a, Prim p) const {
    if (!a.is_var() || static_cast<size_t>(a.var) >= producer.size()) return nullptr;
    const Eqn* e = producer[static_cast<size_t>(a.var)];
    return e != nullptr && e->prim == p ? e : nullptr;
  }
};

// A rewrite pattern: returns the atom the equation's single output equals (the equation then
// dies), or rewrites the equation in place (returning nullopt).
using Pattern = std::function<std::optional<Atom>(Eqn&, const PatternContext&)>;

bool is_one(double x) { return x == 1.0; }
bool is_neg_zero(double x) { return x == 0.0 && std::signbit(x); }
bool is_pos_zero(double x) { return x == 0.0 && !std::signbit(x); }

// x op c == x bit for bit when c (operand `ci`) satisfies pred and the result has x's type.
Pattern identity_operand(size_t ci, std::function<bool(double, bool is_float)> pred) {
  return [ci, pred](Eqn& e, const PatternContext& c) -> std::optional<Atom> {
    const Atom& x = e.inputs[1 - ci];
    bool fl = is_floating(aval_of(c.jaxpr, x).dtype);
    if (!(aval_of(c.jaxpr, x) == c.jaxpr.avals[static_cast<size_t>(e.outputs[0])])) {
      return std::nullopt;
    }
    if (!all_elements(e.inputs[ci], c.consts, [&](double v) { return pred(v, fl); })) {
      return std::nullopt;
    }
    return x;
  };
}

// The equation's output equals its operand when pred holds.
Pattern forward_when(
    std::function<bool(const Eqn&, const ShapedArray& in, const ShapedArray& out)> pred) {
  return [pred](Eqn& e, const PatternContext& c) -> std::optional<Atom> {
    const ShapedArray& in = aval_of(c.jaxpr, e.inputs[0]);
    const ShapedArray& out = c.jaxpr.avals[static_cast<size_t>(e.outputs[0])];
    if (in == out && pred(e, in, out)) return e.inputs[0];
    return std::nullopt;
  };
}

std::optional<Atom> neg_neg(Eqn& e, const PatternContext& c) {
  if (const Eqn* inner = c.defining(e.inputs[0], Prim::neg)) return inner->inputs[0];
  return std::nullopt;
}

std::optional<Atom> reshape_chain(Eqn& e, const PatternContext& c) {
  if (const Eqn* inner = c.defining(e.inputs[0], Prim::reshape)) e.inputs[0] = inner->inputs[0];
  return std::nullopt;
}

std::optional<Atom> transpose_chain(Eqn& e, const PatternContext& c) {
  if (const Eqn* inner = c.defining(e.inputs[0], Prim::transpose)) {
    const std::vector<int64_t>& p1 = inner->params.get_ints("permutation");
    const std::vector<int64_t>& p2 = e.params.get_ints("permutation");
    std::vector<int64_t> p(p2.size());
    for (size_t i = 0; i < p2.size(); ++i) p[i] = p1[static_cast<size_t>(p2[i])];
    e.inputs[0] = inner->inputs[0];
    e.params.set("permutation", p);
  }
  return std::nullopt;
}

std::optional<Atom> broadcast_chain(Eqn& e, const PatternContext& c) {
  if (const Eqn* inner = c.defining(e.inputs[0], Prim::broadcast_in_dim)) {
    const std::vector<int64_t>& d1 = inner->params.get_ints("broadcast_dimensions");
    const std::vector<int64_t>& d2 = e.params.get_ints("broadcast_dimensions");
    std::vector<int64_t> d;
    for (int64_t x : d1) d.push_back(d2[static_cast<size_t>(x)]);
    e.inputs[0] = inner->inputs[0];
    e.params.set("broadcast_dimensions", d);
  }
  return std::nullopt;
}

std::optional<Atom> select_constant(Eqn& e, const PatternContext& c) {
  Array which = known_value(e.inputs[0], c.consts);
  if (!which.valid() || which.ndim() != 0) return std::nullopt;
  int64_t k = which.item<int64_t>();
  if (k < 0 || static_cast<size_t>(k) + 1 >= e.inputs.size()) return std::nullopt;
  const Atom& chosen = e.inputs[static_cast<size_t>(k) + 1];
  if (!(aval_of(c.jaxpr, chosen) == c.jaxpr.avals[static_cast<size_t>(e.outputs[0])])) {
    return std::nullopt;
  }
  return chosen;
}

const std::unordered_multimap<Prim, Pattern>& patterns() {
  auto always = [](const Eqn&, const ShapedArray&, const ShapedArray&) { return true; };
  auto no_dims = [](const Eqn& e, const ShapedArray&, const ShapedArray&) {
    return e.params.get_ints("dimensions").empty();
  };
  auto identity = [](std::string_view key) {
    return [key](const Eqn& e, const ShapedArray&, const ShapedArray&) {
      const std::vector<int64_t>& p = e.params.get_ints(key);
      for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] != static_cast<int64_t>(i)) return false;
      }
      return true;
    };
  };
  // x + c: -0. for floats (x + -0. == x even for x == -0.), 0 for integers.
  auto add_zero = [](double v, bool fl) { return fl ? is_neg_zero(v) : v == 0.0; };
  // x - c: +0. for floats, 0 for integers.
  auto sub_zero = [](double v, bool fl) { return fl ? is_pos_zero(v) : v == 0.0; };
  auto one = [](double v, bool) { return is_one(v); };
  static const std::unordered_multimap<Prim, Pattern> table{
      {Prim::mul, identity_operand(1, one)},
      {Prim::mul, identity_operand(0, one)},
      {Prim::add, identity_operand(1, add_zero)},
      {Prim::add, identity_operand(0, add_zero)},
      {Prim::sub, identity_operand(1, sub_zero)},
      {Prim::div, identity_operand(1, one)},
      {Prim::neg, neg_neg},
      {Prim::convert_element_type, forward_when(always)},
      {Prim::reshape, forward_when(always)},
      {Prim::reshape, reshape_chain},
      {Prim::transpose, forward_when(identity("permutation"))},
      {Prim::transpose, transpose_chain},
      {Prim::broadcast_in_dim, forward_when(identity("broadcast_dimensions"))},
      {Prim::broadcast_in_dim, broadcast_chain},
      {Prim::squeeze, forward_when(no_dims)},
      {Prim::expand_dims, forward_when(no_dims)},
      {Prim::stop_gradient, forward_when(always)},
      {Prim::select_n, select_constant},
  };
  return table;
}

}  // namespace

void simplify(Jaxpr& j) {
  std::vector<Array> consts = const_values(j);
  Substitution subst;
  std::vector<Eqn> eqns;
  eqns.reserve(j.eqns.size());
  std::vector<const Eqn*> producer(j.avals.size(), nullptr);
  const auto& table = patterns();
  for (Eqn& e : j.eqns) {
    subst.apply(e.inputs);
    PatternContext ctx{j, consts, producer};
    std::optional<Atom> forward;
    auto [lo, hi] = table.equal_range(e.prim);
    for (auto it = lo; it != hi && !forward; ++it) forward = it->second(e, ctx);
    if (forward) {
      subst.set(e.outputs[0], *forward);
      continue;
    }
    eqns.push_back(std::move(e));
    // eqns is reserved, so pointers into it stay valid.
    for (int o : eqns.back().outputs) producer[static_cast<size_t>(o)] = &eqns.back();
  }
  j.eqns = std::move(eqns);
  subst.apply(j.outvars);
}

void optimize(Jaxpr& j) {
  inline_calls(j);
  for (size_t before = j.eqns.size() + 1; j.eqns.size() < before;) {
    before = j.eqns.size();
    simplify(j);
    fold_constants(j);
    cse(j);
    dead_code_elimination(j);
  }
}

}  // namespace jx::compiler
