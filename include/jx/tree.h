// Pytrees, as in jax.tree_util: nested containers whose leaves are arrays. Transformations
// flatten their arguments and results to a list of leaves plus a TreeDef (the structure), and
// rebuild them afterwards. Supported nodes:
//   jx::Array and C++ arithmetic scalars      leaves (scalars become weak scalar arrays)
//   std::tuple, std::pair, std::array          tuple nodes (JAX's tuple)
//   std::vector                                list nodes
//   std::map<std::string, T>, jx::Dict         dict nodes (keys in sorted order, as JAX)
//   std::optional<T>, jx::none                 None when empty, else the value's structure
//   jx::Tree                                   any of the above, chosen at run time
//   structs registered with JX_REGISTER_PYTREE custom nodes
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "jx/array.h"

namespace jx {

class Tree;
class Dict;

// The kind of one node of a pytree.
enum class NodeKind : uint8_t { kLeaf, kNone, kTuple, kList, kDict, kCustom };

// The structure of a pytree without its leaves (JAX's PyTreeDef). Immutable value type;
// comparable and hashable so that jit can key its cache on it. Prints as JAX does:
// PyTreeDef((*, {'b': *, 'w': *})).
class TreeDef {
 public:
  // One node, stored in pre-order (a node, then the subtrees of its children in order).
  struct Node {
    NodeKind kind = NodeKind::kLeaf;
    int arity = 0;       // number of children
    int num_leaves = 1;  // leaves in the subtree rooted here
    int num_nodes = 1;   // nodes in the subtree rooted here, itself included
    // Dict keys (sorted) or the field names of a custom node (declaration order).
    std::vector<std::string> keys;
    std::string name;  // type name of a custom node
    friend bool operator==(const Node&, const Node&) = default;
  };

  // The structure of a single leaf: PyTreeDef(*).
  TreeDef();
  // Builds a TreeDef from pre-order nodes; throws ValueError if their counts are inconsistent.
  explicit TreeDef(std::vector<Node> nodes);

  static TreeDef leaf();
  static TreeDef none();
  static TreeDef tuple(const std::vector<TreeDef>& children);
  static TreeDef list(const std::vector<TreeDef>& children);
  // keys need not be sorted (they are sorted together with their children); no duplicates.
  static TreeDef dict(const std::vector<std::string>& keys, const std::vector<TreeDef>& children);
  static TreeDef custom(std::string name, std::vector<std::string> fields,
                        const std::vector<TreeDef>& children);

  int num_leaves() const { return nodes_[0].num_leaves; }
  int num_nodes() const { return nodes_[0].num_nodes; }
  NodeKind kind() const { return nodes_[0].kind; }
  bool is_leaf() const { return kind() == NodeKind::kLeaf; }
  // Dict keys or custom field names of the root.
  const std::vector<std::string>& keys() const { return nodes_[0].keys; }
  const std::string& name() const { return nodes_[0].name; }
  // The structures of the root's children (treedef.children() in JAX).
  std::vector<TreeDef> children() const;
  std::span<const Node> nodes() const { return nodes_; }

  // JAX's repr: "PyTreeDef((*, [*, None], {'a': *}))".
  std::string str() const;
  size_t hash() const;
  friend bool operator==(const TreeDef& a, const TreeDef& b) { return a.nodes_ == b.nodes_; }

 private:
  std::vector<Node> nodes_;
};
std::ostream& operator<<(std::ostream& os, const TreeDef& t);

// A pytree whose structure is chosen at run time: a leaf array, None, a tuple, a list, a dict
// or a custom node. It is what jx::Dict holds as values, so params["w"] can be an array or a
// nested dict. Where it holds a leaf it stands in for that array: it converts to
// `const Array&` and forwards shape(), dtype() and friends.
class Tree {
 public:
  // None.
  Tree() : kind_(NodeKind::kNone) {}
  Tree(std::nullopt_t) : kind_(NodeKind::kNone) {}                      // NOLINT
  Tree(Array leaf) : kind_(NodeKind::kLeaf), leaf_(std::move(leaf)) {}  // NOLINT
  template <Scalar T>
  Tree(T value) : Tree(Array(value)) {}  // NOLINT: a weak scalar leaf, as 0.25 in Python
  Tree(const Dict& d);                   // NOLINT
  // Any other pytree value (std::vector<Array>, std::tuple<...>, a registered struct, ...).
  template <class T>
  requires(!std::is_same_v<std::remove_cvref_t<T>, Tree> &&
           !std::is_same_v<std::remove_cvref_t<T>, Dict> &&
           !std::is_same_v<std::remove_cvref_t<T>, Array> && !Scalar<std::remove_cvref_t<T>> &&
           !std::is_same_v<std::remove_cvref_t<T>, std::nullopt_t>) Tree(const T& value);  // NOLINT

