// Shape: the dimensions of an array, row-major. Small shapes live inline (no allocation).
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

namespace jx {

// Dimensions of an array, e.g. Shape{3, 2}. Prints as numpy does: (3, 2), (3,), ().
class Shape {
 public:
  static constexpr size_t kInline = 6;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) { assign(dims.begin(), dims.end()); }
  explicit Shape(std::span<const int64_t> dims) { assign(dims.begin(), dims.end()); }
  explicit Shape(const std::vector<int64_t>& dims) { assign(dims.begin(), dims.end()); }
  template <class It>
  Shape(It first, It last) {
    assign(first, last);
  }
  Shape(const Shape& o) { assign(o.begin(), o.end()); }
  Shape& operator=(const Shape& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  Shape(Shape&& o) noexcept { *this = std::move(o); }
  Shape& operator=(Shape&& o) noexcept {
    if (this == &o) return *this;
    size_ = o.size_;
    heap_ = std::move(o.heap_);
    std::copy(o.inline_, o.inline_ + kInline, inline_);
    o.size_ = 0;
    return *this;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t* data() { return size_ > kInline ? heap_.data() : inline_; }
  const int64_t* data() const { return size_ > kInline ? heap_.data() : inline_; }
  int64_t& operator[](size_t i) { return data()[i]; }
  int64_t operator[](size_t i) const { return data()[i]; }
  const int64_t* begin() const { return data(); }
  const int64_t* end() const { return data() + size_; }
  int64_t* begin() { return data(); }
  int64_t* end() { return data() + size_; }
  int64_t back() const { return data()[size_ - 1]; }
  operator std::span<const int64_t>() const { return {data(), size_}; }
  std::vector<int64_t> to_vector() const { return {begin(), end()}; }

  void push_back(int64_t d) {
    if (size_ < kInline) {
      inline_[size_++] = d;
    } else {
      if (size_ == kInline) heap_.assign(inline_, inline_ + kInline);
      heap_.push_back(d);
      ++size_;
    }
  }
  void insert(size_t pos, int64_t d) {
    std::vector<int64_t> v = to_vector();
    v.insert(v.begin() + static_cast<ptrdiff_t>(pos), d);
    assign(v.begin(), v.end());
  }
  void erase(size_t pos) {
    std::vector<int64_t> v = to_vector();
    v.erase(v.begin() + static_cast<ptrdiff_t>(pos));
    assign(v.begin(), v.end());
  }

  // Product of the dimensions (1 for a scalar). Throws ShapeError when it does not fit in int64.
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : *this) {
      if (__builtin_mul_overflow(n, d, &n)) throw_numel_overflow();
    }
    return n;
  }
  int ndim() const { return static_cast<int>(size_); }

  friend bool operator==(const Shape& a, const Shape& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  std::string str() const;
  [[noreturn]] void throw_numel_overflow() const;

 private:
  template <class It>
  void assign(It first, It last) {
    size_t n = static_cast<size_t>(std::distance(first, last));
    if (n <= kInline) {
      heap_.clear();
      std::copy(first, last, inline_);
    } else {
      heap_.assign(first, last);
    }
    size_ = n;
  }

  size_t size_ = 0;
  int64_t inline_[kInline] = {};
  std::vector<int64_t> heap_;
};

std::ostream& operator<<(std::ostream& os, const Shape& s);

// Row-major strides, in elements.
std::vector<int64_t> contiguous_strides(const Shape& s);

// Normalises a possibly negative axis against rank ndim; throws IndexError naming `op` when out
// of range ("axis 3 is out of bounds for array of dimension 2", as numpy says).
int normalize_axis(int64_t axis, int ndim, std::string_view op);

}  // namespace jx
