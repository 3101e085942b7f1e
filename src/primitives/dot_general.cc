// dot_general: XLA's DotGeneral (contraction with batch dimensions), plus lax.dot. Params:
// "lhs_contracting_dimensions", "rhs_contracting_dimensions", "lhs_batch_dimensions",
// "rhs_batch_dimensions" and, optionally, "preferred_element_type". Output dims: batch, lhs
// free, rhs free. The kernel maps every case onto a batched GEMM [B, M, K] x [B, K, N], reading
// the operands in place whenever their free and contracting dims each form one strided run, and
// packing a transposed copy only when they do not.
#include <algorithm>
#include <numeric>
#include <optional>
#include <type_traits>

#include "backend/cpu/gemm.h"
#include "backend/cpu/thread_pool.h"
#include "interpreters/ad.h"
#include "interpreters/batching.h"
#include "interpreters/transpose.h"
#include "jx/lax.h"
#include "primitives/def.h"
#include "primitives/families.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

std::string tuple_str(const std::vector<int64_t>& v) { return Shape(v).str(); }

struct DimNumbers {
  const std::vector<int64_t>& lc;
  const std::vector<int64_t>& rc;
  const std::vector<int64_t>& lb;
  const std::vector<int64_t>& rb;
  explicit DimNumbers(const Params& p)
      : lc(p.get_ints("lhs_contracting_dimensions")),
        rc(p.get_ints("rhs_contracting_dimensions")),
        lb(p.get_ints("lhs_batch_dimensions")),
        rb(p.get_ints("rhs_batch_dimensions")) {}
};

// Dims of an operand of rank nd that are neither contracting nor batch, ascending.
std::vector<int64_t> free_dims(int nd, const std::vector<int64_t>& contracting,
                               const std::vector<int64_t>& batch) {
  std::vector<int64_t> out;
  for (int64_t d = 0; d < nd; ++d) {
    if (std::find(contracting.begin(), contracting.end(), d) == contracting.end() &&
        std::find(batch.begin(), batch.end(), d) == batch.end()) {
      out.push_back(d);
    }
  }
  return out;
}

std::vector<int64_t> take(const Shape& s, const std::vector<int64_t>& dims) {
  std::vector<int64_t> out;
  for (int64_t d : dims) out.push_back(s[static_cast<size_t>(d)]);
  return out;
}

bool distinct(const std::vector<int64_t>& v) {
  std::vector<int64_t> s = v;
  std::sort(s.begin(), s.end());
  return std::adjacent_find(s.begin(), s.end()) == s.end();
}

bool disjoint(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  for (int64_t x : a) {
    if (std::find(b.begin(), b.end(), x) != b.end()) return false;
  }
  return true;
}

// JAX's _validate_preferred_element_type, for jx's dtypes.
void check_preferred(DType input, DType preferred, const std::string& where) {
  if (is_integer(input) && is_floating(preferred)) {
    // integer -> float accumulation is allowed, whatever the signedness
  } else {
    if ((is_integer(input) && !is_integer(preferred)) ||
        (is_floating(input) && !is_floating(preferred))) {
      throw DTypeError(
          "dot_general: Input type is incompatible with `preferred_element_type`. The "
          "compatible combinations of (input_type, preferred_element_type) are (integral, "
          "integral), (integral, floating), (floating, floating); got (" +
          std::string(dtype_name(input)) + ", " + std::string(dtype_name(preferred)) + ")" + where);
    }
    if (is_signed_integer(input) && !is_signed_integer(preferred)) {
      throw DTypeError(
          "dot_general: `preferred_element_type` must have the same signedness as the original "
          "type; got " +
          std::string(dtype_name(input)) + " and " + std::string(dtype_name(preferred)) + where);
    }
  }
  if (itemsize(preferred) < itemsize(input)) {
    throw DTypeError(
        "dot_general: `preferred_element_type` must not be narrower than the original type; "
        "got " +
        std::string(dtype_name(input)) + " and " + std::string(dtype_name(preferred)) + where);
  }
}

