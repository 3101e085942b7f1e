// TreeDef: construction, JAX's printing, hashing, and the shared error messages of flatten and
// unflatten.
#include <algorithm>
#include <functional>
#include <numeric>
#include <ostream>
#include <sstream>

#include "jx/tree.h"
#include "tree/tree_util.h"

namespace jx {
namespace tree::detail {

std::string py_str(std::string_view s) {
  // Python's repr of a str: single quotes unless the text holds one and no double quote.
  char q = (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos) ? '"'
                                                                                             : '\'';
  std::string out(1, q);
  for (char c : s) {
    if (c == '\\' || c == q) out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += q;
  return out;
}

std::string py_list(const std::vector<std::string>& keys) {
  std::string out = "[";
  for (size_t i = 0; i < keys.size(); ++i) out += (i ? ", " : "") + py_str(keys[i]);
  return out + "]";
}

std::string key_entry(std::string_view key) {
  // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on "[" + std::string.
  std::string out = "[";
  out += py_str(key);
  out += ']';
  return out;
}

std::string index_entry(size_t i) {
  std::string out = "[";
  out += std::to_string(i);
  out += ']';
  return out;
}

std::string describe_node(const TreeDef::Node& n) {
  switch (n.kind) {
    case NodeKind::kLeaf:
      return "a leaf";
    case NodeKind::kNone:
      return "None";
    case NodeKind::kTuple:
      return "a tuple of " + std::to_string(n.arity) + " children";
    case NodeKind::kList:
      return "a list of " + std::to_string(n.arity) + " children";
    case NodeKind::kDict:
      return "a dict with keys " + py_list(n.keys);
    case NodeKind::kCustom:
      return "a custom node " + n.name + " with fields " + py_list(n.keys);
  }
  return "?";
}

size_t begin_node(FlattenState& s, NodeKind kind, int arity, std::vector<std::string> keys,
                  std::string name) {
  s.nodes.push_back(TreeDef::Node{kind, arity, 0, 1, std::move(keys), std::move(name)});
  return s.nodes.size() - 1;
}

void end_node(FlattenState& s, size_t node, size_t leaves_before) {
  s.nodes[node].num_leaves = static_cast<int>(s.leaves.size() - leaves_before);
  s.nodes[node].num_nodes = static_cast<int>(s.nodes.size() - node);
}

void throw_mismatch(const UnflattenState& s, std::string_view expected) {
  throw ValueError("tree::unflatten: the TreeDef does not match the C++ type at key path tree" +
                   s.path + ": the C++ type needs " + std::string(expected) +
                   " but the TreeDef has " + describe_node(s.current()) +
                   " there; TreeDef: " + s.def->str());
}

void expect_node(const UnflattenState& s, NodeKind kind, int arity, std::string_view expected) {
  const TreeDef::Node& n = s.current();
  if (n.kind != kind || (arity >= 0 && n.arity != arity)) throw_mismatch(s, expected);
}

void check_custom(const UnflattenState& s, std::string_view name,
                  const std::vector<std::string>& fields) {
  const TreeDef::Node& n = s.current();
  if (n.kind != NodeKind::kCustom || n.name != name || n.keys != fields) {
    throw_mismatch(s, "a custom node " + std::string(name) + " with fields " + py_list(fields));
  }
}

void check_leaf_count(const TreeDef& def, size_t n) {
  auto expected = static_cast<size_t>(def.num_leaves());
  if (n < expected) {
    throw ValueError("tree::unflatten: Too few leaves for PyTreeDef; expected " +
                     std::to_string(expected) + ", got " + std::to_string(n) + ".");
  }
  if (n > expected) {
    throw ValueError("tree::unflatten: Too many leaves for PyTreeDef; expected " +
                     std::to_string(expected) + ", got " + std::to_string(n) + ".");
  }
}

void read_scalar(const UnflattenState& s, const Array& a, void* out, DType as) {
  std::string where = "tree::unflatten: cannot convert the leaf at key path tree" + s.path +
                      " to a C++ " + std::string(dtype_name(as)) + " scalar: ";
  if (!a.valid()) throw ValueError(where + "the leaf is a null jx::Array");
  if (!a.is_concrete()) {
    throw ValueError(where + "it is a traced value (" + a.aval().str() +
                     "); give that field the type jx::Array to use it under a transformation");
  }
  if (a.size() != 1) {
    throw ValueError(where + "it has shape " + a.shape().str() + " (" + std::to_string(a.size()) +
                     " elements), not a single element");
  }
  dispatch_dtype(as, [&](auto tag) {
    using T = typename decltype(tag)::type;
    *static_cast<T*>(out) = a.item<T>();
  });
}

// The key path (relative to the roots) and descriptions of the first node where two
// structures differ, walking both in pre-order.
static std::string first_difference(const TreeDef& a, const TreeDef& b, size_t& ia, size_t& ib,
                                    std::string& path) {
  const TreeDef::Node& na = a.nodes()[ia];
  const TreeDef::Node& nb = b.nodes()[ib];
  if (na.kind != nb.kind || na.arity != nb.arity || na.keys != nb.keys || na.name != nb.name) {
    return path + ": " + describe_node(na) + " vs " + describe_node(nb);
  }
  ++ia;
  ++ib;
  size_t len = path.size();
  for (int i = 0; i < na.arity; ++i) {
    path.resize(len);
    if (na.kind == NodeKind::kDict)
      path += key_entry(na.keys[static_cast<size_t>(i)]);
    else if (na.kind == NodeKind::kCustom)
      path += "." + na.keys[static_cast<size_t>(i)];
    else
      path += index_entry(static_cast<size_t>(i));
    std::string d = first_difference(a, b, ia, ib, path);
    if (!d.empty()) return d;
  }
  path.resize(len);
  return "";
}

std::string structure_difference(const TreeDef& a, const TreeDef& b) {
  size_t ia = 0, ib = 0;
  std::string path;
  return first_difference(a, b, ia, ib, path);
}

void throw_map_mismatch(const TreeDef& first, const TreeDef& other, size_t index) {
  throw ValueError("tree::map: tree " + std::to_string(index) +
                   " does not have the structure of tree 0; they differ at key path tree" +
                   structure_difference(first, other) + ". Tree 0: " + first.str() + "; tree " +
                   std::to_string(index) + ": " + other.str());
}

}  // namespace tree::detail

using tree::detail::py_str;

TreeDef::TreeDef() : nodes_{Node{}} {}

TreeDef::TreeDef(std::vector<Node> nodes) : nodes_(std::move(nodes)) {
  if (nodes_.empty()) throw ValueError("TreeDef: a tree definition needs at least one node");
  // Check the pre-order counts so that a hand-built TreeDef cannot send a traversal out of
  // bounds.
  std::function<size_t(size_t)> check = [&](size_t i) -> size_t {
    if (i >= nodes_.size()) throw ValueError("TreeDef: the nodes end inside a subtree");
    const Node& n = nodes_[i];
    if (n.arity < 0) throw ValueError("TreeDef: negative arity");
    bool keyed = n.kind == NodeKind::kDict || n.kind == NodeKind::kCustom;
    if (keyed && n.keys.size() != static_cast<size_t>(n.arity)) {
      throw ValueError("TreeDef: a dict or custom node needs one key per child");
    }
    bool childless = n.kind == NodeKind::kLeaf || n.kind == NodeKind::kNone;
    if (childless && n.arity != 0) throw ValueError("TreeDef: a leaf or None has no children");
    size_t j = i + 1;
    int leaves = n.kind == NodeKind::kLeaf ? 1 : 0;
    for (int c = 0; c < n.arity; ++c) {
      size_t child = j;
      j = check(child);  // bounds-checks child before its counts are read
      leaves += nodes_[child].num_leaves;
    }
    if (n.num_leaves != leaves || n.num_nodes != static_cast<int>(j - i)) {
      throw ValueError("TreeDef: inconsistent leaf or node counts");
    }
    return j;
  };
  if (check(0) != nodes_.size()) throw ValueError("TreeDef: nodes left over after the root");
}

TreeDef TreeDef::leaf() { return TreeDef(); }

TreeDef TreeDef::none() { return TreeDef({Node{NodeKind::kNone, 0, 0, 1, {}, {}}}); }

static TreeDef compose(TreeDef::Node root, const std::vector<TreeDef>& children) {
  std::vector<TreeDef::Node> nodes{std::move(root)};
  for (const TreeDef& c : children) {
    nodes[0].num_leaves += c.num_leaves();
    nodes[0].num_nodes += c.num_nodes();
    nodes.insert(nodes.end(), c.nodes().begin(), c.nodes().end());
  }
  return TreeDef(std::move(nodes));
}

TreeDef TreeDef::tuple(const std::vector<TreeDef>& children) {
  return compose(Node{NodeKind::kTuple, static_cast<int>(children.size()), 0, 1, {}, {}}, children);
}

TreeDef TreeDef::list(const std::vector<TreeDef>& children) {
  return compose(Node{NodeKind::kList, static_cast<int>(children.size()), 0, 1, {}, {}}, children);
}

TreeDef TreeDef::dict(const std::vector<std::string>& keys, const std::vector<TreeDef>& children) {
  if (keys.size() != children.size()) {
    throw ValueError("TreeDef::dict: " + std::to_string(keys.size()) + " keys but " +
                     std::to_string(children.size()) + " children");
  }
  std::vector<size_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  std::vector<std::string> sorted_keys;
  std::vector<TreeDef> sorted_children;
  for (size_t i : order) {
    if (!sorted_keys.empty() && sorted_keys.back() == keys[i]) {
      throw ValueError("TreeDef::dict: duplicate key " + py_str(keys[i]));
    }
    sorted_keys.push_back(keys[i]);
    sorted_children.push_back(children[i]);
  }
  return compose(
      Node{NodeKind::kDict, static_cast<int>(keys.size()), 0, 1, std::move(sorted_keys), {}},
      sorted_children);
}

TreeDef TreeDef::custom(std::string name, std::vector<std::string> fields,
                        const std::vector<TreeDef>& children) {
  if (fields.size() != children.size()) {
    throw ValueError("TreeDef::custom: " + std::to_string(fields.size()) + " fields but " +
                     std::to_string(children.size()) + " children");
  }
  return compose(Node{NodeKind::kCustom, static_cast<int>(children.size()), 0, 1, std::move(fields),
                      std::move(name)},
                 children);
}

std::vector<TreeDef> TreeDef::children() const {
  std::vector<TreeDef> out;
  size_t j = 1;
  for (int c = 0; c < nodes_[0].arity; ++c) {
    size_t n = static_cast<size_t>(nodes_[j].num_nodes);
    out.emplace_back(std::vector<Node>(nodes_.begin() + static_cast<ptrdiff_t>(j),
                                       nodes_.begin() + static_cast<ptrdiff_t>(j + n)));
    j += n;
  }
  return out;
}

static size_t print_node(std::span<const TreeDef::Node> nodes, size_t i, std::string& out) {
  const TreeDef::Node& n = nodes[i];
  size_t j = i + 1;
  auto children = [&](const char* sep_open, const char* close, bool keyed) {
    out += sep_open;
    for (int c = 0; c < n.arity; ++c) {
      if (c) out += ", ";
      if (keyed) out += py_str(n.keys[static_cast<size_t>(c)]) + ": ";
      j = print_node(nodes, j, out);
    }
    out += close;
  };
  switch (n.kind) {
    case NodeKind::kLeaf:
      out += "*";
      break;
    case NodeKind::kNone:
      out += "None";
      break;
    case NodeKind::kTuple:
      children("(", n.arity == 1 ? ",)" : ")", false);
      break;
    case NodeKind::kList:
      children("[", "]", false);
      break;
    case NodeKind::kDict:
      children("{", "}", true);
      break;
    case NodeKind::kCustom:
      // JAX prints a registered dataclass with its (here empty) static metadata in brackets.
      out += "CustomNode(" + n.name + "[()], ";
      children("[", "])", false);
      break;
  }
  return j;
}

std::string TreeDef::str() const {
  std::string out = "PyTreeDef(";
  print_node(nodes_, 0, out);
  return out + ")";
}

size_t TreeDef::hash() const {
  size_t h = 0x9e3779b97f4a7c15ull;
  auto mix = [&](size_t v) { h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2); };
  for (const Node& n : nodes_) {
    mix(static_cast<size_t>(n.kind));
    mix(static_cast<size_t>(n.arity));
    for (const std::string& k : n.keys) mix(std::hash<std::string>{}(k));
    if (!n.name.empty()) mix(std::hash<std::string>{}(n.name));
  }
  return h;
}

std::ostream& operator<<(std::ostream& os, const TreeDef& t) { return os << t.str(); }

namespace tree {

std::vector<std::string> leaf_paths(const TreeDef& def, std::string_view root) {
  std::vector<std::string> out;
  std::span<const TreeDef::Node> nodes = def.nodes();
  size_t next = 0;
  // Pre-order walk: each call consumes the subtree starting at nodes[next].
  auto walk = [&](auto& self, const std::string& path) -> void {
    const TreeDef::Node& n = nodes[next++];
    if (n.kind == NodeKind::kLeaf) {
      out.push_back(path);
      return;
    }
    for (int c = 0; c < n.arity; ++c) {
      std::string child = path;
      if (n.kind == NodeKind::kDict) {
        child += detail::key_entry(n.keys[c]);
      } else if (n.kind == NodeKind::kCustom) {
        child += "." + n.keys[c];
      } else {
        child += detail::index_entry(static_cast<size_t>(c));
      }
      self(self, child);
    }
  };
  walk(walk, std::string(root));
  return out;
}

}  // namespace tree
}  // namespace jx
