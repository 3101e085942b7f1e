// threefry2x32's batch rule against loops (check_vmap), keys and counters mapped in every
// combination.
#include <jx/jx.h>

#include "vmap_harness.h"

namespace jx {
namespace {
using testing::ArgSpec;
using testing::check_vmap;
using testing::gen;

TEST(VmapRules, Threefry2x32) {
  auto f = [](const std::vector<Array>& a) {
    auto [x, y] = lax::threefry2x32(a[0], a[1], a[2], a[3]);
    return std::vector<Array>{x, y};
  };
  const DType u = DType::uint32;
  // Full-shape keys and counters, and scalar keys with counters (the usual random::bits call).
  check_vmap(
      "threefry2x32 full", f,
      gen({{{2, 3}, u, 0, 1e9}, {{2, 3}, u, 0, 1e9}, {{2, 3}, u, 0, 1e9}, {{2, 3}, u, 0, 1e9}}));
  check_vmap("threefry2x32 scalar keys", f,
             gen({{{}, u, 0, 4e9}, {{}, u, 0, 4e9}, {{4}, u, 0, 4e9}, {{4}, u, 0, 4e9}}));
}

TEST(VmapRules, RandomBits) {
  for (int width : {8, 32, 64}) {
    for (bool partitionable : {true, false}) {
      if (width == 8 && !partitionable) continue;  // not supported in the legacy scheme
      auto f = [width, partitionable](const std::vector<Array>& a) {
        return std::vector<Array>{lax::random_bits(a[0], width, {3, 2}, partitionable)};
      };
      check_vmap("random_bits " + std::to_string(width) + (partitionable ? "" : " legacy"), f,
                 gen({{{2}, DType::uint32, 0, 4e9}}));
      // Several keys per example.
      check_vmap("random_bits keys[2]", f, gen({{{2, 2}, DType::uint32, 0, 4e9}}));
    }
  }
}

}  // namespace
}  // namespace jx
