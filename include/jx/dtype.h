// Element types and JAX's type-promotion lattice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string_view>
#include <type_traits>

namespace jx {

// The element types an Array can hold. The order is the storage tag only; promotion follows
// JAX's lattice (see promote_types), not this order.
enum class DType : uint8_t { bool_, uint8, uint32, int32, int64, float32, float64 };

inline constexpr DType bool_ = DType::bool_;
inline constexpr DType uint8 = DType::uint8;
inline constexpr DType uint32 = DType::uint32;
inline constexpr DType int32 = DType::int32;
inline constexpr DType int64 = DType::int64;
inline constexpr DType float32 = DType::float32;
inline constexpr DType float64 = DType::float64;
inline constexpr int kNumDTypes = 7;

// numpy's name: "float32", "bool", ...
std::string_view dtype_name(DType d);
// JAX's short name used in avals and jaxprs: "f32", "bool", "u8", ...
std::string_view dtype_short_name(DType d);
std::ostream& operator<<(std::ostream& os, DType d);

size_t itemsize(DType d);
bool is_floating(DType d);
bool is_integer(DType d);  // signed or unsigned, not bool
bool is_signed_integer(DType d);
bool is_unsigned_integer(DType d);
inline bool is_bool(DType d) { return d == DType::bool_; }

// The dtype JAX would give the result of a binary op on a and b (jnp.promote_types), where
// either may be weakly typed (a Python scalar in JAX; a C++ arithmetic scalar in jx).
// A weak operand adopts the other operand's dtype within its own kind:
//   result_type({int32,false}, {float32 weak}) == float32 (weak=false)
//   result_type({float32,false}, {float64 weak}) == float32
struct TypedKind {
  DType dtype;
  bool weak_type = false;
};
TypedKind result_type(TypedKind a, TypedKind b);
// Strong-only promotion: jnp.promote_types(a, b).
DType promote_types(DType a, DType b);

// The default dtypes of JAX (with x64 disabled): float32 for floats, int32 for ints.
inline constexpr DType kDefaultFloat = DType::float32;
inline constexpr DType kDefaultInt = DType::int32;

template <class T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, bool>)
    return DType::bool_;
  else if constexpr (std::is_same_v<T, uint8_t>)
    return DType::uint8;
  else if constexpr (std::is_same_v<T, uint32_t>)
    return DType::uint32;
  else if constexpr (std::is_same_v<T, int32_t>)
    return DType::int32;
  else if constexpr (std::is_same_v<T, int64_t>)
    return DType::int64;
  else if constexpr (std::is_same_v<T, float>)
    return DType::float32;
  else if constexpr (std::is_same_v<T, double>)
    return DType::float64;
  else
    static_assert(sizeof(T) == 0, "jx: unsupported element type");
}

template <class T>
struct TypeTag {
  using type = T;
};

// Calls f(TypeTag<T>{}) with T the C++ type stored for dtype d.
template <class F>
decltype(auto) dispatch_dtype(DType d, F&& f) {
  switch (d) {
    case DType::bool_:
      return f(TypeTag<bool>{});
    case DType::uint8:
      return f(TypeTag<uint8_t>{});
    case DType::uint32:
      return f(TypeTag<uint32_t>{});
    case DType::int32:
      return f(TypeTag<int32_t>{});
    case DType::int64:
      return f(TypeTag<int64_t>{});
    case DType::float32:
      return f(TypeTag<float>{});
    case DType::float64:
      break;
  }
  return f(TypeTag<double>{});
}

}  // namespace jx
