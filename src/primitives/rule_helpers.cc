#include "primitives/rule_helpers.h"

namespace jx::primitives {

bool dtype_in_class(DType d, DTypeClass c) {
  switch (c) {
    case DTypeClass::kAny:
      return true;
    case DTypeClass::kNumber:
      return !is_bool(d);
    case DTypeClass::kFloating:
      return is_floating(d);
    case DTypeClass::kInteger:
      return is_integer(d);
    case DTypeClass::kIntOrBool:
      return is_integer(d) || is_bool(d);
    case DTypeClass::kSignedOrFloat:
      return is_signed_integer(d) || is_floating(d);
  }
  return false;
}

void check_dtype_class(std::string_view op, DType d, DTypeClass c) {
  if (dtype_in_class(d, c)) return;
  const char* accepted = "";
  switch (c) {
    case DTypeClass::kAny:
      return;
    case DTypeClass::kNumber:
      accepted = "subtypes of number";
      break;
    case DTypeClass::kFloating:
      accepted = "subtypes of floating";
      break;
    case DTypeClass::kInteger:
      accepted = "subtypes of integer";
      break;
    case DTypeClass::kIntOrBool:
      accepted = "subtypes of integer, bool";
      break;
    case DTypeClass::kSignedOrFloat:
      accepted = "subtypes of signedinteger, floating";
      break;
  }
  std::ostringstream msg;
  msg << op << " does not accept dtype " << dtype_name(d) << ". Accepted dtypes are " << accepted
      << ".";
  throw DTypeError(msg.str());
}

std::string shapes_str(std::span<const ShapedArray> avals) {
  std::string s;
  for (size_t i = 0; i < avals.size(); ++i) {
    if (i) s += ", ";
    s += avals[i].shape.str();
  }
  return s;
}

void check_arity(std::string_view op, std::span<const ShapedArray> avals, size_t n) {
  if (avals.size() != n) {
    throw ValueError(std::string(op) + " takes " + std::to_string(n) + " operands, got " +
                     std::to_string(avals.size()));
  }
}

Shape broadcasting_shape(std::string_view op, std::span<const ShapedArray> avals) {
  const ShapedArray* first = nullptr;
  for (const auto& a : avals) {
    if (a.ndim() == 0) continue;
    if (first == nullptr) first = &a;
    if (a.ndim() != first->ndim()) {
      std::string shapes;
      for (const auto& b : avals) {
        if (b.ndim() > 0) shapes += (shapes.empty() ? "" : ", ") + b.shape.str();
      }
      throw ShapeError(std::string(op) + ": arrays must have same number of dimensions, got " +
                       shapes + ".");
    }
  }
  if (first == nullptr) return Shape{};
  Shape out = first->shape;
  for (const auto& a : avals) {
    if (a.ndim() == 0) continue;
    for (int d = 0; d < out.ndim(); ++d) {
      if (a.shape[d] == out[d] || a.shape[d] == 1) continue;
      if (out[d] != 1) {
        throw ShapeError(std::string(op) +
                         " got incompatible shapes for broadcasting: " + shapes_str(avals) + ".");
      }
      out[d] = a.shape[d];
    }
  }
  return out;
}

void check_same_dtypes(std::string_view op, std::span<const ShapedArray> avals) {
  for (const auto& a : avals) {
    if (a.dtype != avals[0].dtype) {
      std::string names;
      for (size_t i = 0; i < avals.size(); ++i) {
        if (i) names += ", ";
        names += dtype_name(avals[i].dtype);
      }
      throw DTypeError("lax." + std::string(op) +
                       " requires arguments to have the same dtypes, got " + names +
                       ". (Tip: jnp." + std::string(op) +
                       " is a similar function that does automatic type promotion on inputs).");
    }
  }
}

bool all_weak(std::span<const ShapedArray> avals) {
  for (const auto& a : avals) {
    if (!a.weak_type) return false;
  }
  return !avals.empty();
}

void check_axes(std::string_view op, const std::vector<int64_t>& axes, int ndim,
                std::string_view what) {
  std::vector<bool> seen(static_cast<size_t>(ndim), false);
  for (int64_t a : axes) {
    if (a < 0 || a >= ndim) {
      throw IndexError(std::string(op) + ": " + std::string(what) + " entry " + std::to_string(a) +
                       " is out of bounds for array of dimension " + std::to_string(ndim));
    }
    if (seen[static_cast<size_t>(a)]) {
      throw ValueError(std::string(op) + ": duplicate value " + std::to_string(a) + " in " +
                       std::string(what));
    }
    seen[static_cast<size_t>(a)] = true;
  }
}

}  // namespace jx::primitives
