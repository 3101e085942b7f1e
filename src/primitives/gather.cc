#include "primitives/families.h"

namespace jx::primitives {
void register_gather() {}
}  // namespace jx::primitives
