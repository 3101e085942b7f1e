// Elementwise primitives of other arities and the dtype conversions: select_n, clamp,
// convert_element_type and bitcast_convert_type.
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <type_traits>
#include <variant>

#include "interpreters/ad.h"
#include "interpreters/batching.h"
#include "interpreters/transpose.h"
#include "ir/ops.h"
#include "jx/lax.h"
#include "primitives/def.h"
#include "primitives/families.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

// ---- select_n ------------------------------------------------------------------------------

std::vector<ShapedArray> select_n_abstract_eval(std::span<const ShapedArray> in, const Params&) {
  if (in.size() < 2) throw ValueError("select_n: select must have at least one case");
  const ShapedArray& which = in[0];
  std::span<const ShapedArray> cases = in.subspan(1);
  for (const auto& c : cases) {
    if (!(c.shape == cases[0].shape)) {
      throw ShapeError("select_n: select cases must have the same shapes, got [" +
                       shapes_str(cases) + "].");
    }
  }
  if (which.ndim() != 0 && !(which.shape == cases[0].shape)) {
    throw ShapeError(
        "select_n: select `which` must be scalar or have the same shape as cases, got `which` "
        "shape " +
        which.shape.str() + " but case shape " + cases[0].shape.str() + ".");
  }
  check_same_dtypes("select_n", cases);
  if (!is_bool(which.dtype) && !is_integer(which.dtype)) {
    throw DTypeError("select_n: select `which` must be boolean or integer type, got " +
                     std::string(dtype_name(which.dtype)) + ".");
  }
  if (is_bool(which.dtype) && cases.size() > 2) {
    throw DTypeError("select_n: select with boolean `which` cannot have > 2 cases, got " +
                     std::to_string(cases.size()) + ".");
  }
  return single(ShapedArray{cases[0].shape, cases[0].dtype, all_weak(cases)});
}

// An out-of-range integer `which` picks the nearest case (XLA lowers select_n to a tree of
// `which < k` comparisons, which behaves so).
template <class W>
int64_t case_index(W w, int64_t num_cases) {
  if constexpr (std::is_same_v<W, bool>) {
    return w && num_cases > 1 ? 1 : 0;
  } else {
    if constexpr (std::is_signed_v<W>) {
      if (w < 0) return 0;
    }
    return static_cast<uint64_t>(w) >= static_cast<uint64_t>(num_cases) ? num_cases - 1
                                                                        : static_cast<int64_t>(w);
  }
}

std::vector<Array> select_n_impl(std::span<const Array> in, const Params&,
                                 const KernelOutputs& out) {
  Array result = out.make(0);
  const int64_t n = result.size();
  const int64_t num_cases = static_cast<int64_t>(in.size()) - 1;
  const bool scalar_which = in[0].ndim() == 0;
  if (n == 0) return single(std::move(result));
  dispatch_dtype(result.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    std::vector<const T*> cases(static_cast<size_t>(num_cases));
    for (int64_t k = 0; k < num_cases; ++k) cases[k] = typed_data<T>(in[k + 1]);
    T* o = mutable_data<T>(result);
    dispatch_dtype(in[0].dtype(), [&](auto wtag) {
      using W = typename decltype(wtag)::type;
      if constexpr (!std::is_floating_point_v<W>) {
        const W* w = typed_data<W>(in[0]);
        if (scalar_which) {
          std::memcpy(o, cases[case_index(w[0], num_cases)], n * sizeof(T));
        } else if (num_cases == 2) {
          const T* c0 = cases[0];
          const T* c1 = cases[1];
          int64_t grain = std::max<int64_t>(cpu::kParallelBytes / int64_t(3 * sizeof(T)), 1);
          cpu::parallel_for(n, grain, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) o[i] = case_index(w[i], 2) ? c1[i] : c0[i];
          });
        } else {
          int64_t grain = std::max<int64_t>(cpu::kParallelBytes / int64_t(3 * sizeof(T)), 1);
          cpu::parallel_for(n, grain, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) o[i] = cases[case_index(w[i], num_cases)][i];
          });
        }
      }
    });
  });
  return single(std::move(result));
}

