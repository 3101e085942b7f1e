// Every reduction is run as one or more (O, R, I) passes: O outer kept elements, R reduced
// elements, I inner kept elements, all contiguous. I == 1 reduces contiguous rows to scalars;
// I > 1 accumulates whole contiguous rows of length I into an accumulator row, so no inner loop
// ever strides. Work is split over the outer units when there are enough of them, otherwise
// over R with per-chunk partial results that are combined in order (deterministic for a given
// thread count, and ties/NaNs keep their first-wins semantics).
#include "backend/cpu/reduce_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "backend/cpu/thread_pool.h"

namespace jx::cpu {
namespace {

template <class T>
constexpr bool kFloat = std::is_floating_point_v<T>;
template <class T>
constexpr bool kBool = std::is_same_v<T, bool>;

// Columns handled together by one task of a row reduction: the accumulator row stays in L1.
constexpr int64_t kTile = 8192;
// The narrowest tile of columns worth a task.
constexpr int64_t kMinTileBytes = 1 << 10;
// Independent accumulators of a contiguous reduction: two 512-bit vectors' worth.
template <class T>
constexpr int64_t kLanes = kReduceLaneBytes / static_cast<int64_t>(sizeof(T));

template <class T>
std::unique_ptr<T[]> alloc(int64_t n) {
  return std::unique_ptr<T[]>(new T[static_cast<size_t>(std::max<int64_t>(n, 1))]);
}

// Integer arithmetic in the unsigned type of the same width: wraps around as XLA does, without
// signed-overflow UB.
template <class T>
T wrap_add(T a, T b) {
  if constexpr (kFloat<T>) {
    return a + b;
  } else {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  }
}
template <class T>
T wrap_mul(T a, T b) {
  if constexpr (kFloat<T>) {
    return a * b;
  } else {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  }
}

template <class T>
struct SumOp {
  static T identity() { return T(0); }
  static T apply(T a, T b) { return wrap_add(a, b); }
};
template <class T>
struct ProdOp {
  static T identity() { return T(1); }
  static T apply(T a, T b) { return wrap_mul(a, b); }
};
// max/min propagate NaN: once the accumulator is NaN it stays NaN.
template <class T>
struct MaxOp {
  static T identity() {
    if constexpr (kFloat<T>)
      return -std::numeric_limits<T>::infinity();
    else
      return std::numeric_limits<T>::lowest();
  }
  static T apply(T a, T b) {
    if constexpr (kFloat<T>)
      return (b > a || b != b) ? b : a;
    else
      return b > a ? b : a;
  }
};
template <class T>
struct MinOp {
  static T identity() {
    if constexpr (kFloat<T>)
      return std::numeric_limits<T>::infinity();
    else
      return std::numeric_limits<T>::max();
  }
  static T apply(T a, T b) {
    if constexpr (kFloat<T>)
      return (b < a || b != b) ? b : a;
    else
      return b < a ? b : a;
  }
};
template <class T>
struct AndOp {
  static T identity() {
    if constexpr (kBool<T>)
      return true;
    else
      return static_cast<T>(~T(0));  // all ones
  }
  static T apply(T a, T b) { return static_cast<T>(a & b); }
};
template <class T>
struct OrOp {
  static T identity() { return T(0); }
  static T apply(T a, T b) { return static_cast<T>(a | b); }
};

template <class T, class Op>
constexpr bool kPairwise = kFloat<T>&& std::is_same_v<Op, SumOp<T>>;

// numpy-style pairwise summation: leaves of kPairwiseLeafVectors * kLanes elements are summed with
// kLanes independent (vectorised) accumulators, leaves are combined as a binary tree. The error
// grows with log(n) instead of n.
template <class T>
T pairwise_sum(const T* x, int64_t n) {
  constexpr int64_t W = kLanes<T>;
  constexpr int64_t kLeaf = kPairwiseLeafVectors * W;
  if (n <= kLeaf) {
    T acc[W] = {};
    int64_t i = 0;
    for (; i + W <= n; i += W) {
      for (int64_t j = 0; j < W; ++j) acc[j] += x[i + j];
    }
    for (int64_t w = W / 2; w > 0; w /= 2) {
      for (int64_t j = 0; j < w; ++j) acc[j] += acc[j + w];
    }
    T r = acc[0];
    for (; i < n; ++i) r += x[i];
    return r;
  }
  int64_t half = (n / 2) / W * W;
  return pairwise_sum(x, half) + pairwise_sum(x + half, n - half);
}

// Reduction of a contiguous range with kLanes independent accumulators.
template <class T, class Op>
T reduce_contig(const T* x, int64_t n) {
  if constexpr (kPairwise<T, Op>) {
    return pairwise_sum(x, n);
  } else {
    constexpr int64_t W = kLanes<T>;
    T acc[W];
    for (int64_t j = 0; j < W; ++j) acc[j] = Op::identity();
    int64_t i = 0;
    for (; i + W <= n; i += W) {
      for (int64_t j = 0; j < W; ++j) acc[j] = Op::apply(acc[j], x[i + j]);
    }
    T r = Op::identity();
    for (int64_t j = 0; j < W; ++j) r = Op::apply(r, acc[j]);
    for (; i < n; ++i) r = Op::apply(r, x[i]);
    return r;
  }
}

// Scratch rows needed by sum_rows_pairwise for R rows.
int64_t pairwise_levels(int64_t rows) {
  int64_t levels = 1;
  while (rows > 16) {
    rows = (rows + 1) / 2;
    ++levels;
  }
  return levels;
}

// out[0:w) = sum over r < R of x[r * stride + j], pairwise over rows (leaves of 16 rows).
template <class T>
void sum_rows_pairwise(const T* x, int64_t R, int64_t stride, int64_t w, T* out, T* scratch) {
  if (R <= 16) {
    // Blocks of columns are summed down the leaf in registers, then stored once.
    constexpr int64_t B = 64 / static_cast<int64_t>(sizeof(T)) * 4;
    int64_t j = 0;
    for (; j + B <= w; j += B) {
      T acc[B];
      for (int64_t k = 0; k < B; ++k) acc[k] = x[j + k];
      for (int64_t r = 1; r < R; ++r) {
        const T* row = x + r * stride + j;
        for (int64_t k = 0; k < B; ++k) acc[k] += row[k];
      }
      for (int64_t k = 0; k < B; ++k) out[j + k] = acc[k];
    }
    if (j < w) {
      std::memcpy(out + j, x + j, static_cast<size_t>(w - j) * sizeof(T));
      for (int64_t r = 1; r < R; ++r) {
        const T* row = x + r * stride;
        for (int64_t k = j; k < w; ++k) out[k] += row[k];
      }
    }
    return;
  }
  int64_t half = R / 2;
  sum_rows_pairwise(x, half, stride, w, out, scratch + w);
  sum_rows_pairwise(x + half * stride, R - half, stride, w, scratch, scratch + w);
  for (int64_t j = 0; j < w; ++j) out[j] += scratch[j];
}

// out[0:w) = reduction over R >= 1 rows (row r at x + r * stride) of columns [0, w).
template <class T, class Op>
void reduce_rows(const T* x, int64_t R, int64_t stride, int64_t w, T* out, T* scratch) {
  if constexpr (kPairwise<T, Op>) {
    sum_rows_pairwise(x, R, stride, w, out, scratch);
  } else {
    std::copy(x, x + w, out);
    for (int64_t r = 1; r < R; ++r) {
      const T* row = x + r * stride;
      for (int64_t j = 0; j < w; ++j) out[j] = Op::apply(out[j], row[j]);
    }
  }
}

// Splits [0, R) into `chunks` near-equal ranges.
inline std::pair<int64_t, int64_t> chunk_range(int64_t R, int64_t chunks, int64_t c) {
  return {R * c / chunks, R * (c + 1) / chunks};
}

// How many pieces to cut R rows of `row_bytes` each into so that every piece is worth a thread.
int64_t split_count(int64_t R, int64_t bytes) {
  int64_t by_size = bytes / kParallelBytes;
  return std::clamp<int64_t>(std::min(by_size, R), 1, 4 * int64_t{num_threads()});
}

}  // namespace

bool reduces_rows_whole(int64_t rows, int64_t R, int64_t itemsize) {
  return rows >= 2 * int64_t{num_threads()} || rows * R * itemsize < 2 * kParallelBytes;
}

namespace {

// out[o * I + i] = reduce_r x[(o * R + r) * I + i], for R >= 1.
template <class T, class Op>
void reduce_ori(const T* x, int64_t O, int64_t R, int64_t I, T* out) {
  const int64_t sz = static_cast<int64_t>(sizeof(T));
  const int64_t threads = num_threads();
  if (I == 1) {
    if (reduces_rows_whole(O, R, sz)) {
      int64_t grain = std::max<int64_t>(1, kParallelBytes / (R * sz));
      parallel_for(O, grain, [&](int64_t b, int64_t e) {
        for (int64_t o = b; o < e; ++o) out[o] = reduce_contig<T, Op>(x + o * R, R);
      });
      return;
    }
    // A few long rows: each row is cut into chunks reduced in parallel.
    const int64_t chunks = split_count(R, R * sz);
    auto partial = alloc<T>(O * chunks);
    parallel_for(O * chunks, 1, [&](int64_t b, int64_t e) {
      for (int64_t u = b; u < e; ++u) {
        auto [r0, r1] = chunk_range(R, chunks, u % chunks);
        partial[u] = reduce_contig<T, Op>(x + (u / chunks) * R + r0, r1 - r0);
      }
    });
    for (int64_t o = 0; o < O; ++o) {
      T acc = partial[o * chunks];
      for (int64_t c = 1; c < chunks; ++c) acc = Op::apply(acc, partial[o * chunks + c]);
      out[o] = acc;
    }
    return;
  }
  const int64_t levels = pairwise_levels(R);
  // When the outer units are few, the columns are cut so that every thread gets tiles of its
  // own rather than a share of R to combine afterwards.
  int64_t tile = std::min(I, kTile);
  const int64_t wanted = (threads + O - 1) / O;
  if (wanted > 1) {
    const int64_t split = ((I + wanted - 1) / wanted + 15) / 16 * 16;
    tile = std::min(tile, std::max(split, kMinTileBytes / sz));
  }
  tile = std::max<int64_t>(1, std::min(tile, I));
  const int64_t ntiles = (I + tile - 1) / tile;
  const int64_t units = O * ntiles;
  if (units >= threads || O * R * I * sz < 2 * kParallelBytes) {
    int64_t grain = std::max<int64_t>(1, kParallelBytes / (R * tile * sz));
    parallel_for(units, grain, [&](int64_t b, int64_t e) {
      auto scratch = alloc<T>(kPairwise<T, Op> ? levels * tile : 0);
      for (int64_t u = b; u < e; ++u) {
        int64_t o = u / ntiles, c0 = (u % ntiles) * tile;
        reduce_rows<T, Op>(x + o * R * I + c0, R, I, std::min(tile, I - c0), out + o * I + c0,
                           scratch.get());
      }
    });
    return;
  }
  // Few short output rows but many reduced rows: split R, reduce each chunk into its own
  // partial output, then combine the partials in order.
  const int64_t chunks = split_count(R, R * O * I * sz);
  auto partial = alloc<T>(chunks * O * I);
  parallel_for(chunks, 1, [&](int64_t b, int64_t e) {
    auto scratch = alloc<T>(kPairwise<T, Op> ? levels * tile : 0);
    for (int64_t c = b; c < e; ++c) {
      auto [r0, r1] = chunk_range(R, chunks, c);
      for (int64_t u = 0; u < units; ++u) {
        int64_t o = u / ntiles, c0 = (u % ntiles) * tile;
        reduce_rows<T, Op>(x + (o * R + r0) * I + c0, r1 - r0, I, std::min(tile, I - c0),
                           partial.get() + c * O * I + o * I + c0, scratch.get());
      }
    }
  });
  const int64_t n = O * I;
  std::copy(partial.get(), partial.get() + n, out);
  for (int64_t c = 1; c < chunks; ++c) {
    const T* p = partial.get() + c * n;
    for (int64_t k = 0; k < n; ++k) out[k] = Op::apply(out[k], p[k]);
  }
}

// Merges the input dims into alternating kept/reduced groups (size-1 dims dropped), then
// reduces the last reduced group at a time as an (O, R, I) pass until none is left.
template <class T, class Op>
void reduce_typed(const T* x, const Shape& shape, std::span<const int64_t> axes, T* out) {
  std::vector<bool> reduced(shape.size(), false);
  for (int64_t a : axes) reduced[static_cast<size_t>(a)] = true;
  int64_t out_n = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (!reduced[i]) out_n *= shape[i];
  }
  if (out_n == 0) return;
  if (shape.numel() == 0) {
    std::fill(out, out + out_n, Op::identity());
    return;
  }
  std::vector<std::pair<int64_t, bool>> groups;  // (size, reduced)
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (!groups.empty() && groups.back().second == reduced[i]) {
      groups.back().first *= shape[i];
    } else {
      groups.emplace_back(shape[i], reduced[i]);
    }
  }
  auto count_reduced = [&] {
    return std::count_if(groups.begin(), groups.end(), [](auto& g) { return g.second; });
  };
  if (count_reduced() == 0) {
    std::copy(x, x + out_n, out);
    return;
  }
  const T* src = x;
  std::unique_ptr<T[]> owned;
  for (;;) {
    size_t g = groups.size();
    while (!groups[--g].second) {
    }
    int64_t O = 1, I = 1;
    for (size_t i = 0; i < g; ++i) O *= groups[i].first;
    for (size_t i = g + 1; i < groups.size(); ++i) I *= groups[i].first;
    const bool last = count_reduced() == 1;
    std::unique_ptr<T[]> next = last ? nullptr : alloc<T>(O * I);
    T* dst = last ? out : next.get();
    reduce_ori<T, Op>(src, O, groups[g].first, I, dst);
    if (last) return;
    groups.erase(groups.begin() + static_cast<ptrdiff_t>(g));
    if (g > 0 && g < groups.size()) {  // the kept neighbours are now adjacent
      groups[g - 1].first *= groups[g].first;
      groups.erase(groups.begin() + static_cast<ptrdiff_t>(g));
    }
    owned = std::move(next);
    src = owned.get();
  }
}

