#include "compiler/fusion.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "backend/cpu/reduce_kernels.h"
#include "backend/cpu/thread_pool.h"

namespace jx::compiler {
namespace {

using Term = LoopProgram::Input::Term;

const ShapedArray& aval_of(const Jaxpr& j, const Atom& a) {
  return a.is_var() ? j.avals[static_cast<size_t>(a.var)] : a.value.aval();
}
const ShapedArray& out_aval(const Jaxpr& j, const Eqn& e) {
  return j.avals[static_cast<size_t>(e.outputs[0])];
}

// An operand dimension of size > 1 lying along dimension `dim` of a loop.
struct Axis {
  int64_t dim, stride, size;
};

// The index terms reading an operand along `axes` (in increasing loop order) at element i of a
// loop over `loop`: the operand's element sum_k ((i / divide_k) % modulo_k) * stride_k, runs of
// axes adjacent in both merged into one term.
std::vector<Term> index_terms(const Shape& loop, const std::vector<Axis>& axes) {
  std::vector<int64_t> loop_stride(static_cast<size_t>(loop.ndim()), 1);
  for (int d = loop.ndim() - 2; d >= 0; --d) loop_stride[d] = loop_stride[d + 1] * loop[d + 1];
  std::vector<Term> terms;
  int64_t prev_dim = -2;
  for (const Axis& a : axes) {
    const int64_t divide = loop_stride[static_cast<size_t>(a.dim)];
    if (!terms.empty() && a.dim == prev_dim + 1 && terms.back().divide == divide * a.size &&
        terms.back().stride == a.stride * a.size) {
      terms.back().divide = divide;
      terms.back().modulo = terms.back().modulo == 0 ? 0 : terms.back().modulo * a.size;
      terms.back().stride = a.stride;
    } else {
      terms.push_back({divide, a.dim == 0 ? 0 : a.size, a.stride});
    }
    prev_dim = a.dim;
  }
  return terms;
}

// The axes of an operand of shape `in` whose dimension d lies along loop dimension dims[d].
std::vector<Axis> operand_axes(const Shape& in, const std::vector<int64_t>& dims) {
  std::vector<Axis> axes;
  int64_t stride = 1;
  for (int d = in.ndim() - 1; d >= 0; --d) {
    if (in[d] != 1) axes.push_back({dims[static_cast<size_t>(d)], stride, in[d]});
    stride *= in[d];
  }
  return {axes.rbegin(), axes.rend()};
}

std::vector<int64_t> identity_dims(int n) {
  std::vector<int64_t> dims(static_cast<size_t>(n));
  for (int d = 0; d < n; ++d) dims[static_cast<size_t>(d)] = d;
  return dims;
}

// An operand of an elementwise equation with size-1 dimensions where the result has more (lax
// binary ops broadcast those, as vmap's batch rules use them): same rank, each size equal or 1.
bool size_one_broadcast(const Shape& in, const Shape& out) {
  if (in.ndim() != out.ndim() || in == out) return false;
  for (int d = 0; d < in.ndim(); ++d) {
    if (in[d] != out[d] && in[d] != 1) return false;
  }
  return true;
}

bool readable(const Atom& a) { return a.is_var() || (a.value.valid() && a.value.is_concrete()); }

// Where the elements of a value lie in an array's memory: element (i_0, ..., i_n) of the value
// is the array's element offset + sum_k i_k * strides[k] (strides may be 0 or negative).
struct View {
  int64_t offset = 0;
  std::vector<int64_t> strides;
};

View contiguous_view(const Shape& s) {
  View v{0, std::vector<int64_t>(static_cast<size_t>(s.ndim()), 1)};
  for (int d = s.ndim() - 2; d >= 0; --d) v.strides[d] = v.strides[d + 1] * s[d + 1];
  return v;
}

// The view of the result of an index-remapping equation (broadcast_in_dim of a smaller operand,
// transpose, slice, rev) whose operand has view `in`: a loop reads through it instead of
// materialising the result, and such reads compose.
std::optional<View> remapped_view(const Jaxpr& j, const Eqn& e, const View& in) {
  if (e.inputs.size() != 1 || e.outputs.size() != 1 || !readable(e.inputs[0])) {
    return std::nullopt;
  }
  const ShapedArray& x = aval_of(j, e.inputs[0]);
  const ShapedArray& out = out_aval(j, e);
  if (x.dtype != out.dtype || x.ndim() == 0 || x.size() == 0 || !codegen_loads(out.dtype)) {
    return std::nullopt;
  }
  View v{in.offset, std::vector<int64_t>(static_cast<size_t>(out.ndim()), 0)};
  switch (e.prim) {
    case Prim::broadcast_in_dim: {
      if (x.size() >= out.size()) return std::nullopt;
      const auto& dims = e.params.get_ints("broadcast_dimensions");
      for (int d = 0; d < x.ndim(); ++d) {
        if (x.shape[d] != 1)
          v.strides[static_cast<size_t>(dims[static_cast<size_t>(d)])] = in.strides[d];
      }
      return v;
    }
    case Prim::transpose: {
      const auto& perm = e.params.get_ints("permutation");
      for (size_t k = 0; k < perm.size(); ++k)
        v.strides[k] = in.strides[static_cast<size_t>(perm[k])];
      return v;
    }
    case Prim::slice: {
      const auto& start = e.params.get_ints("start_indices");
      for (size_t d = 0; d < start.size(); ++d) {
        const int64_t step = e.params.has("strides") ? e.params.get_ints("strides")[d] : 1;
        v.offset += start[d] * in.strides[d];
        v.strides[d] = in.strides[d] * step;
      }
      return v;
    }
    case Prim::rev: {
      const auto& dims = e.params.get_ints("dimensions");
      for (int d = 0; d < x.ndim(); ++d) {
        const auto k = static_cast<size_t>(d);
        const bool reversed = std::find(dims.begin(), dims.end(), d) != dims.end();
        if (reversed) v.offset += (x.shape[d] - 1) * in.strides[k];
        v.strides[k] = reversed ? -in.strides[k] : in.strides[k];
      }
      return v;
    }
    default:
      return std::nullopt;
  }
}

// The dimensions of shape s with size > 1.
std::vector<int64_t> squeezed(const Shape& s) {
  std::vector<int64_t> dims;
  for (int d = 0; d < s.ndim(); ++d) {
    if (s[d] != 1) dims.push_back(s[d]);
  }
  return dims;
}

// An open group of equations (see plan_fusions). A row group has reduced dimensions; its values
// are per element (of `shape`) or per row (row-shaped: the kept dimensions, size-1 dimensions
// aside).
struct Group {
  enum Kind {
    kElementOp,
    kRead,
    kReduce,
    kRowOp,
    kAlias,
    kRandomBits,
    kTransposeOut,
    kConcatenateOut
  };
  std::vector<size_t> members;
  std::vector<Kind> kinds;
  Shape shape;
  std::vector<bool> reduced;  // per dimension of shape; empty: a flat group
  int64_t rows = 0, row_length = 0;
  std::unordered_set<int> produced;
  // The results of kRead members: the array they read and where.
  std::unordered_map<int, std::pair<Atom, View>> reads;
  // The results of kTransposeOut and kConcatenateOut members: stored at remapped indices, never
  // read by a member.
  std::unordered_set<int> stored_only;

