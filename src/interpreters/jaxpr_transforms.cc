#include "interpreters/jaxpr_transforms.h"

#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_map>

#include "interpreters/ad.h"
#include "interpreters/batching.h"
#include "interpreters/staging.h"
#include "interpreters/transpose.h"

namespace jx {
namespace {

std::vector<ShapedArray> invar_avals(const Jaxpr& j) {
  std::vector<ShapedArray> avals;
  for (int v : j.invars) avals.push_back(j.avals[static_cast<size_t>(v)]);
  return avals;
}

ShapedArray tangent_aval(const ShapedArray& primal) {
  return ShapedArray{primal.shape, primal.dtype, primal.weak_type};
}

}  // namespace

TracedJaxpr close_jaxpr(Jaxpr j) {
  // An output that is a tracer of an enclosing trace becomes a constant, then an input.
  for (Atom& o : j.outvars) {
    if (o.is_var() || !o.value.valid() || o.value.is_concrete()) continue;
    int v = j.new_var(o.value.aval());
    j.constvars.push_back(v);
    j.consts.push_back(std::move(o.value));
    o = Atom{v, Array()};
  }
  TracedJaxpr out;
  std::vector<int> lifted_vars, constvars;
  std::vector<Array> consts;
  for (size_t i = 0; i < j.constvars.size(); ++i) {
    if (j.consts[i].is_concrete()) {
      constvars.push_back(j.constvars[i]);
      consts.push_back(std::move(j.consts[i]));
    } else {
      lifted_vars.push_back(j.constvars[i]);
      out.lifted.push_back(std::move(j.consts[i]));
    }
  }
  j.constvars = std::move(constvars);
  j.consts = std::move(consts);
  j.invars.insert(j.invars.begin(), lifted_vars.begin(), lifted_vars.end());
  out.jaxpr = std::make_shared<const Jaxpr>(std::move(j));
  return out;
}

TracedJaxpr trace_to_jaxpr(const FlatFn& f, std::span<const ShapedArray> in_avals) {
  StagingTrace trace(current_trace(), /*partial_eval=*/false);
  std::vector<Array> args;
  args.reserve(in_avals.size());
  for (const ShapedArray& aval : in_avals) args.push_back(trace.new_arg(aval));
  std::vector<Array> outs;
  {
    TraceScope scope(&trace);
    outs = f(args);
  }
  std::vector<ShapedArray> out_avals;
  for (const Array& o : outs) {
    if (!o.valid()) throw ValueError("jit: the traced function returned a null jx::Array");
    out_avals.push_back(o.aval());
  }
  return close_jaxpr(trace.finish(outs, out_avals));
}

BatchedJaxpr batch_jaxpr(const Jaxpr& jaxpr, const AxisData& axis,
                         std::span<const BatchDim> in_dims) {
  std::vector<ShapedArray> avals = invar_avals(jaxpr);
  for (size_t i = 0; i < avals.size(); ++i) {
    if (!in_dims[i]) continue;
    std::vector<int64_t> dims(avals[i].shape.begin(), avals[i].shape.end());
    dims.insert(dims.begin() + *in_dims[i], axis.size);
    avals[i].shape = Shape(dims);
  }
  BatchedJaxpr out;
  out.traced = trace_to_jaxpr(
      [&](std::span<const Array> args) {
        BatchTrace trace(current_trace(), axis);
        std::vector<Array> boxed;
        for (size_t i = 0; i < args.size(); ++i) boxed.push_back(trace.box(args[i], in_dims[i]));
        std::vector<Array> outs;
        {
          TraceScope scope(&trace);
          outs = eval_jaxpr(jaxpr, boxed);
        }
        out.out_dims.clear();
        for (Array& o : outs) {
          auto [val, dim] = trace.unbox(o);
          out.out_dims.push_back(dim ? BatchDim(0) : BatchDim());
          o = dim ? batching::moveaxis(val, *dim, 0) : val;
        }
        return outs;
      },
      avals);
  return out;
}

JvpJaxpr jvp_jaxpr(const Jaxpr& jaxpr, const std::vector<bool>& nonzero) {
  std::vector<ShapedArray> avals = invar_avals(jaxpr);
  const size_t n = avals.size();
  for (size_t i = 0; i < n; ++i) {
    if (nonzero[i]) avals.push_back(tangent_aval(avals[i]));
  }
  JvpJaxpr out;
  out.traced = trace_to_jaxpr(
      [&](std::span<const Array> args) {
        JVPTrace trace(current_trace());
        std::vector<Array> boxed;
        size_t t = n;
        for (size_t i = 0; i < n; ++i) {
          boxed.push_back(trace.box(args[i], nonzero[i] ? args[t++] : Array()));
        }
        std::vector<Array> outs;
        {
          TraceScope scope(&trace);
          outs = eval_jaxpr(jaxpr, boxed);
        }
        std::vector<Array> tangents;
        out.out_nonzero.clear();
        for (Array& o : outs) {
          auto [primal, tangent] = trace.unbox(o);
          out.out_nonzero.push_back(!ad::is_zero(tangent));
          if (!ad::is_zero(tangent)) tangents.push_back(std::move(tangent));
          o = std::move(primal);
        }
        outs.insert(outs.end(), tangents.begin(), tangents.end());
        return outs;
      },
      avals);
  return out;
}

PartialEvalJaxpr partial_eval_jaxpr(const Jaxpr& jaxpr, const std::vector<bool>& unknown) {
  std::vector<ShapedArray> avals = invar_avals(jaxpr);
  // The known trace records what can be computed from the known inputs; the unknown trace,
  // its child in partial-eval mode, sends every operation without an unknown operand there and
  // records the rest, with the known values it uses as constants: the residuals.
  StagingTrace known(current_trace(), /*partial_eval=*/false);
  StagingTrace unknown_trace(&known, /*partial_eval=*/true);
  std::vector<Array> args;
  for (size_t i = 0; i < avals.size(); ++i) {
    args.push_back(unknown[i] ? unknown_trace.new_arg(avals[i]) : known.new_arg(avals[i]));
  }
  std::vector<Array> outs;
  {
    TraceScope scope(&unknown_trace);
    outs = eval_jaxpr(jaxpr, args);
  }
  PartialEvalJaxpr out;
  std::vector<Array> known_outs, unknown_outs;
  std::vector<ShapedArray> known_avals, unknown_avals;
  for (const Array& o : outs) {
    const bool u = unknown_trace.owns(o);
    out.out_unknown.push_back(u);
    (u ? unknown_outs : known_outs).push_back(o);
    (u ? unknown_avals : known_avals).push_back(o.aval());
  }
  out.unknown = close_jaxpr(unknown_trace.finish(unknown_outs, unknown_avals));
  // The lifted constants of the unknown part are the known trace's values it needs.
  out.num_res = out.unknown.lifted.size();
  for (Array& r : out.unknown.lifted) {
    known_avals.push_back(r.aval());
    known_outs.push_back(std::move(r));
  }
  out.unknown.lifted.clear();
  out.known = close_jaxpr(known.finish(known_outs, known_avals));
  return out;
}

TracedJaxpr transpose_jaxpr(const Jaxpr& jaxpr, const std::vector<bool>& linear,
                            const std::vector<bool>& ct_nonzero) {
  std::vector<ShapedArray> avals;
  std::vector<ShapedArray> linear_avals;
  for (size_t i = 0; i < jaxpr.invars.size(); ++i) {
    const ShapedArray& a = jaxpr.avals[static_cast<size_t>(jaxpr.invars[i])];
    (linear[i] ? linear_avals : avals).push_back(a);
  }
  for (size_t i = 0; i < jaxpr.out_avals.size(); ++i) {
    if (ct_nonzero[i]) avals.push_back(jaxpr.out_avals[i]);
  }
  return trace_to_jaxpr(
      [&](std::span<const Array> args) {
        // The non-linear inputs become constants of the linear program.
        Jaxpr lin = jaxpr;
        lin.invars.clear();
        size_t k = 0;
        for (size_t i = 0; i < jaxpr.invars.size(); ++i) {
          if (linear[i]) {
            lin.invars.push_back(jaxpr.invars[i]);
          } else {
            lin.constvars.push_back(jaxpr.invars[i]);
            lin.consts.push_back(args[k++]);
          }
        }
        std::vector<Array> cts(jaxpr.outvars.size());
        for (size_t i = 0; i < cts.size(); ++i) {
          if (ct_nonzero[i]) cts[i] = args[k++];
        }
        std::vector<Array> in_cts = backward_pass(lin, cts);
        for (size_t i = 0; i < in_cts.size(); ++i) {
          if (!in_cts[i].valid()) in_cts[i] = ad::zeros_like_aval(linear_avals[i]);
        }
        return in_cts;
      },
      avals);
}

std::pair<Jaxpr, std::vector<bool>> dce_jaxpr(const Jaxpr& jaxpr,
                                              const std::vector<bool>& used_outputs) {
  Jaxpr out = jaxpr;
  out.outvars.clear();
  out.out_avals.clear();
  for (size_t i = 0; i < jaxpr.outvars.size(); ++i) {
    if (!used_outputs[i]) continue;
    out.outvars.push_back(jaxpr.outvars[i]);
    out.out_avals.push_back(jaxpr.out_avals[i]);
  }
  std::vector<bool> used_inputs = dead_code_elimination(out);
  std::vector<int> invars;
  for (size_t i = 0; i < out.invars.size(); ++i) {
    if (used_inputs[i]) invars.push_back(out.invars[i]);
  }
  out.invars = std::move(invars);
  return {std::move(out), std::move(used_inputs)};
}

namespace {

// A bounded cache from (jaxpr identity, transform, its arguments) to a transform's result.
class TransformCache {
 public:
  static constexpr size_t kCapacity = 4096;