  static Tree tuple(std::vector<Tree> items);
  static Tree list(std::vector<Tree> items);
  // A custom node (what unflatten<Tree> makes of a registered struct).
  static Tree custom(std::string name, std::vector<std::string> fields, std::vector<Tree> items);

  NodeKind kind() const { return kind_; }
  bool is_leaf() const { return kind_ == NodeKind::kLeaf; }
  bool is_none() const { return kind_ == NodeKind::kNone; }
  bool is_dict() const { return kind_ == NodeKind::kDict; }
  // The array of a leaf; throws ValueError naming what this node is otherwise.
  const Array& array() const;
  operator const Array&() const { return array(); }  // NOLINT: params["w"] is an array

  // Array conveniences for a leaf (grads["w"].shape()).
  const Shape& shape() const { return array().shape(); }
  DType dtype() const { return array().dtype(); }
  bool weak_type() const { return array().weak_type(); }
  const ShapedArray& aval() const { return array().aval(); }
  int ndim() const { return array().ndim(); }
  int64_t size() const { return array().size(); }
  template <Scalar T>
  T item() const {
    return array().template item<T>();
  }
  template <Scalar T>
  std::vector<T> to_vector() const {
    return array().template to_vector<T>();
  }
  // Indexes the array of a leaf (params["w"][0]); use child(i) for tuple and list elements.
  template <class I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) Array operator[](I i) const {
    return array()[static_cast<int64_t>(i)];
  }
  template <class I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) Array operator[](
      I i) {  // a non-const twin, so that t[0] on a non-const Tree is not ambiguous
    return array()[static_cast<int64_t>(i)];
  }

  // The child under `key` of a dict (or the field of a custom node); throws IndexError
  // listing the keys present when it is missing.
  const Tree& operator[](std::string_view key) const;
  Tree& operator[](std::string_view key);
  bool contains(std::string_view key) const;
  // Number of children (0 for a leaf or None).
  size_t num_children() const { return children_.size(); }
  // Child i of a tuple, list, dict (in key order) or custom node; throws IndexError.
  const Tree& child(size_t i) const;
  Tree& child(size_t i);
  // Dict keys (sorted) or custom field names.
  const std::vector<std::string>& keys() const { return keys_; }
  // Name of a custom node's type.
  const std::string& name() const { return name_; }
  // A copy of this dict node as a jx::Dict; throws ValueError for other nodes.
  Dict as_dict() const;

  // What this node is, for error messages: "a dict with keys ['b', 'w']".
  std::string describe() const;

 private:
  friend class Dict;
  NodeKind kind_;
  Array leaf_;
  std::vector<Tree> children_;
  std::vector<std::string> keys_;
  std::string name_;
};

// A string-keyed dict of pytrees (Python's dict in a JAX program), iterated in sorted key order
// as JAX flattens dicts:
//   jx::Dict params{{"w", w}, {"b", 0.25f}};   params["w"] is usable as a const Array&
//   jx::Dict net{{"layer", jx::Dict{{"w", w}}}};   net["layer"]["w"]
class Dict {
 public:
  using value_type = std::pair<std::string, Tree>;
  using const_iterator = std::vector<value_type>::const_iterator;
  using iterator = std::vector<value_type>::iterator;

  Dict() = default;
  // Throws ValueError on a duplicate key.
  Dict(std::initializer_list<value_type> items);
  explicit Dict(std::vector<value_type> items);

