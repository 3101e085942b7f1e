// Traces (JAX's "stackless" design): a thread-local current trace; each trace knows its parent
// and runs its rules under it. No trace means eager evaluation.
#pragma once

#include <span>
#include <vector>

#include "ir/primitive.h"

namespace jx {

class Trace {
 public:
  explicit Trace(Trace* parent) : parent_(parent) {}
  virtual ~Trace() = default;
  Trace* parent() const { return parent_; }
  virtual std::vector<Array> process_primitive(Prim p, std::span<const Array> args,
                                               const Params& params) = 0;

 private:
  Trace* parent_;
};

// The innermost active trace, or nullptr when evaluating eagerly.
Trace* current_trace();

// Makes `trace` current for the lifetime of the scope.
class TraceScope {
 public:
  explicit TraceScope(Trace* trace);
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  Trace* saved_;
};

// Runs p's shape rule then its CPU kernel on concrete arrays.
std::vector<Array> eval_primitive(Prim p, std::span<const Array> args, const Params& params);

}  // namespace jx
