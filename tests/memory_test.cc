// The caching allocator: freed buffers are reused, so steady-state eager calls take no new
// memory from the OS.
#include <gtest/gtest.h>

#include "jx/lax.h"
#include "jx/memory.h"

namespace jx {
namespace {

TEST(Memory, SteadyStateReusesBuffers) {
  Array x = Array::from_vector<float>(std::vector<float>(1 << 20, 1.0f));
  for (int i = 0; i < 3; ++i) (void)lax::add(x, x);  // warm the cache
  size_t before = memory::stats().os_allocations;
  for (int i = 0; i < 50; ++i) {
    Array y = lax::add(x, x);
    EXPECT_EQ(y.to_vector<float>()[5], 2.0f);
  }
  EXPECT_EQ(memory::stats().os_allocations, before);
  EXPECT_GT(memory::stats().cache_hits, 0u);
}

TEST(Memory, TrimAndLimit) {
  { Array y = Array::from_vector<float>(std::vector<float>(1 << 18, 1.0f)); }
  EXPECT_GT(memory::stats().bytes_cached, 0u);
  memory::trim();
  EXPECT_EQ(memory::stats().bytes_cached, 0u);
  size_t old = memory::cache_limit();
  memory::set_cache_limit(0);
  { Array y = Array::from_vector<float>(std::vector<float>(1 << 18, 1.0f)); }
  EXPECT_EQ(memory::stats().bytes_cached, 0u);
  memory::set_cache_limit(old);
}

TEST(Memory, BuffersAreAligned) {
  for (int n : {1, 3, 100, 5000, 1 << 20}) {
    Array y = Array::from_vector<float>(std::vector<float>(static_cast<size_t>(n), 0.0f));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(y.data()) % 64, 0u) << n;
  }
}

}  // namespace
}  // namespace jx
