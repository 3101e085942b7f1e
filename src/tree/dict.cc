// jx::Tree (a pytree chosen at run time) and jx::Dict, and how both flatten.
#include <algorithm>

#include "jx/tree.h"
#include "tree/tree_util.h"

namespace jx {

using tree::detail::py_list;
using tree::detail::py_str;

// ---- Tree -----------------------------------------------------------------------------------

Tree::Tree(const Dict& d) : kind_(NodeKind::kDict) {
  children_.reserve(d.size());
  keys_.reserve(d.size());
  for (const auto& [k, v] : d) {
    keys_.push_back(k);
    children_.push_back(v);
  }
}

Tree Tree::tuple(std::vector<Tree> items) {
  Tree t;
  t.kind_ = NodeKind::kTuple;
  t.children_ = std::move(items);
  return t;
}

Tree Tree::list(std::vector<Tree> items) {
  Tree t;
  t.kind_ = NodeKind::kList;
  t.children_ = std::move(items);
  return t;
}

Tree Tree::custom(std::string name, std::vector<std::string> fields, std::vector<Tree> items) {
  if (fields.size() != items.size()) {
    throw ValueError("Tree::custom: " + std::to_string(fields.size()) + " fields but " +
                     std::to_string(items.size()) + " children");
  }
  Tree t;
  t.kind_ = NodeKind::kCustom;
  t.name_ = std::move(name);
  t.keys_ = std::move(fields);
  t.children_ = std::move(items);
  return t;
}

std::string Tree::describe() const {
  switch (kind_) {
    case NodeKind::kLeaf:
      return "an array leaf";
    case NodeKind::kNone:
      return "None";
    case NodeKind::kTuple:
      return "a tuple of " + std::to_string(children_.size()) + " children";
    case NodeKind::kList:
      return "a list of " + std::to_string(children_.size()) + " children";
    case NodeKind::kDict:
      return "a dict with keys " + py_list(keys_);
    case NodeKind::kCustom:
      return "a custom node " + name_ + " with fields " + py_list(keys_);
  }
  return "?";
}

const Array& Tree::array() const {
  if (kind_ != NodeKind::kLeaf) {
    throw ValueError("jx::Tree: expected an array leaf, but this pytree node is " + describe());
  }
  return leaf_;
}

static size_t key_index(const std::vector<std::string>& keys, std::string_view key) {
  auto it = std::find(keys.begin(), keys.end(), key);
  return it == keys.end() ? keys.size() : static_cast<size_t>(it - keys.begin());
}

bool Tree::contains(std::string_view key) const {
  return (kind_ == NodeKind::kDict || kind_ == NodeKind::kCustom) &&
         key_index(keys_, key) < keys_.size();
}

const Tree& Tree::operator[](std::string_view key) const {
  if (kind_ != NodeKind::kDict && kind_ != NodeKind::kCustom) {
    throw ValueError("jx::Tree: cannot look up key " + py_str(key) + " in " + describe() +
                     "; only dicts and registered structs have keys");
  }
  size_t i = key_index(keys_, key);
  if (i == keys_.size()) {
    throw IndexError("KeyError: " + py_str(key) + " is not a key of this " +
                     (kind_ == NodeKind::kDict ? std::string("dict") : name_) + "; its keys are " +
                     py_list(keys_));
  }
  return children_[i];
}

Tree& Tree::operator[](std::string_view key) {
  return const_cast<Tree&>(static_cast<const Tree&>(*this)[key]);
}

const Tree& Tree::child(size_t i) const {
  if (kind_ == NodeKind::kLeaf || kind_ == NodeKind::kNone) {
    throw ValueError("jx::Tree: child(" + std::to_string(i) + ") of " + describe() +
                     ", which has no children");
  }
  if (i >= children_.size()) {
    throw IndexError("jx::Tree: child index " + std::to_string(i) + " is out of range for " +
                     describe());
  }
  return children_[i];
}

Tree& Tree::child(size_t i) { return const_cast<Tree&>(static_cast<const Tree&>(*this).child(i)); }

Dict Tree::as_dict() const {
  if (kind_ != NodeKind::kDict) {
    throw ValueError("jx::Tree: as_dict() needs a dict node, but this pytree node is " +
                     describe());
  }
  std::vector<Dict::value_type> items;
  items.reserve(children_.size());
  for (size_t i = 0; i < children_.size(); ++i) items.emplace_back(keys_[i], children_[i]);
  return Dict(std::move(items));
}

// ---- Dict -----------------------------------------------------------------------------------

Dict::Dict(std::initializer_list<value_type> items) : Dict(std::vector<value_type>(items)) {}

Dict::Dict(std::vector<value_type> items) : items_(std::move(items)) {
  std::stable_sort(items_.begin(), items_.end(),
                   [](const value_type& a, const value_type& b) { return a.first < b.first; });
  for (size_t i = 1; i < items_.size(); ++i) {
    if (items_[i].first == items_[i - 1].first) {
      throw ValueError("jx::Dict: duplicate key " + py_str(items_[i].first));
    }
  }
}

const Dict::value_type* Dict::find(std::string_view key) const {
  auto it = std::lower_bound(items_.begin(), items_.end(), key,
                             [](const value_type& a, std::string_view k) { return a.first < k; });
  return it != items_.end() && it->first == key ? &*it : nullptr;
}

void Dict::throw_missing(std::string_view key) const {
  throw IndexError("KeyError: " + py_str(key) + " is not a key of this jx::Dict; its keys are " +
                   py_list(keys()));
}

const Tree& Dict::operator[](std::string_view key) const {
  const value_type* v = find(key);
  if (v == nullptr) throw_missing(key);
  return v->second;
}

Tree& Dict::operator[](std::string_view key) {
  return const_cast<Tree&>(static_cast<const Dict&>(*this)[key]);
}

bool Dict::contains(std::string_view key) const { return find(key) != nullptr; }

void Dict::insert_or_assign(std::string key, Tree value) {
  auto it = std::lower_bound(items_.begin(), items_.end(), key,
                             [](const value_type& a, const std::string& k) { return a.first < k; });
  if (it != items_.end() && it->first == key)
    it->second = std::move(value);
  else
    items_.emplace(it, std::move(key), std::move(value));
}

bool Dict::erase(std::string_view key) {
  const value_type* v = find(key);
  if (v == nullptr) return false;
  items_.erase(items_.begin() + (v - items_.data()));
  return true;
}

std::vector<std::string> Dict::keys() const {
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& kv : items_) out.push_back(kv.first);
  return out;
}

