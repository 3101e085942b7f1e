#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include "core/array_impl.h"

namespace jx {
namespace {

const ArrayImpl& checked(const std::shared_ptr<ArrayImpl>& impl) {
  if (!impl) throw ValueError("use of a null jx::Array (default-constructed, never assigned)");
  return *impl;
}

template <class To>
void convert_elements(const void* src, DType from, To* dst, size_t n) {
  dispatch_dtype(from, [&](auto tag) {
    using From = typename decltype(tag)::type;
    const From* s = static_cast<const From*>(src);
    for (size_t i = 0; i < n; ++i) dst[i] = static_cast<To>(s[i]);
  });
}

}  // namespace

void throw_deleted(const ArrayImpl& impl) {
  throw ValueError("Array has been deleted with shape=" + impl.aval.str() +
                   ": its buffer was donated to a jitted call (donate_argnums); use the call's "
                   "result instead");
}

void throw_concretization_error(const ArrayImpl& impl, std::string_view what) {
  std::string origin = impl.tracer ? impl.tracer->origin() : std::string();
  std::string shape = std::string(dtype_name(impl.aval.dtype)) + "[";
  for (int i = 0; i < impl.aval.ndim(); ++i) {
    if (i) shape += ",";
    shape += std::to_string(impl.aval.shape[i]);
  }
  throw ConcretizationError(
      "Abstract tracer value encountered where concrete value is expected: traced array with "
      "shape " +
      shape + "]" + (origin.empty() ? std::string() : " (" + origin + ")") +
      ".\nThe problem arose with " + std::string(what) +
      ": inside a transformation (jit, vmap, grad) an array is abstract, only its shape and "
      "dtype are known.\nIf the value decides control flow, use jx::lax::cond or "
      "jx::numpy::where; if it comes from an argument of a jitted function, make that argument "
      "static (jx::jit(f, jx::static_argnums<i>)).");
}

void check_aval_size(std::string_view op, const ShapedArray& aval) {
  uint64_t bytes = itemsize(aval.dtype);
  bool overflow = false;
  for (int64_t d : aval.shape) {
    if (d < 0) {
      throw ShapeError(std::string(op) + ": result shape " + aval.shape.str() +
                       " has a negative dimension");
    }
    // Zero dims are skipped: an empty array whose other dims overflow is rejected too, since
    // intermediate products (numel) would overflow before reaching the zero.
    if (d > 0) overflow |= __builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes);
  }
  if (overflow || bytes > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    throw ValueError(std::string(op) + ": result shape " + aval.shape.str() + " of " +
                     std::string(dtype_name(aval.dtype)) + " is too large to allocate");
  }
}

Array make_array(const ShapedArray& aval) {
  check_aval_size("jx", aval);
  auto impl = std::make_shared<ArrayImpl>();
  impl->aval = aval;
  impl->buffer = allocate_buffer(static_cast<size_t>(aval.size()) * itemsize(aval.dtype));
  return Array(std::move(impl));
}

Array make_array(Shape shape, DType dtype, bool weak_type) {
  return make_array(ShapedArray{std::move(shape), dtype, weak_type});
}

Array make_view(const ShapedArray& aval, std::shared_ptr<Buffer> buffer, size_t offset) {
  auto impl = std::make_shared<ArrayImpl>();
  impl->aval = aval;
  impl->buffer = std::move(buffer);
  impl->offset = offset;
  return Array(std::move(impl));
}

Array make_tracer(const ShapedArray& aval, std::shared_ptr<Tracer> tracer) {
  auto impl = std::make_shared<ArrayImpl>();
  impl->aval = aval;
  impl->tracer = std::move(tracer);
  return Array(std::move(impl));
}

const void* array_data(const Array& a) {
  const ArrayImpl& impl = checked(a.impl_ptr());
  if (impl.deleted) throw_deleted(impl);
  if (!impl.buffer) throw_concretization_error(impl, "reading its elements");
  return impl.mutable_data();
}

const Shape& Array::shape() const { return checked(impl_).aval.shape; }
DType Array::dtype() const { return checked(impl_).aval.dtype; }
bool Array::weak_type() const { return checked(impl_).aval.weak_type; }
const ShapedArray& Array::aval() const { return checked(impl_).aval; }
bool Array::is_concrete() const { return checked(impl_).buffer != nullptr; }
const void* Array::data() const { return array_data(*this); }

void Array::check_data_type(DType requested) const {
  if (dtype() != requested) {
    throw DTypeError("Array::data<T>(): T is " + std::string(dtype_name(requested)) +
                     " but the array's dtype is " + std::string(dtype_name(dtype())) +
                     "; use to_vector<T>() to convert");
  }
}

void Array::copy_elements(void* out, DType as, size_t n, bool require_single) const {
  if (require_single && size() != 1) {
    throw ValueError("item(): can only convert an array of size 1 to a scalar, got shape " +
                     shape().str());
  }
  const void* src = data();
  dispatch_dtype(as, [&](auto tag) {
    using To = typename decltype(tag)::type;
    convert_elements(src, dtype(), static_cast<To*>(out), n);
  });
}

Array Array::from_raw(const void* data, DType dtype, size_t n, const Shape& shape) {
  for (int64_t d : shape) {
    if (d < 0) throw ShapeError("array shape " + shape.str() + " has a negative dimension");
  }
  if (static_cast<int64_t>(n) != shape.numel()) {
    throw ShapeError("cannot make an array of shape " + shape.str() + " (" +
                     std::to_string(shape.numel()) + " elements) from " + std::to_string(n) +
                     " values");
  }
  Array a = make_array(shape, dtype, false);
  if (n) std::memcpy(mutable_data(a), data, n * itemsize(dtype));
  return a;
}

Array Array::from_scalar_f64(double v, bool) {
  Array a = make_array(Shape{}, DType::float32, true);
  *mutable_data<float>(a) = static_cast<float>(v);
  a.impl()->literal = v;
  return a;
}

Array Array::from_scalar_i64(int64_t v) {
  bool fits = v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
  Array a = make_array(Shape{}, fits ? DType::int32 : DType::int64, true);
  if (fits)
    *mutable_data<int32_t>(a) = static_cast<int32_t>(v);
  else
    *mutable_data<int64_t>(a) = v;
  a.impl()->literal = v;
  return a;
}

Array Array::from_scalar_u64(uint64_t v) {
  if (v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return from_scalar_i64(static_cast<int64_t>(v));
  }
  throw ValueError("Python-int-like scalar " + std::to_string(v) +
                   " is too large to convert to int64");
}

Array Array::from_bool(bool v) {
  Array a = make_array(Shape{}, DType::bool_, false);
  *mutable_data<bool>(a) = v;
  return a;
}

}  // namespace jx