  bool row_shaped(const Shape& s) const {
    if (reduced.empty()) return false;
    std::vector<int64_t> kept;
    for (int d = 0; d < shape.ndim(); ++d) {
      if (!reduced[static_cast<size_t>(d)] && shape[d] != 1) kept.push_back(shape[d]);
    }
    return squeezed(s) == kept;
  }
  // The shape of a per-row value that broadcasts against `shape` along the rows (reduced
  // dimensions of size 1, the kept ones whole), as reductions with keepdims make them.
  bool keepdims_shaped(const Shape& s) const {
    if (reduced.empty() || s.ndim() != shape.ndim()) return false;
    for (int d = 0; d < s.ndim(); ++d) {
      if (s[d] != (reduced[static_cast<size_t>(d)] ? 1 : shape[d])) return false;
    }
    return true;
  }
};

// The reduced dimensions of a reduction over `axes` of an operand of shape s when they are the
// last ones (size-1 dimensions aside) and the generated row pass matches the eager kernel.
std::optional<std::vector<bool>> row_reduction(const Eqn& e, const ShapedArray& in) {
  if (e.prim != Prim::reduce_sum && e.prim != Prim::reduce_max && e.prim != Prim::reduce_min) {
    return std::nullopt;
  }
  std::vector<bool> reduced(static_cast<size_t>(in.ndim()), false);
  for (int64_t a : e.params.get_ints("axes")) reduced[static_cast<size_t>(a)] = true;
  int64_t rows = 1, length = 1;
  bool seen_reduced = false;
  for (int d = 0; d < in.ndim(); ++d) {
    if (in.shape[d] == 1) continue;
    if (reduced[static_cast<size_t>(d)]) {
      seen_reduced = true;
      length *= in.shape[d];
    } else {
      if (seen_reduced) return std::nullopt;  // a kept dimension after a reduced one
      rows *= in.shape[d];
    }
  }
  if (length < 2 || rows < 1 || !codegen_reduces(e.prim, in.dtype, length) ||
      !cpu::reduces_rows_whole(rows, length, itemsize(in.dtype))) {
    return std::nullopt;
  }
  return reduced;
}

class Planner {
 public:
  explicit Planner(const Jaxpr& j) : j_(j), uses_(j.avals.size(), 0) {
    for (const Eqn& e : j.eqns) {
      for (const Atom& a : e.inputs) {
        if (a.is_var()) ++uses_[static_cast<size_t>(a.var)];
      }
    }
    for (const Atom& a : j.outvars) {
      if (a.is_var()) ++uses_[static_cast<size_t>(a.var)];
    }
  }