  // The value under key; throws IndexError naming the key and the keys present.
  const Tree& operator[](std::string_view key) const;
  Tree& operator[](std::string_view key);
  const Tree& at(std::string_view key) const { return (*this)[key]; }
  // d[0] would otherwise convert 0 to a null string_view; dict keys are strings.
  template <class I>
  requires std::is_integral_v<I>
  const Tree& operator[](I) const = delete;
  template <class I>
  requires std::is_integral_v<I> Tree& operator[](I) = delete;
  bool contains(std::string_view key) const;
  // Inserts or replaces (d["k"] = v in Python).
  void insert_or_assign(std::string key, Tree value);
  // Removes key; returns whether it was present.
  bool erase(std::string_view key);

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  std::vector<std::string> keys() const;
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }

 private:
  const value_type* find(std::string_view key) const;
  [[noreturn]] void throw_missing(std::string_view key) const;
  std::vector<value_type> items_;  // sorted by key, unique
};

namespace tree {

// Argument of the function that JX_REGISTER_PYTREE defines; found by argument-dependent lookup
// in the namespace of the registered type.
template <class T>
struct Tag {};

namespace detail {

template <class S, class M>
struct Field {
  const char* name;
  M S::*member;
};
template <class S, class M>
constexpr Field<S, M> field(const char* name, M S::*member) {
  return {name, member};
}
template <class S, class... Ms>
struct Fields {
  const char* type_name;
  std::tuple<Field<S, Ms>...> fields;
};
template <class S, class... Ms>
constexpr Fields<S, Ms...> make_fields(const char* type_name, Field<S, Ms>... fields) {
  return {type_name, std::tuple<Field<S, Ms>...>(fields...)};
}

template <class T>
concept Registered = requires {
  jx_pytree_fields(::jx::tree::Tag<T>{});
};

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsTupleLike : std::false_type {};
template <class... Ts>
struct IsTupleLike<std::tuple<Ts...>> : std::true_type {};
template <class A, class B>
struct IsTupleLike<std::pair<A, B>> : std::true_type {};
template <class T, size_t N>
struct IsTupleLike<std::array<T, N>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T, class A>
struct IsVector<std::vector<T, A>> : std::true_type {};
template <class T>
struct IsStringMap : std::false_type {};
template <class T, class C, class A>
struct IsStringMap<std::map<std::string, T, C, A>> : std::true_type {};

template <class T>
constexpr bool is_pytree();
template <class Tuple, size_t... I>
constexpr bool all_elements_pytree(std::index_sequence<I...>) {
  return (is_pytree<std::tuple_element_t<I, Tuple>>() && ...);
}
template <class T>
constexpr bool is_pytree() {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, Array> || Scalar<U> || std::is_same_v<U, std::nullopt_t> ||
                std::is_same_v<U, Tree> || std::is_same_v<U, Dict>) {
    return true;
  } else if constexpr (IsOptional<U>::value || IsVector<U>::value) {
    return is_pytree<typename U::value_type>();
  } else if constexpr (IsStringMap<U>::value) {
    return is_pytree<typename U::mapped_type>();
  } else if constexpr (IsTupleLike<U>::value) {
    return all_elements_pytree<U>(std::make_index_sequence<std::tuple_size_v<U>>{});
  } else {
    return Registered<U>;
  }
}

// Flattening appends leaves and pre-order nodes.
struct FlattenState {
  std::vector<Array> leaves;
  std::vector<TreeDef::Node> nodes;
};
size_t begin_node(FlattenState& s, NodeKind kind, int arity, std::vector<std::string> keys = {},
                  std::string name = {});
void end_node(FlattenState& s, size_t node, size_t leaves_before);

// Unflattening walks the nodes in the same order; `path` names the current position
// ("[0]['w']") for error messages.
struct UnflattenState {
  const TreeDef* def;
  std::span<const Array> leaves;
  size_t node = 0;
  size_t leaf = 0;
  std::string path;
  const TreeDef::Node& current() const { return def->nodes()[node]; }
};
// Throws ValueError: the node at the current position is not what the C++ type needs.
[[noreturn]] void throw_mismatch(const UnflattenState& s, std::string_view expected);
// Checks the current node has `kind` (and, when arity >= 0, that many children), else throws.
void expect_node(const UnflattenState& s, NodeKind kind, int arity, std::string_view expected);
void check_leaf_count(const TreeDef& def, size_t n);
// Reads a C++ scalar out of the current leaf (a concrete size-1 array), else throws.
void read_scalar(const UnflattenState& s, const Array& a, void* out, DType as);
void flatten_tree(const Tree& t, FlattenState& s);
Tree unflatten_tree(UnflattenState& s);
void flatten_dict(const Dict& d, FlattenState& s);
Dict unflatten_dict(UnflattenState& s);
void check_custom(const UnflattenState& s, std::string_view name,
                  const std::vector<std::string>& fields);
std::string key_entry(std::string_view key);  // "['key']"
std::string index_entry(size_t i);            // "[3]"

template <class Fs, size_t... I>
std::vector<std::string> field_names(const Fs& fs, std::index_sequence<I...>) {
  return {std::string(std::get<I>(fs.fields).name)...};
}

template <class T>
void flatten_node(const T& x, FlattenState& s);
template <class T>
T unflatten_node(UnflattenState& s);

template <class T, size_t... I>
void flatten_tuple(const T& x, FlattenState& s, std::index_sequence<I...>) {
  (flatten_node(std::get<I>(x), s), ...);
}
template <class T, size_t... I>
T unflatten_tuple(UnflattenState& s, std::index_sequence<I...>) {
  size_t path_len = s.path.size();
  auto element = [&]<size_t J>(std::integral_constant<size_t, J>) {
    s.path.resize(path_len);
    s.path += index_entry(J);
    return unflatten_node<std::remove_cvref_t<std::tuple_element_t<J, T>>>(s);
  };
  // A braced initializer runs its elements in order: the leaves of element I come first.
  T out{element(std::integral_constant<size_t, I>{})...};
  s.path.resize(path_len);
  return out;
}

template <class T>
void flatten_node(const T& x, FlattenState& s) {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, Array>) {
    s.leaves.push_back(x);
    s.nodes.push_back(TreeDef::Node{});
  } else if constexpr (Scalar<U>) {
    s.leaves.push_back(Array(x));
    s.nodes.push_back(TreeDef::Node{});
  } else if constexpr (std::is_same_v<U, std::nullopt_t>) {
    s.nodes.push_back(TreeDef::Node{NodeKind::kNone, 0, 0, 1, {}, {}});
  } else if constexpr (std::is_same_v<U, Tree>) {
    flatten_tree(x, s);
  } else if constexpr (std::is_same_v<U, Dict>) {
    flatten_dict(x, s);
  } else if constexpr (IsOptional<U>::value) {
    if (x.has_value())
      flatten_node(*x, s);
    else
      s.nodes.push_back(TreeDef::Node{NodeKind::kNone, 0, 0, 1, {}, {}});
  } else if constexpr (IsTupleLike<U>::value) {
    constexpr size_t n = std::tuple_size_v<U>;
    size_t before = s.leaves.size();
    size_t node = begin_node(s, NodeKind::kTuple, static_cast<int>(n));
    flatten_tuple(x, s, std::make_index_sequence<n>{});
    end_node(s, node, before);
  } else if constexpr (IsVector<U>::value) {
    size_t before = s.leaves.size();
    size_t node = begin_node(s, NodeKind::kList, static_cast<int>(x.size()));
    for (const auto& e : x) flatten_node<typename U::value_type>(e, s);
    end_node(s, node, before);
  } else if constexpr (IsStringMap<U>::value) {
    size_t before = s.leaves.size();
    std::vector<std::string> keys;
    keys.reserve(x.size());
    for (const auto& kv : x) keys.push_back(kv.first);
    size_t node = begin_node(s, NodeKind::kDict, static_cast<int>(x.size()), std::move(keys));
    for (const auto& kv : x) flatten_node(kv.second, s);
    end_node(s, node, before);
  } else if constexpr (Registered<U>) {
    constexpr auto fs = jx_pytree_fields(Tag<U>{});
    constexpr size_t n = std::tuple_size_v<decltype(fs.fields)>;
    size_t before = s.leaves.size();
    size_t node = begin_node(s, NodeKind::kCustom, static_cast<int>(n),
                             field_names(fs, std::make_index_sequence<n>{}), fs.type_name);
    std::apply([&](const auto&... f) { (flatten_node(x.*(f.member), s), ...); }, fs.fields);
    end_node(s, node, before);
  } else {
    static_assert(sizeof(U) == 0,
                  "jx: this type is not a pytree; register structs with JX_REGISTER_PYTREE");
  }
}

