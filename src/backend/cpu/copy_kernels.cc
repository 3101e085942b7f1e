#include "backend/cpu/copy_kernels.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "backend/cpu/thread_pool.h"

namespace jx::cpu {
namespace {

struct Dim {
  int64_t size, ds, ss;  // extent, dst stride, src stride (elements)
};

// Drops size-1 dims and merges neighbours that walk both arrays as one longer dim, so a copy of
// a contiguous block becomes one dim and a 4-d transpose of two merged pairs becomes 2-d.
// Returns false when the copy is empty.
bool simplify(std::span<const int64_t> shape, std::span<const int64_t> ds,
              std::span<const int64_t> ss, std::vector<Dim>& out) {
  out.clear();
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0) return false;
    if (shape[i] == 1) continue;
    Dim d{shape[i], ds[i], ss[i]};
    if (!out.empty() && out.back().ds == d.ds * d.size && out.back().ss == d.ss * d.size) {
      out.back() = Dim{out.back().size * d.size, d.ds, d.ss};
    } else {
      out.push_back(d);
    }
  }
  return true;
}

// One contiguous-in-the-loop run; the branches keep the common cases free of index arithmetic
// so they become memcpy, a broadcast store, or a vectorised (possibly reversed) loop.
template <class T>
inline void copy_run(T* d, int64_t ds, const T* s, int64_t ss, int64_t n) {
  if (ds == 1) {
    if (ss == 1) {
      std::memcpy(d, s, static_cast<size_t>(n) * sizeof(T));
    } else if (ss == 0) {
      std::fill(d, d + n, *s);
    } else if (ss == -1) {
      for (int64_t j = 0; j < n; ++j) d[j] = s[-j];
    } else {
      for (int64_t j = 0; j < n; ++j) d[j] = s[j * ss];
    }
  } else {
    for (int64_t j = 0; j < n; ++j) d[j * ds] = s[j * ss];
  }
}

constexpr int64_t kTile = 32;

// A transposition: the innermost dst dim walks src with a large stride while dim `k` is
// contiguous in src. Copy kTile x kTile tiles so both sides stay in L1.
template <class T>
void copy_tiled(T* dst, const T* src, const std::vector<Dim>& dims, size_t k) {
  const size_t inner = dims.size() - 1;
  std::vector<size_t> others;
  for (size_t i = 0; i < inner; ++i) {
    if (i != k) others.push_back(i);
  }
  const Dim dk = dims[k], dj = dims[inner];
  const int64_t tiles_k = (dk.size + kTile - 1) / kTile, tiles_j = (dj.size + kTile - 1) / kTile;
  int64_t outer = 1;
  for (size_t o : others) outer *= dims[o].size;
  const int64_t units = outer * tiles_k * tiles_j;
  const int64_t grain =
      std::max<int64_t>(1, kParallelBytes / int64_t(2 * kTile * kTile * sizeof(T)));
  parallel_for(units, grain, [&](int64_t b, int64_t e) {
    for (int64_t u = b; u < e; ++u) {
      int64_t rest = u;
      const int64_t tj = rest % tiles_j;
      rest /= tiles_j;
      const int64_t tk = rest % tiles_k;
      rest /= tiles_k;
      int64_t doff = 0, soff = 0;
      for (size_t oi = others.size(); oi-- > 0;) {
        const Dim& d = dims[others[oi]];
        const int64_t idx = rest % d.size;
        rest /= d.size;
        doff += idx * d.ds;
        soff += idx * d.ss;
      }
      const int64_t k0 = tk * kTile, k1 = std::min(dk.size, k0 + kTile);
      const int64_t j0 = tj * kTile, j1 = std::min(dj.size, j0 + kTile);
      for (int64_t i = k0; i < k1; ++i) {
        copy_run(dst + doff + i * dk.ds + j0 * dj.ds, dj.ds, src + soff + i * dk.ss + j0 * dj.ss,
                 dj.ss, j1 - j0);
      }
    }
  });
}

// Rows of the inner dim, each split into chunks so that even a single long row is parallel.
template <class T>
void copy_rows(T* dst, const T* src, const std::vector<Dim>& dims) {
  const size_t inner = dims.size() - 1;
  const Dim dj = dims[inner];
  const int64_t max_chunk = std::max<int64_t>(1, (int64_t{1} << 16) / int64_t(sizeof(T)));
  const int64_t chunk = std::min(dj.size, max_chunk);
  const int64_t nchunks = (dj.size + chunk - 1) / chunk;
  int64_t rows = 1;
  for (size_t i = 0; i < inner; ++i) rows *= dims[i].size;
  const int64_t grain = std::max<int64_t>(1, kParallelBytes / (2 * chunk * int64_t(sizeof(T))));
  parallel_for(rows * nchunks, grain, [&](int64_t b, int64_t e) {
    std::vector<int64_t> idx(inner);
    int64_t row = b / nchunks, c = b % nchunks;
    int64_t doff = 0, soff = 0;
    for (size_t i = inner; i-- > 0;) {
      idx[i] = row % dims[i].size;
      row /= dims[i].size;
      doff += idx[i] * dims[i].ds;
      soff += idx[i] * dims[i].ss;
    }
    for (int64_t u = b; u < e; ++u) {
      const int64_t start = c * chunk;
      copy_run(dst + doff + start * dj.ds, dj.ds, src + soff + start * dj.ss, dj.ss,
               std::min(chunk, dj.size - start));
      if (++c < nchunks) continue;
      c = 0;
      // Odometer step over the outer dims.
      for (size_t i = inner; i-- > 0;) {
        doff += dims[i].ds;
        soff += dims[i].ss;
        if (++idx[i] < dims[i].size) break;
        doff -= dims[i].ds * dims[i].size;
        soff -= dims[i].ss * dims[i].size;
        idx[i] = 0;
      }
    }
  });
}