  std::vector<Fusion> plan() {
    for (size_t k = 0; k < j_.eqns.size(); ++k) {
      const Eqn& e = j_.eqns[k];
      if (open_ && join(*open_, k)) continue;
      bool reads_group = false;
      if (open_) {
        for (const Atom& a : e.inputs) reads_group |= a.is_var() && open_->produced.count(a.var);
      }
      // The group runs at its last member: an equation reading it must come after that.
      if (reads_group) close();
      Group fresh;
      if (start(fresh, k)) {
        close();
        open_ = std::move(fresh);
      }
    }
    close();
    return std::move(out_);
  }

 private:
  bool produced(const Group& g, const Atom& a) const {
    return a.is_var() && g.produced.count(a.var);
  }

  // An elementwise equation of one output the code generator implements, whose operands are
  // arrays of its shape (or size-1 broadcasts of it), scalars, or per-row values of the group.
  bool element_op(const Group& g, const Eqn& e) const {
    if (e.outputs.size() != 1 || !(out_aval(j_, e).shape == g.shape)) return false;
    std::vector<ShapedArray> in;
    for (const Atom& a : e.inputs) {
      if (!readable(a)) return false;
      const ShapedArray& aval = aval_of(j_, a);
      if (aval.ndim() != 0 && !(aval.shape == g.shape) &&
          !size_one_broadcast(aval.shape, g.shape)) {
        return false;
      }
      // A group value of another shape is per row: it must broadcast along the rows.
      if (produced(g, a) && aval.ndim() != 0 && !(aval.shape == g.shape) &&
          !g.keepdims_shaped(aval.shape)) {
        return false;
      }
      in.push_back(aval);
    }
    return codegen_supports(e.prim, in, out_aval(j_, e));
  }

  // An elementwise equation on per-row values (group values, row-shaped arrays, scalars).
  bool row_op(const Group& g, const Eqn& e) const {
    if (e.outputs.size() != 1 || !g.row_shaped(out_aval(j_, e).shape)) return false;
    std::vector<ShapedArray> in;
    for (const Atom& a : e.inputs) {
      if (!readable(a)) return false;
      const ShapedArray& aval = aval_of(j_, a);
      if (aval.ndim() != 0 && !(aval.shape == out_aval(j_, e).shape)) return false;
      in.push_back(aval);
    }
    return codegen_supports(e.prim, in, out_aval(j_, e));
  }