template <class T>
T unflatten_node(UnflattenState& s) {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, Array>) {
    expect_node(s, NodeKind::kLeaf, 0, "a leaf (jx::Array)");
    ++s.node;
    return s.leaves[s.leaf++];
  } else if constexpr (Scalar<U>) {
    expect_node(s, NodeKind::kLeaf, 0, "a leaf (a C++ scalar)");
    U out{};
    read_scalar(s, s.leaves[s.leaf], &out, dtype_of<U>());
    ++s.node;
    ++s.leaf;
    return out;
  } else if constexpr (std::is_same_v<U, std::nullopt_t>) {
    expect_node(s, NodeKind::kNone, 0, "None (jx::none)");
    ++s.node;
    return std::nullopt;
  } else if constexpr (std::is_same_v<U, Tree>) {
    return unflatten_tree(s);
  } else if constexpr (std::is_same_v<U, Dict>) {
    return unflatten_dict(s);
  } else if constexpr (IsOptional<U>::value) {
    if (s.current().kind == NodeKind::kNone) {
      ++s.node;
      return U{};
    }
    return U{unflatten_node<typename U::value_type>(s)};
  } else if constexpr (IsTupleLike<U>::value) {
    constexpr size_t n = std::tuple_size_v<U>;
    expect_node(s, NodeKind::kTuple, static_cast<int>(n),
                "a tuple of " + std::to_string(n) +
                    " children (std::tuple, std::pair or "
                    "std::array)");
    ++s.node;
    return unflatten_tuple<U>(s, std::make_index_sequence<n>{});
  } else if constexpr (IsVector<U>::value) {
    expect_node(s, NodeKind::kList, -1, "a list (std::vector)");
    int n = s.current().arity;
    ++s.node;
    U out;
    out.reserve(static_cast<size_t>(n));
    size_t path_len = s.path.size();
    for (int i = 0; i < n; ++i) {
      s.path.resize(path_len);
      s.path += index_entry(static_cast<size_t>(i));
      out.push_back(unflatten_node<typename U::value_type>(s));
    }
    s.path.resize(path_len);
    return out;
  } else if constexpr (IsStringMap<U>::value) {
    expect_node(s, NodeKind::kDict, -1, "a dict (std::map<std::string, T>)");
    std::vector<std::string> keys = s.current().keys;
    ++s.node;
    U out;
    size_t path_len = s.path.size();
    for (const auto& k : keys) {
      s.path.resize(path_len);
      s.path += key_entry(k);
      out.emplace(k, unflatten_node<typename U::mapped_type>(s));
    }
    s.path.resize(path_len);
    return out;
  } else if constexpr (Registered<U>) {
    static_assert(std::is_default_constructible_v<U>,
                  "jx: a struct registered with JX_REGISTER_PYTREE must be default-constructible "
                  "(unflatten builds it and then assigns each registered field)");
    constexpr auto fs = jx_pytree_fields(Tag<U>{});
    constexpr size_t n = std::tuple_size_v<decltype(fs.fields)>;
    check_custom(s, fs.type_name, field_names(fs, std::make_index_sequence<n>{}));
    ++s.node;
    U out{};
    size_t path_len = s.path.size();
    std::apply(
        [&](const auto&... f) {
          ((s.path.resize(path_len), s.path += std::string(".") + f.name,
            out.*(f.member) = unflatten_node<std::remove_cvref_t<decltype(out.*(f.member))>>(s)),
           ...);
        },
        fs.fields);
    s.path.resize(path_len);
    return out;
  } else {
    static_assert(sizeof(U) == 0,
                  "jx: this type is not a pytree; register structs with JX_REGISTER_PYTREE");
  }
}

