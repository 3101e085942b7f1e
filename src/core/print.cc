// Array printing that reproduces numpy 1.24's arrayprint (str / array2string) character for
// character, and JAX's Array repr built on top of it. The structure mirrors numpy's
// arrayprint.py (FloatingFormat, IntegerFormat, BoolFormat, _formatArray, _extendLine) so that
// each numpy rule has one obvious counterpart here; numpy's Dragon4 digit generation is
// reproduced with std::to_chars (shortest round-trip digits in the element's own dtype, and
// correctly rounded fixed/scientific output where numpy cuts digits off at `precision`).
#include "jx/print.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "core/array_impl.h"
#include "jx/array.h"
#include "jx/errors.h"

namespace jx {

namespace {

std::mutex g_options_mutex;
PrintOptions g_options;

// ---------------------------------------------------------------------------------------------
// Dragon4 equivalents.

// Dragon4's trim modes: 'k' keep trailing zeros, '.' trim zeros but keep the point,
// '0' trim zeros but keep one after the point, '-' trim zeros and the point.
enum class Trim { keep, dot, zero, dash };

// A finite float as decimal digits d0.d1d2... * 10^exp (no sign).
struct Decimal {
  std::string digits;
  int exp = 0;
};

// Parses to_chars' scientific output "[-]d[.ddd]e[+-]xx".
Decimal parse_scientific(const char* first, const char* last) {
  Decimal d;
  const char* p = first;
  if (*p == '-') ++p;
  for (; p != last && *p != 'e'; ++p) {
    if (*p != '.') d.digits += *p;
  }
  ++p;  // 'e'
  bool neg = *p == '-';
  ++p;
  int e = 0;
  for (; p != last; ++p) e = e * 10 + (*p - '0');
  d.exp = neg ? -e : e;
  return d;
}

// The shortest digits that round-trip in T (numpy's unique=True), closest to the value.
template <class T>
Decimal shortest_digits(T x) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, std::fabs(x), std::chars_format::scientific);
  return parse_scientific(buf, r.ptr);
}

// The exact binary value rounded (half to even) to 1 + precision significant digits.
Decimal rounded_scientific(double x, int precision) {
  std::string buf(static_cast<size_t>(precision) + 32, '\0');
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), std::fabs(x),
                         std::chars_format::scientific, precision);
  return parse_scientific(buf.data(), r.ptr);
}

// True when the decimal d reads back (round to nearest even) as |x| in T.
template <class T>
bool reads_back_as(const Decimal& d, T x) {
  std::string s = d.digits + "e" + std::to_string(d.exp - static_cast<int>(d.digits.size()) + 1);
  T parsed{};
  std::from_chars(s.data(), s.data() + s.size(), parsed, std::chars_format::scientific);
  return parsed == std::fabs(x);
}

// Of the two decimals with 1 + digits significant digits around |x| (its truncation t and
// t + one unit), the one that is not `r`.
template <class T>
Decimal other_neighbour(const Decimal& r, T x, int digits) {
  // 800 digits are exact for any double: no rounding happens, so this truncates.
  Decimal exact = rounded_scientific(static_cast<double>(x), 800);
  Decimal t{exact.digits.substr(0, static_cast<size_t>(digits) + 1), exact.exp};
  if (t.digits != r.digits || t.exp != r.exp) return t;
  std::string& g = t.digits;
  size_t i = g.size();
  while (i > 0 && g[i - 1] == '9') g[--i] = '0';
  if (i == 0) {
    g.insert(g.begin(), '1');
    g.pop_back();
    ++t.exp;
  } else {
    ++g[i - 1];
  }
  return t;
}

// Digits that Dragon4 generates past the shortest ones (down to 1 + digits significant digits):
// those of the exact value, with the last one rounded towards whichever neighbour still reads
// back as x, the nearer one when both do.
template <class T>
Decimal forced_digits(T x, int digits) {
  Decimal r = rounded_scientific(static_cast<double>(x), digits);
  if (!reads_back_as(r, x)) r = other_neighbour(r, x, digits);
  return r;
}