  // A per-row value of the group broadcast along the reduced dimensions: an element value (an
  // op of the program reading the row value at every element).
  bool row_broadcast(const Group& g, const Eqn& e) const {
    if (e.prim != Prim::broadcast_in_dim || g.reduced.empty() || !produced(g, e.inputs[0]) ||
        !(out_aval(j_, e).shape == g.shape)) {
      return false;
    }
    const Shape& in = aval_of(j_, e.inputs[0]).shape;
    if (!g.row_shaped(in)) return false;
    // The row value's dimensions onto the kept ones, in order (the row index is theirs).
    const auto& dims = e.params.get_ints("broadcast_dimensions");
    int64_t last = -1;
    for (int d = 0; d < in.ndim(); ++d) {
      if (in[d] == 1) continue;
      const int64_t to = dims[static_cast<size_t>(d)];
      if (g.reduced[static_cast<size_t>(to)] || to < last) return false;
      last = to;
    }
    return true;
  }

  // JAX's partitionable random bits (32 or 8 bits) of the group's shape: each element a hash of
  // its index, so they fuse with their consumers (dropout is one pass).
  bool random_bits(const Group& g, const Eqn& e) const {
    if (e.prim != Prim::random_bits || !readable(e.inputs[0]) || produced(g, e.inputs[0]) ||
        !(out_aval(j_, e).shape == g.shape) || !e.params.get_bool("partitionable")) {
      return false;
    }
    const DType d = out_aval(j_, e).dtype;
    const int64_t count = Shape(e.params.get_ints("shape")).numel();
    return (d == DType::uint32 || d == DType::uint8) && codegen_loads(d) &&
           count <= int64_t{std::numeric_limits<uint32_t>::max()};
  }

  // An index-remapping equation of the group's shape (or a row-shaped one) the loop reads
  // through: of an array from outside, or of another such read (the views compose).
  bool read_through(Group& g, const Eqn& e) const {
    const Shape& out = out_aval(j_, e).shape;
    if (e.inputs.size() != 1 || !(out == g.shape || g.row_shaped(out))) return false;
    const Atom& a = e.inputs[0];
    std::pair<Atom, View> base{a, {}};
    if (produced(g, a)) {
      auto it = g.reads.find(a.var);
      if (it == g.reads.end()) return false;
      base = it->second;
    } else {
      if (!readable(a)) return false;
      base.second = contiguous_view(aval_of(j_, a).shape);
    }
    std::optional<View> v = remapped_view(j_, e, base.second);
    if (!v) return false;
    g.reads[e.outputs[0]] = {base.first, std::move(*v)};
    return true;
  }

  // A concatenate of values of a flat loop, all of one shape holding the loop's elements (a
  // stack, as vmap makes jnp.stack and jnp.array of per-example scalars): each operand is
  // stored at its place in the result.
  bool concatenate_out(const Group& g, const Eqn& e) const {
    if (e.prim != Prim::concatenate || !g.reduced.empty() || e.outputs.size() != 1) return false;
    const Shape& first = aval_of(j_, e.inputs[0]).shape;
    for (const Atom& a : e.inputs) {
      if (!produced(g, a) || g.reads.count(a.var) || !(aval_of(j_, a).shape == first)) {
        return false;
      }
    }
    return squeezed(first) == squeezed(g.shape) && codegen_loads(out_aval(j_, e).dtype);
  }

  // Whether a reshape, expand_dims or squeeze result is a value of the group under another
  // shape: of a flat loop's elements in the same order, or of a row value.
  bool alias(const Group& g, const Eqn& e) const {
    if ((e.prim != Prim::reshape && e.prim != Prim::expand_dims && e.prim != Prim::squeeze) ||
        !produced(g, e.inputs[0]) || g.reads.count(e.inputs[0].var)) {
      return false;
    }
    const Shape& out = out_aval(j_, e).shape;
    return g.reduced.empty() ? squeezed(out) == squeezed(g.shape) : g.row_shaped(out);
  }

