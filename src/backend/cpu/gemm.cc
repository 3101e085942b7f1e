// Batched GEMM kernels. float32 goes to oneDNN's sgemm, whose row-major 'N'/'T' flags and
// leading dimensions let it read most operand layouts in place; float64 goes to Eigen's GEMM on
// Maps of the same views; integer and bool types use a blocked i-k-j loop whose inner loop runs
// over a contiguous row of B and of C.
#include "backend/cpu/gemm.h"

#include <oneapi/dnnl/dnnl.h>

// Eigen's headers trip -Wunused-variable, and its AVX-512 packing code -Wmaybe-uninitialized
// (reported when the templates are instantiated here), in code that is correct.
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <type_traits>
#if defined(__AVX__)
#include <immintrin.h>
#endif

#include "backend/cpu/thread_pool.h"

// OpenMP's (oneDNN's threading runtime) per-thread thread count, without -fopenmp.
extern "C" int omp_get_max_threads();
extern "C" void omp_set_num_threads(int);

namespace jx::cpu {
namespace {

// Multiply-adds below which a product is done by one thread without calling oneDNN, and the
// least work a pool task is given.
constexpr int64_t kSmallGemmMacs = int64_t{1} << 18;
constexpr int64_t kTaskMacs = int64_t{1} << 16;
constexpr int64_t kLargeGemmMacs = int64_t{1} << 24;

int64_t batch_offset(const GemmShape& s, const std::vector<int64_t>& strides, int64_t b) {
  int64_t off = 0;
  for (size_t i = s.batch_sizes.size(); i-- > 0;) {
    int64_t d = s.batch_sizes[i];
    off += (b % d) * strides[i];
    b /= d;
  }
  return off;
}

template <class T>
using RowMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using ConstMap = Eigen::Map<const RowMat<T>, Eigen::Unaligned, Eigen::OuterStride<>>;
template <class T>
using MutMap = Eigen::Map<RowMat<T>, Eigen::Unaligned, Eigen::OuterStride<>>;

// c[m0:m1, :] = a[m0:m1, :] @ b for one batch (pointers already offset to it).
template <class T>
void eigen_rows(const T* a, const GemmOperand& av, const T* b, const GemmOperand& bv, T* c,
                int64_t m0, int64_t m1, int64_t N, int64_t K) {
  const int64_t rows = m1 - m0;
  MutMap<T> C(c + m0 * N, rows, N, Eigen::OuterStride<>(N));
  auto with_b = [&](const auto& A) {
    if (!bv.trans) {
      C.noalias() = A * ConstMap<T>(b, K, N, Eigen::OuterStride<>(bv.ld));
    } else {
      C.noalias() = A * ConstMap<T>(b, N, K, Eigen::OuterStride<>(bv.ld)).transpose();
    }
  };
  if (!av.trans) {
    with_b(ConstMap<T>(a + m0 * av.ld, rows, K, Eigen::OuterStride<>(av.ld)));
  } else {
    with_b(ConstMap<T>(a + m0, K, rows, Eigen::OuterStride<>(av.ld)).transpose());
  }
}

template <class T>
struct UnsignedOf {
  using type = std::make_unsigned_t<T>;
};
template <>
struct UnsignedOf<bool> {
  using type = uint8_t;
};

// Integer/bool c[m0:m1, :] = a[m0:m1, :] @ b, with b untransposed (row k at b + k * ldb).
// Arithmetic is done in the unsigned type of the same width so that overflow wraps.
template <class T>
void int_rows(const T* a, const GemmOperand& av, const T* b, int64_t ldb, T* c, int64_t m0,
              int64_t m1, int64_t N, int64_t K) {
  constexpr int64_t kBlockN = 1024, kBlockK = 128;
  using U = typename UnsignedOf<T>::type;
  const U* bu = reinterpret_cast<const U*>(b);
  U* cu = reinterpret_cast<U*>(c);
  std::fill(cu + m0 * N, cu + m1 * N, U(0));
  for (int64_t n0 = 0; n0 < N; n0 += kBlockN) {
    const int64_t n1 = std::min(N, n0 + kBlockN);
    for (int64_t k0 = 0; k0 < K; k0 += kBlockK) {
      const int64_t k1 = std::min(K, k0 + kBlockK);
      for (int64_t m = m0; m < m1; ++m) {
        U* crow = cu + m * N;
        for (int64_t k = k0; k < k1; ++k) {
          const U x = static_cast<U>(av.trans ? a[k * av.ld + m] : a[m * av.ld + k]);
          if (x == 0) continue;
          const U* brow = bu + k * ldb;
          if constexpr (std::is_same_v<T, bool>) {
            for (int64_t n = n0; n < n1; ++n) crow[n] |= brow[n];
          } else {
            for (int64_t n = n0; n < n1; ++n) crow[n] = static_cast<U>(crow[n] + x * brow[n]);
          }
        }
      }
    }
  }
}

// Rows of a product worth a pool task.
int64_t row_grain(const GemmShape& s) {
  return std::max<int64_t>(1, kTaskMacs / std::max<int64_t>(1, s.N * s.K));
}

// Splits the B * M output rows over the pool, each task handling whole row ranges of one batch
// with row_fn(batch, m0, m1).
template <class F>
void for_row_blocks(const GemmShape& s, int64_t grain, F&& row_fn) {
  const int64_t rows = s.batch() * s.M;
  parallel_for(rows, grain, [&](int64_t u0, int64_t u1) {
    while (u0 < u1) {
      const int64_t b = u0 / s.M, m0 = u0 % s.M;
      const int64_t m1 = std::min(s.M, m0 + (u1 - u0));
      row_fn(b, m0, m1);
      u0 += m1 - m0;
    }
  });
}

template <class T>
void gemm_typed(const GemmShape& s, const GemmOperand& av, const GemmOperand& bv, T* c) {
  const T* a = static_cast<const T*>(av.data);
  const T* b = static_cast<const T*>(bv.data);
  const int64_t M = s.M, N = s.N, K = s.K, nb = s.batch();
  if constexpr (std::is_floating_point_v<T>) {
    if constexpr (std::is_same_v<T, float>) {
      // Batches of mid-sized products stay on the pool: a loop of oneDNN calls pays its
      // OpenMP fork/join per call, which measured slower than Eigen spread over batches.
      if (M * N * K >= kSmallGemmMacs && (nb == 1 || M * N * K >= kLargeGemmMacs)) {
        // Blocks of rows go to oneDNN from the pool's threads, each call single-threaded: left
        // to its own OpenMP threads, those spin for a while after every call and take the
        // cores from the pool's next kernel (a fused loop after a matmul ran ~20% slower).
        std::atomic<bool> ok{true};
        const int64_t grain = std::max<int64_t>(1, 4 * kSmallGemmMacs / (N * K));
        for_row_blocks(s, grain, [&](int64_t i, int64_t m0, int64_t m1) {
          const int64_t threads = omp_get_max_threads();
          omp_set_num_threads(1);
          const bool done =
              dnnl_sgemm(av.trans ? 'T' : 'N', bv.trans ? 'T' : 'N', m1 - m0, N, K, 1.0f,
                         a + batch_offset(s, av.batch_strides, i) + (av.trans ? m0 : m0 * av.ld),
                         av.ld, b + batch_offset(s, bv.batch_strides, i), bv.ld, 0.0f,
                         c + i * M * N + m0 * N, N) == dnnl_success;
          omp_set_num_threads(static_cast<int>(threads));
          if (!done) ok = false;
        });
        if (ok) return;
      }
    }
    for_row_blocks(s, row_grain(s), [&](int64_t i, int64_t m0, int64_t m1) {
      eigen_rows<T>(a + batch_offset(s, av.batch_strides, i), av,
                    b + batch_offset(s, bv.batch_strides, i), bv, c + i * M * N, m0, m1, N, K);
    });
  } else {
    if (!bv.trans) {
      for_row_blocks(s, row_grain(s), [&](int64_t i, int64_t m0, int64_t m1) {
        int_rows<T>(a + batch_offset(s, av.batch_strides, i), av,
                    b + batch_offset(s, bv.batch_strides, i), bv.ld, c + i * M * N, m0, m1, N, K);
      });
      return;
    }
    // b is stored N x K: give each batch an untransposed K x N copy first.
    std::unique_ptr<T[]> packed(new T[static_cast<size_t>(nb * K * N)]);
    parallel_for(nb * K, std::max<int64_t>(1, 4096 / std::max<int64_t>(N, 1)),
                 [&](int64_t u0, int64_t u1) {
                   for (int64_t u = u0; u < u1; ++u) {
                     const int64_t i = u / K, k = u % K;
                     const T* src = b + batch_offset(s, bv.batch_strides, i) + k;
                     T* dst = packed.get() + u * N;
                     for (int64_t n = 0; n < N; ++n) dst[n] = src[n * bv.ld];
                   }
                 });
    for_row_blocks(s, row_grain(s), [&](int64_t i, int64_t m0, int64_t m1) {
      int_rows<T>(a + batch_offset(s, av.batch_strides, i), av, packed.get() + i * K * N, N,
                  c + i * M * N, m0, m1, N, K);
    });
  }
}

// Copies elements of `Word` size (the element bits are moved, never converted).
// dst[r * dst_stride + c] = src[r + c * src_stride] for r, c < 8, on 4-byte words.
template <class Word>
void transpose_8x8(const Word* src, int64_t src_stride, Word* dst, int64_t dst_stride) {
#if defined(__AVX__)
  auto row = [&](int64_t c) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(src + c * src_stride));
  };
  const __m256 r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3), r4 = row(4), r5 = row(5),
               r6 = row(6), r7 = row(7);
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1),
               t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3),
               t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
               t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE),
               s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE),
               s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE),
               s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  auto out = [&](int64_t r, __m256 v) {
    _mm256_storeu_ps(reinterpret_cast<float*>(dst + r * dst_stride), v);
  };
  out(0, _mm256_permute2f128_ps(s0, s4, 0x20));
  out(1, _mm256_permute2f128_ps(s1, s5, 0x20));
  out(2, _mm256_permute2f128_ps(s2, s6, 0x20));
  out(3, _mm256_permute2f128_ps(s3, s7, 0x20));
  out(4, _mm256_permute2f128_ps(s0, s4, 0x31));
  out(5, _mm256_permute2f128_ps(s1, s5, 0x31));
  out(6, _mm256_permute2f128_ps(s2, s6, 0x31));
  out(7, _mm256_permute2f128_ps(s3, s7, 0x31));
