// One registration function per family file in src/primitives/; each registers every rule of
// its primitives. Called once, from the rule table.
#pragma once

namespace jx::primitives {
#define JX_FAMILY(family) void register_##family();
#include "primitives/families.def"
#undef JX_FAMILY
}  // namespace jx::primitives