  bool join(Group& g, size_t k) {
    const Eqn& e = j_.eqns[k];
    for (const Atom& a : e.inputs) {
      if (a.is_var() && g.stored_only.count(a.var)) return false;
    }
    Group::Kind kind;
    if (e.prim == Prim::transpose && produced(g, e.inputs[0]) && !g.reads.count(e.inputs[0].var) &&
        aval_of(j_, e.inputs[0]).shape == g.shape) {
      kind = Group::kTransposeOut;  // a value of the loop, stored transposed
      g.stored_only.insert(e.outputs[0]);
    } else if (concatenate_out(g, e)) {
      kind = Group::kConcatenateOut;
      g.stored_only.insert(e.outputs[0]);
    } else if (random_bits(g, e)) {
      kind = Group::kRandomBits;
    } else if (row_broadcast(g, e)) {
      kind = Group::kElementOp;
    } else if (read_through(g, e)) {
      kind = Group::kRead;
    } else if (element_op(g, e)) {
      kind = Group::kElementOp;
    } else if (alias(g, e)) {
      kind = Group::kAlias;
    } else if (e.inputs.size() == 1 && readable(e.inputs[0]) &&
               aval_of(j_, e.inputs[0]).shape == g.shape && e.outputs.size() == 1) {
      auto reduced = row_reduction(e, aval_of(j_, e.inputs[0]));
      if (!reduced || (!g.reduced.empty() && g.reduced != *reduced)) return false;
      if (g.reduced.empty()) set_rows(g, *reduced);
      kind = Group::kReduce;
    } else if (row_op(g, e)) {
      kind = Group::kRowOp;
    } else {
      return false;
    }
    g.members.push_back(k);
    g.kinds.push_back(kind);
    g.produced.insert(e.outputs[0]);
    return true;
  }

  // A new group whose first member is equation k (an elementwise loop or a reduction).
  bool start(Group& g, size_t k) {
    const Eqn& e = j_.eqns[k];
    if (e.outputs.size() != 1) return false;
    if (e.prim == Prim::reduce_sum || e.prim == Prim::reduce_max || e.prim == Prim::reduce_min) {
      if (e.inputs.size() != 1 || !e.inputs[0].is_var()) return false;
      g.shape = aval_of(j_, e.inputs[0]).shape;
    } else {
      g.shape = out_aval(j_, e).shape;
    }
    return join(g, k);
  }

  static void set_rows(Group& g, std::vector<bool> reduced) {
    g.reduced = std::move(reduced);
    g.rows = g.row_length = 1;
    for (int d = 0; d < g.shape.ndim(); ++d) {
      (g.reduced[static_cast<size_t>(d)] ? g.row_length : g.rows) *= g.shape[d];
    }
  }

  void close() {
    // A lone equation (aliases aside) is no better than its kernel.
    if (open_ && std::count_if(open_->kinds.begin(), open_->kinds.end(),
                               [](Group::Kind k) { return k != Group::kAlias; }) >= 2) {
      Fusion f = build(*open_);
      if (wraps_along_rows(*open_, f)) {
        // A broadcast read wrapping along the last dimension (a bias added to every row, say)
        // keeps the element loop from vectorising; as rows of the last dimension, with no
        // reduction, that read is contiguous within each row.
        std::vector<bool> last(static_cast<size_t>(open_->shape.ndim()), false);
        last.back() = true;
        set_rows(*open_, std::move(last));
        f = build(*open_);
      }
      out_.push_back(std::move(f));
    }
    open_.reset();
  }

  // Whether a flat loop reads an input at an index wrapping around within the element index's
  // fastest digits ((i % m) with no division first), and has rows enough for the threads.
  static bool wraps_along_rows(const Group& g, const Fusion& f) {
    if (!g.reduced.empty() || g.shape.ndim() < 2 || g.shape[g.shape.ndim() - 1] < 16 ||
        g.shape.numel() / g.shape[g.shape.ndim() - 1] < 2 * int64_t{cpu::num_threads()} ||
        std::count(g.kinds.begin(), g.kinds.end(), Group::kConcatenateOut) > 0) {
      return false;  // (concatenated stores are the flat loop's)
    }
    for (const LoopProgram::Input& in : f.program.inputs) {
      for (const Term& t : in.outer) {
        if (t.divide == 1 && t.modulo > 0) return true;
      }
    }
    return false;
  }

