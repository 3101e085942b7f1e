#include "primitives/families.h"

namespace jx::primitives {
void register_structural() {}
}  // namespace jx::primitives
