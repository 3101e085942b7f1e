// check_vmap: vmap(f) must equal looping f over the mapped axis and stacking the results, for
// every choice of in_axes (none or any axis of each argument) and out_axes (first and last),
// for batch sizes 3 and 0, and for vmap of vmap. Used by the batch-rule tests of every
// primitive family (tests/vmap_rules/).
#pragma once

#include <gtest/gtest.h>

#include <jx/jx.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace jx::testing {

using BatchDim = std::optional<int>;
using Fn = std::function<std::vector<Array>(const std::vector<Array>&)>;
// One example's arguments for a given seed (each call must give the same shapes and dtypes).
using Gen = std::function<std::vector<Array>(uint64_t seed)>;

struct VmapCheck {
  // Relative/absolute tolerance for floating results (0: bitwise equality).
  double tol = 0;
  // Arguments that must stay unmapped (e.g. an index that selects a static branch).
  std::vector<bool> never_mapped;
  bool nested = true;
  bool empty_batch = true;
};

// Checks with a tolerance for floating results.
inline VmapCheck within(double tol) {
  VmapCheck c;
  c.tol = tol;
  return c;
}

// Random array helpers for generators.
inline Array random_array(std::mt19937_64& rng, const Shape& shape, DType dtype, double lo = -2,
                          double hi = 2) {
  std::vector<double> v(static_cast<size_t>(shape.numel()));
  std::uniform_real_distribution<double> u(lo, hi);
  for (double& x : v) x = u(rng);
  if (dtype == DType::bool_) {
    std::vector<bool> b;
    for (double x : v) b.push_back(x > (lo + hi) / 2);
    return Array::from_vector(b, shape);
  }
  if (dtype == DType::float32 || dtype == DType::float64) {
    return lax::convert_element_type(Array::from_vector(v, shape), dtype);
  }
  for (double& x : v) x = std::floor(x);
  return lax::convert_element_type(Array::from_vector(v, shape), dtype);
}

// One argument of a generator: a random array of this shape and dtype, within [lo, hi)
// (integers are floor(uniform(lo, hi)), so in [lo, hi - 1]).
struct ArgSpec {
  Shape shape;
  DType dtype;
  double lo = -2, hi = 2;
};
// A generator of one random array per ArgSpec.
inline Gen gen(std::vector<ArgSpec> specs) {
  return [specs](uint64_t seed) {
    std::mt19937_64 rng(seed * 7919 + 17);
    std::vector<Array> args;
    for (const ArgSpec& s : specs) args.push_back(random_array(rng, s.shape, s.dtype, s.lo, s.hi));
    return args;
  };
}

namespace detail {

inline std::string describe(const std::vector<BatchDim>& in_axes, int out_axis, int64_t size) {
  std::ostringstream os;
  os << "in_axes=(";
  for (size_t i = 0; i < in_axes.size(); ++i) {
    os << (i ? ", " : "");
    if (in_axes[i])
      os << *in_axes[i];
    else
      os << "None";
  }
  os << ") out_axes=" << out_axis << " batch=" << size;
  return os.str();
}

// `weak` is the weak type of one example's result (stacking may not keep it).
inline void expect_same(const Array& actual, const Array& expected, bool weak, double tol,
                        const std::string& where) {
  ASSERT_EQ(actual.shape(), expected.shape()) << where;
  ASSERT_EQ(actual.dtype(), expected.dtype()) << where;
  ASSERT_EQ(actual.weak_type(), weak) << where;
  if (actual.size() == 0) return;
  bool is_float = actual.dtype() == DType::float32 || actual.dtype() == DType::float64;
  if (tol == 0 || !is_float) {
    ASSERT_EQ(std::memcmp(actual.data(), expected.data(), actual.nbytes()), 0)
        << where << "\n actual: " << actual << "\n expected: " << expected;
    return;
  }
  std::vector<double> a = actual.to_vector<double>(), e = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(e[i])) continue;
    if (a[i] == e[i]) continue;
    ASSERT_LE(std::abs(a[i] - e[i]), tol * (1 + std::abs(e[i])))
        << where << " at flat index " << i << "\n actual: " << actual
        << "\n expected: " << expected;
  }
}

// Stacks per-example results along `axis` (or makes the empty result for size 0).
inline Array stack_at(const std::vector<Array>& xs, int axis, const Array& example) {
  if (xs.empty()) {
    std::vector<int64_t> shape(example.shape().begin(), example.shape().end());
    int a = axis < 0 ? axis + static_cast<int>(shape.size()) + 1 : axis;
    shape.insert(shape.begin() + a, 0);
    return lax::convert_element_type(numpy::zeros(Shape(shape), example.dtype()), example.dtype(),
                                     example.weak_type());
  }
  return numpy::stack(xs, axis);
}