  // How a loop input is read: `axes` of the operand along dimensions of `along` (the group's
  // shape for per-element operands, a row-shaped result for per-row ones).
  static LoopProgram::Input input(const Group& g, const ShapedArray& aval, const Shape& along,
                                  const std::vector<Axis>& axes, bool same_layout) {
    LoopProgram::Input in{aval.dtype, aval.ndim() == 0, {}, {}};
    if (in.scalar) return in;
    const Term first{1, 0, 0};  // every element reads element 0
    if (g.reduced.empty() || !(along == g.shape)) {
      // Flat, or per row (the flat index of a row-shaped result is the row index). Flat inputs
      // of the loop's own shape need no terms: the element index is theirs.
      if (!g.reduced.empty() || !same_layout || !(along == g.shape)) {
        in.outer = index_terms(along, axes);
        if (in.outer.empty()) in.outer.push_back(first);
      }
      return in;
    }
    // Per element of a row group: the kept dimensions make the row index, the reduced ones the
    // index within a row.
    std::vector<int64_t> position(static_cast<size_t>(g.shape.ndim()));
    std::vector<int64_t> kept, red;
    for (int d = 0; d < g.shape.ndim(); ++d) {
      auto& list = g.reduced[static_cast<size_t>(d)] ? red : kept;
      position[static_cast<size_t>(d)] = static_cast<int64_t>(list.size());
      list.push_back(g.shape[d]);
    }
    std::vector<Axis> outer, inner;
    for (const Axis& a : axes) {
      const auto d = static_cast<size_t>(a.dim);
      (g.reduced[d] ? inner : outer).push_back({position[d], a.stride, a.size});
    }
    in.outer = index_terms(Shape(kept), outer);
    if (in.outer.empty()) in.outer.push_back(first);
    in.inner = index_terms(Shape(red), inner);
    return in;
  }

  // The two words of random_bits' key (raw keys [batch..., 2]; the batch dims lead the result)
  // as two inputs, at offsets 0 and 1 of each key.
  void random_key_inputs(const Group& g, const Atom& key, Fusion& f, std::vector<int>& ids) const {
    const ShapedArray& kv = aval_of(j_, key);
    std::vector<Axis> axes;
    int64_t stride = 2;
    for (int d = kv.ndim() - 2; d >= 0; --d) {
      if (kv.shape[d] != 1) axes.push_back({d, stride, kv.shape[d]});
      stride *= kv.shape[d];
    }
    std::reverse(axes.begin(), axes.end());
    for (int64_t word = 0; word < 2; ++word) {
      ids.push_back(static_cast<int>(f.inputs.size()));
      f.inputs.push_back(key);
      LoopProgram::Input in{DType::uint32, true, {}, {}};
      if (!axes.empty()) {
        in = input(g,
                   ShapedArray{Shape(std::vector<int64_t>(kv.shape.begin(), kv.shape.end() - 1)),
                               DType::uint32, false},
                   g.shape, axes, false);
      }
      in.offset = word;
      f.program.inputs.push_back(std::move(in));
    }
  }

  // Where element i (of the loop's shape) of a value lands in its transpose by `perm`.
  static LoopProgram::Store transposed_store(const Group& g, const std::vector<int64_t>& perm) {
    const int n = g.shape.ndim();
    std::vector<int64_t> out_stride(static_cast<size_t>(n), 1);
    for (int k = n - 2; k >= 0; --k) {
      out_stride[static_cast<size_t>(k)] =
          out_stride[static_cast<size_t>(k + 1)] * g.shape[perm[static_cast<size_t>(k + 1)]];
    }
    std::vector<Axis> axes;
    for (int d = 0; d < n; ++d) {
      if (g.shape[d] == 1) continue;
      const auto k = std::find(perm.begin(), perm.end(), d) - perm.begin();
      axes.push_back({d, out_stride[static_cast<size_t>(k)], g.shape[d]});
    }
    LoopProgram::Input as_read =
        input(g, ShapedArray{g.shape, DType::float32, false}, g.shape, axes, false);
    if (as_read.outer.empty()) as_read.outer.push_back({1, 0, 0});
    return {std::move(as_read.outer), std::move(as_read.inner)};
  }

