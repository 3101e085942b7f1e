// vmap's interpreter: BatchTrace, whose tracers pair a value with the position of its batch
// dimension, and the helpers and combinators the primitives' batch rules are written with
// (JAX's interpreters/batching.py).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "core/array_impl.h"
#include "interpreters/trace.h"

namespace jx {

// A value inside vmap: `val` holds every example, stacked along `bdim`; the tracer's own aval
// is one example's (val's shape without bdim). Unmapped values are never boxed.
class BatchTracer : public Tracer {
 public:
  BatchTracer(uint64_t trace_id, Array val, int bdim)
      : Tracer(trace_id), val_(std::move(val)), bdim_(bdim) {}
  const Array& val() const { return val_; }
  int bdim() const { return bdim_; }

 private:
  Array val_;
  int bdim_;
};

class BatchTrace : public Trace {
 public:
  BatchTrace(Trace* parent, AxisData axis) : Trace(parent), axis_(std::move(axis)) {}

  const AxisData& axis() const { return axis_; }
  const AxisData* named_axis() const override { return axis_.name.empty() ? nullptr : &axis_; }

  // A tracer of this trace for `val` mapped along `bdim` (val.shape()[bdim] == axis size), or
  // `val` itself when it is not mapped.
  Array box(Array val, BatchDim bdim) const;
  // The value and batch dim of `a` as this trace sees it: its own tracers are unpacked, any
  // other array (concrete, or a tracer of an enclosing trace) is an unmapped constant.
  std::pair<Array, BatchDim> unbox(const Array& a) const;

  std::vector<Array> process_primitive(Prim p, std::span<const Array> args,
                                       const Params& params) override;
  // The function and its rules are batched (each becomes a function of the parent's values
  // with every output mapped along axis 0) and handed to the parent, so that an enclosing
  // jvp or grad still uses the custom rule.
  std::vector<Array> process_custom_jvp(const FlatFn& fun, const FlatJvpFn& jvp,
                                        std::span<const Array> args) override;
  std::vector<Array> process_custom_vjp(const FlatFn& fun, const FlatFwdFn& fwd,
                                        const FlatBwdFn& bwd, std::span<const Array> args) override;

 private:
  // Unboxes args; true when any is mapped.
  bool unbox_all(std::span<const Array> args, std::vector<Array>& vals,
                 std::vector<BatchDim>& dims) const;

  AxisData axis_;
};

namespace batching {

// How many times p's batch rule has run in this process (tests check every rule is exercised).
int64_t rule_calls(Prim p);

// vmap of a function with custom derivative rules, run under the current trace on the values
// `vals` mapped along in_dims: the function and its rules are batched (each becomes a function
// of these values with every output mapped along axis 0), so an enclosing jvp or grad still uses
// the rules. Returns the outputs, mapped along axis 0.
std::vector<Array> batch_custom_jvp(const AxisData& axis, const FlatFn& fun, const FlatJvpFn& jvp,
                                    std::span<const Array> vals, std::span<const BatchDim> in_dims);
std::vector<Array> batch_custom_vjp(const AxisData& axis, const FlatFn& fun, const FlatFwdFn& fwd,
                                    const FlatBwdFn& bwd, std::span<const Array> vals,
                                    std::span<const BatchDim> in_dims);

// x with axis `from` moved to position `to` (a transpose; x itself when from == to).
Array moveaxis(const Array& x, int from, int to);
// x with its batch dim at `to`: moved there when mapped, broadcast along a new axis `to` of
// `size` when not (JAX's matchaxis / bdim_at_front).
Array matchaxis(const Array& x, BatchDim from, int to, int64_t size);
inline Array bdim_at_front(const Array& x, BatchDim from, int64_t size) {
  return matchaxis(x, from, 0, size);
}
// Where axis `axis` of one example sits in the value batched along `bdim` (JAX rules' common
// "axis + (axis >= bdim)"), for one axis or a list.
inline int64_t batched_axis(int64_t axis, int64_t bdim) { return axis < bdim ? axis : axis + 1; }
std::vector<int64_t> batched_axes(const std::vector<int64_t>& axes, int64_t bdim);
// The batch size of the first mapped operand.
int64_t batch_size(std::span<const Array> args, std::span<const BatchDim> dims);
// Index of the first mapped operand.
size_t first_mapped(std::span<const BatchDim> dims);

// ---- combinators: batch rules shared by whole families -----------------------------------
// One operand (any others unmapped), elementwise over it: the primitive applies as is and the
// result keeps the operand's batch dim (JAX's vectorized_batcher).
BatchRule vectorized(Prim p);
// Elementwise over operands of one shape (JAX's broadcast_batcher); every result gets the batch
// dim. Operand i may also be a
// scalar where scalar_ok[i] (entries past the end repeat the last one): an unmapped scalar stays
// a scalar. Mapped operands are aligned to the batch dim of the first mapped full-rank operand.
// Unmapped full-rank operands get the batch axis as a size-1 axis (a free reshape) when the
// primitive broadcasts size-1 dimensions itself (size_one_broadcasts), else materialised.
//   binary ops:  broadcasting(p, {true}, true)     select_n: broadcasting(p, {true, false})
BatchRule broadcasting(Prim p, std::vector<bool> scalar_ok, bool size_one_broadcasts = false);

// The result pair of a single-output rule.
inline std::pair<std::vector<Array>, std::vector<BatchDim>> one(Array out, BatchDim dim) {
  std::vector<Array> outs;
  outs.push_back(std::move(out));
  return {std::move(outs), {dim}};
}

}  // namespace batching
}  // namespace jx
