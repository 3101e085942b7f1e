// AxisSpec (vmap's in_axes / out_axes) and matching it as a tree prefix, with JAX's errors.
#include <algorithm>
#include <ostream>

#include "jx/tree.h"
#include "tree/tree_util.h"

namespace jx {

using tree::detail::py_list;
using tree::detail::py_str;

AxisSpec::AxisSpec(std::initializer_list<AxisSpec> items)
    : kind_(Kind::kSequence), axis_(std::nullopt), children_(items) {}

AxisSpec AxisSpec::sequence(std::vector<AxisSpec> items) {
  AxisSpec s;
  s.kind_ = Kind::kSequence;
  s.axis_ = std::nullopt;
  s.children_ = std::move(items);
  return s;
}

AxisSpec AxisSpec::dict(std::vector<std::pair<std::string, AxisSpec>> items) {
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  AxisSpec s;
  s.kind_ = Kind::kDict;
  s.axis_ = std::nullopt;
  for (auto& [k, v] : items) {
    if (!s.keys_.empty() && s.keys_.back() == k) {
      throw ValueError("AxisSpec::dict: duplicate key " + py_str(k));
    }
    s.keys_.push_back(std::move(k));
    s.children_.push_back(std::move(v));
  }
  return s;
}

std::string AxisSpec::str() const {
  switch (kind_) {
    case Kind::kLeaf:
      return axis_ ? std::to_string(*axis_) : "None";
    case Kind::kSequence: {
      std::string out = "(";
      for (size_t i = 0; i < children_.size(); ++i) out += (i ? ", " : "") + children_[i].str();
      return out + (children_.size() == 1 ? ",)" : ")");
    }
    case Kind::kDict: {
      std::string out = "{";
      for (size_t i = 0; i < children_.size(); ++i) {
        out += (i ? ", " : "") + py_str(keys_[i]) + ": " + children_[i].str();
      }
      return out + "}";
    }
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, const AxisSpec& s) { return os << s.str(); }

namespace tree {
namespace {

// The type name JAX would print for a node of the full tree.
std::string node_type(const TreeDef::Node& n) {
  switch (n.kind) {
    case NodeKind::kLeaf:
      return "jx::Array (a leaf)";
    case NodeKind::kNone:
      return "None";
    case NodeKind::kTuple:
      return "tuple";
    case NodeKind::kList:
      return "list";
    case NodeKind::kDict:
      return "dict";
    case NodeKind::kCustom:
      return n.name;
  }
  return "?";
}

std::string join(const std::vector<std::string>& keys) {
  std::string out;
  for (size_t i = 0; i < keys.size(); ++i) out += (i ? " " : "") + keys[i];
  return out;
}

struct Matcher {
  const TreeDef& full;
  std::string name;  // root of the key paths, e.g. "in_axes"
  std::vector<std::optional<int>> out;
  size_t leaf = 0;
  std::string path;

  // Returns the error detail, or "" when the prefix matches; advances `node` past the subtree.
  std::string match(const AxisSpec& spec, size_t& node) {
    const TreeDef::Node& n = full.nodes()[node];
    if (spec.is_leaf()) {
      for (int i = 0; i < n.num_leaves; ++i) out[leaf++] = spec.axis();
      node += static_cast<size_t>(n.num_nodes);
      return "";
    }
    std::string where = "    " + name + path + "\n";
    bool sequence = spec.kind() == AxisSpec::Kind::kSequence;
    bool type_ok = sequence ? (n.kind == NodeKind::kTuple || n.kind == NodeKind::kList)
                            : (n.kind == NodeKind::kDict || n.kind == NodeKind::kCustom);
    std::string spec_type = sequence ? (n.kind == NodeKind::kList ? "list" : "tuple") : "dict";
    if (!type_ok) {
      return "pytree structure error: different types at key path\n" + where +
             "At that key path, the prefix pytree " + name + " has a subtree of type\n    " +
             spec_type + "\nbut at the same key path the full pytree has a subtree of " +
             "different type\n    " + node_type(n) + ".";
    }
    size_t n_spec = spec.children().size();
    size_t n_full = static_cast<size_t>(n.arity);
    if (sequence && n_spec != n_full) {
      return "pytree structure error: different lengths of " + spec_type + " at key path\n" +
             where + "At that key path, the prefix pytree " + name + " has a subtree of type " +
             spec_type + " of length " + std::to_string(n_spec) +
             ", but the full pytree has a subtree of the same type but of length " +
             std::to_string(n_full) + ".";
    }
    // Children of the full node in the order of the spec's children.
    std::vector<size_t> order(n_spec);
    if (!sequence) {
      std::vector<std::string> full_keys = n.keys;
      std::sort(full_keys.begin(), full_keys.end());  // custom fields are in declaration order
      if (n_spec != n_full) {
        std::vector<std::string> diff;
        std::set_symmetric_difference(spec.keys().begin(), spec.keys().end(), full_keys.begin(),
                                      full_keys.end(), std::back_inserter(diff));
        return "pytree structure error: different numbers of pytree children at key path\n" +
               where + "At that key path, the prefix pytree " + name +
               " has a subtree of type\n    dict\nwith " + std::to_string(n_spec) +
               " child keys\n    " + join(spec.keys()) +
               "\nbut at the same key path the full pytree has a subtree of type " + node_type(n) +
               " with " + std::to_string(n_full) + " child keys\n    " + join(full_keys) +
               "\nso the symmetric difference on key sets is\n    " + join(diff);
      }
      if (spec.keys() != full_keys) {
        return "pytree structure error: different pytree metadata at key path\n" + where +
               "At that key path, the prefix pytree " + name +
               " has a subtree of type\n    dict\nwith metadata\n    " + py_list(spec.keys()) +
               "\nbut at the same key path the full pytree has a subtree of type " + node_type(n) +
               " with metadata\n    " + py_list(full_keys);
      }
      for (size_t i = 0; i < n_spec; ++i) {
        order[i] = static_cast<size_t>(std::find(n.keys.begin(), n.keys.end(), spec.keys()[i]) -
                                       n.keys.begin());
      }
    } else {
      for (size_t i = 0; i < n_spec; ++i) order[i] = i;
    }
    // Leaf offsets and node indices of the full node's children, in the full tree's order.
    std::vector<size_t> child_node(n_full), child_leaf(n_full);
    size_t j = node + 1, l = leaf;
    for (size_t c = 0; c < n_full; ++c) {
      child_node[c] = j;
      child_leaf[c] = l;
      l += static_cast<size_t>(full.nodes()[j].num_leaves);
      j += static_cast<size_t>(full.nodes()[j].num_nodes);
    }
    size_t path_len = path.size();
    for (size_t i = 0; i < n_spec; ++i) {
      size_t c = order[i];
      path.resize(path_len);
      if (sequence)
        path += tree::detail::index_entry(c);
      else if (n.kind == NodeKind::kDict)
        path += tree::detail::key_entry(n.keys[c]);
      else
        path += "." + n.keys[c];
      size_t child = child_node[c];
      leaf = child_leaf[c];
      std::string err = match(spec.children()[i], child);
      if (!err.empty()) return err;
    }
    path.resize(path_len);
    leaf = l;
    node = j;
    return "";
  }
};

}  // namespace

std::vector<std::optional<int>> broadcast_prefix(const AxisSpec& prefix, const TreeDef& full,
                                                 std::string_view what) {
  size_t space = what.rfind(' ');
  std::string name(space == std::string_view::npos ? what : what.substr(space + 1));
  Matcher m{full, name, std::vector<std::optional<int>>(static_cast<size_t>(full.num_leaves())), 0,
            ""};
  size_t node = 0;
  std::string err = m.match(prefix, node);
  if (!err.empty()) {
    throw ValueError(std::string(what) +
                     " specification must be a tree prefix of the corresponding value, got "
                     "specification " +
                     prefix.str() + " for value tree " + full.str() + ".\n" + err);
  }
  return std::move(m.out);
}

}  // namespace tree
}  // namespace jx
