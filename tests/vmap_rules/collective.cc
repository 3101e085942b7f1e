// Collectives under vmap with axis_name: psum/pmean/pmax/pmin/all_gather/axis_index against
// the same reductions written directly over the mapped axis, for every in_axes/out_axes choice
// and for nested names (the inner or the outer vmap binding the name).
#include <gtest/gtest.h>

#include <jx/jx.h>

#include <random>

#include "test_util.h"
#include "vmap_harness.h"

namespace jx {
namespace {
namespace jnp = numpy;
using testing::random_array;

// x: (3, 4) with the mapped axis at `in_axis`; every collective's result is compared with the
// direct reduction of x over that axis, broadcast back to every example.
TEST(VmapRules, CollectivesOverEveryAxis) {
  std::mt19937_64 rng(7);
  Array base = random_array(rng, {5, 4}, DType::float32);  // examples along axis 0
  auto f = [](const Array& v) {
    return std::vector<Array>{
        lax::psum(v, "b"),
        lax::pmean(v, "b"),
        lax::pmax(v, "b"),
        lax::pmin(v, "b"),
        lax::all_gather(v, "b"),
        lax::all_gather(v, "b", 1),
        lax::all_gather(v, "b", 0, true),
        v * 0.0f + lax::convert_element_type(lax::axis_index("b"), DType::float32)};
  };
  for (int in_axis : {0, 1, -1}) {
    Array x = in_axis == 0 ? base : jnp::moveaxis(base, 0, in_axis);
    for (int out_axis : {0, 1}) {
      std::vector<Array> r = vmap(f, in_axis, out_axis, "b")(x);
      // jit inside the named vmap: the collectives in its body are batched by its batch rule.
      std::vector<Array> rj = vmap(jit(f), in_axis, out_axis, "b")(x);
      for (size_t k = 0; k < r.size(); ++k) {
        testing::expect_array_eq<float>(rj[k], r[k].to_vector<float>(), r[k].shape());
      }
      auto per_example = [&](const Array& a) { return jnp::moveaxis(a, out_axis, 0); };
      for (int64_t e = 0; e < 5; ++e) {
        SCOPED_TRACE("in_axis " + std::to_string(in_axis) + " out_axis " +
                     std::to_string(out_axis) + " example " + std::to_string(e));
        testing::expect_array_near<float>(per_example(r[0])[e],
                                          jnp::sum(base, 0).to_vector<float>(), {4}, 1e-6f);
        testing::expect_array_near<float>(per_example(r[1])[e],
                                          jnp::mean(base, 0).to_vector<float>(), {4}, 1e-6f);
        testing::expect_array_eq<float>(per_example(r[2])[e], jnp::max(base, 0).to_vector<float>(),
                                        {4});
        testing::expect_array_eq<float>(per_example(r[3])[e], jnp::min(base, 0).to_vector<float>(),
                                        {4});
        testing::expect_array_eq<float>(per_example(r[4])[e], base.to_vector<float>(), {5, 4});
        testing::expect_array_eq<float>(per_example(r[5])[e],
                                        jnp::transpose(base).to_vector<float>(), {4, 5});
        testing::expect_array_eq<float>(per_example(r[6])[e], base.to_vector<float>(), {20});
        testing::expect_array_eq<float>(per_example(r[7])[e],
                                        std::vector<float>(4, static_cast<float>(e)), {4});
      }
    }
  }
}

// Integer psum of an unmapped value (size copies of it) and pmax of an unmapped value (itself).
TEST(VmapRules, CollectivesOfUnmappedValues) {
  auto f = [](const Array& v) {
    Array c = jnp::array({3, 4});
    return std::vector<Array>{lax::psum(c, "b") + v * 0, lax::pmax(c, "b") + v * 0};
  };
  std::vector<Array> r = vmap(f, 0, 0, "b")(jnp::array({1, 2, 3}));
  testing::expect_array_eq<int32_t>(r[0], {9, 12, 9, 12, 9, 12}, {3, 2});
  testing::expect_array_eq<int32_t>(r[1], {3, 4, 3, 4, 3, 4}, {3, 2});
}

// The name bound by the outer vmap, collectives called inside an inner (unnamed or other-named)
// vmap: the inner batch rule passes the collective through to the outer one.
TEST(VmapRules, CollectivesThroughInnerVmaps) {
  std::mt19937_64 rng(11);
  Array x = random_array(rng, {2, 3, 4}, DType::float32);  // outer 'o', inner 'n', then data
  auto f = [](const Array& v) {
    return std::vector<Array>{
        lax::psum(v, "o"), lax::pmax(v, "n"), lax::pmin(v, "o"), lax::all_gather(v, "o"),
        v * 0.0f + lax::convert_element_type(lax::axis_index("o"), DType::float32)};
  };
  for (int inner_axis : {0, 1}) {
    Array xi = inner_axis == 0 ? x : jnp::moveaxis(x, 1, 2);  // inner axis within each outer
    auto g = vmap(vmap(f, inner_axis, 0, "n"), 0, 0, "o");
    std::vector<Array> r = g(xi);
    Array sum_o = jnp::broadcast_to(jnp::sum(x, 0), {2, 3, 4});
    testing::expect_array_near<float>(r[0], sum_o.to_vector<float>(), {2, 3, 4}, 1e-6f);
    Array max_n = jnp::broadcast_to(jnp::max(x, 1, true), {2, 3, 4});
    testing::expect_array_eq<float>(r[1], max_n.to_vector<float>(), {2, 3, 4});
    Array min_o = jnp::broadcast_to(jnp::min(x, 0), {2, 3, 4});
    testing::expect_array_eq<float>(r[2], min_o.to_vector<float>(), {2, 3, 4});
    // all_gather over 'o' at (o, n): x[:, n, :].
    EXPECT_EQ(r[3].shape(), Shape({2, 3, 2, 4}));
    testing::expect_array_eq<float>(r[3][1][2], jnp::moveaxis(x, 1, 0)[2].to_vector<float>(),
                                    {2, 4});
    testing::expect_array_eq<float>(r[4][1][2], std::vector<float>(4, 1.0f), {4});
  }
}

}  // namespace
}  // namespace jx
