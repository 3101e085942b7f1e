// A numpy-style index expression from a string: x[jx::s("1:3, ::2")] is numpy's x[1:3, ::2].
#pragma once

#include <string_view>
#include <vector>

#include "jx/array.h"

namespace jx {

// Parses a comma-separated numpy index: integers ("-1"), slices ("1:3", "::2", ":-1", "::-1"),
// "..." and "None" (or "newaxis"). Throws ValueError on anything else.
//   x[jx::s("1:3, ::2")]  ==  x[{jx::slice(1, 3), jx::slice(jx::none, jx::none, 2)}]
std::vector<Index> s(std::string_view expr);

}  // namespace jx