[[noreturn]] void throw_map_mismatch(const TreeDef& first, const TreeDef& other, size_t index);

}  // namespace detail

// True for the types jx can flatten (see the top of this file).
template <class T>
concept PyTree = detail::is_pytree<T>();

// The leaves of x in order, and its structure (jax.tree.flatten).
template <PyTree T>
std::pair<std::vector<Array>, TreeDef> flatten(const T& x) {
  detail::FlattenState s;
  detail::flatten_node(x, s);
  return {std::move(s.leaves), TreeDef(std::move(s.nodes))};
}
// The leaves of x in order (jax.tree.leaves).
template <PyTree T>
std::vector<Array> leaves(const T& x) {
  return flatten(x).first;
}
// The structure of x (jax.tree.structure).
template <PyTree T>
TreeDef structure(const T& x) {
  return flatten(x).second;
}
// Rebuilds a T from its structure and leaves (jax.tree.unflatten). Throws ValueError when the
// number of leaves differs from def.num_leaves() or def does not describe a T (a tuple of the
// wrong length, a dict where T has a vector, another struct, ...), naming the path.
template <PyTree T>
T unflatten(const TreeDef& def, std::span<const Array> leaves) {
  detail::check_leaf_count(def, leaves.size());
  detail::UnflattenState s{&def, leaves, 0, 0, {}};
  return detail::unflatten_node<T>(s);
}
// Applies f (Array -> Array) to every leaf; the result has x's type (jax.tree.map).
template <class F, PyTree T>
T map(F&& f, const T& x) {
  auto [xs, def] = flatten(x);
  std::vector<Array> out;
  out.reserve(xs.size());
  for (const Array& a : xs) out.push_back(Array(f(a)));
  return unflatten<T>(def, out);
}
// f(leaf of x, leaf of rest...) for trees of equal structure; the result has x's type.
// Throws ValueError naming the first place where a tree's structure differs from x's.
template <class F, PyTree T, PyTree... Rest>
requires(sizeof...(Rest) > 0) T map(F&& f, const T& x, const Rest&... rest) {
  // Not a structured binding: clang 14 cannot capture those in the lambda below.
  std::pair<std::vector<Array>, TreeDef> flat = flatten(x);
  const std::vector<Array>& xs = flat.first;
  const TreeDef& def = flat.second;
  std::array<std::pair<std::vector<Array>, TreeDef>, sizeof...(Rest)> others{flatten(rest)...};
  for (size_t i = 0; i < others.size(); ++i) {
    if (!(others[i].second == def)) detail::throw_map_mismatch(def, others[i].second, i + 1);
  }
  std::vector<Array> out;
  out.reserve(xs.size());
  for (size_t j = 0; j < xs.size(); ++j) {
    out.push_back(
        std::apply([&](const auto&... o) { return Array(f(xs[j], o.first[j]...)); }, others));
  }
  return unflatten<T>(def, out);
}

}  // namespace tree

