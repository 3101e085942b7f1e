#include "primitives/families.h"

namespace jx::primitives {
void register_sort() {}
}  // namespace jx::primitives
