#include <gtest/gtest.h>

#include "jx/lax.h"

TEST(Binary, AddScalars) {
  jx::Array x = 1.5f;
  EXPECT_EQ(jx::lax::add(x, x).item<float>(), 3.0f);
}