template <class T>
requires(!std::is_same_v<std::remove_cvref_t<T>, Tree> &&
         !std::is_same_v<std::remove_cvref_t<T>, Dict> &&
         !std::is_same_v<std::remove_cvref_t<T>, Array> && !Scalar<std::remove_cvref_t<T>> &&
         !std::is_same_v<std::remove_cvref_t<T>, std::nullopt_t>) Tree::Tree(const T& value)
    : kind_(NodeKind::kNone) {
  static_assert(tree::PyTree<T>,
                "jx::Tree: this type is not a pytree; register structs with JX_REGISTER_PYTREE");
  auto [leaves, def] = tree::flatten(value);
  *this = tree::unflatten<Tree>(def, leaves);
}

// ---- in_axes / out_axes -------------------------------------------------------------------

// A pytree prefix of axes for vmap's in_axes and out_axes: leaves are an axis (int) or
// jx::none, inner nodes are sequences or string-keyed dicts. A leaf applies to every array of
// the subtree it covers, as in JAX.
//   0, jx::none                            leaves
//   {jx::none, 0}                          a sequence: (None, 0); nests: {0, {jx::none, 1}}
//   AxisSpec::dict({{"w", 0}, {"b", jx::none}})
// A sequence matches a tuple node (std::tuple, std::pair, std::array) or a list node
// (std::vector) of the same length: C++ braces cannot say which one is meant. A one-element
// sequence holding an AxisSpec variable is AxisSpec::sequence({spec}): `{spec}` as an argument
// is a copy of spec under C++'s list-initialization rules ({0} and {{0, 1}} are sequences). A dict
// matches a dict node with the same keys, or a registered struct with those field names.
class AxisSpec {
 public:
  enum class Kind : uint8_t { kLeaf, kSequence, kDict };

