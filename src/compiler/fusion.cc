#include "compiler/fusion.h"

#include <optional>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace jx::compiler {
namespace {

const ShapedArray& aval_of(const Jaxpr& j, const Atom& a) {
  return a.is_var() ? j.avals[static_cast<size_t>(a.var)] : a.value.aval();
}

// The index terms reading an operand of shape `in` whose dimension d lies along output dimension
// dims[d] (size equal, or 1: broadcast) at element i of a loop over `out`: the operand's element
// sum_k ((i / divide_k) % modulo_k) * stride_k over its dimensions of size > 1 (runs that stay
// adjacent in the output merge into one term; an all-size-1 operand reads element 0).
std::vector<LoopProgram::Input::Term> index_terms(const Shape& in, const Shape& out,
                                                  const std::vector<int64_t>& dims) {
  const int r = out.ndim(), k = in.ndim();
  std::vector<int64_t> out_stride(static_cast<size_t>(r), 1), in_stride(static_cast<size_t>(k), 1);
  for (int d = r - 2; d >= 0; --d) out_stride[d] = out_stride[d + 1] * out[d + 1];
  for (int d = k - 2; d >= 0; --d) in_stride[d] = in_stride[d + 1] * in[d + 1];
  std::vector<LoopProgram::Input::Term> terms;
  int64_t prev_dim = -2;
  for (int d = 0; d < k; ++d) {
    if (in[d] == 1) continue;  // a size-1 operand dimension contributes nothing
    const int64_t od = dims[static_cast<size_t>(d)];
    const int64_t divide = out_stride[static_cast<size_t>(od)];
    if (!terms.empty() && od == prev_dim + 1 && terms.back().divide == divide * out[od] &&
        terms.back().stride == in_stride[d] * in[d]) {
      terms.back().divide = divide;
      terms.back().modulo = terms.back().modulo == 0 ? 0 : terms.back().modulo * out[od];
      terms.back().stride = in_stride[d];
    } else {
      terms.push_back({divide, od == 0 ? 0 : out[od], in_stride[d]});
    }
    prev_dim = od;
  }
  if (terms.empty()) terms.push_back({1, 0, 0});
  return terms;
}

// A broadcast_in_dim the loop reads in place of its result (index_terms of its operand).
std::optional<std::vector<LoopProgram::Input::Term>> broadcast_terms(const Jaxpr& j, const Eqn& e) {
  if (e.prim != Prim::broadcast_in_dim || e.inputs.size() != 1) return std::nullopt;
  const Atom& a = e.inputs[0];
  if (!a.is_var() && (!a.value.valid() || !a.value.is_concrete())) return std::nullopt;
  const ShapedArray& in = aval_of(j, a);
  const ShapedArray& out = j.avals[static_cast<size_t>(e.outputs[0])];
  // A smaller operand only: then it cannot be a value of the loop itself (those have its shape).
  if (in.dtype != out.dtype || in.ndim() == 0 || in.size() == 0 || in.size() >= out.size()) {
    return std::nullopt;
  }
  return index_terms(in.shape, out.shape, e.params.get_ints("broadcast_dimensions"));
}

// An operand of an elementwise equation with size-1 dimensions where the result has more (lax
// binary ops broadcast those, as vmap's batch rules use them): same rank, each size equal or 1.
bool size_one_broadcast(const Shape& in, const Shape& out) {
  if (in.ndim() != out.ndim() || in == out) return false;
  for (int d = 0; d < in.ndim(); ++d) {
    if (in[d] != out[d] && in[d] != 1) return false;
  }
  return true;
}

std::vector<int64_t> identity_dims(int n) {
  std::vector<int64_t> dims(static_cast<size_t>(n));
  for (int d = 0; d < n; ++d) dims[static_cast<size_t>(d)] = d;
  return dims;
}

// One output whose operands are arrays of its shape or rank-0 scalars, of types the code
// generator implements; or a broadcast the loop can read in place of its result.
bool fusible(const Jaxpr& j, const Eqn& e) {
  if (e.outputs.size() != 1) return false;
  if (broadcast_terms(j, e)) return codegen_loads(j.avals[static_cast<size_t>(e.outputs[0])].dtype);
  const ShapedArray& out = j.avals[static_cast<size_t>(e.outputs[0])];
  std::vector<ShapedArray> in;
  for (const Atom& a : e.inputs) {
    if (!a.is_var() && (!a.value.valid() || !a.value.is_concrete())) return false;
    const ShapedArray& aval = aval_of(j, a);
    if (aval.ndim() != 0 && !(aval.shape == out.shape) &&
        !size_one_broadcast(aval.shape, out.shape)) {
      return false;
    }
    in.push_back(aval);
  }
  return codegen_supports(e.prim, in, out);
}

struct Group {
  std::vector<size_t> members;
  Shape shape;
  std::unordered_set<int> produced;
};

Fusion build(const Jaxpr& j, const Group& g, const std::vector<int>& uses) {
  Fusion f;
  f.members = g.members;
  std::unordered_map<int, int> value_of;  // variable -> program value id
  std::unordered_map<int, int> internal_uses;
  for (size_t k : g.members) {
    for (const Atom& a : j.eqns[k].inputs) {
      if (a.is_var() && g.produced.count(a.var)) ++internal_uses[a.var];
    }
  }
  // Inputs first (their ids come before every op's). A broadcast member is no op: its result is
  // its operand read at a remapped index.
  for (size_t k : g.members) {
    const Eqn& e = j.eqns[k];
    auto pattern = broadcast_terms(j, e);
    for (const Atom& a : e.inputs) {
      if (!pattern && a.is_var() && (g.produced.count(a.var) || value_of.count(a.var))) continue;
      const ShapedArray& aval = aval_of(j, a);
      int id = static_cast<int>(f.inputs.size());
      if (pattern) {
        value_of[e.outputs[0]] = id;
      } else if (a.is_var()) {
        value_of[a.var] = id;
      }
      f.inputs.push_back(a);
      LoopProgram::Input in{aval.dtype, aval.ndim() == 0, {}};
      if (pattern) {
        in.broadcast = *pattern;
      } else if (size_one_broadcast(aval.shape, g.shape)) {
        in.broadcast = index_terms(aval.shape, g.shape, identity_dims(aval.ndim()));
      }
      f.program.inputs.push_back(in);
    }
  }
  const int nin = static_cast<int>(f.inputs.size());
  // Literals are separate inputs even when equal: find each by its position.
  size_t literal = 0;
  std::vector<size_t> literal_ids;
  for (size_t i = 0; i < f.inputs.size(); ++i) {
    if (!f.inputs[i].is_var()) literal_ids.push_back(i);
  }
  for (size_t m = 0; m < g.members.size(); ++m) {
    const Eqn& e = j.eqns[g.members[m]];
    if (broadcast_terms(j, e)) {
      if (!e.inputs[0].is_var()) ++literal;
      // Materialised when read outside the loop: then it is copied out as an output.
      const int v = e.outputs[0];
      auto it = internal_uses.find(v);
      if (uses[static_cast<size_t>(v)] > (it == internal_uses.end() ? 0 : it->second)) {
        f.outputs.push_back(v);
        f.program.outputs.push_back(value_of.at(v));
      }
      continue;
    }
    LoopProgram::Op op{e.prim, {}, j.avals[static_cast<size_t>(e.outputs[0])].dtype};
    for (const Atom& a : e.inputs) {
      op.operands.push_back(a.is_var() ? value_of.at(a.var)
                                       : static_cast<int>(literal_ids[literal++]));
    }
    value_of[e.outputs[0]] = nin + static_cast<int>(f.program.ops.size());
    f.program.ops.push_back(std::move(op));
    // Materialised when something outside the group reads it.
    const int v = e.outputs[0];
    auto it = internal_uses.find(v);
    if (uses[static_cast<size_t>(v)] > (it == internal_uses.end() ? 0 : it->second)) {
      f.outputs.push_back(v);
      f.program.outputs.push_back(value_of.at(v));
    }
  }
  return f;
}

}  // namespace

