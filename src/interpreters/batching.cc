#include "interpreters/batching.h"

#include <algorithm>
#include <atomic>
#include <numeric>
#include <stdexcept>
#include <string>

#include "ir/ops.h"

namespace jx {
namespace {
std::atomic<int64_t> g_rule_calls[kNumPrimitives];
}

Array BatchTrace::box(Array val, BatchDim bdim) const {
  if (!bdim) return val;
  ShapedArray aval = val.aval();
  if (*bdim < 0 || *bdim >= aval.ndim() || aval.shape[*bdim] != axis_.size) {
    // A batch rule broke its contract: a bug in jx, not in the user's program.
    throw std::logic_error("vmap: batch dim " + std::to_string(*bdim) + " of a value of shape " +
                           aval.shape.str() + " does not have the axis size " +
                           std::to_string(axis_.size));
  }
  std::vector<int64_t> dims(aval.shape.begin(), aval.shape.end());
  dims.erase(dims.begin() + *bdim);
  aval.shape = Shape(dims);
  return make_tracer(aval, std::make_shared<BatchTracer>(id(), std::move(val), *bdim));
}

std::pair<Array, BatchDim> BatchTrace::unbox(const Array& a) const {
  if (!owns(a)) return {a, std::nullopt};
  const auto* t = static_cast<const BatchTracer*>(tracer_of(a));
  return {t->val(), t->bdim()};
}

bool BatchTrace::unbox_all(std::span<const Array> args, std::vector<Array>& vals,
                           std::vector<BatchDim>& dims) const {
  vals.reserve(args.size());
  dims.reserve(args.size());
  bool any_mapped = false;
  for (const Array& a : args) {
    auto [val, dim] = unbox(a);
    any_mapped |= dim.has_value();
    vals.push_back(std::move(val));
    dims.push_back(dim);
  }
  return any_mapped;
}

std::vector<Array> BatchTrace::process_primitive(Prim p, std::span<const Array> args,
                                                 const Params& params) {
  std::vector<Array> vals;
  std::vector<BatchDim> dims;
  bool any_mapped = unbox_all(args, vals, dims);
  const PrimitiveRules& r = rules(p);
  bool binds_this_axis = r.collective && !axis_.name.empty() && params.has("axis_name") &&
                         params.get<std::string>("axis_name") == axis_.name;
  TraceScope under_parent(parent());
  // An operation on unmapped values does not depend on the example: it runs once, as is.
  if (!any_mapped && !binds_this_axis) return bind(p, vals, params);
  if (!r.batch) {
    throw NotSupportedError("vmap: the primitive " + std::string(primitive_name(p)) +
                            " has no batching rule yet");
  }
  // The shape rule sees one example, as the user wrote it: errors read as they do outside
  // vmap, and a batched call that happens to be valid (a reshape of an empty batch) is not.
  std::vector<ShapedArray> example_avals;
  example_avals.reserve(args.size());
  for (const Array& a : args) {
    if (!a.valid()) {
      throw ValueError(std::string(primitive_name(p)) +
                       ": an argument is a null jx::Array (default-constructed, never assigned)");
    }
    example_avals.push_back(a.aval());
  }
  r.abstract_eval(example_avals, params);
  g_rule_calls[static_cast<int>(p)].fetch_add(1, std::memory_order_relaxed);
  auto [outs, out_dims] = r.batch(vals, dims, params, axis_);
  for (size_t i = 0; i < outs.size(); ++i) outs[i] = box(std::move(outs[i]), out_dims[i]);
  return outs;
}

namespace {

// Runs f on values of the current trace boxed as a fresh BatchTrace's tracers along `dims`
// (a fresh trace each call: a custom_vjp backward pass runs long after the vmap returned), and
// returns its results with the batch axis in front (broadcast where unmapped).
std::vector<Array> call_batched(
    const AxisData& axis, std::span<const Array> vals, std::span<const BatchDim> dims,
    const std::function<std::vector<Array>(std::span<const Array>)>& f) {
  BatchTrace trace(current_trace(), axis);
  std::vector<Array> boxed;
  for (size_t i = 0; i < vals.size(); ++i) boxed.push_back(trace.box(vals[i], dims[i]));
  std::vector<Array> outs;
  {
    TraceScope scope(&trace);
    outs = f(boxed);
  }
  for (Array& o : outs) {
    if (!o.valid()) continue;  // a zero cotangent from a custom_vjp backward pass
    auto [val, dim] = trace.unbox(o);
    o = batching::bdim_at_front(val, dim, axis.size);
  }
  return outs;
}

std::vector<BatchDim> repeat(std::span<const BatchDim> dims, size_t times) {
  std::vector<BatchDim> out;
  for (size_t t = 0; t < times; ++t) out.insert(out.end(), dims.begin(), dims.end());
  return out;
}

std::vector<Array> concat(std::span<const Array> a, std::span<const Array> b) {
  std::vector<Array> out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

std::vector<Array> BatchTrace::process_custom_jvp(const FlatFn& fun, const FlatJvpFn& jvp,
                                                  std::span<const Array> args) {
  std::vector<Array> vals;
  std::vector<BatchDim> dims;
  bool any_mapped = unbox_all(args, vals, dims);
  TraceScope under_parent(parent());
  if (!any_mapped) return custom_jvp_call(fun, jvp, vals);
  std::vector<Array> outs = batching::batch_custom_jvp(axis_, fun, jvp, vals, dims);
  for (Array& o : outs) o = box(std::move(o), 0);
  return outs;
}

std::vector<Array> BatchTrace::process_custom_vjp(const FlatFn& fun, const FlatFwdFn& fwd,
                                                  const FlatBwdFn& bwd,
                                                  std::span<const Array> args) {
  std::vector<Array> vals;
  std::vector<BatchDim> dims;
  bool any_mapped = unbox_all(args, vals, dims);
  TraceScope under_parent(parent());
  if (!any_mapped) return custom_vjp_call(fun, fwd, bwd, vals);
  std::vector<Array> outs = batching::batch_custom_vjp(axis_, fun, fwd, bwd, vals, dims);
  for (Array& o : outs) o = box(std::move(o), 0);
  return outs;
}

namespace batching {

int64_t rule_calls(Prim p) { return g_rule_calls[static_cast<int>(p)].load(); }

std::vector<Array> batch_custom_jvp(const AxisData& axis, const FlatFn& fun, const FlatJvpFn& jvp,
                                    std::span<const Array> vals,
                                    std::span<const BatchDim> in_dims) {
  const std::vector<BatchDim> dims(in_dims.begin(), in_dims.end());
  FlatFn fun_b = [axis, dims, fun](std::span<const Array> v) {
    return call_batched(axis, v, dims, fun);
  };
  // A tangent is mapped like its primal (the parent's tangents have the primals' shapes).
  FlatJvpFn jvp_b = [axis, dims, jvp](std::span<const Array> p, std::span<const Array> t) {
    const size_t n = p.size();
    // Split where the rule's primal outputs end (not in half): a rule returning a different
    // number of tangents must fail JVPTrace's check, as it does outside vmap.
    size_t num_out = 0;
    std::vector<Array> outs =
        call_batched(axis, concat(p, t), repeat(dims, 2), [&](std::span<const Array> pt) {
          auto [o, to] = jvp(pt.subspan(0, n), pt.subspan(n));
          num_out = o.size();
          return concat(o, to);
        });
    std::vector<Array> tangents(outs.begin() + static_cast<std::ptrdiff_t>(num_out), outs.end());
    outs.resize(num_out);
    return std::make_pair(std::move(outs), std::move(tangents));
  };
  return custom_jvp_call(fun_b, jvp_b, vals);
}

std::vector<Array> batch_custom_vjp(const AxisData& axis, const FlatFn& fun, const FlatFwdFn& fwd,
                                    const FlatBwdFn& bwd, std::span<const Array> vals,
                                    std::span<const BatchDim> in_dims) {
  const std::vector<BatchDim> dims(in_dims.begin(), in_dims.end());
  FlatFn fun_b = [axis, dims, fun](std::span<const Array> v) {
    return call_batched(axis, v, dims, fun);
  };
  auto num_out = std::make_shared<size_t>(0);
  FlatFwdFn fwd_b = [axis, dims, fwd, num_out](std::span<const Array> v) {
    std::vector<Array> outs = call_batched(axis, v, dims, [&](std::span<const Array> p) {
      auto [o, res] = fwd(p);
      *num_out = o.size();
      return concat(o, res);
    });
    std::vector<Array> res(outs.begin() + static_cast<std::ptrdiff_t>(*num_out), outs.end());
    outs.resize(*num_out);
    return std::make_pair(std::move(outs), std::move(res));
  };
  // Residuals and cotangents are mapped along axis 0 (fwd_b put them there); each input's
  // cotangent goes back to its input's batch dim, summed over the batch where it was unmapped.
  FlatBwdFn bwd_b = [axis, dims, bwd](std::span<const Array> res, std::span<const Array> cts) {
    const size_t n = res.size();
    std::vector<BatchDim> front(n + cts.size(), BatchDim(0));
    std::vector<Array> in_cts = call_batched(
        axis, concat(res, cts), front,
        [&](std::span<const Array> rc) { return bwd(rc.subspan(0, n), rc.subspan(n)); });
    for (size_t i = 0; i < in_cts.size() && i < dims.size(); ++i) {
      if (!in_cts[i].valid()) continue;
      in_cts[i] =
          dims[i] ? batching::moveaxis(in_cts[i], 0, *dims[i]) : ops::reduce_sum(in_cts[i], {0});
    }
    return in_cts;
  };
  return custom_vjp_call(fun_b, fwd_b, bwd_b, vals);
}

Array moveaxis(const Array& x, int from, int to) {
  if (from == to) return x;
  std::vector<int64_t> perm(x.ndim());
  std::iota(perm.begin(), perm.end(), 0);
  perm.erase(perm.begin() + from);
  perm.insert(perm.begin() + to, from);
  return ops::transpose(x, perm);
}

Array matchaxis(const Array& x, BatchDim from, int to, int64_t size) {
  if (from) return moveaxis(x, *from, to);
  std::vector<int64_t> shape(x.shape().begin(), x.shape().end());
  shape.insert(shape.begin() + to, size);
  std::vector<int64_t> dims;
  for (int i = 0; i <= x.ndim(); ++i) {
    if (i != to) dims.push_back(i);
  }
  return ops::broadcast_in_dim(x, Shape(shape), dims);
}

std::vector<int64_t> batched_axes(const std::vector<int64_t>& axes, int64_t bdim) {
  std::vector<int64_t> out;
  out.reserve(axes.size());
  for (int64_t a : axes) out.push_back(batched_axis(a, bdim));
  return out;
}

size_t first_mapped(std::span<const BatchDim> dims) {
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i]) return i;
  }
  throw std::logic_error("vmap: a batch rule ran with no mapped operand");
}

int64_t batch_size(std::span<const Array> args, std::span<const BatchDim> dims) {
  size_t i = first_mapped(dims);
  return args[i].shape()[*dims[i]];
}

BatchRule vectorized(Prim p) {
  return [p](std::span<const Array> args, std::span<const BatchDim> dims, const Params& params,
             const AxisData&) {
    size_t i = first_mapped(dims);
    return one(bind1(p, args, params), dims[i]);
  };
}

BatchRule broadcasting(Prim p, std::vector<bool> scalar_ok, bool size_one_broadcasts) {
  return [p, scalar_ok = std::move(scalar_ok), size_one_broadcasts](
             std::span<const Array> args, std::span<const BatchDim> dims, const Params& params,
             const AxisData& axis) {
    auto example_rank = [&](size_t i) { return args[i].ndim() - (dims[i] ? 1 : 0); };
    auto may_be_scalar = [&](size_t i) {
      return !scalar_ok.empty() && scalar_ok[std::min(i, scalar_ok.size() - 1)];
    };
    int rank = 0;
    for (size_t i = 0; i < args.size(); ++i) rank = std::max(rank, example_rank(i));
    // The full-rank operand that fixes the example shape, and the result's batch dim: the first
    // mapped full-rank operand keeps its batch dim (no copy of it).
    std::optional<size_t> full;
    int target = 0;
    for (size_t i = 0; i < args.size(); ++i) {
      if (example_rank(i) != rank) continue;
      if (!full) full = i;
      if (dims[i]) {
        full = i;
        target = *dims[i];
        break;
      }
    }
    std::vector<int64_t> out_shape(args[*full].shape().begin(), args[*full].shape().end());
    if (dims[*full]) out_shape.erase(out_shape.begin() + *dims[*full]);
    out_shape.insert(out_shape.begin() + target, axis.size);
    // The batch axis at `target`, size 1 in every other axis.
    std::vector<int64_t> ones(out_shape.size(), 1);
    ones[target] = axis.size;
    std::vector<Array> aligned;
    aligned.reserve(args.size());
    for (size_t i = 0; i < args.size(); ++i) {
      const bool scalar = example_rank(i) == 0;
      if (scalar && !dims[i] && may_be_scalar(i)) {
        aligned.push_back(args[i]);
      } else if (scalar && dims[i] && rank > 0) {
        // A scalar that varies per example.
        aligned.push_back(size_one_broadcasts
                              ? ops::reshape(args[i], Shape(ones))
                              : ops::broadcast_in_dim(args[i], Shape(out_shape), {target}));
      } else if (!dims[i] && size_one_broadcasts) {
        aligned.push_back(ops::expand_dims(args[i], {target}));
      } else {
        aligned.push_back(matchaxis(args[i], dims[i], target, axis.size));
      }
    }
    std::vector<Array> outs = bind(p, aligned, params);
    std::vector<BatchDim> out_dims(outs.size(), target);
    return std::make_pair(std::move(outs), std::move(out_dims));
  };
}

}  // namespace batching
}  // namespace jx
