// What an Array handle points to: an aval plus either concrete data or a tracer.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/buffer.h"
#include "jx/array.h"

namespace jx {

// A value owned by some trace (defined by the interpreters; core only holds it). `trace_id`
// names the owning trace, so a trace can tell its own tracers from everyone else's (which it
// treats as constants) without a type check, and a tracer outliving its trace is recognised.
class Tracer {
 public:
  explicit Tracer(uint64_t trace_id) : trace_id_(trace_id) {}
  virtual ~Tracer() = default;
  uint64_t trace_id() const { return trace_id_; }
  // Where the value comes from, for error messages ("the output of sin"); empty if unknown.
  virtual std::string origin() const { return {}; }

 private:
  uint64_t trace_id_;
};

struct ArrayImpl {
  ShapedArray aval;
  // Concrete data: C-contiguous elements starting `offset` bytes into `buffer`.
  std::shared_ptr<Buffer> buffer;
  size_t offset = 0;
  // Set when this array is a tracer.
  std::shared_ptr<Tracer> tracer;
  // The exact value of a weakly typed scalar made from a C++ number, so that promoting it to a
  // wider dtype (float64, int64) does not lose what float32/int32 storage rounded away.
  std::variant<std::monostate, double, int64_t, uint64_t> literal;
  // Set when the array's buffer was donated to a jitted call (JAX's deleted arrays).
  bool deleted = false;

  char* mutable_data() const { return static_cast<char*>(buffer->data()) + offset; }
};

// Throws ValueError for using an array whose buffer was donated to a jitted call.
[[noreturn]] void throw_deleted(const ArrayImpl& impl);
// Throws ConcretizationError (JAX's ConcretizationTypeError) for reading the value of the
// tracer `impl`; `what` names the operation ("reading its elements").
[[noreturn]] void throw_concretization_error(const ArrayImpl& impl, std::string_view what);
// Throws ShapeError for a negative dimension and ValueError when the array's byte size does not
// fit in int64 (so size() and the allocation size cannot overflow). `op` names the caller.
void check_aval_size(std::string_view op, const ShapedArray& aval);
// A fresh, uninitialised concrete array for `aval` (data from the caching allocator); checks
// the size first (check_aval_size).
Array make_array(const ShapedArray& aval);
Array make_array(Shape shape, DType dtype, bool weak_type = false);
// A concrete array that shares `buffer` (e.g. a reshape or a leading-axis slice: no copy).
Array make_view(const ShapedArray& aval, std::shared_ptr<Buffer> buffer, size_t offset);
// A tracer: an array handle with `aval` and no data.
Array make_tracer(const ShapedArray& aval, std::shared_ptr<Tracer> tracer);
// The tracer behind `a`, or nullptr for a concrete array.
inline Tracer* tracer_of(const Array& a) { return a.impl()->tracer.get(); }
// Pointer to the elements of a concrete array (throws for a tracer or a null handle).
const void* array_data(const Array& a);
// Writable pointer to the elements of an array the caller just made with make_array.
template <class T = void>
T* mutable_data(const Array& a) {
  return reinterpret_cast<T*>(a.impl()->mutable_data());
}
template <class T>
const T* typed_data(const Array& a) {
  return static_cast<const T*>(array_data(a));
}

}  // namespace jx
