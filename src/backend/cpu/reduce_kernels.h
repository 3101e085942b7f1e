// CPU kernels for reductions (sum, prod, max, min, and, or, argmax, argmin) and cumulative scans.
// Inputs and outputs are C-contiguous. Any axis set is canonicalised into (outer, reduced,
// inner) passes so every inner loop runs over contiguous memory, and large inputs are split
// across the thread pool.
#pragma once

#include <cstdint>
#include <span>

#include "jx/dtype.h"
#include "jx/shape.h"

namespace jx::cpu {

enum class ReduceOp { kSum, kProd, kMax, kMin, kAnd, kOr };

// The order of a contiguous reduction, shared with jit's generated reductions so that both give
// the same bits: kReduceLaneBytes / itemsize independent accumulators (lane j takes elements j,
// j + lanes, ...); float sums combine the lanes as a tree (lane j += lane j + w, w halving) and
// split rows longer than kPairwiseLeafVectors * lanes pairwise; other reductions combine the
// lanes in order; the tail (row length modulo lanes) comes last, element by element.
inline constexpr int64_t kReduceLaneBytes = 128;
inline constexpr int64_t kPairwiseLeafVectors = 64;
// Whether reduce() runs rows of R contiguous elements one by one (each row by one thread in the
// order above) rather than splitting rows into chunks combined afterwards.
bool reduces_rows_whole(int64_t rows, int64_t R, int64_t itemsize);

// out (the input shape without `axes`, row-major) = the reduction of x over `axes` (sorted,
// distinct, in range). Floating sums use blocked pairwise summation; max/min propagate NaN;
// integer sums and products wrap around; an empty reduction gives the identity of `op`.
// kAnd/kOr are bitwise on integers and logical on bool; kMax/kMin on bool are or/and.
void reduce(ReduceOp op, DType dtype, const void* x, const Shape& shape,
            std::span<const int64_t> axes, void* out);

// out (the input shape without `axis`, dtype index_dtype, an integer type) = the index of the
// first maximum (is_max) or minimum along `axis`; a NaN counts as the extreme, so the first NaN
// wins. shape[axis] must be >= 1.
void argreduce(bool is_max, DType dtype, DType index_dtype, const void* x, const Shape& shape,
               int64_t axis, void* out);

// out (same shape as x) = the inclusive scan of `op` (kSum, kProd, kMax or kMin) along `axis`,
// from the last element backwards when `reverse`.
void cumulative(ReduceOp op, DType dtype, const void* x, const Shape& shape, int64_t axis,
                bool reverse, void* out);

}  // namespace jx::cpu