// ---- clamp ---------------------------------------------------------------------------------

std::vector<ShapedArray> clamp_abstract_eval(std::span<const ShapedArray> in, const Params&) {
  check_arity("clamp", in, 3);
  const ShapedArray& lo = in[0];
  const ShapedArray& x = in[1];
  const ShapedArray& hi = in[2];
  if (lo.ndim() != 0 && !(lo.shape == x.shape)) {
    throw ShapeError("clamp requires min.shape == operand.shape or min.shape == (), got " +
                     lo.shape.str() + " (operand shape " + x.shape.str() + ").");
  }
  if (hi.ndim() != 0 && !(hi.shape == x.shape)) {
    throw ShapeError("clamp requires max.shape == operand.shape or max.shape == (), got " +
                     hi.shape.str() + " (operand shape " + x.shape.str() + ").");
  }
  check_same_dtypes("clamp", in);
  return single(ShapedArray{x.shape, x.dtype, all_weak(in)});
}

// XLA's clamp is min(max(x, lo), hi) with NaN-propagating max/min.
template <class T>
T clamp_op(T lo, T x, T hi) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(lo) || std::isnan(x) || std::isnan(hi)) {
      return std::numeric_limits<T>::quiet_NaN();
    }
  }
  T y = x < lo ? lo : x;
  return y > hi ? hi : y;
}

std::vector<Array> clamp_impl(std::span<const Array> in, const Params&, const KernelOutputs& out) {
  Array result = out.make(0);
  const int64_t n = result.size();
  const bool scalar_lo = in[0].ndim() == 0;
  const bool scalar_hi = in[2].ndim() == 0;
  if (n == 0) return single(std::move(result));
  dispatch_dtype(result.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* lo = typed_data<T>(in[0]);
    const T* x = typed_data<T>(in[1]);
    const T* hi = typed_data<T>(in[2]);
    T* o = mutable_data<T>(result);
    int64_t grain = std::max<int64_t>(cpu::kParallelBytes / int64_t(4 * sizeof(T)), 1);
    // Separate loops per case keep the inner loops free of index selection (vectorisable).
    cpu::parallel_for(n, grain, [&](int64_t b, int64_t e) {
      if (scalar_lo && scalar_hi) {
        const T l = lo[0], h = hi[0];
        for (int64_t i = b; i < e; ++i) o[i] = clamp_op(l, x[i], h);
      } else if (scalar_lo) {
        const T l = lo[0];
        for (int64_t i = b; i < e; ++i) o[i] = clamp_op(l, x[i], hi[i]);
      } else if (scalar_hi) {
        const T h = hi[0];
        for (int64_t i = b; i < e; ++i) o[i] = clamp_op(lo[i], x[i], h);
      } else {
        for (int64_t i = b; i < e; ++i) o[i] = clamp_op(lo[i], x[i], hi[i]);
      }
    });
  });
  return single(std::move(result));
}

// ---- convert_element_type ------------------------------------------------------------------

// One element converted as XLA's ConvertElementType does on CPU: to bool is x != 0; float to
// integer truncates toward zero, saturates out-of-range values (and infinities) to the integer
// range and maps NaN to 0; integer to integer wraps modulo 2^bits.
template <class To, class From>
To convert_value(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    // Both bounds are powers of two (or 0), so they are exact in From.
    const From lo = static_cast<From>(std::numeric_limits<To>::min());
    const From hi = std::ldexp(From(1), std::numeric_limits<To>::digits);
    if (std::isnan(x)) return To(0);
    if (x <= lo) return std::numeric_limits<To>::min();
    if (x >= hi) return std::numeric_limits<To>::max();
    return static_cast<To>(x);
  } else {
    return static_cast<To>(x);
  }
}