std::vector<ShapedArray> dot_general_abstract_eval(std::span<const ShapedArray> in,
                                                   const Params& params) {
  check_arity("dot_general", in, 2);
  const ShapedArray &lhs = in[0], &rhs = in[1];
  const DimNumbers dn(params);
  const std::string where = " (lhs " + lhs.str() + ", rhs " + rhs.str() + ")";
  auto in_range = [](const std::vector<int64_t>& dims, int nd) {
    return std::all_of(dims.begin(), dims.end(), [&](int64_t d) { return d >= 0 && d < nd; });
  };
  if (!in_range(dn.lc, lhs.ndim()) || !in_range(dn.lb, lhs.ndim())) {
    throw IndexError(
        "dot_general requires lhs dimension numbers to be nonnegative and less than the number "
        "of axes of the lhs value, got lhs_batch of " +
        tuple_str(dn.lb) + " and lhs_contracting of " + tuple_str(dn.lc) + " for lhs of rank " +
        std::to_string(lhs.ndim()) + where);
  }
  if (!in_range(dn.rc, rhs.ndim()) || !in_range(dn.rb, rhs.ndim())) {
    throw IndexError(
        "dot_general requires rhs dimension numbers to be nonnegative and less than the number "
        "of axes of the rhs value, got rhs_batch of " +
        tuple_str(dn.rb) + " and rhs_contracting of " + tuple_str(dn.rc) + " for rhs of rank " +
        std::to_string(rhs.ndim()) + where);
  }
  if (dn.lb.size() != dn.rb.size()) {
    throw ShapeError(
        "dot_general requires equal numbers of lhs_batch and rhs_batch dimensions, got "
        "lhs_batch " +
        tuple_str(dn.lb) + " and rhs_batch " + tuple_str(dn.rb) + "." + where);
  }
  auto require = [&](bool ok, const std::string& what) {
    if (!ok) throw ValueError("dot_general requires " + what + "." + where);
  };
  require(distinct(dn.lb),
          "lhs batch dimensions to be distinct, got lhs_batch " + tuple_str(dn.lb));
  require(distinct(dn.rb),
          "rhs batch dimensions to be distinct, got rhs_batch " + tuple_str(dn.rb));
  require(distinct(dn.lc),
          "lhs contracting dimensions to be distinct, got lhs_contracting " + tuple_str(dn.lc));
  require(distinct(dn.rc),
          "rhs contracting dimensions to be distinct, got rhs_contracting " + tuple_str(dn.rc));
  require(disjoint(dn.lb, dn.lc),
          "lhs batch dimensions to be disjoint from contracting dimensions, got lhs_batch " +
              tuple_str(dn.lb) + " and lhs_contracting " + tuple_str(dn.lc));
  require(disjoint(dn.rb, dn.rc),
          "rhs batch dimensions to be disjoint from contracting dimensions, got rhs_batch " +
              tuple_str(dn.rb) + " and rhs_contracting " + tuple_str(dn.rc));
  const auto lbs = take(lhs.shape, dn.lb), rbs = take(rhs.shape, dn.rb);
  if (lbs != rbs) {
    throw ShapeError(
        "dot_general requires lhs batch dimensions and rhs batch dimensions to have the same "
        "shape, got " +
        tuple_str(lbs) + " and " + tuple_str(rbs) + "." + where);
  }
  const auto lcs = take(lhs.shape, dn.lc), rcs = take(rhs.shape, dn.rc);
  if (lcs != rcs) {
    throw ShapeError("dot_general requires contracting dimensions to have the same shape, got " +
                     tuple_str(lcs) + " and " + tuple_str(rcs) + "." + where);
  }
  if (lhs.dtype != rhs.dtype) {
    throw DTypeError("lax.dot_general requires arguments to have the same dtypes, got " +
                     std::string(dtype_name(lhs.dtype)) + ", " +
                     std::string(dtype_name(rhs.dtype)) +
                     ". (Tip: jnp.dot and jnp.matmul promote their inputs.)" + where);
  }
  DType out_dtype = lhs.dtype;
  if (params.has("preferred_element_type")) {
    out_dtype = params.get_dtype("preferred_element_type");
    check_preferred(lhs.dtype, out_dtype, where);
  }
  Shape out(lbs.begin(), lbs.end());
  for (int64_t d : free_dims(lhs.ndim(), dn.lc, dn.lb)) out.push_back(lhs.shape[size_t(d)]);
  for (int64_t d : free_dims(rhs.ndim(), dn.rc, dn.rb)) out.push_back(rhs.shape[size_t(d)]);
  return single(ShapedArray{out, out_dtype, all_weak(in)});
}