// The batched argument: the examples' values stacked along `axis`, or example 0's value.
inline Array batched_arg(const std::vector<std::vector<Array>>& examples, size_t arg, BatchDim axis,
                         int64_t size) {
  if (!axis) return examples[0][arg];
  std::vector<Array> xs;
  for (int64_t b = 0; b < size; ++b) xs.push_back(examples[static_cast<size_t>(b)][arg]);
  return stack_at(xs, *axis, examples[0][arg]);
}

inline AxisSpec spec_of(const std::vector<BatchDim>& axes) {
  std::vector<AxisSpec> items;
  for (BatchDim a : axes) items.push_back(a ? AxisSpec(*a) : AxisSpec(none));
  return AxisSpec::sequence({AxisSpec::sequence(items)});
}

// All in_axes choices: each argument none or one of its ndim + 1 positions.
inline std::vector<std::vector<BatchDim>> all_in_axes(const std::vector<Array>& example,
                                                      const std::vector<bool>& never_mapped) {
  std::vector<std::vector<BatchDim>> out{{}};
  for (size_t i = 0; i < example.size(); ++i) {
    std::vector<std::vector<BatchDim>> next;
    for (const auto& prefix : out) {
      auto with = prefix;
      with.push_back(std::nullopt);
      next.push_back(with);
      if (i < never_mapped.size() && never_mapped[i]) continue;
      for (int a = 0; a <= example[i].ndim(); ++a) {
        with = prefix;
        with.push_back(a);
        next.push_back(with);
      }
    }
    out = std::move(next);
  }
  return out;
}

}  // namespace detail

// check_jit: jit(f) equals f on the example (the same kernels run: bit for bit, except where
// `tol` allows a traced path to differ from a concrete one), and a second call does not retrace.
inline void check_jit(const std::string& name, const Fn& f, const std::vector<Array>& example,
                      const std::vector<Array>& expected, double tol) {
  auto jf = jit([&f](const std::vector<Array>& args) { return f(args); });
  for (int call = 0; call < 2; ++call) {
    std::vector<Array> actual;
    try {
      actual = jf(example);
    } catch (const std::exception& e) {
      ADD_FAILURE() << name << " under jit: threw " << e.what();
      return;
    }
    ASSERT_EQ(actual.size(), expected.size()) << name << " under jit";
    for (size_t k = 0; k < actual.size(); ++k) {
      detail::expect_same(actual[k], expected[k], expected[k].weak_type(), tol,
                          name + " under jit, result " + std::to_string(k));
    }
  }
  EXPECT_EQ(jf.trace_count(), 1) << name << ": the second call with one signature retraced";
}

