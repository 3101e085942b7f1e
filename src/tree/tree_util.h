// Helpers shared by the pytree sources.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "jx/tree.h"

namespace jx::tree::detail {

// Python's repr of a str: 'w'.
std::string py_str(std::string_view s);
// Python's repr of a list of str: ['b', 'w'].
std::string py_list(const std::vector<std::string>& keys);
// "a tuple of 2 children", "a dict with keys ['b', 'w']", ...
std::string describe_node(const TreeDef::Node& n);
// Key path and descriptions of the first difference of two structures ("" when equal).
std::string structure_difference(const TreeDef& a, const TreeDef& b);

}  // namespace jx::tree::detail