  // Axis 0, vmap's default.
  AxisSpec() = default;
  template <class I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) AxisSpec(I axis)
      : axis_(static_cast<int>(axis)) {}              // NOLINT
  AxisSpec(std::nullopt_t) : axis_(std::nullopt) {}   // NOLINT
  AxisSpec(std::optional<int> axis) : axis_(axis) {}  // NOLINT
  AxisSpec(std::initializer_list<AxisSpec> items);    // NOLINT: a sequence

  static AxisSpec sequence(std::vector<AxisSpec> items);
  // Keys are sorted; throws ValueError on a duplicate key.
  static AxisSpec dict(std::vector<std::pair<std::string, AxisSpec>> items);

  Kind kind() const { return kind_; }
  bool is_leaf() const { return kind_ == Kind::kLeaf; }
  // The axis of a leaf (nullopt for jx::none).
  std::optional<int> axis() const { return axis_; }
  const std::vector<AxisSpec>& children() const { return children_; }
  const std::vector<std::string>& keys() const { return keys_; }

  // Python's repr of the equivalent JAX spec: 0, None, (None, 0), {'b': None, 'w': 0}.
  std::string str() const;
  friend bool operator==(const AxisSpec&, const AxisSpec&) = default;

 private:
  Kind kind_ = Kind::kLeaf;
  std::optional<int> axis_ = 0;
  std::vector<AxisSpec> children_;
  std::vector<std::string> keys_;
};
std::ostream& operator<<(std::ostream& os, const AxisSpec& s);

namespace tree {
// The axis for each leaf of `full`, expanding the leaves of `prefix` over the subtrees they
// cover. `what` names the spec in errors, e.g. "vmap in_axes"; its last word ("in_axes") roots
// the key paths. Throws ValueError when prefix is not a tree prefix of full, with JAX's
// message and the key path where the structures differ:
//   vmap in_axes specification must be a tree prefix of the corresponding value, got
//   specification (None, 0, 0) for value tree PyTreeDef((*, *)).
//   pytree structure error: different lengths of tuple at key path
//       in_axes ...
std::vector<std::optional<int>> broadcast_prefix(const AxisSpec& prefix, const TreeDef& full,
                                                 std::string_view what);
// The key path of every leaf of `def` in JAX's keystr form, each prefixed by `root`:
// leaf_paths(structure(std::tuple{x, dict}), "args") == {"args[0]", "args[1]['b']", ...}.
// Custom (registered struct) fields print as attributes: ".w".
std::vector<std::string> leaf_paths(const TreeDef& def, std::string_view root = "");
}  // namespace tree

}  // namespace jx

template <>
struct std::hash<jx::TreeDef> {
  size_t operator()(const jx::TreeDef& t) const { return t.hash(); }
};

// ---- registration of user structs ------------------------------------------------------------

#define JX_PP_PARENS ()
#define JX_PP_EXPAND(...) JX_PP_EXPAND3(JX_PP_EXPAND3(JX_PP_EXPAND3(JX_PP_EXPAND3(__VA_ARGS__))))
#define JX_PP_EXPAND3(...) JX_PP_EXPAND2(JX_PP_EXPAND2(JX_PP_EXPAND2(JX_PP_EXPAND2(__VA_ARGS__))))
#define JX_PP_EXPAND2(...) JX_PP_EXPAND1(JX_PP_EXPAND1(JX_PP_EXPAND1(JX_PP_EXPAND1(__VA_ARGS__))))
#define JX_PP_EXPAND1(...) __VA_ARGS__
#define JX_PP_FIELDS(Type, ...) __VA_OPT__(JX_PP_EXPAND(JX_PP_FIELDS_HELPER(Type, __VA_ARGS__)))
#define JX_PP_FIELDS_HELPER(Type, f, ...)   \
  , ::jx::tree::detail::field(#f, &Type::f) \
        __VA_OPT__(JX_PP_FIELDS_AGAIN JX_PP_PARENS(Type, __VA_ARGS__))
#define JX_PP_FIELDS_AGAIN() JX_PP_FIELDS_HELPER

// Registers an aggregate struct as a pytree node whose children are the listed fields, in that
// order. Use at namespace scope, in the namespace of the struct. The struct must be
// default-constructible (unflatten builds one, then assigns each listed field). Prints as JAX
// prints a registered dataclass: PyTreeDef(CustomNode(MyParams[()], [*, *])).
//   struct MyParams { jx::Array w; jx::Array b; };
//   JX_REGISTER_PYTREE(MyParams, w, b)
#define JX_REGISTER_PYTREE(Type, ...)                                                    \
  [[maybe_unused]] inline constexpr auto jx_pytree_fields(::jx::tree::Tag<Type>) {       \
    return ::jx::tree::detail::make_fields<Type>(#Type JX_PP_FIELDS(Type, __VA_ARGS__)); \
  }
