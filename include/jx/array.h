// jx::Array: an immutable, reference-counted n-dimensional array (or, inside a transformation,
// a tracer standing for one). Arithmetic operators follow jax.numpy: broadcasting, JAX's type
// promotion, and C++ arithmetic scalars acting as weakly typed values (`x_f32 * 2.0` stays
// float32, as a Python float would in JAX).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "jx/dtype.h"
#include "jx/errors.h"
#include "jx/shape.h"

namespace jx {

// `None` of JAX: an unmapped axis in vmap's in_axes, an omitted bound in a slice.
inline constexpr std::nullopt_t none = std::nullopt;

// The abstract value of an array: what transformations and shape rules see.
// Prints as JAX does: f32[3,2], i32[], bool[4].
struct ShapedArray {
  Shape shape;
  DType dtype = DType::float32;
  bool weak_type = false;

  int ndim() const { return shape.ndim(); }
  int64_t size() const { return shape.numel(); }
  std::string str() const;
  friend bool operator==(const ShapedArray&, const ShapedArray&) = default;
};
std::ostream& operator<<(std::ostream& os, const ShapedArray& a);

class Array;

// Index elements for x[...] and x.at(...): an integer, a slice, newaxis, an ellipsis, or an
// integer/bool array (advanced indexing), as in numpy.
struct Slice {
  std::optional<int64_t> start, stop, step;
};
// slice(1, 3) is 1:3; slice(none, none, 2) is ::2; slice(none, -1) is :-1.
inline Slice slice(std::optional<int64_t> start, std::optional<int64_t> stop,
                   std::optional<int64_t> step = std::nullopt) {
  return Slice{start, stop, step};
}
struct NewAxis {};
inline constexpr NewAxis newaxis{};
struct Ellipsis {};
inline constexpr Ellipsis ellipsis{};

struct ArrayImpl;
class Index;
class AtProxy;

template <class T>
concept Scalar = std::is_arithmetic_v<T>;

class Array {
 public:
  // A null handle; using it in an operation throws ValueError. Exists so Arrays can live in
  // containers and be assigned later.
  Array() = default;
  // A weakly typed scalar from a C++ arithmetic value (a Python scalar in JAX): floats become
  // weak float32, integers weak int32 (int64 when they do not fit), bool stays bool.
  template <Scalar T>
  Array(T value) : Array(from_scalar(value)) {}  // NOLINT: implicit on purpose, as in JAX

  explicit Array(std::shared_ptr<ArrayImpl> impl) : impl_(std::move(impl)) {}

  // A strongly typed array holding a copy of `values` (row-major) with the given shape.
  // Throws ShapeError when values.size() != shape.numel().
  //   Array::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3})
  template <Scalar T>
  static Array from_vector(const std::vector<T>& values, const Shape& shape) {
    if constexpr (std::is_same_v<T, bool>) {
      std::vector<uint8_t> bytes(values.begin(), values.end());
      return from_raw(bytes.data(), DType::bool_, bytes.size(), shape);
    } else {
      return from_raw(values.data(), dtype_of<T>(), values.size(), shape);
    }
  }
  // A 1-D array holding a copy of values.
  template <Scalar T>
  static Array from_vector(const std::vector<T>& values) {
    return from_vector(values, Shape{static_cast<int64_t>(values.size())});
  }
  // Copies n elements of dtype from data into a new strongly typed array of the given shape.
  static Array from_raw(const void* data, DType dtype, size_t n, const Shape& shape);

  const Shape& shape() const;
  DType dtype() const;
  bool weak_type() const;
  const ShapedArray& aval() const;
  int ndim() const { return shape().ndim(); }
  int64_t size() const { return shape().numel(); }
  size_t nbytes() const { return static_cast<size_t>(size()) * itemsize(dtype()); }
  bool valid() const { return impl_ != nullptr; }
  // True for an array with data; false for a tracer inside a transformation.
  bool is_concrete() const;

  // The single element, converted to T (x.item() in numpy). Throws ValueError unless size()==1.
  template <Scalar T>
  T item() const {
    T out;
    copy_elements(&out, dtype_of<T>(), 1, true);
    return out;
  }
  // All elements in row-major order, converted to T.
  template <Scalar T>
  std::vector<T> to_vector() const {
    if constexpr (std::is_same_v<T, bool>) {
      // std::vector<bool> has no data(): convert through bytes holding 0/1.
      std::vector<uint8_t> bytes(static_cast<size_t>(size()));
      copy_elements(bytes.data(), DType::uint8, bytes.size(), false);
      return std::vector<bool>(bytes.begin(), bytes.end());
    } else {
      std::vector<T> out(static_cast<size_t>(size()));
      copy_elements(out.data(), dtype_of<T>(), out.size(), false);
      return out;
    }
  }
  // Raw pointer to the row-major elements (concrete arrays only; throws for a tracer).
  const void* data() const;
  template <Scalar T>
  const T* data() const {
    check_data_type(dtype_of<T>());
    return static_cast<const T*>(data());
  }

