#include <atomic>
#include <sstream>

#include "core/array_impl.h"
#include "interpreters/trace.h"

namespace jx {
namespace {
thread_local Trace* g_current_trace = nullptr;
}

Trace::Trace(Trace* parent) : parent_(parent) {
  static std::atomic<uint64_t> next_id{1};
  id_ = next_id.fetch_add(1, std::memory_order_relaxed);
}

bool Trace::owns(const Array& a) const {
  if (!a.valid()) return false;
  const Tracer* t = tracer_of(a);
  return t != nullptr && t->trace_id() == id_;
}

Trace* current_trace() { return g_current_trace; }

const AxisData* find_named_axis(std::string_view name) {
  for (Trace* t = g_current_trace; t != nullptr; t = t->parent()) {
    const AxisData* axis = t->named_axis();
    if (axis != nullptr && axis->name == name) return axis;
  }
  return nullptr;
}

std::vector<std::string> bound_axis_names() {
  std::vector<std::string> names;
  for (Trace* t = g_current_trace; t != nullptr; t = t->parent()) {
    if (const AxisData* axis = t->named_axis()) names.push_back(axis->name);
  }
  return names;
}

std::vector<Array> Trace::process_custom_jvp(const FlatFn& fun, const FlatJvpFn&,
                                             std::span<const Array> args) {
  return fun(args);
}

std::vector<Array> Trace::process_custom_vjp(const FlatFn& fun, const FlatFwdFn&, const FlatBwdFn&,
                                             std::span<const Array> args) {
  return fun(args);
}

std::vector<Array> custom_jvp_call(const FlatFn& fun, const FlatJvpFn& jvp,
                                   std::span<const Array> args) {
  if (Trace* t = current_trace()) return t->process_custom_jvp(fun, jvp, args);
  return fun(args);
}

std::vector<Array> custom_vjp_call(const FlatFn& fun, const FlatFwdFn& fwd, const FlatBwdFn& bwd,
                                   std::span<const Array> args) {
  if (Trace* t = current_trace()) return t->process_custom_vjp(fun, fwd, bwd, args);
  return fun(args);
}

TraceScope::TraceScope(Trace* trace) : saved_(g_current_trace) { g_current_trace = trace; }
TraceScope::~TraceScope() { g_current_trace = saved_; }

std::vector<Array> eval_primitive(Prim p, std::span<const Array> args, const Params& params) {
  const PrimitiveRules& r = rules(p);
  if (!r.impl || !r.abstract_eval) {
    throw NotSupportedError(std::string(primitive_name(p)) + " has no CPU kernel registered");
  }
  ShapedArray inline_avals[4];
  std::vector<ShapedArray> heap_avals;
  ShapedArray* avals = inline_avals;
  if (args.size() > 4) {
    heap_avals.resize(args.size());
    avals = heap_avals.data();
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const Array& a = args[i];
    if (!a.valid()) {
      throw ValueError(std::string(primitive_name(p)) + ": argument " + std::to_string(i) +
                       " is a null jx::Array (default-constructed, never assigned)");
    }
    if (a.impl()->deleted) throw_deleted(*a.impl());
    if (!a.is_concrete()) {
      throw ValueError(std::string(primitive_name(p)) +
                       ": got a tracer outside of the transformation that created it (an "
                       "escaped tracer); return it from the transformed function instead of "
                       "storing it");
    }
    avals[i] = a.aval();
  }
  std::span<const ShapedArray> in(avals, args.size());
  std::vector<ShapedArray> out = r.abstract_eval(in, params);
  // Shape rules accept any nonnegative sizes; a result too large to address fails here, before
  // a kernel computes sizes or offsets that overflow.
  for (const ShapedArray& o : out) check_aval_size(primitive_name(p), o);
  return r.impl(args, params, KernelOutputs(out));
}

std::vector<Array> bind(Prim p, std::span<const Array> args, const Params& params) {
  if (Trace* t = current_trace()) return t->process_primitive(p, args, params);
  return eval_primitive(p, args, params);
}

Array bind1(Prim p, std::span<const Array> args, const Params& params) {
  return std::move(bind(p, args, params)[0]);
}

}  // namespace jx
