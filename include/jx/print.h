// Print options for Array::str(), Array::repr() and operator<<, mirroring numpy's
// np.set_printoptions / np.get_printoptions (the subset that applies to jx's dtypes).
#pragma once

#include <cstdint>
#include <string>

namespace jx {

class Array;

// numpy's print options, with numpy's defaults.
struct PrintOptions {
  // Maximum number of digits after the decimal point (numpy's floatmode 'maxprec': fewer are
  // printed when fewer suffice to identify every value uniquely). Must be >= 0.
  int precision = 8;
  // Arrays with more than this many elements are summarised with "...".
  int64_t threshold = 1000;
  // Number of items kept at the beginning and end of each summarised axis. Must be >= 0.
  int edgeitems = 3;
  // Characters per line before wrapping.
  int linewidth = 75;
  // If true, never switch floats to scientific notation because of small values (values below
  // 10**-precision then print as 0.); values >= 1e8 still force scientific notation.
  bool suppress = false;
  friend bool operator==(const PrintOptions&, const PrintOptions&) = default;
};

// The options currently in effect (a copy; safe to call from any thread).
PrintOptions get_printoptions();
// Replaces the options for every thread. Throws ValueError for a negative precision or
// edgeitems.
void set_printoptions(const PrintOptions& options);

// Sets print options for the lifetime of the scope and restores the previous ones after,
// like numpy's `with np.printoptions(...)`.
//   { ScopedPrintOptions p({.precision = 3}); std::cout << x; }
class ScopedPrintOptions {
 public:
  explicit ScopedPrintOptions(const PrintOptions& options);
  ~ScopedPrintOptions();
  ScopedPrintOptions(const ScopedPrintOptions&) = delete;
  ScopedPrintOptions& operator=(const ScopedPrintOptions&) = delete;

 private:
  PrintOptions saved_;
};

// numpy's np.array2string(a, max_line_width, precision, ..., separator, prefix, suffix) with
// the current options: `prefix` only reserves room on the first line (it is not included in
// the result), `suffix` reserves room at the end. Rank-0 arrays print as their single element
// formatted like an array's element (e.g. "1." rather than str's "1.0"). Empty arrays: "[]".
std::string array2string(const Array& a, const std::string& separator = " ",
                         const std::string& prefix = "", const std::string& suffix = "");

}  // namespace jx