// Dragon4's digits in unique mode with a total-length cutoff: the shortest digits that read back
// as x, but at most 1 + precision digits (the exact value rounded there, half to even) and at
// least 1 + min_digits (digits forced past the shortest ones are those of the exact value,
// rounded towards whichever neighbour still reads back as x). -1 disables either bound.
template <class T>
Decimal scientific_digits(T x, int precision, int min_digits) {
  Decimal d = shortest_digits(x);
  int frac = static_cast<int>(d.digits.size()) - 1;
  if (precision >= 0 && frac > precision) {
    return rounded_scientific(static_cast<double>(x), precision);
  }
  if (min_digits > frac && x != 0) return forced_digits(x, min_digits);
  return d;
}

// Assembles sign, integer part, fraction and exponent as Dragon4's FormatPositional /
// FormatScientific do: trim 'k' pads the fraction with zeros to min_digits, the other trim
// modes strip trailing zeros; then pad_left / pad_right (-1 when unused).
std::string assemble(bool negative, const std::string& int_part, std::string frac, int min_digits,
                     Trim trim, int pad_left, int pad_right, const std::string& exponent) {
  bool point = true;
  if (trim == Trim::keep) {
    if (static_cast<int>(frac.size()) < min_digits) frac.resize(min_digits, '0');
  } else {
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    if (frac.empty() && trim == Trim::zero) frac = "0";
    if (frac.empty() && trim == Trim::dash) point = false;
  }
  std::string out;
  std::string left = negative ? "-" + int_part : int_part;
  if (pad_left > static_cast<int>(left.size())) out.append(pad_left - left.size(), ' ');
  out += left;
  if (point) out += '.';
  out += frac;
  if (pad_right > static_cast<int>(frac.size())) out.append(pad_right - frac.size(), ' ');
  return out + exponent;
}

// numpy's dragon4_positional(x, precision, unique=True, fractional=True, trim, min_digits,
// pad_left, pad_right) for a finite x; precision / min_digits -1 mean unset. min_digits >= 0
// makes Dragon4 generate every digit down to 10**-min_digits from the exact value: arrays pass
// 0, so float32 95015768 prints as "95015768." where the scalar str prints "95015770.0".
template <class T>
std::string format_positional(T x, int precision, int min_digits, Trim trim, int pad_left,
                              int pad_right) {
  bool negative = std::signbit(x);
  std::string int_part, frac;
  Decimal d = shortest_digits(x);
  int k = static_cast<int>(d.digits.size());
  int frac_needed = std::max(0, k - 1 - d.exp);
  if (precision >= 0 && frac_needed > precision) {
    // The shortest digits go past the cutoff: Dragon4 then rounds the exact value there.
    std::string buf(static_cast<size_t>(precision) + 400, '\0');
    auto r = std::to_chars(buf.data(), buf.data() + buf.size(), std::fabs(static_cast<double>(x)),
                           std::chars_format::fixed, precision);
    std::string s(buf.data(), r.ptr);
    size_t dot = s.find('.');
    int_part = s.substr(0, dot);
    if (dot != std::string::npos) frac = s.substr(dot + 1);
    return assemble(negative, int_part, frac, min_digits, trim, pad_left, pad_right, "");
  }
  if (min_digits >= 0 && x != 0 && d.exp + min_digits > k - 1) {
    d = forced_digits(x, d.exp + min_digits);
    k = static_cast<int>(d.digits.size());
  }
  if (d.exp >= 0) {
    int n_int = d.exp + 1;
    if (k <= n_int) {
      // Digits past the unique ones print as zeros (numpy: str(float32(99999992)) is
      // "99999990.0").
      int_part = d.digits + std::string(n_int - k, '0');
    } else {
      int_part = d.digits.substr(0, n_int);
      frac = d.digits.substr(n_int);
    }
  } else {
    int_part = "0";
    frac = std::string(-d.exp - 1, '0') + d.digits;
  }
  return assemble(negative, int_part, frac, min_digits, trim, pad_left, pad_right, "");
}