// ---- argmax / argmin ----------------------------------------------------------------------

// Whether v replaces the current extreme `best`: strictly more extreme (ties keep the first),
// and a NaN beats everything but an earlier NaN.
template <class T, bool kMax>
inline bool better(T v, T best) {
  if constexpr (kFloat<T>) {
    if (best != best) return false;
    if (v != v) return true;
  }
  if constexpr (kMax)
    return v > best;
  else
    return v < best;
}

template <class T, bool kMax>
void arg_contig(const T* x, int64_t r0, int64_t r1, T& best, int64_t& idx) {
  best = x[r0];
  idx = r0;
  for (int64_t r = r0 + 1; r < r1; ++r) {
    if (better<T, kMax>(x[r], best)) {
      best = x[r];
      idx = r;
    }
  }
}

// Rows [r0, r1) (row r at x + r * stride), columns [0, w).
template <class T, bool kMax>
void arg_rows(const T* x, int64_t r0, int64_t r1, int64_t stride, int64_t w, T* best,
              int64_t* idx) {
  std::copy(x + r0 * stride, x + r0 * stride + w, best);
  std::fill(idx, idx + w, r0);
  for (int64_t r = r0 + 1; r < r1; ++r) {
    const T* row = x + r * stride;
    for (int64_t j = 0; j < w; ++j) {
      bool b = better<T, kMax>(row[j], best[j]);
      best[j] = b ? row[j] : best[j];
      idx[j] = b ? r : idx[j];
    }
  }
}

