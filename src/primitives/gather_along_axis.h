// x[i_0, ..., idx[i], ..., i_{n-1}]: one element per index, along `axis`, as one gather with
// full coordinates (iota for every other dimension). idx has x's rank and, except along
// `axis`, x's shape. Shared by jnp.take_along_axis and sort's jvp (its permutation).
#pragma once

#include "jx/lax.h"

namespace jx::primitives {

Array gather_along_axis(const Array& x, const Array& idx, int axis, lax::GatherScatterMode mode);

}  // namespace jx::primitives