// ---- flattening -----------------------------------------------------------------------------

namespace tree::detail {

void flatten_tree(const Tree& t, FlattenState& s) {
  switch (t.kind()) {
    case NodeKind::kLeaf:
      s.leaves.push_back(t.array());
      s.nodes.push_back(TreeDef::Node{});
      return;
    case NodeKind::kNone:
      s.nodes.push_back(TreeDef::Node{NodeKind::kNone, 0, 0, 1, {}, {}});
      return;
    default:
      break;
  }
  size_t before = s.leaves.size();
  size_t node = begin_node(s, t.kind(), static_cast<int>(t.num_children()), t.keys(), t.name());
  for (size_t i = 0; i < t.num_children(); ++i) flatten_tree(t.child(i), s);
  end_node(s, node, before);
}

Tree unflatten_tree(UnflattenState& s) {
  const TreeDef::Node& n = s.current();
  ++s.node;
  switch (n.kind) {
    case NodeKind::kLeaf:
      return Tree(s.leaves[s.leaf++]);
    case NodeKind::kNone:
      return Tree();
    default:
      break;
  }
  std::vector<Tree> children;
  children.reserve(static_cast<size_t>(n.arity));
  for (int i = 0; i < n.arity; ++i) children.push_back(unflatten_tree(s));
  switch (n.kind) {
    case NodeKind::kTuple:
      return Tree::tuple(std::move(children));
    case NodeKind::kList:
      return Tree::list(std::move(children));
    case NodeKind::kCustom:
      return Tree::custom(n.name, n.keys, std::move(children));
    default:
      break;
  }
  std::vector<Dict::value_type> items;
  for (size_t i = 0; i < children.size(); ++i)
    items.emplace_back(n.keys[i], std::move(children[i]));
  return Tree(Dict(std::move(items)));
}

void flatten_dict(const Dict& d, FlattenState& s) {
  size_t before = s.leaves.size();
  size_t node = begin_node(s, NodeKind::kDict, static_cast<int>(d.size()), d.keys());
  for (const auto& kv : d) flatten_tree(kv.second, s);
  end_node(s, node, before);
}

Dict unflatten_dict(UnflattenState& s) {
  expect_node(s, NodeKind::kDict, -1, "a dict (jx::Dict)");
  const TreeDef::Node& n = s.current();
  ++s.node;
  std::vector<Dict::value_type> items;
  items.reserve(static_cast<size_t>(n.arity));
  for (int i = 0; i < n.arity; ++i) {
    items.emplace_back(n.keys[static_cast<size_t>(i)], unflatten_tree(s));
  }
  return Dict(std::move(items));
}

}  // namespace tree::detail
}  // namespace jx