template <class T, bool kMax>
void argreduce_ori(const T* x, int64_t O, int64_t R, int64_t I, int64_t* out) {
  const int64_t sz = static_cast<int64_t>(sizeof(T));
  const int64_t threads = num_threads();
  const int64_t tile = std::min(I, kTile);
  const int64_t ntiles = (I + tile - 1) / tile;
  const int64_t units = O * ntiles;
  if (units >= 2 * threads || O * R * I * sz < 2 * kParallelBytes) {
    int64_t grain = std::max<int64_t>(1, kParallelBytes / (R * tile * sz));
    parallel_for(units, grain, [&](int64_t b, int64_t e) {
      auto best = alloc<T>(tile);
      for (int64_t u = b; u < e; ++u) {
        int64_t o = u / ntiles, c0 = (u % ntiles) * tile;
        if (I == 1) {
          arg_contig<T, kMax>(x + o * R, 0, R, best[0], out[o]);
        } else {
          arg_rows<T, kMax>(x + o * R * I + c0, 0, R, I, std::min(tile, I - c0), best.get(),
                            out + o * I + c0);
        }
      }
    });
    return;
  }
  // Few outputs, long reductions: per-chunk candidates, merged in chunk order.
  const int64_t chunks = split_count(R, R * O * I * sz);
  const int64_t n = O * I;
  auto best = alloc<T>(chunks * n);
  auto idx = alloc<int64_t>(chunks * n);
  parallel_for(chunks, 1, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) {
      auto [r0, r1] = chunk_range(R, chunks, c);
      for (int64_t o = 0; o < O; ++o) {
        T* bp = best.get() + c * n + o * I;
        int64_t* ip = idx.get() + c * n + o * I;
        if (I == 1)
          arg_contig<T, kMax>(x + o * R, r0, r1, *bp, *ip);
        else
          arg_rows<T, kMax>(x + o * R * I, r0, r1, I, I, bp, ip);
      }
    }
  });
  for (int64_t k = 0; k < n; ++k) {
    T b = best[k];
    int64_t i = idx[k];
    for (int64_t c = 1; c < chunks; ++c) {
      if (better<T, kMax>(best[c * n + k], b)) {
        b = best[c * n + k];
        i = idx[c * n + k];
      }
    }
    out[k] = i;
  }
}

