// Batched matrix multiplication on the CPU: C[b] = A[b] @ B[b] for row-major views, with
// float32 on oneDNN's sgemm, float64 on Eigen, and integer/bool types on a plain loop.
#pragma once

#include <cstdint>
#include <vector>

#include "jx/dtype.h"
#include "jx/shape.h"

namespace jx::cpu {

// A [batch..., rows, cols] operand seen in place. Element (r, c) of batch matrix b lives at
// data + offset(b) + (trans ? c * ld + r : r * ld + c) elements, where offset(b) comes from
// `batch_strides` (one per batch dim of GemmShape, in elements) and b's multi-index.
struct GemmOperand {
  const void* data = nullptr;
  bool trans = false;
  int64_t ld = 1;  // >= max(1, trans ? rows : cols)
  std::vector<int64_t> batch_strides;
};

struct GemmShape {
  std::vector<int64_t> batch_sizes;  // the batch dims (row-major order of the output)
  int64_t M = 0, N = 0, K = 0;
  int64_t batch() const {
    int64_t b = 1;
    for (int64_t s : batch_sizes) b *= s;
    return b;
  }
};

// c (contiguous [batch..., M, N]) = a ([batch..., M, K]) @ b ([batch..., K, N]), all of
// `dtype`. K == 0 gives zeros. Integers wrap around; bool computes or-of-ands. Large float32
// products go to dnnl_sgemm one batch at a time (it threads internally); many small products
// are spread over the thread pool instead, so per-call overhead does not dominate.
void batched_gemm(DType dtype, const GemmShape& shape, const GemmOperand& a, const GemmOperand& b,
                  void* c);

// dst (contiguous, dims shape[perm[0]], shape[perm[1]], ...) = x (contiguous `shape`)
// transposed by `perm`, i.e. lax.transpose, for packing operands that cannot be viewed in place.
void transpose_copy(DType dtype, const void* x, const Shape& shape,
                    const std::vector<int64_t>& perm, void* dst);

}  // namespace jx::cpu