template <class From>
void convert_buffer(const From* src, DType to, void* dst, int64_t n) {
  dispatch_dtype(to, [&](auto tag) {
    using To = typename decltype(tag)::type;
    map_unary(src, static_cast<To*>(dst), n, [](From v) { return convert_value<To>(v); });
  });
}

std::vector<ShapedArray> convert_element_type_abstract_eval(std::span<const ShapedArray> in,
                                                            const Params& params) {
  check_arity("convert_element_type", in, 1);
  DType new_dtype = params.get_dtype("new_dtype");
  bool weak = params.has("weak_type") && params.get_bool("weak_type");
  return single(ShapedArray{in[0].shape, new_dtype, weak});
}

std::vector<Array> convert_element_type_impl(std::span<const Array> in, const Params&,
                                             const KernelOutputs& out) {
  const Array& x = in[0];
  const ArrayImpl& impl = *x.impl();
  if (x.dtype() == out[0].dtype) {
    // Arrays are immutable, so only the aval (weak_type) changes: share the buffer.
    Array view = make_view(out[0], impl.buffer, impl.offset);
    if (out[0].weak_type) view.impl()->literal = impl.literal;
    return single(std::move(view));
  }
  Array result = out.make(0);
  const int64_t n = result.size();
  // A weak scalar made from a C++ number remembers its exact value; converting that (not the
  // float32/int32 it was rounded to) is what makes `f64_array * 0.1` see 0.1 in double.
  if (x.weak_type() && x.ndim() == 0 && !std::holds_alternative<std::monostate>(impl.literal)) {
    std::visit(
        [&](auto v) {
          if constexpr (!std::is_same_v<decltype(v), std::monostate>) {
            convert_buffer(&v, out[0].dtype, mutable_data(result), 1);
          }
        },
        impl.literal);
    return single(std::move(result));
  }
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using From = typename decltype(tag)::type;
    if constexpr (std::is_same_v<From, bool>) {
      // Read bools as their bytes (0 or 1): the loop then vectorises (a bool load does not).
      convert_buffer(static_cast<const uint8_t*>(array_data(x)), out[0].dtype, mutable_data(result),
                     n);
    } else {
      convert_buffer(typed_data<From>(x), out[0].dtype, mutable_data(result), n);
    }
  });
  return single(std::move(result));
}

// ---- bitcast_convert_type ------------------------------------------------------------------

std::vector<ShapedArray> bitcast_convert_type_abstract_eval(std::span<const ShapedArray> in,
                                                            const Params& params) {
  check_arity("bitcast_convert_type", in, 1);
  const ShapedArray& x = in[0];
  DType to = params.get_dtype("new_dtype");
  if ((is_bool(x.dtype) || is_bool(to)) && x.dtype != to) {
    throw DTypeError(
        "`bitcast_convert_type` for operand type (" + std::string(dtype_name(x.dtype)) +
        ") cannot have different destination type (" + std::string(dtype_name(to)) + ")");
  }
  const size_t from_size = itemsize(x.dtype), to_size = itemsize(to);
  Shape shape = x.shape;
  if (from_size > to_size) {
    shape.push_back(static_cast<int64_t>(from_size / to_size));
  } else if (from_size < to_size) {
    int64_t last = x.ndim() ? x.shape[x.ndim() - 1] : 1;
    if (last * static_cast<int64_t>(from_size) != static_cast<int64_t>(to_size)) {
      throw ShapeError("bitcast_convert_type: Attempting to convert array of shape " +
                       x.shape.str() + " from " + std::string(dtype_name(x.dtype)) + " of size " +
                       std::to_string(from_size) + " to " + std::string(dtype_name(to)) +
                       " of size " + std::to_string(to_size) + ", but " + std::to_string(last) +
                       " * " + std::to_string(from_size) + " != " + std::to_string(to_size));
    }
    shape = Shape(x.shape.begin(), x.shape.end() - 1);
  }
  return single(ShapedArray{shape, to, false});
}

