#include "primitives/families.h"

namespace jx::primitives {
void register_unary() {}
}  // namespace jx::primitives