#else
  for (int64_t r = 0; r < 8; ++r) {
    for (int64_t c = 0; c < 8; ++c) dst[r * dst_stride + c] = src[r + c * src_stride];
  }
#endif
}

template <class Word>
void transpose_words(const Word* x, const Shape& shape, const std::vector<int64_t>& perm,
                     Word* dst) {
  // Output dims with their source strides; size-1 dims dropped and dims that stay adjacent in
  // the source merged, so the common cases become a 2-D transpose or a plain copy.
  std::vector<int64_t> src_strides = contiguous_strides(shape);
  std::vector<int64_t> dims, strides;
  for (int64_t p : perm) {
    const int64_t d = shape[static_cast<size_t>(p)], st = src_strides[static_cast<size_t>(p)];
    if (d == 1) continue;
    if (!dims.empty() && strides.back() == st * d) {
      dims.back() *= d;
      strides.back() = st;
    } else {
      dims.push_back(d);
      strides.push_back(st);
    }
  }
  const int64_t total = shape.numel();
  if (total == 0) return;
  if (dims.empty() || (dims.size() == 1 && strides[0] == 1)) {
    std::memcpy(dst, x, static_cast<size_t>(total) * sizeof(Word));
    return;
  }
  const size_t nd = dims.size();
  // j: the output dim that is contiguous in the source (always exists: the source's last
  // non-unit dim). The tile loops pair it with the output's last dim.
  size_t j = 0;
  while (strides[j] != 1) ++j;
  std::vector<int64_t> dst_strides(nd);
  for (size_t i = nd, st = 1; i-- > 0;) {
    dst_strides[i] = static_cast<int64_t>(st);
    st *= static_cast<size_t>(dims[i]);
  }
  const size_t last = nd - 1;
  int64_t outer = 1;
  for (size_t i = 0; i < nd; ++i) {
    if (i != j && i != last) outer *= dims[i];
  }
  const int64_t dj = dims[j], dl = dims[last], sl = strides[last], dsj = dst_strides[j];
  constexpr int64_t kT = 32;
  // Units of work: one output row (j == last) or one band of kT rows of a 2-D tile transpose,
  // so that a single large 2-D transpose is split over the threads too.
  const int64_t bands = j == last ? 1 : (dj + kT - 1) / kT;
  const int64_t unit_bytes =
      (j == last ? dl : std::min(dj, kT) * dl) * static_cast<int64_t>(sizeof(Word));
  const int64_t grain = std::max<int64_t>(1, kParallelBytes / unit_bytes);
  parallel_for(outer * bands, grain, [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) {
      int64_t rem = u / bands, src_base = 0, dst_base = 0;
      for (size_t i = nd; i-- > 0;) {
        if (i == j || i == last) continue;
        const int64_t idx = rem % dims[i];
        rem /= dims[i];
        src_base += idx * strides[i];
        dst_base += idx * dst_strides[i];
      }
      if (j == last) {  // the output's last dim is contiguous in the source too
        std::memcpy(dst + dst_base, x + src_base, static_cast<size_t>(dl) * sizeof(Word));
        continue;
      }
      const int64_t a0 = (u % bands) * kT, a1 = std::min(dj, a0 + kT);
      for (int64_t l0 = 0; l0 < dl; l0 += kT) {
        const int64_t l1 = std::min(dl, l0 + kT);
        int64_t a = a0;
        if constexpr (sizeof(Word) == 4) {
          // Whole 8 x 8 blocks through vector registers.
          for (; a + 8 <= a1; a += 8) {
            int64_t l = l0;
            for (; l + 8 <= l1; l += 8) {
              transpose_8x8(x + src_base + a + l * sl, sl, dst + dst_base + a * dsj + l, dsj);
            }
            for (int64_t r = a; r < a + 8; ++r) {
              for (int64_t c = l; c < l1; ++c)
                dst[dst_base + r * dsj + c] = x[src_base + r + c * sl];
            }
          }
        }
        for (; a < a1; ++a) {
          for (int64_t l = l0; l < l1; ++l) {
            dst[dst_base + a * dsj + l] = x[src_base + a + l * sl];
          }
        }
      }
    }
  });
}

}  // namespace

void batched_gemm(DType dtype, const GemmShape& shape, const GemmOperand& a, const GemmOperand& b,
                  void* c) {
  const int64_t nb = shape.batch();
  if (nb * shape.M * shape.N == 0) return;
  if (shape.K == 0) {
    std::memset(c, 0, static_cast<size_t>(nb * shape.M * shape.N) * itemsize(dtype));
    return;
  }
  dispatch_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    gemm_typed<T>(shape, a, b, static_cast<T*>(c));
  });
}

void transpose_copy(DType dtype, const void* x, const Shape& shape,
                    const std::vector<int64_t>& perm, void* dst) {
  switch (itemsize(dtype)) {
    case 1:
      transpose_words(static_cast<const uint8_t*>(x), shape, perm, static_cast<uint8_t*>(dst));
      return;
    case 4:
      transpose_words(static_cast<const uint32_t*>(x), shape, perm, static_cast<uint32_t*>(dst));
      return;
    default:
      transpose_words(static_cast<const uint64_t*>(x), shape, perm, static_cast<uint64_t*>(dst));
      return;
  }
}

}  // namespace jx::cpu
