// jax.nn: activation functions written on jx's primitives (so every transformation applies).
#pragma once

#include "jx/array.h"

namespace jx::nn {

// 1 / (1 + exp(-x)), elementwise (jax.nn.sigmoid; the primitive lax.logistic).
Array sigmoid(const Array& x);

}  // namespace jx::nn