// numpy's dragon4_scientific(x, precision, unique=True, trim, min_digits, pad_left,
// exp_digits) for a finite x; precision / min_digits / exp_digits -1 mean unset.
template <class T>
std::string format_scientific(T x, int precision, int min_digits, Trim trim, int pad_left,
                              int exp_digits) {
  Decimal d = scientific_digits(x, precision, min_digits);
  std::string exponent = d.exp < 0 ? "e-" : "e+";
  std::string e = std::to_string(std::abs(d.exp));
  int width = exp_digits < 0 ? 2 : exp_digits;
  if (static_cast<int>(e.size()) < width) exponent.append(width - e.size(), '0');
  exponent += e;
  return assemble(std::signbit(x), d.digits.substr(0, 1), d.digits.substr(1), min_digits, trim,
                  pad_left, -1, exponent);
}

// str() of a numpy float scalar (what numpy prints for a 0-d array): positional between 1e-4
// and 1e16 ("0.5", "1.0"), scientific otherwise ("1e+16", "1.5e-05").
template <class T>
std::string float_scalar_str(T x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
  double absval = std::fabs(static_cast<double>(x));
  if (absval == 0 || (absval >= 1e-4 && absval < 1e16)) {
    return format_positional(x, -1, -1, Trim::zero, -1, -1);
  }
  return format_scientific(x, -1, -1, Trim::dash, -1, -1);
}

// ---------------------------------------------------------------------------------------------
// Element formatters (numpy's FloatingFormat, IntegerFormat and BoolFormat), each built from the
// elements that will actually be shown.

template <class T>
class FloatingFormat {
 public:
  FloatingFormat(const std::vector<T>& data, int precision, bool suppress) : precision_(precision) {
    std::vector<T> finite;
    finite.reserve(data.size());
    for (T v : data) {
      if (std::isfinite(v)) finite.push_back(v);
    }
    bool have_nonzero = false;
    T max_val = 0, min_val = 0;
    for (T v : finite) {
      if (v == 0) continue;
      T a = std::fabs(v);
      if (!have_nonzero) {
        max_val = min_val = a;
        have_nonzero = true;
      } else {
        max_val = std::max(max_val, a);
        min_val = std::min(min_val, a);
      }
    }
    if (have_nonzero) {
      // numpy divides in the array's dtype and compares against Python floats (as double).
      T ratio = max_val / min_val;
      if (static_cast<double>(max_val) >= 1e8 ||
          (!suppress &&
           (static_cast<double>(min_val) < 1e-4 || static_cast<double>(ratio) > 1000.0))) {
        exp_format_ = true;
      }
    }

    if (finite.empty()) {
      pad_left_ = pad_right_ = 0;
      trim_ = Trim::dot;
      exp_size_ = -1;
      min_digits_ = -1;
    } else if (exp_format_) {
      int max_int = 0, max_frac = 0, max_exp = 0;
      for (T v : finite) {
        std::string s = format_scientific(v, precision_, -1, Trim::dot, -1, -1);
        size_t e = s.find('e'), dot = s.find('.');
        max_int = std::max(max_int, static_cast<int>(dot));
        max_frac = std::max(max_frac, static_cast<int>(e - dot - 1));
        max_exp = std::max(max_exp, static_cast<int>(s.size() - e - 1));
      }
      exp_size_ = max_exp - 1;
      trim_ = Trim::keep;
      precision_ = max_frac;
      min_digits_ = max_frac;
      pad_left_ = max_int;
      pad_right_ = exp_size_ + 2 + precision_;
    } else {
      int max_int = 0, max_frac = 0;
      for (T v : finite) {
        std::string s = format_positional(v, precision_, -1, Trim::dot, -1, -1);
        size_t dot = s.find('.');
        max_int = std::max(max_int, static_cast<int>(dot));
        max_frac = std::max(max_frac, static_cast<int>(s.size() - dot - 1));
      }
      pad_left_ = max_int;
      pad_right_ = max_frac;
      exp_size_ = -1;
      trim_ = Trim::dot;
      min_digits_ = 0;
    }

    if (finite.size() != data.size()) {
      bool neginf = false;
      for (T v : data) neginf = neginf || (std::isinf(v) && v < 0);
      int offset = pad_right_ + 1;
      pad_left_ = std::max({pad_left_, 3 - offset, 3 + (neginf ? 1 : 0) - offset});
    }
  }

