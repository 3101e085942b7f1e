// stop_gradient's batch rule against loops.
#include <jx/jx.h>

#include "vmap_harness.h"

namespace jx {
namespace {

TEST(VmapRules, StopGradient) {
  auto f = testing::fn1([](const std::vector<Array>& a) { return lax::stop_gradient(a[0]); });
  testing::check_vmap("stop_gradient f32", f, testing::gen({{{2, 3}, DType::float32}}));
  testing::check_vmap("stop_gradient i32", f, testing::gen({{{4}, DType::int32}}));
}

}  // namespace
}  // namespace jx