// How a [rows, cols] matrix made of the given dims of a contiguous array can be read in place:
// each group of dims must merge into one strided run, and one of the two runs must have unit
// stride. nullopt when it cannot.
struct View {
  bool trans = false;
  int64_t ld = 1;
};
std::optional<View> plan_view(const Shape& shape, const std::vector<int64_t>& rows,
                              const std::vector<int64_t>& cols) {
  const std::vector<int64_t> strides = contiguous_strides(shape);
  // The stride of a merged run (0 when the group has no dim of size > 1), or -1.
  auto run_stride = [&](const std::vector<int64_t>& dims) -> int64_t {
    std::vector<int64_t> big;
    for (int64_t d : dims) {
      if (shape[size_t(d)] != 1) big.push_back(d);
    }
    if (big.empty()) return 0;
    for (size_t i = 0; i + 1 < big.size(); ++i) {
      if (strides[size_t(big[i])] != strides[size_t(big[i + 1])] * shape[size_t(big[i + 1])]) {
        return -1;
      }
    }
    return strides[size_t(big.back())];
  };
  auto extent = [&](const std::vector<int64_t>& dims) {
    int64_t n = 1;
    for (int64_t d : dims) n *= shape[size_t(d)];
    return std::max<int64_t>(n, 1);
  };
  const int64_t rs = run_stride(rows), cs = run_stride(cols);
  if (rs < 0 || cs < 0) return std::nullopt;
  const int64_t nr = extent(rows), nc = extent(cols);
  if (cs <= 1) {  // row-major: element (r, c) at r * ld + c
    const int64_t ld = rs == 0 ? nc : rs;
    if (ld >= nc) return View{false, ld};
  }
  if (rs <= 1) {  // column-major: element (r, c) at c * ld + r
    const int64_t ld = cs == 0 ? nr : cs;
    if (ld >= nr) return View{true, ld};
  }
  return std::nullopt;
}

// x converted elementwise to `to` (for preferred_element_type).
Array convert_to(const Array& x, DType to) {
  Array out = make_array(x.shape(), to);
  dispatch_dtype(x.dtype(), [&](auto st) {
    using S = typename decltype(st)::type;
    dispatch_dtype(to, [&](auto dt) {
      using D = typename decltype(dt)::type;
      map_unary(typed_data<S>(x), mutable_data<D>(out), x.size(),
                [](S v) { return static_cast<D>(v); });
    });
  });
  return out;
}

std::vector<int64_t> concat(std::initializer_list<const std::vector<int64_t>*> parts) {
  std::vector<int64_t> out;
  for (const auto* p : parts) out.insert(out.end(), p->begin(), p->end());
  return out;
}

// A product without contraction (or over dimensions of size 1): each element is one product,
// exact, as XLA computes it (its simplifier makes such a dot a multiply of broadcasts), never
// an accumulation from 0 (which would turn -0 into +0). out[b, m, n] = lhs[b, m] * rhs[b, n].
Array outer_product(const Array& lhs, const Array& rhs, const DimNumbers& dn,
                    const std::vector<int64_t>& lf, const std::vector<int64_t>& rf,
                    const cpu::GemmShape& gs, Array& result) {
  // Each operand as contiguous [batch, free] (contracting dims have size 1).
  auto packed = [](const Array& x, const std::vector<int64_t>& perm) {
    bool identity = true;
    for (size_t i = 0; i < perm.size(); ++i) identity &= perm[i] == static_cast<int64_t>(i);
    if (identity) return x;
    Array out = make_array(Shape(take(x.shape(), perm)), x.dtype());
    cpu::transpose_copy(x.dtype(), array_data(x), x.shape(), perm, mutable_data(out));
    return out;
  };
  std::vector<int64_t> lperm = dn.lb, rperm = dn.rb;
  lperm.insert(lperm.end(), lf.begin(), lf.end());
  lperm.insert(lperm.end(), dn.lc.begin(), dn.lc.end());
  rperm.insert(rperm.end(), rf.begin(), rf.end());
  rperm.insert(rperm.end(), dn.rc.begin(), dn.rc.end());
  const Array l = packed(lhs, lperm), r = packed(rhs, rperm);
  const int64_t M = gs.M, N = gs.N;
  dispatch_dtype(result.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      const T* a = typed_data<T>(l);
      const T* b = typed_data<T>(r);
      T* c = mutable_data<T>(result);
      cpu::parallel_for(gs.batch() * M,
                        std::max<int64_t>(1, cpu::kParallelBytes / (N * sizeof(T) + 1)),
                        [&](int64_t u0, int64_t u1) {
                          for (int64_t u = u0; u < u1; ++u) {
                            const T av = a[u];
                            const T* brow = b + (u / M) * N;
                            T* crow = c + u * N;
                            for (int64_t n = 0; n < N; ++n) crow[n] = av * brow[n];
                          }
                        });
    }
  });
  return std::move(result);
}

