#include "compiler/executable.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include "backend/cpu/thread_pool.h"
#include "compiler/fusion.h"
#include "compiler/passes.h"
#include "core/array_impl.h"

namespace jx::compiler {
namespace {
std::atomic<int64_t> g_compiled[kNumPrimitives];
}

int64_t compiled_count(Prim p) { return g_compiled[static_cast<int>(p)].load(); }

namespace {

// One step to plan: an equation's kernel, or a fused loop standing for several equations.
struct Planned {
  const ImplRule* impl;
  std::shared_ptr<const ImplRule> owned;  // a fused loop's
  Params params;
  std::vector<Atom> inputs;
  std::vector<int> outputs;
  // Per operand: whether the kernel reads its element i only for element i of the output,
  // before writing it, so it may write over that operand if it dies here with the output's
  // size: every operand of single-output primitives with the kElementwise trait, and the
  // operands of flat fused loops read at the element's own index (through the loop's in-place
  // variant). Empty: none.
  std::vector<bool> in_place_operands;
};

// The kernel of a fused loop: every output written in one pass, split over the thread pool.
// When the executable hands output 0 a destination over a dying input (in place), the variant
// of the loop storing through that input's pointer runs; variants compile on first use.
class LoopStep {
 public:
  LoopStep(LoopProgram program, int64_t iterations)
      : program_(std::move(program)),
        iterations_(iterations),
        fresh_(compile_loop(program_)),
        in_place_(program_.inputs.size()) {
    // The cost of an iteration (an element, or a row) in bytes moved: the grain of the split.
    const int64_t per_element = std::max<int64_t>(program_.reduced, 1);
    for (const LoopProgram::Input& in : program_.inputs) {
      if (!in.scalar) {
        bytes_ += itemsize(in.dtype) * (in.inner.empty() && program_.reduced > 0 ? 1 : per_element);
      }
    }
    for (int o : program_.outputs) {
      const auto id = static_cast<size_t>(o);
      const DType d = id < program_.inputs.size() ? program_.inputs[id].dtype
                                                  : program_.ops[id - program_.inputs.size()].dtype;
      bytes_ += itemsize(d) * per_element;
    }
    // Compute counts too: an elementary function or a threefry hash costs an element about
    // what streaming these many bytes does, so expensive loops split into smaller pieces (XLA
    // counts transcendentals as no work when it decides threads: jax#32707).
    constexpr int64_t kFunctionBytes = 32, kHashBytes = 64, kScalarCallBytes = 128;
    for (const LoopProgram::Op& op : program_.ops) {
      if (elementary_function(op.prim)) bytes_ += kFunctionBytes * per_element;
      if (scalar_function(op.prim)) bytes_ += kScalarCallBytes * per_element;
      if (op.prim == Prim::random_bits) bytes_ += kHashBytes * per_element;
    }
  }

  std::vector<Array> operator()(std::span<const Array> in, const KernelOutputs& out) const {
    std::vector<Array> outs;
    for (size_t i = 0; i < out.size(); ++i) outs.push_back(out.make(i));
    std::vector<void*> buffers;
    int over = -1;
    for (size_t i = 0; i < in.size(); ++i) {
      buffers.push_back(const_cast<void*>(array_data(in[i])));
      if (over < 0 && buffers.back() == outs[0].impl()->mutable_data()) over = static_cast<int>(i);
    }
    for (size_t i = over >= 0 ? 1 : 0; i < outs.size(); ++i)
      buffers.push_back(mutable_data(outs[i]));
    LoopKernel kernel = over >= 0 ? in_place(static_cast<size_t>(over)) : fresh_;
    cpu::parallel_for(iterations_,
                      std::max<int64_t>(cpu::kParallelBytes / std::max<int64_t>(bytes_, 1), 1),
                      [&](int64_t b, int64_t e) { kernel(buffers.data(), b, e); });
    return outs;
  }

 private:
  LoopKernel in_place(size_t input) const {
    LoopKernel k = in_place_[input].load(std::memory_order_acquire);
    if (k == nullptr) {
      LoopProgram variant = program_;
      variant.in_place_input = static_cast<int>(input);
      k = compile_loop(variant);
      in_place_[input].store(k, std::memory_order_release);
    }
    return k;
  }

