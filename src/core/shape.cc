#include <ostream>
#include <sstream>

#include "jx/array.h"
#include "jx/errors.h"
#include "jx/shape.h"

namespace jx {

std::string Shape::str() const {
  std::string s = "(";
  for (size_t i = 0; i < size(); ++i) {
    if (i) s += ", ";
    s += std::to_string((*this)[i]);
  }
  if (size() == 1) s += ",";
  return s + ")";
}

std::ostream& operator<<(std::ostream& os, const Shape& s) { return os << s.str(); }

std::vector<int64_t> contiguous_strides(const Shape& s) {
  std::vector<int64_t> strides(s.size());
  int64_t stride = 1;
  for (size_t i = s.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= s[i];
  }
  return strides;
}

int normalize_axis(int64_t axis, int ndim, std::string_view op) {
  if (axis < -ndim || axis >= ndim) {
    std::ostringstream msg;
    msg << op << ": axis " << axis << " is out of bounds for array of dimension " << ndim;
    throw IndexError(msg.str());
  }
  return static_cast<int>(axis < 0 ? axis + ndim : axis);
}

std::string ShapedArray::str() const {
  std::string s(dtype_short_name(dtype));
  s += "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::ostream& operator<<(std::ostream& os, const ShapedArray& a) { return os << a.str(); }

void Shape::throw_numel_overflow() const {
  throw ShapeError("shape " + str() + " has more elements than fit in int64");
}

}  // namespace jx