std::vector<Array> bitcast_convert_type_impl(std::span<const Array> in, const Params&,
                                             const KernelOutputs& out) {
  // Same bytes in the same row-major order, so the result can be a view of the operand's
  // buffer, unless the operand starts at an offset misaligned for the new element type.
  const ArrayImpl& impl = *in[0].impl();
  if (impl.offset % itemsize(out[0].dtype) == 0) {
    return single(make_view(out[0], impl.buffer, impl.offset));
  }
  Array result = out.make(0);
  if (result.nbytes()) std::memcpy(mutable_data(result), array_data(in[0]), result.nbytes());
  return single(std::move(result));
}

// ---- batch rules ---------------------------------------------------------------------------

// A change of itemsize splits each element into a new last axis or merges the last axis into
// one element. The batch axis stays where it is, unless it is the last axis of a merging operand:
// then it swaps with the example's last axis (which the op consumes).
std::pair<std::vector<Array>, std::vector<BatchDim>> bitcast_convert_type_batch(
    std::span<const Array> in, std::span<const BatchDim> dims, const Params& params,
    const AxisData&) {
  const Array& x = in[0];
  int d = *dims[0];
  const DType to = params.get_dtype("new_dtype");
  if (itemsize(x.dtype()) < itemsize(to) && x.ndim() == 1) {
    // One example is a scalar: merging needs an axis it does not have. The shape rule on the
    // example's aval raises the error (the batched operand could pass it).
    const std::vector<ShapedArray> example{ShapedArray{Shape{}, x.dtype(), false}};
    rules(Prim::bitcast_convert_type).abstract_eval(example, params);
  }
  if (itemsize(x.dtype()) < itemsize(to) && d == x.ndim() - 1) {
    return batching::one(lax::bitcast_convert_type(batching::moveaxis(x, d, d - 1), to), d - 1);
  }
  return batching::one(lax::bitcast_convert_type(x, to), d);
}

// ---- jvp and transpose rules (JAX's, in lax.py), written with lax primitives --------------

// select_n picks the tangents as it picks the primals; zero tangents are instantiated unless
// all of them are zero.
std::pair<std::vector<Array>, std::vector<Array>> select_n_jvp(std::span<const Array> primals,
                                                               std::span<const Array> tangents,
                                                               const Params&) {
  const Array& which = primals[0];
  std::vector<Array> cases(primals.begin() + 1, primals.end());
  std::vector<Array> outs{lax::select_n(which, cases)};
  bool all_zero = true;
  for (size_t k = 1; k < tangents.size(); ++k) all_zero = all_zero && ad::is_zero(tangents[k]);
  if (all_zero) return {std::move(outs), {Array()}};
  std::vector<Array> case_tangents;
  for (size_t k = 1; k < tangents.size(); ++k) {
    case_tangents.push_back(ad::instantiate(tangents[k], primals[k]));
  }
  return {std::move(outs), {lax::select_n(which, case_tangents)}};
}

// Linear in the cases (`which` is a residual): each linear case gets the cotangent where it was
// selected and zero elsewhere.
std::vector<Array> select_n_transpose(std::span<const Array> cts, std::span<const Array> args,
                                      std::span<const ShapedArray>, const Params&) {
  const Array& ct = cts[0];
  Array zeros = ad::full_like(0, ct);
  std::vector<Array> out(args.size());
  for (size_t k = 1; k < args.size(); ++k) {
    if (args[k].valid()) continue;
    std::vector<Array> cases(args.size() - 1, zeros);
    cases[k - 1] = ct;
    out[k] = lax::select_n(args[0], cases);
  }
  return out;
}

