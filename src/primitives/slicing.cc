#include "primitives/families.h"

namespace jx::primitives {
void register_slicing() {}
}  // namespace jx::primitives
