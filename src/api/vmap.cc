// The non-template half of jx::vmap: in_axes/out_axes resolution, the axis size and its error
// messages (JAX's wording), and boxing/unboxing through a BatchTrace.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "interpreters/batching.h"
#include "jx/transforms.h"

namespace jx::detail {

struct VmapState {
  VmapState(Trace* parent, AxisData axis) : trace(parent, std::move(axis)) {}
  BatchTrace trace;
  std::optional<TraceScope> scope;
  AxisSpec out_axes;
};

namespace {

// JAX's str_short: float32[10,4].
std::string type_str(const ShapedArray& a) {
  std::string s(dtype_name(a.dtype));
  s += '[';
  for (int i = 0; i < a.ndim(); ++i) {
    if (i) s += ',';
    s += std::to_string(a.shape[i]);
  }
  s += ']';
  return s;
}

// Resolves a possibly negative axis against the rank of the mapped argument.
int resolve_in_axis(int axis, const Array& x) {
  int ndim = x.ndim();
  int resolved = axis < 0 ? axis + ndim : axis;
  if (resolved < 0 || resolved >= ndim) {
    int min_rank = axis >= 0 ? axis + 1 : -axis;
    throw ValueError("vmap was requested to map its argument along axis " + std::to_string(axis) +
                     ", which implies that its rank should be at least " +
                     std::to_string(min_rank) + ", but is only " + std::to_string(ndim) +
                     " (its shape is " + x.shape().str() + ")");
  }
  return resolved;
}

[[noreturn]] void throw_inconsistent_sizes(const std::vector<Array>& leaves,
                                           const std::vector<BatchDim>& dims,
                                           const std::vector<std::optional<int>>& spec_axes,
                                           const TreeDef& in_def,
                                           std::optional<int64_t> axis_size) {
  std::vector<std::string> paths = tree::leaf_paths(in_def, "args");
  // Sizes by count, most common first; ties keep the order of first appearance (as
  // collections.Counter.most_common does).
  std::vector<std::pair<int64_t, int>> counts;
  std::map<int64_t, size_t> first_leaf;
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!dims[i]) continue;
    int64_t size = leaves[i].shape()[*dims[i]];
    auto it =
        std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == size; });
    if (it == counts.end()) {
      counts.push_back({size, 1});
      first_leaf[size] = i;
    } else {
      ++it->second;
    }
  }
  std::stable_sort(counts.begin(), counts.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string msg = "vmap got inconsistent sizes for array axes to be mapped:\n";
  for (size_t k = 0; k < counts.size(); ++k) {
    auto [size, count] = counts[k];
    size_t i = first_leaf[size];
    std::string where = "axis " + std::to_string(*spec_axes[i]) + " of " + paths[i] + " of type " +
                        type_str(leaves[i].aval());
    if (count == 1) {
      msg += "  * one axis had size " + std::to_string(size) + ": " + where + ";\n";
    } else {
      msg += std::string("  * ") + (k == 0 ? "most" : "some") + " axes (" + std::to_string(count) +
             " of them) had size " + std::to_string(size) + ", e.g. " + where + ";\n";
    }
  }
  if (axis_size) {
    msg += "  * the axis_size argument to vmap is " + std::to_string(*axis_size) + ";\n";
  }
  msg.resize(msg.size() - 2);  // the last ";\n"
  throw ValueError(msg);
}

int64_t mapped_axis_size(const std::vector<Array>& leaves, const std::vector<BatchDim>& dims,
                         const std::vector<std::optional<int>>& spec_axes, const TreeDef& in_def,
                         std::optional<int64_t> axis_size) {
  std::optional<int64_t> size = axis_size;
  bool consistent = true;
  bool any_mapped = false;
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!dims[i]) continue;
    any_mapped = true;
    int64_t s = leaves[i].shape()[*dims[i]];
    if (!size) size = s;
    consistent &= (*size == s);
  }
  if (!consistent) throw_inconsistent_sizes(leaves, dims, spec_axes, in_def, axis_size);
  if (axis_size && *axis_size < 0) {
    throw ValueError("vmap axis_size must be nonnegative, got " + std::to_string(*axis_size));
  }
  if (!any_mapped && !axis_size) {
    if (leaves.empty()) {
      throw ValueError(
          "vmap wrapped function must be passed at least one argument containing an array, "
          "got empty *args=() and **kwargs={} (give vmap an axis_size to map a function of no "
          "arrays)");
    }
    throw ValueError(
        "vmap must have at least one non-None value in in_axes (or be given an axis_size)");
  }
  return *size;
}

}  // namespace