  // Where element i of operand `k` of a concatenate (all operands of one shape, holding the
  // loop's elements in order) lands in its result.
  static LoopProgram::Store concatenated_store(const Shape& operand, const Shape& result,
                                               int64_t dim, int64_t k) {
    std::vector<int64_t> stride(static_cast<size_t>(result.ndim()), 1);
    for (int d = result.ndim() - 2; d >= 0; --d) stride[d] = stride[d + 1] * result[d + 1];
    std::vector<Axis> axes;
    for (int d = 0; d < operand.ndim(); ++d) {
      if (operand[d] != 1) axes.push_back({d, stride[static_cast<size_t>(d)], operand[d]});
    }
    LoopProgram::Store store{index_terms(operand, axes), {}, 0, -1};
    if (store.outer.empty()) store.outer.push_back({1, 0, 0});
    store.offset = k * operand[dim] * stride[static_cast<size_t>(dim)];
    return store;
  }

  Fusion build(const Group& g) const {
    Fusion f;
    f.members = g.members;
    f.program.reduced = g.reduced.empty() ? 0 : g.row_length;
    f.iterations = g.reduced.empty() ? g.shape.numel() : g.rows;
    std::unordered_map<int, int> value_of;   // variable -> program value id
    std::unordered_map<int, int> row_reads;  // outside variable read per row -> input id
    std::unordered_map<int, int> internal_uses;
    for (size_t k : g.members) {
      for (const Atom& a : j_.eqns[k].inputs) {
        if (produced(g, a)) ++internal_uses[a.var];
      }
    }
    // Inputs first (their ids come before every op's). A read member (broadcast, transpose,
    // slice, rev) is no op: its result is an array read at a remapped index. Per member, the
    // inputs only it reads: its literals (separate inputs even when equal) and random_bits'
    // two key words.
    std::vector<std::vector<int>> own_inputs(g.members.size());
    for (size_t m = 0; m < g.members.size(); ++m) {
      const Eqn& e = j_.eqns[g.members[m]];
      const Group::Kind kind = g.kinds[m];
      if (kind == Group::kAlias || kind == Group::kTransposeOut || kind == Group::kConcatenateOut) {
        continue;
      }
      if (kind == Group::kRandomBits) {
        random_key_inputs(g, e.inputs[0], f, own_inputs[m]);
        continue;
      }
      if (kind == Group::kRead) {
        // One input: the array read, through the composed view.
        const auto& [base, view] = g.reads.at(e.outputs[0]);
        const Shape& out = out_aval(j_, e).shape;
        std::vector<Axis> axes;
        for (int d = 0; d < out.ndim(); ++d) {
          const int64_t st = view.strides[static_cast<size_t>(d)];
          if (out[d] != 1 && st != 0) axes.push_back({d, st, out[d]});
        }
        value_of[e.outputs[0]] = static_cast<int>(f.inputs.size());
        f.inputs.push_back(base);
        LoopProgram::Input in = input(g, aval_of(j_, base), out, axes, false);
        in.offset = view.offset;
        f.program.inputs.push_back(std::move(in));
        continue;
      }
      // An array from outside is one input per way of reading it: per element, or per row
      // (an array of shape (1, n) can be both, read along r or at o).
      auto& reads = kind == Group::kRowOp ? row_reads : value_of;
      for (const Atom& a : e.inputs) {
        if (a.is_var() && (produced(g, a) || reads.count(a.var))) continue;
        const ShapedArray& aval = aval_of(j_, a);
        const int id = static_cast<int>(f.inputs.size());
        if (a.is_var()) {
          reads[a.var] = id;
        } else {
          own_inputs[m].push_back(id);
        }
        f.inputs.push_back(a);
        const Shape& along = kind == Group::kRowOp ? aval.shape : g.shape;
        f.program.inputs.push_back(input(g, aval, along,
                                         operand_axes(aval.shape, identity_dims(aval.ndim())),
                                         aval.shape == along));
      }
    }
    const int nin = static_cast<int>(f.inputs.size());
    std::vector<LoopProgram::Store> stores;
    auto output_if_used_outside = [&](int v, LoopProgram::Store store) {
      auto it = internal_uses.find(v);
      if (uses_[static_cast<size_t>(v)] <= (it == internal_uses.end() ? 0 : it->second)) return;
      f.outputs.push_back(v);
      int id = value_of.at(v);
      if (!g.reduced.empty() &&
          (!store.outer.empty() || j_.avals[static_cast<size_t>(v)].shape == g.shape)) {
        // A value of the group's shape is stored at every element, even one computed per row
        // (a row read, or ops on such): the program's broadcast op makes it per element.
        id = nin + static_cast<int>(f.program.ops.size());
        f.program.ops.push_back(
            {Prim::broadcast_in_dim, {value_of.at(v)}, j_.avals[static_cast<size_t>(v)].dtype});
      }
      f.program.outputs.push_back(id);
      stores.push_back(std::move(store));
    };
    for (size_t m = 0; m < g.members.size(); ++m) {
      const Eqn& e = j_.eqns[g.members[m]];
      const int v = e.outputs[0];
      if (g.kinds[m] == Group::kConcatenateOut) {
        // Operand 0's store owns the result's buffer; the others store into it.
        const int into = static_cast<int>(f.program.outputs.size());
        const int64_t dim = e.params.get_int("dimension");
        for (size_t k = 0; k < e.inputs.size(); ++k) {
          LoopProgram::Store store = concatenated_store(
              aval_of(j_, e.inputs[k]).shape, out_aval(j_, e).shape, dim, static_cast<int64_t>(k));
          if (k > 0) store.into = into;
          if (k == 0) f.outputs.push_back(v);
          f.program.outputs.push_back(value_of.at(e.inputs[k].var));
          stores.push_back(std::move(store));
        }
        continue;
      }
      if (g.kinds[m] == Group::kTransposeOut) {
        value_of[v] = value_of.at(e.inputs[0].var);
        output_if_used_outside(v, transposed_store(g, e.params.get_ints("permutation")));
        continue;
      }
      if (g.kinds[m] == Group::kAlias) {
        value_of[v] = value_of.at(e.inputs[0].var);
      } else if (g.kinds[m] != Group::kRead) {
        LoopProgram::Op op{e.prim, {}, out_aval(j_, e).dtype};
        if (g.kinds[m] == Group::kRandomBits) {
          op.operands = own_inputs[m];
          // One key: the element index is the counter (no remainder to take).
          if (aval_of(j_, e.inputs[0]).size() > 2) {
            op.count = Shape(e.params.get_ints("shape")).numel();
          }
        } else {
          size_t literal = 0;
          const auto& reads = g.kinds[m] == Group::kRowOp ? row_reads : value_of;
          for (const Atom& a : e.inputs) {
            if (!a.is_var()) {
              op.operands.push_back(own_inputs[m][literal++]);
            } else {
              op.operands.push_back(produced(g, a) ? value_of.at(a.var) : reads.at(a.var));
            }
          }
        }
        value_of[v] = nin + static_cast<int>(f.program.ops.size());
        f.program.ops.push_back(std::move(op));
      }
      output_if_used_outside(v, {});
    }
    for (const LoopProgram::Store& st : stores) {
      if (!st.outer.empty()) {
        f.program.stores = std::move(stores);
        break;
      }
    }
    return f;
  }

  const Jaxpr& j_;
  std::vector<int> uses_;
  std::optional<Group> open_;
  std::vector<Fusion> out_;
};

}  // namespace

std::vector<Fusion> plan_fusions(const Jaxpr& j) { return Planner(j).plan(); }

}  // namespace jx::compiler
