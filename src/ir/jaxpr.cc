#include "ir/jaxpr.h"

#include <memory>
#include <string>
#include <variant>

#include "ir/ops.h"

namespace jx {
namespace {

// JAX's variable names: a..z, ba..bz, ...
std::string var_name(int v) {
  std::string s;
  int n = v;
  do {
    s.insert(s.begin(), static_cast<char>('a' + n % 26));
    n = n / 26;
  } while (n > 0);
  return s;
}

// The printer works in two passes, as JAX's: names first (one counter shared by nested jaxprs;
// a jit body's inputs and outputs take the names of the operands and results they bind), then
// layout (Wadler-style groups of width 80: a jaxpr or an equation's params print on one line
// when they fit, else broken over lines).
constexpr size_t kWidth = 80;

struct PJaxpr;
struct PParam {
  std::string key, text;          // text: a plain value
  std::unique_ptr<PJaxpr> jaxpr;  // or a nested jaxpr
};
struct PEqn {
  std::string lhs, prim, args;
  std::vector<PParam> params;
};
struct PJaxpr {
  std::string head, outs;
  std::vector<PEqn> eqns;
};

// s += sep + item, except before the first item (appends in place: GCC 12 misreads a
// `const char* + std::string` temporary as overlapping memcpy, -Wrestrict).
void append(std::string& s, bool first, const char* sep, const std::string& item) {
  if (!first) s += sep;
  s += item;
}

class Namer {
 public:
  std::unique_ptr<PJaxpr> build(const Jaxpr& j, std::vector<std::string> seeded_in,
                                std::vector<std::string> seeded_out) {
    std::vector<std::string> names(j.avals.size());
    for (size_t i = 0; i < seeded_in.size() && i < j.invars.size(); ++i) {
      names[static_cast<size_t>(j.invars[i])] = std::move(seeded_in[i]);
    }
    for (size_t i = 0; i < seeded_out.size() && i < j.outvars.size(); ++i) {
      const Atom& a = j.outvars[i];
      if (a.is_var() && names[static_cast<size_t>(a.var)].empty()) {
        names[static_cast<size_t>(a.var)] = std::move(seeded_out[i]);
      }
    }
    auto name = [&](int v) -> const std::string& {
      std::string& n = names[static_cast<size_t>(v)];
      if (n.empty()) n = var_name(next_++);
      return n;
    };
    auto binder = [&](int v) { return name(v) + ":" + j.avals[static_cast<size_t>(v)].str(); };
    auto atom = [&](const Atom& a) -> std::string {
      if (a.is_var()) return name(a.var);
      if (!a.value.valid()) return "0.0";
      if (a.value.size() == 1 && a.value.is_concrete()) {
        return a.value.reshape(Shape{}).str() + ":" + a.value.aval().str();
      }
      return "<const " + a.value.aval().str() + ">";
    };
    auto out = std::make_unique<PJaxpr>();
    out->head = "{ lambda ";
    for (size_t i = 0; i < j.constvars.size(); ++i)
      append(out->head, i == 0, " ", binder(j.constvars[i]));
    out->head += "; ";
    for (size_t i = 0; i < j.invars.size(); ++i)
      append(out->head, i == 0, " ", binder(j.invars[i]));
    out->head += ". let";
    for (const Eqn& e : j.eqns) {
      PEqn pe;
      std::vector<std::string> out_names;
      for (size_t i = 0; i < e.outputs.size(); ++i) {
        append(pe.lhs, i == 0, " ", binder(e.outputs[i]));
        out_names.push_back(name(e.outputs[i]));
      }
      pe.prim = std::string(primitive_name(e.prim));
      std::vector<std::string> in_names;
      for (const Atom& a : e.inputs) {
        std::string s = atom(a);
        pe.args += " " + s;
        in_names.push_back(a.is_var() ? s : std::string());
      }
      // A call's name prints first, as JAX prints it; the rest in key order.
      std::vector<const Params::Entry*> entries;
      for (const auto& entry : e.params.entries()) {
        if (entry.first == "name")
          entries.insert(entries.begin(), &entry);
        else
          entries.push_back(&entry);
      }
      for (const Params::Entry* entry : entries) {
        const auto& [key, value] = *entry;
        PParam p;
        p.key = std::string(key);
        if (const auto* body = std::get_if<JaxprRef>(&value)) {
          // jit's body binds the operands and results by position.
          bool call = e.prim == Prim::jit;
          p.jaxpr = build(**body, call ? in_names : std::vector<std::string>{},
                          call ? out_names : std::vector<std::string>{});
        } else {
          p.text = param_value_str(value);
        }
        pe.params.push_back(std::move(p));
      }
      out->eqns.push_back(std::move(pe));
    }
    out->outs = "(";
    for (size_t i = 0; i < j.outvars.size(); ++i)
      append(out->outs, i == 0, ", ", atom(j.outvars[i]));
    out->outs += j.outvars.size() == 1 ? ",)" : ")";
    return out;
  }

