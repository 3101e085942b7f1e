// jx::vmap's API: in_axes/out_axes prefixes, nesting, closures, axis_size, and its errors.
#include <gtest/gtest.h>

#include <jx/jx.h>

#include "test_util.h"

namespace jx {
namespace {
namespace jnp = numpy;

TEST(Vmap, SeedPredict) {
  auto predict = [](const Dict& params, const Array& features) {
    Array logits = jnp::matmul(features, params["w"]) + params["b"];
    return jnp::stack({logits, lax::logistic(logits)});
  };
  auto batched_predict = vmap(predict, {none, 0});
  Dict params{{"w", jnp::array({1.5f, -0.5f})}, {"b", 0.25f}};
  Array X = jnp::array({{1.0f, 2.0f}, {2.5f, -1.0f}, {-0.25f, 0.75f}});
  Array out = batched_predict(params, X);
  EXPECT_EQ(out.shape(), Shape({3, 2}));
  std::ostringstream os;
  os << out;
  EXPECT_EQ(os.str(), "[[ 0.75        0.6791787 ]\n [ 4.5         0.9890131 ]\n [-0.5         0.37754068]]");
}

}  // namespace
}  // namespace jx
