// Control of jx's caching allocator. Every array buffer comes from it: freed buffers are kept
// (by size class) and reused, because touching fresh pages costs ~11 us each on the machines jx
// targets and glibc hands large blocks back to the OS.
#pragma once

#include <cstddef>

namespace jx::memory {

struct Stats {
  size_t bytes_in_use = 0;  // held by live buffers (size-class capacity)
  size_t bytes_cached = 0;  // freed, kept for reuse
  size_t peak_bytes_in_use = 0;
  size_t os_allocations = 0;  // blocks obtained from the OS so far
  size_t cache_hits = 0;      // allocations served from the cache
};

Stats stats();
// Upper bound on cached (free) bytes; beyond it freed buffers go back to the OS.
// Default: 8 GiB, or JX_CACHE_LIMIT_MB from the environment.
void set_cache_limit(size_t bytes);
size_t cache_limit();
// Returns every cached buffer to the OS.
void trim();

}  // namespace jx::memory
