// Data-movement kernels shared by the structural and slicing primitives: an N-d strided copy
// (transpose, rev, slice, broadcast, concatenate and pad are all one call of it) and fills.
// They move raw elements of a given itemsize (1, 2, 4 or 8 bytes), so one instantiation
// serves every dtype of that width.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace jx::cpu {

// dst[sum_i k_i * dst_strides[i]] = src[sum_i k_i * src_strides[i]] for every multi-index k in
// `shape`. Strides are in elements and may be negative (rev) or 0 in src (broadcast); dst must
// not overlap itself or src. Adjacent dims are merged, a contiguous inner run is copied with
// memcpy/fill, a transposition is copied in cache-sized tiles, and large copies run in
// parallel.
void copy_strided(void* dst, std::span<const int64_t> dst_strides, const void* src,
                  std::span<const int64_t> src_strides, std::span<const int64_t> shape,
                  size_t itemsize);

// Sets n elements of dst to the element at `value` (itemsize bytes), in parallel when large.
void fill_elements(void* dst, const void* value, int64_t n, size_t itemsize);

// memcpy of nbytes, split across threads when large.
void parallel_memcpy(void* dst, const void* src, size_t nbytes);

}  // namespace jx::cpu