  std::string operator()(T x) const {
    if (!std::isfinite(x)) {
      std::string ret = std::isnan(x) ? "nan" : (x < 0 ? "-inf" : "inf");
      int width = pad_left_ + pad_right_ + 1;
      return std::string(std::max(0, width - static_cast<int>(ret.size())), ' ') + ret;
    }
    if (exp_format_) {
      return format_scientific(x, precision_, min_digits_, trim_, pad_left_, exp_size_);
    }
    return format_positional(x, precision_, min_digits_, trim_, pad_left_, pad_right_);
  }

 private:
  int precision_;
  bool exp_format_ = false;
  int min_digits_ = -1;
  Trim trim_ = Trim::dot;
  int pad_left_ = 0, pad_right_ = 0, exp_size_ = -1;
};

template <class T>
std::string int_str(T v) {
  return std::to_string(static_cast<std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>(v));
}

// Element formatter for the displayed elements of `a` (the leading/trailing corners when
// summarising), called with an element's flat index.
using ElementFormat = std::function<std::string(int64_t)>;

// Flat indices of the elements numpy's _leading_trailing keeps.
void shown_indices(const Shape& shape, const std::vector<int64_t>& strides, int axis, int64_t base,
                   bool summarise, int64_t edge, std::vector<int64_t>& out) {
  if (axis == shape.ndim()) {
    out.push_back(base);
    return;
  }
  int64_t n = shape[axis];
  auto visit = [&](int64_t i) {
    shown_indices(shape, strides, axis + 1, base + i * strides[axis], summarise, edge, out);
  };
  if (summarise && n > 2 * edge) {
    for (int64_t i = 0; i < edge; ++i) visit(i);
    // numpy slices the tail as a[-edge:], which is the whole axis when edge is 0.
    for (int64_t i = edge > 0 ? n - edge : 0; i < n; ++i) visit(i);
  } else {
    for (int64_t i = 0; i < n; ++i) visit(i);
  }
}

ElementFormat make_format(const Array& a, const std::vector<int64_t>& shown,
                          const PrintOptions& opts) {
  return dispatch_dtype(a.dtype(), [&](auto tag) -> ElementFormat {
    using T = typename decltype(tag)::type;
    const T* p = typed_data<T>(a);
    if constexpr (std::is_same_v<T, bool>) {
      std::string true_str = a.ndim() == 0 ? "True" : " True";
      return [p, true_str](int64_t i) { return p[i] ? true_str : std::string("False"); };
    } else if constexpr (std::is_floating_point_v<T>) {
      std::vector<T> data;
      data.reserve(shown.size());
      for (int64_t i : shown) data.push_back(p[i]);
      auto fmt = std::make_shared<FloatingFormat<T>>(data, opts.precision, opts.suppress);
      return [p, fmt](int64_t i) { return (*fmt)(p[i]); };
    } else {
      size_t width = 0;
      if (!shown.empty()) {
        T lo = p[shown[0]], hi = p[shown[0]];
        for (int64_t i : shown) {
          lo = std::min(lo, p[i]);
          hi = std::max(hi, p[i]);
        }
        width = std::max(int_str(lo).size(), int_str(hi).size());
      }
      return [p, width](int64_t i) {
        std::string s = int_str(p[i]);
        if (s.size() < width) s.insert(0, width - s.size(), ' ');
        return s;
      };
    }
  });
}