 private:
  int next_ = 0;
};

std::string flat(const PJaxpr& j);

std::string flat_params(const PEqn& e) {
  if (e.params.empty()) return "";
  std::string s = "[";
  for (size_t i = 0; i < e.params.size(); ++i) {
    const PParam& p = e.params[i];
    append(s, i == 0, " ", p.key + "=" + (p.jaxpr ? flat(*p.jaxpr) : p.text));
  }
  return s + "]";
}

std::string flat_eqn(const PEqn& e) { return e.lhs + " = " + e.prim + flat_params(e) + e.args; }

std::string flat(const PJaxpr& j) {
  std::string s = j.head + " ";
  for (size_t i = 0; i < j.eqns.size(); ++i) append(s, i == 0, "; ", flat_eqn(j.eqns[i]));
  return s + " in " + j.outs + " }";
}

std::string layout(const PJaxpr& j, size_t indent, size_t column);

std::string layout_eqn(const PEqn& e, size_t indent) {
  std::string line = flat_eqn(e);
  if (indent + line.size() <= kWidth || e.params.empty()) return line;
  std::string pad(indent + 2, ' ');
  std::string s = e.lhs + " = " + e.prim + "[";
  for (const PParam& p : e.params) {
    s += '\n';
    s += pad;
    s += p.key;
    s += '=';
    s += p.jaxpr ? layout(*p.jaxpr, indent + 2, pad.size() + p.key.size() + 1) : p.text;
  }
  s += '\n';
  s.append(indent, ' ');
  s += ']';
  return s + e.args;
}

std::string layout(const PJaxpr& j, size_t indent, size_t column) {
  std::string one = flat(j);
  if (column + one.size() <= kWidth) return one;
  std::string s = j.head;
  for (const PEqn& e : j.eqns) {
    s += '\n';
    s.append(indent + 4, ' ');
    s += layout_eqn(e, indent + 4);
  }
  s += '\n';
  s.append(indent + 2, ' ');
  return s + "in " + j.outs + " }";
}

}  // namespace

std::string Jaxpr::str() const {
  Namer namer;
  return layout(*namer.build(*this, {}, {}), 0, 0);
}

std::vector<bool> dead_code_elimination(Jaxpr& jaxpr) {
  std::vector<bool> live(jaxpr.avals.size(), false);
  for (const Atom& a : jaxpr.outvars) {
    if (a.is_var()) live[static_cast<size_t>(a.var)] = true;
  }
  std::vector<Eqn> kept;
  for (auto it = jaxpr.eqns.rbegin(); it != jaxpr.eqns.rend(); ++it) {
    Eqn& e = *it;
    bool needed = false;
    for (int o : e.outputs) needed |= live[static_cast<size_t>(o)];
    if (!needed) continue;
    std::vector<bool> used_inputs(e.inputs.size(), true);
    if (const DceRule& dce = rules(e.prim).dce) {
      std::vector<bool> used;
      for (int o : e.outputs) used.push_back(live[static_cast<size_t>(o)]);
      used_inputs = dce(used, e);
    }
    for (size_t i = 0; i < e.inputs.size(); ++i) {
      if (used_inputs[i] && e.inputs[i].is_var()) live[static_cast<size_t>(e.inputs[i].var)] = true;
    }
    kept.push_back(std::move(e));
  }
  jaxpr.eqns.assign(std::make_move_iterator(kept.rbegin()), std::make_move_iterator(kept.rend()));
  std::vector<int> constvars;
  std::vector<Array> consts;
  for (size_t i = 0; i < jaxpr.constvars.size(); ++i) {
    if (!live[static_cast<size_t>(jaxpr.constvars[i])]) continue;
    constvars.push_back(jaxpr.constvars[i]);
    consts.push_back(std::move(jaxpr.consts[i]));
  }
  jaxpr.constvars = std::move(constvars);
  jaxpr.consts = std::move(consts);
  std::vector<bool> used_invars;
  for (int v : jaxpr.invars) used_invars.push_back(live[static_cast<size_t>(v)]);
  return used_invars;
}

std::vector<Array> eval_jaxpr(const Jaxpr& jaxpr, std::span<const Array> args) {
  std::vector<Array> env(jaxpr.avals.size());
  for (size_t i = 0; i < jaxpr.invars.size(); ++i)
    env[static_cast<size_t>(jaxpr.invars[i])] = args[i];
  for (size_t i = 0; i < jaxpr.constvars.size(); ++i) {
    env[static_cast<size_t>(jaxpr.constvars[i])] = jaxpr.consts[i];
  }
  auto read = [&](const Atom& a) { return a.is_var() ? env[static_cast<size_t>(a.var)] : a.value; };
  std::vector<Array> in;
  for (const Eqn& e : jaxpr.eqns) {
    in.clear();
    for (const Atom& a : e.inputs) in.push_back(read(a));
    std::vector<Array> outs = bind(e.prim, in, e.params);
    for (size_t i = 0; i < outs.size(); ++i)
      env[static_cast<size_t>(e.outputs[i])] = std::move(outs[i]);
  }
  std::vector<Array> outs;
  for (size_t i = 0; i < jaxpr.outvars.size(); ++i) {
    Array v = read(jaxpr.outvars[i]);
    if (!v.valid()) {
      const ShapedArray& aval = jaxpr.out_avals[i];
      v = ops::full(aval, 0.0);
    }
    outs.push_back(std::move(v));
  }
  return outs;
}

}  // namespace jx