// The tangent converted to the new dtype; none where that dtype has no tangent space (float
// to int or bool), and none from an integer/bool operand (its tangent is always zero).
std::pair<std::vector<Array>, std::vector<Array>> convert_element_type_jvp(
    std::span<const Array> primals, std::span<const Array> tangents, const Params& params) {
  const DType to = params.get_dtype("new_dtype");
  const bool weak = params.has("weak_type") && params.get_bool("weak_type");
  std::vector<Array> outs{lax::convert_element_type(primals[0], to, weak)};
  if (ad::is_zero(tangents[0]) || !is_floating(to)) return {std::move(outs), {Array()}};
  return {std::move(outs), {lax::convert_element_type(tangents[0], to, weak)}};
}

// Linear between float dtypes: the cotangent converts back to the operand's dtype.
Array convert_element_type_transpose(const Array& ct, const ShapedArray& in, std::span<const Array>,
                                     const Params&) {
  return lax::convert_element_type(ct, in.dtype, in.weak_type);
}

// clamp(lo, x, hi): the tangent of whichever operand the result equals, as JAX splits it.
JvpRule clamp_jvp() {
  using namespace lax;
  auto select = [](const Array& pred, const Array& on_true, const Array& x) {
    return select_n(pred, {ad::full_like(0, x), ad::broadcast_like(on_true, x)});
  };
  ad::PartialJvp d_lo = [select](const Array& g, std::span<const Array> p, const Array&,
                                 const Params&) {
    return select(bitwise_and(gt(p[0], p[1]), lt(p[0], p[2])), g, p[1]);
  };
  ad::PartialJvp d_x = [select](const Array& g, std::span<const Array> p, const Array&,
                                const Params&) {
    return select(bitwise_and(gt(p[1], p[0]), lt(p[1], p[2])), g, p[1]);
  };
  ad::PartialJvp d_hi = [select](const Array& g, std::span<const Array> p, const Array&,
                                 const Params&) { return select(lt(p[2], p[1]), g, p[1]); };
  return ad::defjvp(Prim::clamp, {d_lo, d_x, d_hi});
}

}  // namespace

void register_elementwise() {
  def(Prim::select_n)
      .shape(select_n_abstract_eval)
      .impl(select_n_impl)
      .batch(batching::broadcasting(Prim::select_n, {true, false}))
      .jvp(select_n_jvp)
      .transpose(select_n_transpose);
  def(Prim::clamp)
      .shape(clamp_abstract_eval)
      .impl(clamp_impl)
      .batch(batching::broadcasting(Prim::clamp, {true, false, true}))
      .jvp(clamp_jvp());
  def(Prim::convert_element_type)
      .shape(convert_element_type_abstract_eval)
      .impl(convert_element_type_impl)
      .batch(batching::vectorized(Prim::convert_element_type))
      .jvp(convert_element_type_jvp)
      .transpose(ad::deftranspose({convert_element_type_transpose}));
  // Reinterpreted bits are not a differentiable function of the operand (JAX: defjvp_zero).
  def(Prim::bitcast_convert_type)
      .shape(bitcast_convert_type_abstract_eval)
      .impl(bitcast_convert_type_impl)
      .batch(bitcast_convert_type_batch)
      .jvp(ad::zero_jvp(Prim::bitcast_convert_type));
}

}  // namespace jx::primitives

namespace jx::lax {

Array select_n(const Array& which, const std::vector<Array>& cases) {
  std::vector<Array> args;
  args.reserve(cases.size() + 1);
  args.push_back(which);
  args.insert(args.end(), cases.begin(), cases.end());
  return bind1(Prim::select_n, std::span<const Array>(args));
}

Array clamp(const Array& lo, const Array& x, const Array& hi) {
  return bind1(Prim::clamp, {lo, x, hi});
}

Array convert_element_type(const Array& x, DType new_dtype, bool weak_type) {
  return ops::convert_element_type(x, new_dtype, weak_type);
}

Array bitcast_convert_type(const Array& x, DType new_dtype) {
  return bind1(Prim::bitcast_convert_type, {x}, Params{{"new_dtype", new_dtype}});
}

}  // namespace jx::lax