// ---------------------------------------------------------------------------------------------
// numpy's _formatArray: nested brackets, line wrapping and summarisation.

std::string rstrip(const std::string& s) {
  size_t end = s.find_last_not_of(' ');
  return end == std::string::npos ? std::string() : s.substr(0, end + 1);
}

// numpy's _extendLine: appends `word` to `line`, first flushing the line into `s` when the word
// would overflow it (unless the line holds nothing but its indent, where wrapping cannot help).
void extend_line(std::string& s, std::string& line, const std::string& word, int64_t line_width,
                 const std::string& next_line_prefix) {
  bool needs_wrap = static_cast<int64_t>(line.size() + word.size()) > line_width;
  if (line.size() <= next_line_prefix.size()) needs_wrap = false;
  if (needs_wrap) {
    s += rstrip(line);
    s += '\n';
    line = next_line_prefix;
  }
  line += word;
}

class ArrayFormatter {
 public:
  ArrayFormatter(const Shape& shape, std::vector<int64_t> strides, ElementFormat fmt,
                 std::string separator, int64_t edge, bool summarise)
      : shape_(shape),
        strides_(std::move(strides)),
        fmt_(std::move(fmt)),
        separator_(std::move(separator)),
        edge_(edge),
        summarise_(summarise) {}

  std::string format(int axis, int64_t base, const std::string& hanging_indent,
                     int64_t curr_width) const {
    int axes_left = shape_.ndim() - axis;
    if (axes_left == 0) return fmt_(base);

    std::string next_hanging_indent = hanging_indent + ' ';
    int64_t next_width = curr_width - 1;  // room for the ']'
    int64_t n = shape_[axis];
    bool show_summary = summarise_ && 2 * edge_ < n;
    int64_t leading = show_summary ? edge_ : 0;
    int64_t trailing = show_summary ? edge_ : n;
    auto child = [&](int64_t i) {
      return format(axis + 1, base + i * strides_[axis], next_hanging_indent, next_width);
    };

    std::string s;
    if (axes_left == 1) {
      std::string sep_stripped = rstrip(separator_);
      int64_t elem_width =
          curr_width - std::max<int64_t>(static_cast<int64_t>(sep_stripped.size()), 1);
      std::string line = hanging_indent;
      for (int64_t i = 0; i < leading; ++i) {
        extend_line(s, line, child(i), elem_width, hanging_indent);
        line += separator_;
      }
      if (show_summary) {
        extend_line(s, line, "...", elem_width, hanging_indent);
        line += separator_;
      }
      for (int64_t i = trailing; i > 1; --i) {
        extend_line(s, line, child(n - i), elem_width, hanging_indent);
        line += separator_;
      }
      extend_line(s, line, child(n - 1), elem_width, hanging_indent);
      s += line;
    } else {
      std::string line_sep = rstrip(separator_) + std::string(axes_left - 1, '\n');
      for (int64_t i = 0; i < leading; ++i) s += hanging_indent + child(i) + line_sep;
      if (show_summary) s += hanging_indent + "..." + line_sep;
      for (int64_t i = trailing; i > 1; --i) s += hanging_indent + child(n - i) + line_sep;
      s += hanging_indent + child(n - 1);
    }
    return "[" + s.substr(hanging_indent.size()) + "]";
  }

 private:
  const Shape& shape_;
  std::vector<int64_t> strides_;
  ElementFormat fmt_;
  std::string separator_;
  int64_t edge_;
  bool summarise_;
};