// dst already holds one block of block_bytes; repeat it until total_bytes are filled.
void replicate_block(char* dst, size_t block_bytes, size_t total_bytes) {
  size_t have = block_bytes;
  while (have < total_bytes && have < (size_t{1} << 18)) {
    const size_t n = std::min(have, total_bytes - have);
    std::memcpy(dst + have, dst, n);
    have += n;
  }
  if (have >= total_bytes) return;
  const int64_t pieces = static_cast<int64_t>((total_bytes - have + have - 1) / have);
  const size_t piece = have;
  parallel_for(pieces, std::max<int64_t>(1, kParallelBytes / int64_t(piece)),
               [&](int64_t b, int64_t e) {
                 for (int64_t p = b; p < e; ++p) {
                   const size_t off = piece + static_cast<size_t>(p) * piece;
                   std::memcpy(dst + off, dst, std::min(piece, total_bytes - off));
                 }
               });
}

template <class T>
void copy_typed(T* dst, const T* src, std::vector<Dim>& dims) {
  if (dims.empty()) {
    *dst = *src;
    return;
  }
  // Broadcast along leading dims into a dense dst: build one block, then replicate it with
  // large memcpys instead of re-reading src for every small row.
  if (dims.size() >= 2 && dims[0].ss == 0) {
    int64_t expect = 1;
    bool dense = true;
    for (size_t i = dims.size(); i-- > 0;) {
      if (dims[i].ds != expect) dense = false;
      expect *= dims[i].size;
    }
    if (dense) {
      std::vector<Dim> rest(dims.begin() + 1, dims.end());
      copy_typed(dst, src, rest);
      const int64_t block = expect / dims[0].size;
      replicate_block(reinterpret_cast<char*>(dst), static_cast<size_t>(block) * sizeof(T),
                      static_cast<size_t>(expect) * sizeof(T));
      return;
    }
  }
  const size_t inner = dims.size() - 1;
  const int64_t sj = dims[inner].ss;
  if (sj > 1 || sj < -1) {
    for (size_t k = 0; k < inner; ++k) {
      if (dims[k].ss == 1 && dims[k].size >= 2) {
        copy_tiled(dst, src, dims, k);
        return;
      }
    }
  }
  copy_rows(dst, src, dims);
}

template <class F>
void dispatch_itemsize(size_t itemsize, F&& f) {
  switch (itemsize) {
    case 1:
      f(uint8_t{});
      return;
    case 2:
      f(uint16_t{});
      return;
    case 4:
      f(uint32_t{});
      return;
    case 8:
      f(uint64_t{});
      return;
    default:
      throw std::logic_error("jx internal error: unsupported itemsize in copy kernel");
  }
}

}  // namespace

void copy_strided(void* dst, std::span<const int64_t> dst_strides, const void* src,
                  std::span<const int64_t> src_strides, std::span<const int64_t> shape,
                  size_t itemsize) {
  std::vector<Dim> dims;
  if (!simplify(shape, dst_strides, src_strides, dims)) return;
  dispatch_itemsize(itemsize, [&](auto tag) {
    using T = decltype(tag);
    copy_typed(static_cast<T*>(dst), static_cast<const T*>(src), dims);
  });
}

void fill_elements(void* dst, const void* value, int64_t n, size_t itemsize) {
  if (n <= 0) return;
  dispatch_itemsize(itemsize, [&](auto tag) {
    using T = decltype(tag);
    T v;
    std::memcpy(&v, value, sizeof(T));
    T* d = static_cast<T*>(dst);
    parallel_for(n, std::max<int64_t>(1, kParallelBytes / int64_t(sizeof(T))),
                 [&](int64_t b, int64_t e) { std::fill(d + b, d + e, v); });
  });
}

void parallel_memcpy(void* dst, const void* src, size_t nbytes) {
  if (nbytes == 0) return;
  char* d = static_cast<char*>(dst);
  const char* s = static_cast<const char*>(src);
  parallel_for(static_cast<int64_t>(nbytes), kParallelBytes, [&](int64_t b, int64_t e) {
    std::memcpy(d + b, s + b, static_cast<size_t>(e - b));
  });
}

}  // namespace jx::cpu
