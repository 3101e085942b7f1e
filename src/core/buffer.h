// Buffer: a block of memory owned by the caching allocator (see memory.cc).
#pragma once

#include <cstddef>
#include <memory>

namespace jx {

// Memory for array elements, 64-byte aligned. Returned to the allocator's cache on destruction.
class Buffer {
 public:
  Buffer(void* data, size_t nbytes, size_t capacity)
      : data_(data), nbytes_(nbytes), capacity_(capacity) {}
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  size_t capacity() const { return capacity_; }

 private:
  void* data_;
  size_t nbytes_;
  size_t capacity_;
};

// A buffer of at least nbytes from the cache (fresh from the OS only when none fits).
std::shared_ptr<Buffer> allocate_buffer(size_t nbytes);

}  // namespace jx