// ---- cumulative scans ---------------------------------------------------------------------

// Scans scan-order rows [s0, s1) of columns [0, w) (physical row r = reverse ? R-1-s : s, at
// x + r * stride); `carry` (nullable) is the running value before row s0.
template <class T, class Op>
void scan_rows(const T* x, T* out, int64_t R, int64_t stride, int64_t w, bool reverse, int64_t s0,
               int64_t s1, const T* carry) {
  auto phys = [&](int64_t s) { return reverse ? R - 1 - s : s; };
  if (w == 1) {
    if (s0 >= s1) return;
    T acc = carry ? Op::apply(*carry, x[phys(s0) * stride]) : x[phys(s0) * stride];
    out[phys(s0) * stride] = acc;
    for (int64_t s = s0 + 1; s < s1; ++s) {
      int64_t r = phys(s) * stride;
      acc = Op::apply(acc, x[r]);
      out[r] = acc;
    }
    return;
  }
  const T* prev = carry;
  for (int64_t s = s0; s < s1; ++s) {
    const T* xr = x + phys(s) * stride;
    T* orow = out + phys(s) * stride;
    if (prev) {
      for (int64_t j = 0; j < w; ++j) orow[j] = Op::apply(prev[j], xr[j]);
    } else {
      std::copy(xr, xr + w, orow);
    }
    prev = orow;
  }
}