  template <class T, class Make>
  T get(const JaxprRef& jaxpr, std::string key, Make&& make) {
    key += '@';
    key += std::to_string(reinterpret_cast<uintptr_t>(jaxpr.get()));
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = entries_.find(key);
      // The jaxpr must still be the one the key was made for (an address can be reused).
      if (it != entries_.end() && it->second.source.lock() == jaxpr) {
        return *std::static_pointer_cast<const T>(it->second.value);
      }
    }
    T made = make();
    if (cacheable(made)) {
      std::lock_guard<std::mutex> lock(mu_);
      if (entries_.size() >= kCapacity) entries_.clear();
      entries_[key] = Entry{jaxpr, std::make_shared<const T>(made)};
    }
    return made;
  }

 private:
  struct Entry {
    std::weak_ptr<const Jaxpr> source;
    std::shared_ptr<const void> value;
  };
  static bool cacheable(const TracedJaxpr& t) { return t.lifted.empty(); }
  static bool cacheable(const BatchedJaxpr& b) { return cacheable(b.traced); }
  static bool cacheable(const JvpJaxpr& j) { return cacheable(j.traced); }
  static bool cacheable(const PartialEvalJaxpr& p) {
    return cacheable(p.known) && cacheable(p.unknown);
  }

  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

TransformCache& transform_cache() {
  static TransformCache cache;
  return cache;
}

std::string mask_key(const std::vector<bool>& mask) {
  std::string key;
  for (bool b : mask) key += b ? '1' : '0';
  return key;
}

std::string mask_key(std::span<const BatchDim> dims) {
  std::string key;
  for (const BatchDim& d : dims) {
    key += d ? std::to_string(*d) : std::string("n");
    key += ',';
  }
  return key;
}

}  // namespace

BatchedJaxpr batch_jaxpr_cached(const JaxprRef& jaxpr, const AxisData& axis,
                                std::span<const BatchDim> in_dims) {
  std::string key =
      "batch " + std::to_string(axis.size) + " " + axis.name + " " + mask_key(in_dims);
  return transform_cache().get<BatchedJaxpr>(jaxpr, std::move(key),
                                             [&] { return batch_jaxpr(*jaxpr, axis, in_dims); });
}

JvpJaxpr jvp_jaxpr_cached(const JaxprRef& jaxpr, const std::vector<bool>& nonzero) {
  return transform_cache().get<JvpJaxpr>(jaxpr, "jvp " + mask_key(nonzero),
                                         [&] { return jvp_jaxpr(*jaxpr, nonzero); });
}

PartialEvalJaxpr partial_eval_jaxpr_cached(const JaxprRef& jaxpr,
                                           const std::vector<bool>& unknown) {
  return transform_cache().get<PartialEvalJaxpr>(
      jaxpr, "pe " + mask_key(unknown), [&] { return partial_eval_jaxpr(*jaxpr, unknown); });
}

TracedJaxpr transpose_jaxpr_cached(const JaxprRef& jaxpr, const std::vector<bool>& linear,
                                   const std::vector<bool>& ct_nonzero) {
  return transform_cache().get<TracedJaxpr>(
      jaxpr, "transpose " + mask_key(linear) + " " + mask_key(ct_nonzero),
      [&] { return transpose_jaxpr(*jaxpr, linear, ct_nonzero); });
}

}  // namespace jx