  LoopProgram program_;
  int64_t iterations_;
  int64_t bytes_ = 0;
  LoopKernel fresh_;
  mutable std::vector<std::atomic<LoopKernel>> in_place_;
};

std::vector<Planned> plan_steps(const Jaxpr& j) {
  std::vector<Fusion> fusions = plan_fusions(j);
  std::vector<int> fusion_ending_at(j.eqns.size(), -1);
  std::vector<bool> fused(j.eqns.size(), false);
  std::vector<std::shared_ptr<const ImplRule>> loops(fusions.size());
  for (size_t f = 0; f < fusions.size(); ++f) {
    try {
      auto step = std::make_shared<const LoopStep>(fusions[f].program, fusions[f].iterations);
      loops[f] = std::make_shared<const ImplRule>(
          [step](std::span<const Array> in, const Params&, const KernelOutputs& out) {
            return (*step)(in, out);
          });
    } catch (const std::exception&) {
      continue;  // not compiled: its equations run their kernels
    }
    for (size_t k : fusions[f].members) fused[k] = true;
    fusion_ending_at[fusions[f].members.back()] = static_cast<int>(f);
  }
  std::vector<Planned> plan;
  for (size_t k = 0; k < j.eqns.size(); ++k) {
    if (fusion_ending_at[k] >= 0) {
      const Fusion& f = fusions[static_cast<size_t>(fusion_ending_at[k])];
      const auto& loop = loops[static_cast<size_t>(fusion_ending_at[k])];
      // A row program reads its inputs in several passes: never in place. A flat loop may
      // write over an input it reads at the element's own index only (not through a view),
      // when it stores at its own index too (no transposed store).
      std::vector<bool> own_index;
      for (const LoopProgram::Input& in : f.program.inputs) {
        own_index.push_back(f.program.reduced == 0 && f.program.stores.empty() && !in.scalar &&
                            in.outer.empty() && in.offset == 0);
      }
      plan.push_back(Planned{loop.get(), loop, Params{}, f.inputs, f.outputs, own_index});
      continue;
    }
    if (fused[k]) continue;
    const Eqn& e = j.eqns[k];
    const PrimitiveRules& r = rules(e.prim);
    if (!r.impl) {
      throw NotSupportedError("jit: " + std::string(primitive_name(e.prim)) +
                              " has no CPU kernel registered");
    }
    const bool elementwise = e.outputs.size() == 1 && has_trait(e.prim, kElementwise);
    plan.push_back(Planned{&r.impl, nullptr, e.params, e.inputs, e.outputs,
                           std::vector<bool>(elementwise ? e.inputs.size() : 0, true)});
  }
  return plan;
}

}  // namespace

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
  const std::vector<Planned> plan = plan_steps(j);
  // Liveness: the last step reading each slot; outputs live to the end.
  std::vector<int64_t> last_use(num_slots_, -1);
  const auto kForever = static_cast<int64_t>(plan.size());
  for (size_t k = 0; k < plan.size(); ++k) {
    for (const Atom& a : plan[k].inputs) {
      if (a.is_var()) last_use[static_cast<size_t>(a.var)] = static_cast<int64_t>(k);
    }
  }
  for (const Atom& a : j.outvars) {
    if (a.is_var()) last_use[static_cast<size_t>(a.var)] = kForever;
  }
  for (int v : j.invars) in_slots_.push_back(last_use[static_cast<size_t>(v)] >= 0 ? v : -1);
  for (size_t k = 0; k < plan.size(); ++k) {
    const Planned& e = plan[k];
    Step s{e.impl, e.owned, e.params, {}, {}, {}, {}, {}};
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
    if (!e.in_place_operands.empty()) {
      const ShapedArray& out = s.out_avals[0];
      for (size_t i = 0; i < e.inputs.size(); ++i) {
        const Atom& a = e.inputs[i];
        if (!e.in_place_operands[i]) continue;
        if (!a.is_var() || const_index[static_cast<size_t>(a.var)] < 0) continue;
        if (last_use[static_cast<size_t>(a.var)] != static_cast<int64_t>(k)) continue;
        const ShapedArray& in = j.avals[static_cast<size_t>(a.var)];
        int uses = 0;
        for (const Atom& b : e.inputs) uses += b.is_var() && b.var == a.var;
        // A fused loop's in-place variant stores through the input's own pointer: same dtype.
        bool same_type =
            e.owned ? in.dtype == out.dtype : itemsize(in.dtype) == itemsize(out.dtype);
        if (uses == 1 && in.size() == out.size() && same_type) {
          s.in_place.push_back(static_cast<int>(i));
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
      } else if (std::find(s.in_place.begin(), s.in_place.end(), static_cast<int>(i)) !=
                 s.in_place.end()) {
        ins[i] = std::move(env[static_cast<size_t>(o)]);  // dies here
      } else {
        ins[i] = env[static_cast<size_t>(o)];
      }
    }
    for (size_t c = 0; c < s.in_place.size() && !dest.valid(); ++c) {
      dest = reusable(ins[static_cast<size_t>(s.in_place[c])], s.out_avals[0]);
    }
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