template <class T, class Op>
void cumulative_ori(const T* x, int64_t O, int64_t R, int64_t I, bool reverse, T* out) {
  const int64_t sz = static_cast<int64_t>(sizeof(T));
  const int64_t threads = num_threads();
  const int64_t tile = std::min(I, kTile);
  const int64_t ntiles = (I + tile - 1) / tile;
  const int64_t units = O * ntiles;
  if (units >= 2 * threads || O * R * I * sz < 2 * kParallelBytes) {
    int64_t grain = std::max<int64_t>(1, kParallelBytes / (R * tile * sz));
    parallel_for(units, grain, [&](int64_t b, int64_t e) {
      for (int64_t u = b; u < e; ++u) {
        int64_t o = u / ntiles, c0 = (u % ntiles) * tile;
        int64_t off = o * R * I + c0;
        scan_rows<T, Op>(x + off, out + off, R, I, std::min(tile, I - c0), reverse, 0, R, nullptr);
      }
    });
    return;
  }
  // Few long scans: (1) scan each chunk of R locally, (2) chain the chunk totals, (3) fold the
  // carry into every chunk but the first.
  const int64_t chunks = split_count(R, R * O * I * sz);
  parallel_for(O * chunks, 1, [&](int64_t b, int64_t e) {
    for (int64_t u = b; u < e; ++u) {
      auto [s0, s1] = chunk_range(R, chunks, u % chunks);
      int64_t off = (u / chunks) * R * I;
      scan_rows<T, Op>(x + off, out + off, R, I, I, reverse, s0, s1, nullptr);
    }
  });
  auto carry = alloc<T>(O * chunks * I);  // carry into chunk c >= 1
  for (int64_t o = 0; o < O; ++o) {
    for (int64_t c = 1; c < chunks; ++c) {
      int64_t s_last = chunk_range(R, chunks, c - 1).second - 1;
      const T* last = out + o * R * I + (reverse ? R - 1 - s_last : s_last) * I;
      T* dst = carry.get() + (o * chunks + c) * I;
      const T* prev = carry.get() + (o * chunks + c - 1) * I;
      for (int64_t j = 0; j < I; ++j) dst[j] = c == 1 ? last[j] : Op::apply(prev[j], last[j]);
    }
  }
  parallel_for(O * (chunks - 1), 1, [&](int64_t b, int64_t e) {
    for (int64_t u = b; u < e; ++u) {
      int64_t o = u / (chunks - 1), c = u % (chunks - 1) + 1;
      auto [s0, s1] = chunk_range(R, chunks, c);
      const T* cy = carry.get() + (o * chunks + c) * I;
      for (int64_t s = s0; s < s1; ++s) {
        T* row = out + o * R * I + (reverse ? R - 1 - s : s) * I;
        for (int64_t j = 0; j < I; ++j) row[j] = Op::apply(cy[j], row[j]);
      }
    }
  });
}