std::vector<Array> dot_general_impl(std::span<const Array> in, const Params& params,
                                    const KernelOutputs& out_avals) {
  const ShapedArray& out = out_avals[0];
  Array result = out_avals.make(0);
  if (out.size() == 0) return single(std::move(result));
  const DimNumbers dn(params);
  const DType ct = out.dtype;
  Array lhs = in[0].dtype() == ct ? in[0] : convert_to(in[0], ct);
  Array rhs = in[1].dtype() == ct ? in[1] : convert_to(in[1], ct);
  const Shape &ls = lhs.shape(), &rs = rhs.shape();
  const std::vector<int64_t> lf = free_dims(lhs.ndim(), dn.lc, dn.lb);
  const std::vector<int64_t> rf = free_dims(rhs.ndim(), dn.rc, dn.rb);

  cpu::GemmShape gs;
  gs.batch_sizes = take(ls, dn.lb);
  auto prod = [](const std::vector<int64_t>& v) {
    return std::accumulate(v.begin(), v.end(), int64_t{1}, std::multiplies<>());
  };
  gs.M = prod(take(ls, lf));
  gs.N = prod(take(rs, rf));
  gs.K = prod(take(ls, dn.lc));

  if (gs.K == 1 && is_floating(ct)) return single(outer_product(lhs, rhs, dn, lf, rf, gs, result));

  // The contracting pairs may be flattened into K in any order common to both operands; try
  // the user's order and each operand's memory order, and keep the one needing fewest copies.
  const size_t nc = dn.lc.size();
  std::vector<std::vector<size_t>> orders(3, std::vector<size_t>(nc));
  for (auto& o : orders) std::iota(o.begin(), o.end(), size_t{0});
  std::sort(orders[1].begin(), orders[1].end(),
            [&](size_t a, size_t b) { return dn.lc[a] < dn.lc[b]; });
  std::sort(orders[2].begin(), orders[2].end(),
            [&](size_t a, size_t b) { return dn.rc[a] < dn.rc[b]; });
  int64_t best_cost = -1;
  std::vector<int64_t> lc, rc;
  std::optional<View> lv, rv;
  for (const auto& order : orders) {
    std::vector<int64_t> lco, rco;
    for (size_t i : order) {
      lco.push_back(dn.lc[i]);
      rco.push_back(dn.rc[i]);
    }
    auto a = plan_view(ls, lf, lco);
    auto b = plan_view(rs, rco, rf);
    const int64_t cost = (a ? 0 : lhs.size()) + (b ? 0 : rhs.size());
    if (best_cost < 0 || cost < best_cost) {
      best_cost = cost;
      lc = lco;
      rc = rco;
      lv = a;
      rv = b;
    }
  }

  // An operand that cannot be viewed is packed as contiguous [batch..., rows, cols].
  auto operand = [&](const Array& x, const std::vector<int64_t>& batch,
                     const std::vector<int64_t>& rows, const std::vector<int64_t>& cols,
                     const std::optional<View>& view, int64_t ncols, Array& keep) {
    cpu::GemmOperand op;
    if (view) {
      const std::vector<int64_t> strides = contiguous_strides(x.shape());
      op.data = array_data(x);
      op.trans = view->trans;
      op.ld = view->ld;
      for (int64_t d : batch) op.batch_strides.push_back(strides[size_t(d)]);
      return op;
    }
    const std::vector<int64_t> perm = concat({&batch, &rows, &cols});
    keep = make_array(Shape(take(x.shape(), perm)), x.dtype());
    cpu::transpose_copy(x.dtype(), array_data(x), x.shape(), perm, mutable_data(keep));
    op.data = array_data(keep);
    op.trans = false;
    op.ld = std::max<int64_t>(ncols, 1);
    const std::vector<int64_t> packed_strides = contiguous_strides(keep.shape());
    for (size_t i = 0; i < batch.size(); ++i) op.batch_strides.push_back(packed_strides[i]);
    return op;
  };
  Array lhs_packed, rhs_packed;
  const cpu::GemmOperand a = operand(lhs, dn.lb, lf, lc, lv, gs.K, lhs_packed);
  const cpu::GemmOperand b = operand(rhs, dn.rb, rc, rf, rv, gs.N, rhs_packed);
  cpu::batched_gemm(ct, gs, a, b, mutable_data(result));
  return single(std::move(result));
}

