// Template definitions for jx/numpy.h (array construction from C++ values).
#pragma once

#include <algorithm>
#include <vector>

namespace jx::numpy {

template <Scalar T>
Array array(T value, std::optional<DType> dtype) {
  return array(Array::from_vector<T>(std::vector<T>{value}, Shape{}), dtype);
}

template <Scalar T>
Array array(std::initializer_list<T> values, std::optional<DType> dtype) {
  return array(Array::from_vector<T>(std::vector<T>(values)), dtype);
}

template <Scalar T>
Array array(std::initializer_list<std::initializer_list<T>> values, std::optional<DType> dtype) {
  std::vector<T> flat;
  const int64_t rows = static_cast<int64_t>(values.size());
  const int64_t cols = rows ? static_cast<int64_t>(values.begin()->size()) : 0;
  for (const auto& row : values) {
    if (static_cast<int64_t>(row.size()) != cols) {
      throw ShapeError("jnp.array: ragged nested list (rows of length " + std::to_string(cols) +
                       " and " + std::to_string(row.size()) +
                       "); every row must have the same length");
    }
    flat.insert(flat.end(), row.begin(), row.end());
  }
  return array(Array::from_vector<T>(flat, Shape{rows, cols}), dtype);
}

template <Scalar T>
Array array(std::initializer_list<std::initializer_list<std::initializer_list<T>>> values,
            std::optional<DType> dtype) {
  std::vector<T> flat;
  const int64_t d0 = static_cast<int64_t>(values.size());
  int64_t d1 = -1, d2 = -1;
  for (const auto& plane : values) {
    if (d1 < 0) d1 = static_cast<int64_t>(plane.size());
    if (static_cast<int64_t>(plane.size()) != d1) {
      throw ShapeError("jnp.array: ragged nested list; every sub-list must have the same length");
    }
    for (const auto& row : plane) {
      if (d2 < 0) d2 = static_cast<int64_t>(row.size());
      if (static_cast<int64_t>(row.size()) != d2) {
        throw ShapeError("jnp.array: ragged nested list; every row must have the same length");
      }
      flat.insert(flat.end(), row.begin(), row.end());
    }
  }
  return array(
      Array::from_vector<T>(flat, Shape{d0, std::max<int64_t>(d1, 0), std::max<int64_t>(d2, 0)}),
      dtype);
}

template <Scalar T>
Array array(const std::vector<T>& values, std::optional<DType> dtype) {
  return array(Array::from_vector<T>(values), dtype);
}

}  // namespace jx::numpy
