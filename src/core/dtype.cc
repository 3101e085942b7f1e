// JAX's type-promotion lattice (jax._src.dtypes), restricted to the dtypes jx stores plus the
// nodes the join may pass through. Weak types sit at the lattice's "kind" nodes i* and f*.
#include <array>
#include <cstdint>
#include <ostream>
#include <vector>

#include "jx/dtype.h"

namespace jx {
namespace {

enum Node : int {
  kB1,
  kIW,
  kU8,
  kU16,
  kU32,
  kU64,
  kI8,
  kI16,
  kI32,
  kI64,
  kFW,
  kBF16,
  kF16,
  kF32,
  kF64,
  kNumNodes
};

using Mask = uint32_t;

// Each node's set of upper bounds (itself included), from the lattice edges.
std::array<Mask, kNumNodes> upper_bounds() {
  std::array<std::vector<int>, kNumNodes> up;
  up[kB1] = {kIW};
  up[kIW] = {kU8, kI8};
  up[kU8] = {kI16, kU16};
  up[kU16] = {kI32, kU32};
  up[kU32] = {kI64, kU64};
  up[kU64] = {kFW};
  up[kI8] = {kI16};
  up[kI16] = {kI32};
  up[kI32] = {kI64};
  up[kI64] = {kFW};
  up[kFW] = {kBF16, kF16};
  up[kBF16] = {kF32};
  up[kF16] = {kF32};
  up[kF32] = {kF64};
  std::array<Mask, kNumNodes> ub{};
  // Nodes are listed so that each edge points to a later node except u64/i64 -> f*: iterate to
  // a fixed point.
  for (int n = 0; n < kNumNodes; ++n) ub[n] = Mask{1} << n;
  for (bool changed = true; changed;) {
    changed = false;
    for (int n = 0; n < kNumNodes; ++n) {
      for (int m : up[n]) {
        Mask next = ub[n] | ub[m];
        if (next != ub[n]) {
          ub[n] = next;
          changed = true;
        }
      }
    }
  }
  return ub;
}

const std::array<Mask, kNumNodes>& lattice() {
  static const std::array<Mask, kNumNodes> ub = upper_bounds();
  return ub;
}

int node_of(DType d) {
  switch (d) {
    case DType::bool_:
      return kB1;
    case DType::uint8:
      return kU8;
    case DType::uint32:
      return kU32;
    case DType::int32:
      return kI32;
    case DType::int64:
      return kI64;
    case DType::float32:
      return kF32;
    case DType::float64:
      return kF64;
  }
  return kF32;
}

int weak_node_of(DType d) {
  if (is_floating(d)) return kFW;
  if (is_integer(d)) return kIW;
  return kB1;
}

int join(int a, int b) {
  const auto& ub = lattice();
  Mask common = ub[a] & ub[b];
  for (int n = 0; n < kNumNodes; ++n) {
    if ((common >> n & 1) && ub[n] == common) return n;
  }
  return kF64;  // unreachable: the lattice has a top for these nodes
}

DType dtype_of_node(int n) {
  switch (n) {
    case kB1:
      return DType::bool_;
    case kIW:
      return kDefaultInt;
    case kU8:
      return DType::uint8;
    case kU16:
    case kU32:
      return DType::uint32;
    case kI8:
    case kI16:
    case kI32:
      return DType::int32;
    case kI64:
    case kU64:
      return DType::int64;
    case kF64:
      return DType::float64;
    default:
      return kDefaultFloat;
  }
}

}  // namespace

std::string_view dtype_name(DType d) {
  switch (d) {
    case DType::bool_:
      return "bool";
    case DType::uint8:
      return "uint8";
    case DType::uint32:
      return "uint32";
    case DType::int32:
      return "int32";
    case DType::int64:
      return "int64";
    case DType::float32:
      return "float32";
    case DType::float64:
      return "float64";
  }
  return "?";
}

std::string_view dtype_short_name(DType d) {
  switch (d) {
    case DType::bool_:
      return "bool";
    case DType::uint8:
      return "u8";
    case DType::uint32:
      return "u32";
    case DType::int32:
      return "i32";
    case DType::int64:
      return "i64";
    case DType::float32:
      return "f32";
    case DType::float64:
      return "f64";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, DType d) { return os << dtype_name(d); }

size_t itemsize(DType d) {
  switch (d) {
    case DType::bool_:
    case DType::uint8:
      return 1;
    case DType::uint32:
    case DType::int32:
    case DType::float32:
      return 4;
    case DType::int64:
    case DType::float64:
      return 8;
  }
  return 0;
}

bool is_floating(DType d) { return d == DType::float32 || d == DType::float64; }
bool is_signed_integer(DType d) { return d == DType::int32 || d == DType::int64; }
bool is_unsigned_integer(DType d) { return d == DType::uint8 || d == DType::uint32; }
bool is_integer(DType d) { return is_signed_integer(d) || is_unsigned_integer(d); }

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  return dtype_of_node(join(node_of(a), node_of(b)));
}

TypedKind result_type(TypedKind a, TypedKind b) {
  if (a.dtype == b.dtype && !(a.weak_type && b.weak_type)) return {a.dtype, false};
  if (a.weak_type && b.weak_type) {
    DType d = promote_types(a.dtype, b.dtype);
    return {d, d != DType::bool_};
  }
  int na = a.weak_type ? weak_node_of(a.dtype) : node_of(a.dtype);
  int nb = b.weak_type ? weak_node_of(b.dtype) : node_of(b.dtype);
  int n = join(na, nb);
  bool weak = n == kIW || n == kFW;
  return {dtype_of_node(n), weak};
}

}  // namespace jx