// vmap folds the batch into the one product, never a loop and never a transpose of its own:
// both operands mapped -> their batch dims become a new leading dot batch dimension (result
// batch dim 0); one mapped -> its batch dim becomes one more free dim of that operand, and the
// result has it among that side's free dims (out dims: batch, lhs free, rhs free).
std::pair<std::vector<Array>, std::vector<BatchDim>> dot_general_batch_rule(
    std::span<const Array> in, std::span<const BatchDim> dims, const Params& params,
    const AxisData&) {
  const DimNumbers dn(params);
  // An example's dim numbers in the batched operand whose batch dim is at b.
  auto shift = [](const std::vector<int64_t>& v, BatchDim b) {
    return b ? batching::batched_axes(v, *b) : v;
  };
  std::vector<int64_t> lc = shift(dn.lc, dims[0]), rc = shift(dn.rc, dims[1]);
  std::vector<int64_t> lb = shift(dn.lb, dims[0]), rb = shift(dn.rb, dims[1]);
  int out_dim = 0;
  if (dims[0] && dims[1]) {
    lb.insert(lb.begin(), *dims[0]);
    rb.insert(rb.begin(), *dims[1]);
  } else {
    // The free dims of the example on the mapped side (and of the lhs, which come first).
    const int side = dims[0] ? 0 : 1;
    const int d = *dims[side];
    const int example_ndim = in[side].ndim() - 1;
    const std::vector<int64_t> free =
        side == 0 ? free_dims(example_ndim, dn.lc, dn.lb) : free_dims(example_ndim, dn.rc, dn.rb);
    out_dim =
        static_cast<int>(dn.lb.size()) +
        static_cast<int>(std::count_if(free.begin(), free.end(), [&](int64_t f) { return f < d; }));
    if (side == 1) out_dim += static_cast<int>(free_dims(in[0].ndim(), dn.lc, dn.lb).size());
  }
  Params q = params;
  q.set("lhs_contracting_dimensions", std::move(lc));
  q.set("rhs_contracting_dimensions", std::move(rc));
  q.set("lhs_batch_dimensions", std::move(lb));
  q.set("rhs_batch_dimensions", std::move(rb));
  return batching::one(bind1(Prim::dot_general, in, q), out_dim);
}

// ---- transpose (JAX's _dot_general_transpose_lhs/_rhs) --------------------------------------

using Ints = std::vector<int64_t>;

// Consecutive ranges with the lengths of `lengths`: {2, 1, 2} -> {0, 1}, {2}, {3, 4}.
std::vector<Ints> ranges_like(std::initializer_list<size_t> lengths) {
  std::vector<Ints> out;
  int64_t next = 0;
  for (size_t n : lengths) {
    Ints r;
    for (size_t i = 0; i < n; ++i) r.push_back(next++);
    out.push_back(std::move(r));
  }
  return out;
}