  // numpy indexing: x[1], x[-1], x[{slice(1, 3), slice(none, none, 2)}] (x[1:3, ::2]),
  // x[{ellipsis, 0}], x[{newaxis}], x[index_array].
  Array operator[](int64_t i) const;
  Array operator[](const Index& index) const;
  Array operator[](std::initializer_list<Index> indices) const;
  Array operator[](const std::vector<Index>& indices) const;
  // Functional updates, JAX's x.at[idx]: x.at(1).set(5.0), x.at({slice(0, 2)}).add(y).
  AtProxy at(const Index& index) const;
  AtProxy at(std::initializer_list<Index> indices) const;
  AtProxy at(const std::vector<Index>& indices) const;

  Array astype(DType dtype) const;
  Array reshape(const Shape& shape) const;
  // numpy's str(x): what std::cout << x prints.
  std::string str() const;
  // JAX's repr: Array([1., 2.], dtype=float32).
  std::string repr() const;

  ArrayImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<ArrayImpl>& impl_ptr() const { return impl_; }

 private:
  static Array from_scalar_f64(double v, bool is_float);
  static Array from_scalar_i64(int64_t v);
  static Array from_scalar_u64(uint64_t v);
  static Array from_bool(bool v);
  template <Scalar T>
  static Array from_scalar(T v) {
    if constexpr (std::is_same_v<T, bool>)
      return from_bool(v);
    else if constexpr (std::is_floating_point_v<T>)
      return from_scalar_f64(static_cast<double>(v), true);
    else if constexpr (std::is_signed_v<T>)
      return from_scalar_i64(static_cast<int64_t>(v));
    else
      return from_scalar_u64(static_cast<uint64_t>(v));
  }
  void copy_elements(void* out, DType as, size_t n, bool require_single) const;
  void check_data_type(DType requested) const;

  std::shared_ptr<ArrayImpl> impl_;
};

// One element of an index expression (see Array::operator[]).
class Index {
 public:
  template <class T>
  requires std::is_integral_v<T> &&(!std::is_same_v<T, bool>)Index(T i)
      : v_(static_cast<int64_t>(i)) {}  // NOLINT
  Index(Slice s) : v_(s) {}             // NOLINT
  Index(NewAxis) : v_(NewAxis{}) {}     // NOLINT
  Index(Ellipsis) : v_(Ellipsis{}) {}   // NOLINT
  Index(const Array& a) : v_(a) {}      // NOLINT
  const std::variant<int64_t, Slice, NewAxis, Ellipsis, Array>& value() const { return v_; }

 private:
  std::variant<int64_t, Slice, NewAxis, Ellipsis, Array> v_;
};

// x.at(idx): JAX's functional index update helper.
class AtProxy {
 public:
  AtProxy(Array array, std::vector<Index> indices)
      : array_(std::move(array)), indices_(std::move(indices)) {}
  Array get() const;
  Array set(const Array& values) const;
  Array add(const Array& values) const;
  Array multiply(const Array& values) const;
  Array min(const Array& values) const;
  Array max(const Array& values) const;

 private:
  Array array_;
  std::vector<Index> indices_;
};

// Prints numpy's str() of the array, character for character.
std::ostream& operator<<(std::ostream& os, const Array& a);

// jax.numpy arithmetic, comparison and bitwise operators (broadcasting + type promotion).
Array operator+(const Array& a, const Array& b);
Array operator-(const Array& a, const Array& b);
Array operator*(const Array& a, const Array& b);
Array operator/(const Array& a, const Array& b);  // true_divide: ints promote to float
Array operator%(const Array& a, const Array& b);  // numpy's remainder (sign of the divisor)
Array operator-(const Array& a);
Array operator+(const Array& a);
Array operator==(const Array& a, const Array& b);  // elementwise, like jnp: returns bool array
Array operator!=(const Array& a, const Array& b);
Array operator<(const Array& a, const Array& b);
Array operator<=(const Array& a, const Array& b);
Array operator>(const Array& a, const Array& b);
Array operator>=(const Array& a, const Array& b);
Array operator&(const Array& a, const Array& b);
Array operator|(const Array& a, const Array& b);
Array operator^(const Array& a, const Array& b);
Array operator~(const Array& a);
Array operator!(const Array& a);  // logical_not
Array operator<<(const Array& a, const Array& b);
Array operator>>(const Array& a, const Array& b);

}  // namespace jx
