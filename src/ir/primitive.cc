#include "ir/primitive.h"

#include <array>
#include <mutex>

#include "core/array_impl.h"
#include "primitives/families.h"

namespace jx {
namespace {

constexpr std::string_view kNames[] = {
#define JX_PRIMITIVE(id, name, family, traits) name,
#include "ir/primitives.def"
#undef JX_PRIMITIVE
};

constexpr std::string_view kFamilies[] = {
#define JX_PRIMITIVE(id, name, family, traits) #family,
#include "ir/primitives.def"
#undef JX_PRIMITIVE
};

constexpr uint32_t kTraits[] = {
#define JX_PRIMITIVE(id, name, family, traits) (traits),
#include "ir/primitives.def"
#undef JX_PRIMITIVE
};

std::array<PrimitiveRules, kNumPrimitives>& storage() {
  static std::array<PrimitiveRules, kNumPrimitives> table;
  return table;
}

void register_all() {
#define JX_FAMILY(family) primitives::register_##family();
#include "primitives/families.def"
#undef JX_FAMILY
}

}  // namespace

std::string_view primitive_name(Prim p) { return kNames[static_cast<int>(p)]; }
std::string_view primitive_family(Prim p) { return kFamilies[static_cast<int>(p)]; }
Array KernelOutputs::make(size_t i) const {
  if (i < dests_.size() && dests_[i].valid()) return dests_[i];
  return make_array(avals_[i]);
}

uint32_t primitive_traits(Prim p) { return kTraits[static_cast<int>(p)]; }

PrimitiveRules& mutable_rules(Prim p) { return storage()[static_cast<size_t>(p)]; }

const PrimitiveRules& rules(Prim p) {
  static std::once_flag once;
  std::call_once(once, register_all);
  return storage()[static_cast<size_t>(p)];
}

}  // namespace jx
