// stop_gradient: the identity on values, a zero tangent (checked directly: by design it does not
// agree with finite differences).
#include <gtest/gtest.h>

#include <jx/jx.h>

#include "test_util.h"

namespace jx {
namespace {

TEST(JvpRules, StopGradient) {
  auto f = [](const Array& x) { return lax::add(lax::stop_gradient(x), lax::mul(x, x)); };
  Array x = numpy::array({1.5, -2.0});
  auto [y, dy] = jvp(f, std::tuple{x}, std::tuple{numpy::ones_like(x)});
  testing::expect_array_eq<double>(y, {1.5 + 2.25, -2.0 + 4.0}, {2});
  // Only x * x contributes: 2x.
  testing::expect_array_eq<double>(dy, {3.0, -4.0}, {2});
  auto only = [](const Array& v) { return lax::stop_gradient(v); };
  testing::expect_array_eq<double>(jvp(only, std::tuple{x}, std::tuple{numpy::ones_like(x)}).second,
                                   {0.0, 0.0}, {2});
}

}  // namespace
}  // namespace jx