std::string array2string_with(const Array& a, const PrintOptions& opts,
                              const std::string& separator, const std::string& prefix,
                              const std::string& suffix) {
  if (a.size() == 0) return "[]";
  int64_t line_width = static_cast<int64_t>(opts.linewidth) - static_cast<int64_t>(suffix.size());
  bool summarise = a.size() > opts.threshold;
  std::vector<int64_t> strides = contiguous_strides(a.shape());
  std::vector<int64_t> shown;
  shown_indices(a.shape(), strides, 0, 0, summarise, opts.edgeitems, shown);
  ArrayFormatter formatter(a.shape(), std::move(strides), make_format(a, shown, opts), separator,
                           opts.edgeitems, summarise);
  // Continuation lines skip the "[" and the room reserved for the prefix.
  std::string next_line_prefix(1 + prefix.size(), ' ');
  return formatter.format(0, 0, next_line_prefix, line_width);
}

// JAX's Tracer repr, without the trace (jx tracers do not name their trace).
std::string tracer_str(const ShapedArray& aval) {
  std::string s = "Traced<ShapedArray(" + std::string(dtype_name(aval.dtype)) + "[";
  for (int i = 0; i < aval.ndim(); ++i) {
    if (i) s += ",";
    s += std::to_string(aval.shape[i]);
  }
  s += "]";
  if (aval.weak_type) s += ", weak_type=True";
  return s + ")>";
}

}  // namespace

PrintOptions get_printoptions() {
  std::lock_guard<std::mutex> lock(g_options_mutex);
  return g_options;
}

void set_printoptions(const PrintOptions& options) {
  if (options.precision < 0) {
    throw ValueError("set_printoptions: precision must be >= 0, got " +
                     std::to_string(options.precision));
  }
  if (options.edgeitems < 0) {
    throw ValueError("set_printoptions: edgeitems must be >= 0, got " +
                     std::to_string(options.edgeitems));
  }
  std::lock_guard<std::mutex> lock(g_options_mutex);
  g_options = options;
}

ScopedPrintOptions::ScopedPrintOptions(const PrintOptions& options) : saved_(get_printoptions()) {
  set_printoptions(options);
}

ScopedPrintOptions::~ScopedPrintOptions() { set_printoptions(saved_); }

std::string array2string(const Array& a, const std::string& separator, const std::string& prefix,
                         const std::string& suffix) {
  if (!a.is_concrete()) return tracer_str(a.aval());
  return array2string_with(a, get_printoptions(), separator, prefix, suffix);
}

std::string Array::str() const {
  if (!is_concrete()) return tracer_str(aval());
  if (ndim() == 0) {
    // numpy prints a 0-d array as the str of its scalar, ignoring precision.
    return dispatch_dtype(dtype(), [&](auto tag) -> std::string {
      using T = typename decltype(tag)::type;
      T v = *typed_data<T>(*this);
      if constexpr (std::is_same_v<T, bool>)
        return v ? "True" : "False";
      else if constexpr (std::is_floating_point_v<T>)
        return float_scalar_str(v);
      else
        return int_str(v);
    });
  }
  return array2string_with(*this, get_printoptions(), " ", "", "");
}

std::string Array::repr() const {
  if (!is_concrete()) return tracer_str(aval());
  // JAX's ArrayImpl.__repr__.
  const std::string prefix = "Array(";
  std::string dtype_str = "dtype=" + std::string(dtype_name(dtype()));
  dtype_str += weak_type() ? ", weak_type=True)" : ")";
  PrintOptions opts = get_printoptions();
  std::string s = size() == 0 ? "[], shape=" + shape().str()
                              : array2string_with(*this, opts, ", ", prefix, ",");
  size_t nl = s.rfind('\n');
  // JAX's arithmetic: len(s) - s.rfind('\n') + 1, with rfind giving -1 when there is none.
  int64_t last_line_len = static_cast<int64_t>(s.size()) -
                          (nl == std::string::npos ? -1 : static_cast<int64_t>(nl)) + 1;
  std::string sep = " ";
  if (last_line_len + static_cast<int64_t>(dtype_str.size()) + 1 > opts.linewidth) {
    sep = std::string(prefix.size(), ' ');
  }
  return prefix + s + "," + sep + dtype_str;
}

std::ostream& operator<<(std::ostream& os, const Array& a) { return os << a.str(); }

}  // namespace jx
