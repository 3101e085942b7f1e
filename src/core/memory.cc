// The caching allocator. Size classes are 64-byte multiples below 4 KiB and quarter-powers of two
// above (at most 25% waste). Blocks of 1 MiB and more are mmap'ed with MADV_HUGEPAGE so a first
// touch faults 2 MiB at a time instead of 4 KiB.
#include <sys/mman.h>

#include <bit>
#include <cstdlib>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/buffer.h"
#include "jx/errors.h"
#include "jx/memory.h"

namespace jx {
namespace {

constexpr size_t kAlign = 64;
constexpr size_t kHugeThreshold = size_t{1} << 20;

size_t size_class(size_t n) {
  if (n == 0) n = 1;
  if (n <= 4096) return (n + kAlign - 1) / kAlign * kAlign;
  size_t p = std::bit_floor(n);
  size_t quarter = p / 4;
  return (n + quarter - 1) / quarter * quarter;
}

void* os_alloc(size_t cap) {
  if (cap >= kHugeThreshold) {
    void* p = mmap(nullptr, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    madvise(p, cap, MADV_HUGEPAGE);
    return p;
  }
  return std::aligned_alloc(kAlign, cap);
}

void os_free(void* p, size_t cap) {
  if (cap >= kHugeThreshold)
    munmap(p, cap);
  else
    std::free(p);
}

size_t default_limit() {
  if (const char* env = std::getenv("JX_CACHE_LIMIT_MB")) {
    return static_cast<size_t>(std::strtoull(env, nullptr, 10)) << 20;
  }
  return size_t{8} << 30;
}

class Allocator {
 public:
  void* allocate(size_t cap) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = free_.find(cap);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        stats_.bytes_cached -= cap;
        note_in_use(cap);
        ++stats_.cache_hits;
        return p;
      }
    }
    void* p = os_alloc(cap);
    if (!p) {
      trim();
      p = os_alloc(cap);
      // A typed jx error (JAX reports RESOURCE_EXHAUSTED), not std::bad_alloc, so callers
      // catching jx::Error see every failure caused by their input.
      if (!p) {
        throw ValueError("out of memory: cannot allocate a buffer of " + std::to_string(cap) +
                         " bytes");
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.os_allocations;
    note_in_use(cap);
    return p;
  }

  void release(void* p, size_t cap) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.bytes_in_use -= cap;
      if (stats_.bytes_cached + cap <= limit_) {
        free_[cap].push_back(p);
        stats_.bytes_cached += cap;
        return;
      }
    }
    os_free(p, cap);
  }

  void trim() {
    std::unordered_map<size_t, std::vector<void*>> blocks;
    {
      std::lock_guard<std::mutex> lock(mu_);
      blocks.swap(free_);
      stats_.bytes_cached = 0;
    }
    for (auto& [cap, ptrs] : blocks) {
      for (void* p : ptrs) os_free(p, cap);
    }
  }

  memory::Stats stats() {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }
  void set_limit(size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      limit_ = bytes;
      if (stats_.bytes_cached <= limit_) return;
    }
    trim();
  }
  size_t limit() {
    std::lock_guard<std::mutex> lock(mu_);
    return limit_;
  }
  ~Allocator() { trim(); }

 private:
  void note_in_use(size_t cap) {
    stats_.bytes_in_use += cap;
    if (stats_.bytes_in_use > stats_.peak_bytes_in_use) {
      stats_.peak_bytes_in_use = stats_.bytes_in_use;
    }
  }

  std::mutex mu_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  memory::Stats stats_;
  size_t limit_ = default_limit();
};

// Leaked on purpose: buffers held by static Arrays may be freed after other statics die.
Allocator& allocator() {
  static Allocator* a = new Allocator();
  return *a;
}

}  // namespace

Buffer::~Buffer() { allocator().release(data_, capacity_); }

std::shared_ptr<Buffer> allocate_buffer(size_t nbytes) {
  size_t cap = size_class(nbytes);
  void* p = allocator().allocate(cap);
  return std::make_shared<Buffer>(p, nbytes, cap);
}

namespace memory {
Stats stats() { return allocator().stats(); }
void set_cache_limit(size_t bytes) { allocator().set_limit(bytes); }
size_t cache_limit() { return allocator().limit(); }
void trim() { allocator().trim(); }
}  // namespace memory

}  // namespace jx