// Calls f(Op{}) with the op functor type of `op` for element type T (only the combinations
// the primitives accept are instantiated).
template <class T, class F>
void with_op(ReduceOp op, F&& f) {
  switch (op) {
    case ReduceOp::kSum:
      if constexpr (!kBool<T>) f(SumOp<T>{});
      return;
    case ReduceOp::kProd:
      if constexpr (!kBool<T>) f(ProdOp<T>{});
      return;
    case ReduceOp::kMax:
      f(MaxOp<T>{});
      return;
    case ReduceOp::kMin:
      f(MinOp<T>{});
      return;
    case ReduceOp::kAnd:
      if constexpr (!kFloat<T>) f(AndOp<T>{});
      return;
    case ReduceOp::kOr:
      if constexpr (!kFloat<T>) f(OrOp<T>{});
      return;
  }
}

// (O, R, I) of a single axis.
void split_at(const Shape& shape, int64_t axis, int64_t& O, int64_t& R, int64_t& I) {
  O = 1;
  I = 1;
  for (int64_t i = 0; i < axis; ++i) O *= shape[static_cast<size_t>(i)];
  R = shape[static_cast<size_t>(axis)];
  for (size_t i = static_cast<size_t>(axis) + 1; i < shape.size(); ++i) I *= shape[i];
}

}  // namespace

void reduce(ReduceOp op, DType dtype, const void* x, const Shape& shape,
            std::span<const int64_t> axes, void* out) {
  dispatch_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    with_op<T>(op, [&](auto op_tag) {
      reduce_typed<T, decltype(op_tag)>(static_cast<const T*>(x), shape, axes,
                                        static_cast<T*>(out));
    });
  });
}

void argreduce(bool is_max, DType dtype, DType index_dtype, const void* x, const Shape& shape,
               int64_t axis, void* out) {
  int64_t O, R, I;
  split_at(shape, axis, O, R, I);
  const int64_t n = O * I;
  if (n == 0) return;
  std::unique_ptr<int64_t[]> tmp;
  int64_t* idx = static_cast<int64_t*>(out);
  if (index_dtype != DType::int64) {
    tmp = alloc<int64_t>(n);
    idx = tmp.get();
  }
  dispatch_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (is_max)
      argreduce_ori<T, true>(static_cast<const T*>(x), O, R, I, idx);
    else
      argreduce_ori<T, false>(static_cast<const T*>(x), O, R, I, idx);
  });
  if (!tmp) return;
  dispatch_dtype(index_dtype, [&](auto tag) {
    using J = typename decltype(tag)::type;
    J* dst = static_cast<J*>(out);
    for (int64_t k = 0; k < n; ++k) dst[k] = static_cast<J>(idx[k]);
  });
}

void cumulative(ReduceOp op, DType dtype, const void* x, const Shape& shape, int64_t axis,
                bool reverse, void* out) {
  int64_t O, R, I;
  split_at(shape, axis, O, R, I);
  if (O * R * I == 0) return;
  dispatch_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    with_op<T>(op, [&](auto op_tag) {
      cumulative_ori<T, decltype(op_tag)>(static_cast<const T*>(x), O, R, I, reverse,
                                          static_cast<T*>(out));
    });
  });
}

}  // namespace jx::cpu
