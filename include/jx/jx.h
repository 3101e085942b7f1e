// jx: JAX's composable transformations for C++. The umbrella header.
#pragma once

#include "jx/array.h"
#include "jx/custom_derivatives.h"
#include "jx/dtype.h"
#include "jx/errors.h"
#include "jx/index.h"
#include "jx/jit.h"
#include "jx/lax.h"
#include "jx/memory.h"
#include "jx/nn.h"
#include "jx/numpy.h"
#include "jx/optax.h"
#include "jx/print.h"
#include "jx/random.h"
#include "jx/shape.h"
#include "jx/transforms.h"
#include "jx/tree.h"
