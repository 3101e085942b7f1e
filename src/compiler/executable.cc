#include "compiler/executable.h"

#include <atomic>
#include <stdexcept>
#include <string>

#include "compiler/passes.h"
#include "core/array_impl.h"

namespace jx::compiler {
namespace {
std::atomic<int64_t> g_compiled[kNumPrimitives];
}

int64_t compiled_count(Prim p) { return g_compiled[static_cast<int>(p)].load(); }

Executable::Executable(const Jaxpr& j) : num_slots_(j.avals.size()) {
  std::vector<int32_t> const_index(j.avals.size(), 0);  // ~index for constvars
  for (size_t i = 0; i < j.constvars.size(); ++i) {
    const_index[static_cast<size_t>(j.constvars[i])] = ~static_cast<int32_t>(constants_.size());
    constants_.push_back(j.consts[i]);
  }
  auto operand = [&](const Atom& a) -> Operand {
    if (a.is_var()) {
      int32_t c = const_index[static_cast<size_t>(a.var)];
      return c < 0 ? c : a.var;
    }
    if (!a.value.valid()) throw std::logic_error("jit: a symbolic zero operand was not inlined");
    constants_.push_back(a.value);
    return ~static_cast<int32_t>(constants_.size() - 1);
  };
  // Liveness: the last step reading each slot; outputs live to the end.
  std::vector<int64_t> last_use(num_slots_, -1);
  const auto kForever = static_cast<int64_t>(j.eqns.size());
  for (size_t k = 0; k < j.eqns.size(); ++k) {
    for (const Atom& a : j.eqns[k].inputs) {
      if (a.is_var()) last_use[static_cast<size_t>(a.var)] = static_cast<int64_t>(k);
    }
  }
  for (const Atom& a : j.outvars) {
    if (a.is_var()) last_use[static_cast<size_t>(a.var)] = kForever;
  }
  for (int v : j.invars) in_slots_.push_back(last_use[static_cast<size_t>(v)] >= 0 ? v : -1);
  for (size_t k = 0; k < j.eqns.size(); ++k) {
    const Eqn& e = j.eqns[k];
    const PrimitiveRules& r = rules(e.prim);
    if (!r.impl) {
      throw NotSupportedError("jit: " + std::string(primitive_name(e.prim)) +
                              " has no CPU kernel registered");
    }
    Step s{&r.impl, e.params, {}, {}, {}, {}};
    for (const Atom& a : e.inputs) s.in.push_back(operand(a));
    for (int o : e.outputs) {
      s.out_avals.push_back(j.avals[static_cast<size_t>(o)]);
      s.out.push_back(o);
      // An output nothing reads is dropped at once.
      if (last_use[static_cast<size_t>(o)] < 0) s.release.push_back(o);
    }
    for (const Atom& a : e.inputs) {
      if (!a.is_var() || const_index[static_cast<size_t>(a.var)] < 0) continue;
      if (last_use[static_cast<size_t>(a.var)] != static_cast<int64_t>(k)) continue;
      bool listed = false;
      for (int32_t r2 : s.release) listed |= r2 == a.var;
      if (!listed) s.release.push_back(a.var);
    }
    if (e.outputs.size() == 1 && has_trait(e.prim, kElementwise) &&
        (primitive_family(e.prim) == "unary" || primitive_family(e.prim) == "binary" ||
         primitive_family(e.prim) == "elementwise")) {
      const ShapedArray& out = s.out_avals[0];
      for (size_t i = 0; i < e.inputs.size() && s.in_place < 0; ++i) {
        const Atom& a = e.inputs[i];
        if (!a.is_var() || const_index[static_cast<size_t>(a.var)] < 0) continue;
        if (last_use[static_cast<size_t>(a.var)] != static_cast<int64_t>(k)) continue;
        const ShapedArray& in = j.avals[static_cast<size_t>(a.var)];
        int uses = 0;
        for (const Atom& b : e.inputs) uses += b.is_var() && b.var == a.var;
        if (uses == 1 && in.size() == out.size() && itemsize(in.dtype) == itemsize(out.dtype)) {
          s.in_place = static_cast<int>(i);
        }
      }
    }
    max_arity_ = std::max(max_arity_, s.in.size());
    steps_.push_back(std::move(s));
  }
  for (const Atom& a : j.outvars) outputs_.push_back(operand(a));
}

namespace {

// The buffer of `a` as a destination of type `aval`, when nothing else can see it: `a` is the
// only handle to its value and the only user of its buffer.
Array reusable(const Array& a, const ShapedArray& aval) {
  const auto& impl = a.impl_ptr();
  if (impl.use_count() != 1 || !impl->buffer || impl->buffer.use_count() != 1 ||
      impl->offset != 0) {
    return Array();
  }
  return make_view(aval, impl->buffer, 0);
}

// The environment of a run, kept per thread so that a call allocates no vectors (a nested run,
// should a kernel ever make one, gets its own).
struct RunScratch {
  std::vector<Array> env, ins;
  bool busy = false;
};

}  // namespace

std::vector<Array> Executable::run(std::vector<Array> args) const {
  thread_local RunScratch shared;
  RunScratch own;
  RunScratch& scratch = shared.busy ? own : shared;
  scratch.busy = true;
  struct Release {
    RunScratch& s;
    ~Release() {
      for (Array& a : s.env) a = Array();
      for (Array& a : s.ins) a = Array();
      s.busy = false;
    }
  } release{scratch};
  std::vector<Array>& env = scratch.env;
  if (env.size() < num_slots_) env.resize(num_slots_);
  std::vector<Array>& ins = scratch.ins;
  if (ins.size() < max_arity_) ins.resize(max_arity_);
  for (size_t i = 0; i < in_slots_.size(); ++i) {
    if (in_slots_[i] >= 0) env[static_cast<size_t>(in_slots_[i])] = std::move(args[i]);
  }
  args.clear();
  Array dest;
  for (const Step& s : steps_) {
    for (size_t i = 0; i < s.in.size(); ++i) {
      Operand o = s.in[i];
      if (o < 0) {
        ins[i] = constants_[static_cast<size_t>(~o)];
      } else if (static_cast<int>(i) == s.in_place) {
        ins[i] = std::move(env[static_cast<size_t>(o)]);  // dies here
      } else {
        ins[i] = env[static_cast<size_t>(o)];
      }
    }
    if (s.in_place >= 0) dest = reusable(ins[static_cast<size_t>(s.in_place)], s.out_avals[0]);
    std::vector<Array> outs =
        (*s.impl)(std::span<const Array>(ins.data(), s.in.size()), s.params,
                  KernelOutputs(s.out_avals, std::span<const Array>(&dest, dest.valid() ? 1 : 0)));
    dest = Array();
    for (size_t i = 0; i < s.in.size(); ++i) ins[i] = Array();
    for (size_t i = 0; i < outs.size(); ++i)
      env[static_cast<size_t>(s.out[i])] = std::move(outs[i]);
    for (int32_t r : s.release) env[static_cast<size_t>(r)] = Array();
  }
  std::vector<Array> results;
  results.reserve(outputs_.size());
  for (Operand o : outputs_) {
    results.push_back(o >= 0 ? env[static_cast<size_t>(o)] : constants_[static_cast<size_t>(~o)]);
  }
  return results;
}

std::shared_ptr<const Executable> executable_for(const Jaxpr& jaxpr) {
  return jaxpr.compiled.get_or_make<Executable>([&] {
    Jaxpr optimized = jaxpr;
    inline_calls(optimized);
    for (const Eqn& e : optimized.eqns) {
      g_compiled[static_cast<int>(e.prim)].fetch_add(1, std::memory_order_relaxed);
    }
    optimize(optimized);
    return std::make_shared<const Executable>(optimized);
  });
}

}  // namespace jx::compiler