// Checks vmap(f) against a loop for every in/out axis choice, and jit(f) and vmap(jit(f))
// against f and vmap(f). `name` labels failures.
inline void check_vmap(const std::string& name, const Fn& f, const Gen& gen,
                       const VmapCheck& opt = {}) {
  std::vector<Array> example = gen(0);
  std::vector<Array> example_out = f(example);
  check_jit(name, f, example, example_out, opt.tol);
  bool checked_vmap_of_jit = false;
  for (int64_t size : {int64_t{3}, int64_t{0}}) {
    if (size == 0 && !opt.empty_batch) continue;
    std::vector<std::vector<Array>> examples;
    for (int64_t b = 0; b < std::max<int64_t>(size, 1); ++b) examples.push_back(gen(100 + b));
    for (const auto& in_axes : detail::all_in_axes(example, opt.never_mapped)) {
      bool any = false;
      for (BatchDim a : in_axes) any |= a.has_value();
      if (!any) continue;
      std::vector<Array> args;
      for (size_t i = 0; i < example.size(); ++i) {
        args.push_back(detail::batched_arg(examples, i, in_axes[i], size));
      }
      for (int out_axis : {0, -1}) {
        std::string where = name + " " + detail::describe(in_axes, out_axis, size);
        std::vector<Array> actual;
        try {
          actual = vmap(f, detail::spec_of(in_axes), out_axis)(args);
        } catch (const std::exception& e) {
          ADD_FAILURE() << where << ": threw " << e.what();
          continue;
        }
        ASSERT_EQ(actual.size(), example_out.size()) << where;
        if (!checked_vmap_of_jit && size > 0) {
          // The jit primitive's batch rule: the body batched as one program.
          checked_vmap_of_jit = true;
          auto jf = jit([&f](const std::vector<Array>& a) { return f(a); });
          std::vector<Array> via_jit = vmap(jf, detail::spec_of(in_axes), out_axis)(args);
          for (size_t k = 0; k < actual.size(); ++k) {
            detail::expect_same(via_jit[k], actual[k], actual[k].weak_type(), opt.tol,
                                where + " vmap of jit, result " + std::to_string(k));
          }
        }
        for (size_t k = 0; k < actual.size(); ++k) {
          std::vector<Array> per_example;
          for (int64_t b = 0; b < size; ++b) {
            std::vector<Array> ex;
            for (size_t i = 0; i < example.size(); ++i) {
              ex.push_back(in_axes[i] ? examples[static_cast<size_t>(b)][i] : examples[0][i]);
            }
            per_example.push_back(f(ex)[k]);
          }
          detail::expect_same(actual[k], detail::stack_at(per_example, out_axis, example_out[k]),
                              example_out[k].weak_type(), opt.tol,
                              where + " result " + std::to_string(k));
        }
      }
    }
  }
  if (!opt.nested) return;
  // vmap of vmap: the inner vmap maps every mappable argument along its last axis, the outer
  // along axis 0 or not at all; compared with a double loop.
  const int64_t outer = 2, inner = 3;
  std::vector<std::vector<std::vector<Array>>> grid(outer);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) grid[o].push_back(gen(1000 + o * inner + i));
  }
  for (int choice = 0; choice < 2; ++choice) {
    std::vector<BatchDim> inner_axes, outer_axes;
    for (size_t a = 0; a < example.size(); ++a) {
      bool fixed = a < opt.never_mapped.size() && opt.never_mapped[a];
      inner_axes.push_back(fixed ? BatchDim() : BatchDim(example[a].ndim()));
      // choice 0: every argument mapped by both; choice 1: the first argument only by the inner.
      outer_axes.push_back(fixed || (choice == 1 && a == 0) ? BatchDim() : BatchDim(0));
    }
    bool outer_any = false, inner_any = false;
    for (size_t a = 0; a < example.size(); ++a) {
      outer_any |= outer_axes[a].has_value();
      inner_any |= inner_axes[a].has_value();
    }
    if (!outer_any || !inner_any) continue;
    std::vector<Array> args;
    for (size_t a = 0; a < example.size(); ++a) {
      if (!inner_axes[a]) {
        args.push_back(grid[0][0][a]);
        continue;
      }
      std::vector<Array> rows;
      for (int64_t o = 0; o < (outer_axes[a] ? outer : 1); ++o) {
        std::vector<Array> cols;
        for (int64_t i = 0; i < inner; ++i) cols.push_back(grid[o][i][a]);
        rows.push_back(numpy::stack(cols, *inner_axes[a]));
      }
      args.push_back(outer_axes[a] ? numpy::stack(rows, 0) : rows[0]);
    }
    std::string where = name + " nested " + detail::describe(inner_axes, 0, inner) + " inside " +
                        detail::describe(outer_axes, 0, outer);
    std::vector<Array> actual;
    try {
      auto inner_f = vmap(f, detail::spec_of(inner_axes), 0);
      actual = vmap(inner_f, detail::spec_of(outer_axes), 0)(args);
    } catch (const std::exception& e) {
      ADD_FAILURE() << where << ": threw " << e.what();
      continue;
    }
    for (size_t k = 0; k < actual.size(); ++k) {
      std::vector<Array> rows;
      for (int64_t o = 0; o < outer; ++o) {
        std::vector<Array> cols;
        for (int64_t i = 0; i < inner; ++i) {
          std::vector<Array> ex;
          for (size_t a = 0; a < example.size(); ++a) {
            if (!inner_axes[a]) {
              ex.push_back(grid[0][0][a]);
            } else {
              ex.push_back(grid[outer_axes[a] ? o : 0][i][a]);
            }
          }
          cols.push_back(f(ex)[k]);
        }
        rows.push_back(numpy::stack(cols, 0));
      }
      detail::expect_same(actual[k], numpy::stack(rows, 0), example_out[k].weak_type(), opt.tol,
                          where + " result " + std::to_string(k));
    }
  }
}

// Shorthand for single-result functions of a fixed list of arguments.
inline Fn fn1(std::function<Array(const std::vector<Array>&)> f) {
  return [f](const std::vector<Array>& a) { return std::vector<Array>{f(a)}; };
}

}  // namespace jx::testing