VmapCall::VmapCall(const VmapOptions& options, std::vector<Array>& leaves, const TreeDef& in_def) {
  int nargs = in_def.kind() == NodeKind::kTuple ? in_def.nodes()[0].arity : 1;
  if (options.in_axes.kind() == AxisSpec::Kind::kSequence &&
      static_cast<int>(options.in_axes.children().size()) != nargs) {
    throw ValueError(
        "vmap in_axes must be an int, None, or a tuple of entries corresponding to the "
        "positional arguments passed to the function, but got len(in_axes)=" +
        std::to_string(options.in_axes.children().size()) + ", len(args)=" + std::to_string(nargs));
  }
  std::vector<std::optional<int>> spec_axes =
      tree::broadcast_prefix(options.in_axes, in_def, "vmap in_axes");
  std::vector<BatchDim> dims(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!leaves[i].valid()) {
      throw ValueError("vmap: argument leaf " + tree::leaf_paths(in_def, "args")[i] +
                       " is a null jx::Array (default-constructed, never assigned)");
    }
    if (spec_axes[i]) dims[i] = resolve_in_axis(*spec_axes[i], leaves[i]);
  }
  int64_t size = mapped_axis_size(leaves, dims, spec_axes, in_def, options.axis_size);
  state_ =
      std::make_unique<VmapState>(current_trace(), AxisData{size, options.axis_name.value_or("")});
  for (size_t i = 0; i < leaves.size(); ++i) {
    leaves[i] = state_->trace.box(std::move(leaves[i]), dims[i]);
  }
  state_->out_axes = options.out_axes;
  state_->scope.emplace(&state_->trace);
}

VmapCall::~VmapCall() = default;

std::vector<Array> VmapCall::finish(const std::vector<Array>& out_leaves, const TreeDef& out_def) {
  state_->scope.reset();  // the results' axes are moved under the enclosing trace
  const BatchTrace& trace = state_->trace;
  std::vector<std::optional<int>> out_axes =
      tree::broadcast_prefix(state_->out_axes, out_def, "vmap out_axes");
  std::vector<std::string> paths;
  std::vector<Array> outs;
  outs.reserve(out_leaves.size());
  for (size_t i = 0; i < out_leaves.size(); ++i) {
    if (!out_leaves[i].valid()) {
      throw ValueError(
          "vmap: the function returned a null jx::Array (default-constructed, "
          "never assigned)");
    }
    auto [val, dim] = trace.unbox(out_leaves[i]);
    if (!out_axes[i]) {
      if (dim) {
        if (paths.empty()) paths = tree::leaf_paths(out_def, "");
        throw ValueError("vmap has mapped output (at result" + paths[i] + ", of shape " +
                         out_leaves[i].shape().str() +
                         " per example) but out_axes is None; use an integer out_axes to "
                         "stack it, or return a value that does not depend on the mapped axis");
      }
      outs.push_back(std::move(val));
      continue;
    }
    int rank = out_leaves[i].ndim() + 1;
    int axis = *out_axes[i] < 0 ? *out_axes[i] + rank : *out_axes[i];
    if (axis < 0 || axis >= rank) {
      throw ValueError("vmap out_axes: axis " + std::to_string(*out_axes[i]) +
                       " is out of bounds for a result of rank " + std::to_string(rank) +
                       " (per-example shape " + out_leaves[i].shape().str() +
                       " plus the mapped axis)");
    }
    outs.push_back(batching::matchaxis(val, dim, axis, trace.axis().size));
  }
  return outs;
}

}  // namespace jx::detail
