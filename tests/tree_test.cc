// Pytrees: flatten/unflatten round trips, jx::Dict, map, printing, prefix broadcasting.
#include "jx/tree.h"

#include <gtest/gtest.h>

#include <sstream>

#include "jx/lax.h"
#include "test_util.h"

namespace demo {
struct MyParams {
  jx::Array w;
  jx::Array b;
  float scale = 1.0f;
};
JX_REGISTER_PYTREE(MyParams, w, b, scale)

struct Layer {
  MyParams params;
  std::vector<jx::Array> extra;
};
JX_REGISTER_PYTREE(Layer, params, extra)
}  // namespace demo

namespace jx {
namespace {

using testing::arr;
using testing::expect_array_eq;
using testing::expect_error;

// A leaf that names itself by its value, so leaf order can be read back.
Array v(float x) { return arr<float>({x}, {}); }
std::vector<float> values(const std::vector<Array>& leaves) {
  std::vector<float> out;
  for (const Array& a : leaves) out.push_back(a.item<float>());
  return out;
}

TEST(Tree, LeafAndScalar) {
  auto [leaves, def] = tree::flatten(v(1));
  EXPECT_EQ(leaves.size(), 1u);
  EXPECT_EQ(def.str(), "PyTreeDef(*)");
  EXPECT_TRUE(def.is_leaf());
  EXPECT_EQ(def.num_leaves(), 1);

  auto [sl, sdef] = tree::flatten(2.5);
  ASSERT_EQ(sl.size(), 1u);
  EXPECT_TRUE(sl[0].weak_type());
  EXPECT_EQ(sl[0].dtype(), DType::float32);
  EXPECT_EQ(sdef, def);
  EXPECT_EQ(tree::unflatten<double>(sdef, sl), 2.5);
  EXPECT_EQ(tree::unflatten<int>(def, std::vector<Array>{arr<int32_t>({7}, {1})}), 7);
}

TEST(Tree, TupleRoundTrip) {
  std::tuple<Array, Array, float> t{v(1), v(2), 3.0f};
  auto [leaves, def] = tree::flatten(t);
  EXPECT_EQ(values(leaves), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(def.str(), "PyTreeDef((*, *, *))");
  auto back = tree::unflatten<std::tuple<Array, Array, float>>(def, leaves);
  EXPECT_EQ(std::get<0>(back).item<float>(), 1);
  EXPECT_EQ(std::get<1>(back).item<float>(), 2);
  EXPECT_EQ(std::get<2>(back), 3.0f);
  // pair and std::array are tuples too, so their structures equal a tuple's.
  std::pair<Array, Array> p{v(1), v(2)};
  std::array<Array, 2> a{v(1), v(2)};
  EXPECT_EQ(tree::structure(p), tree::structure(std::tuple<Array, Array>{v(0), v(0)}));
  EXPECT_EQ(tree::structure(a), tree::structure(p));
  auto pb = tree::unflatten<std::pair<Array, Array>>(tree::structure(a), tree::leaves(a));
  EXPECT_EQ(pb.second.item<float>(), 2);
  auto ab = tree::unflatten<std::array<Array, 2>>(tree::structure(p), tree::leaves(p));
  EXPECT_EQ(ab[1].item<float>(), 2);
  EXPECT_EQ(tree::structure(std::tuple<Array>{v(0)}).str(), "PyTreeDef((*,))");
  EXPECT_EQ(tree::structure(std::tuple<>{}).str(), "PyTreeDef(())");
  EXPECT_EQ(tree::structure(std::tuple<>{}).num_leaves(), 0);
}

TEST(Tree, VectorAndMapRoundTrip) {
  std::vector<Array> xs{v(1), v(2), v(3)};
  auto [leaves, def] = tree::flatten(xs);
  EXPECT_EQ(def.str(), "PyTreeDef([*, *, *])");
  auto back = tree::unflatten<std::vector<Array>>(def, leaves);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[2].item<float>(), 3);
  EXPECT_EQ(tree::structure(std::vector<Array>{}).str(), "PyTreeDef([])");

  std::map<std::string, Array> m{{"w", v(2)}, {"b", v(1)}};
  auto [ml, mdef] = tree::flatten(m);
  EXPECT_EQ(values(ml), (std::vector<float>{1, 2}));  // sorted keys: b, w
  EXPECT_EQ(mdef.str(), "PyTreeDef({'b': *, 'w': *})");
  auto mb = tree::unflatten<std::map<std::string, Array>>(mdef, ml);
  EXPECT_EQ(mb.at("w").item<float>(), 2);
}

TEST(Tree, OptionalAndNone) {
  std::tuple<std::optional<Array>, std::nullopt_t, Array> t{std::nullopt, none, v(5)};
  auto [leaves, def] = tree::flatten(t);
  EXPECT_EQ(def.str(), "PyTreeDef((None, None, *))");
  EXPECT_EQ(leaves.size(), 1u);
  auto back = tree::unflatten<std::tuple<std::optional<Array>, std::nullopt_t, Array>>(def, leaves);
  EXPECT_FALSE(std::get<0>(back).has_value());
  std::optional<Array> full = v(3);
  EXPECT_EQ(tree::structure(full).str(), "PyTreeDef(*)");
  EXPECT_EQ(tree::unflatten<std::optional<Array>>(tree::structure(full), tree::leaves(full))
                ->item<float>(),
            3);
  EXPECT_EQ(TreeDef::none().str(), "PyTreeDef(None)");
}

TEST(Tree, NestedContainersLeafOrder) {
  using T = std::tuple<Array, std::vector<std::pair<Array, Array>>, std::map<std::string, Dict>>;
  T t{v(0), {{v(1), v(2)}, {v(3), v(4)}}, {{"z", Dict{{"b", v(6)}, {"a", v(5)}}}, {"c", Dict{}}}};
  auto [leaves, def] = tree::flatten(t);
  EXPECT_EQ(values(leaves), (std::vector<float>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(def.str(), "PyTreeDef((*, [(*, *), (*, *)], {'c': {}, 'z': {'a': *, 'b': *}}))");
  EXPECT_EQ(def.num_leaves(), 7);
  T back = tree::unflatten<T>(def, leaves);
  EXPECT_EQ(std::get<1>(back)[1].second.item<float>(), 4);
  EXPECT_EQ(std::get<2>(back).at("z")["b"].item<float>(), 6);
  EXPECT_EQ(tree::structure(back), def);
  auto kids = def.children();
  ASSERT_EQ(kids.size(), 3u);
  EXPECT_EQ(kids[1].str(), "PyTreeDef([(*, *), (*, *)])");
  EXPECT_EQ(kids[2].num_leaves(), 2);
  EXPECT_EQ(TreeDef::tuple(kids), def);
}

TEST(Tree, RegisteredStruct) {
  demo::MyParams p{v(1), v(2), 0.5f};
  auto [leaves, def] = tree::flatten(p);
  EXPECT_EQ(values(leaves), (std::vector<float>{1, 2, 0.5f}));  // field order, not sorted
  EXPECT_EQ(def.str(), "PyTreeDef(CustomNode(MyParams[()], [*, *, *]))");
  EXPECT_EQ(def.keys(), (std::vector<std::string>{"w", "b", "scale"}));
  auto back = tree::unflatten<demo::MyParams>(def, leaves);
  EXPECT_EQ(back.b.item<float>(), 2);
  EXPECT_EQ(back.scale, 0.5f);

  demo::Layer layer{p, {v(7)}};
  auto [ll, ldef] = tree::flatten(layer);
  EXPECT_EQ(values(ll), (std::vector<float>{1, 2, 0.5f, 7}));
  EXPECT_EQ(ldef.str(),
            "PyTreeDef(CustomNode(Layer[()], [CustomNode(MyParams[()], [*, *, *]), "
            "[*]]))");
  auto lb = tree::unflatten<demo::Layer>(ldef, ll);
  EXPECT_EQ(lb.extra[0].item<float>(), 7);
  // A jx::Tree carries the custom node and can be turned back into the struct.
  Tree dyn = layer;
  EXPECT_EQ(dyn.kind(), NodeKind::kCustom);
  EXPECT_EQ(dyn["params"]["b"].item<float>(), 2);
  EXPECT_EQ(tree::structure(dyn), ldef);
  auto again = tree::unflatten<demo::Layer>(tree::structure(dyn), tree::leaves(dyn));
  EXPECT_EQ(again.params.w.item<float>(), 1);
}

Array takes_array(const Array& x) { return x; }
template <class D>
concept IndexableByInt = requires(D& d) {
  d[0];
};

TEST(Dict, UsageAsInTheTutorial) {
  Array w = arr<float>({1.5f, -0.5f}, {2});
  Dict params{{"w", w}, {"b", 0.25f}};
  EXPECT_EQ(params.keys(), (std::vector<std::string>{"b", "w"}));
  // params["w"] goes where a const Array& is expected.
  EXPECT_EQ(takes_array(params["w"]).impl(), w.impl());
  expect_array_eq<float>(lax::add(params["w"], params["w"]), {3.0f, -1.0f}, {2});
  // x + params["b"] resolves to the non-template operator+(const Array&, const Array&).
  static_assert(std::is_same_v<decltype(std::declval<const Array&>() + params["b"]), Array>);
  static_assert(std::is_same_v<decltype(params["w"] * 2.0f), Array>);
  // params["w"][0] indexes the array, as in Python; a Dict cannot be indexed by an integer.
  static_assert(std::is_same_v<decltype(params["w"][0]), Array>);
  static_assert(std::is_same_v<decltype(std::as_const(params)["w"][0]), Array>);
  static_assert(!IndexableByInt<Dict> && !IndexableByInt<const Dict>);
  EXPECT_EQ(params["w"].shape(), (Shape{2}));
  EXPECT_EQ(params["b"].shape(), (Shape{}));
  EXPECT_EQ(params["b"].dtype(), DType::float32);
  EXPECT_TRUE(params["b"].weak_type());
  EXPECT_EQ(params["b"].item<float>(), 0.25f);
  EXPECT_EQ(tree::structure(params).str(), "PyTreeDef({'b': *, 'w': *})");

  Dict net{{"layer", Dict{{"w", w}}},
           {"xs", std::vector<Array>{v(1), v(2)}},
           {"t", std::tuple<Array, std::nullopt_t>{v(3), none}}};
  EXPECT_EQ(net["layer"]["w"].ndim(), 1);
  EXPECT_EQ(net["xs"].child(1).item<float>(), 2);
  EXPECT_EQ(tree::structure(net).str(),
            "PyTreeDef({'layer': {'w': *}, 't': (*, None), 'xs': [*, *]})");
  Dict copy = net;  // value type
  copy["layer"]["w"] = v(9);
  EXPECT_EQ(net["layer"]["w"].size(), 2);
  EXPECT_EQ(copy["layer"]["w"].item<float>(), 9);
  // Iteration in sorted key order.
  std::vector<std::string> seen;
  for (const auto& [k, val] : net) seen.push_back(k);
  EXPECT_EQ(seen, (std::vector<std::string>{"layer", "t", "xs"}));
  copy.insert_or_assign("a", v(0));
  EXPECT_EQ(copy.keys().front(), "a");
  EXPECT_TRUE(copy.erase("a"));
  EXPECT_FALSE(copy.contains("a"));
  EXPECT_EQ(net["layer"].as_dict().size(), 1u);
}

TEST(Dict, RoundTripKeepsTreeType) {
  Dict params{{"w", v(2)}, {"b", v(1)}, {"n", Dict{{"x", v(3)}}}};
  auto [leaves, def] = tree::flatten(params);
  EXPECT_EQ(values(leaves), (std::vector<float>{1, 3, 2}));  // keys b, n, w
  Dict grads = tree::unflatten<Dict>(def, leaves);
  EXPECT_EQ(grads["n"]["x"].item<float>(), 3);
  EXPECT_EQ(tree::structure(grads), def);
  Tree any = tree::unflatten<Tree>(def, leaves);
  EXPECT_TRUE(any.is_dict());
  EXPECT_EQ(any["w"].item<float>(), 2);
}

TEST(Dict, Errors) {
  Dict params{{"w", v(1)}, {"b", v(2)}};
  expect_error<IndexError>([&] { (void)params["x"]; }, {"'x'", "['b', 'w']"});
  const Dict& cp = params;
  expect_error<IndexError>([&] { (void)cp["missing"]; }, {"'missing'", "['b', 'w']"});
  expect_error<ValueError>([&] { Dict d{{"a", v(1)}, {"a", v(2)}}; }, {"duplicate key 'a'"});
  Dict nested{{"layer", Dict{{"w", v(1)}}}};
  expect_error<ValueError>([&] { (void)nested["layer"].shape(); },
                           {"expected an array leaf", "a dict with keys ['w']"});
  expect_error<IndexError>([&] { (void)nested["layer"]["q"]; }, {"'q'", "['w']"});
  expect_error<ValueError>([&] { (void)params["w"]["k"]; }, {"cannot look up key 'k'"});
  expect_error<ValueError>([&] { (void)params["w"].child(0); }, {"no children"});
  expect_error<ValueError>([&] { (void)params["w"].as_dict(); }, {"as_dict"});
}

TEST(Tree, UnflattenErrors) {
  std::vector<Array> three{v(1), v(2), v(3)};
  auto def = tree::structure(std::make_tuple(v(0), v(0)));
  expect_error<ValueError>([&] { tree::unflatten<std::tuple<Array, Array>>(def, three); },
                           {"Too many leaves for PyTreeDef; expected 2, got 3."});
  expect_error<ValueError>(
      [&] {
        tree::unflatten<std::tuple<Array, Array>>(def, std::span<const Array>(three).first(1));
      },
      {"Too few leaves for PyTreeDef; expected 2, got 1."});
  std::vector<Array> two{v(1), v(2)};
  expect_error<ValueError>([&] { tree::unflatten<std::vector<Array>>(def, two); },
                           {"at key path tree:", "needs a list (std::vector)",
                            "has a tuple of 2 children", "PyTreeDef((*, *))"});
  expect_error<ValueError>([&] { tree::unflatten<std::tuple<Array, Array, Array>>(def, two); },
                           {"a tuple of 3 children"});
  auto ddef = tree::structure(std::make_tuple(v(0), Dict{{"w", std::vector<Array>{v(0)}}}));
  expect_error<ValueError>(
      [&] { tree::unflatten<std::tuple<Array, std::map<std::string, Array>>>(ddef, two); },
      {"at key path tree[1]['w']", "needs a leaf", "a list of 1 children"});
  auto pdef = tree::structure(demo::MyParams{v(1), v(2), 1.0f});
  std::vector<Array> p3{v(1), v(2), v(3)};
  expect_error<ValueError>(
      [&] { tree::unflatten<demo::Layer>(pdef, p3); },
      {"a custom node Layer with fields ['params', 'extra']", "a custom node MyParams"});
  std::vector<Array> bad_scale{v(1), v(2), arr<float>({1, 2}, {2})};
  expect_error<ValueError>([&] { tree::unflatten<demo::MyParams>(pdef, bad_scale); },
                           {"tree.scale", "shape (2,)", "float32"});
  expect_error<ValueError>(
      [&] {
        TreeDef::dict({"a", "a"}, {TreeDef(), TreeDef()});
      },
      {"duplicate key 'a'"});
}

TEST(Tree, Map) {
  Dict params{{"w", arr<float>({1, 2}, {2})}, {"b", v(3)}};
  Dict doubled = tree::map([](const Array& a) { return lax::add(a, a); }, params);
  expect_array_eq<float>(doubled["w"], {2, 4}, {2});
  expect_array_eq<float>(doubled["b"], {6}, {});
  std::pair<Array, std::vector<Array>> t{v(1), {v(2), v(3)}};
  auto s = tree::map([](const Array& a, const Array& b) { return lax::mul(a, b); }, t, t);
  EXPECT_EQ(s.second[1].item<float>(), 9);
  std::pair<Array, std::vector<Array>> other{v(1), {v(2)}};
  expect_error<ValueError>(
      [&] { tree::map([](const Array& a, const Array& b) { return a; }, t, other); },
      {"tree 1 does not have the structure of tree 0", "tree[1]",
       "a list of 2 children vs a list of 1 children", "PyTreeDef((*, [*]))"});
  // Trees of different C++ types with the same structure map together.
  std::tuple<Array, std::vector<Array>> as_tuple{v(10), {v(20), v(30)}};
  auto sum = tree::map([](const Array& a, const Array& b) { return lax::add(a, b); }, t, as_tuple);
  EXPECT_EQ(sum.second[0].item<float>(), 22);
}

TEST(TreeDef, EqualityHashAndBuilders) {
  TreeDef a = TreeDef::dict({"w", "b"}, {TreeDef::leaf(), TreeDef::list({TreeDef::none()})});
  EXPECT_EQ(a.str(), "PyTreeDef({'b': [None], 'w': *})");
  EXPECT_EQ(a.num_leaves(), 1);
  TreeDef b = tree::structure(Dict{{"b", Tree::list({Tree()})}, {"w", v(0)}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_EQ(std::hash<TreeDef>{}(a), a.hash());
  TreeDef c = TreeDef::dict({"w", "c"}, {TreeDef::leaf(), TreeDef::list({TreeDef::none()})});
  EXPECT_FALSE(a == c);
  EXPECT_NE(a.hash(), c.hash());
  EXPECT_FALSE(TreeDef::tuple({TreeDef()}) == TreeDef::list({TreeDef()}));
  EXPECT_EQ(TreeDef::custom("P", {"x"}, {TreeDef()}).str(), "PyTreeDef(CustomNode(P[()], [*]))");
  std::ostringstream os;
  os << TreeDef::tuple({TreeDef(), TreeDef::dict({"it's"}, {TreeDef()})});
  EXPECT_EQ(os.str(), "PyTreeDef((*, {\"it's\": *}))");
  expect_error<ValueError>(
      [] {
        TreeDef({TreeDef::Node{NodeKind::kTuple, 2, 0, 1, {}, {}}});
      },
      {"TreeDef: the nodes end inside a subtree"});
  expect_error<ValueError>(
      [] {
        TreeDef({TreeDef::Node{}, TreeDef::Node{}});
      },
      {"TreeDef: nodes left over after the root"});
  expect_error<ValueError>(
      [] {
        TreeDef({TreeDef::Node{NodeKind::kTuple, 1, 2, 2, {}, {}}, TreeDef::Node{}});
      },
      {"TreeDef: inconsistent leaf or node counts"});
  expect_error<ValueError>(
      [] {
        TreeDef({TreeDef::Node{NodeKind::kDict, 1, 1, 2, {}, {}}, TreeDef::Node{}});
      },
      {"one key per child"});
}

// ---- AxisSpec and broadcast_prefix ----------------------------------------------------------

std::vector<std::optional<int>> axes(std::initializer_list<std::optional<int>> a) { return a; }

TEST(AxisSpec, Printing) {
  EXPECT_EQ(AxisSpec(0).str(), "0");
  EXPECT_EQ(AxisSpec(none).str(), "None");
  AxisSpec s = {none, 0};
  EXPECT_EQ(s.str(), "(None, 0)");
  AxisSpec nested = {0, {none, 1}};
  EXPECT_EQ(nested.str(), "(0, (None, 1))");
  AxisSpec one = {1};
  EXPECT_EQ(one.str(), "(1,)");
  // A one-element sequence of an AxisSpec value is spelled with sequence(): braces around a
  // single AxisSpec argument may copy it instead.
  AxisSpec d = AxisSpec::dict({{"w", 0}});
  EXPECT_EQ(AxisSpec::sequence({d}).str(), "({'w': 0},)");
  EXPECT_EQ(AxisSpec::dict({{"w", 0}, {"b", none}}).str(), "{'b': None, 'w': 0}");
  EXPECT_EQ(AxisSpec().axis(), 0);
  expect_error<ValueError>([] { AxisSpec::dict({{"a", 0}, {"a", 1}}); }, {"duplicate key 'a'"});
}

TEST(AxisSpec, BroadcastLeavesAndSequences) {
  Dict params{{"w", v(1)}, {"b", v(2)}};
  TreeDef args = tree::structure(std::make_tuple(params, v(0)));  // (dict, array)
  EXPECT_EQ(tree::broadcast_prefix(0, args, "vmap in_axes"), axes({0, 0, 0}));
  EXPECT_EQ(tree::broadcast_prefix(none, args, "vmap in_axes"), axes({none, none, none}));
  EXPECT_EQ(tree::broadcast_prefix({none, 0}, args, "vmap in_axes"), axes({none, none, 0}));
  EXPECT_EQ(
      tree::broadcast_prefix({AxisSpec::dict({{"w", 1}, {"b", none}}), -1}, args, "vmap in_axes"),
      axes({none, 1, -1}));  // leaves in order b, w
  TreeDef nested = tree::structure(std::make_tuple(v(0), std::vector<Array>{v(0), v(0)}));
  EXPECT_EQ(tree::broadcast_prefix({0, {none, 1}}, nested, "vmap in_axes"), axes({0, none, 1}));
  EXPECT_EQ(tree::broadcast_prefix({0, 2}, nested, "vmap in_axes"), axes({0, 2, 2}));
  // A leaf spec covers None subtrees (no leaves) and empty containers.
  TreeDef with_none = tree::structure(std::make_tuple(none, v(0), std::vector<Array>{}));
  EXPECT_EQ(tree::broadcast_prefix({1, 0, 0}, with_none, "vmap in_axes"), axes({0}));
  // A dict spec matches a registered struct by field names.
  TreeDef p = tree::structure(demo::MyParams{v(1), v(2), 1.0f});
  EXPECT_EQ(tree::broadcast_prefix(AxisSpec::dict({{"scale", none}, {"w", 0}, {"b", 1}}), p,
                                   "vmap in_axes"),
            axes({0, 1, none}));  // field order w, b, scale
}

TEST(AxisSpec, ArgumentTupleOfReferences) {
  // How vmap sees its arguments: a tuple of references, matched against in_axes.
  Dict params{{"w", v(1)}, {"b", v(2)}};
  Array x = v(3);
  auto [leaves, def] = tree::flatten(std::forward_as_tuple(params, x));
  EXPECT_EQ(def.str(), "PyTreeDef(({'b': *, 'w': *}, *))");
  EXPECT_EQ(values(leaves), (std::vector<float>{2, 1, 3}));
  EXPECT_EQ(tree::broadcast_prefix({none, 0}, def, "vmap in_axes"), axes({none, none, 0}));
  auto back = tree::unflatten<std::tuple<Dict, Array>>(def, leaves);
  EXPECT_EQ(std::get<0>(back)["w"].item<float>(), 1);
}

TEST(AxisSpec, PrefixErrors) {
  TreeDef two = tree::structure(std::make_tuple(v(0), v(0)));
  expect_error<ValueError>(
      [&] {
        tree::broadcast_prefix({none, 0, 0}, two, "vmap in_axes");
      },
      {"vmap in_axes specification must be a tree prefix of the corresponding value, got "
       "specification (None, 0, 0) for value tree PyTreeDef((*, *)).",
       "pytree structure error: different lengths of tuple at key path\n    in_axes\n",
       "has a subtree of type tuple of length 3, but the full pytree has a subtree of the same "
       "type but of length 2."});
  TreeDef args = tree::structure(std::make_tuple(Dict{{"w", v(0)}}, v(0)));
  expect_error<ValueError>(
      [&] {
        tree::broadcast_prefix({{0, 1}, 0}, args, "vmap in_axes");
      },
      {"pytree structure error: different types at key path\n    in_axes[0]\n",
       "the prefix pytree in_axes has a subtree of type\n    tuple\n",
       "full pytree has a subtree of different type\n    dict."});
  TreeDef deep = tree::structure(std::make_tuple(Dict{{"w", std::vector<Array>{v(0)}}}));
  expect_error<ValueError>(
      [&] {
        tree::broadcast_prefix(AxisSpec::sequence({AxisSpec::dict({{"w", AxisSpec{0, 1}}})}), deep,
                               "vmap out_axes");
      },
      {"vmap out_axes specification must be a tree prefix",
       "different lengths of list at key path\n    out_axes[0]['w']\n"});
  expect_error<ValueError>(
      [&] {
        tree::broadcast_prefix({AxisSpec::dict({{"w", {0}}}), 0}, args, "vmap in_axes");
      },
      {"different types at key path\n    in_axes[0]['w']\n", "jx::Array (a leaf)"});
  TreeDef wb = tree::structure(Dict{{"w", v(0)}, {"b", v(0)}});
  expect_error<ValueError>(
      [&] {
        tree::broadcast_prefix(AxisSpec::dict({{"w", 0}}), wb, "vmap in_axes");
      },
      {"different numbers of pytree children at key path\n    in_axes\n",
       "with 1 child keys\n    w", "with 2 child keys\n    b w",
       "symmetric difference on key sets is\n    b"});
  expect_error<ValueError>(
      [&] {
        tree::broadcast_prefix(AxisSpec::dict({{"w", 0}, {"a", 0}}), wb, "vmap in_axes");
      },
      {"different pytree metadata at key path\n    in_axes\n", "['a', 'w']", "['b', 'w']"});
  TreeDef p = tree::structure(demo::MyParams{v(1), v(2), 1.0f});
  expect_error<ValueError>(
      [&] {
        tree::broadcast_prefix(AxisSpec{0, 0, 0}, p, "vmap in_axes");
      },
      {"different types at key path\n    in_axes\n", "different type\n    MyParams."});
  TreeDef with_none = tree::structure(std::make_tuple(none));
  expect_error<ValueError>(
      [&] { tree::broadcast_prefix({{0}}, with_none, "vmap in_axes"); },
      {"different types at key path\n    in_axes[0]\n", "different type\n    None."});
}

}  // namespace
}  // namespace jx