std::vector<Fusion> plan_fusions(const Jaxpr& j) {
  std::vector<int> uses(j.avals.size(), 0);
  for (const Eqn& e : j.eqns) {
    for (const Atom& a : e.inputs) {
      if (a.is_var()) ++uses[static_cast<size_t>(a.var)];
    }
  }
  for (const Atom& a : j.outvars) {
    if (a.is_var()) ++uses[static_cast<size_t>(a.var)];
  }
  std::vector<Fusion> out;
  std::optional<Group> open;
  auto close = [&] {
    if (open && open->members.size() >= 2) out.push_back(build(j, *open, uses));
    open.reset();
  };
  for (size_t k = 0; k < j.eqns.size(); ++k) {
    const Eqn& e = j.eqns[k];
    bool reads_group = false;
    if (open) {
      for (const Atom& a : e.inputs) reads_group |= a.is_var() && open->produced.count(a.var);
    }
    if (!fusible(j, e)) {
      // The group runs at its last member: an equation reading it must come after that.
      if (reads_group) close();
      continue;
    }
    const Shape& shape = j.avals[static_cast<size_t>(e.outputs[0])].shape;
    if (!open || !(open->shape == shape)) {
      close();
      open = Group{{}, shape, {}};
    }
    open->members.push_back(k);
    open->produced.insert(e.outputs[0]);
  }
  close();
  return out;
}

}  // namespace jx::compiler
