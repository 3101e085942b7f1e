#include "jx/nn.h"

#include "jx/lax.h"

namespace jx::nn {

Array sigmoid(const Array& x) { return lax::logistic(x); }

}  // namespace jx::nn