// The cotangent of the lhs `x` (aval) of dot_general(x, y) for the output cotangent ct: ct
// contracted with y over y's free dimensions, then permuted into x's layout. With swap_ans the
// roles are exchanged (x is the rhs: its free dimensions come after y's in ct).
Array dot_transpose_lhs(const Array& ct, const ShapedArray& x, const Array& y,
                        const Ints& x_contract, const Ints& y_contract, const Ints& x_batch,
                        const Ints& y_batch, bool swap_ans) {
  Ints x_kept = free_dims(x.ndim(), x_contract, x_batch);
  Ints y_kept = free_dims(y.ndim(), y_contract, y_batch);
  std::vector<Ints> r = swap_ans ? ranges_like({x_batch.size(), y_kept.size(), x_kept.size()})
                                 : ranges_like({x_batch.size(), x_kept.size(), y_kept.size()});
  const Ints& ans_batch = r[0];
  const Ints& ans_y = swap_ans ? r[1] : r[2];
  lax::DotDimensionNumbers dims{{ans_y, y_kept}, {ans_batch, y_batch}};
  // x's contracting dims in the order of y's (the product lists them after the batch and kept).
  Ints order(y_contract.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return y_contract[static_cast<size_t>(a)] < y_contract[static_cast<size_t>(b)];
  });
  Ints contract_by_y;
  for (int64_t i : order) contract_by_y.push_back(x_contract[static_cast<size_t>(i)]);
  // dot_general(ct, y) lays x's dims out as batch, kept, contracting; dot_general(y, ct) as
  // batch, contracting, kept. Take the order that needs no transpose when there is one (the
  // per-example weight gradient x^T ct is an outer product that would otherwise be transposed).
  Ints layout_ct_first = x_batch, layout_y_first = x_batch;
  layout_ct_first.insert(layout_ct_first.end(), x_kept.begin(), x_kept.end());
  layout_ct_first.insert(layout_ct_first.end(), contract_by_y.begin(), contract_by_y.end());
  layout_y_first.insert(layout_y_first.end(), contract_by_y.begin(), contract_by_y.end());
  layout_y_first.insert(layout_y_first.end(), x_kept.begin(), x_kept.end());
  const bool y_first = !std::is_sorted(layout_ct_first.begin(), layout_ct_first.end()) &&
                       std::is_sorted(layout_y_first.begin(), layout_y_first.end());
  // With a preferred_element_type the cotangent may be wider than y: compute in its dtype.
  Array y_like_ct = y.dtype() == ct.dtype() ? y : lax::convert_element_type(y, ct.dtype());
  if (y_first) {
    Array out = lax::dot_general(y_like_ct, ct, {{y_kept, ans_y}, {y_batch, ans_batch}});
    return out.dtype() == x.dtype ? out : lax::convert_element_type(out, x.dtype, x.weak_type);
  }
  const Ints& layout = layout_ct_first;
  Ints perm(layout.size());
  for (size_t i = 0; i < layout.size(); ++i)
    perm[static_cast<size_t>(layout[i])] = static_cast<int64_t>(i);
  Array product = lax::dot_general(ct, y_like_ct, dims);
  Array out =
      std::is_sorted(layout.begin(), layout.end()) ? product : lax::transpose(product, perm);
  if (out.dtype() != x.dtype) out = lax::convert_element_type(out, x.dtype, x.weak_type);
  return out;
}

Array dot_general_transpose_lhs(const Array& ct, const ShapedArray& x, std::span<const Array> args,
                                const Params& p) {
  DimNumbers d(p);
  return dot_transpose_lhs(ct, x, args[1], d.lc, d.rc, d.lb, d.rb, false);
}

Array dot_general_transpose_rhs(const Array& ct, const ShapedArray& y, std::span<const Array> args,
                                const Params& p) {
  DimNumbers d(p);
  return dot_transpose_lhs(ct, y, args[0], d.rc, d.lc, d.rb, d.lb, true);
}

}  // namespace

void register_dot_general() {
  def(Prim::dot_general)
      .shape(dot_general_abstract_eval)
      .impl(dot_general_impl)
      .batch(dot_general_batch_rule)
      // Bilinear: d(lhs . rhs) = dlhs . rhs + lhs . drhs, each with the same params (dimension
      // numbers and preferred_element_type).
      .jvp(ad::defbilinear(Prim::dot_general))
      .transpose(ad::deftranspose({dot_general_transpose_lhs, dot_general_transpose_rhs}));
}

}  // namespace jx::primitives

namespace jx::lax {

Array dot_general(const Array& lhs, const Array& rhs, const DotDimensionNumbers& dimension_numbers,
                  std::optional<DType> preferred_element_type) {
  Params params{{"lhs_contracting_dimensions", dimension_numbers.contracting.first},
                {"rhs_contracting_dimensions", dimension_numbers.contracting.second},
                {"lhs_batch_dimensions", dimension_numbers.batch.first},
                {"rhs_batch_dimensions", dimension_numbers.batch.second}};
  if (preferred_element_type) params.set("preferred_element_type", *preferred_element_type);
  return bind1(Prim::dot_general, {lhs, rhs}, params);
}

Array dot(const Array& lhs, const Array& rhs) {
  const int ln = lhs.ndim(), rn = rhs.ndim();
  if (ln >= 1 && ln <= 2 && rn >= 1 && rn <= 2 && lhs.shape().back() == rhs.shape()[0]) {
    return dot_general(lhs, rhs, DotDimensionNumbers{{{ln - 1}, {0}}, {{}, {}}});
  }
  throw ShapeError("Incompatible shapes for dot: got " + lhs.shape().str() + " and " +
                   rhs.shape().str() + ".");
}

}  // namespace jx::lax
